// layer_norm.cpp - CPU kernels of fused_layer_norm and fused_layer_norm_grad (formulas
// in core/ops/layer_norm.cpp). x is (rows, C), C the last axis, each row normalized by its
// own statistics. One pass over memory each way:
// - forward: per row, its sum and its sum of squared deviations (in double), then
//   y = (x - mean) * a + offset with a = inv_std * scale;
// - backward: per row, the sums of h = dy * scale and h * xhat (in double), then dx; the
//   scale and offset gradients are per-channel sums over the rows (channel_sums.h: fixed
//   blocks of rows, so the results do not depend on the thread count).
// The rows run through the ISA table's layer_norm_row and layer_norm_grad_row (simd/nn.cpp):
// row sums accumulate in 8 double lanes in an order that depends on C only.
#include <cmath>
#include <limits>

#include "core/cpu/channel_sums.h"
#include "core/cpu/isa.h"
#include "core/cpu/parallel.h"
#include "core/dispatch.h"
#include "core/init.h"

namespace keras::core::cpu {
namespace {

template <class T>
void forward(OpCall& c) {
  const Geometry g(c.in(0).shape());
  const int64_t C = g.ch;
  const T *x = c.in_data<T>(0), *scale = c.in_data<T>(1), *offset = c.in_data<T>(2);
  T *y = c.out_data<T>(0), *mean = c.out_data<T>(1), *inv = c.out_data<T>(2);
  if (C == 0) {  // rows of nothing: NaN statistics, an empty y
    const T nan = std::numeric_limits<T>::quiet_NaN();
    std::fill(mean, mean + c.outputs[1].size(), nan), std::fill(inv, inv + c.outputs[2].size(), nan);
    return;
  }
  const double eps = c.attrs.alpha;
  const auto row = isa_kernels().of<T>().layer_norm_row;
  parallel_for(g.rows, g.block_rows(), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) row(x + r * C, scale, offset, y + r * C, C, eps, mean + r, inv + r);
  });
}

template <class T>
void backward(OpCall& c) {
  const Geometry g(c.in(1).shape());
  const int64_t C = g.ch;
  const T *dy = c.in_data<T>(0), *x = c.in_data<T>(1), *scale = c.in_data<T>(2), *mean = c.in_data<T>(3),
          *inv = c.in_data<T>(4);
  const T *dmean = c.inputs.size() == 7 ? c.in_data<T>(5) : nullptr, *dinv = dmean ? c.in_data<T>(6) : nullptr;
  T *dx = c.out_data<T>(0), *dscale = c.out_data<T>(1), *doffset = c.out_data<T>(2);
  const auto row = isa_kernels().of<T>().layer_norm_grad_row;
  const auto sums = channel_sums(g, [&](int64_t r, double* __restrict s, double* __restrict q) {
    row(dy + r * C, x + r * C, scale, mean[r], inv[r], dmean ? double(dmean[r]) : 0.0, dinv ? double(dinv[r]) : 0.0,
        dx + r * C, s, q, C);
  });
  for (int64_t j = 0; j < C; ++j) dscale[j] = T(sums[size_t(j)]), doffset[j] = T(sums[size_t(C + j)]);
}

void layer_norm_kernel(OpCall& c) {
  FlushDenormals ftz;
  const bool f32 = c.in(c.op == OpId::FusedLayerNormGrad ? 1 : 0).dtype() == DType::float32;
  if (c.op == OpId::FusedLayerNorm) return f32 ? forward<float>(c) : forward<double>(c);
  f32 ? backward<float>(c) : backward<double>(c);
}

}  // namespace
}  // namespace keras::core::cpu

namespace keras::core {
void register_cpu_layer_norm_kernels() {
  for (OpId op : {OpId::FusedLayerNorm, OpId::FusedLayerNormGrad})
    register_kernel(op, Device::Kind::CPU, cpu::layer_norm_kernel);
}
}  // namespace keras::core
