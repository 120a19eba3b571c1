// rnn.cpp - the fused recurrent sequence ops of core/rnn.h: argument checks, output shapes,
// the per-device reserve size registry (core/rnn_reserve.h) and the ops:: functions.
// Kernels: core/cpu/rnn.cpp, gpu/cudnn_rnn.cu.
//
// Inputs (in this order) and outputs:
//   lstm_sequence      (x, h0, c0, kernel, recurrent_kernel, bias[, mask]) -> y, h, c, reserve
//   lstm_sequence_grad (x, h0, c0, kernel, recurrent_kernel, bias, y, reserve, dy, dh, dc[, mask])
//                      -> dx, dh0, dc0, dkernel, drecurrent_kernel, dbias
//   gru_sequence       (x, h0, kernel, recurrent_kernel, bias[, mask]) -> y, h, reserve
//   gru_sequence_grad  (x, h0, kernel, recurrent_kernel, bias, y, reserve, dy, dh[, mask])
//                      -> dx, dh0, dkernel, drecurrent_kernel, dbias
// The mask, when given, is the last input: bool (batch, time).
// Attrs read: flag = training (the forward ops: a reserve is written).
#include <array>
#include <string>
#include <vector>

#include "core/dispatch.h"
#include "core/init.h"
#include "core/ops.h"
#include "core/rnn.h"
#include "core/rnn_reserve.h"

