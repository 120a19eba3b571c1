// dense.h - Dense: activation(inputs @ kernel + bias), on the last axis of the input.
#pragma once
#include "keras/layers/args.h"
#include "keras/layers/layer.h"

namespace keras::layers {

/// Options of Dense (the keyword arguments of keras.layers.Dense).
struct DenseOptions {
  ActivationArg activation{};  ///< "relu", a callable, ... (default linear)
  /// Whether to add a bias vector (Keras `use_bias`, default true).
  bool use_bias = true;
  /// Initializer of the kernel (default glorot_uniform).
  InitializerArg kernel_initializer = "glorot_uniform";
  /// Initializer of the bias (default zeros).
  InitializerArg bias_initializer = "zeros";
  ///@{
  /// Penalties on the kernel, the bias and the layer's outputs (Keras `kernel_regularizer`,
  /// `bias_regularizer`, `activity_regularizer`; none by default).
  RegularizerArg kernel_regularizer{}, bias_regularizer{}, activity_regularizer{};
  ///@}
  ///@{
  /// Constraints applied to the kernel and the bias after each optimizer step (none by
  /// default).
  ConstraintArg kernel_constraint{}, bias_constraint{};
  ///@}
  /// Layer name (default: generated, dense, dense_1, ...).
  std::string name{};
  /// Whether the weights are trained (default true).
  bool trainable = true;
  ShapeSpec input_shape{};  ///< without the batch axis (first layer of a Sequential)
  /// The dtype policy ("mixed_float16", a DType, ...; unset: the global policy).
  std::optional<mixed_precision::DTypePolicy> dtype{};
};

/// The densely connected layer (keras.layers.Dense), made by Dense().
class DenseLayer : public Layer {
 public:
  /// Throws std::invalid_argument unless units > 0.
  explicit DenseLayer(int64_t units, const DenseOptions& options = {});
  void build(const ShapeSpec& input_shape) override;
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's loader for "Dense").
  static LayerPtr from_config(const Config& c);

  /// Size of the output's last axis (Keras `units`).
  int64_t units() const { return units_; }
  ///@{
  /// The kernel (input features, units) and bias (units) weights, defined once built (bias
  /// stays undefined without use_bias).
  Variable kernel, bias;
  ///@}

 private:
  int64_t units_;
  DenseOptions o_;
};

/// keras.layers.Dense: activation(x @ kernel + bias) over the last axis of x, which must be
/// known when the layer is built.
Ref<DenseLayer> Dense(int64_t units, const DenseOptions& options = {});

}  // namespace keras::layers
