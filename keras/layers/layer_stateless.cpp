// layer_stateless.cpp - Layer::stateless_call (Keras's): the call inside a StatelessScope
// that maps the layer's weights to the given values.
#include "keras/layers/layer.h"
#include "keras/stateless_util.h"

namespace keras::layers {

StatelessCallResult Layer::stateless_call(const std::vector<Tensor>& trainable_variables,
                                          const std::vector<Tensor>& non_trainable_variables,
                                          const std::vector<Tensor>& inputs, const CallArgs& args,
                                          bool return_losses) {
  if (!built())
    throw std::invalid_argument("To call stateless_call, " + class_name() +
                                " must be built (i.e. its variables must have been already created). You can build "
                                "it by calling it on some data.");
  const std::vector<Variable> trainable = this->trainable_variables(), non_trainable = this->non_trainable_variables();
  core::StatelessScope::Mapping mapping =
      detail::stateless_mapping(trainable, trainable_variables, "trainable_variables", class_name() + "().trainable_variables");
  core::StatelessScope::Mapping rest = detail::stateless_mapping(non_trainable, non_trainable_variables,
                                                                 "non_trainable_variables",
                                                                 class_name() + "().non_trainable_variables");
  mapping.insert(mapping.end(), rest.begin(), rest.end());
  StatelessCallResult r;
  core::StatelessScope scope(mapping);
  r.outputs = (*this)(inputs, args);
  if (return_losses) r.losses = losses();
  r.non_trainable_variables = detail::scope_values(scope, non_trainable);
  return r;
}

}  // namespace keras::layers