namespace keras::core {
namespace {

std::array<RnnReserveBytesFn, Device::kNumKinds>& reserve_rules() {
  static std::array<RnnReserveBytesFn, Device::kNumKinds> rules{};
  return rules;
}

std::array<bool, Device::kNumKinds>& mask_kinds() {
  static std::array<bool, Device::kNumKinds> kinds{};
  return kinds;
}

// Inputs without the optional mask: the forward and backward ops of each cell.
size_t unmasked_inputs(OpId op) {
  switch (op) {
    case OpId::LstmSequence: return 6;
    case OpId::LstmSequenceGrad: return 11;
    case OpId::GruSequence: return 5;
    default: return 9;  // GruSequenceGrad
  }
}

// The optional mask: bool (batch, time), on a device whose kernel takes masks.
void check_mask(const OpCall& c, int64_t batch, int64_t time) {
  if (c.inputs.size() <= unmasked_inputs(c.op)) return;
  const Tensor& m = c.inputs.back();
  if (m.dtype() != DType::bool_ || m.shape() != Shape{batch, time})
    throw_invalid(std::string(c.name()) + ": expected mask of dtype bool and shape " + Shape{batch, time}.str() +
                  " (x's batch and time), but received dtype " + dtype_name(m.dtype()) + " and shape " +
                  m.shape().str());
  if (!rnn_kernel_takes_masks(c.in(0).device()))
    throw_invalid(std::string(c.name()) + ": the kernel on device " + c.in(0).device().str() +
                  " takes no mask (cuDNN's right-padded sequence lengths are not implemented); run the masked "
                  "sequence step by step (the layer with use_cudnn=false) or on the CPU");
}

// The mask input of a call, or an undefined tensor.
Tensor mask_of(const GradContext& g, size_t unmasked) {
  return g.inputs.size() > unmasked ? g.inputs.back() : Tensor();
}

// The inputs of an op call: `fixed`, then the mask when there is one.
template <size_t N>
std::vector<Tensor> with_mask(const Tensor (&fixed)[N], const Tensor& mask) {
  std::vector<Tensor> in(fixed, fixed + N);
  if (mask.defined()) in.push_back(mask);
  return in;
}

void expect_shape(const OpCall& c, const Tensor& t, const char* arg, const Shape& want, const Tensor& x) {
  if (t.dtype() != x.dtype())
    throw_invalid(std::string(c.name()) + ": expected " + arg + " of dtype " + dtype_name(x.dtype()) +
                  " (x's), but received " + dtype_name(t.dtype()));
  if (t.shape() != want)
    throw_invalid(std::string(c.name()) + ": expected " + arg + " of shape " + want.str() + ", but received shape " +
                  t.shape().str());
}

// x (batch, time, input) and the recurrent kernel (units, gates * units) fix every other
// argument's shape.
RnnDims check_sequence(const OpCall& c, RnnCell cell, int gates) {
  const Tensor& x = c.in(0);
  expect_dtype(c, x, "x", {DType::float32, DType::float64, DType::float16, DType::bfloat16});
  if (x.rank() != 3 || x.shape()[1] < 1)
    throw_invalid(std::string(c.name()) + ": expected x of shape (batch, time, input) with time >= 1, but received "
                  "shape " + x.shape().str());
  const size_t rk = cell == RnnCell::kLstm ? 4 : 3;
  const Tensor& r = c.in(rk);
  if (r.rank() != 2 || r.shape()[0] < 1 || r.shape()[1] != gates * r.shape()[0])
    throw_invalid(std::string(c.name()) + ": expected recurrent_kernel of shape (units, " + std::to_string(gates) +
                  " * units) with units >= 1, but received shape " + r.shape().str());
  RnnDims d{cell, x.shape()[0], x.shape()[1], x.shape()[2], r.shape()[0], x.dtype()};
  check_mask(c, d.batch, d.time);
  const int64_t g = gates * d.units;
  expect_shape(c, r, "recurrent_kernel", Shape{d.units, g}, x);
  expect_shape(c, c.in(1), "h0", Shape{d.batch, d.units}, x);
  if (cell == RnnCell::kLstm) {
    expect_shape(c, c.in(2), "c0", Shape{d.batch, d.units}, x);
    expect_shape(c, c.in(3), "kernel", Shape{d.input, g}, x);
    expect_shape(c, c.in(5), "bias", Shape{g}, x);
  } else {
    expect_shape(c, c.in(2), "kernel", Shape{d.input, g}, x);
    expect_shape(c, c.in(4), "bias", Shape{2, g}, x);
  }
  return d;
}

void infer_lstm(OpCall& c) {
  const RnnDims d = check_sequence(c, RnnCell::kLstm, 4);
  const DType t = d.dtype;
  c.set_output(0, Shape{d.batch, d.time, d.units}, t);
  c.set_output(1, Shape{d.batch, d.units}, t);
  c.set_output(2, Shape{d.batch, d.units}, t);
  c.set_output(3, Shape{c.attrs.flag ? rnn_reserve_bytes(c.name(), d, c.in(0).device()) : 0}, DType::uint8);
}

void infer_gru(OpCall& c) {
  const RnnDims d = check_sequence(c, RnnCell::kGru, 3);
  c.set_output(0, Shape{d.batch, d.time, d.units}, d.dtype);
  c.set_output(1, Shape{d.batch, d.units}, d.dtype);
  c.set_output(2, Shape{c.attrs.flag ? rnn_reserve_bytes(c.name(), d, c.in(0).device()) : 0}, DType::uint8);
}

// The backward ops: the forward's inputs, then y, reserve and the output gradients.
void check_backward(const OpCall& c, const RnnDims& d, size_t first) {
  const Tensor& x = c.in(0);
  expect_shape(c, c.in(first), "y", Shape{d.batch, d.time, d.units}, x);
  const Tensor& reserve = c.in(first + 1);
  if (reserve.dtype() != DType::uint8 || reserve.rank() != 1)
    throw_invalid(std::string(c.name()) + ": expected reserve, a 1-d uint8 tensor from the forward op, but received "
                  "dtype " + dtype_name(reserve.dtype()) + " and shape " + reserve.shape().str());
  expect_shape(c, c.in(first + 2), "dy", Shape{d.batch, d.time, d.units}, x);
  expect_shape(c, c.in(first + 3), "dh", Shape{d.batch, d.units}, x);
  if (d.cell == RnnCell::kLstm) expect_shape(c, c.in(first + 4), "dc", Shape{d.batch, d.units}, x);
}

void infer_lstm_grad(OpCall& c) {
  const RnnDims d = check_sequence(c, RnnCell::kLstm, 4);
  check_backward(c, d, 6);
  for (int i = 0; i < 6; ++i) c.set_output(i, c.in(size_t(i)).shape(), d.dtype);
}

void infer_gru_grad(OpCall& c) {
  const RnnDims d = check_sequence(c, RnnCell::kGru, 3);
  check_backward(c, d, 5);
  for (int i = 0; i < 5; ++i) c.set_output(i, c.in(size_t(i)).shape(), d.dtype);
}

// The gradient rules: the backward op, from the forward's reserve, or (a forward run with
// training = false wrote none) from a forward run again with training = true.
// The mask (not differentiable) gets no gradient.
std::vector<Tensor> lstm_grad(const GradContext& g) {
  const Tensor mask = mask_of(g, 6);
  Tensor y = g.out(0), reserve = g.out(3);
  if (!g.attrs.flag) {
    auto f = ops::lstm_sequence(g.in(0), g.in(1), g.in(2), g.in(3), g.in(4), g.in(5), true, mask);
    y = f.y, reserve = f.reserve;
  }
  auto r = ops::lstm_sequence_grad(g.in(0), g.in(1), g.in(2), g.in(3), g.in(4), g.in(5), y, reserve, g.grad(0),
                                   g.grad(1), g.grad(2), mask);
  std::vector<Tensor> d{r.dx, r.dh0, r.dc0, r.dkernel, r.drecurrent_kernel, r.dbias};
  if (mask.defined()) d.emplace_back();
  return d;
}

std::vector<Tensor> gru_grad(const GradContext& g) {
  const Tensor mask = mask_of(g, 5);
  Tensor y = g.out(0), reserve = g.out(2);
  if (!g.attrs.flag) {
    auto f = ops::gru_sequence(g.in(0), g.in(1), g.in(2), g.in(3), g.in(4), true, mask);
    y = f.y, reserve = f.reserve;
  }
  auto r = ops::gru_sequence_grad(g.in(0), g.in(1), g.in(2), g.in(3), g.in(4), y, reserve, g.grad(0), g.grad(1),
                                  mask);
  std::vector<Tensor> d{r.dx, r.dh0, r.dkernel, r.drecurrent_kernel, r.dbias};
  if (mask.defined()) d.emplace_back();
  return d;
}

// The backward ops are not differentiable again (TensorFlow's CudnnRNNBackprop has no
// gradient either): differentiating them raises rather than dropping the second order.
std::vector<Tensor> second_order(const GradContext& g) {
  const std::string fwd = g.op == OpId::LstmSequenceGrad ? "lstm_sequence" : "gru_sequence";
  throw_invalid("second-order gradients of " + fwd + " are not supported (as TensorFlow's cuDNN RNN); "
                "differentiate the composed cell instead (the layer with use_cudnn=false or unroll=true)");
}

}  // namespace

void register_rnn_reserve_bytes(Device::Kind kind, RnnReserveBytesFn fn) { reserve_rules()[size_t(kind)] = fn; }

void register_rnn_masks(Device::Kind kind) { mask_kinds()[size_t(kind)] = true; }

int64_t rnn_reserve_bytes(const char* op, const RnnDims& dims, const Device& device) {
  const RnnReserveBytesFn fn = reserve_rules()[size_t(device.kind)];
  if (!fn) throw_invalid(std::string(op) + ": no recurrent kernel for device " + device.str());
  return fn(dims, device);
}

void define_rnn_ops() {
  define_op(OpId::LstmSequence, infer_lstm);
  define_op(OpId::LstmSequenceGrad, infer_lstm_grad);
  define_op(OpId::GruSequence, infer_gru);
  define_op(OpId::GruSequenceGrad, infer_gru_grad);
  define_grad(OpId::LstmSequence, lstm_grad);
  define_grad(OpId::GruSequence, gru_grad);
  define_grad(OpId::LstmSequenceGrad, second_order);
  define_grad(OpId::GruSequenceGrad, second_order);
}

bool rnn_kernel_takes_masks(const Device& device) { return mask_kinds()[size_t(device.kind)]; }

namespace ops {
LstmSequence lstm_sequence(const Tensor& x, const Tensor& h0, const Tensor& c0, const Tensor& kernel,
                           const Tensor& recurrent_kernel, const Tensor& bias, bool training, const Tensor& mask) {
  Attrs a;
  a.flag = training;
  const Tensor in[] = {x, h0, c0, kernel, recurrent_kernel, bias};
  auto o = dispatch_multi(OpId::LstmSequence, with_mask(in, mask), a);
  return {o[0], o[1], o[2], o[3]};
}

LstmSequenceGrad lstm_sequence_grad(const Tensor& x, const Tensor& h0, const Tensor& c0, const Tensor& kernel,
                                    const Tensor& recurrent_kernel, const Tensor& bias, const Tensor& y,
                                    const Tensor& reserve, const Tensor& dy, const Tensor& dh, const Tensor& dc,
                                    const Tensor& mask) {
  const Tensor in[] = {x, h0, c0, kernel, recurrent_kernel, bias, y, reserve, dy, dh, dc};
  auto o = dispatch_multi(OpId::LstmSequenceGrad, with_mask(in, mask), Attrs{});
  return {o[0], o[1], o[2], o[3], o[4], o[5]};
}

GruSequence gru_sequence(const Tensor& x, const Tensor& h0, const Tensor& kernel, const Tensor& recurrent_kernel,
                         const Tensor& bias, bool training, const Tensor& mask) {
  Attrs a;
  a.flag = training;
  const Tensor in[] = {x, h0, kernel, recurrent_kernel, bias};
  auto o = dispatch_multi(OpId::GruSequence, with_mask(in, mask), a);
  return {o[0], o[1], o[2]};
}

GruSequenceGrad gru_sequence_grad(const Tensor& x, const Tensor& h0, const Tensor& kernel,
                                  const Tensor& recurrent_kernel, const Tensor& bias, const Tensor& y,
                                  const Tensor& reserve, const Tensor& dy, const Tensor& dh, const Tensor& mask) {
  const Tensor in[] = {x, h0, kernel, recurrent_kernel, bias, y, reserve, dy, dh};
  auto o = dispatch_multi(OpId::GruSequenceGrad, with_mask(in, mask), Attrs{});
  return {o[0], o[1], o[2], o[3], o[4]};
}
}  // namespace ops
}  // namespace keras::core
