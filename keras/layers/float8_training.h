// float8_training.h - (internal) what Dense and EinsumDense share for quantize("float8"),
// Keras's float8 training: the scale and amax-history weights, and the quantize-dequantize
// steps whose gradients carry the new scales.
#pragma once
#include "keras/layers/layer.h"

namespace keras::layers::detail {

/// A layer's float8 weights, in Keras's order (kernel_scale among them).
struct Float8Weights {
  Variable &inputs_scale, &inputs_amax_history, &kernel_scale, &kernel_amax_history, &outputs_grad_scale,
      &outputs_grad_amax_history;
};

/// Keras's _float8_build: the six weights (scales: scalar, ones; histories: the policy's
/// amax_history_length, zeros), float32, trainable, not autocast, overwritten by their
/// gradients.
void build_float8(Layer& layer, const Float8Weights& w);

/// x through float8_e4m3fn and back with `scale` (Keras's quantized_dequantize_inputs).
/// The gradient passes to x unchanged; in training the gradients of the scale and the
/// history are their new values (the scale from the history's maximum, the history with
/// max|x| pushed in), which the optimizer assigns.
Tensor float8_qdq(const Tensor& x, const Variable& scale, const Variable& amax_history, bool training,
                  DType compute_dtype);

/// The identity on y whose backward pass sends the upstream gradient through float8_e5m2
/// and back, giving the new scale and history of the outputs' gradient as their gradients
/// (Keras's quantized_dequantize_outputs).
Tensor float8_output_grad_qdq(const Tensor& y, const Variable& scale, const Variable& amax_history,
                              DType compute_dtype);

/// The bias as Keras's float8 call adds it: rounded through bfloat16 when the layer
/// computes in float32.
Tensor float8_bias(const Tensor& bias, DType compute_dtype);

}  // namespace keras::layers::detail
