// simd/math.cpp - vector kernels of the float math ops of core/ops_math.h that xsimd has
// (erf, erfc, exp2, log2, log10, cbrt, sinh, cosh, the inverse trig and hyperbolic
// functions, trunc), compiled once per ISA (see vec.h); core/cpu/math.cpp picks the
// active ISA's table (core/cpu/math_vec.h).
#include <limits>

#include "core/cpu/math_vec.h"
#include "core/cpu/simd/vec.h"

namespace keras::core::cpu::KERAS_CPP_ISA {
namespace {

template <class T, MathVecOp op>
void kernel(const T* x, T* y, int64_t n) {
  vloop<T>(n, [](const T* xp, T* yp) {
    B<T> v = B<T>::load_unaligned(xp);
    if constexpr (op == MathVecOp::Erf || op == MathVecOp::Erfc) {
      // xsimd's float64 erf and erfc give NaN from |x| ~ 1e20 on (x * x overflows); both
      // are flat long before (erf = +-1 and erfc = 0 or 2 in double from |x| = 30), so
      // larger arguments (infinities included) are clamped to +-30; NaN stays NaN.
      const B<T> lim(T(30));
      v = xsimd::select(xsimd::abs(v) > lim, xsimd::copysign(lim, v), v);
    }
    B<T> r;
    if constexpr (op == MathVecOp::Erf) r = xsimd::erf(v);
    else if constexpr (op == MathVecOp::Erfc) r = xsimd::erfc(v);
    else if constexpr (op == MathVecOp::Exp2) r = xsimd::exp2(v);
    else if constexpr (op == MathVecOp::Log2) r = xsimd::log2(v);
    else if constexpr (op == MathVecOp::Log10) r = xsimd::log10(v);
    else if constexpr (op == MathVecOp::Cbrt) r = xsimd::cbrt(v);
    else if constexpr (op == MathVecOp::Sinh) r = xsimd::sinh(v);
    else if constexpr (op == MathVecOp::Cosh) r = xsimd::cosh(v);
    else if constexpr (op == MathVecOp::Arcsin) r = xsimd::asin(v);
    else if constexpr (op == MathVecOp::Arccos) r = xsimd::acos(v);
    else if constexpr (op == MathVecOp::Arctan) r = xsimd::atan(v);
    else if constexpr (op == MathVecOp::Arcsinh) r = xsimd::asinh(v);
    else if constexpr (op == MathVecOp::Arccosh)  // NaN below 1 (xsimd's gives 0 or +-inf for large negatives)
      r = xsimd::select(v < B<T>(T(1)), B<T>(std::numeric_limits<T>::quiet_NaN()), xsimd::acosh(v));
    else if constexpr (op == MathVecOp::Arctanh) r = xsimd::atanh(v);
    else r = xsimd::trunc(v);
    r.store_unaligned(yp);
  }, x, y);
}

template <class T, int... I>
void fill(typename MathVecKernels::template Fn<T>* table, std::integer_sequence<int, I...>) {
  ((table[I] = &kernel<T, MathVecOp(I)>), ...);
}

}  // namespace

void fill_math(MathVecKernels& k) {
  fill<float>(k.f32, std::make_integer_sequence<int, int(MathVecOp::Count)>{});
  fill<double>(k.f64, std::make_integer_sequence<int, int(MathVecOp::Count)>{});
}

}  // namespace keras::core::cpu::KERAS_CPP_ISA
