// half.cu - float16 and bfloat16 on CUDA (launchers declared in gpu/kernels.h): casts to
// and from every dtype, fill, and matmul on cuBLAS with float32 accumulation. The other
// ops take half tensors through core/half_ops.h (cast to float32, the float32 kernel, cast
// back), on the GPU as on the CPU, so these three are what mixed precision needs there.
//
// Conversions follow core/half.h bit for bit: half to float is exact; float to half
// rounds to nearest even (CUDA's _rn intrinsics), double to half rounds once (CUDA's
// __double2half/__double2bfloat16 round the double directly, as the CPU's round-to-odd
// step through float does), and NaN becomes the CPU's quiet NaN pattern.
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstdint>
#include <type_traits>

#include "gpu/context.cuh"
#include "gpu/elementwise.cuh"
#include "gpu/cublas.cuh"
#include "gpu/kernels.h"

namespace keras::core::cuda {
namespace {

struct F16 {
  uint16_t bits;
};
struct BF16 {
  uint16_t bits;
};
template <class T>
inline constexpr bool is_half_v = std::is_same_v<T, F16> || std::is_same_v<T, BF16>;

__device__ float to_float(F16 v) { return __half2float(__ushort_as_half(v.bits)); }
__device__ float to_float(BF16 v) { return __uint_as_float(uint32_t(v.bits) << 16); }

// float -> half, nearest even; NaN as core/half.h writes it.
template <class H>
__device__ H half_from(float f) {
  const uint32_t x = __float_as_uint(f);
  if constexpr (std::is_same_v<H, F16>) {
    if ((x & 0x7fffffffu) > 0x7f800000u) return {uint16_t(((x >> 16) & 0x8000u) | 0x7e00u)};
    return {__half_as_ushort(__float2half_rn(f))};
  } else {
    if ((x & 0x7fffffffu) > 0x7f800000u) return {uint16_t((x >> 16) | 0x40u)};
    return {__bfloat16_as_ushort(__float2bfloat16_rn(f))};
  }
}

// double -> half, rounded once; NaN through float, as the CPU.
template <class H>
__device__ H half_from(double d) {
  if (d != d) return half_from<H>(float(d));
  if constexpr (std::is_same_v<H, F16>) return {__half_as_ushort(__double2half(d))};
  else return {__bfloat16_as_ushort(__double2bfloat16(d))};
}

template <class S, class D>
__global__ void cast_kernel(const S* x, D* y, int64_t n) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    if constexpr (is_half_v<S> && is_half_v<D>) y[i] = half_from<D>(to_float(x[i]));
    else if constexpr (is_half_v<S>) y[i] = convert_one<D>(to_float(x[i]));
    else if constexpr (std::is_same_v<S, float>) y[i] = half_from<D>(x[i]);
    else y[i] = half_from<D>(static_cast<double>(x[i]));
  }
}

__global__ void fill_bits_kernel(uint16_t* y, int64_t n, uint16_t bits) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    y[i] = bits;
}

// f(T{}) for the element type of a cast operand.
template <class F>
void by_cast_type(CastType t, F f) {
  if (!t.half) return by_dt(t.dt, f);
  if (t.h == HalfDt::f16) return f(F16{});
  return f(BF16{});
}

}  // namespace

void cast_half(CastType from, const void* x, CastType to, void* y, int64_t n, int device) {
  if (n == 0) return;
  DeviceGuard guard(device);
  const cudaStream_t st = context(device).stream;
  by_cast_type(from, [&](auto s_tag) {
    using S = decltype(s_tag);
    by_cast_type(to, [&](auto d_tag) {
      using D = decltype(d_tag);
      if constexpr (is_half_v<S> || is_half_v<D>)
        cast_kernel<S, D><<<grid_for(n), kBlock, 0, st>>>(static_cast<const S*>(x), static_cast<D*>(y), n);
    });
  });
  check_launch("cast (half)", device);
}

void fill_half(void* y, int64_t n, uint16_t bits, int device) {
  if (n == 0) return;
  DeviceGuard guard(device);
  fill_bits_kernel<<<grid_for(n), kBlock, 0, context(device).stream>>>(static_cast<uint16_t*>(y), n, bits);
  check_launch("fill (half)", device);
}

void matmul_half(HalfDt h, const void* a, const void* b, void* c, int64_t batch, const int64_t* a_off,
                 const int64_t* b_off, int64_t m, int64_t n, int64_t k, bool ta, bool tb, int device) {
  if (batch == 0 || m == 0 || n == 0) return;
  DeviceGuard guard(device);
  const DeviceContext& ctx = context(device);
  if (k == 0) {  // an empty contraction: zeros (+0 has the all-zero pattern)
    check(cudaMemsetAsync(c, 0, size_t(batch * m * n) * 2, ctx.stream), "cudaMemsetAsync(matmul)", device);
    return;
  }
  // Row-major operands through C^T = B^T A^T, as gpu/matmul.cu.
  const cudaDataType_t type = h == HalfDt::f16 ? CUDA_R_16F : CUDA_R_16BF;
  const float one = 1.0f, zero = 0.0f;
  const cublasOperation_t op_a = ta ? CUBLAS_OP_T : CUBLAS_OP_N, op_b = tb ? CUBLAS_OP_T : CUBLAS_OP_N;
  const int64_t lda = ta ? m : k, ldb = tb ? k : n, ldc = n;
  const auto* pa = static_cast<const uint16_t*>(a);
  const auto* pb = static_cast<const uint16_t*>(b);
  auto* pc = static_cast<uint16_t*>(c);
  const int64_t sa = uniform_stride(a_off, batch), sb = uniform_stride(b_off, batch);
  auto gemm = [&](const uint16_t* x, const uint16_t* w, uint16_t* out) {
    check_cublas(cublas_api().gemm_ex(ctx.cublas, op_b, op_a, int(n), int(m), int(k), &one, w, type, int(ldb), x, type,
                                      int(lda), &zero, out, type, int(ldc), CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT),
                 "cublasGemmEx (half)", device);
  };
  if (batch == 1) return gemm(pa + a_off[0], pb + b_off[0], pc);
  if (sa >= 0 && sb >= 0) {
    check_cublas(cublas_api().gemm_strided_batched_ex(ctx.cublas, op_b, op_a, int(n), int(m), int(k), &one,
                                                      pb + b_off[0], type, int(ldb), sb, pa + a_off[0], type, int(lda),
                                                      sa, &zero, pc, type, int(ldc), m * n, int(batch),
                                                      CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT),
                 "cublasGemmStridedBatchedEx (half)", device);
    return;
  }
  for (int64_t i = 0; i < batch; ++i) gemm(pa + a_off[i], pb + b_off[i], pc + i * m * n);
}

}  // namespace keras::core::cuda
