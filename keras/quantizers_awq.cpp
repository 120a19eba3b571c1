// quantizers_awq.cpp - AWQ's arithmetic (Keras's awq_search_optimal_scales,
// awq_quantize_matrix, the activation statistics) and its configuration; the calibration
// of a model is in quantizers_calibration.cpp.
#include "keras/quantizers_awq.h"

#include <cmath>
#include <stdexcept>

#include "core/ops.h"
#include "keras/layers/quantize_util.h"
#include "keras/quantizers_internal.h"

namespace keras::quantizers {
namespace ops = core::ops;
using core::DType;
using core::Shape;
using core::Tensor;

void AWQConfig::validate() const {
  if (weight_bits != 4)
    throw std::invalid_argument("AWQConfig: AWQ only supports 4-bit quantization. Received weight_bits=" +
                                std::to_string(weight_bits) + ".");
  if (num_samples <= 0)
    throw std::invalid_argument("AWQConfig: num_samples must be a positive integer, but received " +
                                std::to_string(num_samples));
  if (sequence_length <= 0)
    throw std::invalid_argument("AWQConfig: sequence_length must be a positive integer, but received " +
                                std::to_string(sequence_length));
  if (group_size < -1 || group_size == 0)
    throw std::invalid_argument("AWQConfig: invalid group_size. Supported values are -1 (per-channel) or a positive "
                                "integer, but got " + std::to_string(group_size) + ".");
  if (num_grid_points <= 0)
    throw std::invalid_argument("AWQConfig: num_grid_points must be a positive integer, but received " +
                                std::to_string(num_grid_points));
}

std::string AWQConfig::dtype_policy_string() const {
  return "awq/" + std::to_string(weight_bits) + "/" + std::to_string(group_size);
}

Config AWQConfig::get_config() const {
  Config c = Config::object();
  c["dataset"] = nullptr;
  c["tokenizer"] = nullptr;
  c["weight_bits"] = static_cast<long long>(weight_bits);
  c["num_samples"] = static_cast<long long>(num_samples);
  c["sequence_length"] = static_cast<long long>(sequence_length);
  c["group_size"] = static_cast<long long>(group_size);
  c["num_grid_points"] = static_cast<long long>(num_grid_points);
  c["quantization_layer_structure"] = nullptr;
  return c;
}

AWQConfig AWQConfig::from_config(const Config& c) {
  AWQConfig a;
  a.weight_bits = static_cast<int>(c.get("weight_bits", 4).as_int());
  a.num_samples = c.get("num_samples", 128).as_int();
  a.sequence_length = c.get("sequence_length", 512).as_int();
  a.group_size = c.get("group_size", 128).as_int();
  a.num_grid_points = c.get("num_grid_points", 20).as_int();
  a.validate();
  return a;
}

namespace {
constexpr double kMaxq = 15;  // 4 bits

// The scaled weights' 4-bit levels and their parameters (per row, or in groups).
struct Levels {
  Tensor quantized;
  ZeroPointParams params;
  Tensor g_idx;  // undefined per row
};
Levels quantize_scaled(const Tensor& scaled, int64_t group_size) {
  Levels l;
  l.params = detail::zero_point_params(scaled, 4, false, true, group_size);  // (the range holds 0)
  if (group_size == -1) {
    l.quantized = quantize_with_zero_point(scaled, l.params.scale, l.params.zero, kMaxq);
  } else {
    l.g_idx = layers::detail::int4_group_index(scaled.shape()[1], group_size);  // floor(i / group_size)
    l.quantized = quantize_with_sz_map(scaled, l.params.scale, l.params.zero, l.g_idx, kMaxq);
  }
  return l;
}

void check_matrix(const Tensor& w, const Tensor& magnitudes, const char* who) {
  if (!w.defined() || w.rank() != 2 || w.size() == 0)
    throw std::invalid_argument(std::string(who) + ": expected non-empty weights of rank 2 (out features, in "
                                "features), but received " + (w.defined() ? "shape " + w.shape().str() : "none"));
  if (!magnitudes.defined() || magnitudes.rank() != 1 || magnitudes.shape()[0] != w.shape()[1])
    throw std::invalid_argument(std::string(who) + ": expected activation magnitudes of shape (" +
                                std::to_string(w.shape()[1]) + "), but received " +
                                (magnitudes.defined() ? magnitudes.shape().str() : std::string("none")));
}
}  // namespace

Tensor awq_search_optimal_scales(const Tensor& weights_in, const Tensor& activation_magnitudes, int64_t num_grid_points,
                                 int64_t group_size) {
  check_matrix(weights_in, activation_magnitudes, "awq_search_optimal_scales");
  if (num_grid_points <= 0) throw std::invalid_argument("awq_search_optimal_scales: num_grid_points must be > 0");
  const Tensor w = ops::cast(weights_in, DType::float32);
  Tensor x_max = ops::cast(activation_magnitudes, DType::float32);
  x_max = ops::where(ops::less(x_max, ops::scalar_like(x_max, 1e-8)), ops::ones_like(x_max), x_max);
  const Tensor weight = ops::square(x_max);
  Tensor best;
  float best_loss = 0;
  for (int64_t i = 0; i <= num_grid_points; ++i) {
    const double ratio = double(i) / double(num_grid_points);
    Tensor s = i == 0 ? ops::ones_like(x_max) : ops::power(x_max, ops::scalar_like(x_max, ratio));
    s = ops::maximum(s, ops::scalar_like(s, 1e-4));
    Tensor mean = ops::sqrt(ops::multiply(ops::max(s), ops::min(s)));
    mean = ops::maximum(mean, ops::scalar_like(mean, 1e-8));
    s = ops::divide(s, mean);
    const Tensor scaled = ops::multiply(w, s);
    const Levels l = quantize_scaled(scaled, group_size);
    const Tensor deq = group_size == -1
                           ? dequantize_with_zero_point(l.quantized, l.params.scale, l.params.zero)
                           : dequantize_with_sz_map(l.quantized, l.params.scale, l.params.zero, l.g_idx);
    const Tensor err = ops::square(ops::subtract(w, ops::divide(deq, s)));
    const float loss = ops::mean(ops::multiply(err, weight)).item<float>();
    if (!best.defined() || loss < best_loss) best = s, best_loss = loss;
  }
  return best;
}

AWQResult awq_quantize_matrix(const Tensor& weights_transpose, const Tensor& activation_magnitudes,
                              int64_t num_grid_points, int64_t group_size) {
  const Tensor scales = awq_search_optimal_scales(weights_transpose, activation_magnitudes, num_grid_points, group_size);
  const Levels l = quantize_scaled(ops::multiply(ops::cast(weights_transpose, DType::float32), scales), group_size);
  const int64_t in = weights_transpose.shape()[1];
  return {ops::cast(l.quantized, DType::int32), l.params.scale, l.params.zero, scales,
          group_size == -1 ? ops::zeros(Shape{in}, DType::float32) : l.g_idx};
}

AWQ::AWQ(int64_t rows, AWQConfig config) : rows_(rows), config_(std::move(config)) {
  if (rows < 1) throw std::invalid_argument("AWQ: expected rows >= 1, but received " + std::to_string(rows));
  config_.validate();
  magnitudes_ = ops::zeros(Shape{rows}, DType::float32);
}

void AWQ::update_activation_magnitudes(const Tensor& input) {
  if (!input.defined()) throw std::invalid_argument("AWQ: the input tensor cannot be None");
  if (input.size() == 0) throw std::invalid_argument("AWQ: the input tensor cannot be empty");
  if (input.rank() < 1 || input.shape().dims().back() != rows_)
    throw std::invalid_argument("AWQ: expected inputs with " + std::to_string(rows_) + " features on the last axis, "
                                "but received shape " + input.shape().str());
  const Tensor x = ops::cast(ops::reshape(input, {-1, rows_}), DType::float32);
  magnitudes_ = ops::maximum(magnitudes_, ops::max(ops::abs(x), {0}));
  samples_ += x.shape()[0];
}

AWQResult AWQ::quantize(const Tensor& kernel) const {
  if (!kernel.defined() || kernel.rank() != 2 || kernel.shape()[0] != rows_)
    throw std::invalid_argument("AWQ: expected a kernel of shape (" + std::to_string(rows_) + ", columns), but received " +
                                (kernel.defined() ? kernel.shape().str() : std::string("none")));
  return awq_quantize_matrix(ops::transpose(kernel), magnitudes_, config_.num_grid_points, config_.group_size);
}

}  // namespace keras::quantizers
