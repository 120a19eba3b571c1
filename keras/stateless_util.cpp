// stateless_util.cpp - the helpers of keras/stateless_util.h.
#include "keras/stateless_util.h"

#include <stdexcept>

namespace keras::detail {

core::StatelessScope::Mapping stateless_mapping(const std::vector<core::Variable>& vars,
                                                const std::vector<core::Tensor>& values,
                                                const std::string& argument, const std::string& owner) {
  if (values.size() != vars.size())
    throw std::invalid_argument("Argument `" + argument + "` must be a list of tensors corresponding 1:1 to " + owner +
                                ". Received list with length " + std::to_string(values.size()) + ", but expected " +
                                std::to_string(vars.size()) + " variables.");
  core::StatelessScope::Mapping m;
  m.reserve(vars.size());
  for (size_t i = 0; i < vars.size(); ++i) m.emplace_back(vars[i], values[i]);
  return m;
}

std::vector<core::Tensor> scope_values(const core::StatelessScope& scope, const std::vector<core::Variable>& vars) {
  std::vector<core::Tensor> out;
  out.reserve(vars.size());
  for (const core::Variable& v : vars) {
    core::Tensor t = scope.get_current_value(v);
    out.push_back(t.defined() ? t : v.current());
  }
  return out;
}

}  // namespace keras::detail
