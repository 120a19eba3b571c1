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
  ///@{
  /// Makes a single axis (`.axis = -1`), a list (`.axis = {1, 2}`) or None (`.axis =
  /// nullptr`).
  AxisArg(int axis) : axes_{axis}, form_(Form::single) {}
  AxisArg(int64_t axis) : axes_{axis}, form_(Form::single) {}
  AxisArg(std::initializer_list<int64_t> axes) : axes_(axes), form_(Form::list) {}
  AxisArg(std::vector<int64_t> axes) : axes_(std::move(axes)), form_(Form::list) {}
  AxisArg(std::nullptr_t) : form_(Form::none) {}
  ///@}

  const std::vector<int64_t>& axes() const { return axes_; }  ///< empty for None
  /// Whether it is Keras's None.
  bool is_none() const { return form_ == Form::none; }
  ///@{
  /// "-1", "[1, 2]" or "None" (for messages), and the config form (int, list or null).
  std::string str() const;
  Value to_config() const;
  ///@}
  static AxisArg from_config(const Value& v);  ///< an int, a list of ints or null

 private:
  enum class Form { single, list, none };
  std::vector<int64_t> axes_;
  Form form_;
};

/// Options of LayerNormalization (the keyword arguments of
/// keras.layers.LayerNormalization).
struct LayerNormalizationOptions {
  /// The axis or axes normalized over (Keras `axis`, default -1); None throws
  /// std::invalid_argument.
  AxisArg axis = -1;
  /// Added to the variance before the square root (Keras `epsilon`, default 1e-3).
  double epsilon = 1e-3;
  bool center = true;  ///< add beta
  bool scale = true;   ///< multiply by gamma
  /// Scale by gamma over the root mean square only, ignoring center and scale (Keras 3
  /// `rms_scaling`, default false).
  bool rms_scaling = false;
  /// Initializer of beta (default zeros).
  InitializerArg beta_initializer = "zeros";
  /// Initializer of gamma (default ones).
  InitializerArg gamma_initializer = "ones";
  ///@{
  /// Penalties on beta and gamma (Keras `beta_regularizer`, `gamma_regularizer`; none by
  /// default).
  RegularizerArg beta_regularizer{}, gamma_regularizer{};
  ///@}
  ///@{
  /// Constraints applied to beta and gamma after each optimizer step (none by default).
  ConstraintArg beta_constraint{}, gamma_constraint{};
  ///@}
  /// Layer name (default: generated, layer_normalization, layer_normalization_1, ...).
  std::string name{};
  /// Whether gamma and beta are trained (default true).
  bool trainable = true;
  /// The dtype policy ("mixed_float16", "float64", a DType, ...; unset: the global policy).
  std::optional<mixed_precision::DTypePolicy> dtype{};
  ShapeSpec input_shape{};  ///< without the batch axis (first layer of a Sequential)
};

/// The layer normalization layer (keras.layers.LayerNormalization), made by
/// LayerNormalization().
class LayerNormalizationLayer : public Layer {
 public:
  /// Throws std::invalid_argument for an empty or None axis; the axes are checked against
  /// the input when built.
  explicit LayerNormalizationLayer(const LayerNormalizationOptions& options = {});
  void build(const ShapeSpec& input_shape) override;
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's loader for
  /// "LayerNormalization").
  static LayerPtr from_config(const Config& c);

  /// The options the layer was made with.
  const LayerNormalizationOptions& options() const { return o_; }
  ///@{
  /// The gamma and beta weights, defined once built (each only when used).
  Variable gamma, beta;
  ///@}

 private:
  LayerNormalizationOptions o_;
  std::vector<int64_t> axes_;    // normalized against the built rank, sorted
  std::vector<int64_t> bshape_;  // 1 except on axes_ (to broadcast the weights)
};

/// keras.layers.LayerNormalization: normalizes each sample over `axis`, then scales by
/// gamma and shifts by beta.
Ref<LayerNormalizationLayer> LayerNormalization(const LayerNormalizationOptions& options = {});

}  // namespace keras::layers
