// einsum_dense.h - EinsumDense (keras.layers.EinsumDense): activation(einsum(equation,
// inputs, kernel) + bias), a Dense layer over any axes. The equation has the forms Keras
// accepts: "ab,bc->ac", "...b,bc->...c" (left-elided) and "ab...,bc->ac..." (right-elided);
// output_shape gives the output's axes after the batch axis (-1 = None: taken from the
// input), bias_axes the output letters the bias runs over. Kernel and bias shapes
// follow Keras's _analyze_einsum_string.
//
//   auto heads = keras::layers::EinsumDense("abc,cde->abde", {-1, 8, 16}, {.bias_axes = "de"});
#pragma once
#include <optional>

#include "keras/layers/args.h"
#include "keras/layers/layer.h"

namespace keras::layers {

struct EinsumDenseOptions {
  ActivationArg activation{};
  std::optional<std::string> bias_axes{};  ///< unset: no bias (Keras: None)
  InitializerArg kernel_initializer = "glorot_uniform";
  InitializerArg bias_initializer = "zeros";
  RegularizerArg kernel_regularizer{}, bias_regularizer{}, activity_regularizer{};
  ConstraintArg kernel_constraint{}, bias_constraint{};
  std::string name{};
  bool trainable = true;
  ShapeSpec input_shape{};  ///< without the batch axis (first layer of a Sequential)
};

class EinsumDenseLayer : public Layer {
 public:
  EinsumDenseLayer(std::string equation, ShapeSpec output_shape, const EinsumDenseOptions& options = {});
  void build(const ShapeSpec& input_shape) override;
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  static LayerPtr from_config(const Config& c);

  const std::string& equation() const { return equation_; }
  Variable kernel, bias;  ///< defined once built (bias only with bias_axes)

  /// Keras's shapes of the kernel, the bias (empty when none) and the full output for an
  /// input shape; std::invalid_argument naming the layer when they do not fit.
  struct Shapes {
    ShapeSpec kernel, bias, output;
    bool has_bias = false;
  };
  Shapes analyze(const ShapeSpec& input_shape) const;

 private:
  std::string equation_;
  ShapeSpec partial_output_;
  EinsumDenseOptions o_;
};

/// output_shape: one value (EinsumDense("ab,bc->ac", 64)) or the axes after the batch one.
Ref<EinsumDenseLayer> EinsumDense(std::string equation, ShapeSpec output_shape,
                                  const EinsumDenseOptions& options = {});
Ref<EinsumDenseLayer> EinsumDense(std::string equation, int64_t output_dim, const EinsumDenseOptions& options = {});

}  // namespace keras::layers
