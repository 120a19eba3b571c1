// linalg_solve.cu - CUDA launchers of the LU family, Cholesky and the triangular solve
// (gpu/linalg_kernels.h): cuSOLVER's getrf / getrs / potrf and cuBLAS's trsm, one call per
// matrix of a batch on the device's stream (Cholesky and the triangular solve: one
// potrfBatched / trsmBatched call for a batch),
// with the CPU kernels' conventions
// (core/cpu/linalg_solve.cpp).
//
// A row-major (n, n) matrix is the column-major A^T. As on the CPU: det(A^T) = det(A);
// inv(A^T) solved against the identity is inv(A)^T, i.e. inv(A) read row-major; potrf
// with uplo 'U' on A^T reads A's lower triangle and leaves L = U^T; getrf on A^T with
// getrs transposed solves A x = b on a column-major copy of b; lu_factor factors a
// column-major copy of A itself. The pivots come back 1-based (LAPACK's) and are turned
// into the CPU's row permutation on the device.
#include <cmath>
#include <limits>
#include <type_traits>
#include <vector>

#include "gpu/cublas.cuh"
#include "gpu/linalg.cuh"

namespace keras::core::cuda {
namespace {

using namespace linalg;

// Factors `count` column-major (n, n) matrices at a in place: pivots ipiv (n per matrix,
// 1-based) and infos (one per matrix).
template <class T>
void getrf_all(T* a, int* ipiv, int* info, int64_t count, int n, const DeviceContext& ctx) {
  if (n == 0 || count == 0) return;
  const CusolverApi& api = cusolver_api();
  cusolverDnHandle_t h = cusolver_handle(ctx.device);
  int lwork = 0;
  check_cusolver(pick<T>(api.getrf_size)(h, n, n, a, n, &lwork), "cusolverDn getrf_bufferSize", ctx.device);
  DeviceScratch work(size_t(lwork) * sizeof(T), ctx.device);
  const int64_t nn = int64_t(n) * n;
  for (int64_t b = 0; b < count; ++b)
    check_cusolver(pick<T>(api.getrf)(h, n, n, a + b * nn, n, work.as<T>(), ipiv + b * n, info + b),
                   "cusolverDn getrf", ctx.device);
}

// Solves with getrf's factors: rhs (n, k) column-major per matrix, overwritten.
template <class T>
void getrs_all(const T* a, const int* ipiv, T* rhs, int64_t count, int n, int k, bool transpose,
               const DeviceContext& ctx) {
  if (n == 0 || k == 0 || count == 0) return;
  const CusolverApi& api = cusolver_api();
  cusolverDnHandle_t h = cusolver_handle(ctx.device);
  DeviceScratch status(size_t(count) * sizeof(int), ctx.device);  // getrs reports bad arguments only
  const int64_t nn = int64_t(n) * n, nk = int64_t(n) * k;
  for (int64_t b = 0; b < count; ++b)
    check_cusolver(pick<T>(api.getrs)(h, transpose ? CUBLAS_OP_T : CUBLAS_OP_N, n, k, a + b * nn, n, ipiv + b * n,
                                      rhs + b * nk, n, status.as<int>() + b),
                   "cusolverDn getrs", ctx.device);
}

// first_nan[b]: the first row (0-based) whose lower-triangle part holds NaN, n if none.
template <class T>
__global__ void nan_rows_kernel(const T* x, int* first_nan, int64_t count, int64_t n) {
  const int64_t total = count * n * n;
  for (int64_t t = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; t < total; t += int64_t(gridDim.x) * blockDim.x) {
    const int64_t b = t / (n * n), i = (t / n) % n, j = t % n;
    if (j <= i && isnan(x[t])) atomicMin(first_nan + b, int(i));
  }
}

template <class T>
__global__ void zero_upper_kernel(T* y, int64_t count, int64_t n) {
  const int64_t total = count * n * n;
  for (int64_t t = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; t < total; t += int64_t(gridDim.x) * blockDim.x)
    if (t % n > (t / n) % n) y[t] = T(0);
}

// The CPU's info: its potrf (OpenBLAS) stops at the first minor that is not positive,
// compares NaN as passing and so propagates it down the diagonal, where the kernel then
// reports -1. Minors before the first row holding NaN are the same computation here;
// from that row on, the CPU's answer is -1 whatever cuSOLVER's NaN handling reports.
template <class T>
__global__ void cholesky_info_kernel(const T* y, int* info, const int* first_nan, int64_t count, int64_t n) {
  for (int64_t b = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; b < count; b += int64_t(gridDim.x) * blockDim.x) {
    const int k = info[b], r = first_nan[b];
    if (k > 0 && k <= r) continue;
    if (r < n) {
      info[b] = -1;
      continue;
    }
    if (k != 0) continue;
    for (int64_t i = 0; i < n; ++i)
      if (isnan(y[b * n * n + i * (n + 1)])) {
        info[b] = -1;
        break;
      }
  }
}

// potrf with uplo 'U' on each column-major (n, n) matrix at y, one call per matrix.
template <class T>
void potrf_each(T* y, int* info, int64_t count, int n, const DeviceContext& ctx) {
  const CusolverApi& api = cusolver_api();
  cusolverDnHandle_t h = cusolver_handle(ctx.device);
  int lwork = 0;
  check_cusolver(pick<T>(api.potrf_size)(h, CUBLAS_FILL_MODE_UPPER, n, y, n, &lwork), "cusolverDn potrf_bufferSize",
                 ctx.device);
  DeviceScratch work(size_t(lwork) * sizeof(T), ctx.device);
  const int64_t nn = int64_t(n) * n;
  for (int64_t b = 0; b < count; ++b)
    check_cusolver(pick<T>(api.potrf)(h, CUBLAS_FILL_MODE_UPPER, n, y + b * nn, n, work.as<T>(), lwork, info + b),
                   "cusolverDn potrf", ctx.device);
}

// The same in one potrfBatched call (a batch of small matrices is launch-bound one by
// one): the same factor up to rounding and the same info (the order of the first minor
// that is not positive). potrfBatched uses the other triangle as workspace, which the
// caller zeroes anyway. False, with the status checked, where cuSOLVER refuses the call
// (a batch past int, or an invalid-value or not-supported status): potrf_each then runs.
template <class T>
bool potrf_batched(T* y, int* info, int64_t count, int n, const DeviceContext& ctx) {
  if (count < 2 || count > int64_t(std::numeric_limits<int>::max())) return false;
  const int64_t nn = int64_t(n) * n;
  std::vector<T*> at(static_cast<size_t>(count));
  for (int64_t b = 0; b < count; ++b) at[size_t(b)] = y + b * nn;
  DeviceScratch ptrs(at.size() * sizeof(T*), ctx.device);
  check(cudaMemcpyAsync(ptrs.as<T*>(), at.data(), at.size() * sizeof(T*), cudaMemcpyHostToDevice, ctx.stream),
        "cudaMemcpyAsync (cholesky batch)", ctx.device);
  const cusolverStatus_t s = pick<T>(cusolver_api().potrf_batched)(cusolver_handle(ctx.device), CUBLAS_FILL_MODE_UPPER,
                                                                   n, ptrs.as<T*>(), n, info, int(count));
  if (s == CUSOLVER_STATUS_INVALID_VALUE || s == CUSOLVER_STATUS_NOT_SUPPORTED) return false;
  check_cusolver(s, "cusolverDn potrfBatched", ctx.device);
  return true;
}

template <class T>
LinalgInfo cholesky_impl(const T* x, T* y, int64_t count, int n, int device) {
  DeviceGuard guard(device);
  const DeviceContext& ctx = context(device);
  const int64_t nn = int64_t(n) * n;
  if (count * nn == 0) return {};
  copy<T>(x, y, count * nn, ctx);
  DeviceScratch ints(size_t(2 * count) * sizeof(int), device);
  int *info = ints.as<int>(), *first_nan = info + count;
  zero_ints(info, count, ctx);
  std::vector<int> none(static_cast<size_t>(count), n);
  check(cudaMemcpyAsync(first_nan, none.data(), none.size() * sizeof(int), cudaMemcpyHostToDevice, ctx.stream),
        "cudaMemcpyAsync (cholesky)", device);
  nan_rows_kernel<T><<<grid_for(count * nn), kBlock, 0, ctx.stream>>>(x, first_nan, count, n);
  check_launch("cholesky nan rows", device);
  if (!potrf_batched(y, info, count, n, ctx)) {
    copy<T>(x, y, count * nn, ctx);  // as given, whatever a refused batched call touched
    zero_ints(info, count, ctx);
    potrf_each(y, info, count, n, ctx);
  }
  zero_upper_kernel<T><<<grid_for(count * nn), kBlock, 0, ctx.stream>>>(y, count, n);
  check_launch("cholesky zero upper", device);
  cholesky_info_kernel<T><<<grid_for(count), kBlock, 0, ctx.stream>>>(y, info, first_nan, count, n);
  check_launch("cholesky info", device);
  return first_failure(info, count, ctx);
}

// The CPU's permutation: start from the identity, apply LAPACK's row swaps in order, then
// perm[rows[i]] = i. One thread per matrix (rows: n ints of scratch each).
__global__ void lu_perm_kernel(const int* ipiv, int* rows, int32_t* perm, int64_t count, int64_t n) {
  for (int64_t b = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; b < count; b += int64_t(gridDim.x) * blockDim.x) {
    int* r = rows + b * n;
    for (int64_t i = 0; i < n; ++i) r[i] = int(i);
    for (int64_t i = 0; i < n; ++i) {
      const int64_t j = ipiv[b * n + i] - 1, t = r[i];
      if (j < 0 || j >= n) continue;  // never from getrf; no write out of bounds if it were
      r[i] = r[j];
      r[j] = int(t);
    }
    for (int64_t i = 0; i < n; ++i) perm[b * n + r[i]] = int32_t(i);
  }
}

template <class T>
void lu_factor_impl(const T* x, T* lu, int32_t* perm, int64_t count, int n, int device) {
  DeviceGuard guard(device);
  const DeviceContext& ctx = context(device);
  const int64_t nn = int64_t(n) * n;
  if (count * nn == 0) return;
  DeviceScratch a(size_t(count * nn) * sizeof(T), device);
  DeviceScratch ints(size_t(count * (2 * n + 1)) * sizeof(int), device);
  int *ipiv = ints.as<int>(), *rows = ipiv + count * n, *info = rows + count * n;
  transpose(x, a.as<T>(), count, n, n, nn, nn, ctx);  // column-major A
  getrf_all(a.as<T>(), ipiv, info, count, n, ctx);
  transpose(a.as<T>(), lu, count, n, n, nn, nn, ctx);
  lu_perm_kernel<<<grid_for(count), kBlock, 0, ctx.stream>>>(ipiv, rows, perm, count, n);
  check_launch("lu_factor permutation", device);
}

// det or (sign, log|det|) from getrf's factors, in the CPU kernel's order of operations.
// A singular matrix's determinant is the product up to its first zero pivot (info): the
// CPU's LAPACK leaves the later pivots finite, where a GPU factorization may have divided
// by that zero; the sign (0) and log|det| (-inf) do not depend on them.
template <class T>
__global__ void det_kernel(const T* a, const int* ipiv, const int* info, T* det_or_sign, T* logabs, int64_t count,
                           int64_t n) {
  for (int64_t b = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; b < count; b += int64_t(gridDim.x) * blockDim.x) {
    T perm = 1, sign = 1, log_sum = 0, prod = 1;
    const int64_t zero_at = info[b] > 0 ? info[b] : n;  // 1-based: the first zero pivot
    for (int64_t i = 0; i < n; ++i) {
      const T d = a[b * n * n + i * (n + 1)];
      if (ipiv[b * n + i] != i + 1) perm = -perm;
      sign *= d < 0 ? T(-1) : (d > 0 ? T(1) : T(0));
      log_sum += log(fabs(d));
      if (i < zero_at) prod *= d;
    }
    if (logabs != nullptr) {
      det_or_sign[b] = perm * sign;
      logabs[b] = info[b] > 0 ? -INFINITY : log_sum;
    } else {
      det_or_sign[b] = perm * prod;
    }
  }
}

template <class T>
void det_impl(const T* x, T* det_or_sign, T* logabs, int64_t count, int n, int device) {
  DeviceGuard guard(device);
  const DeviceContext& ctx = context(device);
  if (count == 0) return;
  const int64_t nn = int64_t(n) * n;
  DeviceScratch a(size_t(count * nn) * sizeof(T), device);
  DeviceScratch ints(size_t(count * (n + 1)) * sizeof(int), device);
  int *ipiv = ints.as<int>(), *info = ipiv + count * n;
  zero_ints(info, count, ctx);
  copy<T>(x, a.as<T>(), count * nn, ctx);
  getrf_all(a.as<T>(), ipiv, info, count, n, ctx);
  det_kernel<T><<<grid_for(count), kBlock, 0, ctx.stream>>>(a.as<T>(), ipiv, info, det_or_sign, logabs, count, n);
  check_launch("det", device);
}

template <class T>
LinalgInfo inv_impl(const T* x, T* y, int64_t count, int n, int device) {
  DeviceGuard guard(device);
  const DeviceContext& ctx = context(device);
  const int64_t nn = int64_t(n) * n;
  if (count * nn == 0) return {};
  DeviceScratch a(size_t(count * nn) * sizeof(T), device);
  DeviceScratch ints(size_t(count * (n + 1)) * sizeof(int), device);
  int *ipiv = ints.as<int>(), *info = ipiv + count * n;
  zero_ints(info, count, ctx);
  copy<T>(x, a.as<T>(), count * nn, ctx);
  identity(y, count, n, n, ctx);
  getrf_all(a.as<T>(), ipiv, info, count, n, ctx);
  getrs_all(a.as<T>(), ipiv, y, count, n, n, false, ctx);
  return first_failure(info, count, ctx);
}

template <class T>
LinalgInfo solve_impl(const T* pa, const T* pb, T* y, int64_t count, int n, int k, bool adjoint, int device) {
  DeviceGuard guard(device);
  const DeviceContext& ctx = context(device);
  const int64_t nn = int64_t(n) * n, nk = int64_t(n) * k;
  if (count * nk == 0) return {};
  DeviceScratch a(size_t(count * nn) * sizeof(T), device), rhs(size_t(count * nk) * sizeof(T), device);
  DeviceScratch ints(size_t(count * (n + 1)) * sizeof(int), device);
  int *ipiv = ints.as<int>(), *info = ipiv + count * n;
  zero_ints(info, count, ctx);
  copy<T>(pa, a.as<T>(), count * nn, ctx);
  transpose(pb, rhs.as<T>(), count, n, k, nk, nk, ctx);
  getrf_all(a.as<T>(), ipiv, info, count, n, ctx);
  getrs_all(a.as<T>(), ipiv, rhs.as<T>(), count, n, k, !adjoint, ctx);
  transpose(rhs.as<T>(), y, count, k, n, nk, nk, ctx);
  return first_failure(info, count, ctx);
}

// Row-major op(A) X = B is, column-major, X^T op(A^T) = B^T: trsm from the right with the
// stored A^T, whose triangle is the other one.
// One trsmBatched call for a batch (a launch per matrix leaves a batch of small systems
// launch-bound): the same substitution per matrix. False where cuBLAS refuses the call
// (a batch past int, an invalid-value or not-supported status), with nothing run.
template <class T>
bool trsm_batched(const T* pa, T* y, int64_t count, int n, int k, cublasFillMode_t fill, cublasOperation_t op,
                  const DeviceContext& ctx) {
  if (count < 2 || count > int64_t(std::numeric_limits<int>::max())) return false;
  const int64_t nn = int64_t(n) * n, nk = int64_t(n) * k;
  // The matrices (read only: cuBLAS takes them as const T* const*), then the right-hand sides.
  std::vector<T*> at(static_cast<size_t>(2 * count));
  for (int64_t b = 0; b < count; ++b) {
    at[size_t(b)] = const_cast<T*>(pa + b * nn);
    at[size_t(count + b)] = y + b * nk;
  }
  DeviceScratch ptrs(at.size() * sizeof(T*), ctx.device);
  check(cudaMemcpyAsync(ptrs.as<T*>(), at.data(), at.size() * sizeof(T*), cudaMemcpyHostToDevice, ctx.stream),
        "cudaMemcpyAsync (solve_triangular batch)", ctx.device);
  T* const* as = ptrs.as<T*>();
  T* const* bs = as + count;
  const T one = 1;
  cublasStatus_t s;
  if constexpr (std::is_same_v<T, float>)
    s = cublas_api().strsm_batched(ctx.cublas, CUBLAS_SIDE_RIGHT, fill, op, CUBLAS_DIAG_NON_UNIT, k, n, &one, as, n,
                                   bs, k, int(count));
  else
    s = cublas_api().dtrsm_batched(ctx.cublas, CUBLAS_SIDE_RIGHT, fill, op, CUBLAS_DIAG_NON_UNIT, k, n, &one, as, n,
                                   bs, k, int(count));
  if (s == CUBLAS_STATUS_INVALID_VALUE || s == CUBLAS_STATUS_NOT_SUPPORTED) return false;
  check_cublas(s, "cublas trsmBatched", ctx.device);
  return true;
}

template <class T>
void solve_triangular_impl(const T* pa, const T* pb, T* y, int64_t count, int n, int k, bool lower, bool adjoint,
                           int device) {
  DeviceGuard guard(device);
  const DeviceContext& ctx = context(device);
  const int64_t nn = int64_t(n) * n, nk = int64_t(n) * k;
  if (count * nk == 0) return;
  copy<T>(pb, y, count * nk, ctx);
  const T one = 1;
  const cublasFillMode_t fill = lower ? CUBLAS_FILL_MODE_UPPER : CUBLAS_FILL_MODE_LOWER;
  const cublasOperation_t op = adjoint ? CUBLAS_OP_T : CUBLAS_OP_N;
  if (trsm_batched(pa, y, count, n, k, fill, op, ctx)) return;
  for (int64_t b = 0; b < count; ++b) {
    cublasStatus_t s;
    if constexpr (std::is_same_v<T, float>)
      s = cublas_api().strsm(ctx.cublas, CUBLAS_SIDE_RIGHT, fill, op, CUBLAS_DIAG_NON_UNIT, k, n, &one, pa + b * nn, n,
                             y + b * nk, k);
    else
      s = cublas_api().dtrsm(ctx.cublas, CUBLAS_SIDE_RIGHT, fill, op, CUBLAS_DIAG_NON_UNIT, k, n, &one, pa + b * nn, n,
                             y + b * nk, k);
    check_cublas(s, "cublas trsm", device);
  }
}

}  // namespace

LinalgInfo linalg_cholesky(Dt dt, const void* x, void* l, int64_t count, int64_t n, int device) {
  if (dt == Dt::f32) return cholesky_impl(static_cast<const float*>(x), static_cast<float*>(l), count, int(n), device);
  return cholesky_impl(static_cast<const double*>(x), static_cast<double*>(l), count, int(n), device);
}

void linalg_lu_factor(Dt dt, const void* x, void* lu, int32_t* perm, int64_t count, int64_t n, int device) {
  if (dt == Dt::f32)
    return lu_factor_impl(static_cast<const float*>(x), static_cast<float*>(lu), perm, count, int(n), device);
  lu_factor_impl(static_cast<const double*>(x), static_cast<double*>(lu), perm, count, int(n), device);
}

void linalg_det(Dt dt, const void* x, void* det_or_sign, void* logabs, int64_t count, int64_t n, int device) {
  if (dt == Dt::f32)
    return det_impl(static_cast<const float*>(x), static_cast<float*>(det_or_sign), static_cast<float*>(logabs), count,
                    int(n), device);
  det_impl(static_cast<const double*>(x), static_cast<double*>(det_or_sign), static_cast<double*>(logabs), count,
           int(n), device);
}

LinalgInfo linalg_inv(Dt dt, const void* x, void* y, int64_t count, int64_t n, int device) {
  if (dt == Dt::f32) return inv_impl(static_cast<const float*>(x), static_cast<float*>(y), count, int(n), device);
  return inv_impl(static_cast<const double*>(x), static_cast<double*>(y), count, int(n), device);
}

LinalgInfo linalg_solve(Dt dt, const void* a, const void* b, void* y, int64_t count, int64_t n, int64_t k,
                        bool adjoint, int device) {
  if (dt == Dt::f32)
    return solve_impl(static_cast<const float*>(a), static_cast<const float*>(b), static_cast<float*>(y), count, int(n),
                      int(k), adjoint, device);
  return solve_impl(static_cast<const double*>(a), static_cast<const double*>(b), static_cast<double*>(y), count,
                    int(n), int(k), adjoint, device);
}

void linalg_solve_triangular(Dt dt, const void* a, const void* b, void* y, int64_t count, int64_t n, int64_t k,
                             bool lower, bool adjoint, int device) {
  if (dt == Dt::f32)
    return solve_triangular_impl(static_cast<const float*>(a), static_cast<const float*>(b), static_cast<float*>(y),
                                 count, int(n), int(k), lower, adjoint, device);
  solve_triangular_impl(static_cast<const double*>(a), static_cast<const double*>(b), static_cast<double*>(y), count,
                        int(n), int(k), lower, adjoint, device);
}

}  // namespace keras::core::cuda
