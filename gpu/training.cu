// training.cu - the fused optimizer updates on CUDA, one kernel each (launchers declared
// in gpu/kernels.h; formulas as core/cpu/simd/training.cpp, computed in the variable's
// dtype).
#include <cstdint>

#include "gpu/context.cuh"
#include "gpu/kernels.h"

namespace keras::core::cuda {
namespace {

template <class T>
__global__ void adam_kernel(T* w, const T* g, T* m, T* v, T* vh, int64_t n, T alpha, T c1, T c2, T eps) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    const T gi = g[i], m0 = m[i], v0 = v[i];
    const T mi = m0 + (gi - m0) * c1;
    T vi = v0 + (gi * gi - v0) * c2;
    m[i] = mi;
    v[i] = vi;
    if (vh) {
      vi = vh[i] > vi ? vh[i] : vi;
      vh[i] = vi;
    }
    w[i] = w[i] - alpha * mi / (sqrt(vi) + eps);
  }
}

template <class T>
__global__ void sgd_kernel(T* w, const T* g, T* m, int64_t n, T lr, T mom, bool nesterov) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    const T lg = lr * g[i];
    if (!m) {
      w[i] = w[i] - lg;
      continue;
    }
    const T mi = mom * m[i] - lg;
    m[i] = mi;
    w[i] = w[i] + (nesterov ? mom * mi - lg : mi);
  }
}

template <class T>
__global__ void scale_kernel(T* w, int64_t n, T k) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    w[i] = w[i] * k;
}

}  // namespace

void adam(Dt dt, void* w, const void* g, void* m, void* v, void* vh, int64_t n, double alpha, double b1, double b2,
          double eps, int device) {
  if (n == 0) return;
  DeviceGuard guard(device);
  const cudaStream_t st = context(device).stream;
  if (dt == Dt::f32)
    adam_kernel<float><<<grid_for(n), kBlock, 0, st>>>(
        static_cast<float*>(w), static_cast<const float*>(g), static_cast<float*>(m), static_cast<float*>(v),
        static_cast<float*>(vh), n, float(alpha), float(1.0 - b1), float(1.0 - b2), float(eps));
  else
    adam_kernel<double><<<grid_for(n), kBlock, 0, st>>>(
        static_cast<double*>(w), static_cast<const double*>(g), static_cast<double*>(m), static_cast<double*>(v),
        static_cast<double*>(vh), n, alpha, 1.0 - b1, 1.0 - b2, eps);
  check_launch("apply_adam", device);
}

void sgd(Dt dt, void* w, const void* g, void* m, int64_t n, double lr, double mom, bool nesterov, int device) {
  if (n == 0) return;
  DeviceGuard guard(device);
  const cudaStream_t st = context(device).stream;
  if (dt == Dt::f32)
    sgd_kernel<float><<<grid_for(n), kBlock, 0, st>>>(static_cast<float*>(w), static_cast<const float*>(g),
                                                      static_cast<float*>(m), n, float(lr), float(mom), nesterov);
  else
    sgd_kernel<double><<<grid_for(n), kBlock, 0, st>>>(static_cast<double*>(w), static_cast<const double*>(g),
                                                       static_cast<double*>(m), n, lr, mom, nesterov);
  check_launch("apply_sgd", device);
}

void scale(Dt dt, void* w, int64_t n, double k, int device) {
  if (n == 0) return;
  DeviceGuard guard(device);
  const cudaStream_t st = context(device).stream;
  if (dt == Dt::f32) scale_kernel<float><<<grid_for(n), kBlock, 0, st>>>(static_cast<float*>(w), n, float(k));
  else scale_kernel<double><<<grid_for(n), kBlock, 0, st>>>(static_cast<double*>(w), n, k);
  check_launch("apply_weight_decay", device);
}

}  // namespace keras::core::cuda
