// conv.cpp - CPU kernels of conv, conv_backprop_input and conv_backprop_filter. float32
// runs on oneDNN (core/cpu/onednn_conv.cpp), and bfloat16 too where the CPU has AVX-512
// BF16 (elsewhere, or with onednn::force_bf16_gemm(0), float32 between conversions);
// float64 (which oneDNN lacks: the gradient checks) on the direct loops below, which are
// also the tests' reference.
//
// Loops see channels_last tensors as (n, d, h, w, c) (window.h pads the spatial axes to
// 3). Forward and backward data run one task per batch row range (each writes its own
// outputs); backward filter one task per kernel tap (each writes its own taps), summing
// over the batch in order: the results never depend on the thread count.
#include <algorithm>
#include <vector>

#include "core/cpu/bf16_call.h"
#include "core/cpu/onednn.h"
#include "core/cpu/parallel.h"
#include "core/cpu/window.h"
#include "core/dispatch.h"
#include "core/init.h"
#include "core/kernel_dtypes.h"

namespace keras::core::cpu {
namespace {

// y[n, o, f] = sum over taps t and group channels i of x[n, in(o, t), g i] k[t, i, f].
template <class T>
void forward_ref(const Window& w, const T* x, const T* k, T* y) {
  const int64_t ig = w.c / w.groups, og = w.oc / w.groups;
  parallel_for(w.n, 1, [&](int64_t b, int64_t e) {
    for (int64_t n = b; n < e; ++n) {
      const T* xn = x + n * w.in_cells() * w.c;
      T* yo = y + n * w.out_cells() * w.oc;
      for (int64_t o0 = 0; o0 < w.out[0]; ++o0)
        for (int64_t o1 = 0; o1 < w.out[1]; ++o1)
          for (int64_t o2 = 0; o2 < w.out[2]; ++o2, yo += w.oc) {
            std::fill(yo, yo + w.oc, T(0));
            for_taps(w, o0, o1, o2, [&](int64_t cell, int64_t tap) {
              const T* xp = xn + cell * w.c;
              const T* kp = k + tap * ig * w.oc;
              for (int64_t g = 0; g < w.groups; ++g)
                for (int64_t i = 0; i < ig; ++i) {
                  const T xv = xp[g * ig + i];
                  const T* kr = kp + i * w.oc + g * og;
                  T* yr = yo + g * og;
                  for (int64_t f = 0; f < og; ++f) yr[f] += xv * kr[f];
                }
            });
          }
    }
  });
}

template <class T>
void backward_data_ref(const Window& w, const T* dy, const T* k, T* dx) {
  const int64_t ig = w.c / w.groups, og = w.oc / w.groups;
  parallel_for(w.n, 1, [&](int64_t b, int64_t e) {
    for (int64_t n = b; n < e; ++n) {
      T* dxn = dx + n * w.in_cells() * w.c;
      std::fill(dxn, dxn + w.in_cells() * w.c, T(0));
      const T* dyo = dy + n * w.out_cells() * w.oc;
      for (int64_t o0 = 0; o0 < w.out[0]; ++o0)
        for (int64_t o1 = 0; o1 < w.out[1]; ++o1)
          for (int64_t o2 = 0; o2 < w.out[2]; ++o2, dyo += w.oc)
            for_taps(w, o0, o1, o2, [&](int64_t cell, int64_t tap) {
              T* dxp = dxn + cell * w.c;
              const T* kp = k + tap * ig * w.oc;
              for (int64_t g = 0; g < w.groups; ++g)
                for (int64_t i = 0; i < ig; ++i) {
                  const T* kr = kp + i * w.oc + g * og;
                  const T* dr = dyo + g * og;
                  T s = 0;
                  for (int64_t f = 0; f < og; ++f) s += dr[f] * kr[f];
                  dxp[g * ig + i] += s;
                }
            });
    }
  });
}

template <class T>
void backward_filter_ref(const Window& w, const T* x, const T* dy, T* dk) {
  const int64_t ig = w.c / w.groups, og = w.oc / w.groups, per_tap = ig * w.oc;
  std::fill(dk, dk + w.taps() * per_tap, T(0));
  parallel_for(w.taps(), 1, [&](int64_t b, int64_t e) {
    for (int64_t n = 0; n < w.n; ++n) {
      const T* xn = x + n * w.in_cells() * w.c;
      const T* dyo = dy + n * w.out_cells() * w.oc;
      for (int64_t o0 = 0; o0 < w.out[0]; ++o0)
        for (int64_t o1 = 0; o1 < w.out[1]; ++o1)
          for (int64_t o2 = 0; o2 < w.out[2]; ++o2, dyo += w.oc)
            for_taps(w, o0, o1, o2, [&](int64_t cell, int64_t tap) {
              if (tap < b || tap >= e) return;
              const T* xp = xn + cell * w.c;
              T* kp = dk + tap * per_tap;
              for (int64_t g = 0; g < w.groups; ++g)
                for (int64_t i = 0; i < ig; ++i) {
                  const T xv = xp[g * ig + i];
                  T* kr = kp + i * w.oc + g * og;
                  const T* dr = dyo + g * og;
                  for (int64_t f = 0; f < og; ++f) kr[f] += xv * dr[f];
                }
            });
    }
  });
}

std::vector<int64_t> kernel_size(const Shape& k) {
  return std::vector<int64_t>(k.dims().begin(), k.dims().end() - 2);
}

// x, kernel and y shapes of each op: (x, kernel, y).
Window conv_window(const Shape& x, const Shape& k, const Shape& y, const Attrs& a) {
  return make_window(x, y, kernel_size(k), a.axes, a, x[x.rank() - 1] / k[k.rank() - 2]);
}

// Without any product to sum (an empty batch or no channels), the output is zeros.
bool zero_if_empty(OpCall& c, const Window& w) {
  if (w.n > 0 && w.c > 0 && w.oc > 0) return false;
  const int64_t bytes = c.outputs[0].size() * int64_t(dtype_size(c.out_dtype[0]));
  if (bytes > 0) std::fill_n(static_cast<char*>(c.outputs[0].raw_mutable_data()), bytes, char(0));
  return true;
}

void conv_kernel(OpCall& c) {  // (x, kernel) -> y
  const Window w = conv_window(c.in(0).shape(), c.in(1).shape(), c.out_shape[0], c.attrs);
  FlushDenormals ftz;
  if (zero_if_empty(c, w)) return;
  if (c.in(0).dtype() == DType::bfloat16)
    return bf16_call<2>(
        c, [&](auto x, auto k, auto y) { onednn::conv_forward_bf16(w, x, k, y); },
        [&](auto x, auto k, auto y) { onednn::conv_forward(w, x, k, y); });
  if (c.in(0).dtype() == DType::float32)
    return onednn::conv_forward(w, c.in_data<float>(0), c.in_data<float>(1), c.out_data<float>(0));
  forward_ref(w, c.in_data<double>(0), c.in_data<double>(1), c.out_data<double>(0));
}

// FusedConv: y = conv(x, kernel) [+ bias] [then relu]. float32 in one oneDNN primitive;
// float64 through the direct loop and one pass for the epilogue.
void fused_conv_kernel(OpCall& c) {  // (x, kernel [, bias]) -> y
  const Window w = conv_window(c.in(0).shape(), c.in(1).shape(), c.out_shape[0], c.attrs);
  FlushDenormals ftz;
  const bool bias = c.inputs.size() == 3, relu = c.attrs.k == 1;
  const bool empty = zero_if_empty(c, w);
  if (!empty && c.in(0).dtype() == DType::float32)
    return onednn::conv_forward(w, c.in_data<float>(0), c.in_data<float>(1), c.out_data<float>(0),
                                bias ? c.in_data<float>(2) : nullptr,
                                relu ? onednn::Epilogue::relu : onednn::Epilogue::none);
  if (!empty) forward_ref(w, c.in_data<double>(0), c.in_data<double>(1), c.out_data<double>(0));
  // The epilogue by hand: float64, or an empty product (zeros, then bias and relu).
  auto epilogue = [&](auto* y, const auto* b) {
    const int64_t rows = c.outputs[0].size() / std::max<int64_t>(w.oc, 1);
    parallel_for(rows, std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(w.oc, 1)), [&](int64_t lo, int64_t hi) {
      for (int64_t r = lo; r < hi; ++r)
        for (int64_t f = 0; f < w.oc; ++f) {
          auto v = y[r * w.oc + f];
          if (b) v += b[f];
          if (relu && v <= 0) v = 0;  // NaN stays, as the relu kernel's
          y[r * w.oc + f] = v;
        }
    });
  };
  if (!bias && !relu) return;
  if (c.in(0).dtype() == DType::float32)
    return epilogue(c.out_data<float>(0), bias ? c.in_data<float>(2) : static_cast<const float*>(nullptr));
  epilogue(c.out_data<double>(0), bias ? c.in_data<double>(2) : static_cast<const double*>(nullptr));
}

void conv_bpi_kernel(OpCall& c) {  // (dy, kernel) -> dx
  const Window w = conv_window(c.out_shape[0], c.in(1).shape(), c.in(0).shape(), c.attrs);
  FlushDenormals ftz;
  if (zero_if_empty(c, w)) return;
  if (c.in(0).dtype() == DType::bfloat16)
    return bf16_call<2>(
        c, [&](auto dy, auto k, auto dx) { onednn::conv_backward_data_bf16(w, dy, k, dx); },
        [&](auto dy, auto k, auto dx) { onednn::conv_backward_data(w, dy, k, dx); });
  if (c.in(0).dtype() == DType::float32)
    return onednn::conv_backward_data(w, c.in_data<float>(0), c.in_data<float>(1), c.out_data<float>(0));
  backward_data_ref(w, c.in_data<double>(0), c.in_data<double>(1), c.out_data<double>(0));
}

void conv_bpf_kernel(OpCall& c) {  // (x, dy) -> dkernel
  const Window w = conv_window(c.in(0).shape(), c.out_shape[0], c.in(1).shape(), c.attrs);
  FlushDenormals ftz;
  if (zero_if_empty(c, w)) return;
  if (c.in(0).dtype() == DType::bfloat16)
    return bf16_call<2>(
        c, [&](auto x, auto dy, auto dk) { onednn::conv_backward_weights_bf16(w, x, dy, dk); },
        [&](auto x, auto dy, auto dk) { onednn::conv_backward_weights(w, x, dy, dk); });
  if (c.in(0).dtype() == DType::float32)
    return onednn::conv_backward_weights(w, c.in_data<float>(0), c.in_data<float>(1), c.out_data<float>(0));
  backward_filter_ref(w, c.in_data<double>(0), c.in_data<double>(1), c.out_data<double>(0));
}

}  // namespace
}  // namespace keras::core::cpu

namespace keras::core {
void register_cpu_conv_kernels() {
  register_kernel(OpId::Conv, Device::Kind::CPU, cpu::conv_kernel);
  register_kernel(OpId::FusedConv, Device::Kind::CPU, cpu::fused_conv_kernel);
  register_kernel(OpId::ConvBackpropInput, Device::Kind::CPU, cpu::conv_bpi_kernel);
  register_kernel(OpId::ConvBackpropFilter, Device::Kind::CPU, cpu::conv_bpf_kernel);
  // bfloat16 of their own (float16 computes in float32 through half_ops.h).
  for (OpId op : {OpId::Conv, OpId::ConvBackpropInput, OpId::ConvBackpropFilter})
    declare_kernel_dtypes(op, Device::Kind::CPU, {DType::float32, DType::float64, DType::bfloat16});
}
}  // namespace keras::core
