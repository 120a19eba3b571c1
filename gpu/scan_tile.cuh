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
//  2. carries: one block per line takes the totals kScanThreads at a time through the
//     same ladder; carry[i] = (the running carry of the earlier chunks) (+) (the ladder's
//     value of slot i - 1 in its chunk, or the identity for the chunk's first);
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

/// The ladder on the host (the kernels' rungs in their order): slots, kScanThreads
/// values, becomes its inclusive scan.
template <class T>
void scan_ladder_model(bool prod, std::vector<T>& slots) {
  std::vector<T> next(slots.size());
  for (int d = 1; d < kScanThreads; d *= 2) {
    for (int t = 0; t < kScanThreads; ++t) next[size_t(t)] = scan_rung(prod, slots.data(), t, d);
    slots.swap(next);
  }
}

/// Host model of the three kernels on one contiguous line (tests only).
template <class T>
void scan_tiled_model(bool prod, const T* x, T* y, int64_t n) {
  const T id = scan_identity<T>(prod);
  const int64_t tiles = (n + kScanTile - 1) / kScanTile;
  std::vector<T> carries(static_cast<size_t>(tiles)), slots(kScanThreads);
  auto ladder = [&](int64_t tile) {  // slots: the inclusive scan of the threads' folds
    for (int t = 0; t < kScanThreads; ++t) {
      const int64_t items = scan_items(n, tile, t);
      slots[size_t(t)] = items == 0 ? id : scan_fold(prod, id, x + tile * kScanTile + int64_t(t) * kScanItems, 1, items);
    }
    scan_ladder_model(prod, slots);
  };
  for (int64_t tile = 0; tile < tiles; ++tile) {  // 1. tile totals
    ladder(tile);
    carries[size_t(tile)] = slots[kScanThreads - 1];
  }
  T carry = id;  // 2. carries, kScanThreads totals at a time
  for (int64_t c0 = 0; c0 < tiles; c0 += kScanThreads) {
    for (int t = 0; t < kScanThreads; ++t) slots[size_t(t)] = c0 + t < tiles ? carries[size_t(c0 + t)] : id;
    scan_ladder_model(prod, slots);
    for (int t = 0; t < kScanThreads && c0 + t < tiles; ++t)
      carries[size_t(c0 + t)] = scan_step(prod, carry, t == 0 ? id : slots[size_t(t - 1)]);
    carry = scan_step(prod, carry, slots[kScanThreads - 1]);
  }
  for (int64_t tile = 0; tile < tiles; ++tile) {  // 3. tile scans
    ladder(tile);
    for (int t = 0; t < kScanThreads; ++t) {
      T acc = scan_step(prod, carries[size_t(tile)], t == 0 ? id : slots[size_t(t - 1)]);
      const int64_t start = tile * kScanTile + int64_t(t) * kScanItems;
      for (int64_t i = 0; i < scan_items(n, tile, t); ++i) y[start + i] = acc = scan_step(prod, acc, x[start + i]);
    }
  }
}

}  // namespace keras::core::cuda
