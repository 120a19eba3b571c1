// stateless_scope.cpp - StatelessScope (core/stateless_scope.h) and the hooks of
// core/stateless_internal.h: a thread's chain of scopes, each a map from variable state to
// the value it holds.
#include "core/stateless_scope.h"

#include <stdexcept>
#include <unordered_map>

#include "core/graph.h"
#include "core/ops.h"
#include "core/stateless_internal.h"

namespace keras::core {

struct StatelessScope::Impl {
  // The variable (kept alive while the scope holds its value) and the value.
  std::unordered_map<const Resource*, std::pair<std::shared_ptr<Resource>, Tensor>> values;
  Impl* outer = nullptr;
};

namespace {
thread_local StatelessScope::Impl* t_scope = nullptr;

// The value as the variable holds values: its dtype (cast), its shape (checked), its
// device (copied there, unless it is a value of the trace being made).
Tensor checked(const Variable& v, const Tensor& value, const char* what) {
  if (!v.defined()) throw std::invalid_argument(std::string(what) + ": the variable is undefined");
  if (!value.defined()) throw std::invalid_argument(std::string(what) + ": the value for variable '" + v.name() + "' is undefined");
  const Tensor& own = v.current();
  if (value.shape() != own.shape())
    throw std::invalid_argument(std::string(what) + ": the value for variable '" + v.name() + "' has shape " +
                                value.shape().str() + ", but the variable's shape is " + own.shape().str());
  Tensor out = value.dtype() == own.dtype() ? value : ops::cast(value, own.dtype());
  if (out.device() != own.device() && !tracing::is_traced(out)) out = out.to(own.device());
  return out;
}
}  // namespace

StatelessScope::StatelessScope(const Mapping& state_mapping) : impl_(std::make_unique<Impl>()) {
  for (const auto& [v, value] : state_mapping) {
    Tensor t = checked(v, value, "StatelessScope");
    impl_->values[v.resource().get()] = {v.resource(), t};
  }
  impl_->outer = t_scope;
  t_scope = impl_.get();
}

StatelessScope::~StatelessScope() { t_scope = impl_->outer; }

Tensor StatelessScope::get_current_value(const Variable& variable) const {
  if (!variable.defined()) return Tensor();
  auto it = impl_->values.find(variable.resource().get());
  return it == impl_->values.end() ? Tensor() : it->second.second;
}

void StatelessScope::add_update(const Variable& variable, const Tensor& value) {
  Tensor t = checked(variable, value, "StatelessScope.add_update");
  impl_->values[variable.resource().get()] = {variable.resource(), t};
}

bool in_stateless_scope() { return t_scope != nullptr; }

namespace stateless {
bool active() { return t_scope != nullptr; }

Tensor* find(const Resource* state) {
  auto it = t_scope->values.find(state);
  return it == t_scope->values.end() ? nullptr : &it->second.second;
}

Tensor& for_update(const std::shared_ptr<Resource>& state, const Tensor& current) {
  auto [it, fresh] = t_scope->values.try_emplace(state.get(), state, Tensor());
  if (fresh) it->second.second = current;
  return it->second.second;
}

void assign(const std::shared_ptr<Resource>& state, const Tensor& value) {
  t_scope->values[state.get()] = {state, value};
}
}  // namespace stateless

}  // namespace keras::core
