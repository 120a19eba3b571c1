// vec.h - (engine-internal) what every kernel family of core/cpu/simd/ shares: the xsimd
// batch type of the ISA this translation unit is compiled for, and the loop that runs a
// batch body over arrays. Included only by core/cpu/simd/*.cpp, each compiled once per
// ISA with KERAS_CPP_ISA naming the namespace (baseline, avx2, avx512); everything
// defined here lives in that namespace, so no two ISAs' copies share a symbol.
#pragma once
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

#include <xsimd/xsimd.hpp>

#include "core/cpu/isa.h"

#ifndef KERAS_CPP_ISA
#error "core/cpu/simd/*.cpp are compiled once per ISA with -DKERAS_CPP_ISA=<namespace>"
#endif

namespace keras::core::cpu::KERAS_CPP_ISA {

#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512DQ__)
using Arch = xsimd::avx512bw;
#elif defined(__AVX2__) && defined(__FMA__)
using Arch = xsimd::fma3<xsimd::avx2>;
#else
using Arch = xsimd::default_arch;  // SSE2 on x86-64 (NEON elsewhere)
#endif

template <class T>
using B = xsimd::batch<T, Arch>;

template <class T>
inline constexpr int64_t kWidth = int64_t(B<T>::size);

// Copies of a tail: the loop below runs the body on padded arrays of one batch.
template <class T>
inline void copy_in(T* dst, const T* src, int64_t m) {
  for (int64_t j = 0; j < m; ++j) dst[j] = src[j];
}
template <class T>
inline void copy_out(const T* src, T* dst, int64_t m) {
  for (int64_t j = 0; j < m; ++j) dst[j] = src[j];
}
template <class T>
inline void copy_out(const T*, const T*, int64_t) {}  // an input: nothing to write back

template <class T, class F, size_t... I, class... P>
inline void tail(int64_t m, F& body, std::index_sequence<I...>, P*... p) {
  alignas(64) T buf[sizeof...(P)][kWidth<T>] = {};
  (copy_in(buf[I], p, m), ...);
  body(static_cast<P*>(buf[I])...);
  (copy_out(buf[I], p, m), ...);
}

// body(p + i...) for every full batch of the n elements, then once on zero-padded copies
// of the tail (written back to the non-const arrays): every element goes through the same
// vector code wherever it lies, so results do not depend on how work is split.
template <class T, class F, class... P>
inline void vloop(int64_t n, F body, P*... p) {
  constexpr int64_t W = kWidth<T>;
  int64_t i = 0;
  for (; i + W <= n; i += W) body((p + i)...);
  if (i < n) tail<T>(n - i, body, std::index_sequence_for<P...>{}, (p + i)...);
}

}  // namespace keras::core::cpu::KERAS_CPP_ISA
