// The gradient-check cases of the fused batch- and layer-normalization ops
// (core/batch_norm.h, core/layer_norm.h): each
// op's every output folded into one tensor, so that the gradient flowing into each one
// (the batch statistics' included) is checked against central differences, first and
// second order.
#include "core/batch_norm.h"
#include "core/layer_norm.h"
#include "gradient_cases.h"

namespace gradcheck {
namespace ops = keras::core::ops;

namespace {
Tensor scaled(const Tensor& t, double k) { return ops::multiply(t, ops::scalar_like(t, k)); }
}  // namespace

std::vector<Case> batch_norm_cases() {
  std::vector<Case> cs;
  // training: y + mean + 0.5 variance + 0.3 inv_std (broadcast over the rows).
  for (Shape s : {Shape{4, 3}, Shape{2, 3, 2}, Shape{3}}) {
    const Shape v{s[s.rank() - 1]};
    cs.push_back({"fused_batch_norm",
                  [](const std::vector<Tensor>& in) {
                    auto r = ops::fused_batch_norm(in[0], in[1], in[2], 0.1);
                    Tensor stats = ops::add(r.mean, ops::add(scaled(r.variance, 0.5), scaled(r.inv_std, 0.3)));
                    return ops::add(r.y, stats);
                  },
                  {Input{s}, Input{v}, Input{v}}});
  }
  cs.push_back({"fused_batch_norm_inference",
                [](const std::vector<Tensor>& in) {
                  return ops::fused_batch_norm_inference(in[0], in[1], in[2], in[3], in[4], 1e-3);
                },
                {Input{Shape{3, 2, 3}}, Input{Shape{3}}, Input{Shape{3}}, Input{Shape{3}}, Input{Shape{3}, 0.3, 2.0}}});
  // The backward pass itself: dx + dscale * doffset; training with and without the
  // statistics' gradients, and inference.
  for (int mode : {0, 1, 2}) {
    std::vector<Input> in{Input{Shape{4, 3}}, Input{Shape{4, 3}}, Input{Shape{3}}, Input{Shape{3}},
                          Input{Shape{3}, 0.5, 1.5}};
    if (mode == 1) {
      in.push_back(Input{Shape{3}});
      in.push_back(Input{Shape{3}});
    }
    cs.push_back({"fused_batch_norm_grad",
                  [mode](const std::vector<Tensor>& x) {
                    auto r = mode == 1 ? ops::fused_batch_norm_grad(x[0], x[1], x[2], x[3], x[4], true, x[5], x[6])
                                       : ops::fused_batch_norm_grad(x[0], x[1], x[2], x[3], x[4], mode == 0);
                    return ops::add(r.dx, ops::multiply(r.dscale, r.doffset));
                  },
                  in});
  }
  // Layer normalization: y + mean + 0.3 inv_std (broadcast over each row), then its
  // backward pass with and without the statistics' gradients.
  for (Shape s : {Shape{4, 3}, Shape{2, 3, 5}, Shape{3}}) {
    const Shape v{s[s.rank() - 1]};
    cs.push_back({"fused_layer_norm",
                  [](const std::vector<Tensor>& in) {
                    auto r = ops::fused_layer_norm(in[0], in[1], in[2], 0.1);
                    return ops::add(r.y, ops::add(r.mean, scaled(r.inv_std, 0.3)));
                  },
                  {Input{s}, Input{v}, Input{v}}});
  }
  for (bool stats : {false, true}) {
    std::vector<Input> in{Input{Shape{4, 3}}, Input{Shape{4, 3}}, Input{Shape{3}}, Input{Shape{4, 1}},
                          Input{Shape{4, 1}, 0.5, 1.5}};
    if (stats) {
      in.push_back(Input{Shape{4, 1}});
      in.push_back(Input{Shape{4, 1}});
    }
    cs.push_back({"fused_layer_norm_grad",
                  [stats](const std::vector<Tensor>& x) {
                    auto r = stats ? ops::fused_layer_norm_grad(x[0], x[1], x[2], x[3], x[4], x[5], x[6])
                                   : ops::fused_layer_norm_grad(x[0], x[1], x[2], x[3], x[4]);
                    return ops::add(r.dx, ops::multiply(r.dscale, r.doffset));
                  },
                  in});
  }
  return cs;
}

}  // namespace gradcheck
