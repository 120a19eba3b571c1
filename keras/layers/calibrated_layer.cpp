// calibrated_layer.cpp - what Dense and EinsumDense share for GPTQ and AWQ: calibration
// hooks, the stored weights and the float kernel they stand for.
#include "keras/layers/calibrated_layer.h"

#include <atomic>
#include <mutex>
#include <stdexcept>
#include <unordered_map>

#include "core/errors.h"
#include "core/ops.h"
#include "keras/initializers.h"
#include "keras/quantizers.h"
#include "keras/quantizers_awq.h"

namespace keras::layers::detail {
namespace ops = core::ops;

namespace {
struct Tables {
  std::mutex mutex;
  std::unordered_map<const Layer*, std::function<void(const Tensor&)>> observers;
  std::unordered_map<const Layer*, CalibratedWeights> pending;
  std::atomic<size_t> observer_count{0};
};
Tables& tables() {
  static Tables t;
  return t;
}
}  // namespace

void set_input_observer(const Layer* layer, std::function<void(const Tensor&)> observer) {
  Tables& t = tables();
  std::lock_guard<std::mutex> lock(t.mutex);
  if (observer)
    t.observers[layer] = std::move(observer);
  else
    t.observers.erase(layer);
  t.observer_count = t.observers.size();
}

void observe_input(const Layer* layer, const Tensor& x) {
  Tables& t = tables();
  if (t.observer_count.load(std::memory_order_relaxed) == 0) return;  // (every call outside calibration)
  std::function<void(const Tensor&)> f;
  {
    std::lock_guard<std::mutex> lock(t.mutex);
    const auto it = t.observers.find(layer);
    if (it == t.observers.end()) return;
    f = it->second;
  }
  f(x);
}

CalibratedWeights gptq_weights(const quantizers::GPTQResult& r, int bits) {
  Tensor levels = ops::cast(r.quantized, DType::uint8);  // (columns, rows)
  if (bits == 4) levels = quantizers::pack_int4(levels, 0);
  return {levels, ops::cast(r.scale, DType::float32), ops::cast(r.zero, DType::uint8), ops::cast(r.g_idx, DType::float32),
          Tensor()};
}

CalibratedWeights awq_weights(const quantizers::AWQResult& r) {
  CalibratedWeights w = gptq_weights({r.quantized, r.scale, r.zero, r.g_idx}, 4);
  w.awq_scales = ops::cast(r.awq_scales, DType::float32);
  return w;
}

void set_pending_weights(const Layer* layer, CalibratedWeights weights) {
  Tables& t = tables();
  std::lock_guard<std::mutex> lock(t.mutex);
  t.pending[layer] = std::move(weights);
}

std::optional<CalibratedWeights> take_pending_weights(const Layer* layer) {
  Tables& t = tables();
  std::lock_guard<std::mutex> lock(t.mutex);
  const auto it = t.pending.find(layer);
  if (it == t.pending.end()) return std::nullopt;
  CalibratedWeights w = std::move(it->second);
  t.pending.erase(it);
  return w;
}

Shape calibrated_kernel_shape(int64_t rows, int64_t columns, int bits) {
  return Shape{bits == 4 ? (columns + 1) / 2 : columns, rows};
}

CalibratedVariables add_calibrated_weights(Layer& layer, const std::string& zero_name, int64_t rows, int64_t columns,
                                           const quantizers::CalibratedPolicyParams& p, bool awq) {
  const int64_t groups = p.group_size == -1 ? 1 : (rows + p.group_size - 1) / p.group_size;
  CalibratedVariables v;
  // (Not autocast: under a mixed policy the kernel is dequantized in the variable dtype and
  // then cast, and the group indices stay exact.)
  v.scale = layer.add_weight("kernel_scale", Shape{columns, groups},
                             {.initializer = initializers::get("ones"), .trainable = false, .autocast = false});
  v.zero = layer.add_weight(zero_name, Shape{columns, groups},
                            {.initializer = initializers::get("zeros"), .trainable = false, .dtype = DType::uint8});
  if (awq)
    v.awq_scales = layer.add_weight("awq_scales", Shape{rows},
                                    {.initializer = initializers::get("ones"), .trainable = false, .autocast = false});
  v.g_idx = layer.add_weight("g_idx", Shape{rows},
                             {.initializer = initializers::get("zeros"), .trainable = false, .dtype = DType::float32,
                              .autocast = false});
  return v;
}

Tensor calibrated_float_kernel(const Tensor& kernel, const Tensor& scale, const Tensor& zero, const Tensor& g_idx,
                               const Tensor& awq_scales, int bits, int64_t columns, DType dtype) {
  // Keras's dequantize_with_sz_map, then the transpose, computed in the transposed layout
  // (rows, columns): the group parameters are then whole rows gathered, not elements, and
  // the packed bytes are transposed once before unpacking (the same numbers).
  const Tensor packed = ops::transpose(kernel);  // (rows, packed columns)
  const Tensor levels = bits == 4 ? quantizers::unpack_int4(packed, columns, -1) : packed;
  const Tensor groups = ops::cast(g_idx, DType::int32);
  const Tensor s = ops::take(ops::transpose(scale), groups, 0);
  const Tensor z = ops::cast(ops::take(ops::transpose(zero), groups, 0), s.dtype());
  Tensor w = ops::multiply(ops::subtract(ops::cast(levels, s.dtype()), z), s);
  if (awq_scales.defined()) w = ops::divide(w, ops::expand_dims(awq_scales, -1));
  return ops::cast(w, dtype);
}

std::pair<int64_t, int64_t> calibrated_einsum_matrix(const std::string& layer, const std::string& equation,
                                               const std::vector<int64_t>& kernel_shape) {
  const size_t comma = equation.find(','), arrow = equation.find("->");
  auto refuse = [&](const std::string& why) {
    return core::NotImplementedError(layer + ": GPTQ and AWQ read an EinsumDense kernel as (input features, outputs), which "
                                     "needs the contracted axes first in the kernel and last in the input, in the "
                                     "same order; the equation '" + equation + "' " + why);
  };
  if (equation.find("...") != std::string::npos) throw refuse("has an ellipsis");
  const std::string in = equation.substr(0, comma), w = equation.substr(comma + 1, arrow - comma - 1),
                    out = equation.substr(arrow + 2);
  size_t k = 0;  // the contracted axes: the kernel's letters the output lacks
  while (k < w.size() && out.find(w[k]) == std::string::npos) ++k;
  for (size_t i = k; i < w.size(); ++i)
    if (out.find(w[i]) == std::string::npos) throw refuse("contracts a kernel axis after an output one");
  if (k == 0) throw refuse("contracts no axis");
  if (in.size() < k || in.compare(in.size() - k, k, w, 0, k) != 0)
    throw refuse("does not contract the input's last axes");
  int64_t rows = 1, columns = 1;
  for (size_t i = 0; i < kernel_shape.size(); ++i) (i < k ? rows : columns) *= kernel_shape[i];
  return {rows, columns};
}

std::vector<Layer::StoredWeight> calibrated_stored_weights(const Variable& bias, const Variable& kernel,
                                                           const Variable& scale, const Variable& zero,
                                                           const Variable& awq_scales, const Variable& g_idx) {
  std::vector<Layer::StoredWeight> out;
  for (const Variable* v : {&bias, &kernel, &scale, &zero, &awq_scales, &g_idx})
    if (v->defined()) out.push_back({*v, v->value()});
  return out;
}

void throw_needs_calibration(const Layer& layer, const std::string& mode) {
  const std::string algo = mode.rfind("awq", 0) == 0 ? "awq" : "gptq";
  throw std::invalid_argument(layer.name() + ": " + (algo == "awq" ? "AWQ" : "GPTQ") +
                              " quantization needs calibration data; quantize the model with keras::quantizers::" +
                              algo + "_quantize(model, " + (algo == "awq" ? "AWQConfig" : "GPTQConfig") +
                              "{...}) (Keras's model.quantize(\"" + algo + "\", config=...))");
}

}  // namespace keras::layers::detail
