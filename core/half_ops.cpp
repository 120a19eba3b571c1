// half_ops.cpp - float16/bfloat16 op calls computed in float32 (see core/half_ops.h).
#include "core/half_ops.h"

#include <array>
#include <string>
#include <vector>

#include "core/kernel_dtypes.h"
#include "core/ops.h"

namespace keras::core {
namespace {
// The ops that take half dtypes: what Keras layers, losses and optimizers use in mixed
// precision (elementwise math and activations, matmul, convolutions and pooling,
// reductions, softmax and the cross-entropies, shape and indexing ops, creation and random
// ops). Cast takes them natively; reshape (a view) takes every dtype.
constexpr OpId kHalfOps[] = {
    OpId::Neg, OpId::Abs, OpId::Sign, OpId::Exp, OpId::Expm1, OpId::Log, OpId::Log1p,
    OpId::Sqrt, OpId::Rsqrt, OpId::Square, OpId::Reciprocal, OpId::Sin, OpId::Cos, OpId::Tanh,
    OpId::Sigmoid, OpId::Relu, OpId::Relu6, OpId::LeakyRelu, OpId::Elu, OpId::Selu, OpId::Gelu,
    OpId::Silu, OpId::Softplus, OpId::Softsign, OpId::Floor, OpId::Ceil, OpId::Round,
    OpId::IsNan, OpId::IsFinite, OpId::Erf, OpId::Erfc, OpId::Exp2, OpId::Log2, OpId::Log10,
    OpId::Tan, OpId::Sinh, OpId::Cosh, OpId::Arctan, OpId::Trunc,
    OpId::Add, OpId::Sub, OpId::Mul, OpId::Div, OpId::FloorDiv, OpId::Mod, OpId::Pow,
    OpId::Maximum, OpId::Minimum, OpId::SquaredDifference, OpId::Equal, OpId::NotEqual,
    OpId::Less, OpId::LessEqual, OpId::Greater, OpId::GreaterEqual, OpId::Where,
    OpId::Sum, OpId::Mean, OpId::Max, OpId::Min, OpId::Prod, OpId::ArgMax, OpId::ArgMin,
    OpId::Cumsum, OpId::Cumprod, OpId::MatMul, OpId::Transpose, OpId::StridedSlice,
    OpId::BroadcastTo, OpId::Tile, OpId::Pad, OpId::Concat, OpId::Gather, OpId::TakeAlongAxis,
    OpId::UnsortedSegmentSum, OpId::Size, OpId::Sort, OpId::ArgSort, OpId::TopK,
    OpId::Softmax, OpId::LogSoftmax, OpId::SparseSoftmaxCrossEntropy,
    OpId::SoftmaxCrossEntropy, OpId::OneHot, OpId::Fill, OpId::Range, OpId::Linspace,
    OpId::Eye, OpId::RandomUniform, OpId::RandomNormal, OpId::TruncatedNormal, OpId::Conv,
    OpId::ConvBackpropInput, OpId::ConvBackpropFilter, OpId::MaxPool, OpId::MaxPoolGrad,
    OpId::AvgPool, OpId::AvgPoolGrad, OpId::LstmSequence, OpId::LstmSequenceGrad, OpId::GruSequence,
    OpId::GruSequenceGrad};

const std::array<bool, kNumOps>& half_table() {
  static const std::array<bool, kNumOps> t = [] {
    std::array<bool, kNumOps> r{};
    for (OpId op : kHalfOps) r[static_cast<size_t>(op)] = true;
    return r;
  }();
  return t;
}

[[noreturn]] void throw_mixed(const OpCall& c, DType a, DType b) {
  throw_invalid(std::string(c.name()) + ": expected its floating inputs to have one dtype, but "
                "received " + dtype_name(a) + " and " + dtype_name(b) + " (use cast to convert)");
}
}  // namespace

bool takes_half(OpId op) { return half_table()[static_cast<size_t>(op)]; }

DType half_dtype_of(const OpCall& c) {
  for (const Tensor& t : c.inputs)
    if (is_half(t.dtype())) return t.dtype();
  return is_half(c.attrs.dtype) ? c.attrs.dtype : DType::float32;
}

void run_half_call(OpCall& c, DType half) {
  const Device dev = c.inputs.empty() ? c.attrs.device : c.inputs[0].device();
  if (!takes_half(c.op))
    throw_invalid(std::string(c.name()) + ": no kernel for device " + dev.str() + " and dtype " +
                  dtype_name(half));
  // Half inputs must not meet other floats (add(float16, float32) is a dtype mismatch, as
  // it is for any op on two float dtypes).
  for (const Tensor& t : c.inputs)
    if (is_floating(t.dtype()) && t.dtype() != half) throw_mixed(c, half, t.dtype());
  std::vector<Tensor> inputs;
  inputs.reserve(c.inputs.size());
  for (const Tensor& t : c.inputs) inputs.push_back(is_half(t.dtype()) ? ops::cast(t, DType::float32) : t);
  Attrs a = c.attrs;
  if (is_half(a.dtype)) a.dtype = DType::float32;
  std::array<Tensor, kMaxOutputs> outs = dispatch_multi(c.op, inputs, a);
  c.num_outputs = 0;
  for (int i = 0; i < kMaxOutputs && outs[static_cast<size_t>(i)].defined(); ++i) {
    Tensor& o = outs[static_cast<size_t>(i)];
    c.outputs[static_cast<size_t>(i)] = o.dtype() == DType::float32 ? ops::cast(o, half) : o;
    c.num_outputs = i + 1;
  }
}

}  // namespace keras::core
