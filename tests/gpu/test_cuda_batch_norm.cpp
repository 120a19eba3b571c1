// The CUDA fused batch-normalization kernels (gpu/batch_norm.cu: cuDNN for float32 where
// it fits, direct kernels otherwise) against the CPU ones: training (outputs and the
// statistics), inference, and the backward pass taken by a tape on the device (through
// cuDNN's backward plus the statistics' gradients), for one row, few and many rows, one
// and many channels, and an empty batch. The same for the fused layer-normalization
// kernels (gpu/layer_norm.cu): outputs, the row statistics and a tape's gradients. Without a GPU the cases are skipped; the table
// itself runs on the CPU everywhere.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/autodiff.h"
#include "core/batch_norm.h"
#include "core/layer_norm.h"
#include "core/kernel_support.h"
#include "cuda_cases.h"

using namespace cuda_cases;

namespace {

std::vector<Case> batch_norm_cases() {
  std::vector<Case> cs;
  const std::vector<Shape> shapes = {Shape{64, 4, 4, 33}, Shape{7, 3}, Shape{5}, Shape{1, 8}, Shape{0, 4},
                                     Shape{300, 1}};
  for (DType dt : {DType::float32, DType::float64})
    for (const Shape& s : shapes) {
      const Shape v{s[s.rank() - 1]};
      const std::string tag = s.str() + " " + core::dtype_name(dt);
      // Training: the outputs, then the gradients of a weighted sum of all four.
      cs.push_back({"fused_batch_norm " + tag, [](const std::vector<Tensor>& in) {
                      core::GradientTape tape;
                      for (const Tensor& t : in) tape.watch(t);
                      auto r = ops::fused_batch_norm(in[0], in[1], in[2], 1e-3);
                      Tensor loss = ops::sum(ops::multiply(r.y, weights_like(r.y, 90)));
                      loss = ops::add(loss, ops::sum(ops::multiply(r.mean, weights_like(r.mean, 91))));
                      loss = ops::add(loss, ops::sum(ops::multiply(r.variance, weights_like(r.variance, 92))));
                      std::vector<Tensor> out{r.y, r.mean, r.variance, r.inv_std};
                      for (const Tensor& g : tape.gradient(loss, in)) out.push_back(g);
                      return out;
                    }, {finite(s, dt, 80), finite(v, dt, 81), finite(v, dt, 82)}});
      // The plain training backward (cuDNN's alone for float32) and inference's.
      for (bool training : {true, false})
        cs.push_back({std::string("fused_batch_norm_grad ") + (training ? "training " : "inference ") + tag,
                      [training](const std::vector<Tensor>& in) {
                        auto r = ops::fused_batch_norm_grad(in[0], in[1], in[2], in[3], ops::abs(in[4]), training);
                        return std::vector<Tensor>{r.dx, r.dscale, r.doffset};
                      }, {finite(s, dt, 83), finite(s, dt, 84), finite(v, dt, 85), finite(v, dt, 86),
                          finite(v, dt, 87)}});
      cs.push_back({"fused_batch_norm_inference " + tag, [](const std::vector<Tensor>& in) {
                      return std::vector<Tensor>{
                          ops::fused_batch_norm_inference(in[0], in[1], in[2], in[3], ops::abs(in[4]), 1e-3)};
                    }, {finite(s, dt, 88), finite(v, dt, 89), finite(v, dt, 90), finite(v, dt, 91),
                        finite(v, dt, 92)}});
    }
  // Layer normalization: rows of 33, 3, 5, 8, none, 1 element(s), and rows of nothing.
  for (DType dt : {DType::float32, DType::float64})
    for (const Shape& s : {Shape{64, 4, 4, 33}, Shape{7, 3}, Shape{5}, Shape{1, 8}, Shape{0, 4}, Shape{300, 1},
                           Shape{3, 0}}) {
      const Shape v{s[s.rank() - 1]};
      cs.push_back({"fused_layer_norm " + s.str() + " " + core::dtype_name(dt), [](const std::vector<Tensor>& in) {
                      core::GradientTape tape;
                      for (const Tensor& t : in) tape.watch(t);
                      auto r = ops::fused_layer_norm(in[0], in[1], in[2], 1e-3);
                      Tensor loss = ops::sum(ops::multiply(r.y, weights_like(r.y, 93)));
                      loss = ops::add(loss, ops::sum(ops::multiply(r.mean, weights_like(r.mean, 94))));
                      loss = ops::add(loss, ops::sum(ops::multiply(r.inv_std, weights_like(r.inv_std, 95))));
                      std::vector<Tensor> out{r.y, r.mean, r.inv_std};
                      for (const Tensor& g : tape.gradient(loss, in)) out.push_back(g);
                      return out;
                    }, {finite(s, dt, 96), finite(v, dt, 97), finite(v, dt, 98)}});
    }
  return cs;
}

}  // namespace

TEST_CASE("cuda batch norm: the table itself runs on the CPU") {
  const auto all = batch_norm_cases();
  CHECK(run_table_on_cpu(all) == 0);
  MESSAGE(all.size() << " CPU/CUDA batch-normalization cases");
}

TEST_CASE("cuda batch norm: training, inference and the backward pass equal the CPU" * doctest::skip(no_gpu())) {
  for (const Case& c : batch_norm_cases()) run_on_both(c.name, c.fn, c.inputs, compare_loose);
  CHECK(core::supports("fused_batch_norm", Device::cuda(0), DType::float64));
  CHECK(core::supports("fused_layer_norm_grad", Device::cuda(0), DType::float32));
}
