// complex.cpp - complex tensors: the ops real, imag, angle (complex -> float) and complex
// (float pair -> complex), the complex forms of the elementwise ops (their checks; the
// kernels are in core/cpu/complex.cpp), and keras.ops's conj, polar, view_as_complex,
// view_as_real, isreal as compositions. Complex tensors carry no gradients (see
// core/ops_complex.h); the FFT's pair forms do (core/ops/fft.cpp).
#include "core/dispatch.h"
#include "core/init.h"
#include "core/ops.h"
#include "core/ops/complex_util.h"

namespace keras::core {
namespace {

constexpr std::initializer_list<DType> kComplexTypes = {DType::complex64, DType::complex128};

void infer_part(OpCall& c) {  // real, imag, angle: complex -> its parts' float dtype
  expect_dtype(c, c.in(0), "x", kComplexTypes);
  c.set_output(0, c.in(0).shape(), complex_part_dtype(c.in(0).dtype()));
}
void infer_make_complex(OpCall& c) {  // complex(real, imag)
  expect_dtype(c, c.in(0), "real", kFloatTypes);
  expect_same_dtype(c, c.in(0), c.in(1));
  c.set_output(0, broadcast_shapes(c.in(0).shape(), c.in(1).shape(), c.name()),
               complex_dtype_of(c.in(0).dtype()));
}
// add, subtract, multiply, divide of two complex tensors of one dtype.
void infer_complex_binary(OpCall& c) {
  expect_same_dtype(c, c.in(0), c.in(1));
  c.set_output(0, broadcast_shapes(c.in(0).shape(), c.in(1).shape(), c.name()), c.in(0).dtype());
}
void infer_complex_unary(OpCall& c) { c.set_output(0, c.in(0).shape(), c.in(0).dtype()); }

const Attrs& no_attrs() {
  static const Attrs a;
  return a;
}

[[noreturn]] void throw_shape(const char* op, const std::string& expected, const Tensor& x) {
  throw_invalid(std::string(op) + ": expected " + expected + ", but received shape " +
                x.shape().str() + " and dtype " + dtype_name(x.dtype()));
}
void check_defined(const char* op, const Tensor& x) {
  if (!x.defined()) throw_invalid(std::string(op) + ": the input tensor is undefined");
}

}  // namespace

void infer_complex_abs(OpCall& c) {
  c.set_output(0, c.in(0).shape(), complex_part_dtype(c.in(0).dtype()));
}
InferFn complex_binary_infer() { return infer_complex_binary; }
InferFn complex_unary_infer() { return infer_complex_unary; }

void define_complex_ops() {
  for (OpId op : {OpId::Real, OpId::Imag, OpId::Angle}) define_op(op, infer_part);
  define_op(OpId::Complex, infer_make_complex);
  define_fft_ops();
  define_eig_ops();
}

namespace ops {

Tensor complex(const Tensor& re, const Tensor& im) { return dispatch(OpId::Complex, {re, im}, no_attrs()); }

Tensor real(const Tensor& x) {
  check_defined("real", x);
  return is_complex(x.dtype()) ? dispatch(OpId::Real, {x}, no_attrs()) : x;
}
Tensor imag(const Tensor& x) {
  check_defined("imag", x);
  return is_complex(x.dtype()) ? dispatch(OpId::Imag, {x}, no_attrs()) : zeros_like(x);
}
Tensor conj(const Tensor& x) {
  check_defined("conj", x);
  if (!is_complex(x.dtype())) return x;
  return complex(real(x), neg(imag(x)));
}
Tensor conjugate(const Tensor& x) { return conj(x); }

// Keras: a complex tensor is cast to complex64 (its result_type with float), so the
// angle is float32 even for complex128; real tensors give where(x < 0, pi, 0) (TF's
// angle of a real tensor: NaN and -0.0 give 0) in float64 for float64, else float32.
Tensor angle(const Tensor& x) {
  check_defined("angle", x);
  if (is_complex(x.dtype())) return dispatch(OpId::Angle, {cast(x, DType::complex64)}, no_attrs());
  Tensor f = cast(x, x.dtype() == DType::float64 ? DType::float64 : DType::float32);
  Tensor zero = scalar_like(f, 0.0);  // on f's device
  return where(less(f, zero), full_like(zero, 3.141592653589793238462643383279502884), zero);
}

Tensor polar(const Tensor& abs_, const Tensor& angle_) {
  check_defined("polar", abs_);
  check_defined("polar", angle_);
  if (!is_floating(abs_.dtype()) || abs_.dtype() != angle_.dtype())
    throw_invalid("polar: expected abs_ and angle to be float32 or float64 tensors of one dtype, "
                  "but received " + std::string(dtype_name(abs_.dtype())) + " (shape " +
                  abs_.shape().str() + ") and " + dtype_name(angle_.dtype()) + " (shape " +
                  angle_.shape().str() + ")");
  return complex(multiply(abs_, cos(angle_)), multiply(abs_, sin(angle_)));
}

// Keras casts both parts to complex64, whatever x's dtype.
Tensor view_as_complex(const Tensor& x) {
  check_defined("view_as_complex", x);
  if (!is_numeric(x.dtype()) || is_complex(x.dtype()) || x.rank() == 0 || x.shape()[x.rank() - 1] != 2)
    throw_shape("view_as_complex", "a real tensor whose last axis has size 2", x);
  const int64_t r = x.rank();
  std::vector<int64_t> begin(static_cast<size_t>(r), 0), size = x.shape().dims();
  size.back() = 1;
  Tensor re = slice(x, begin, size);
  begin.back() = 1;
  Tensor im = slice(x, begin, size);
  return complex(cast(squeeze(re, {r - 1}), DType::float32), cast(squeeze(im, {r - 1}), DType::float32));
}

Tensor view_as_real(const Tensor& x) {
  check_defined("view_as_real", x);
  if (!is_complex(x.dtype()))
    throw_shape("view_as_real", "a complex64 or complex128 tensor", x);
  return stack({real(x), imag(x)}, -1);
}

Tensor isreal(const Tensor& x) {
  check_defined("isreal", x);
  if (!is_complex(x.dtype())) return cast(ones_like(x), DType::bool_);
  const Tensor im = imag(x);
  return equal(im, scalar_like(im, 0.0));
}

ComplexPair to_pair(const Tensor& x) {
  check_defined("to_pair", x);
  if (!is_complex(x.dtype())) throw_shape("to_pair", "a complex64 or complex128 tensor", x);
  return {real(x), imag(x)};
}
Tensor from_pair(const ComplexPair& x) { return complex(x.real, x.imag); }

}  // namespace ops
}  // namespace keras::core
