// ops_math.h - elementwise math and activations of Keras 3's keras.ops (its numpy and nn
// names), and the C++ scalar forms of every binary op. Included by core/ops.h.
//
// Dtypes follow keras.ops on the TensorFlow backend (checked against Keras 3.15):
// - the float functions (exp2, log2, log10, sinh, cosh, tan, arc*, sinc, fabs) take
//   int and bool inputs as float32 (int64 too); cbrt, i0, deg2rad, rad2deg, hypot and
//   heaviside give float64 for int64 (Keras's own rule for these six);
// - erf, erfc and erfinv raise std::invalid_argument on integers (as keras.ops does);
// - trunc and nan_to_num leave integers as they are; signbit, isinf, isneginf,
//   isposinf give bool for every dtype;
// - the bitwise ops, gcd and lcm take int32, int64 and uint8 only (equal dtypes);
// - the activations take float32/float64 only.
// Both operands of a binary op have the same dtype (TensorFlow's rule; see README), except
// ldexp's integer exponent and logical_xor's operands (each taken as bool).
// Kernels: core/cpu/math.cpp; op code: core/ops/math_unary.cpp, math_binary.cpp,
// activations.cpp.
#pragma once
#include <cstdint>
#include <optional>
#include <type_traits>
#include <utility>

#include "core/ops.h"  // (ops.h includes this header at its end)
#include "core/tensor.h"

