// layer_normalization.h - LayerNormalization (Keras 3's keras.layers.LayerNormalization)
// and AxisArg, the "an int, a list of ints, or None" axis argument of the
// normalization layers.
//
// Each sample is normalized over `axis` (mean and population variance), then scaled by
// gamma and shifted by beta, which span the normalized axes:
//   y = gamma * (x - mean) / sqrt(variance + epsilon) + beta
// With rms_scaling (as Keras 3) center and scale are ignored and
//   y = gamma * x / sqrt(variance + epsilon)
// Weights: gamma (if scale or rms_scaling), beta (if center and not rms_scaling).
#pragma once
#include <cstddef>
#include <initializer_list>

#include "keras/layers/args.h"
#include "keras/layers/layer.h"

namespace keras::layers {

/// `.axis = 1`, `.axis = {1, 2}` or (where a layer allows it, as Normalization)
/// `.axis = nullptr` for Keras's None. Negative axes count from the end.
class AxisArg {
 public:
  AxisArg(int axis) : axes_{axis}, form_(Form::single) {}
  AxisArg(int64_t axis) : axes_{axis}, form_(Form::single) {}
  AxisArg(std::initializer_list<int64_t> axes) : axes_(axes), form_(Form::list) {}
  AxisArg(std::vector<int64_t> axes) : axes_(std::move(axes)), form_(Form::list) {}
  AxisArg(std::nullptr_t) : form_(Form::none) {}

  const std::vector<int64_t>& axes() const { return axes_; }  ///< empty for None
  bool is_none() const { return form_ == Form::none; }
  /// "-1", "[1, 2]" or "None" (for messages), and the config form (int, list or null).
  std::string str() const;
  Value to_config() const;
  static AxisArg from_config(const Value& v);  ///< an int, a list of ints or null

 private:
  enum class Form { single, list, none };
  std::vector<int64_t> axes_;
  Form form_;
};

struct LayerNormalizationOptions {
  AxisArg axis = -1;
  double epsilon = 1e-3;
  bool center = true;  ///< add beta
  bool scale = true;   ///< multiply by gamma
  bool rms_scaling = false;
  InitializerArg beta_initializer = "zeros";
  InitializerArg gamma_initializer = "ones";
  RegularizerArg beta_regularizer{}, gamma_regularizer{};
  ConstraintArg beta_constraint{}, gamma_constraint{};
  std::string name{};
  bool trainable = true;
  ShapeSpec input_shape{};  ///< without the batch axis (first layer of a Sequential)
};

class LayerNormalizationLayer : public Layer {
 public:
  explicit LayerNormalizationLayer(const LayerNormalizationOptions& options = {});
  void build(const ShapeSpec& input_shape) override;
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  static LayerPtr from_config(const Config& c);

  const LayerNormalizationOptions& options() const { return o_; }
  Variable gamma, beta;  ///< defined once built (when used)

 private:
  LayerNormalizationOptions o_;
  std::vector<int64_t> axes_;    // normalized against the built rank, sorted
  std::vector<int64_t> bshape_;  // 1 except on axes_ (to broadcast the weights)
};

Ref<LayerNormalizationLayer> LayerNormalization(const LayerNormalizationOptions& options = {});

}  // namespace keras::layers
