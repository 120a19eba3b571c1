// nn.cpp - CPU kernels of softmax, log_softmax, the fused softmax cross-entropies and
// one_hot. Softmax-like kernels see the input as (outer, n, inner) with n the softmax
// axis; inner == 1 (the last axis) has its own row loop. Every row subtracts its maximum
// before exponentiating, and sums of exponentials accumulate in double. The exponentials
// run the vector kernels of the active ISA (core/cpu/simd/nn.cpp).
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "core/cpu/isa.h"
#include "core/cpu/parallel.h"
#include "core/dispatch.h"
#include "core/index_checks.h"
#include "core/init.h"
#include "core/ops.h"

namespace keras::core {
void throw_label_out_of_range(const OpCall& c, int64_t flat, int64_t value, int64_t classes) {
  const Shape& s = c.in(0).shape();
  std::vector<int64_t> idx(static_cast<size_t>(s.rank()));  // the multi-index of `flat`
  for (int64_t ax = s.rank() - 1, f = flat; ax >= 0; --ax) {
    idx[static_cast<size_t>(ax)] = f % s[ax];
    f /= s[ax];
  }
  throw_invalid(std::string(c.name()) + ": received label value " + std::to_string(value) + " at position " +
                Shape(idx).str() + " of labels (shape " + s.str() + "), but labels must be in [0, " +
                std::to_string(classes) + ") for logits of shape " + c.in(1).shape().str());
}
}  // namespace keras::core

