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
struct ReLUOptions {
  std::optional<double> max_value{};  ///< >= 0; unset = no cap (Keras: None)
  double negative_slope = 0.0;        ///< >= 0
  double threshold = 0.0;             ///< >= 0
  std::string name{};
  bool trainable = true;
  ShapeSpec input_shape{};
};

class ReLULayer : public Layer {
 public:
  explicit ReLULayer(const ReLUOptions& options = {});
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  static LayerPtr from_config(const Config& c);

 private:
  ReLUOptions o_;
};

Ref<ReLULayer> ReLU(const ReLUOptions& options = {});

// ---- LeakyReLU: x for x >= 0, negative_slope * x otherwise.
class LeakyReLULayer : public Layer {
 public:
  explicit LeakyReLULayer(double negative_slope = 0.3, const LayerOptions& options = {});
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  static LayerPtr from_config(const Config& c);  ///< also reads the legacy key "alpha"

 private:
  double negative_slope_;
};

Ref<LeakyReLULayer> LeakyReLU(double negative_slope = 0.3, const LayerOptions& options = {});

// ---- PReLU: x for x >= 0, alpha * x otherwise, with a learned alpha of the input's
/// shape without the batch axis (size 1 along shared_axes, which are 1-based as in Keras).
struct PReLUOptions {
  InitializerArg alpha_initializer = "zeros";
  RegularizerArg alpha_regularizer{};
  ConstraintArg alpha_constraint{};
  std::vector<int64_t> shared_axes{};  ///< empty = none shared (Keras: None)
  std::string name{};
  bool trainable = true;
  ShapeSpec input_shape{};
};

class PReLULayer : public Layer {
 public:
  explicit PReLULayer(const PReLUOptions& options = {});
  void build(const ShapeSpec& input_shape) override;
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  static LayerPtr from_config(const Config& c);

  Variable alpha;  ///< defined once built

 private:
  PReLUOptions o_;
};

Ref<PReLULayer> PReLU(const PReLUOptions& options = {});

// ---- ELU: x for x > 0, alpha * (exp(x) - 1) otherwise.
class ELULayer : public Layer {
 public:
  explicit ELULayer(double alpha = 1.0, const LayerOptions& options = {});
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  static LayerPtr from_config(const Config& c);

 private:
  double alpha_;
};

Ref<ELULayer> ELU(double alpha = 1.0, const LayerOptions& options = {});

// ---- Softmax along one axis or several (exp(x - logsumexp(x, axes))).
class SoftmaxLayer : public Layer {
 public:
  explicit SoftmaxLayer(std::vector<int64_t> axes = {-1}, const LayerOptions& options = {});
  void build(const ShapeSpec& input_shape) override;
  Tensor call(const Tensor& x, bool training) override;
  /// With a mask, the masked positions get -1e9 first (a probability of ~0), as Keras.
  std::vector<Tensor> call(const std::vector<Tensor>& xs, const CallContext& ctx) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;  ///< "axis": an integer, or a list for several axes
  static LayerPtr from_config(const Config& c);

 private:
  std::vector<int64_t> axes_;
};

Ref<SoftmaxLayer> Softmax(int64_t axis = -1, const LayerOptions& options = {});
Ref<SoftmaxLayer> Softmax(std::vector<int64_t> axes, const LayerOptions& options = {});

}  // namespace keras::layers
