// simd/unary.cpp - vector kernels of the float unary ops (exp, log, tanh, sigmoid, gelu,
// softplus, ...), compiled once per ISA (see vec.h). The formulas, and their NaN and
// infinity behaviour, are those the engine has always used: sigmoid splits on the sign
// so that exp never overflows, softplus is log1p(exp(-|x|)) + max(x, 0), relu-like
// selects let NaN through.
#include <bit>

#include "core/cpu/simd/vec.h"

namespace keras::core::cpu::KERAS_CPP_ISA {
namespace {

// y = f(x) over n elements; f maps a batch to a batch.
template <class T, class F>
void map(const T* x, T* y, int64_t n, F f) {
  vloop<T>(n, [f](const T* xp, T* yp) { f(B<T>::load_unaligned(xp)).store_unaligned(yp); }, x, y);
}

template <class T>
B<T> sigmoid(B<T> v) {
  const B<T> one(T(1));
  const B<T> e = xsimd::exp(-xsimd::abs(v));  // in (0, 1]: no overflow
  return xsimd::select(v >= B<T>(T(0)), one, e) / (one + e);
}

template <class T, VecOp op>
void kernel(const T* x, T* y, int64_t n, T alpha) {
  const B<T> zero(T(0)), one(T(1)), half(T(0.5));
  map(x, y, n, [=](B<T> v) -> B<T> {
    if constexpr (op == VecOp::Exp) return xsimd::exp(v);
    if constexpr (op == VecOp::Expm1) return xsimd::expm1(v);
    if constexpr (op == VecOp::Log) return xsimd::log(v);
    if constexpr (op == VecOp::Log1p) return xsimd::log1p(v);
    if constexpr (op == VecOp::Sqrt) return xsimd::sqrt(v);
    if constexpr (op == VecOp::Rsqrt) return one / xsimd::sqrt(v);
    if constexpr (op == VecOp::Reciprocal) return one / v;
    if constexpr (op == VecOp::Tanh) return xsimd::tanh(v);
    if constexpr (op == VecOp::Sigmoid) return sigmoid<T>(v);
    if constexpr (op == VecOp::LeakyRelu) return xsimd::select(v > zero, v, B<T>(alpha) * v);
    if constexpr (op == VecOp::Elu) return xsimd::select(v > zero, v, B<T>(alpha) * xsimd::expm1(v));
    if constexpr (op == VecOp::Selu) {
      const B<T> scale(T(1.0507009873554805)), al(T(1.6732632423543772));
      return xsimd::select(v > zero, scale * v, scale * al * xsimd::expm1(v));
    }
    if constexpr (op == VecOp::GeluErf) return half * v * (one + xsimd::erf(v * B<T>(T(0.7071067811865476))));
    if constexpr (op == VecOp::GeluTanh) {
      const B<T> c(T(0.7978845608028654)), k(T(0.044715));  // sqrt(2/pi)
      return half * v * (one + xsimd::tanh(c * (v + k * v * v * v)));
    }
    if constexpr (op == VecOp::Silu) return v * sigmoid<T>(v);
    if constexpr (op == VecOp::Softplus)
      return xsimd::log1p(xsimd::exp(-xsimd::abs(v))) + xsimd::select(v > zero, v, zero);
    if constexpr (op == VecOp::Softsign) return v / (one + xsimd::abs(v));
    if constexpr (op == VecOp::Abs) return xsimd::select(v < zero, -v, v);  // (-0 and NaN unchanged)
    // Roundings keep x's sign (also on a zero result: floor(-0) and ceil(-0.5) are -0, as
    // std::floor and std::ceil; xsimd's SSE2 versions give +0 there).
    if constexpr (op == VecOp::Round) return xsimd::copysign(xsimd::nearbyint(v), v);  // half to even
    if constexpr (op == VecOp::Floor) return xsimd::copysign(xsimd::floor(v), v);
    if constexpr (op == VecOp::Ceil) return xsimd::copysign(xsimd::ceil(v), v);
    return v;
  });
}

template <class T, int... I>
void fill(VecKernels<T>& k, std::integer_sequence<int, I...>) {
  ((k.unary[I] = &kernel<T, VecOp(I)>), ...);
}

// The cast to int8 (convert.cpp's rule: NaN gives 0, values saturate at -128 and 127,
// the rest truncate toward zero): clamped in T, converted to int32 lanes, then narrowed.
template <class T>
int8_t to_int8_one(T v) {
  v = v == v ? v : T(0);
  v = v < T(-128) ? T(-128) : v;
  v = v > T(127) ? T(127) : v;
  return static_cast<int8_t>(static_cast<int32_t>(v));
}

template <class T>
void to_int8(const T* x, int8_t* y, int64_t n) {
  int64_t i = 0;
  if constexpr (std::is_same_v<T, float>) {  // (float64 stays scalar)
    // Chunks of kChunk: clamped and converted to int32 lanes, then narrowed in one loop
    // (which the compiler vectorizes; a narrowing per batch would go element by element).
    constexpr int64_t W = kWidth<float>, kChunk = 256;
    const B<float> zero(0.0f), lo(-128.0f), hi(127.0f);
    alignas(64) int32_t lanes[kChunk];
    for (; i + kChunk <= n; i += kChunk) {
      for (int64_t j = 0; j < kChunk; j += W) {
        B<float> v = B<float>::load_unaligned(x + i + j);
        v = xsimd::min(xsimd::max(xsimd::select(v == v, v, zero), lo), hi);
        xsimd::batch_cast<int32_t>(v).store_aligned(lanes + j);
      }
      for (int64_t j = 0; j < kChunk; ++j) y[i + j] = static_cast<int8_t>(lanes[j]);
    }
  }
  for (; i < n; ++i) y[i] = to_int8_one(x[i]);
}

// The bfloat16 conversions, branch-free so that the compiler vectorizes them for the ISA
// (core/half.h's formulas: add 0x7fff plus the kept lowest bit, keep the upper half; a
// NaN keeps its upper half with the quiet bit set).
void to_bf16(const float* x, uint16_t* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const uint32_t u = std::bit_cast<uint32_t>(x[i]);
    const uint32_t rounded = (u + 0x7fffu + ((u >> 16) & 1u)) >> 16, quiet = (u >> 16) | 0x40u;
    y[i] = static_cast<uint16_t>((u & 0x7fffffffu) > 0x7f800000u ? quiet : rounded);
  }
}

void from_bf16(const uint16_t* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = std::bit_cast<float>(static_cast<uint32_t>(x[i]) << 16);
}

}  // namespace

void fill_unary(IsaKernels& k) {
  k.to_bf16 = &to_bf16;
  k.from_bf16 = &from_bf16;
  fill(k.f32, std::make_integer_sequence<int, int(VecOp::Count)>{});
  fill(k.f64, std::make_integer_sequence<int, int(VecOp::Count)>{});
  k.f32.to_int8 = &to_int8<float>;
  k.f64.to_int8 = &to_int8<double>;
}

}  // namespace keras::core::cpu::KERAS_CPP_ISA
