// float8_training.cpp - Keras's float8 training steps for Dense and EinsumDense.
#include "keras/layers/float8_training.h"

#include "core/autodiff.h"
#include "core/ops.h"
#include "keras/initializers.h"
#include "keras/quantizers.h"

namespace keras::layers::detail {
namespace ops = core::ops;

void build_float8(Layer& layer, const Float8Weights& w) {
  const int64_t length = layer.dtype_policy().amax_history_length() > 0 ? layer.dtype_policy().amax_history_length()
                                                                        : 1024;
  WeightOptions scale;
  scale.initializer = initializers::get("ones");
  scale.dtype = DType::float32;
  scale.autocast = false;
  scale.overwrite_with_gradient = true;
  WeightOptions history = scale;
  history.initializer = initializers::get("zeros");
  w.inputs_scale = layer.add_weight("inputs_scale", {}, scale);
  w.inputs_amax_history = layer.add_weight("inputs_amax_history", {length}, history);
  w.kernel_scale = layer.add_weight("kernel_scale", {}, scale);
  w.kernel_amax_history = layer.add_weight("kernel_amax_history", {length}, history);
  w.outputs_grad_scale = layer.add_weight("outputs_grad_scale", {}, scale);
  w.outputs_grad_amax_history = layer.add_weight("outputs_grad_amax_history", {length}, history);
}

namespace {
// The new scale from a history (Keras: compute_float8_scale(max(history), scale, max)).
Tensor next_scale(const Tensor& scale, const Tensor& history, const char* format) {
  return quantizers::compute_float8_scale(ops::max(history), scale,
                                          ops::scalar_like(scale, quantizers::float8_max(format)));
}
}  // namespace

Tensor float8_qdq(const Tensor& x, const Variable& scale, const Variable& amax_history, bool training,
                  DType compute_dtype) {
  return core::custom_gradient(
      {x, scale.value(), amax_history.value()},
      [compute_dtype](const std::vector<Tensor>& in) {
        return quantizers::quantize_and_dequantize(in[0], in[1], "float8_e4m3fn", compute_dtype);
      },
      [training](const std::vector<Tensor>& in, const Tensor&, const Tensor& upstream) -> std::vector<Tensor> {
        if (!training) return {upstream, Tensor(), Tensor()};
        return {upstream, next_scale(in[1], in[2], "float8_e4m3fn"),
                quantizers::compute_float8_amax_history(in[0], in[2])};
      });
}

Tensor float8_output_grad_qdq(const Tensor& y, const Variable& scale, const Variable& amax_history,
                              DType compute_dtype) {
  return core::custom_gradient(
      {y, scale.value(), amax_history.value()}, [](const std::vector<Tensor>& in) { return in[0]; },
      [compute_dtype](const std::vector<Tensor>& in, const Tensor&, const Tensor& upstream) -> std::vector<Tensor> {
        return {quantizers::quantize_and_dequantize(upstream, in[1], "float8_e5m2", compute_dtype),
                next_scale(in[1], in[2], "float8_e5m2"), quantizers::compute_float8_amax_history(upstream, in[2])};
      });
}

Tensor float8_bias(const Tensor& bias, DType compute_dtype) {
  if (compute_dtype != DType::float32) return bias;
  return ops::cast(ops::cast(bias, DType::bfloat16), bias.dtype());
}

}  // namespace keras::layers::detail