namespace keras::core::ops {

// ---- unary math ------------------------------------------------------------------------
Tensor absolute(const Tensor& x);  ///< abs
Tensor negative(const Tensor& x);  ///< neg
Tensor fabs(const Tensor& x);      ///< abs as float
/// Cube root, elementwise (keras.ops.cbrt).
Tensor cbrt(const Tensor& x);
///@{
/// The error function and its complement 1 - erf, elementwise (float inputs only).
Tensor erf(const Tensor& x);
Tensor erfc(const Tensor& x);
///@}
Tensor erfinv(const Tensor& x);  ///< +-inf at +-1, NaN outside [-1, 1]
///@{
/// 2^x and the base-2 and base-10 logarithms, elementwise.
Tensor exp2(const Tensor& x);
Tensor log2(const Tensor& x);
Tensor log10(const Tensor& x);
///@}
///@{
/// Trigonometric and hyperbolic functions and their inverses, elementwise, as keras.ops of
/// the same names (NaN outside an inverse's domain).
Tensor sinh(const Tensor& x);
Tensor cosh(const Tensor& x);
Tensor tan(const Tensor& x);
Tensor arcsin(const Tensor& x);
Tensor arccos(const Tensor& x);
Tensor arctan(const Tensor& x);
Tensor arcsinh(const Tensor& x);
Tensor arccosh(const Tensor& x);
Tensor arctanh(const Tensor& x);
///@}
Tensor trunc(const Tensor& x);    ///< rounds toward zero
Tensor signbit(const Tensor& x);  ///< true for -0.0 and negative NaN too
Tensor sinc(const Tensor& x);     ///< sin(pi x) / (pi x), 1 at 0
Tensor i0(const Tensor& x);       ///< modified Bessel function of the first kind, order 0
Tensor bessel_i1(const Tensor& x);  ///< order 1 (i0's derivative; tf.math.bessel_i1)
///@{
/// Degrees to radians and back.
Tensor deg2rad(const Tensor& x);
Tensor rad2deg(const Tensor& x);
///@}
/// NaN -> nan, +inf -> posinf, -inf -> neginf (default: the dtype's largest / lowest).
Tensor nan_to_num(const Tensor& x, double nan = 0.0, std::optional<double> posinf = std::nullopt,
                  std::optional<double> neginf = std::nullopt);
///@{
/// bool: where x is infinite (either sign), -inf, +inf.
Tensor isinf(const Tensor& x);
Tensor isneginf(const Tensor& x);
Tensor isposinf(const Tensor& x);
///@}
/// Bitwise not of an integer tensor (keras.ops.bitwise_invert).
Tensor bitwise_invert(const Tensor& x);
Tensor bitwise_not(const Tensor& x);  ///< bitwise_invert

// ---- binary math (NumPy broadcasting) ----------------------------------------------------
/// The angle of the point (x2, x1), elementwise (keras.ops.arctan2).
Tensor arctan2(const Tensor& x1, const Tensor& x2);
/// sqrt(x1^2 + x2^2) without intermediate overflow.
Tensor hypot(const Tensor& x1, const Tensor& x2);
///@{
/// log(exp(x1) + exp(x2)) and log2(2^x1 + 2^x2), computed stably.
Tensor logaddexp(const Tensor& x1, const Tensor& x2);
Tensor logaddexp2(const Tensor& x1, const Tensor& x2);
///@}
Tensor fmax(const Tensor& x1, const Tensor& x2);  ///< maximum that ignores a NaN operand
/// minimum that ignores a NaN operand.
Tensor fmin(const Tensor& x1, const Tensor& x2);
Tensor fmod(const Tensor& x1, const Tensor& x2);  ///< the dividend's sign (C fmod)
/// 0 where x1 < 0, 1 where x1 > 0, x2 elsewhere (x1 == 0, and NaN x1 as in keras.ops).
Tensor heaviside(const Tensor& x1, const Tensor& x2);
///@{
/// Greatest common divisor and least common multiple of integers, elementwise.
Tensor gcd(const Tensor& x1, const Tensor& x2);
Tensor lcm(const Tensor& x1, const Tensor& x2);
///@}
Tensor ldexp(const Tensor& x1, const Tensor& x2);  ///< x1 * 2^x2, x2 an integer tensor
/// The next representable float after x1 toward x2.
Tensor nextafter(const Tensor& x1, const Tensor& x2);
///@{
/// Bitwise and, or, xor of integer tensors with equal dtypes.
Tensor bitwise_and(const Tensor& x, const Tensor& y);
Tensor bitwise_or(const Tensor& x, const Tensor& y);
Tensor bitwise_xor(const Tensor& x, const Tensor& y);
///@}
/// Shifts by y bits; a shift outside [0, bits of the dtype) is clamped into it, as
/// TensorFlow does.
Tensor bitwise_left_shift(const Tensor& x, const Tensor& y);
/// Shifts right by y bits (arithmetic for signed dtypes); shifts clamped as
/// bitwise_left_shift.
Tensor bitwise_right_shift(const Tensor& x, const Tensor& y);
Tensor left_shift(const Tensor& x, const Tensor& y);   ///< bitwise_left_shift
Tensor right_shift(const Tensor& x, const Tensor& y);  ///< bitwise_right_shift
Tensor logical_xor(const Tensor& x1, const Tensor& x2);  ///< nonzero is true, any dtype
/// |x1 - x2| <= atol + rtol |x2|; inf equals inf of the same sign; NaN equals NaN only
/// with equal_nan. allclose: all of isclose, a bool scalar.
Tensor isclose(const Tensor& x1, const Tensor& x2, double rtol = 1e-5, double atol = 1e-8,
               bool equal_nan = false);
/// True when isclose holds for every element (a bool scalar).
Tensor allclose(const Tensor& x1, const Tensor& x2, double rtol = 1e-5, double atol = 1e-8,
                bool equal_nan = false);
Tensor divide_no_nan(const Tensor& x1, const Tensor& x2);  ///< 0 where x2 == 0
Tensor true_divide(const Tensor& x1, const Tensor& x2);    ///< divide

// ---- activations (keras.ops.nn) -----------------------------------------------------------
/// CELU: max(x, 0) + min(0, alpha (exp(x / alpha) - 1)) (keras.ops.celu).
Tensor celu(const Tensor& x, double alpha = 1.0);
Tensor glu(const Tensor& x, int64_t axis = -1);  ///< a * sigmoid(b), a, b = halves along axis
/// x where |x| > threshold, else 0 (keras.ops.hard_shrink).
Tensor hard_shrink(const Tensor& x, double threshold = 0.5);
Tensor hard_sigmoid(const Tensor& x);  ///< relu6(x + 3) / 6
Tensor hard_silu(const Tensor& x);     ///< x * hard_sigmoid(x)
Tensor hard_swish(const Tensor& x);    ///< hard_silu
Tensor hard_tanh(const Tensor& x);     ///< clip(x, -1, 1)
Tensor log_sigmoid(const Tensor& x);   ///< -softplus(-x)
/// x - threshold above threshold, x + threshold below -threshold, else 0
/// (keras.ops.soft_shrink).
Tensor soft_shrink(const Tensor& x, double threshold = 0.5);
/// keras.ops.sparse_plus: 0 below -1, (x + 1)^2 / 4 in [-1, 1], x above 1.
Tensor sparse_plus(const Tensor& x);
/// keras.ops.sparse_sigmoid: 0 below -1, (x + 1) / 2 in [-1, 1], 1 above 1.
Tensor sparse_sigmoid(const Tensor& x);
Tensor sparsemax(const Tensor& x, int64_t axis = -1);  ///< Keras's formula (see README)
/// (x + sqrt(x^2 + b)) / 2 (keras.ops.squareplus).
Tensor squareplus(const Tensor& x, double b = 4.0);
Tensor swish(const Tensor& x);  ///< silu
/// x - tanh(x) (keras.ops.tanh_shrink).
Tensor tanh_shrink(const Tensor& x);
/// x where x > threshold, else default_value (keras.ops.threshold).
Tensor threshold(const Tensor& x, double threshold, double default_value);

// ---- scalar operands of the binary ops ----------------------------------------------------
/// ops::maximum(x, 1.0), ops::power(2.0, x), ops::arctan2(x, 0.5), ops::isclose(x, 1.0, 1e-3):
/// the scalar becomes a tensor of the other operand's dtype through scalar_like, so a value
/// that dtype cannot hold exactly (2.5 with an int32 tensor) raises ConversionError naming
/// the op; integral values are accepted (ops::maximum(x, 1) on float32 or int32).
template <class S>
concept ScalarOperand = std::is_arithmetic_v<S> && !std::is_same_v<S, bool>;

#define KERAS_CPP_SCALAR_OPERANDS(name)                                                \
  template <ScalarOperand S, class... Rest>                                            \
  Tensor name(const Tensor& a, S b, Rest&&... rest) {                                  \
    return name(a, scalar_like(a, static_cast<double>(b), #name), std::forward<Rest>(rest)...); \
  }                                                                                    \
  template <ScalarOperand S, class... Rest>                                            \
  Tensor name(S a, const Tensor& b, Rest&&... rest) {                                  \
    return name(scalar_like(b, static_cast<double>(a), #name), b, std::forward<Rest>(rest)...); \
  }
#define KERAS_CPP_BINARY_OPS(X)                                                          \
  X(add) X(subtract) X(multiply) X(divide) X(true_divide) X(floor_divide) X(mod) X(power) \
  X(maximum) X(minimum) X(squared_difference) X(equal) X(not_equal) X(less) X(less_equal) \
  X(greater) X(greater_equal) X(logical_and) X(logical_or) X(logical_xor) X(arctan2)      \
  X(hypot) X(logaddexp) X(logaddexp2) X(fmax) X(fmin) X(fmod) X(heaviside) X(gcd) X(lcm)  \
  X(nextafter) X(bitwise_and) X(bitwise_or) X(bitwise_xor) X(bitwise_left_shift) \
  X(bitwise_right_shift) X(left_shift) X(right_shift) X(isclose) X(allclose) X(divide_no_nan)
KERAS_CPP_BINARY_OPS(KERAS_CPP_SCALAR_OPERANDS)
#undef KERAS_CPP_SCALAR_OPERANDS
#undef KERAS_CPP_BINARY_OPS
/// ldexp's exponent is an integer: ops::ldexp(x, 3) (a float exponent does not compile);
/// a scalar mantissa is float32, as in keras.ops.
template <ScalarOperand S>
  requires std::is_integral_v<S>
Tensor ldexp(const Tensor& x1, S x2) {
  return ldexp(x1, fill(Shape{}, static_cast<double>(x2), DType::int64).to(x1.device()));
}
/// A scalar mantissa with an integer tensor of exponents.
template <ScalarOperand S>
Tensor ldexp(S x1, const Tensor& x2) {
  return ldexp(fill(Shape{}, static_cast<double>(x1), DType::float32).to(x2.device()), x2);
}

}  // namespace keras::core::ops
