// linalg_decomp.cu - CUDA launchers of QR, SVD and eigh (gpu/linalg_kernels.h):
// cuSOLVER's geqrf + orgqr, gesvd and syevd, one call per matrix of a batch on the
// device's stream, with the CPU kernels' outputs (core/cpu/linalg_decomp.cpp). Singular
// vectors and eigenvectors are each determined up to sign, and neither device
// normalizes them: the two may differ in those signs (the products they form agree).
#include <algorithm>

#include "gpu/linalg.cuh"

namespace keras::core::cuda {
namespace {

using namespace linalg;

// r (mq, n) = the upper triangle of the first mq rows of geqrf's column-major a (lda m).
template <class T>
__global__ void r_kernel(const T* a, T* r, int64_t count, int64_t m, int64_t n, int64_t mq, int64_t a_stride) {
  const int64_t total = count * mq * n;
  for (int64_t t = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; t < total; t += int64_t(gridDim.x) * blockDim.x) {
    const int64_t b = t / (mq * n), i = (t / n) % mq, j = t % n;
    r[t] = i <= j ? a[b * a_stride + j * m + i] : T(0);
  }
}

// The CPU's layout: a column-major copy of (m, n) in a buffer of max(n, mq) columns
// (orgqr forms mq columns of Q in it), R from its upper triangle, then Q transposed out.
template <class T>
LinalgInfo qr_impl(const T* x, T* q, T* r, int64_t count, int m, int n, bool complete, int device) {
  DeviceGuard guard(device);
  const DeviceContext& ctx = context(device);
  const int k = std::min(m, n), mq = complete ? m : k;
  if (count == 0 || m == 0) return {};
  if (k == 0) {
    identity(q, count, m, mq, ctx);
    return {};
  }
  const int64_t stride = int64_t(m) * std::max(n, mq);
  DeviceScratch a(size_t(count * stride) * sizeof(T), device), tau(size_t(count * k) * sizeof(T), device);
  DeviceScratch info(size_t(count) * sizeof(int), device);
  zero_ints(info.as<int>(), count, ctx);
  transpose(x, a.as<T>(), count, m, n, int64_t(m) * n, stride, ctx);
  const CusolverApi& api = cusolver_api();
  cusolverDnHandle_t h = cusolver_handle(device);
  int l1 = 0, l2 = 0;
  check_cusolver(pick<T>(api.geqrf_size)(h, m, n, a.as<T>(), m, &l1), "cusolverDn geqrf_bufferSize", device);
  check_cusolver(pick<T>(api.orgqr_size)(h, m, mq, k, a.as<T>(), m, tau.as<T>(), &l2), "cusolverDn orgqr_bufferSize",
                 device);
  const int lwork = std::max(l1, l2);
  DeviceScratch work(size_t(lwork) * sizeof(T), device);
  for (int64_t b = 0; b < count; ++b)
    check_cusolver(pick<T>(api.geqrf)(h, m, n, a.as<T>() + b * stride, m, tau.as<T>() + b * k, work.as<T>(), lwork,
                                      info.as<int>() + b),
                   "cusolverDn geqrf", device);
  const int64_t rn = count * mq * n;
  if (rn > 0) {
    r_kernel<T><<<grid_for(rn), kBlock, 0, ctx.stream>>>(a.as<T>(), r, count, m, n, mq, stride);
    check_launch("qr r", device);
  }
  for (int64_t b = 0; b < count; ++b)
    check_cusolver(pick<T>(api.orgqr)(h, m, mq, k, a.as<T>() + b * stride, m, tau.as<T>() + b * k, work.as<T>(),
                                      lwork, info.as<int>() + b),
                   "cusolverDn orgqr", device);
  transpose(a.as<T>(), q, count, mq, m, stride, int64_t(m) * mq, ctx);  // column-major (m, mq) to row-major
  return first_failure(info.as<int>(), count, ctx);
}

// gesvd takes rows >= columns only. A wide or square row-major (m, n) is the column-major
// (n, m) A^T = U' S V'^T, so A = V' S U'^T and gesvd writes vh = U'^T and u = V' straight
// into the row-major outputs (the CPU's gesdd call). A tall one is transposed to the
// column-major A = U S V^T, and its U and V^T are transposed out.
template <class T>
LinalgInfo svd_impl(const T* x, T* u, T* s, T* vh, int64_t count, int m, int n, bool full, bool uv, int device) {
  DeviceGuard guard(device);
  const DeviceContext& ctx = context(device);
  const int k = std::min(m, n), mu = full ? m : k, nv = full ? n : k;
  if (count == 0) return {};
  if (k == 0) {
    if (uv) identity(u, count, m, mu, ctx), identity(vh, count, nv, n, ctx);
    return {};
  }
  const bool tall = m > n;
  const int rows = tall ? m : n, cols = tall ? n : m;  // the column-major matrix gesvd factors
  const int ucols = full ? rows : k;                    // its U: (rows, ucols); its V^T: (cols, cols)
  const int64_t mn = int64_t(m) * n;
  DeviceScratch a(size_t(count * mn) * sizeof(T), device), info(size_t(count) * sizeof(int), device);
  DeviceScratch rwork(size_t(k) * sizeof(T), device);
  // The tall case's U and V^T before their transposes; one element where unused.
  const int64_t ub_size = tall && uv ? int64_t(rows) * ucols : 1, vb_size = tall && uv ? int64_t(cols) * cols : 1;
  DeviceScratch ubuf(size_t(ub_size) * sizeof(T), device), vbuf(size_t(vb_size) * sizeof(T), device);
  zero_ints(info.as<int>(), count, ctx);
  if (tall) transpose(x, a.as<T>(), count, m, n, mn, mn, ctx);
  else copy<T>(x, a.as<T>(), count * mn, ctx);
  const CusolverApi& api = cusolver_api();
  cusolverDnHandle_t h = cusolver_handle(device);
  int lwork = 0;
  check_cusolver(pick<T>(api.gesvd_size)(h, rows, cols, &lwork), "cusolverDn gesvd_bufferSize", device);
  DeviceScratch work(size_t(lwork) * sizeof(T), device);
  const signed char jobu = !uv ? 'N' : (full ? 'A' : 'S'), jobvt = uv ? 'A' : 'N';
  const int64_t u_size = int64_t(m) * mu, vh_size = int64_t(nv) * n;
  for (int64_t b = 0; b < count; ++b) {
    T* ub = !uv ? ubuf.as<T>() : tall ? ubuf.as<T>() : vh + b * vh_size;
    T* vtb = !uv ? vbuf.as<T>() : tall ? vbuf.as<T>() : u + b * u_size;
    check_cusolver(pick<T>(api.gesvd)(h, jobu, jobvt, rows, cols, a.as<T>() + b * mn, rows, s + b * k, ub, rows, vtb,
                                      cols, work.as<T>(), lwork, rwork.as<T>(), info.as<int>() + b),
                   "cusolverDn gesvd", device);
    if (tall && uv) {
      transpose(ubuf.as<T>(), u + b * u_size, 1, ucols, rows, 0, 0, ctx);  // column-major (m, mu) to row-major
      transpose(vbuf.as<T>(), vh + b * vh_size, 1, cols, cols, 0, 0, ctx);
    }
  }
  return first_failure(info.as<int>(), count, ctx);
}

// syevd with uplo 'U' on the column-major A^T reads A's lower triangle (the CPU's call);
// the column-major eigenvectors are transposed into the row-major v.
template <class T>
LinalgInfo eigh_impl(const T* x, T* w, T* v, int64_t count, int n, int device) {
  DeviceGuard guard(device);
  const DeviceContext& ctx = context(device);
  const int64_t nn = int64_t(n) * n;
  if (count * nn == 0) return {};
  DeviceScratch a(size_t(count * nn) * sizeof(T), device), info(size_t(count) * sizeof(int), device);
  zero_ints(info.as<int>(), count, ctx);
  copy<T>(x, a.as<T>(), count * nn, ctx);
  const CusolverApi& api = cusolver_api();
  cusolverDnHandle_t h = cusolver_handle(device);
  int lwork = 0;
  check_cusolver(pick<T>(api.syevd_size)(h, CUSOLVER_EIG_MODE_VECTOR, CUBLAS_FILL_MODE_UPPER, n, a.as<T>(), n, w,
                                         &lwork),
                 "cusolverDn syevd_bufferSize", device);
  DeviceScratch work(size_t(lwork) * sizeof(T), device);
  for (int64_t b = 0; b < count; ++b)
    check_cusolver(pick<T>(api.syevd)(h, CUSOLVER_EIG_MODE_VECTOR, CUBLAS_FILL_MODE_UPPER, n, a.as<T>() + b * nn, n,
                                      w + b * n, work.as<T>(), lwork, info.as<int>() + b),
                   "cusolverDn syevd", device);
  transpose(a.as<T>(), v, count, n, n, nn, nn, ctx);
  return first_failure(info.as<int>(), count, ctx);
}

}  // namespace

LinalgInfo linalg_qr(Dt dt, const void* x, void* q, void* r, int64_t count, int64_t m, int64_t n, bool complete,
                     int device) {
  if (dt == Dt::f32)
    return qr_impl(static_cast<const float*>(x), static_cast<float*>(q), static_cast<float*>(r), count, int(m), int(n),
                   complete, device);
  return qr_impl(static_cast<const double*>(x), static_cast<double*>(q), static_cast<double*>(r), count, int(m),
                 int(n), complete, device);
}

LinalgInfo linalg_svd(Dt dt, const void* x, void* u, void* s, void* vh, int64_t count, int64_t m, int64_t n,
                      bool full, bool uv, int device) {
  if (dt == Dt::f32)
    return svd_impl(static_cast<const float*>(x), static_cast<float*>(u), static_cast<float*>(s),
                    static_cast<float*>(vh), count, int(m), int(n), full, uv, device);
  return svd_impl(static_cast<const double*>(x), static_cast<double*>(u), static_cast<double*>(s),
                  static_cast<double*>(vh), count, int(m), int(n), full, uv, device);
}

LinalgInfo linalg_eigh(Dt dt, const void* x, void* w, void* v, int64_t count, int64_t n, int device) {
  if (dt == Dt::f32)
    return eigh_impl(static_cast<const float*>(x), static_cast<float*>(w), static_cast<float*>(v), count, int(n),
                     device);
  return eigh_impl(static_cast<const double*>(x), static_cast<double*>(w), static_cast<double*>(v), count, int(n),
                   device);
}

}  // namespace keras::core::cuda
