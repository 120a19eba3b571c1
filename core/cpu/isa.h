// isa.h - (engine-internal) runtime ISA dispatch of the vector kernels.
//
// The kernels of core/cpu/simd/ are compiled three times, for baseline x86-64 (SSE2),
// AVX2+FMA and AVX-512 (core/meson.build), each copy in its own namespace. At first use
// the engine picks the best copy the CPU runs (cpuid), or the one the environment
// variable KERAS_CPP_CPU_ISA=baseline|avx2|avx512 names (never one the CPU lacks). One
// table serves every thread, and each element's result depends only on its own inputs
// (tails run the same vector code on a padded copy), so results are the same for any
// thread count and for fused and unfused graphs.
#pragma once
#include <cstdint>

#include "core/dispatch.h"
#include "core/training_rules.h"

namespace keras::core::cpu {

enum class Isa : int { baseline = 0, avx2 = 1, avx512 = 2 };
const char* isa_name(Isa isa);

// The float ops with a vector kernel: y = f(x) elementwise; alpha is the op's parameter
// (leaky_relu, elu). sin and cos stay scalar: xsimd's large-argument reduction is an inline
// function outside the ISA namespaces, whose AVX-512 copy the linker could pick for all.
enum class VecOp : int {
  Exp, Expm1, Log, Log1p, Sqrt, Rsqrt, Reciprocal, Tanh, Sigmoid, LeakyRelu,
  Elu, Selu, GeluErf, GeluTanh, Silu, Softplus, Softsign, Abs, Round, Floor, Ceil, Count
};

// The float binary ops with a vector kernel (core/cpu/simd/binary.cpp).
enum class VecBinOp : int { Add, Sub, Mul, Div, Maximum, Minimum, SquaredDifference, Count };

template <class T>
struct VecKernels {
  using Unary = void (*)(const T* x, T* y, int64_t n, T alpha);
  Unary unary[int(VecOp::Count)] = {};
  // out[i] = a[i*sa] op b[i*sb], with strides sa and sb 0 or 1.
  using Binary = void (*)(const T* a, int64_t sa, const T* b, int64_t sb, T* out, int64_t n);
  Binary binary[int(VecBinOp::Count)] = {};
  // y = exp(x - shift); returns the sum of y accumulated in double, in an order fixed by
  // n. y may be null (only the sum is wanted).
  double (*exp_shift_sum)(const T* x, T shift, T* y, int64_t n) = nullptr;
  // y[i] = exp(x[i] - m[i]).
  void (*exp_diff)(const T* x, const T* m, T* y, int64_t n) = nullptr;
  // The max of a row, NaN never taken, -inf for none (softmax's shift).
  T (*row_max)(const T* x, int64_t n) = nullptr;
  // Softmax of `rows` contiguous rows of n elements: exp(x - max) / sum, each row's sum as
  // exp_shift_sum's (y may be x); lse[r] = max + log(sum) unless lse is null.
  void (*softmax_rows)(const T* x, T* y, int64_t rows, int64_t n, T* lse) = nullptr;
  // One row of layer normalization (core/cpu/layer_norm.cpp; simd/nn.cpp), n > 0: writes y,
  // the row's mean and inv_std.
  void (*layer_norm_row)(const T* x, const T* scale, const T* offset, T* y, int64_t n, double eps, T* mean,
                         T* inv) = nullptr;
  // Its backward pass for one row: writes dx, adds dy * xhat to s[0..n) and dy to q[0..n).
  void (*layer_norm_grad_row)(const T* dy, const T* x, const T* scale, T mean, T inv, double dmean, double dinv,
                              T* dx, double* s, double* q, int64_t n) = nullptr;
  // C (m x n, row stride ldc) = A B with A(i, p) = a[i * sa + p * sp] and B(p, j) =
  // b[p * sbp + j * sbj], each element one FMA chain over p in order (simd/nn.cpp): for
  // products too small for a BLAS call's overhead (core/cpu/attention.cpp).
  void (*small_gemm)(int64_t m, int64_t n, int64_t k, const T* a, int64_t sa, int64_t sp, const T* b, int64_t sbp,
                     int64_t sbj, T* c, int64_t ldc) = nullptr;
  // The fused optimizer updates of core/training.h (formulas in training.cpp).
  void (*sgd)(T* w, const T* g, T* m, int64_t n, T lr, T mom, bool nesterov) = nullptr;
  void (*adam)(T* w, const T* g, T* m, T* v, T* vh, int64_t n, T alpha, T b1, T b2, T eps) = nullptr;
  // w -= w * k (decoupled weight decay; k = lr * wd; simd/optimizers.cpp).
  void (*decay)(T* w, int64_t n, T k) = nullptr;
  // The other fused rules (core/training_rules.h; simd/optimizers.cpp), by rule: s holds the
  // slots (null where absent), c the step's constants.
  using Rule = void (*)(T* w, const T* g, T* s[training_rules::kMaxSlots], int64_t n, const T* c);
  Rule rule[int(training_rules::Rule::Count)] = {};
  // Contiguous reductions of one block (see reduce.cpp): sum in double with kLanes
  // interleaved accumulators combined in order.
  double (*block_sum)(const T* x, int64_t n) = nullptr;
  // y = cast(x, int8) (NaN gives 0, saturating; simd/unary.cpp).
  void (*to_int8)(const T* x, int8_t* y, int64_t n) = nullptr;
  // The same blocks' max and min (NaN sticks; simd/reduce.cpp).
  T (*block_max)(const T* x, int64_t n) = nullptr;
  T (*block_min)(const T* x, int64_t n) = nullptr;
};

struct IsaKernels {
  Isa isa = Isa::baseline;
  VecKernels<float> f32;
  VecKernels<double> f64;
  // float32 <-> bfloat16 bit patterns, as core/half.h's float_to_bfloat16 (to nearest
  // even, NaN made quiet) and bfloat16_to_float, bit for bit (simd/unary.cpp).
  void (*to_bf16)(const float* x, uint16_t* y, int64_t n) = nullptr;
  void (*from_bf16)(const uint16_t* x, float* y, int64_t n) = nullptr;
  // The first `words` words of the Philox4x32-10 blocks kmath::philox(seed, first + i,
  // attempt), i < n, bit for bit, planar: word w of block i at out[w * n + i]
  // (simd/random.cpp).
  void (*philox_words)(uint64_t seed, uint64_t first, int64_t n, uint32_t attempt, int words, uint32_t* out) = nullptr;
  template <class T> const VecKernels<T>& of() const {
    if constexpr (sizeof(T) == 4) return f32;
    else return f64;
  }
};

// The active table (chosen at first use; see above).
const IsaKernels& isa_kernels();
// The best ISA this CPU runs.
Isa best_isa();
// Tests: makes `isa` the active one (false, and nothing changes, if the CPU lacks it).
bool set_isa(Isa isa);

// The vector kernel of a unary op on T (gelu_tanh: gelu's `approximate` flag), or null if
// the op has none, from the active table.
template <class T>
typename VecKernels<T>::Unary vec_unary(OpId op, bool gelu_tanh);
// The same for a binary op.
template <class T>
typename VecKernels<T>::Binary vec_binary(OpId op);

// Each family of core/cpu/simd/ fills its part of the table, once per ISA namespace.
#define KERAS_CPP_ISA_FILLERS(ns)              \
  namespace ns {                               \
  void fill_unary(IsaKernels& k);              \
  void fill_binary(IsaKernels& k);             \
  void fill_nn(IsaKernels& k);                 \
  void fill_training(IsaKernels& k);           \
  void fill_optimizer_rules(IsaKernels& k);    \
  void fill_reduce(IsaKernels& k);             \
  void fill_random(IsaKernels& k);             \
  }
KERAS_CPP_ISA_FILLERS(baseline)
KERAS_CPP_ISA_FILLERS(avx2)
KERAS_CPP_ISA_FILLERS(avx512)
#undef KERAS_CPP_ISA_FILLERS

}  // namespace keras::core::cpu
