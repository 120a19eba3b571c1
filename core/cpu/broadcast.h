// broadcast.h - (engine-internal) iterating an output shape with broadcast inputs.
//
// The output is dense; input k is read at element strides strides[k] (0 on axes it is
// broadcast along). Adjacent axes that are contiguous for every input are merged, then
// rows of the last merged axis are handed to `row(out_offset, in_offsets, length,
// inner_strides)`. Rows are split over the thread pool for large outputs.
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include "core/cpu/parallel.h"
#include "core/shape.h"

namespace keras::core::cpu {

// Element strides of `in` seen through broadcasting to `out` (rank of out).
std::vector<int64_t> broadcast_strides(const Shape& in, const Shape& out);

template <size_t N>
struct BroadcastPlan {
  std::vector<int64_t> dims;                         // merged output dims
  std::array<std::vector<int64_t>, N> strides;       // merged input strides
};

template <size_t N>
BroadcastPlan<N> plan_broadcast(const Shape& out, const std::array<const Shape*, N>& ins) {
  BroadcastPlan<N> p;
  std::array<std::vector<int64_t>, N> st;
  for (size_t k = 0; k < N; ++k) st[k] = broadcast_strides(*ins[k], out);
  for (int64_t i = 0; i < out.rank(); ++i) {
    int64_t d = out[i];
    if (d == 1) continue;  // size-1 axes never move any offset
    bool merge = !p.dims.empty();
    for (size_t k = 0; k < N && merge; ++k)
      merge = p.strides[k].back() == st[k][static_cast<size_t>(i)] * d;
    if (merge) {
      p.dims.back() *= d;
      for (size_t k = 0; k < N; ++k) p.strides[k].back() = st[k][static_cast<size_t>(i)];
    } else {
      p.dims.push_back(d);
      for (size_t k = 0; k < N; ++k) p.strides[k].push_back(st[k][static_cast<size_t>(i)]);
    }
  }
  if (p.dims.empty()) {  // a single element
    p.dims.push_back(1);
    for (size_t k = 0; k < N; ++k) p.strides[k].push_back(0);
  }
  return p;
}

template <size_t N, class Row>
void broadcast_rows(const Shape& out, const std::array<const Shape*, N>& ins, Row row) {
  if (out.num_elements() == 0) return;
  BroadcastPlan<N> p = plan_broadcast(out, ins);
  const int64_t r = static_cast<int64_t>(p.dims.size());
  const int64_t inner = p.dims.back();
  const int64_t rows = out.num_elements() / inner;
  std::array<int64_t, N> inner_strides;
  for (size_t k = 0; k < N; ++k) inner_strides[k] = p.strides[k].back();
  const int64_t grain = std::max<int64_t>(1, kElementwiseGrain / inner);
  parallel_for(rows, grain, [&](int64_t b, int64_t e) {
    // Offsets of row b, then advance like an odometer.
    std::vector<int64_t> idx(static_cast<size_t>(r), 0);
    std::array<int64_t, N> off{};
    int64_t rem = b;
    for (int64_t ax = r - 2; ax >= 0; --ax) {
      idx[static_cast<size_t>(ax)] = rem % p.dims[static_cast<size_t>(ax)];
      rem /= p.dims[static_cast<size_t>(ax)];
      for (size_t k = 0; k < N; ++k)
        off[k] += idx[static_cast<size_t>(ax)] * p.strides[k][static_cast<size_t>(ax)];
    }
    for (int64_t rr = b; rr < e; ++rr) {
      row(rr * inner, off, inner, inner_strides);
      for (int64_t ax = r - 2; ax >= 0; --ax) {
        size_t a = static_cast<size_t>(ax);
        for (size_t k = 0; k < N; ++k) off[k] += p.strides[k][a];
        if (++idx[a] < p.dims[a]) break;
        for (size_t k = 0; k < N; ++k) off[k] -= p.strides[k][a] * p.dims[a];
        idx[a] = 0;
      }
    }
  });
}

}  // namespace keras::core::cpu
