// reduce.cpp - CPU kernels of the reductions (sum, mean, max, min, prod, all, any) and
// of argmax/argmin.
//
// Layout: the input is seen as (outer, reduced, inner). Size-1 axes are dropped and
// adjacent axes that are both reduced or both kept are merged; when the reduced axes
// then form a single group the input is used in place, otherwise it is first copied
// with the kept axes in front and the reduced axes at the end (inner = 1).
//
// Determinism: every output element is reduced in an order fixed by the shape alone.
// A contiguous run (inner = 1) is cut into blocks of kBlock elements; each block is
// reduced with kLanes interleaved accumulators, and the block results are combined in
// order. The blocks may be spread over threads, but the arithmetic is the same for any
// thread count, so results are bit-identical at 1 or N threads. float32 sums and
// products accumulate in double.
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <type_traits>
#include <vector>

#include "core/cpu/isa.h"
#include "core/cpu/parallel.h"
#include "core/dispatch.h"
#include "core/init.h"
#include "core/ops.h"

namespace keras::core::cpu {
namespace {

constexpr int64_t kBlock = 4096;  // elements per block of a contiguous run
constexpr int kLanes = 8;         // interleaved accumulators inside a block

// Width of the slab of adjacent outputs one task reduces when inner > 1: wide, so each
// input row is read in long contiguous runs, but narrow enough to give every thread work.
// It only splits the outputs among tasks; each output's arithmetic is unchanged.
int64_t slab_width(int64_t outer, int64_t inner) {
  const int64_t threads = get_num_threads();
  int64_t w = 4096;
  if (outer < threads) {
    const int64_t per_outer = (threads + outer - 1) / outer;  // tasks wanted per outer row
    w = std::min<int64_t>(w, (inner + per_outer - 1) / per_outer);
  }
  w = std::max<int64_t>(64, (w + 15) / 16 * 16);
  return std::min(w, inner);
}

// ---- reducers: init, step (fold one value), combine (fold two accumulators), finish --
template <class T>
using WideFloat = std::conditional_t<std::is_floating_point_v<T>, double, uint64_t>;

template <class T>
struct SumR {
  static constexpr bool kSum = true;  // float blocks run block_sum (core/cpu/isa.h)
  using Acc = WideFloat<T>;  // unsigned wrap-around for integers (no UB on overflow)
  static Acc init() { return Acc(0); }
  static Acc step(Acc a, T v) { return a + static_cast<Acc>(v); }
  static Acc combine(Acc a, Acc b) { return a + b; }
  static T finish(Acc a, int64_t) { return static_cast<T>(a); }
};

template <class T>
struct MeanR : SumR<T> {
  using Acc = typename SumR<T>::Acc;
  static T finish(Acc a, int64_t n) {
    if constexpr (std::is_floating_point_v<T>) {
      return static_cast<T>(a / static_cast<double>(n));  // 0 / 0 = NaN for an empty axis
    } else {
      if (n == 0) return T(0);
      if constexpr (std::is_signed_v<T>)
        return static_cast<T>(static_cast<int64_t>(a) / n);  // truncates, as TensorFlow
      else
        return static_cast<T>(a / static_cast<uint64_t>(n));
    }
  }
};

template <class T>
struct ProdR {
  using Acc = WideFloat<T>;
  static Acc init() { return Acc(1); }
  static Acc step(Acc a, T v) { return a * static_cast<Acc>(v); }
  static Acc combine(Acc a, Acc b) { return a * b; }
  static T finish(Acc a, int64_t) { return static_cast<T>(a); }
};

template <class T>
struct MaxR {
  using Acc = T;
  static Acc init() {
    if constexpr (std::is_floating_point_v<T>) return -std::numeric_limits<T>::infinity();
    else return std::numeric_limits<T>::lowest();
  }
  static Acc step(Acc a, T v) {
    if constexpr (std::is_floating_point_v<T>) return ((v > a) | (v != v)) ? v : a;  // NaN sticks
    else return v > a ? v : a;
  }
  static Acc combine(Acc a, Acc b) { return step(a, b); }
  static T finish(Acc a, int64_t) { return a; }
};

template <class T>
struct MinR {
  using Acc = T;
  static Acc init() {
    if constexpr (std::is_floating_point_v<T>) return std::numeric_limits<T>::infinity();
    else return std::numeric_limits<T>::max();
  }
  static Acc step(Acc a, T v) {
    if constexpr (std::is_floating_point_v<T>) return ((v < a) | (v != v)) ? v : a;
    else return v < a ? v : a;
  }
  static Acc combine(Acc a, Acc b) { return step(a, b); }
  static T finish(Acc a, int64_t) { return a; }
};

// Bool reductions read the bytes as uint8 (0 or 1).
struct AllR {
  using Acc = uint8_t;
  static Acc init() { return 1; }
  static Acc step(Acc a, uint8_t v) { return static_cast<Acc>(a & v); }
  static Acc combine(Acc a, Acc b) { return static_cast<Acc>(a & b); }
  static uint8_t finish(Acc a, int64_t) { return a; }
};
struct AnyR {
  using Acc = uint8_t;
  static Acc init() { return 0; }
  static Acc step(Acc a, uint8_t v) { return static_cast<Acc>(a | v); }
  static Acc combine(Acc a, Acc b) { return static_cast<Acc>(a | b); }
  static uint8_t finish(Acc a, int64_t) { return a; }
};

// ---- the reduction loops ----------------------------------------------------------
// One block of a contiguous run: kLanes accumulators, combined in a fixed order.
template <class R, class T>
typename R::Acc reduce_block(const T* p, int64_t n) {
  using Acc = typename R::Acc;
  if constexpr (requires { R::kSum; } && std::is_floating_point_v<T>)
    return isa_kernels().of<T>().block_sum(p, n);  // the same arithmetic, vectorized per ISA
  if constexpr (std::is_same_v<R, MaxR<T>> && std::is_floating_point_v<T>) return isa_kernels().of<T>().block_max(p, n);
  if constexpr (std::is_same_v<R, MinR<T>> && std::is_floating_point_v<T>) return isa_kernels().of<T>().block_min(p, n);
  Acc lane[kLanes];
  for (auto& l : lane) l = R::init();
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int j = 0; j < kLanes; ++j) lane[j] = R::step(lane[j], p[i + j]);
  Acc acc = lane[0];
  for (int j = 1; j < kLanes; ++j) acc = R::combine(acc, lane[j]);
  for (; i < n; ++i) acc = R::step(acc, p[i]);
  return acc;
}

// out[o] = reduce(x[o*r : (o+1)*r]) for o < outer.
template <class R, class T, class O>
void reduce_rows(const T* x, O* out, int64_t outer, int64_t r) {
  using Acc = typename R::Acc;
  const int64_t nb = (r + kBlock - 1) / kBlock;
  if (nb <= 1) {
    parallel_for(outer, std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(r, 1)),
                 [&](int64_t b, int64_t e) {
                   for (int64_t o = b; o < e; ++o) out[o] = R::finish(reduce_block<R>(x + o * r, r), r);
                 });
    return;
  }
  // Long rows: block partials (in parallel), then each row's blocks combined in order.
  const int64_t tasks = outer * nb;
  std::unique_ptr<Acc[]> part(new Acc[static_cast<size_t>(tasks)]);
  parallel_for(tasks, std::max<int64_t>(1, kElementwiseGrain / kBlock), [&](int64_t b, int64_t e) {
    for (int64_t t = b; t < e; ++t) {
      int64_t o = t / nb, j = t % nb;
      int64_t start = j * kBlock, len = std::min(kBlock, r - start);
      part[static_cast<size_t>(t)] = reduce_block<R>(x + o * r + start, len);
    }
  });
  for (int64_t o = 0; o < outer; ++o) {
    Acc acc = part[static_cast<size_t>(o * nb)];
    for (int64_t j = 1; j < nb; ++j) acc = R::combine(acc, part[static_cast<size_t>(o * nb + j)]);
    out[o] = R::finish(acc, r);
  }
}