namespace keras::core::cpu {
namespace {

// Inner positions one task handles together when inner > 1: wide for long contiguous
// reads, narrow enough to give every thread work (each output's arithmetic is the same
// for any width).
int64_t slab_width(int64_t outer, int64_t inner) {
  const int64_t threads = get_num_threads();
  int64_t w = 2048;
  if (outer < threads) {
    const int64_t per_outer = (threads + outer - 1) / outer;
    w = std::min<int64_t>(w, (inner + per_outer - 1) / per_outer);
  }
  w = std::max<int64_t>(64, (w + 15) / 16 * 16);
  return std::min(w, inner);
}

// ---- softmax / log_softmax ------------------------------------------------------------
template <class T, bool kLog>
void softmax_last(const T* x, T* y, int64_t rows, int64_t n) {
  const VecKernels<T>& vk = isa_kernels().of<T>();
  parallel_for(rows, std::max<int64_t>(1, kElementwiseGrain / n), [&](int64_t b, int64_t e) {
    if constexpr (!kLog) return vk.softmax_rows(x + b * n, y + b * n, e - b, n, nullptr);
    for (int64_t r = b; r < e; ++r) {
      const T* p = x + r * n;
      T* q = y + r * n;
      const T m = vk.row_max(p, n);
      const T ls = static_cast<T>(std::log(vk.exp_shift_sum(p, m, nullptr, n)));
      for (int64_t i = 0; i < n; ++i) q[i] = (p[i] - m) - ls;
    }
  });
}

template <class T, bool kLog>
void softmax_strided(const T* x, T* y, int64_t outer, int64_t n, int64_t inner) {
  const VecKernels<T>& vk = isa_kernels().of<T>();
  const int64_t w = slab_width(outer, inner), ns = (inner + w - 1) / w;
  parallel_for(outer * ns, std::max<int64_t>(1, kElementwiseGrain / (n * w)),
               [&](int64_t b, int64_t e) {
                 std::vector<T> m(static_cast<size_t>(w)), t2(static_cast<size_t>(w));
                 std::vector<double> s(static_cast<size_t>(w));
                 for (int64_t t = b; t < e; ++t) {
                   const int64_t o = t / ns, i0 = (t % ns) * w;
                   const int64_t len = std::min(w, inner - i0);
                   const T* px = x + o * n * inner + i0;
                   T* py = y + o * n * inner + i0;
                   for (int64_t i = 0; i < len; ++i) {
                     m[i] = -std::numeric_limits<T>::infinity();
                     s[i] = 0.0;
                   }
                   for (int64_t k = 0; k < n; ++k)
                     for (int64_t i = 0; i < len; ++i) {
                       T v = px[k * inner + i];
                       m[i] = v > m[i] ? v : m[i];
                     }
                   for (int64_t k = 0; k < n; ++k) {
                     T* e = kLog ? t2.data() : py + k * inner;  // the row's exponentials
                     vk.exp_diff(px + k * inner, m.data(), e, len);
                     for (int64_t i = 0; i < len; ++i) s[i] += static_cast<double>(e[i]);
                   }
                   T* ls = t2.data();  // log of the sums, or their reciprocals
                   if constexpr (kLog) {
                     for (int64_t i = 0; i < len; ++i) ls[i] = static_cast<T>(std::log(s[i]));
                     for (int64_t k = 0; k < n; ++k)
                       for (int64_t i = 0; i < len; ++i)
                         py[k * inner + i] = (px[k * inner + i] - m[i]) - ls[i];
                   } else {
                     for (int64_t i = 0; i < len; ++i) ls[i] = static_cast<T>(1.0 / s[i]);
                     for (int64_t k = 0; k < n; ++k)
                       for (int64_t i = 0; i < len; ++i) py[k * inner + i] *= ls[i];
                   }
                 }
               });
}

template <class T>
void softmax_typed(OpCall& c) {
  const Shape& s = c.in(0).shape();
  const int64_t axis = c.attrs.axis < 0 ? c.attrs.axis + s.rank() : c.attrs.axis;
  const auto [outer, n, inner] = split_at(s, axis);
  if (c.in(0).size() == 0) return;
  const T* x = static_cast<const T*>(c.in(0).raw_data());
  T* y = static_cast<T*>(c.outputs[0].raw_mutable_data());
  const bool lg = c.op == OpId::LogSoftmax;
  if (inner == 1) {
    if (lg) softmax_last<T, true>(x, y, outer, n);
    else softmax_last<T, false>(x, y, outer, n);
  } else {
    if (lg) softmax_strided<T, true>(x, y, outer, n, inner);
    else softmax_strided<T, false>(x, y, outer, n, inner);
  }
}

void softmax_kernel(OpCall& c) {
  if (c.in(0).dtype() == DType::float32) return softmax_typed<float>(c);
  softmax_typed<double>(c);
}

// ---- cross-entropies ------------------------------------------------------------------

template <class L>
void check_labels(const OpCall& c, const L* lab, int64_t rows, int64_t classes) {
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t v = static_cast<int64_t>(lab[r]);
    if (v < 0 || v >= classes) throw_label_out_of_range(c, r, v, classes);
  }
}

// loss[r] = logsumexp(logits[r]) - logits[r, label[r]], computed as
// log(sum exp(x - m)) - (x[label] - m).
template <class T, class L>
void sparse_xent(OpCall& c) {
  const int64_t classes = c.in(1).shape()[c.in(1).rank() - 1];
  const int64_t rows = c.outputs[0].size();
  const L* lab = static_cast<const L*>(c.in(0).raw_data());
  check_labels(c, lab, rows, classes);  // before any arithmetic
  if (rows == 0) return;
  const T* x = static_cast<const T*>(c.in(1).raw_data());
  T* out = static_cast<T*>(c.outputs[0].raw_mutable_data());
  const VecKernels<T>& vk = isa_kernels().of<T>();
  parallel_for(rows, std::max<int64_t>(1, kElementwiseGrain / classes), [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const T* p = x + r * classes;
      const T m = vk.row_max(p, classes);
      const double s = vk.exp_shift_sum(p, m, nullptr, classes);
      const double picked = static_cast<double>(p[static_cast<int64_t>(lab[r])] - m);
      out[r] = static_cast<T>(std::log(s) - picked);
    }
  });
}

// loss[r] = sum_j labels[r, j] * (logsumexp(logits[r]) - logits[r, j]); zero labels skip.
template <class T>
void dense_xent(OpCall& c) {
  const int64_t classes = c.in(1).shape()[c.in(1).rank() - 1];
  const int64_t rows = c.outputs[0].size();
  if (rows == 0) return;
  T* out = static_cast<T*>(c.outputs[0].raw_mutable_data());
  if (classes == 0) {  // an empty sum
    for (int64_t r = 0; r < rows; ++r) out[r] = T(0);
    return;
  }
  const T* lab = static_cast<const T*>(c.in(0).raw_data());
  const T* x = static_cast<const T*>(c.in(1).raw_data());
  const VecKernels<T>& vk = isa_kernels().of<T>();
  parallel_for(rows, std::max<int64_t>(1, kElementwiseGrain / classes), [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const T* p = x + r * classes;
      const T* l = lab + r * classes;
      const T m = vk.row_max(p, classes);
      const double s = vk.exp_shift_sum(p, m, nullptr, classes);
      const double ls = std::log(s);
      double loss = 0.0;
      for (int64_t i = 0; i < classes; ++i)
        if (l[i] != T(0)) loss += static_cast<double>(l[i]) * (ls - static_cast<double>(p[i] - m));
      out[r] = static_cast<T>(loss);
    }
  });
}

