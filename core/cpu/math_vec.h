// math_vec.h - (engine-internal) the vector kernels of the float math ops of core/ops_math.h
// that xsimd has (core/cpu/simd/math.cpp, compiled once per ISA like the other families of
// core/cpu/simd/), and the table of the active ISA (chosen with isa_kernels()). erfinv,
// i0, bessel_i1 and tan stay scalar (core/cpu/math.cpp): xsimd lacks the first three, and
// tan's argument reduction shares sin's and cos's problem (see isa.h).
#pragma once
#include <cstdint>

#include "core/dispatch.h"

namespace keras::core::cpu {

enum class MathVecOp : int {
  Erf, Erfc, Exp2, Log2, Log10, Cbrt, Sinh, Cosh, Arcsin, Arccos, Arctan, Arcsinh, Arccosh,
  Arctanh, Trunc, Count
};

struct MathVecKernels {
  template <class T>
  using Fn = void (*)(const T* x, T* y, int64_t n);
  Fn<float> f32[int(MathVecOp::Count)] = {};
  Fn<double> f64[int(MathVecOp::Count)] = {};
};

#define KERAS_CPP_MATH_FILLER(ns) \
  namespace ns {                  \
  void fill_math(MathVecKernels& k); \
  }
KERAS_CPP_MATH_FILLER(baseline)
KERAS_CPP_MATH_FILLER(avx2)
KERAS_CPP_MATH_FILLER(avx512)
#undef KERAS_CPP_MATH_FILLER

}  // namespace keras::core::cpu
