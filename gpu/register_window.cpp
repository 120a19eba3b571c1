// register_window.cpp - the CUDA backend's convolution and pooling entries (conv,
// fused_conv, conv_backprop_input, conv_backprop_filter, max_pool, average_pool and their
// gradients): host code turning each op's shapes and attributes into the window geometry
// the CPU kernels use (core/cpu/window.h), for the launchers of gpu/window.cu.
#include <algorithm>
#include <vector>

#include "core/cpu/window.h"
#include "core/dispatch.h"
#include "gpu/kernels.h"
#include "gpu/register_util.h"

namespace keras::core::cuda {
namespace {

Window to_cuda(const cpu::Window& w) {
  Window g;
  g.n = w.n, g.c = w.c, g.oc = w.oc, g.groups = std::max<int64_t>(w.groups, 1);
  for (int i = 0; i < 3; ++i) {
    g.in[i] = w.in[i], g.out[i] = w.out[i], g.k[i] = w.k[i], g.s[i] = w.s[i], g.d[i] = w.d[i];
    g.pl[i] = w.pl[i], g.pr[i] = w.pr[i];
  }
  return g;
}

// x, kernel and y shapes of a convolution (as core/cpu/conv.cpp's conv_window).
Window conv_window(const Shape& x, const Shape& k, const Shape& y, const Attrs& a) {
  const std::vector<int64_t> size(k.dims().begin(), k.dims().end() - 2);
  const int64_t per_group = k[k.rank() - 2];
  return to_cuda(cpu::make_window(x, y, size, a.axes, a, per_group > 0 ? x[x.rank() - 1] / per_group : 1));
}
// x and y shapes of a pooling op (as core/cpu/pool.cpp's pool_window).
Window pool_window(const Shape& x, const Shape& y, const Attrs& a) {
  return to_cuda(cpu::make_window(x, y, a.axes, {}, a, 1));
}

void conv_kernel(OpCall& c) {  // Conv (x, kernel) and FusedConv (x, kernel [, bias]) -> y
  require(c, c.in(0).dtype());
  const Window w = conv_window(c.in(0).shape(), c.in(1).shape(), c.out_shape[0], c.attrs);
  const bool fused = c.op == OpId::FusedConv;
  conv_forward(dt_of(c.in(0).dtype()), w, c.in(0).raw_data(), c.in(1).raw_data(),
               fused && c.inputs.size() == 3 ? c.in(2).raw_data() : nullptr, fused && c.attrs.k == 1,
               c.outputs[0].raw_mutable_data(), device_of(c));
}

void conv_bpi_kernel(OpCall& c) {  // (dy, kernel) -> dx
  require(c, c.in(0).dtype());
  const Window w = conv_window(c.out_shape[0], c.in(1).shape(), c.in(0).shape(), c.attrs);
  conv_backward_data(dt_of(c.in(0).dtype()), w, c.in(0).raw_data(), c.in(1).raw_data(),
                     c.outputs[0].raw_mutable_data(), device_of(c));
}

void conv_bpf_kernel(OpCall& c) {  // (x, dy) -> dkernel
  require(c, c.in(0).dtype());
  const Window w = conv_window(c.in(0).shape(), c.out_shape[0], c.in(1).shape(), c.attrs);
  conv_backward_filter(dt_of(c.in(0).dtype()), w, c.in(0).raw_data(), c.in(1).raw_data(),
                       c.outputs[0].raw_mutable_data(), device_of(c));
}

void pool_kernel(OpCall& c) {
  require(c, c.in(0).dtype());
  const Dt dt = dt_of(c.in(0).dtype());
  void* out = c.outputs[0].raw_mutable_data();
  switch (c.op) {
    case OpId::MaxPool:
    case OpId::AvgPool:
      return pool_forward(c.op == OpId::MaxPool, dt, pool_window(c.in(0).shape(), c.out_shape[0], c.attrs),
                          c.in(0).raw_data(), out, device_of(c));
    case OpId::MaxPoolGrad:  // (x, dy) -> dx
      return max_pool_backward(dt, pool_window(c.in(0).shape(), c.in(1).shape(), c.attrs), c.in(0).raw_data(),
                               c.in(1).raw_data(), out, device_of(c));
    case OpId::AvgPoolGrad:  // (dy) -> dx
      return avg_pool_backward(dt, pool_window(c.out_shape[0], c.in(0).shape(), c.attrs), c.in(0).raw_data(), out,
                               device_of(c));
    default: return;
  }
}

}  // namespace

void register_window_kernels() {
  const auto& f = kFloatTypes;
  add_kernel(OpId::Conv, conv_kernel, f);
  add_kernel(OpId::FusedConv, conv_kernel, f);
  add_kernel(OpId::ConvBackpropInput, conv_bpi_kernel, f);
  add_kernel(OpId::ConvBackpropFilter, conv_bpf_kernel, f);
  for (OpId op : {OpId::MaxPool, OpId::AvgPool, OpId::MaxPoolGrad, OpId::AvgPoolGrad}) add_kernel(op, pool_kernel, f);
}

}  // namespace keras::core::cuda