// out[o*inner + i] = reduce_k x[(o*r + k)*inner + i], for inner > 1: slabs of outputs
// accumulate row by row (vectorizable), k in order.
template <class R, class T, class O>
void reduce_strided(const T* x, O* out, int64_t outer, int64_t r, int64_t inner) {
  using Acc = typename R::Acc;
  const int64_t w = slab_width(outer, inner), ns = (inner + w - 1) / w;
  const int64_t grain = std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(1, r * w));
  parallel_for(outer * ns, grain, [&](int64_t b, int64_t e) {
    std::unique_ptr<Acc[]> acc(new Acc[static_cast<size_t>(w)]);
    for (int64_t t = b; t < e; ++t) {
      int64_t o = t / ns, i0 = (t % ns) * w, len = std::min(w, inner - i0);
      for (int64_t i = 0; i < len; ++i) acc[i] = R::init();
      const T* base = x + o * r * inner + i0;
      for (int64_t k = 0; k < r; ++k) {
        const T* row = base + k * inner;
        for (int64_t i = 0; i < len; ++i) acc[i] = R::step(acc[i], row[i]);
      }
      O* dst = out + o * inner + i0;
      for (int64_t i = 0; i < len; ++i) dst[i] = R::finish(acc[i], r);
    }
  });
}

