// stateless_util.h - (internal) what Layer::stateless_call, Optimizer::stateless_apply and
// the metrics' stateless functions share: the variable mapping of their StatelessScope,
// checked in Keras's words, and the values read back from the scope.
#pragma once
#include <string>
#include <vector>

#include "core/stateless_scope.h"

namespace keras::detail {

/// Pairs `vars` with `values` for a StatelessScope; raises std::invalid_argument "Argument
/// `<argument>` must be a list of tensors corresponding 1:1 to <owner>. Received list with
/// length N, but expected M variables." when the lengths differ.
core::StatelessScope::Mapping stateless_mapping(const std::vector<core::Variable>& vars,
                                                const std::vector<core::Tensor>& values,
                                                const std::string& argument, const std::string& owner);
/// Each variable's value in `scope`, else the variable's own value.
std::vector<core::Tensor> scope_values(const core::StatelessScope& scope, const std::vector<core::Variable>& vars);

}  // namespace keras::detail
