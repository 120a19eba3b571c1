// cloning.h - keras.models.clone_model: a Sequential or Functional model rebuilt with new
// layers (and so new weights), optionally transformed layer by layer.
//
//   auto copy = keras::models::clone_model(*model);          // same architecture, new weights
//   copy->set_weights(model->get_weights());                 // the book's transfer learning
//   auto frozen = keras::models::clone_model(*model, {.clone_function = [](const keras::LayerPtr& l) {
//     keras::Config c = keras::layers::serialize(*l);
//     c["config"]["trainable"] = false;
//     return keras::layers::deserialize(c);
//   }});
#pragma once
#include <functional>
#include <memory>
#include <vector>

#include "keras/models/model.h"

namespace keras::models {

/// clone_model's options (Keras's keyword arguments).
struct CloneOptions {
  /// Symbolic tensors to build the clone on (Keras `input_tensors`): one per model input,
  /// in order (a Sequential model takes one). Empty: new keras::Input tensors with the
  /// inputs' shapes, dtypes and names.
  std::vector<KerasTensor> input_tensors{};
  /// Makes each layer's clone (Keras `clone_function`; InputLayers are always remade).
  /// Unset: the layer rebuilt from its config, with new weights
  /// (layers::deserialize(layers::serialize(layer))). Returning the layer itself shares it.
  std::function<LayerPtr(const LayerPtr&)> clone_function{};
  /// Calls each cloned layer of a Functional model on its inputs (Keras `call_function`):
  /// called with the clone, the inputs and the call's arguments; it may add layers before
  /// or after. Unset: the plain call. A Sequential model raises std::invalid_argument.
  std::function<layers::KerasTensors(const LayerPtr&, const std::vector<KerasTensor>&, const layers::CallArgs&)>
      call_function{};
  /// Whether nested Sequential and Functional models are cloned with clone_model (with the
  /// same options) instead of clone_function (Keras `recursive`).
  bool recursive = false;
};

/// Keras's clone_model(model, ...): a new model of the same kind (Sequential or
/// Functional), name and trainable flag, with new layers from options.clone_function
/// (a layer shared by several calls is cloned once and shared the same way), compiled
/// like `model` (a fresh optimizer, losses and metrics from its configs) when `model` is
/// compiled. Another kind of model (subclassed) is rebuilt from its config when its class
/// is registered, and raises std::invalid_argument for input_tensors, clone_function or
/// call_function; input_tensors of the wrong count raise naming both counts.
std::shared_ptr<Model> clone_model(const Model& model, const CloneOptions& options = {});

}  // namespace keras::models