void sparse_xent_kernel(OpCall& c) {
  const bool f32 = c.in(1).dtype() == DType::float32;
  if (c.in(0).dtype() == DType::int32)
    return f32 ? sparse_xent<float, int32_t>(c) : sparse_xent<double, int32_t>(c);
  return f32 ? sparse_xent<float, int64_t>(c) : sparse_xent<double, int64_t>(c);
}

void dense_xent_kernel(OpCall& c) {
  if (c.in(1).dtype() == DType::float32) return dense_xent<float>(c);
  dense_xent<double>(c);
}

// ---- one_hot ----------------------------------------------------------------------------
// Output (outer, depth, inner): out[o, d, i] = indices[o, i] == d ? on : off.
template <class T, class I>
void one_hot_typed(OpCall& c) {
  const Shape& s = c.in(0).shape();
  const int64_t depth = c.attrs.k, r = s.rank();
  const int64_t axis = c.attrs.axis == -1 ? r : c.attrs.axis;
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < axis; ++i) outer *= s[i];
  for (int64_t i = axis; i < r; ++i) inner *= s[i];
  T* out = static_cast<T*>(c.outputs[0].raw_mutable_data());
  const int64_t total = c.outputs[0].size();
  if (total == 0) return;
  const T on = static_cast<T>(c.attrs.alpha), off = static_cast<T>(c.attrs.beta);
  parallel_for(total, kElementwiseGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) out[i] = off;
  });
  const I* idx = static_cast<const I*>(c.in(0).raw_data());
  parallel_for(outer * inner, kElementwiseGrain, [&](int64_t b, int64_t e) {
    for (int64_t t = b; t < e; ++t) {
      const int64_t v = static_cast<int64_t>(idx[t]);
      if (v < 0 || v >= depth) continue;
      const int64_t o = t / inner, i = t % inner;
      out[(o * depth + v) * inner + i] = on;
    }
  });
}

template <class T>
void one_hot_out(OpCall& c) {
  switch (c.in(0).dtype()) {
    case DType::int32: return one_hot_typed<T, int32_t>(c);
    case DType::int64: return one_hot_typed<T, int64_t>(c);
    case DType::uint8: return one_hot_typed<T, uint8_t>(c);
    case DType::int8: return one_hot_typed<T, int8_t>(c);
    case DType::int16: return one_hot_typed<T, int16_t>(c);
    case DType::uint16: return one_hot_typed<T, uint16_t>(c);
    case DType::uint32: return one_hot_typed<T, uint32_t>(c);
    default: break;  // rejected by infer
  }
}

void one_hot_kernel(OpCall& c) {
  switch (c.outputs[0].dtype()) {
    case DType::float32: return one_hot_out<float>(c);
    case DType::float64: return one_hot_out<double>(c);
    case DType::int32: return one_hot_out<int32_t>(c);
    case DType::int64: return one_hot_out<int64_t>(c);
    case DType::uint8: return one_hot_out<uint8_t>(c);
    case DType::int8: return one_hot_out<int8_t>(c);
    case DType::int16: return one_hot_out<int16_t>(c);
    case DType::uint16: return one_hot_out<uint16_t>(c);
    case DType::uint32: return one_hot_out<uint32_t>(c);
    case DType::bool_: return one_hot_out<bool>(c);
  }
}

}  // namespace
}  // namespace keras::core::cpu

namespace keras::core {
void register_cpu_nn_kernels() {
  register_kernel(OpId::Softmax, Device::Kind::CPU, cpu::softmax_kernel);
  register_kernel(OpId::LogSoftmax, Device::Kind::CPU, cpu::softmax_kernel);
  register_kernel(OpId::SparseSoftmaxCrossEntropy, Device::Kind::CPU, cpu::sparse_xent_kernel);
  register_kernel(OpId::SoftmaxCrossEntropy, Device::Kind::CPU, cpu::dense_xent_kernel);
  register_kernel(OpId::OneHot, Device::Kind::CPU, cpu::one_hot_kernel);
}
}  // namespace keras::core
