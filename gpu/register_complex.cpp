// register_complex.cpp - the CUDA backend's entries in core's complex kernel table (the
// complex forms of add, subtract, multiply, divide, equal, not_equal, neg, exp, abs,
// cast, sum, mean, prod and matmul; real, imag, angle, complex) and the fft kernel, with
// the dtypes each takes declared so `supports()` answers for complex64/complex128. The
// same ops and formulas as the CPU's (core/cpu/complex.cpp, core/cpu/matmul.cpp,
// core/cpu/fft.cpp); shapes and checks come from core/ops/ before a kernel runs.
#include <string>

#include "core/dispatch.h"
#include "core/kernel_dtypes.h"
#include "core/tensor.h"
#include "core/tensor_impl.h"
#include "gpu/complex_kernels.h"
#include "gpu/register_util.h"

namespace keras::core::cuda {
namespace {

constexpr Device::Kind kCuda = Device::Kind::CUDA;

bool is_c128(DType d) { return d == DType::complex128; }

CxOp cx_op(OpId op) {
  switch (op) {
    case OpId::Add: return CxOp::Add;
    case OpId::Sub: return CxOp::Sub;
    case OpId::Mul: return CxOp::Mul;
    case OpId::Div: return CxOp::Div;
    case OpId::Equal: return CxOp::Equal;
    case OpId::NotEqual: return CxOp::NotEqual;
    case OpId::Neg: return CxOp::Neg;
    case OpId::Exp: return CxOp::Exp;
    case OpId::Abs: return CxOp::Abs;
    case OpId::Real: return CxOp::Real;
    case OpId::Imag: return CxOp::Imag;
    default: return CxOp::Angle;
  }
}

void binary_kernel(OpCall& c) {
  const Tensor &a = c.in(0), &b = c.in(1);
  Tensor& o = c.outputs[0];
  complex_binary(cx_op(c.op), is_c128(a.dtype()), a.raw_data(), b.raw_data(), o.raw_mutable_data(),
                 strided(c, o.shape(), {&a, &b}), device_of(c));
}

void unary_kernel(OpCall& c) {
  const Tensor& x = c.in(0);
  complex_unary(cx_op(c.op), is_c128(x.dtype()), x.raw_data(), c.outputs[0].raw_mutable_data(), x.size(),
                device_of(c));
}

void make_kernel(OpCall& c) {  // complex(re, im): float parts of one dtype, broadcast
  const Tensor &re = c.in(0), &im = c.in(1);
  Tensor& o = c.outputs[0];
  complex_make(re.dtype() == DType::float64, re.raw_data(), im.raw_data(), o.raw_mutable_data(),
               strided(c, o.shape(), {&re, &im}), device_of(c));
}

CxType cx_type(DType d) {
  if (is_complex(d)) return {.complex = true, .dbl = is_c128(d)};
  return {.dt = dt_of(d)};
}

// Casts with a complex side. A half type on the other side goes through float32
// (complex64, or a half source) or float64 (complex128 to a half type), as the CPU
// converts: half values through float, complex128's real part rounded once from double.
void cast_kernel(OpCall& c) {
  const Tensor& x = c.in(0);
  const DType from = x.dtype(), to = c.out_dtype[0];
  if (c.attrs.flag)
    throw_invalid("cast_exact: complex dtypes are not supported (received " + std::string(dtype_name(from)) +
                  " to " + dtype_name(to) + ")");
  const int dev = device_of(c);
  void* out = c.outputs[0].raw_mutable_data();
  if (is_half(from) || is_half(to)) {
    const DType mid_dtype = is_half(from) ? DType::float32 : complex_part_dtype(from);
    Tensor mid = empty(x.shape(), mid_dtype, x.device());
    const HalfDt h = (is_half(from) ? from : to) == DType::float16 ? HalfDt::f16 : HalfDt::bf16;
    const CastType half{.half = true, .h = h}, real{.dt = dt_of(mid_dtype)};
    if (is_half(from)) {
      cast_half(half, x.raw_data(), real, mid.raw_mutable_data(), x.size(), dev);
      return complex_cast(cx_type(mid_dtype), mid.raw_data(), cx_type(to), out, x.size(), dev);
    }
    complex_cast(cx_type(from), x.raw_data(), cx_type(mid_dtype), mid.raw_mutable_data(), x.size(), dev);
    return cast_half(real, mid.raw_data(), half, out, x.size(), dev);
  }
  complex_cast(cx_type(from), x.raw_data(), cx_type(to), out, x.size(), dev);
}

// sum, mean, prod over attrs.axes.
void reduce_kernel(OpCall& c) {
  const RedOp op = c.op == OpId::Sum ? RedOp::Sum : c.op == OpId::Mean ? RedOp::Mean : RedOp::Prod;
  complex_reduce(op, is_c128(c.in(0).dtype()), c.in(0).raw_data(), c.outputs[0].raw_mutable_data(), reduction_of(c),
                 device_of(c));
}

// matmul of two complex tensors of one dtype (transposes without conjugation).
void matmul_kernel(OpCall& c) {
  const MatmulLayout l = matmul_layout(c);
  complex_matmul(is_c128(c.in(0).dtype()), c.in(0).raw_data(), c.in(1).raw_data(), c.outputs[0].raw_mutable_data(),
                 l.batch, l.a_off.data(), l.b_off.data(), l.m, l.n, l.k, c.attrs.flag, c.attrs.flag2, device_of(c));
}

// fft: (real, imag) float pairs along the last axis; attrs.flag: the inverse.
void fft_kernel(OpCall& c) {
  const Tensor& re = c.in(0);
  require(c, re.dtype());
  const Shape& s = re.shape();
  const int64_t n = s[s.rank() - 1];
  if (n == 0 || re.size() == 0) return;
  fft(re.dtype() == DType::float64, c.attrs.flag, re.raw_data(), c.in(1).raw_data(),
      c.outputs[0].raw_mutable_data(), c.outputs[1].raw_mutable_data(), re.size() / n, n, device_of(c));
}

}  // namespace

void register_complex_kernels() {
  const std::initializer_list<DType> cx = {DType::complex64, DType::complex128};
  for (OpId op : {OpId::Add, OpId::Sub, OpId::Mul, OpId::Div, OpId::Equal, OpId::NotEqual}) {
    register_complex_kernel(op, kCuda, binary_kernel);
    declare_more_kernel_dtypes(op, kCuda, cx);
  }
  for (OpId op : {OpId::Neg, OpId::Exp, OpId::Abs}) {
    register_complex_kernel(op, kCuda, unary_kernel);
    declare_more_kernel_dtypes(op, kCuda, cx);
  }
  for (OpId op : {OpId::Real, OpId::Imag, OpId::Angle}) register_complex_kernel(op, kCuda, unary_kernel);
  register_complex_kernel(OpId::Complex, kCuda, make_kernel);
  register_complex_kernel(OpId::Cast, kCuda, cast_kernel);
  declare_more_kernel_dtypes(OpId::Cast, kCuda, cx);
  for (OpId op : {OpId::Sum, OpId::Mean, OpId::Prod}) {
    register_complex_kernel(op, kCuda, reduce_kernel);
    declare_more_kernel_dtypes(op, kCuda, cx);
  }
  register_complex_kernel(OpId::MatMul, kCuda, matmul_kernel);
  declare_more_kernel_dtypes(OpId::MatMul, kCuda, cx);
  add_kernel(OpId::Fft, fft_kernel, {DType::float32, DType::float64, DType::complex64, DType::complex128});
}

}  // namespace keras::core::cuda
