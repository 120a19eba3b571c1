// register_batch_norm.cpp - the CUDA backend's fused normalization entries
// (fused_batch_norm, fused_batch_norm_inference, fused_batch_norm_grad, fused_layer_norm,
// fused_layer_norm_grad): host code turning each call into (rows, channels) for the
// launchers of gpu/batch_norm.cu and gpu/layer_norm.cu.
#include "core/dispatch.h"
#include "gpu/batch_norm.h"
#include "gpu/layer_norm.h"
#include "gpu/register_util.h"

namespace keras::core::cuda {
namespace {

struct Rows {
  int64_t rows = 0, ch = 0;
  explicit Rows(const Shape& x) : ch(x[x.rank() - 1]) { rows = ch > 0 ? x.num_elements() / ch : 0; }
};

const void* ptr(const OpCall& c, size_t i) { return c.inputs.size() > i ? c.in(i).raw_data() : nullptr; }
void* out(OpCall& c, int i) { return c.outputs[size_t(i)].raw_mutable_data(); }

void batch_norm_kernel(OpCall& c) {
  const bool grad = c.op == OpId::FusedBatchNormGrad;
  const Tensor& x = c.in(grad ? 1 : 0);
  require(c, x.dtype());
  const Rows r(x.shape());
  const Dt dt = dt_of(x.dtype());
  const int dev = device_of(c);
  switch (c.op) {
    case OpId::FusedBatchNorm:  // (x, scale, offset) -> y, mean, variance, inv_std
      return batch_norm_train(dt, r.rows, r.ch, c.attrs.alpha, ptr(c, 0), ptr(c, 1), ptr(c, 2), out(c, 0), out(c, 1),
                              out(c, 2), out(c, 3), dev);
    case OpId::FusedBatchNormInference:  // (x, scale, offset, mean, variance) -> y
      return batch_norm_inference(dt, r.rows, r.ch, c.attrs.alpha, ptr(c, 0), ptr(c, 1), ptr(c, 2), ptr(c, 3),
                                  ptr(c, 4), out(c, 0), dev);
    case OpId::FusedBatchNormGrad:  // (dy, x, scale, mean, inv_std [, dmean, dvariance]) -> dx, dscale, doffset
      return batch_norm_backward(dt, r.rows, r.ch, c.attrs.flag, ptr(c, 0), ptr(c, 1), ptr(c, 2), ptr(c, 3),
                                 ptr(c, 4), ptr(c, 5), ptr(c, 6), out(c, 0), out(c, 1), out(c, 2), dev);
    default: return;
  }
}

void layer_norm_kernel(OpCall& c) {
  const bool grad = c.op == OpId::FusedLayerNormGrad;
  const Tensor& x = c.in(grad ? 1 : 0);
  require(c, x.dtype());
  const Rows r(x.shape());
  const int64_t rows = r.ch > 0 ? r.rows : c.outputs[1].size();  // rows of nothing still get statistics
  const Dt dt = dt_of(x.dtype());
  const int dev = device_of(c);
  if (!grad)  // (x, scale, offset) -> y, mean, inv_std
    return layer_norm_forward(dt, rows, r.ch, c.attrs.alpha, ptr(c, 0), ptr(c, 1), ptr(c, 2), out(c, 0), out(c, 1),
                              out(c, 2), dev);
  // (dy, x, scale, mean, inv_std [, dmean, dinv_std]) -> dx, dscale, doffset
  layer_norm_backward(dt, r.rows, r.ch, ptr(c, 0), ptr(c, 1), ptr(c, 2), ptr(c, 3), ptr(c, 4), ptr(c, 5), ptr(c, 6),
                      out(c, 0), out(c, 1), out(c, 2), dev);
}

}  // namespace

void register_batch_norm_kernels() {
  for (OpId op : {OpId::FusedBatchNorm, OpId::FusedBatchNormInference, OpId::FusedBatchNormGrad})
    add_kernel(op, batch_norm_kernel, kFloatTypes);
  for (OpId op : {OpId::FusedLayerNorm, OpId::FusedLayerNormGrad}) add_kernel(op, layer_norm_kernel, kFloatTypes);
}

}  // namespace keras::core::cuda
