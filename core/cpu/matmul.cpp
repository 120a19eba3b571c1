// matmul.cpp - CPU kernel of MatMul: float32/float64, bfloat16, complex and int8 (int32 results)
// through core/cpu/gemm.h (OpenBLAS, or oneDNN for float32 where that is measured faster
// and for int8; one call per batch matrix, or one call for all of them when b is shared
// and a's batches are contiguous rows), the other integers through a plain i-k-j loop
// kernel.
#include <algorithm>
#include <climits>
#include <complex>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "core/cpu/broadcast.h"
#include "core/cpu/gemm.h"
#include "core/cpu/onednn.h"
#include "core/kernel_dtypes.h"
#include "core/kernel_math.h"
#include "core/cpu/parallel.h"
#include "core/dispatch.h"
#include "core/einsum_matmul.h"
#include "core/init.h"
#include "core/ops/complex_util.h"

namespace keras::core::cpu {
namespace {

// Element offsets of each batch matrix of a and b (batch axes broadcast to the output's).
struct Batches {
  int64_t count = 1;
  std::vector<int64_t> a_off, b_off;
};

Batches plan_batches(const Shape& sa, const Shape& sb, const Shape& so, int64_t a_mat,
                     int64_t b_mat) {
  auto batch = [](const Shape& s) {
    return Shape(std::vector<int64_t>(s.dims().begin(), s.dims().end() - 2));
  };
  Shape ba = batch(sa), bb = batch(sb), bo = batch(so);
  std::vector<int64_t> st_a = broadcast_strides(ba, bo), st_b = broadcast_strides(bb, bo);
  Batches p;
  p.count = bo.num_elements();
  p.a_off.resize(static_cast<size_t>(p.count));
  p.b_off.resize(static_cast<size_t>(p.count));
  const int64_t r = bo.rank();
  for (int64_t i = 0; i < p.count; ++i) {
    int64_t rem = i, oa = 0, ob = 0;
    for (int64_t ax = r - 1; ax >= 0; --ax) {
      int64_t idx = rem % bo[ax];
      rem /= bo[ax];
      oa += idx * st_a[static_cast<size_t>(ax)];
      ob += idx * st_b[static_cast<size_t>(ax)];
    }
    p.a_off[static_cast<size_t>(i)] = oa * a_mat;
    p.b_off[static_cast<size_t>(i)] = ob * b_mat;
  }
  return p;
}

// fn(i) for each batch matrix i < count, over the engine's threads in chunks of at least
// 2^16 multiply-adds (a product of small matrices is mostly the call's overhead, which
// the batches then share out); each product is one gemm call wherever it runs, so the
// results do not depend on the thread count.
template <class F>
void for_batches(int64_t count, int64_t madds, F&& fn) {
  const int64_t grain = std::max<int64_t>(1, (int64_t(1) << 16) / std::max<int64_t>(1, madds));
  parallel_for(count, grain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) fn(i);
  });
}

// T: the operands' element type; O: the result's (int32 for int8 operands).
template <class T, class O = T>
void blas_matmul(OpCall& c, bool ta, bool tb, int64_t m, int64_t n, int64_t k) {
  const Tensor &a = c.in(0), &b = c.in(1);
  const T* pa = static_cast<const T*>(a.raw_data());
  const T* pb = static_cast<const T*>(b.raw_data());
  O* pc = static_cast<O*>(c.outputs[0].raw_mutable_data());
  const int64_t lda = ta ? m : k, ldb = tb ? k : n;
  const int64_t batches = c.outputs[0].size() / (m * n);
  // b shared by every batch, a's batches stacked: one (batches*m, k) x (k, n) product.
  if (b.size() == k * n && (batches == 1 || (!ta && a.size() == batches * m * k)))
    return gemm(ta, tb, batches * m, n, k, pa, lda, pb, ldb, pc, n);
  Batches p = plan_batches(a.shape(), b.shape(), c.outputs[0].shape(), m * k, k * n);
  for_batches(p.count, m * n * k, [&](int64_t i) {
    const T *ai = pa + p.a_off[static_cast<size_t>(i)], *bi = pb + p.b_off[static_cast<size_t>(i)];
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>)
      batch_gemm(ta, tb, m, n, k, ai, lda, bi, ldb, pc + i * m * n, n);  // small products skip BLAS
    else
      gemm(ta, tb, m, n, k, ai, lda, bi, ldb, pc + i * m * n, n);
  });
}

