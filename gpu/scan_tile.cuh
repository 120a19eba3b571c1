// scan_tile.cuh - (CUDA-internal, host+device) the arithmetic of the block-parallel
// cumsum / cumprod of gpu/scan.cu, and a host model of it (scan_tiled_model) that runs the
// kernels' steps in their order, so tests/gpu/test_cuda_scan_model.cu checks the result
// against the CPU's sequential scan in every CUDA build, also without a GPU.
//
// A line of n elements is cut into tiles of kScanTile = kScanThreads * kScanItems
// elements, one block each; thread t of a tile owns kScanItems consecutive elements.
//  1. tile totals: each thread folds its elements from the identity; the block's
//     inclusive scan of those (a Hillis-Steele ladder: at distance d = 1, 2, 4, ..., slot
//     t becomes slot[t - d] (+) slot[t]) ends at the tile's total;
//  2. carries: per line, carry[0] = identity, carry[i] = carry[i - 1] (+) total[i - 1];
//  3. tile scan: thread t starts from carry (+) (the ladder's value of thread t - 1, or
//     the identity for t = 0) and folds its elements in order, writing each prefix.
// Every sum has a fixed association that depends on n alone: the same input gives the
// same bits at every run and on every device. The identity is -0.0 for float sums (so
// identity + x is x for every x, -0.0 included), 0 for integer sums, 1 for products; the
// first element of a line is therefore x[0] itself, as on the CPU. Integers wrap around
// (unsigned arithmetic), an associative operation: integer results are the CPU's
// exactly. Float results differ from the CPU's left-to-right sum by rounding only: both
// are within (j + 1) * eps * sum |x_i| (i <= j) of the exact prefix j.
#pragma once
#include <cstdint>
#include <type_traits>
#include <vector>

#include "gpu/math_scalar.cuh"

namespace keras::core::cuda {

inline constexpr int kScanThreads = 256;  ///< threads of a tile's block (a power of 2)
inline constexpr int kScanItems = 16;     ///< consecutive elements per thread
inline constexpr int64_t kScanTile = int64_t(kScanThreads) * kScanItems;

/// The identity of the scan's operation (-0.0 for float sums).
template <class T>
__host__ __device__ T scan_identity(bool prod) {
  if constexpr (std::is_floating_point_v<T>) return prod ? T(1) : T(-0.0);
  else return prod ? T(1) : T(0);
}

/// acc (+) x[0] (+) x[stride] ... for `count` elements (acc alone for count <= 0).
template <class T>
__host__ __device__ T scan_fold(bool prod, T acc, const T* x, int64_t stride, int64_t count) {
  for (int64_t i = 0; i < count; ++i) acc = scan_step(prod, acc, x[i * stride]);
  return acc;
}

/// The elements thread t of tile `tile` owns in a line of n: at most kScanItems.
__host__ __device__ inline int64_t scan_items(int64_t n, int64_t tile, int t) {
  const int64_t start = tile * kScanTile + int64_t(t) * kScanItems;
  const int64_t left = n - start;
  return left <= 0 ? 0 : (left < kScanItems ? left : kScanItems);
}

/// One rung of the ladder: slot t's next value at distance d.
template <class T>
__host__ __device__ T scan_rung(bool prod, const T* slots, int t, int d) {
  return t >= d ? scan_step(prod, slots[t - d], slots[t]) : slots[t];
}

/// Host model of the three kernels on one contiguous line (tests only).
template <class T>
void scan_tiled_model(bool prod, const T* x, T* y, int64_t n) {
  const int64_t tiles = (n + kScanTile - 1) / kScanTile;
  std::vector<T> carry(static_cast<size_t>(tiles)), slots(kScanThreads), next(kScanThreads);
  auto ladder = [&](int64_t tile) {  // slots: the inclusive scan of the threads' folds
    for (int t = 0; t < kScanThreads; ++t) {
      const int64_t items = scan_items(n, tile, t);
      slots[size_t(t)] = items == 0 ? scan_identity<T>(prod)
                                    : scan_fold(prod, scan_identity<T>(prod),
                                                x + tile * kScanTile + int64_t(t) * kScanItems, 1, items);
    }
    for (int d = 1; d < kScanThreads; d *= 2) {
      for (int t = 0; t < kScanThreads; ++t) next[size_t(t)] = scan_rung(prod, slots.data(), t, d);
      slots.swap(next);
    }
  };
  std::vector<T> totals(static_cast<size_t>(tiles));
  for (int64_t tile = 0; tile < tiles; ++tile) {
    ladder(tile);
    totals[size_t(tile)] = slots[kScanThreads - 1];
  }
  if (tiles > 0) carry[0] = scan_identity<T>(prod);
  for (int64_t i = 1; i < tiles; ++i) carry[size_t(i)] = scan_step(prod, carry[size_t(i - 1)], totals[size_t(i - 1)]);
  for (int64_t tile = 0; tile < tiles; ++tile) {
    ladder(tile);
    for (int t = 0; t < kScanThreads; ++t) {
      const T before = t == 0 ? scan_identity<T>(prod) : slots[size_t(t - 1)];
      T acc = scan_step(prod, carry[size_t(tile)], before);
      const int64_t start = tile * kScanTile + int64_t(t) * kScanItems;
      for (int64_t i = 0; i < scan_items(n, tile, t); ++i) y[start + i] = acc = scan_step(prod, acc, x[start + i]);
    }
  }
}

}  // namespace keras::core::cuda