// dst (dense, shape dims) = src read at element strides `strides`.
template <class T>
void permute_copy(const T* src, T* dst, const std::vector<int64_t>& dims,
                  const std::vector<int64_t>& strides, int64_t n) {
  const size_t rank = dims.size();
  parallel_for(n, kElementwiseGrain, [&](int64_t b, int64_t e) {
    std::vector<int64_t> idx(rank, 0);
    int64_t off = 0, rem = b;
    for (size_t ax = rank; ax-- > 0;) {
      idx[ax] = rem % dims[ax];
      rem /= dims[ax];
      off += idx[ax] * strides[ax];
    }
    const int64_t last = dims[rank - 1], ls = strides[rank - 1];
    int64_t i = b;
    while (i < e) {
      // Run along the last axis, then carry into the earlier ones.
      int64_t run = std::min(e - i, last - idx[rank - 1]);
      for (int64_t j = 0; j < run; ++j) dst[i + j] = src[off + j * ls];
      i += run;
      off += run * ls;
      idx[rank - 1] += run;
      for (size_t ax = rank - 1; ax > 0 && idx[ax] == dims[ax]; --ax) {
        off -= dims[ax] * strides[ax];
        idx[ax] = 0;
        off += strides[ax - 1];
        ++idx[ax - 1];
      }
    }
  });
}

struct Layout {
  int64_t outer = 1, r = 1, inner = 1;
  bool permute = false;                  // copy first (dims/strides of the copy)
  std::vector<int64_t> dims, strides;
};

// Plans the (outer, reduced, inner) view of shape `s` with reduced axes `red`.
Layout plan(const Shape& s, const std::vector<bool>& red) {
  struct G { int64_t size; bool red; };
  std::vector<G> g;
  for (int64_t i = 0; i < s.rank(); ++i) {
    if (s[i] == 1) continue;
    bool rd = red[static_cast<size_t>(i)];
    if (!g.empty() && g.back().red == rd) g.back().size *= s[i];
    else g.push_back({s[i], rd});
  }
  Layout L;
  int nred = 0;
  for (const G& x : g) nred += x.red;
  if (nred == 0) {  // nothing of size > 1 is reduced: each output reads one element
    L.outer = s.num_elements();
    return L;
  }
  if (nred == 1) {
    bool seen = false;
    for (const G& x : g) {
      if (x.red) { L.r = x.size; seen = true; }
      else if (!seen) L.outer *= x.size;
      else L.inner *= x.size;
    }
    return L;
  }
  // Several reduced groups: kept groups first, then the reduced ones.
  std::vector<int64_t> st(g.size());
  int64_t acc = 1;
  for (size_t i = g.size(); i-- > 0;) { st[i] = acc; acc *= g[i].size; }
  L.permute = true;
  for (int pass = 0; pass < 2; ++pass)
    for (size_t i = 0; i < g.size(); ++i)
      if (g[i].red == (pass == 1)) {
        L.dims.push_back(g[i].size);
        L.strides.push_back(st[i]);
        if (g[i].red) L.r *= g[i].size;
        else L.outer *= g[i].size;
      }
  return L;
}

