// dense.h - Dense: activation(inputs @ kernel + bias), on the last axis of the input.
#pragma once
#include "keras/layers/args.h"
#include "keras/layers/layer.h"

namespace keras::layers {

struct DenseOptions {
  ActivationArg activation{};  ///< "relu", a callable, ... (default linear)
  bool use_bias = true;
  InitializerArg kernel_initializer = "glorot_uniform";
  InitializerArg bias_initializer = "zeros";
  RegularizerArg kernel_regularizer{}, bias_regularizer{}, activity_regularizer{};
  ConstraintArg kernel_constraint{}, bias_constraint{};
  std::string name{};
  bool trainable = true;
  ShapeSpec input_shape{};  ///< without the batch axis (first layer of a Sequential)
};

class DenseLayer : public Layer {
 public:
  explicit DenseLayer(int64_t units, const DenseOptions& options = {});
  void build(const ShapeSpec& input_shape) override;
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  static LayerPtr from_config(const Config& c);

  int64_t units() const { return units_; }
  Variable kernel, bias;  ///< defined once built

 private:
  int64_t units_;
  DenseOptions o_;
};

Ref<DenseLayer> Dense(int64_t units, const DenseOptions& options = {});

}  // namespace keras::layers
