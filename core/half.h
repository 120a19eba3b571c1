// half.h - the element types of float16 and bfloat16 tensors, and their conversions.
#pragma once
#include <bit>
#include <cmath>
#include <cstdint>

namespace keras::core {

/// An IEEE 754 binary16 value (dtype float16: 1 sign, 5 exponent, 10 mantissa bits), held
/// as its bit pattern. Converting to float is exact; converting from float or double
/// rounds to nearest, ties to even, with overflow to infinity and NaN kept NaN.
struct float16_t {
  uint16_t bits = 0;  ///< the binary16 bit pattern
};
/// A bfloat16 value (dtype bfloat16: the upper 16 bits of a float32: 1 sign, 8 exponent,
/// 7 mantissa bits), held as its bit pattern. Conversions round as float16_t's do.
struct bfloat16_t {
  uint16_t bits = 0;  ///< the upper half of a float32's bit pattern
};

/// The float value of a float16 (exact).
inline float half_to_float(float16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h.bits & 0x8000u) << 16;
  const uint32_t exp = (h.bits >> 10) & 0x1fu, mant = h.bits & 0x3ffu;
  if (exp == 0x1f) return std::bit_cast<float>(sign | 0x7f800000u | (mant << 13));  // inf, NaN
  if (exp == 0) {  // zero or subnormal: mant * 2^-24, exact in float
    const float v = static_cast<float>(mant) * 5.9604644775390625e-8f;
    return sign ? -v : v;
  }
  return std::bit_cast<float>(sign | ((exp + 112u) << 23) | (mant << 13));
}

/// The float16 nearest to `f` (ties to even); beyond the largest float16 (65504) values
/// from 65520 up become infinity; NaN stays NaN (a quiet NaN).
inline float16_t float_to_half(float f) {
  uint32_t x = std::bit_cast<uint32_t>(f);
  const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000u);
  x &= 0x7fffffffu;
  if (x > 0x7f800000u) return {static_cast<uint16_t>(sign | 0x7e00u)};  // NaN
  if (x >= 0x477ff000u) return {static_cast<uint16_t>(sign | 0x7c00u)};  // >= 65520: inf
  if (x < 0x38800000u) {  // below 2^-14: a float16 subnormal (or zero)
    // Adding 0.5 puts the value's units of 2^-24 in the low mantissa bits; the float
    // addition rounds to nearest even.
    const float t = std::bit_cast<float>(x) + 0.5f;
    return {static_cast<uint16_t>(sign | (std::bit_cast<uint32_t>(t) - 0x3f000000u))};
  }
  const uint32_t odd = (x >> 13) & 1u;
  x += 0xc8000fffu + odd;  // rebias the exponent (-112 << 23) and round the 13 dropped bits
  return {static_cast<uint16_t>(sign | (x >> 13))};
}

/// The float value of a bfloat16 (exact).
inline float bfloat16_to_float(bfloat16_t h) {
  return std::bit_cast<float>(static_cast<uint32_t>(h.bits) << 16);
}

/// The bfloat16 nearest to `f` (ties to even); NaN stays NaN (a quiet NaN).
inline bfloat16_t float_to_bfloat16(float f) {
  const uint32_t x = std::bit_cast<uint32_t>(f);
  if ((x & 0x7fffffffu) > 0x7f800000u) return {static_cast<uint16_t>((x >> 16) | 0x40u)};
  return {static_cast<uint16_t>((x + 0x7fffu + ((x >> 16) & 1u)) >> 16)};
}

/// `d` rounded to a float with round-to-odd: rounding that float again to float16 or
/// bfloat16 (fewer than 22 mantissa bits) gives the correctly rounded value of `d`.
inline float double_to_float_odd(double d) {
  const double a = std::fabs(d);
  if (a > 0 && a < 0x1p-126) {  // a float subnormal: built from bits (CPU kernels flush
    const double m = a * 0x1p149;  // subnormal results to zero); m: units of 2^-149, exact
    const double t = std::trunc(m);
    const uint32_t u = static_cast<uint32_t>(t) | (t != m ? 1u : 0u);
    return std::bit_cast<float>((std::signbit(d) ? 0x80000000u : 0u) | u);
  }
  float f = static_cast<float>(d);
  if (std::isfinite(f) && static_cast<double>(f) != d && !(std::bit_cast<uint32_t>(f) & 1u)) {
    // f is even and inexact: step one ulp toward d (the odd neighbour).
    const uint32_t b = std::bit_cast<uint32_t>(f);
    const bool away = (std::fabs(d) > std::fabs(static_cast<double>(f)));
    f = std::bit_cast<float>(away ? b + 1u : b - 1u);
  }
  return f;
}

/// The float16 nearest to `d` (ties to even, one rounding).
inline float16_t double_to_half(double d) { return float_to_half(double_to_float_odd(d)); }
/// The bfloat16 nearest to `d` (ties to even, one rounding).
inline bfloat16_t double_to_bfloat16(double d) { return float_to_bfloat16(double_to_float_odd(d)); }

}  // namespace keras::core
