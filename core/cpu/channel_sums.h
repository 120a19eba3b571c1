// channel_sums.h - (engine-internal) what the CPU normalization kernels share
// (batch_norm.cpp, layer_norm.cpp): a tensor seen as (rows, C) with C its last axis, and
// per-channel sums over the rows accumulated in double over fixed blocks of rows (bounds
// that depend on the shape only), combined in block order, so the results do not depend
// on the thread count.
#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

#include "core/cpu/parallel.h"
#include "core/dispatch.h"

namespace keras::core::cpu {

struct Geometry {
  int64_t rows = 0, ch = 0;
  explicit Geometry(const Shape& x) : ch(x[x.rank() - 1]) { rows = ch > 0 ? x.num_elements() / ch : 0; }
  int64_t block_rows() const { return std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(1, ch)); }
};

// Per-channel sums over all rows of two row functions: body(row, s, q) adds row's terms
// into s[0..C) and q[0..C) (and may write that row's outputs: each row is visited once).
// Returns {sum s, sum q} as 2C doubles.
template <class F>
std::vector<double> channel_sums(const Geometry& g, F&& body) {
  const int64_t br = g.block_rows(), blocks = (g.rows + br - 1) / br, C = g.ch;
  std::vector<double> part(size_t(blocks * 2 * C), 0.0);
  parallel_for(blocks, 1, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) {
      double* s = part.data() + b * 2 * C;
      double* q = s + C;
      for (int64_t r = b * br, e = std::min(g.rows, (b + 1) * br); r < e; ++r) body(r, s, q);
    }
  });
  std::vector<double> total(size_t(2 * C), 0.0);
  for (int64_t b = 0; b < blocks; ++b)
    for (int64_t j = 0; j < 2 * C; ++j) total[size_t(j)] += part[size_t(b * 2 * C + j)];
  return total;
}

}  // namespace keras::core::cpu
