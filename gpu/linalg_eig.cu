// linalg_eig.cu - the CUDA launcher of eig (gpu/linalg_kernels.h): cuSOLVER's Xgeev (the
// 64-bit API; LAPACK's geev, in real arithmetic, with part of its work on the host) on a
// column-major copy of each matrix, as the CPU kernel (core/cpu/eig.cpp) calls geev, then
// the CPU's unpacking of LAPACK's real layout into complex values on the device.
#include <vector>

#include "gpu/linalg.cuh"

namespace keras::core::cuda {
namespace {

using namespace linalg;

template <class T>
constexpr cudaDataType real_type() {
  return sizeof(T) == 4 ? CUDA_R_32F : CUDA_R_64F;
}

// geev's output, the CPU's way: wri holds the real parts then the imaginary parts; a
// complex pair (wi[j] > 0) is columns j (real part) and j + 1 (imaginary part) of vr,
// the second vector the conjugate of the first. ev and vec are complex, interleaved.
template <class T>
__global__ void eig_unpack_kernel(const T* wri, const T* vr, T* ev, T* vec, int64_t count, int64_t n) {
  for (int64_t b = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; b < count; b += int64_t(gridDim.x) * blockDim.x) {
    const T *wr = wri + b * 2 * n, *wi = wr + n, *v = vr + b * n * n;
    T *e = ev + b * 2 * n, *z = vec + b * 2 * n * n;
    for (int64_t j = 0; j < n; ++j) {
      e[2 * j] = wr[j];
      e[2 * j + 1] = wi[j];
      const T* col = v + j * n;
      if (wi[j] != T(0) && j + 1 < n && wi[j] > T(0)) {
        const T* next = col + n;
        for (int64_t r = 0; r < n; ++r) {
          z[2 * (r * n + j)] = col[r];
          z[2 * (r * n + j) + 1] = next[r];
          z[2 * (r * n + j + 1)] = col[r];
          z[2 * (r * n + j + 1) + 1] = -next[r];
        }
        e[2 * (j + 1)] = wr[j + 1];
        e[2 * (j + 1) + 1] = wi[j + 1];
        ++j;
      } else {
        for (int64_t r = 0; r < n; ++r) {
          z[2 * (r * n + j)] = col[r];
          z[2 * (r * n + j) + 1] = T(0);
        }
      }
    }
  }
}

// The parameters object of cuSOLVER's 64-bit API, destroyed at scope end.
class Params {
 public:
  explicit Params(int device) : device_(device) {
    check_cusolver(cusolver_api().create_params(&p_), "cusolverDnCreateParams", device);
  }
  ~Params() { (void)cusolver_api().destroy_params(p_); }
  Params(const Params&) = delete;
  Params& operator=(const Params&) = delete;
  cusolverDnParams_t get() const { return p_; }

 private:
  int device_;
  cusolverDnParams_t p_ = nullptr;
};

template <class T>
LinalgInfo eig_impl(const T* x, T* w, T* v, int64_t count, int64_t n, int device) {
  DeviceGuard guard(device);
  const DeviceContext& ctx = context(device);
  const int64_t nn = n * n;
  if (count * nn == 0) return {};
  DeviceScratch a(size_t(count * nn) * sizeof(T), device), vr(size_t(count * nn) * sizeof(T), device);
  DeviceScratch wri(size_t(count * 2 * n) * sizeof(T), device), info(size_t(count) * sizeof(int), device);
  zero_ints(info.as<int>(), count, ctx);
  transpose(x, a.as<T>(), count, n, n, nn, nn, ctx);  // row-major to column-major
  const CusolverApi& api = cusolver_api();
  cusolverDnHandle_t h = cusolver_handle(device);
  const Params params(device);
  const cudaDataType t = real_type<T>();
  size_t device_bytes = 0, host_bytes = 0;
  check_cusolver(api.xgeev_size(h, params.get(), CUSOLVER_EIG_MODE_NOVECTOR, CUSOLVER_EIG_MODE_VECTOR, n, t,
                                a.as<T>(), n, t, wri.as<T>(), t, nullptr, n, t, vr.as<T>(), n, t, &device_bytes,
                                &host_bytes),
                 "cusolverDnXgeev_bufferSize", device);
  DeviceScratch work(device_bytes, device);
  std::vector<char> host_work(host_bytes > 0 ? host_bytes : 1);
  for (int64_t b = 0; b < count; ++b)
    check_cusolver(api.xgeev(h, params.get(), CUSOLVER_EIG_MODE_NOVECTOR, CUSOLVER_EIG_MODE_VECTOR, n, t,
                             a.as<T>() + b * nn, n, t, wri.as<T>() + b * 2 * n, t, nullptr, n, t, vr.as<T>() + b * nn,
                             n, t, work.as<void>(), device_bytes, host_work.data(), host_bytes, info.as<int>() + b),
                   "cusolverDnXgeev", device);
  eig_unpack_kernel<T><<<grid_for(count), kBlock, 0, ctx.stream>>>(wri.as<T>(), vr.as<T>(), w, v, count, n);
  check_launch("eig unpack", device);
  return first_failure(info.as<int>(), count, ctx);  // synchronizes: host_work is in use until then
}

}  // namespace

LinalgInfo linalg_eig(Dt dt, const void* x, void* w, void* v, int64_t count, int64_t n, int device) {
  if (dt == Dt::f32)
    return eig_impl(static_cast<const float*>(x), static_cast<float*>(w), static_cast<float*>(v), count, n, device);
  return eig_impl(static_cast<const double*>(x), static_cast<double*>(w), static_cast<double*>(v), count, n, device);
}

}  // namespace keras::core::cuda
