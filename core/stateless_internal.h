// stateless_internal.h - (engine-internal) the hooks Variable and the graph executor use to
// consult the StatelessScope open on this thread (core/stateless_scope.h).
#pragma once
#include <memory>

#include "core/dispatch.h"

namespace keras::core::stateless {

/// Whether a scope is open on this thread.
bool active();
/// The variable's value in the innermost scope, or null (outer scopes are not consulted,
/// as in Keras).
Tensor* find(const Resource* variable_state);
/// The innermost scope's value of the variable, for an update in place: made from
/// `current` (the variable's own value) when the scope has none yet. The caller makes its
/// storage exclusive before writing.
Tensor& for_update(const std::shared_ptr<Resource>& variable_state, const Tensor& current);
/// Records an assignment in the innermost scope (the value already checked).
void assign(const std::shared_ptr<Resource>& variable_state, const Tensor& value);

}  // namespace keras::core::stateless
