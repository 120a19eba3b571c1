// reduce.cu - CUDA kernels of the reductions (sum, mean, max, min, prod, all, any) over any
// set of axes, and of argmax/argmin over one axis (launchers declared in gpu/kernels.h).
// One thread folds one output element, in the order of the input, with the CPU kernels'
// accumulators (core/cpu/reduce.cpp): float sums and products in double, integer ones in
// wrapping unsigned 64-bit arithmetic, NaN sticking in max/min, mean of an empty axis NaN
// for floats and 0 for integers, integer means truncated.
#include <cstdint>
#include <type_traits>

#include <cuda/std/limits>

#include "gpu/context.cuh"
#include "gpu/kernels.h"

namespace keras::core::cuda {
namespace {

template <class T>
using Wide = std::conditional_t<std::is_floating_point_v<T>, double, unsigned long long>;

__device__ inline int64_t offset_of(const int64_t* dims, const int64_t* strides, int rank, int64_t i) {
  int64_t off = 0;
  for (int d = rank - 1; d >= 0; --d) {
    off += (i % dims[d]) * strides[d];
    i /= dims[d];
  }
  return off;
}

template <class T>
__device__ T fold(RedOp op, const T* x, const Reduction& r, int64_t base) {
  using L = ::cuda::std::numeric_limits<T>;
  switch (op) {
    case RedOp::Sum:
    case RedOp::Mean: {
      Wide<T> acc = 0;
      for (int64_t j = 0; j < r.count; ++j)
        acc += static_cast<Wide<T>>(x[base + offset_of(r.red_dims, r.red_strides, r.red_rank, j)]);
      if (op == RedOp::Sum) return static_cast<T>(acc);
      if constexpr (std::is_floating_point_v<T>) {
        return static_cast<T>(acc / static_cast<double>(r.count));
      } else {
        if (r.count == 0) return T(0);
        if constexpr (std::is_signed_v<T>) return static_cast<T>(static_cast<int64_t>(acc) / r.count);
        else return static_cast<T>(acc / static_cast<unsigned long long>(r.count));
      }
    }
    case RedOp::Prod: {
      Wide<T> acc = 1;
      for (int64_t j = 0; j < r.count; ++j)
        acc *= static_cast<Wide<T>>(x[base + offset_of(r.red_dims, r.red_strides, r.red_rank, j)]);
      return static_cast<T>(acc);
    }
    case RedOp::Max:
    case RedOp::Min: {
      const bool mx = op == RedOp::Max;
      T acc;
      if constexpr (std::is_floating_point_v<T>) acc = mx ? -L::infinity() : L::infinity();
      else acc = mx ? L::lowest() : L::max();
      for (int64_t j = 0; j < r.count; ++j) {
        const T v = x[base + offset_of(r.red_dims, r.red_strides, r.red_rank, j)];
        if constexpr (std::is_floating_point_v<T>) {
          if (acc != acc) break;  // NaN sticks
          if (v != v || (mx ? v > acc : v < acc)) acc = v;
        } else {
          if (mx ? v > acc : v < acc) acc = v;
        }
      }
      return acc;
    }
    case RedOp::All:
    case RedOp::Any: {
      const bool all = op == RedOp::All;
      for (int64_t j = 0; j < r.count; ++j) {
        const bool v = static_cast<bool>(x[base + offset_of(r.red_dims, r.red_strides, r.red_rank, j)]);
        if (all && !v) return T(false);
        if (!all && v) return T(true);
      }
      return T(all);
    }
  }
  return T(0);
}

template <class T>
__global__ void reduce_kernel(RedOp op, const T* x, T* y, Reduction r) {
  for (int64_t o = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; o < r.kept; o += int64_t(gridDim.x) * blockDim.x)
    y[o] = fold(op, x, r, offset_of(r.kept_dims, r.kept_strides, r.kept_rank, o));
}

template <class T, class I>
__global__ void arg_kernel(bool is_max, const T* x, I* idx, int64_t outer, int64_t count, int64_t inner) {
  const int64_t rows = outer * inner;
  for (int64_t o = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; o < rows; o += int64_t(gridDim.x) * blockDim.x) {
    const T* p = x + (o / inner) * count * inner + (o % inner);
    int64_t best = 0;
    T bv = p[0];
    for (int64_t j = 1; j < count; ++j) {
      const T v = p[j * inner];
      if constexpr (std::is_floating_point_v<T>) {
        if (bv != bv) break;  // the first NaN wins
        if (v != v || (is_max ? v > bv : v < bv)) bv = v, best = j;
      } else {
        if (is_max ? v > bv : v < bv) bv = v, best = j;
      }
    }
    idx[o] = static_cast<I>(best);
  }
}

}  // namespace

void reduce(RedOp op, Dt dt, const void* x, void* y, const Reduction& r, int device) {
  if (r.kept == 0) return;
  DeviceGuard guard(device);
  const cudaStream_t st = context(device).stream;
  by_dt(dt, [&](auto tag) {
    using T = decltype(tag);
    reduce_kernel<T><<<grid_for(r.kept), kBlock, 0, st>>>(op, static_cast<const T*>(x), static_cast<T*>(y), r);
  });
  check_launch("reduce", device);
}

void arg_reduce(bool is_max, Dt dt, const void* x, void* idx, Dt idx_dt, int64_t outer, int64_t count,
                int64_t inner, int device) {
  if (outer * inner == 0) return;
  DeviceGuard guard(device);
  const cudaStream_t st = context(device).stream;
  by_dt(dt, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (!std::is_same_v<T, bool>) {
      if (idx_dt == Dt::i32)
        arg_kernel<T, int32_t><<<grid_for(outer * inner), kBlock, 0, st>>>(
            is_max, static_cast<const T*>(x), static_cast<int32_t*>(idx), outer, count, inner);
      else
        arg_kernel<T, int64_t><<<grid_for(outer * inner), kBlock, 0, st>>>(
            is_max, static_cast<const T*>(x), static_cast<int64_t*>(idx), outer, count, inner);
    }
  });
  check_launch("arg_reduce", device);
}

}  // namespace keras::core::cuda
