// math_scalar.cuh - (CUDA-internal) the scalar rules of the math, scan, search and segment
// kernels (gpu/math.cu, scan.cu, search.cu, segment.cu), host+device so that
// tests/gpu/test_cuda_scalar.cu runs this very code on the host against the CPU kernels
// (on a machine without a GPU too). Float functions are CUDA's on the device and the C
// library's on the host.
#pragma once
#include <cstdint>
#include <type_traits>

#include "core/kernel_math.h"
#include "gpu/kernels.h"

namespace keras::core::cuda {

/// op(v) for the float unary MathOps (Erf .. Trunc).
template <class T>
__host__ __device__ T float_math(MathOp op, T v) {
  switch (op) {
    case MathOp::Erf: return erf(v);
    case MathOp::Erfc: return erfc(v);
    case MathOp::Erfinv: return T(kmath::erfinv(double(v)));
    case MathOp::Exp2: return exp2(v);
    case MathOp::Log2: return log2(v);
    case MathOp::Log10: return log10(v);
    case MathOp::Cbrt: return cbrt(v);
    case MathOp::Tan: return tan(v);
    case MathOp::Sinh: return sinh(v);
    case MathOp::Cosh: return cosh(v);
    case MathOp::Arcsin: return asin(v);
    case MathOp::Arccos: return acos(v);
    case MathOp::Arctan: return atan(v);
    case MathOp::Arcsinh: return asinh(v);
    case MathOp::Arccosh: return acosh(v);
    case MathOp::Arctanh: return atanh(v);
    case MathOp::I0: return T(kmath::bessel_i(0, double(v)));
    case MathOp::I1: return T(kmath::bessel_i(1, double(v)));
    case MathOp::Trunc: return trunc(v);
    default: break;
  }
  return v;
}

/// op(a, b) for the float binary MathOps (Arctan2, Hypot, Fmod, NextAfter); the integer
/// ones (bitwise, shifts, gcd, lcm, fmod with b != 0) in int_binary.
template <class T>
__host__ __device__ T float_binary(MathOp op, T a, T b) {
  switch (op) {
    case MathOp::Arctan2: return atan2(a, b);
    case MathOp::Hypot: return hypot(a, b);
    case MathOp::Fmod: return fmod(a, b);
    case MathOp::NextAfter: return nextafter(a, b);
    default: break;
  }
  return a;
}

template <class T>
__host__ __device__ std::make_unsigned_t<T> magnitude(T v) {  // |v| without overflow (of INT_MIN)
  using U = std::make_unsigned_t<T>;
  if constexpr (std::is_signed_v<T>)
    if (v < T(0)) return U(U(0) - U(v));
  return U(v);
}

template <class U>
__host__ __device__ U gcd_of(U a, U b) {
  while (b != U(0)) {
    const U r = U(a % b);
    a = b;
    b = r;
  }
  return a;
}

template <class T>
__host__ __device__ T int_binary(MathOp op, T a, T b) {
  using U = std::make_unsigned_t<T>;
  constexpr int64_t bits = int64_t(sizeof(T) * 8);
  // TensorFlow clamps the shift to [0, bits - 1] (C++ leaves other shifts undefined).
  const int64_t sb = int64_t(b);
  const U shift = U(sb < 0 ? 0 : (sb > bits - 1 ? bits - 1 : sb));
  switch (op) {
    case MathOp::BitwiseAnd: return T(a & b);
    case MathOp::BitwiseOr: return T(a | b);
    case MathOp::BitwiseXor: return T(a ^ b);
    case MathOp::LeftShift: return T(U(a) << shift);
    case MathOp::RightShift: return T(a >> shift);
    case MathOp::Gcd: return T(gcd_of(magnitude(a), magnitude(b)));
    case MathOp::Lcm: {
      const U g = gcd_of(magnitude(a), magnitude(b));
      return g == U(0) ? T(0) : T(U(magnitude(a) / g) * magnitude(b));
    }
    case MathOp::Fmod:  // b != 0: checked on the host
      if constexpr (std::is_signed_v<T>)
        if (b == T(-1)) return T(0);  // INT_MIN % -1 traps
      return T(a % b);
    default: break;
  }
  return a;
}

/// One step of cumsum (prod false) or cumprod: integers wrap (unsigned arithmetic).
template <class T>
__host__ __device__ T scan_step(bool prod, T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    return prod ? a * b : a + b;
  } else {
    using U = std::make_unsigned_t<T>;
    return prod ? T(U(a) * U(b)) : T(U(a) + U(b));
  }
}

/// One fold of a segment max / min (NaN propagates) / product (integers wrap).
template <class T>
__host__ __device__ T segment_fold(SegOp op, T a, T v) {
  if constexpr (std::is_floating_point_v<T>) {
    if (op != SegOp::Prod && v != v) return v;
    if (op == SegOp::Prod) return a * v;
  } else {
    if (op == SegOp::Prod) {
      using U = std::make_unsigned_t<T>;
      return T(U(a) * U(v));
    }
  }
  if (op == SegOp::Max) return v > a ? v : a;
  return v < a ? v : a;
}

/// The position of v in seq[0, n) by the bisection steps of libstdc++'s std::lower_bound
/// (right false) or std::upper_bound (right true).
template <class T>
__host__ __device__ int64_t search_position(const T* seq, int64_t n, T v, bool right) {
  int64_t first = 0, len = n;
  while (len > 0) {
    const int64_t half = len >> 1, mid = first + half;
    // lower_bound moves right while seq[mid] < v; upper_bound while !(v < seq[mid]).
    if (right ? !(v < seq[mid]) : seq[mid] < v) {
      first = mid + 1;
      len = len - half - 1;
    } else {
      len = half;
    }
  }
  return first;
}

}  // namespace keras::core::cuda
