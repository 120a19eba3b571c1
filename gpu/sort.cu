// sort.cu - sort, argsort and top_k (launchers in gpu/kernels.h) on CUB's stable radix
// sort, with the CPU kernels' order (core/cpu/sort.cpp): NaN above every number, -0 equal
// to +0, equal values in their original order, descending reversing the values only.
//
// Every element gets an unsigned key whose order is that value order (descending: the
// complement), and a payload: its place in line-major order (line * n + j). One stable
// sort of all elements by key, then one stable sort by line, leaves each line's elements
// in order, equal keys still in ascending j; a last kernel writes them out. Scratch memory
// comes from the device's caching allocator.
#include <cub/device/device_radix_sort.cuh>
#include <cub/device/device_scan.cuh>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "gpu/context.cuh"
#include "gpu/kernels.h"

namespace keras::core::cuda {
namespace {

template <class T>
using KeyOf = std::conditional_t<sizeof(T) == 8, uint64_t, uint32_t>;

// The order-preserving key of v (ascending); descending complements it.
template <class T>
__device__ KeyOf<T> order_key(T v, bool descending) {
  using K = KeyOf<T>;
  K k;
  if constexpr (std::is_floating_point_v<T>) {
    if (v != v) {
      k = ~K(0);  // every NaN is the largest key
    } else {
      if (v == T(0)) v = T(0);  // -0 sorts as +0
      using Bits = std::conditional_t<sizeof(T) == 8, uint64_t, uint32_t>;
      Bits b;
      memcpy(&b, &v, sizeof(T));
      const Bits sign = Bits(1) << (sizeof(T) * 8 - 1);
      k = K((b & sign) ? ~b : (b | sign));
      if (k == ~K(0)) k -= 1;  // keep the top key for NaN
    }
  } else if constexpr (std::is_signed_v<T>) {
    k = K(static_cast<std::make_unsigned_t<T>>(v)) ^ (K(1) << (sizeof(T) * 8 - 1));
  } else {
    k = K(v);
  }
  return descending ? ~k : k;
}

// Keys and payloads in line-major order: element (o, j, i) of x, line o * inner + i.
template <class T>
__global__ void make_keys(const T* x, KeyOf<T>* keys, int64_t* pos, int64_t total, int64_t n, int64_t inner,
                          bool descending) {
  for (int64_t e = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; e < total; e += int64_t(gridDim.x) * blockDim.x) {
    const int64_t line = e / n, j = e % n, o = line / inner, i = line % inner;
    keys[e] = order_key(x[(o * n + j) * inner + i], descending);
    pos[e] = e;
  }
}

__global__ void line_keys(const int64_t* pos, uint64_t* keys, int64_t total, int64_t n) {
  for (int64_t s = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; s < total; s += int64_t(gridDim.x) * blockDim.x)
    keys[s] = uint64_t(pos[s] / n);
}

// Sorted place s holds line s / n's element of rank s % n, whose payload says where it was.
template <class T>
__global__ void scatter_sorted(const T* x, const int64_t* pos, T* y, int32_t* idx, int64_t total, int64_t n,
                               int64_t inner) {
  for (int64_t s = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; s < total; s += int64_t(gridDim.x) * blockDim.x) {
    const int64_t line = s / n, rank = s % n, j = pos[s] % n, o = line / inner, i = line % inner;
    const int64_t dst = (o * n + rank) * inner + i;
    if (y) y[dst] = x[(o * n + j) * inner + i];
    if (idx) idx[dst] = int32_t(j);
  }
}

// The bits a line number needs (CUB sorts only those).
int bits_for(int64_t lines) {
  int b = 1;
  while (b < 64 && (uint64_t(1) << b) < uint64_t(lines)) ++b;
  return b;
}

// Stable sort of (keys, pos) pairs; the results replace the inputs.
template <class K>
void radix_pairs(K*& keys, K*& keys_alt, int64_t*& pos, int64_t*& pos_alt, int64_t total, int end_bit, int device) {
  const cudaStream_t st = context(device).stream;
  std::size_t temp = 0;
  check(cub::DeviceRadixSort::SortPairs(nullptr, temp, keys, keys_alt, pos, pos_alt, total, 0, end_bit, st),
        "cub::DeviceRadixSort::SortPairs", device);
  DeviceScratch t(temp, device);
  check(cub::DeviceRadixSort::SortPairs(t.as<void>(), temp, keys, keys_alt, pos, pos_alt, total, 0, end_bit, st),
        "cub::DeviceRadixSort::SortPairs", device);
  std::swap(keys, keys_alt);
  std::swap(pos, pos_alt);
}

// pos (total) := the line-major payloads of x's elements, each line in the value order.
template <class T>
void sorted_positions(const T* x, int64_t*& pos, int64_t*& pos_alt, int64_t outer, int64_t n, int64_t inner,
                      bool descending, int device) {
  using K = KeyOf<T>;
  const int64_t total = outer * n * inner;
  DeviceScratch k1(total * sizeof(K), device), k2(total * sizeof(K), device);
  K *keys = k1.as<K>(), *keys_alt = k2.as<K>();
  make_keys<T><<<grid_for(total), kBlock, 0, context(device).stream>>>(x, keys, pos, total, n, inner, descending);
  check_launch("sort keys", device);
  radix_pairs(keys, keys_alt, pos, pos_alt, total, int(sizeof(K) * 8), device);
  if (outer * inner > 1) {
    DeviceScratch l1(total * sizeof(uint64_t), device), l2(total * sizeof(uint64_t), device);
    uint64_t *lk = l1.as<uint64_t>(), *lk_alt = l2.as<uint64_t>();
    line_keys<<<grid_for(total), kBlock, 0, context(device).stream>>>(pos, lk, total, n);
    check_launch("sort line keys", device);
    radix_pairs(lk, lk_alt, pos, pos_alt, total, bits_for(outer * inner), device);
  }
}

// top_k: selected[r * n + j] = 1 for the k first of row r's sorted places.
__global__ void mark_top(const int64_t* pos, int32_t* selected, int64_t rows, int64_t n, int64_t k) {
  for (int64_t s = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; s < rows * k; s += int64_t(gridDim.x) * blockDim.x)
    selected[pos[(s / k) * n + s % k]] = 1;
}

// top_k, sorted: the k first places of each row.
template <class T>
__global__ void take_top(const T* x, const int64_t* pos, T* values, int32_t* indices, int64_t rows, int64_t n,
                         int64_t k) {
  for (int64_t s = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; s < rows * k; s += int64_t(gridDim.x) * blockDim.x) {
    const int64_t p = pos[(s / k) * n + s % k];
    values[s] = x[p];
    indices[s] = int32_t(p % n);
  }
}

// top_k, unsorted: the selected elements in their order; the exclusive scan of the marks
// numbers them, and row r's start at r * k (every row selects k).
template <class T>
__global__ void compact_top(const T* x, const int32_t* selected, const int64_t* place, T* values, int32_t* indices,
                            int64_t total, int64_t n) {
  for (int64_t e = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; e < total; e += int64_t(gridDim.x) * blockDim.x)
    if (selected[e]) {
      values[place[e]] = x[e];
      indices[place[e]] = int32_t(e % n);
    }
}

template <class T>
void sort_typed(const T* x, T* y, int32_t* idx, int64_t outer, int64_t n, int64_t inner, bool descending, int device) {
  const int64_t total = outer * n * inner;
  DeviceScratch p1(total * sizeof(int64_t), device), p2(total * sizeof(int64_t), device);
  int64_t *pos = p1.as<int64_t>(), *pos_alt = p2.as<int64_t>();
  sorted_positions(x, pos, pos_alt, outer, n, inner, descending, device);
  scatter_sorted<T><<<grid_for(total), kBlock, 0, context(device).stream>>>(x, pos, y, idx, total, n, inner);
  check_launch("sort", device);
}

template <class T>
void top_k_typed(const T* x, T* values, int32_t* indices, int64_t rows, int64_t n, int64_t k, bool sorted,
                 int device) {
  const int64_t total = rows * n;
  const cudaStream_t st = context(device).stream;
  DeviceScratch p1(total * sizeof(int64_t), device), p2(total * sizeof(int64_t), device);
  int64_t *pos = p1.as<int64_t>(), *pos_alt = p2.as<int64_t>();
  sorted_positions(x, pos, pos_alt, rows, n, 1, /*descending=*/true, device);
  if (sorted) {
    take_top<T><<<grid_for(rows * k), kBlock, 0, st>>>(x, pos, values, indices, rows, n, k);
    check_launch("top_k", device);
    return;
  }
  DeviceScratch marks(total * sizeof(int32_t), device), place(total * sizeof(int64_t), device);
  check(cudaMemsetAsync(marks.as<void>(), 0, total * sizeof(int32_t), st), "cudaMemsetAsync", device);
  mark_top<<<grid_for(rows * k), kBlock, 0, st>>>(pos, marks.as<int32_t>(), rows, n, k);
  check_launch("top_k marks", device);
  std::size_t temp = 0;
  check(cub::DeviceScan::ExclusiveSum(nullptr, temp, marks.as<int32_t>(), place.as<int64_t>(), total, st),
        "cub::DeviceScan::ExclusiveSum", device);
  DeviceScratch t(temp, device);
  check(cub::DeviceScan::ExclusiveSum(t.as<void>(), temp, marks.as<int32_t>(), place.as<int64_t>(), total, st),
        "cub::DeviceScan::ExclusiveSum", device);
  compact_top<T><<<grid_for(total), kBlock, 0, st>>>(x, marks.as<int32_t>(), place.as<int64_t>(), values, indices,
                                                     total, n);
  check_launch("top_k", device);
}

}  // namespace

void sort_lines(Dt dt, const void* x, void* y, int32_t* idx, int64_t outer, int64_t n, int64_t inner,
                bool descending, int device) {
  if (outer * n * inner == 0) return;
  if (dt == Dt::b8) throw CudaError("sort: bool is not sortable on the GPU");  // refused before, in register
  DeviceGuard guard(device);
  by_dt(dt, [&](auto t) {
    using T = decltype(t);
    sort_typed<T>(static_cast<const T*>(x), static_cast<T*>(y), idx, outer, n, inner, descending, device);
  });
}

void top_k(Dt dt, const void* x, void* values, int32_t* indices, int64_t rows, int64_t n, int64_t k, bool sorted,
           int device) {
  if (rows * k == 0) return;
  if (dt == Dt::b8) throw CudaError("top_k: bool is not sortable on the GPU");  // refused before, in register
  DeviceGuard guard(device);
  by_dt(dt, [&](auto t) {
    using T = decltype(t);
    top_k_typed<T>(static_cast<const T*>(x), static_cast<T*>(values), indices, rows, n, k, sorted, device);
  });
}

}  // namespace keras::core::cuda
