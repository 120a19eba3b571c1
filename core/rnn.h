// rnn.h - fused recurrent sequences: a whole LSTM or GRU layer over every timestep as one
// op (TensorFlow's CudnnRNNV3 / Keras 3's backend lstm and gru). Included by keras/keras.h.
//
// Each is one op (core/ops/rnn.cpp) with a CPU kernel (core/cpu/rnn.cpp) and a CUDA
// kernel (cuDNN's RNN: gpu/cudnn_rnn.cu). Weights are in Keras's layouts, so a layer
// passes its variables as they are: LSTM gates i, f, c, o; GRU gates z, r, h with
// reset_after (the candidate's recurrent product is taken before the reset gate scales
// it) and a (2, 3 * units) bias, row 0 added to the input projection, row 1 to the
// recurrent one. Activations are Keras's defaults: sigmoid for the gates, tanh for the
// candidate and the cell output. x is batch-major (batch, time, input); states are
// (batch, units). Bad input raises std::invalid_argument naming the op, the argument,
// what was expected and what was received.
//
// The forward op's `reserve` output (uint8, 1-d) holds what its backward pass reuses. Its
// layout belongs to the device's kernel (the CPU kernel's saved gates, cuDNN's reserve
// space): only the same device's backward kernel reads it. With training = false it is
// empty, and the gradient rule runs the forward again with training = true to get one.
//
// `mask` (optional; bool, (batch, time)): Keras's masked recurrence. At a step where
// mask[b, t] is false, row b's states keep their values and its output repeats the
// previous step's output (zeros before the first unmasked step), as Keras's RNN loop does
// with zero_output_for_mask = false; the gradient flows the same way. The last timestep's
// output y[:, -1] is then the last unmasked output (not h where a row is all masked: h
// stays h0, the output zeros). On the CPU any mask works; on CUDA masks are not yet
// supported (rnn_kernel_takes_masks says which devices take them).
#pragma once
#include "core/tensor.h"

namespace keras::core::ops {

/// The outputs of lstm_sequence.
struct LstmSequence {
  ///@{
  /// y: every timestep's hidden state, (batch, time, units); h, c: the last timestep's
  /// hidden and cell states, (batch, units); reserve: what the backward pass reuses
  /// (device-specific; empty unless training).
  Tensor y, h, c, reserve;
  ///@}
};

/// A whole LSTM sequence: for t = 0 .. time-1, z = x[:, t] @ kernel + h @ recurrent_kernel +
/// bias split into i, f, g, o (each (batch, units)); c = sigmoid(f) * c + sigmoid(i) * tanh(g);
/// h = sigmoid(o) * tanh(c). x (batch, time, input) with time >= 1; h0, c0 (batch, units);
/// kernel (input, 4 * units); recurrent_kernel (units, 4 * units); bias (4 * units,); all
/// of one floating dtype. Differentiable in every input (first order: the gradient of the
/// gradient raises, as TensorFlow's cuDNN RNN does).
LstmSequence lstm_sequence(const Tensor& x, const Tensor& h0, const Tensor& c0, const Tensor& kernel,
                           const Tensor& recurrent_kernel, const Tensor& bias, bool training,
                           const Tensor& mask = Tensor());

/// The outputs of lstm_sequence_grad: the gradients of x, h0, c0, kernel, recurrent_kernel
/// and bias.
struct LstmSequenceGrad {
  ///@{
  /// Gradients, each of its input's shape.
  Tensor dx, dh0, dc0, dkernel, drecurrent_kernel, dbias;
  ///@}
};

/// The backward pass of lstm_sequence from the forward's inputs, its y and (training)
/// reserve, and the gradients dy (batch, time, units), dh and dc (batch, units) flowing
/// into y, h and c. An empty reserve (a training = false forward) makes the backward op
/// run the training forward itself, on every device; a reserve of another size raises.
/// `mask`: the forward's.
LstmSequenceGrad lstm_sequence_grad(const Tensor& x, const Tensor& h0, const Tensor& c0, const Tensor& kernel,
                                    const Tensor& recurrent_kernel, const Tensor& bias, const Tensor& y,
                                    const Tensor& reserve, const Tensor& dy, const Tensor& dh, const Tensor& dc,
                                    const Tensor& mask = Tensor());

/// The outputs of gru_sequence.
struct GruSequence {
  ///@{
  /// y: every timestep's hidden state, (batch, time, units); h: the last one, (batch, units);
  /// reserve: what the backward pass reuses (device-specific; empty unless training).
  Tensor y, h, reserve;
  ///@}
};

/// A whole GRU sequence (Keras's reset_after = true, cuDNN's GRU): for each t,
/// xz, xr, xh = x[:, t] @ kernel + bias[0]; hz, hr, hh = h @ recurrent_kernel + bias[1];
/// z = sigmoid(xz + hz); r = sigmoid(xr + hr); n = tanh(xh + r * hh);
/// h = z * h + (1 - z) * n. x (batch, time, input) with time >= 1; h0 (batch, units);
/// kernel (input, 3 * units); recurrent_kernel (units, 3 * units); bias (2, 3 * units).
/// Differentiable in every input (first order).
GruSequence gru_sequence(const Tensor& x, const Tensor& h0, const Tensor& kernel, const Tensor& recurrent_kernel,
                         const Tensor& bias, bool training, const Tensor& mask = Tensor());

/// The outputs of gru_sequence_grad: the gradients of x, h0, kernel, recurrent_kernel and bias.
struct GruSequenceGrad {
  ///@{
  /// Gradients, each of its input's shape.
  Tensor dx, dh0, dkernel, drecurrent_kernel, dbias;
  ///@}
};

/// The backward pass of gru_sequence from the forward's inputs, its y and (training)
/// reserve, and the gradients dy and dh flowing into y and h (an empty reserve as for
/// lstm_sequence_grad). `mask`: the forward's.
GruSequenceGrad gru_sequence_grad(const Tensor& x, const Tensor& h0, const Tensor& kernel,
                                  const Tensor& recurrent_kernel, const Tensor& bias, const Tensor& y,
                                  const Tensor& reserve, const Tensor& dy, const Tensor& dh,
                                  const Tensor& mask = Tensor());

}  // namespace keras::core::ops

namespace keras::core {
/// Whether the fused recurrent ops' kernel on `device` takes a `mask` (the CPU's does;
/// cuDNN's takes none yet). Keras's LSTM and GRU layers run a masked sequence as one op
/// only where it does, and step by step elsewhere.
bool rnn_kernel_takes_masks(const Device& device);
}  // namespace keras::core
