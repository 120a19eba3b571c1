// activation_layers.h - activation layers with arguments (keras.layers.ReLU,
// LeakyReLU, PReLU, ELU, Softmax).
//
//   auto r = keras::layers::ReLU({.max_value = 6.0});
//   auto l = keras::layers::LeakyReLU(0.2);
//   auto p = keras::layers::PReLU({.shared_axes = {1, 2}});   // one alpha per channel
//   auto s = keras::layers::Softmax(-1);
#pragma once
#include <optional>

#include "keras/layers/args.h"
#include "keras/layers/layer.h"

namespace keras::layers {

// ---- ReLU: x for x >= threshold, negative_slope * (x - threshold) below; capped at max_value.
/// Options of ReLU (the keyword arguments of keras.layers.ReLU); negative values throw
/// std::invalid_argument.
struct ReLUOptions {
  std::optional<double> max_value{};  ///< >= 0; unset = no cap (Keras: None)
  double negative_slope = 0.0;        ///< >= 0
  double threshold = 0.0;             ///< >= 0
  /// Layer name (default: generated, re_lu, re_lu_1, ...).
  std::string name{};
  /// Keras `trainable` (default true); the layer has no weights.
  bool trainable = true;
  /// The dtype policy ("mixed_float16", "float64", a DType, ...; unset: the global policy).
  std::optional<mixed_precision::DTypePolicy> dtype{};
  /// Input shape without the batch axis (first layer of a Sequential).
  ShapeSpec input_shape{};
};

/// The ReLU layer with threshold, negative slope and cap (keras.layers.ReLU), made by
/// ReLU().
class ReLULayer : public Layer {
 public:
  /// Throws std::invalid_argument for a negative max_value, negative_slope or threshold.
  explicit ReLULayer(const ReLUOptions& options = {});
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's loader for "ReLU").
  static LayerPtr from_config(const Config& c);

 private:
  ReLUOptions o_;
};

/// keras.layers.ReLU: x for x >= threshold, negative_slope * (x - threshold) below, capped
/// at max_value.
Ref<ReLULayer> ReLU(const ReLUOptions& options = {});

// ---- LeakyReLU: x for x >= 0, negative_slope * x otherwise.
/// The leaky ReLU layer (keras.layers.LeakyReLU), made by LeakyReLU().
class LeakyReLULayer : public Layer {
 public:
  /// Throws std::invalid_argument for a negative negative_slope (Keras's default 0.3).
  explicit LeakyReLULayer(double negative_slope = 0.3, const LayerOptions& options = {});
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  static LayerPtr from_config(const Config& c);  ///< also reads the legacy key "alpha"

 private:
  double negative_slope_;
};

/// keras.layers.LeakyReLU: x for x >= 0, negative_slope * x otherwise (default slope 0.3).
Ref<LeakyReLULayer> LeakyReLU(double negative_slope = 0.3, const LayerOptions& options = {});

// ---- PReLU: x for x >= 0, alpha * x otherwise, with a learned alpha of the input's
/// shape without the batch axis (size 1 along shared_axes, which are 1-based as in Keras).
/// Options of PReLU (the keyword arguments of keras.layers.PReLU).
struct PReLUOptions {
  /// Initializer of alpha (Keras `alpha_initializer`, default zeros).
  InitializerArg alpha_initializer = "zeros";
  /// Penalty on alpha (Keras `alpha_regularizer`; none by default).
  RegularizerArg alpha_regularizer{};
  /// Applied to alpha after each optimizer step (Keras `alpha_constraint`; none by
  /// default).
  ConstraintArg alpha_constraint{};
  std::vector<int64_t> shared_axes{};  ///< empty = none shared (Keras: None)
  /// Layer name (default: generated, p_re_lu, p_re_lu_1, ...).
  std::string name{};
  /// Whether alpha is trained (default true).
  bool trainable = true;
  /// The dtype policy ("mixed_float16", "float64", a DType, ...; unset: the global policy).
  std::optional<mixed_precision::DTypePolicy> dtype{};
  /// Input shape without the batch axis (first layer of a Sequential).
  ShapeSpec input_shape{};
};

/// The parametric ReLU layer with a learned slope alpha (keras.layers.PReLU), made by
/// PReLU().
class PReLULayer : public Layer {
 public:
  /// Takes the options as given; shared_axes are checked when the layer is built.
  explicit PReLULayer(const PReLUOptions& options = {});
  void build(const ShapeSpec& input_shape) override;
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's loader for "PReLU").
  static LayerPtr from_config(const Config& c);

  Variable alpha;  ///< defined once built

 private:
  PReLUOptions o_;
};

/// keras.layers.PReLU: x for x >= 0, alpha * x otherwise, alpha learned per input cell
/// (shared along shared_axes).
Ref<PReLULayer> PReLU(const PReLUOptions& options = {});

// ---- ELU: x for x > 0, alpha * (exp(x) - 1) otherwise.
/// The exponential linear unit layer (keras.layers.ELU), made by ELU().
class ELULayer : public Layer {
 public:
  /// alpha: the scale of the negative part (Keras default 1.0).
  explicit ELULayer(double alpha = 1.0, const LayerOptions& options = {});
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's loader for "ELU").
  static LayerPtr from_config(const Config& c);

 private:
  double alpha_;
};

/// keras.layers.ELU: x for x > 0, alpha * (exp(x) - 1) otherwise.
Ref<ELULayer> ELU(double alpha = 1.0, const LayerOptions& options = {});

// ---- Softmax along one axis or several (exp(x - logsumexp(x, axes))).
/// The softmax layer over one or several axes (keras.layers.Softmax), made by Softmax().
class SoftmaxLayer : public Layer {
 public:
  /// axes: the axes normalized together (default the last); checked against the input when
  /// built.
  explicit SoftmaxLayer(std::vector<int64_t> axes = {-1}, const LayerOptions& options = {});
  void build(const ShapeSpec& input_shape) override;
  Tensor call(const Tensor& x, bool training) override;
  /// With a mask, the masked positions get -1e9 first (a probability of ~0), as Keras.
  std::vector<Tensor> call(const std::vector<Tensor>& xs, const CallContext& ctx) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;  ///< "axis": an integer, or a list for several axes
  /// Rebuilds the layer from a get_config() config (the registry's loader for "Softmax").
  static LayerPtr from_config(const Config& c);

 private:
  std::vector<int64_t> axes_;
};

///@{
/// keras.layers.Softmax along `axis` (default -1) or along several axes together; masked
/// positions (a mask passed to the call) get probability ~0.
Ref<SoftmaxLayer> Softmax(int64_t axis = -1, const LayerOptions& options = {});
Ref<SoftmaxLayer> Softmax(std::vector<int64_t> axes, const LayerOptions& options = {});
///@}

}  // namespace keras::layers
