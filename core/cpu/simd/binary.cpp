// simd/binary.cpp - the float arithmetic of core/cpu/binary.cpp on contiguous rows and on a
// row with a scalar (the fast paths of same-shape and scalar operands, and broadcast rows
// with unit or zero strides), compiled once per ISA (see vec.h). Plain loops the compiler
// vectorizes at the ISA's width; the results are exactly rounded, the same on every ISA.
#include "core/cpu/simd/vec.h"

namespace keras::core::cpu::KERAS_CPP_ISA {
namespace {

template <class T, VecBinOp op>
inline T apply(T x, T y) {
  if constexpr (op == VecBinOp::Add) return x + y;
  if constexpr (op == VecBinOp::Sub) return x - y;
  if constexpr (op == VecBinOp::Mul) return x * y;
  if constexpr (op == VecBinOp::Div) return x / y;
  if constexpr (op == VecBinOp::SquaredDifference) return (x - y) * (x - y);
  // maximum / minimum: NaN propagates (x + y is NaN when either is)
  if constexpr (op == VecBinOp::Maximum) return (x != x || y != y) ? x + y : (x > y ? x : y);
  if constexpr (op == VecBinOp::Minimum) return (x != x || y != y) ? x + y : (x < y ? x : y);
  return x;
}

// out[i] = a[i*sa] op b[i*sb], strides 0 or 1.
template <class T, VecBinOp op>
void kernel(const T* a, int64_t sa, const T* b, int64_t sb, T* out, int64_t n) {
  if (n <= 0) return;  // a scalar operand may then be empty
  if (sa == 1 && sb == 1) {
    for (int64_t i = 0; i < n; ++i) out[i] = apply<T, op>(a[i], b[i]);
  } else if (sa == 1) {
    const T bv = *b;
    for (int64_t i = 0; i < n; ++i) out[i] = apply<T, op>(a[i], bv);
  } else if (sb == 1) {
    const T av = *a;
    for (int64_t i = 0; i < n; ++i) out[i] = apply<T, op>(av, b[i]);
  } else {
    const T v = apply<T, op>(*a, *b);
    for (int64_t i = 0; i < n; ++i) out[i] = v;
  }
}

template <class T, int... I>
void fill(VecKernels<T>& k, std::integer_sequence<int, I...>) {
  ((k.binary[I] = &kernel<T, VecBinOp(I)>), ...);
}

}  // namespace

void fill_binary(IsaKernels& k) {
  fill(k.f32, std::make_integer_sequence<int, int(VecBinOp::Count)>{});
  fill(k.f64, std::make_integer_sequence<int, int(VecBinOp::Count)>{});
}

}  // namespace keras::core::cpu::KERAS_CPP_ISA