// Integer products wrap around (two's complement) instead of overflowing.
template <class T>
void int_matmul(OpCall& c, bool ta, bool tb, int64_t m, int64_t n, int64_t k) {
  using U = kmath::wrap_t<T>;  // (no signed-overflow UB: int16 products promote to unsigned int)
  const Tensor &a = c.in(0), &b = c.in(1);
  const T* pa = static_cast<const T*>(a.raw_data());
  const T* pb = static_cast<const T*>(b.raw_data());
  T* pc = static_cast<T*>(c.outputs[0].raw_mutable_data());
  // A transposed b is copied to (k, n) rows first so the inner loop is contiguous.
  Tensor bt;
  if (tb) {
    const int64_t nb = b.size() / (k * n);
    bt = empty(Shape{b.size()}, b.dtype());
    T* d = static_cast<T*>(bt.raw_mutable_data());
    for (int64_t q = 0; q < nb; ++q)
      for (int64_t j = 0; j < n; ++j)
        for (int64_t kk = 0; kk < k; ++kk) d[q * k * n + kk * n + j] = pb[q * k * n + j * k + kk];
    pb = d;
  }
  Batches p = plan_batches(a.shape(), b.shape(), c.outputs[0].shape(), m * k, k * n);
  const int64_t rows = p.count * m;
  parallel_for(rows, std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(1, k * n)),
               [&](int64_t s, int64_t e) {
                 for (int64_t r = s; r < e; ++r) {
                   const int64_t bi = r / m, i = r % m;
                   const T* A = pa + p.a_off[static_cast<size_t>(bi)];
                   const T* B = pb + p.b_off[static_cast<size_t>(bi)];
                   T* crow = pc + r * n;
                   for (int64_t j = 0; j < n; ++j) crow[j] = T(0);
                   for (int64_t kk = 0; kk < k; ++kk) {
                     const U aik = static_cast<U>(ta ? A[kk * m + i] : A[i * k + kk]);
                     const T* brow = B + kk * n;
                     for (int64_t j = 0; j < n; ++j)
                       crow[j] = static_cast<T>(static_cast<U>(crow[j]) +
                                                aik * static_cast<U>(brow[j]));
                   }
                 }
               });
}

void matmul_kernel(OpCall& c) {
  const Shape &sa = c.in(0).shape(), &sb = c.in(1).shape();
  const bool ta = c.attrs.flag, tb = c.attrs.flag2;
  const int64_t m = ta ? sa[sa.rank() - 1] : sa[sa.rank() - 2];
  const int64_t k = ta ? sa[sa.rank() - 2] : sa[sa.rank() - 1];
  const int64_t n = tb ? sb[sb.rank() - 2] : sb[sb.rank() - 1];
  Tensor& y = c.outputs[0];
  if (y.size() == 0) return;
  if (k == 0) {  // an empty sum: zeros
    std::memset(y.raw_mutable_data(), 0, y.nbytes());
    return;
  }
  const DType dt = c.in(0).dtype();
  if ((is_floating(dt) || is_complex(dt) || dt == DType::int8) && (m > INT_MAX || n > INT_MAX || k > INT_MAX ||
                          y.size() / n > INT_MAX))
    throw_invalid(std::string(c.name()) + ": matrices of shapes " + sa.str() + " and " +
                  sb.str() + " exceed the 32-bit sizes BLAS accepts");
  switch (dt) {
    case DType::float32: return blas_matmul<float>(c, ta, tb, m, n, k);
    case DType::float64: return blas_matmul<double>(c, ta, tb, m, n, k);
    case DType::bfloat16: return blas_matmul<bfloat16_t>(c, ta, tb, m, n, k);  // (float32 sums, one rounding)
    case DType::int32: return int_matmul<int32_t>(c, ta, tb, m, n, k);
    case DType::int64: return int_matmul<int64_t>(c, ta, tb, m, n, k);
    case DType::int8: return blas_matmul<int8_t, int32_t>(c, ta, tb, m, n, k);  // (exact int32 sums)
    case DType::int16: return int_matmul<int16_t>(c, ta, tb, m, n, k);
    case DType::uint8: return int_matmul<uint8_t>(c, ta, tb, m, n, k);
    case DType::uint16: return int_matmul<uint16_t>(c, ta, tb, m, n, k);
    case DType::uint32: return int_matmul<uint32_t>(c, ta, tb, m, n, k);
    case DType::complex64: return blas_matmul<std::complex<float>>(c, ta, tb, m, n, k);
    case DType::complex128: return blas_matmul<std::complex<double>>(c, ta, tb, m, n, k);
    default:
      throw_invalid(std::string(c.name()) + ": no CPU kernel for dtype " + dtype_name(dt));
  }
}

// FusedMatMul's epilogue after a BLAS product: y = y + bias, then relu, one pass over
// the rows (the formulas of the add and relu kernels, so the result is the unfused one).
template <class T>
void bias_relu(T* y, int64_t m, int64_t n, const T* bias, bool relu) {
  if (!bias && !relu) return;
  parallel_for(m, std::max<int64_t>(1, kElementwiseGrain / n), [=](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      T* row = y + i * n;
      if (bias)
        for (int64_t j = 0; j < n; ++j) row[j] = row[j] + bias[j];
      if (relu)
        for (int64_t j = 0; j < n; ++j) row[j] = row[j] <= T(0) ? T(0) : row[j];
    }
  });
}

