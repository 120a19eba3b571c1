// layer_options.h - LayerOptions, the keyword arguments every layer takes (name,
// trainable, dynamic, dtype, autocast, input_shape, activity_regularizer), and
// WeightOptions, those of Layer::add_weight. Included by layer.h.
#pragma once
#include <memory>
#include <optional>
#include <string>

#include "keras/layers/keras_tensor.h"
#include "keras/mixed_precision.h"

namespace keras {
namespace initializers { class Initializer; }
namespace regularizers { class Regularizer; }
namespace constraints { class Constraint; }

namespace layers {

/// Options every layer takes (Keras's base keyword arguments).
struct LayerOptions {
  std::string name{};  ///< default: snake_case class name, made unique (dense, dense_1)
  /// Whether the weights are trainable (Keras `trainable`, default true).
  bool trainable = true;
  bool dynamic = false;  ///< always run eagerly (never traced into a graph)
  /// The layer's dtype policy (Keras 3 `dtype`): a policy name ("mixed_float16",
  /// "float32"), a DType or a mixed_precision::DTypePolicy. Unset: the global policy
  /// (mixed_precision::global_policy()) when the layer is constructed.
  std::optional<mixed_precision::DTypePolicy> dtype{};
  /// Whether floating inputs are cast to the compute dtype and variables read in it
  /// inside call() (Keras `autocast`, default true).
  bool autocast = true;
  ShapeSpec input_shape{};  ///< optional, without the batch axis (starts a Sequential)
  /// Applied to every output of each call (Layer::operator()), divided by the batch size,
  /// as a loss of the layer (Keras's activity_regularizer).
  std::shared_ptr<const regularizers::Regularizer> activity_regularizer{};
};

/// Options of Layer::add_weight.
struct WeightOptions {
  std::shared_ptr<const initializers::Initializer> initializer{};  ///< default glorot_uniform
  /// Penalty on the weight, added to losses() (Keras `regularizer`; none by default).
  std::shared_ptr<const regularizers::Regularizer> regularizer{};
  /// Applied to the weight after each optimizer step (Keras `constraint`; none by default).
  std::shared_ptr<const constraints::Constraint> constraint{};
  /// Whether the weight is trained (false for statistics such as moving means).
  bool trainable = true;
  /// The weight's dtype (unset: the layer's variable_dtype()).
  std::optional<DType> dtype{};
  /// Whether the weight is read in the compute dtype inside a mixed layer's call (Keras
  /// `autocast`; float weights only; default true).
  bool autocast = true;
  /// Whether optimizers assign the weight's gradient to it instead of updating it (Keras
  /// `overwrite_with_gradient`; float8 training's scales; default false).
  bool overwrite_with_gradient = false;
};

}  // namespace layers
}  // namespace keras
