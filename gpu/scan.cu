// scan.cu - CUDA kernels of cumsum and cumprod (launcher declared in gpu/kernels.h). x is
// seen as (outer, n, inner) around the scanned axis. Integers wrap around (the arithmetic
// is unsigned, without undefined behaviour). Two ways, chosen from the shape alone:
// - many lines (lines = outer * inner >= kManyLines) or short ones (n < kLongLine): one
//   thread walks one line down the axis, folding each element into the previous result in
//   the CPU kernel's order (core/cpu/scan.cpp), so float results have the CPU's bits;
// - few long lines: the block-parallel scan of gpu/scan_tile.cuh (tiles of one block; a
//   pass for the tile totals, one for the carries between tiles, a block per line, and
//   one for the prefixes): deterministic, and equal to the CPU's up to rounding
//   (integers exactly).
#include <cstdint>
#include <type_traits>

#include "gpu/context.cuh"
#include "gpu/kernels.h"
#include "gpu/math_scalar.cuh"
#include "gpu/scan_tile.cuh"

namespace keras::core::cuda {
namespace {

constexpr int64_t kManyLines = 16384, kLongLine = 256;

template <class T>
__global__ void scan_kernel(bool prod, const T* x, T* y, int64_t lines, int64_t n, int64_t inner) {
  for (int64_t l = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; l < lines; l += int64_t(gridDim.x) * blockDim.x) {
    const int64_t base = (l / inner) * n * inner + l % inner;
    T acc = x[base];
    y[base] = acc;
    for (int64_t j = 1; j < n; ++j) {
      acc = scan_step(prod, acc, x[base + j * inner]);
      y[base + j * inner] = acc;
    }
  }
}

__device__ inline int64_t line_base(int64_t line, int64_t n, int64_t inner) {
  return (line / inner) * n * inner + line % inner;
}

// The ladder of gpu/scan_tile.cuh over the block: returns thread t's inclusive value;
// slots holds every thread's afterwards (until the caller's next __syncthreads).
template <class T>
__device__ T block_ladder(bool prod, T* slots, T v) {
  const int t = int(threadIdx.x);
  slots[t] = v;
  __syncthreads();
  for (int d = 1; d < kScanThreads; d *= 2) {
    const T next = scan_rung(prod, slots, t, d);
    __syncthreads();
    slots[t] = next;
    __syncthreads();
  }
  return slots[t];
}

// This thread's fold (from the identity) of its elements of tile `tile` of line `line`.
template <class T>
__device__ T thread_fold(bool prod, const T* x, int64_t line, int64_t tile, int64_t n, int64_t inner) {
  const int t = int(threadIdx.x);
  const int64_t start = tile * kScanTile + int64_t(t) * kScanItems, items = scan_items(n, tile, t);
  if (items == 0) return scan_identity<T>(prod);  // past the line's end
  return scan_fold(prod, scan_identity<T>(prod), x + line_base(line, n, inner) + start * inner, inner, items);
}

// Pass 1: totals[line * tiles + tile].
template <class T>
__global__ void tile_totals_kernel(bool prod, const T* x, T* totals, int64_t lines, int64_t tiles, int64_t n,
                                   int64_t inner) {
  __shared__ T slots[kScanThreads];
  for (int64_t b = blockIdx.x; b < lines * tiles; b += gridDim.x) {
    const T v = block_ladder(prod, slots, thread_fold(prod, x, b / tiles, b % tiles, n, inner));
    if (threadIdx.x == kScanThreads - 1) totals[b] = v;
    __syncthreads();
  }
}

// Pass 2: the totals of each line become the carries into its tiles (in place), one
// block per line, kScanThreads totals at a time.
template <class T>
__global__ void carries_kernel(bool prod, T* totals, int64_t lines, int64_t tiles) {
  __shared__ T slots[kScanThreads];
  const int t = int(threadIdx.x);
  const T id = scan_identity<T>(prod);
  for (int64_t l = blockIdx.x; l < lines; l += gridDim.x) {
    T* c = totals + l * tiles;
    T carry = id;  // the same in every thread
    for (int64_t c0 = 0; c0 < tiles; c0 += kScanThreads) {
      const int64_t i = c0 + t;
      block_ladder(prod, slots, i < tiles ? c[i] : id);
      const T before = t == 0 ? id : slots[t - 1], chunk = slots[kScanThreads - 1];
      __syncthreads();  // slots is rewritten for the next chunk
      if (i < tiles) c[i] = scan_step(prod, carry, before);
      carry = scan_step(prod, carry, chunk);
    }
  }
}

// Pass 3: the prefixes.
template <class T>
__global__ void tile_scan_kernel(bool prod, const T* x, const T* carries, T* y, int64_t lines, int64_t tiles,
                                 int64_t n, int64_t inner) {
  __shared__ T slots[kScanThreads];
  const int t = int(threadIdx.x);
  for (int64_t b = blockIdx.x; b < lines * tiles; b += gridDim.x) {
    const int64_t line = b / tiles, tile = b % tiles;
    block_ladder(prod, slots, thread_fold(prod, x, line, tile, n, inner));
    const T before = t == 0 ? scan_identity<T>(prod) : slots[t - 1];
    __syncthreads();  // slots is rewritten for the next tile
    T acc = scan_step(prod, carries[b], before);
    const int64_t start = tile * kScanTile + int64_t(t) * kScanItems, base = line_base(line, n, inner);
    for (int64_t i = 0; i < scan_items(n, tile, t); ++i) {
      const int64_t at = base + (start + i) * inner;
      y[at] = acc = scan_step(prod, acc, x[at]);
    }
  }
}

template <class T>
void tiled_scan(bool prod, const T* x, T* y, int64_t lines, int64_t n, int64_t inner, int device) {
  const cudaStream_t st = context(device).stream;
  const int64_t tiles = (n + kScanTile - 1) / kScanTile, blocks = lines * tiles;
  const unsigned grid = unsigned(blocks < 65535 * 8 ? blocks : 65535 * 8);
  DeviceScratch carries(size_t(blocks) * sizeof(T), device);
  tile_totals_kernel<T><<<grid, kScanThreads, 0, st>>>(prod, x, carries.as<T>(), lines, tiles, n, inner);
  check_launch("scan (tile totals)", device);
  carries_kernel<T><<<unsigned(lines < 65535 * 8 ? lines : 65535 * 8), kScanThreads, 0, st>>>(prod, carries.as<T>(),
                                                                                              lines, tiles);
  check_launch("scan (carries)", device);
  tile_scan_kernel<T><<<grid, kScanThreads, 0, st>>>(prod, x, carries.as<T>(), y, lines, tiles, n, inner);
  check_launch("scan", device);
}

}  // namespace

void scan(bool prod, Dt dt, const void* x, void* y, int64_t outer, int64_t n, int64_t inner, int device) {
  const int64_t lines = outer * inner;
  if (lines == 0 || n == 0) return;
  DeviceGuard guard(device);
  const cudaStream_t st = context(device).stream;
  const bool tiled = lines < kManyLines && n >= kLongLine;
  by_dt(dt, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (!std::is_same_v<T, bool>) {
      if (tiled) return tiled_scan<T>(prod, static_cast<const T*>(x), static_cast<T*>(y), lines, n, inner, device);
      scan_kernel<T><<<grid_for(lines), kBlock, 0, st>>>(prod, static_cast<const T*>(x), static_cast<T*>(y), lines,
                                                         n, inner);
      check_launch("scan", device);
    }
  });
}

}  // namespace keras::core::cuda
