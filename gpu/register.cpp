// register.cpp - the CUDA backend's entries in core's kernel tables: each turns an
// OpCall into a launcher call of gpu/kernels.h (host code, compiled by the host compiler;
// the CUDA headers stay in the .cu files). The dtypes each kernel takes are declared
// with the registration (core/kernel_support.h), so `supports()` answers from the same
// table the kernels check: an op called with another dtype raises "no kernel for device
// GPU:i and dtype d", naming the op.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/autodiff.h"
#include "core/cuda_backend.h"
#include "core/dispatch.h"
#include "core/half.h"
#include "core/init.h"
#include "core/kernel_dtypes.h"
#include "gpu/kernels.h"
#include "gpu/register_util.h"

namespace keras::core::cuda {
namespace {

constexpr Device::Kind kCuda = Device::Kind::CUDA;

// Row-major element strides of `in` read at the positions of `out` (right-aligned; 0
// where `in` has size 1 and is broadcast).
void strides_into(const Shape& out, const Shape& in, int64_t* st) {
  const int64_t r = out.rank(), ri = in.rank();
  int64_t step = 1;
  for (int64_t d = r - 1; d >= 0; --d) {
    const int64_t k = d - (r - ri);
    if (k < 0) {
      st[d] = 0;
      continue;
    }
    st[d] = in[k] == 1 && out[d] != 1 ? 0 : step;
    step *= in[k];
  }
}

}  // namespace

void require_rank(const OpCall& c, const Shape& s) {
  if (s.rank() > kMaxRank)
    throw_invalid(std::string(c.name()) + ": no kernel for device " + device_str(c) + " for rank " + std::to_string(s.rank()) + " (at most " + std::to_string(kMaxRank) + ")");
}

Strided strided(const OpCall& c, const Shape& out, std::initializer_list<const Tensor*> ins) {
  require_rank(c, out);
  Strided s;
  s.rank = int(out.rank());
  for (int64_t d = 0; d < out.rank(); ++d) s.dims[d] = out[d];
  int k = 0;
  for (const Tensor* t : ins) strides_into(out, t->shape(), s.strides[k++]);
  return s;
}

namespace {

// ---- elementwise ----------------------------------------------------------------------
UnOp un_op(const OpCall& c) {
  switch (c.op) {
    case OpId::Neg: return UnOp::Neg;
    case OpId::Abs: return UnOp::Abs;
    case OpId::Sign: return UnOp::Sign;
    case OpId::Exp: return UnOp::Exp;
    case OpId::Expm1: return UnOp::Expm1;
    case OpId::Log: return UnOp::Log;
    case OpId::Log1p: return UnOp::Log1p;
    case OpId::Sqrt: return UnOp::Sqrt;
    case OpId::Rsqrt: return UnOp::Rsqrt;
    case OpId::Square: return UnOp::Square;
    case OpId::Reciprocal: return UnOp::Reciprocal;
    case OpId::Sin: return UnOp::Sin;
    case OpId::Cos: return UnOp::Cos;
    case OpId::Tanh: return UnOp::Tanh;
    case OpId::Sigmoid: return UnOp::Sigmoid;
    case OpId::Relu: return UnOp::Relu;
    case OpId::Relu6: return UnOp::Relu6;
    case OpId::LeakyRelu: return UnOp::LeakyRelu;
    case OpId::Elu: return UnOp::Elu;
    case OpId::Selu: return UnOp::Selu;
    case OpId::Gelu: return c.attrs.flag ? UnOp::GeluTanh : UnOp::GeluErf;
    case OpId::Silu: return UnOp::Silu;
    case OpId::Softplus: return UnOp::Softplus;
    case OpId::Softsign: return UnOp::Softsign;
    case OpId::Floor: return UnOp::Floor;
    case OpId::Ceil: return UnOp::Ceil;
    case OpId::Round: return UnOp::Round;
    case OpId::IsNan: return UnOp::IsNan;
    case OpId::IsFinite: return UnOp::IsFinite;
    default: return UnOp::LogicalNot;
  }
}

void unary_kernel(OpCall& c) {
  const Tensor& x = c.in(0);
  require(c, x.dtype());
  unary(un_op(c), dt_of(x.dtype()), x.raw_data(), c.outputs[0].raw_mutable_data(), x.size(), c.attrs.alpha,
        device_of(c));
}

BinOp bin_op(OpId op) {
  static const OpId order[] = {OpId::Add, OpId::Sub, OpId::Mul, OpId::Div, OpId::FloorDiv, OpId::Mod,
                               OpId::Pow, OpId::Maximum, OpId::Minimum, OpId::SquaredDifference,
                               OpId::Equal, OpId::NotEqual, OpId::Less, OpId::LessEqual, OpId::Greater,
                               OpId::GreaterEqual, OpId::LogicalAnd, OpId::LogicalOr};
  return BinOp(std::find(std::begin(order), std::end(order), op) - std::begin(order));
}

// Integer floor_divide/mod by zero and integers to negative powers raise as on the CPU;
// the divisor is read on the host (a synchronizing copy) only for those ops.
void check_integer_operand(const OpCall& c) {
  const Tensor& b = c.in(1);
  if (!is_integer(b.dtype()) || (c.op != OpId::FloorDiv && c.op != OpId::Mod && c.op != OpId::Pow)) return;
  const Tensor h = b.cpu();
  for (int64_t i = 0; i < h.size(); ++i) {
    int64_t v = 0;
    switch (h.dtype()) {
      case DType::int32: v = h.data<int32_t>()[i]; break;
      case DType::int64: v = h.data<int64_t>()[i]; break;
      default: v = h.data<uint8_t>()[i]; break;
    }
    if (c.op == OpId::Pow && v < 0)
      throw_invalid("power: integers to negative integer powers are not allowed (received exponent " +
                    std::to_string(v) + ")");
    if (c.op != OpId::Pow && v == 0) throw_invalid(std::string(c.name()) + ": integer division by zero");
  }
}

void binary_kernel(OpCall& c) {
  const Tensor &a = c.in(0), &b = c.in(1);
  require(c, a.dtype());
  check_integer_operand(c);
  Tensor& o = c.outputs[0];
  binary(bin_op(c.op), dt_of(a.dtype()), a.raw_data(), b.raw_data(), o.raw_mutable_data(),
         strided(c, o.shape(), {&a, &b}), device_of(c));
}

void where_kernel(OpCall& c) {
  require(c, c.in(1).dtype());
  Tensor& o = c.outputs[0];
  where(dt_of(c.in(1).dtype()), c.in(0).raw_data(), c.in(1).raw_data(), c.in(2).raw_data(), o.raw_mutable_data(),
        strided(c, o.shape(), {&c.in(0), &c.in(1), &c.in(2)}), device_of(c));
}

// A cast operand's element type, half types included.
CastType cast_type(DType d) {
  if (d == DType::float16) return {.half = true, .h = HalfDt::f16};
  if (d == DType::bfloat16) return {.half = true, .h = HalfDt::bf16};
  return {.dt = dt_of(d)};
}

void cast_kernel(OpCall& c) {
  const Tensor& x = c.in(0);
  require(c, x.dtype());
  require(c, c.attrs.dtype);
  if (is_half(x.dtype()) || is_half(c.attrs.dtype))
    return cast_half(cast_type(x.dtype()), x.raw_data(), cast_type(c.attrs.dtype), c.outputs[0].raw_mutable_data(),
                     x.size(), device_of(c));
  cast(dt_of(x.dtype()), x.raw_data(), dt_of(c.attrs.dtype), c.outputs[0].raw_mutable_data(), x.size(),
       device_of(c));
}

void fill_kernel(OpCall& c) {
  Tensor& y = c.outputs[0];
  require(c, y.dtype());
  if (y.dtype() == DType::float16) return fill_half(y.raw_mutable_data(), y.size(), double_to_half(c.attrs.alpha).bits, device_of(c));
  if (y.dtype() == DType::bfloat16)
    return fill_half(y.raw_mutable_data(), y.size(), double_to_bfloat16(c.attrs.alpha).bits, device_of(c));
  fill(dt_of(y.dtype()), y.raw_mutable_data(), y.size(), c.attrs.alpha, device_of(c));
}

// ---- reductions -----------------------------------------------------------------------
void reduce_kernel(OpCall& c) {
  const Tensor& x = c.in(0);
  require(c, x.dtype());
  const RedOp op = RedOp(int(c.op) - int(OpId::Sum));
  reduce(op, dt_of(x.dtype()), x.raw_data(), c.outputs[0].raw_mutable_data(), reduction_of(c), device_of(c));
}

void arg_kernel(OpCall& c) {
  const Tensor& x = c.in(0);
  require(c, x.dtype());
  const AxisSplit sp = split_axis(x.shape(), c.attrs.axis);
  if (c.outputs[0].size() == 0 || sp.n == 0) return;
  arg_reduce(c.op == OpId::ArgMax, dt_of(x.dtype()), x.raw_data(), c.outputs[0].raw_mutable_data(),
             dt_of(c.outputs[0].dtype()), sp.outer, sp.n, sp.inner, device_of(c));
}

// ---- matmul ---------------------------------------------------------------------------
void matmul_kernel(OpCall& c) {
  const Tensor &a = c.in(0), &b = c.in(1);
  require(c, a.dtype());
  const MatmulLayout l = matmul_layout(c);
  const bool ta = c.attrs.flag, tb = c.attrs.flag2;
  if (is_half(a.dtype()))
    return matmul_half(a.dtype() == DType::float16 ? HalfDt::f16 : HalfDt::bf16, a.raw_data(), b.raw_data(),
                       c.outputs[0].raw_mutable_data(), l.batch, l.a_off.data(), l.b_off.data(), l.m, l.n, l.k, ta,
                       tb, device_of(c));
  matmul(dt_of(a.dtype()), a.raw_data(), b.raw_data(), c.outputs[0].raw_mutable_data(), l.batch, l.a_off.data(),
         l.b_off.data(), l.m, l.n, l.k, ta, tb, device_of(c));
}

}  // namespace

Reduction reduction_of(const OpCall& c) {
  const Shape& s = c.in(0).shape();
  require_rank(c, s);
  std::vector<bool> red(size_t(s.rank()), c.attrs.axes.empty());
  for (int64_t a : c.attrs.axes) red[size_t(a < 0 ? a + s.rank() : a)] = true;
  Reduction r;
  int64_t stride = 1;
  for (int64_t d = s.rank() - 1; d >= 0; --d) {  // row-major strides of x, split by role
    if (red[size_t(d)]) {
      r.red_dims[r.red_rank] = s[d], r.red_strides[r.red_rank++] = stride, r.count *= s[d];
    } else {
      r.kept_dims[r.kept_rank] = s[d], r.kept_strides[r.kept_rank++] = stride, r.kept *= s[d];
    }
    stride *= s[d];
  }
  std::reverse(r.red_dims, r.red_dims + r.red_rank);
  std::reverse(r.red_strides, r.red_strides + r.red_rank);
  std::reverse(r.kept_dims, r.kept_dims + r.kept_rank);
  std::reverse(r.kept_strides, r.kept_strides + r.kept_rank);
  return r;
}

MatmulLayout matmul_layout(const OpCall& c) {
  const Shape &sa = c.in(0).shape(), &sb = c.in(1).shape(), &so = c.outputs[0].shape();
  const bool ta = c.attrs.flag, tb = c.attrs.flag2;
  MatmulLayout l;
  l.m = ta ? sa[sa.rank() - 1] : sa[sa.rank() - 2];
  l.k = ta ? sa[sa.rank() - 2] : sa[sa.rank() - 1];
  l.n = tb ? sb[sb.rank() - 2] : sb[sb.rank() - 1];
  // Each output batch's matrix offsets in a and b (batch axes broadcast, NumPy).
  const int64_t r = so.rank() - 2;
  for (int64_t d = 0; d < r; ++d) l.batch *= so[d];
  l.a_off.resize(static_cast<size_t>(l.batch));
  l.b_off.resize(static_cast<size_t>(l.batch));
  for (int64_t i = 0; i < l.batch; ++i) {
    int64_t rest = i, oa = 0, ob = 0, step_a = l.m * l.k, step_b = l.k * l.n;
    for (int64_t d = r - 1; d >= 0; --d) {
      const int64_t q = rest % so[d];
      rest /= so[d];
      const int64_t da = d - (r - (sa.rank() - 2)), db = d - (r - (sb.rank() - 2));
      if (da >= 0) {
        if (sa[da] != 1) oa += q * step_a;
        step_a *= sa[da];
      }
      if (db >= 0) {
        if (sb[db] != 1) ob += q * step_b;
        step_b *= sb[db];
      }
    }
    l.a_off[size_t(i)] = oa, l.b_off[size_t(i)] = ob;
  }
  return l;
}

Dt dt_of(DType d) {
  switch (d) {
    case DType::float32: return Dt::f32;
    case DType::float64: return Dt::f64;
    case DType::int32: return Dt::i32;
    case DType::int64: return Dt::i64;
    case DType::uint8: return Dt::u8;
    case DType::bool_: return Dt::b8;
    default: break;
  }
  throw std::invalid_argument(std::string("no CUDA element type for dtype ") + dtype_name(d));
}

int device_of(const OpCall& c) { return (c.inputs.empty() ? c.attrs.device : c.inputs[0].device()).index; }

std::string device_str(const OpCall& c) { return "GPU:" + std::to_string(device_of(c)); }

void require(const OpCall& c, DType d) {
  if (!kernel_supports(c.op, kCuda, d))
    throw_invalid(std::string(c.name()) + ": no kernel for device " + device_str(c) + " and dtype " + dtype_name(d));
}

AxisSplit split_axis(const Shape& s, int64_t axis) {
  if (axis < 0) axis += s.rank();
  AxisSplit r;
  for (int64_t d = 0; d < axis; ++d) r.outer *= s[d];
  r.n = s[axis];
  for (int64_t d = axis + 1; d < s.rank(); ++d) r.inner *= s[d];
  return r;
}

void add_kernel(OpId op, KernelFn fn, std::initializer_list<DType> dtypes) {
  register_kernel(op, kCuda, fn);
  declare_kernel_dtypes(op, kCuda, dtypes);
}

}  // namespace keras::core::cuda