template <class T>
void fused_matmul(OpCall& c, int64_t m, int64_t n, int64_t k) {
  const bool ta = c.attrs.flag, tb = c.attrs.flag2, relu = c.attrs.k == 1;
  const T* a = static_cast<const T*>(c.in(0).raw_data());
  const T* b = static_cast<const T*>(c.in(1).raw_data());
  const T* bias = c.inputs.size() == 3 ? static_cast<const T*>(c.in(2).raw_data()) : nullptr;
  T* y = static_cast<T*>(c.outputs[0].raw_mutable_data());
  if constexpr (std::is_same_v<T, float>) {
    onednn::Gemm g{.m = m, .n = n, .k = k, .ta = ta, .tb = tb, .a = a, .lda = ta ? m : k, .b = b,
                   .ldb = tb ? k : n, .c = y, .ldc = n, .bias = bias,
                   .epilogue = relu ? onednn::Epilogue::relu : onednn::Epilogue::none};
    if (onednn::prefer_for_gemm(g)) return onednn::gemm(g);
  }
  gemm(ta, tb, m, n, k, a, ta ? m : k, b, tb ? k : n, y, n);
  bias_relu(y, m, n, bias, relu);
}

void fused_matmul_kernel(OpCall& c) {
  const Shape &sa = c.in(0).shape(), &sb = c.in(1).shape();
  const int64_t m = sa[c.attrs.flag ? 1 : 0], k = sa[c.attrs.flag ? 0 : 1], n = sb[c.attrs.flag2 ? 0 : 1];
  if (c.outputs[0].size() == 0) return;
  if (m > INT_MAX || n > INT_MAX || k > INT_MAX)
    throw_invalid(std::string(c.name()) + ": matrices of shapes " + sa.str() + " and " + sb.str() +
                  " exceed the 32-bit sizes BLAS accepts");
  if (c.in(0).dtype() == DType::float32) return fused_matmul<float>(c, m, n, k);
  return fused_matmul<double>(c, m, n, k);
}

// einsum_matmul (core/einsum_matmul.h): one batch_gemm per batch index of the layout's
// plan, each matrix read through its operand's strides.
template <class T>
void einsum_matmul(OpCall& c, const EinsumMatMulLayout& l) {
  const Shape &sa = c.in(0).shape(), &sb = c.in(1).shape();
  T* y = c.out_data<T>(0);
  if (c.outputs[0].size() == 0) return;
  const EinsumMatMulLayout::GemmPlan p = l.gemm_plan(sa, sb, c.outputs[0].shape());
  if (p.k == 0) {  // an empty sum: zeros
    std::memset(y, 0, c.outputs[0].nbytes());
    return;
  }
  if (p.m > INT_MAX || p.n > INT_MAX || p.k > INT_MAX)
    throw_invalid(std::string(c.name()) + ": matrices of shapes " + sa.str() + " and " + sb.str() +
                  " exceed the 32-bit sizes BLAS accepts");
  const T *a = c.in_data<T>(0), *b = c.in_data<T>(1);
  // One product (no batch axes): matmul's GEMM, so the einsum gives matmul's bits; a batch
  // of them: batch_gemm, whose small products skip BLAS's per-call cost.
  if (p.a_off.size() == 1) return gemm(p.ta, p.tb, p.m, p.n, p.k, a + p.a_off[0], p.lda, b + p.b_off[0], p.ldb,
                                       y + p.c_off[0], p.ldc);
  for_batches(int64_t(p.a_off.size()), p.m * p.n * p.k, [&](int64_t i) {
    batch_gemm(p.ta, p.tb, p.m, p.n, p.k, a + p.a_off[size_t(i)], p.lda, b + p.b_off[size_t(i)], p.ldb,
               y + p.c_off[size_t(i)], p.ldc);
  });
}

void einsum_matmul_kernel(OpCall& c) {
  Shape out;
  const auto l = EinsumMatMulLayout::decode(c.attrs.axes, c.in(0).shape(), c.in(1).shape(), c.name(), &out);
  if (c.in(0).dtype() == DType::float32) return einsum_matmul<float>(c, l);
  einsum_matmul<double>(c, l);
}

}  // namespace
}  // namespace keras::core::cpu

namespace keras::core {
void register_cpu_matmul_kernels() {
  register_kernel(OpId::EinsumMatMul, Device::Kind::CPU, cpu::einsum_matmul_kernel);
  declare_kernel_dtypes(OpId::EinsumMatMul, Device::Kind::CPU, {DType::float32, DType::float64});
  register_kernel(OpId::MatMul, Device::Kind::CPU, cpu::matmul_kernel);
  // bfloat16 natively (gemm.h: oneDNN's BF16 kernels); float16 through float32 (half_ops.h).
  declare_kernel_dtypes(OpId::MatMul, Device::Kind::CPU,
                        {DType::float32, DType::float64, DType::bfloat16, DType::int8, DType::int16, DType::int32,
                         DType::int64, DType::uint8, DType::uint16, DType::uint32, DType::complex64, DType::complex128});
  register_complex_kernel(OpId::MatMul, Device::Kind::CPU, cpu::matmul_kernel, infer_complex_matmul);
  register_kernel(OpId::FusedMatMul, Device::Kind::CPU, cpu::fused_matmul_kernel);
}
}  // namespace keras::core
