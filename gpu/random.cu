// random.cu - random_uniform, random_normal and truncated_normal on CUDA with the CPU
// kernels' counter-based generator (core/cpu/creation.cpp): element i depends only on
// (seed, i), so the numbers do not depend on the launch shape, and equal the CPU's. A
// counter input's seed is derived in the kernel (kmath::derive_seed of the counter in
// device memory), so a random op never waits for the host.
#include <cstdint>
#include <type_traits>

#include "core/kernel_math.h"
#include "gpu/context.cuh"
#include "gpu/kernels.h"

namespace keras::core::cuda {
namespace {

using Block = kmath::PhiloxBlock;
using kmath::bits64;
using kmath::philox;
using kmath::unit53;

__device__ double normal_from(const Block& b) {
  const double u1 = 1.0 - unit53(b.w[0], b.w[1]);
  const double u2 = unit53(b.w[2], b.w[3]);
  return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

// v rounded to T, nudged into [lo, hi) if rounding left it.
template <class T>
__device__ T into_half_open(double v, double lo, double hi) {
  T t = static_cast<T>(v);
  while (double(t) >= hi) t = nextafter(t, T(-INFINITY));
  while (double(t) < lo) t = nextafter(t, T(INFINITY));
  return t;
}

// The op's seed: `seed`, or the one derived from it and the counter when there is one.
__device__ uint64_t op_seed(uint64_t seed, const int64_t* counter) {
  return counter ? kmath::derive_seed(static_cast<int64_t>(seed), *counter) : seed;
}

template <class T>
__global__ void uniform_kernel(T* out, int64_t n, uint64_t seed0, const int64_t* counter, double lo, double hi,
                               int64_t ilo, uint64_t width) {
  const uint64_t seed = op_seed(seed0, counter);
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    const Block r = philox(seed, uint64_t(i), 0);
    if constexpr (std::is_same_v<T, float>) {
      const double u = double(r.w[0] >> 8) * 0x1.0p-24;
      out[i] = into_half_open<float>(lo + u * (hi - lo), lo, hi);
    } else if constexpr (std::is_same_v<T, double>) {
      out[i] = into_half_open<double>(lo + unit53(r.w[0], r.w[1]) * (hi - lo), lo, hi);
    } else {
      const uint64_t bits = bits64(r.w[0], r.w[1]);
      out[i] = static_cast<T>(static_cast<int64_t>(uint64_t(ilo) + (width ? bits % width : bits)));
    }
  }
}

template <class T>
__global__ void normal_kernel(T* out, int64_t n, uint64_t seed0, const int64_t* counter, double mean, double stddev,
                              bool truncated) {
  const uint64_t seed = op_seed(seed0, counter);
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    double z = normal_from(philox(seed, uint64_t(i), 0));
    for (uint32_t attempt = 1; truncated && fabs(z) > 2.0; ++attempt)
      z = attempt < 64 ? normal_from(philox(seed, uint64_t(i), attempt)) : 0.0;
    out[i] = static_cast<T>(mean + stddev * z);
  }
}

}  // namespace

void random_uniform(Dt dt, void* y, int64_t n, uint64_t seed, const int64_t* counter, double lo, double hi,
                    int device) {
  if (n == 0) return;
  DeviceGuard guard(device);
  const cudaStream_t st = context(device).stream;
  const int64_t ilo = static_cast<int64_t>(lo);
  // maxval - minval as unsigned (maxval may be 2^63); a width of 0 stands for 2^64.
  const uint64_t top = hi >= 9223372036854775808.0 ? uint64_t{1} << 63 : uint64_t(static_cast<int64_t>(hi));
  const uint64_t width = top - uint64_t(ilo);
  by_dt(dt, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double> || std::is_same_v<T, int32_t> ||
                  std::is_same_v<T, int64_t>)
      uniform_kernel<T><<<grid_for(n), kBlock, 0, st>>>(static_cast<T*>(y), n, seed, counter, lo, hi, ilo,
                                                                   width);
  });
  check_launch("random_uniform", device);
}

void random_normal(Dt dt, void* y, int64_t n, uint64_t seed, const int64_t* counter, double mean, double stddev,
                   bool truncated, int device) {
  if (n == 0) return;
  DeviceGuard guard(device);
  const cudaStream_t st = context(device).stream;
  if (dt == Dt::f32)
    normal_kernel<float><<<grid_for(n), kBlock, 0, st>>>(static_cast<float*>(y), n, seed, counter, mean, stddev,
                                                         truncated);
  else
    normal_kernel<double><<<grid_for(n), kBlock, 0, st>>>(static_cast<double*>(y), n, seed, counter, mean, stddev,
                                                          truncated);
  check_launch(truncated ? "truncated_normal" : "random_normal", device);
}

}  // namespace keras::core::cuda
