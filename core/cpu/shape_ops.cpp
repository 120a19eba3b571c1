// shape_ops.cpp - CPU kernels of the data-movement ops.
//
// Transpose, strided_slice, broadcast_to, tile, pad and concatenate are all one generic
// strided copy: dst[i] = src[i] over a rank-n index space, with per-axis element strides
// for both sides (source strides may be 0 or negative). The copy drops size-1 axes,
// merges adjacent axes that are contiguous on both sides, copies contiguous inner rows
// with memcpy, and copies transposing patterns (the inner destination axis is strided in
// the source) in cache-sized tiles. Gather, take_along_axis and unsorted_segment_sum are
// in index_ops.cpp.
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "core/cpu/broadcast.h"
#include "core/cpu/convert.h"
#include "core/cpu/parallel.h"
#include "core/dispatch.h"
#include "core/index_checks.h"
#include "core/init.h"

namespace keras::core::cpu {
namespace {

using Dims = std::vector<int64_t>;

// ---- the generic strided copy --------------------------------------------------------

struct CopyPlan {
  Dims dims, ss, ds;  // per-axis sizes, source strides, destination strides (elements)
};

// Drops size-1 axes and merges an axis into the one outside it when both sides are
// contiguous across the pair.
CopyPlan simplify(const Dims& dims, const Dims& ss, const Dims& ds) {
  CopyPlan p;
  for (size_t i = 0; i < dims.size(); ++i) {
    const int64_t d = dims[i];
    if (d == 1) continue;
    if (!p.dims.empty() && p.ss.back() == ss[i] * d && p.ds.back() == ds[i] * d) {
      p.dims.back() *= d;
      p.ss.back() = ss[i];
      p.ds.back() = ds[i];
    } else {
      p.dims.push_back(d);
      p.ss.push_back(ss[i]);
      p.ds.push_back(ds[i]);
    }
  }
  if (p.dims.empty()) {  // one element
    p.dims.push_back(1);
    p.ss.push_back(0);
    p.ds.push_back(0);
  }
  return p;
}

// Calls f(unit, src_offset, dst_offset) for every flat index `unit` in [b, e) of the
// index space `dims` (row-major), advancing the offsets like an odometer.
template <class F>
void walk(const Dims& dims, const Dims& ss, const Dims& ds, int64_t b, int64_t e, F f) {
  const size_t r = dims.size();
  Dims idx(r, 0);
  int64_t so = 0, dof = 0, rem = b;
  for (size_t k = r; k-- > 0;) {
    idx[k] = rem % dims[k];
    rem /= dims[k];
    so += idx[k] * ss[k];
    dof += idx[k] * ds[k];
  }
  for (int64_t u = b; u < e; ++u) {
    f(u, so, dof);
    for (size_t k = r; k-- > 0;) {
      so += ss[k];
      dof += ds[k];
      if (++idx[k] < dims[k]) break;
      so -= ss[k] * dims[k];
      dof -= ds[k] * dims[k];
      idx[k] = 0;
    }
  }
}

template <class T>
inline void copy_row(const T* s, int64_t ss, T* d, int64_t ds, int64_t n) {
  if (ss == 1 && ds == 1) {
    std::memcpy(d, s, static_cast<size_t>(n) * sizeof(T));
  } else if (ds == 1) {
    if (ss == 0) {
      std::fill(d, d + n, *s);
    } else {
      for (int64_t k = 0; k < n; ++k) d[k] = s[k * ss];
    }
  } else {
    for (int64_t k = 0; k < n; ++k) d[k * ds] = s[k * ss];
  }
}

// Copies a jn x kn tile whose source is contiguous along j (stride 1) and strided along
// k (iss); the destination has strides (jds, ids). With a contiguous destination row
// (ids == 1) 8 x 8 blocks go through a local buffer, so only 8 source and 8
// destination cache lines are in use at a time (power-of-two strides would otherwise
// evict each other).
template <class T>
void copy_tile(const T* s, int64_t iss, T* d, int64_t jds, int64_t ids, int64_t jn, int64_t kn) {
  constexpr int64_t M = 8;
  if (ids != 1) {
    for (int64_t j = 0; j < jn; ++j)
      for (int64_t k = 0; k < kn; ++k) d[j * jds + k * ids] = s[j + k * iss];
    return;
  }
  int64_t j = 0;
  for (; j + M <= jn; j += M) {
    int64_t k = 0;
    for (; k + M <= kn; k += M) {
      T buf[M][M];
      for (int64_t a = 0; a < M; ++a)
        for (int64_t b = 0; b < M; ++b) buf[b][a] = s[(k + a) * iss + j + b];
      for (int64_t b = 0; b < M; ++b)
        for (int64_t a = 0; a < M; ++a) d[(j + b) * jds + k + a] = buf[b][a];
    }
    for (; k < kn; ++k)
      for (int64_t b = 0; b < M; ++b) d[(j + b) * jds + k] = s[k * iss + j + b];
  }
  for (; j < jn; ++j)
    for (int64_t k = 0; k < kn; ++k) d[j * jds + k] = s[k * iss + j];
}

template <class T>
void strided_copy_typed(const CopyPlan& p, const T* src, T* dst) {
  const size_t r = p.dims.size();
  const int64_t inner = p.dims[r - 1], iss = p.ss[r - 1], ids = p.ds[r - 1];

  // Tiled path: the destination's inner axis is strided in the source while another
  // axis j is contiguous there (a transposition). Copy B x B tiles of axes (j, inner).
  constexpr int64_t B = 64;
  if (r >= 2 && iss != 1 && inner >= B) {
    size_t j = r;
    for (size_t k = 0; k + 1 < r; ++k)
      if (p.ss[k] == 1 && p.dims[k] >= B) j = k;
    if (j < r) {
      const int64_t nj = p.dims[j], jds = p.ds[j];  // p.ss[j] == 1
      const int64_t nbj = (nj + B - 1) / B;
      // Units: every index of the other outer axes times the blocks of axis j.
      Dims od, os, odst;
      for (size_t k = 0; k + 1 < r; ++k)
        if (k != j) {
          od.push_back(p.dims[k]);
          os.push_back(p.ss[k]);
          odst.push_back(p.ds[k]);
        }
      od.push_back(nbj);
      os.push_back(B);
      odst.push_back(jds * B);
      int64_t units = 1;
      for (int64_t d : od) units *= d;
      const int64_t grain = std::max<int64_t>(1, kElementwiseGrain / (B * inner));
      parallel_for(units, grain, [&](int64_t b, int64_t e) {
        walk(od, os, odst, b, e, [&](int64_t u, int64_t so, int64_t dof) {
          const int64_t j0 = (u % nbj) * B, jn = std::min(B, nj - j0);
          for (int64_t k0 = 0; k0 < inner; k0 += B)
            copy_tile(src + so + k0 * iss, iss, dst + dof + k0 * ids, jds, ids, jn,
                      std::min(B, inner - k0));
        });
      });
      return;
    }
  }

  // Row path: the outer axes are walked, each inner row copied at once.
  Dims od(p.dims.begin(), p.dims.end() - 1), os(p.ss.begin(), p.ss.end() - 1),
      odst(p.ds.begin(), p.ds.end() - 1);
  int64_t rows = 1;
  for (int64_t d : od) rows *= d;
  const int64_t grain = std::max<int64_t>(1, kElementwiseGrain / inner);
  parallel_for(rows, grain, [&](int64_t b, int64_t e) {
    walk(od, os, odst, b, e, [&](int64_t, int64_t so, int64_t dof) {
      copy_row(src + so, iss, dst + dof, ids, inner);
    });
  });
}

// Copies the index space `dims` from src (element strides ss) to dst (element strides
// ds); elements are `es` bytes. src and dst point at index (0, ..., 0).
void strided_copy(size_t es, const Dims& dims, const void* src, const Dims& ss, void* dst,
                  const Dims& ds) {
  for (int64_t d : dims)
    if (d == 0) return;
  CopyPlan p = simplify(dims, ss, ds);
  switch (es) {
    case 1: return strided_copy_typed(p, static_cast<const uint8_t*>(src), static_cast<uint8_t*>(dst));
    case 2: return strided_copy_typed(p, static_cast<const uint16_t*>(src), static_cast<uint16_t*>(dst));
    case 4: return strided_copy_typed(p, static_cast<const uint32_t*>(src), static_cast<uint32_t*>(dst));
    case 8: return strided_copy_typed(p, static_cast<const uint64_t*>(src), static_cast<uint64_t*>(dst));
    default: throw_invalid("strided copy: unsupported element size " + std::to_string(es));
  }
}

// A dense destination of shape `dims`.
void copy_to_dense(size_t es, const Dims& dims, const void* src, const Dims& ss, void* dst) {
  strided_copy(es, dims, src, ss, dst, contiguous_strides(Shape(dims)));
}

const char* byte_ptr(const Tensor& t) { return static_cast<const char*>(t.raw_data()); }
char* byte_ptr(Tensor& t) { return static_cast<char*>(t.raw_mutable_data()); }

// ---- the kernels -----------------------------------------------------------------------

void transpose_kernel(OpCall& c) {
  const Tensor& x = c.in(0);
  Tensor& y = c.outputs[0];
  const int64_t r = x.rank();
  Dims xs = contiguous_strides(x.shape()), ss(static_cast<size_t>(r));
  for (int64_t i = 0; i < r; ++i) {
    int64_t a = c.attrs.axes[static_cast<size_t>(i)];
    if (a < 0) a += r;
    ss[static_cast<size_t>(i)] = xs[static_cast<size_t>(a)];
  }
  copy_to_dense(dtype_size(x.dtype()), y.shape().dims(), x.raw_data(), ss, y.raw_mutable_data());
}

// attrs.begin: first index per axis; attrs.strides: step per axis; the output's shape is
// the element count per axis (all validated by infer).
void strided_slice_kernel(OpCall& c) {
  const Tensor& x = c.in(0);
  Tensor& y = c.outputs[0];
  if (y.size() == 0) return;
  const size_t es = dtype_size(x.dtype());
  Dims xs = contiguous_strides(x.shape()), ss(xs.size());
  int64_t off = 0;
  for (size_t i = 0; i < xs.size(); ++i) {
    off += c.attrs.begin[i] * xs[i];
    ss[i] = c.attrs.strides[i] * xs[i];
  }
  copy_to_dense(es, y.shape().dims(), byte_ptr(x) + off * static_cast<int64_t>(es), ss,
                y.raw_mutable_data());
}

void broadcast_to_kernel(OpCall& c) {
  const Tensor& x = c.in(0);
  Tensor& y = c.outputs[0];
  copy_to_dense(dtype_size(x.dtype()), y.shape().dims(), x.raw_data(),
                broadcast_strides(x.shape(), y.shape()), y.raw_mutable_data());
}

// y viewed as [m0, d0, m1, d1, ...] reads x with stride 0 on the multiple axes.
void tile_kernel(OpCall& c) {
  const Tensor& x = c.in(0);
  Tensor& y = c.outputs[0];
  Dims xs = contiguous_strides(x.shape()), dims, ss;
  for (int64_t i = 0; i < x.rank(); ++i) {
    dims.push_back(c.attrs.shape[static_cast<size_t>(i)]);
    ss.push_back(0);
    dims.push_back(x.shape()[i]);
    ss.push_back(xs[static_cast<size_t>(i)]);
  }
  copy_to_dense(dtype_size(x.dtype()), dims, x.raw_data(), ss, y.raw_mutable_data());
}

template <class T>
void fill_typed(T* p, int64_t n, T v) {
  parallel_for(n, kElementwiseGrain, [&](int64_t b, int64_t e) { std::fill(p + b, p + e, v); });
}

// Fills n elements of `dtype` at p with `value` (converted like cast).
void fill_value(void* p, DType dtype, int64_t n, double value) {
  alignas(8) unsigned char bytes[8] = {};
  convert(&value, DType::float64, bytes, dtype, 1);
  switch (dtype_size(dtype)) {
    case 1: return fill_typed(static_cast<uint8_t*>(p), n, bytes[0]);
    case 4: {
      uint32_t v;
      std::memcpy(&v, bytes, 4);
      return fill_typed(static_cast<uint32_t*>(p), n, v);
    }
    default: {
      uint64_t v;
      std::memcpy(&v, bytes, 8);
      return fill_typed(static_cast<uint64_t*>(p), n, v);
    }
  }
}

// Fill the output with the constant, then copy x into the interior.
void pad_kernel(OpCall& c) {
  const Tensor& x = c.in(0);
  Tensor& y = c.outputs[0];
  const size_t es = dtype_size(x.dtype());
  if (y.size() != x.size()) fill_value(y.raw_mutable_data(), y.dtype(), y.size(), c.attrs.alpha);
  Dims ys = contiguous_strides(y.shape());
  int64_t off = 0;
  for (size_t i = 0; i < ys.size(); ++i) off += c.attrs.begin[i] * ys[i];
  strided_copy(es, x.shape().dims(), x.raw_data(), contiguous_strides(x.shape()),
               byte_ptr(y) + off * static_cast<int64_t>(es), ys);
}

void concat_kernel(OpCall& c) {
  Tensor& y = c.outputs[0];
  if (y.size() == 0) return;
  const int64_t axis = normalize_axis(c.attrs.axis, y.rank(), c.name());
  const size_t es = dtype_size(y.dtype());
  Dims ys = contiguous_strides(y.shape());
  int64_t pos = 0;
  for (const Tensor& x : c.inputs) {
    strided_copy(es, x.shape().dims(), x.raw_data(), contiguous_strides(x.shape()),
                 byte_ptr(y) + pos * ys[static_cast<size_t>(axis)] * static_cast<int64_t>(es),
                 ys);
    pos += x.shape()[axis];
  }
}

}  // namespace
}  // namespace keras::core::cpu

namespace keras::core {
void register_cpu_shape_kernels() {
  using K = Device::Kind;
  register_kernel(OpId::Transpose, K::CPU, cpu::transpose_kernel);
  register_kernel(OpId::StridedSlice, K::CPU, cpu::strided_slice_kernel);
  register_kernel(OpId::BroadcastTo, K::CPU, cpu::broadcast_to_kernel);
  register_kernel(OpId::Tile, K::CPU, cpu::tile_kernel);
  register_kernel(OpId::Pad, K::CPU, cpu::pad_kernel);
  register_kernel(OpId::Concat, K::CPU, cpu::concat_kernel);
}
}  // namespace keras::core
