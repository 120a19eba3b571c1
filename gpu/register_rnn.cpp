// register_rnn.cpp - the CUDA backend's entries of the fused recurrent ops (lstm_sequence,
// lstm_sequence_grad, gru_sequence, gru_sequence_grad; core/rnn.h) and its reserve size
// rule (core/rnn_reserve.h): host code turning each call into the launchers of
// gpu/rnn.h (cuDNN's RNN API, gpu/cudnn_rnn.cu). Inputs and outputs in core/ops/rnn.cpp's
// order.
#include "core/dispatch.h"
#include "core/rnn_reserve.h"
#include "gpu/register_util.h"
#include "gpu/rnn.h"

namespace keras::core::cuda {
namespace {

const void* ptr(const OpCall& c, size_t i) { return c.in(i).raw_data(); }
void* out(OpCall& c, int i) { return c.outputs[size_t(i)].raw_mutable_data(); }

// The forward's inputs, which every one of the four ops starts with: x, h0, [c0,] kernel,
// recurrent_kernel, bias.
RnnInputs inputs_of(const OpCall& c, bool lstm) {
  const Tensor& x = c.in(0);
  const size_t rk = lstm ? 4 : 3;
  RnnInputs in;
  in.dims = RnnDims{lstm ? RnnCell::kLstm : RnnCell::kGru, x.shape()[0], x.shape()[1], x.shape()[2],
                    c.in(rk).shape()[0], x.dtype()};
  in.x = ptr(c, 0);
  in.h0 = ptr(c, 1);
  in.c0 = lstm ? ptr(c, 2) : nullptr;
  in.kernel = ptr(c, rk - 1);
  in.recurrent = ptr(c, rk);
  in.bias = ptr(c, rk + 1);
  return in;
}

void rnn_kernel(OpCall& c) {
  require(c, c.in(0).dtype());
  const bool lstm = c.op == OpId::LstmSequence || c.op == OpId::LstmSequenceGrad;
  const RnnInputs in = inputs_of(c, lstm);
  const int dev = device_of(c);
  switch (c.op) {
    case OpId::LstmSequence:  // -> y, h, c, reserve
      return cudnn_rnn_forward(in, c.attrs.flag, out(c, 0), out(c, 1), out(c, 2), out(c, 3),
                               c.outputs[3].size(), dev);
    case OpId::GruSequence:  // -> y, h, reserve
      return cudnn_rnn_forward(in, c.attrs.flag, out(c, 0), out(c, 1), nullptr, out(c, 2), c.outputs[2].size(), dev);
    case OpId::LstmSequenceGrad:  // (..., y, reserve, dy, dh, dc) -> dx, dh0, dc0, dkernel, drecurrent, dbias
      return cudnn_rnn_backward(in, ptr(c, 6), ptr(c, 7), c.in(7).size(), ptr(c, 8), ptr(c, 9), ptr(c, 10),
                                out(c, 0), out(c, 1), out(c, 2), out(c, 3), out(c, 4), out(c, 5), dev);
    case OpId::GruSequenceGrad:  // (..., y, reserve, dy, dh) -> dx, dh0, dkernel, drecurrent, dbias
      return cudnn_rnn_backward(in, ptr(c, 5), ptr(c, 6), c.in(6).size(), ptr(c, 7), ptr(c, 8), nullptr, out(c, 0),
                                out(c, 1), nullptr, out(c, 2), out(c, 3), out(c, 4), dev);
    default: return;
  }
}

int64_t reserve_bytes(const RnnDims& dims, const Device& device) { return cudnn_rnn_reserve_bytes(dims, device.index); }

}  // namespace

void register_rnn_kernels() {
  for (OpId op : {OpId::LstmSequence, OpId::LstmSequenceGrad, OpId::GruSequence, OpId::GruSequenceGrad})
    add_kernel(op, rnn_kernel, {DType::float32, DType::float64, DType::float16});
  register_rnn_reserve_bytes(Device::Kind::CUDA, reserve_bytes);
}

}  // namespace keras::core::cuda
