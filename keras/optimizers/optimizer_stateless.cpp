// optimizer_stateless.cpp - Optimizer::stateless_apply (Keras's): one apply_gradients step
// inside a StatelessScope that maps the built variables and the optimizer's own (the
// moving averages and gradient accumulators are among them, so use_ema and accumulation thread).
#include "core/graph.h"
#include "keras/optimizers/optimizer.h"
#include "keras/stateless_util.h"

namespace keras::optimizers {

Optimizer::StatelessApplyResult Optimizer::stateless_apply(const std::vector<Tensor>& optimizer_variables,
                                                           const std::vector<Tensor>& grads,
                                                           const std::vector<Tensor>& trainable_variables) {
  if (built_.empty())
    throw std::invalid_argument("To call `stateless_apply`, " + class_name() +
                                " must be built (i.e. its variables must have been created). You can build it via "
                                "`optimizer.build_variables(trainable_variables)`.");
  if (core::tracing::t_tracer)
    throw std::invalid_argument(class_name() +
                                ".stateless_apply: the updates are made in place, which cannot be traced inside a "
                                "StatelessScope; call it outside keras::function");
  const std::vector<Variable> own = variables();
  core::StatelessScope::Mapping mapping = keras::detail::stateless_mapping(
      built_, trainable_variables, "trainable_variables", class_name() + "()._trainable_variables");
  core::StatelessScope::Mapping rest =
      keras::detail::stateless_mapping(own, optimizer_variables, "optimizer_variables", class_name() + "().variables");
  mapping.insert(mapping.end(), rest.begin(), rest.end());
  core::StatelessScope scope(mapping);
  apply_gradients(grads, built_);
  return {keras::detail::scope_values(scope, built_), keras::detail::scope_values(scope, own)};
}

}  // namespace keras::optimizers