namespace keras::core::cuda {
void register_kernels() {
  register_shape_kernels();
  register_creation_kernels();
  register_window_kernels();
  register_batch_norm_kernels();
  register_rnn_kernels();
  register_attention_kernels();
  register_math_kernels();
  register_fused_kernels();
  register_linalg_kernels();
  register_training_kernels();
  const auto& f = kFloatTypes;
  const auto& sf = kSignedTypes;
  const auto& num = kNumericTypes;
  const auto& all = kAllTypes;
  for (OpId op : {OpId::Neg, OpId::Abs, OpId::Sign, OpId::Square, OpId::Relu, OpId::Relu6}) add_kernel(op, unary_kernel, sf);
  for (OpId op : {OpId::Exp, OpId::Expm1, OpId::Log, OpId::Log1p, OpId::Sqrt, OpId::Rsqrt, OpId::Reciprocal,
                  OpId::Sin, OpId::Cos, OpId::Tanh, OpId::Sigmoid, OpId::LeakyRelu, OpId::Elu, OpId::Selu,
                  OpId::Gelu, OpId::Silu, OpId::Softplus, OpId::Softsign, OpId::Floor, OpId::Ceil, OpId::Round,
                  OpId::IsNan, OpId::IsFinite})
    add_kernel(op, unary_kernel, f);
  add_kernel(OpId::LogicalNot, unary_kernel, {DType::bool_});
  for (OpId op : {OpId::Add, OpId::Sub, OpId::Mul, OpId::Div, OpId::FloorDiv, OpId::Mod, OpId::Pow, OpId::Maximum,
                  OpId::Minimum, OpId::SquaredDifference})
    add_kernel(op, binary_kernel, num);
  for (OpId op : {OpId::Equal, OpId::NotEqual, OpId::Less, OpId::LessEqual, OpId::Greater, OpId::GreaterEqual,
                  OpId::LogicalAnd, OpId::LogicalOr})
    add_kernel(op, binary_kernel, all);
  add_kernel(OpId::Where, where_kernel, all);
  const std::initializer_list<DType> all_and_half = {DType::float32, DType::float64, DType::int32,   DType::int64,
                                                     DType::uint8,   DType::bool_,   DType::float16, DType::bfloat16};
  add_kernel(OpId::Cast, cast_kernel, all_and_half);
  add_kernel(OpId::Fill, fill_kernel, all_and_half);
  for (OpId op : {OpId::Sum, OpId::Mean, OpId::Max, OpId::Min, OpId::Prod}) add_kernel(op, reduce_kernel, num);
  for (OpId op : {OpId::All, OpId::Any}) add_kernel(op, reduce_kernel, {DType::bool_});
  for (OpId op : {OpId::ArgMax, OpId::ArgMin}) add_kernel(op, arg_kernel, num);
  add_kernel(OpId::MatMul, matmul_kernel, {DType::float32, DType::float64, DType::int32, DType::int64, DType::float16,
                                           DType::bfloat16});
  register_complex_kernels();  // after the real kernels: it adds complex dtypes to their declarations
}
}  // namespace keras::core::cuda