template <class R, class T, class O>
void run_reduce(const T* x, O* out, const Shape& in_shape, const std::vector<bool>& red,
                int64_t out_n, DType dt) {
  if (out_n == 0) return;
  int64_t r_total = 1;
  for (int64_t i = 0; i < in_shape.rank(); ++i)
    if (red[static_cast<size_t>(i)]) r_total *= in_shape[i];
  if (r_total == 0) {  // empty reduction: the identity everywhere
    O v = R::finish(R::init(), 0);
    for (int64_t i = 0; i < out_n; ++i) out[i] = v;
    return;
  }
  Layout L = plan(in_shape, red);
  if (L.permute) {
    const int64_t n = in_shape.num_elements();
    Tensor tmp = empty(Shape{n}, dt);
    T* buf = static_cast<T*>(tmp.raw_mutable_data());
    permute_copy(x, buf, L.dims, L.strides, n);
    return reduce_rows<R>(static_cast<const T*>(buf), out, L.outer, L.r);
  }
  if (L.inner == 1) return reduce_rows<R>(x, out, L.outer, L.r);
  reduce_strided<R>(x, out, L.outer, L.r, L.inner);
}

std::vector<bool> reduced_mask(const OpCall& c) {
  const int64_t r = c.in(0).rank();
  std::vector<bool> red(static_cast<size_t>(r), c.attrs.axes.empty());
  for (int64_t a : c.attrs.axes) red[static_cast<size_t>(a < 0 ? a + r : a)] = true;
  return red;
}

template <class T>
void numeric_reduce(OpCall& c, const std::vector<bool>& red) {
  const T* x = static_cast<const T*>(c.in(0).raw_data());
  T* out = static_cast<T*>(c.outputs[0].raw_mutable_data());
  const Shape& s = c.in(0).shape();
  const int64_t n = c.outputs[0].size();
  const DType dt = c.in(0).dtype();
  switch (c.op) {
    case OpId::Sum: return run_reduce<SumR<T>>(x, out, s, red, n, dt);
    case OpId::Mean: return run_reduce<MeanR<T>>(x, out, s, red, n, dt);
    case OpId::Max: return run_reduce<MaxR<T>>(x, out, s, red, n, dt);
    case OpId::Min: return run_reduce<MinR<T>>(x, out, s, red, n, dt);
    case OpId::Prod: return run_reduce<ProdR<T>>(x, out, s, red, n, dt);
    default: break;
  }
}

void reduce_kernel(OpCall& c) {
  std::vector<bool> red = reduced_mask(c);
  switch (c.in(0).dtype()) {
    case DType::float32: return numeric_reduce<float>(c, red);
    case DType::float64: return numeric_reduce<double>(c, red);
    case DType::int32: return numeric_reduce<int32_t>(c, red);
    case DType::int64: return numeric_reduce<int64_t>(c, red);
    case DType::uint8: return numeric_reduce<uint8_t>(c, red);
    case DType::int8: return numeric_reduce<int8_t>(c, red);
    case DType::int16: return numeric_reduce<int16_t>(c, red);
    case DType::uint16: return numeric_reduce<uint16_t>(c, red);
    case DType::uint32: return numeric_reduce<uint32_t>(c, red);
    case DType::bool_: {
      static_assert(sizeof(bool) == 1, "bool tensors are read as bytes");
      const uint8_t* x = static_cast<const uint8_t*>(c.in(0).raw_data());
      uint8_t* out = static_cast<uint8_t*>(c.outputs[0].raw_mutable_data());
      const int64_t n = c.outputs[0].size();
      if (c.op == OpId::All)
        return run_reduce<AllR>(x, out, c.in(0).shape(), red, n, DType::uint8);
      return run_reduce<AnyR>(x, out, c.in(0).shape(), red, n, DType::uint8);
    }
    case DType::string: break;  // never here: dispatch runs string tensors in string_kernels.cpp
  }
}

// ---- argmax / argmin -------------------------------------------------------------
// `better(v, best)`: v replaces the current best (strictly better, so ties keep the first
// index; the first NaN wins and is never replaced).
template <class T, bool kMax>
inline bool better(T v, T best) {
  if constexpr (std::is_floating_point_v<T>) {
    if (best != best) return false;
    if (v != v) return true;
  }
  return kMax ? v > best : v < best;
}

template <class T, class I, bool kMax>
void arg_reduce(const T* x, I* out, int64_t outer, int64_t r, int64_t inner) {
  if (inner == 1) {
    parallel_for(outer, std::max<int64_t>(1, kElementwiseGrain / r), [&](int64_t b, int64_t e) {
      for (int64_t o = b; o < e; ++o) {
        const T* p = x + o * r;
        T best = p[0];
        int64_t bi = 0;
        for (int64_t k = 1; k < r; ++k)
          if (better<T, kMax>(p[k], best)) { best = p[k]; bi = k; }
        out[o] = static_cast<I>(bi);
      }
    });
    return;
  }
  const int64_t w = slab_width(outer, inner), ns = (inner + w - 1) / w;
  const int64_t grain = std::max<int64_t>(1, kElementwiseGrain / (r * w));
  parallel_for(outer * ns, grain, [&](int64_t b, int64_t e) {
    std::unique_ptr<T[]> best(new T[static_cast<size_t>(w)]);
    std::unique_ptr<int64_t[]> bi(new int64_t[static_cast<size_t>(w)]);
    for (int64_t t = b; t < e; ++t) {
      int64_t o = t / ns, i0 = (t % ns) * w, len = std::min(w, inner - i0);
      const T* base = x + o * r * inner + i0;
      for (int64_t i = 0; i < len; ++i) { best[i] = base[i]; bi[i] = 0; }
      for (int64_t k = 1; k < r; ++k) {
        const T* row = base + k * inner;
        for (int64_t i = 0; i < len; ++i)
          if (better<T, kMax>(row[i], best[i])) { best[i] = row[i]; bi[i] = k; }
      }
      I* dst = out + o * inner + i0;
      for (int64_t i = 0; i < len; ++i) dst[i] = static_cast<I>(bi[i]);
    }
  });
}

template <class T>
void arg_typed(OpCall& c, int64_t outer, int64_t r, int64_t inner) {
  const T* x = static_cast<const T*>(c.in(0).raw_data());
  const bool mx = c.op == OpId::ArgMax;
  void* o = c.outputs[0].raw_mutable_data();
  if (c.outputs[0].dtype() == DType::int32) {
    if (mx) arg_reduce<T, int32_t, true>(x, static_cast<int32_t*>(o), outer, r, inner);
    else arg_reduce<T, int32_t, false>(x, static_cast<int32_t*>(o), outer, r, inner);
  } else {
    if (mx) arg_reduce<T, int64_t, true>(x, static_cast<int64_t*>(o), outer, r, inner);
    else arg_reduce<T, int64_t, false>(x, static_cast<int64_t*>(o), outer, r, inner);
  }
}

void arg_kernel(OpCall& c) {
  const Shape& s = c.in(0).shape();
  const int64_t axis = c.attrs.axis < 0 ? c.attrs.axis + s.rank() : c.attrs.axis;
  const auto [outer, r, inner] = split_at(s, axis);
  if (c.outputs[0].size() == 0 || r == 0) return;  // infer rejects r == 0
  switch (c.in(0).dtype()) {
    case DType::float32: return arg_typed<float>(c, outer, r, inner);
    case DType::float64: return arg_typed<double>(c, outer, r, inner);
    case DType::int32: return arg_typed<int32_t>(c, outer, r, inner);
    case DType::int64: return arg_typed<int64_t>(c, outer, r, inner);
    case DType::uint8: return arg_typed<uint8_t>(c, outer, r, inner);
    case DType::int8: return arg_typed<int8_t>(c, outer, r, inner);
    case DType::int16: return arg_typed<int16_t>(c, outer, r, inner);
    case DType::uint16: return arg_typed<uint16_t>(c, outer, r, inner);
    case DType::uint32: return arg_typed<uint32_t>(c, outer, r, inner);
    case DType::bool_: break;  // rejected by infer
    case DType::string: break;  // never here: dispatch runs string tensors in string_kernels.cpp
  }
}

}  // namespace
}  // namespace keras::core::cpu

namespace keras::core {
void register_cpu_reduce_kernels() {
  for (OpId op : {OpId::Sum, OpId::Mean, OpId::Max, OpId::Min, OpId::Prod, OpId::All,
                  OpId::Any})
    register_kernel(op, Device::Kind::CPU, cpu::reduce_kernel);
  register_kernel(OpId::ArgMax, Device::Kind::CPU, cpu::arg_kernel);
  register_kernel(OpId::ArgMin, Device::Kind::CPU, cpu::arg_kernel);
}
}  // namespace keras::core
