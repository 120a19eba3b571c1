// The CUDA convolution and pooling kernels (gpu/window.cu) against the CPU ones: conv in
// 1-3D with strides, "same"/"valid"/"causal" padding, dilation and groups, fused_conv with
// bias and relu, max and average pooling with overlapping and padded windows and ties,
// each with its gradients (conv_backprop_input/filter, max/average_pool_grad) taken by a
// tape on the device; pooling with symmetric and one-sided "same" padding (cuDNN and the
// direct kernels) and windows of NaN and -inf only. float32 runs on cuDNN where it is
// installed; the device script (device_bundle.sh) runs these again with KERAS_CPP_CUDNN=0
// (the direct kernels). Without a GPU the cases are skipped; the table itself runs on the
// CPU everywhere.
#include <limits>
#include <string>
#include <vector>

#include "core/autodiff.h"
#include "cuda_cases.h"

using namespace cuda_cases;

namespace {

// y = f(x, k) and the gradients of sum(y^2) with respect to x and k.
template <class F>
std::vector<Tensor> with_grads(const std::vector<Tensor>& in, F f) {
  core::GradientTape tape;
  tape.watch(in[0]);
  if (in.size() > 1) tape.watch(in[1]);
  const Tensor y = f(in);
  std::vector<Tensor> sources(in.begin(), in.begin() + std::ptrdiff_t(std::min<size_t>(in.size(), 2)));
  std::vector<Tensor> out = tape.gradient(ops::sum(ops::square(y)), sources);
  out.insert(out.begin(), y);
  return out;
}

struct ConvSpec {
  const char* name;
  Shape x, k;
  int64_t stride, dilation;
  const char* padding;
};

std::vector<Case> conv_cases() {
  std::vector<Case> cs;
  const std::vector<ConvSpec> specs = {
      {"2D same", Shape{2, 7, 6, 4}, Shape{3, 3, 4, 5}, 1, 1, "same"},
      {"2D stride 2 valid", Shape{2, 7, 6, 4}, Shape{3, 3, 4, 5}, 2, 1, "valid"},
      {"2D dilation 2 same", Shape{2, 7, 6, 4}, Shape{3, 3, 4, 5}, 1, 2, "same"},
      {"2D groups 2", Shape{2, 7, 6, 4}, Shape{3, 3, 2, 6}, 1, 1, "same"},
      {"2D even kernel, same (padding after only)", Shape{2, 6, 5, 3}, Shape{2, 2, 3, 4}, 1, 1, "same"},
      {"1D stride 2 same", Shape{2, 9, 3}, Shape{3, 3, 4}, 2, 1, "same"},
      {"1D causal dilation 2", Shape{2, 9, 3}, Shape{3, 3, 4}, 1, 2, "causal"},
      {"3D same", Shape{1, 4, 5, 4, 2}, Shape{2, 3, 2, 2, 3}, 1, 1, "same"}};
  for (DType dt : {DType::float32, DType::float64})
    for (const ConvSpec& s : specs) {
      const std::string padding = s.padding;
      const int64_t stride = s.stride, dilation = s.dilation;
      cs.push_back({std::string("conv ") + s.name + " " + core::dtype_name(dt), [=](auto& in) {
                      return with_grads(in, [&](auto& x) { return ops::conv(x[0], x[1], stride, padding, "channels_last", dilation); });
                    }, {finite(s.x, dt, 70), finite(s.k, dt, 71)}});
    }
  for (DType dt : {DType::float32, DType::float64})
    for (bool relu : {false, true})
      cs.push_back({std::string("fused_conv with bias") + (relu ? " and relu " : " ") + core::dtype_name(dt),
                    [relu](auto& in) {
                      return with_grads(in, [&](auto& x) { return ops::fused_conv(x[0], x[1], x[2], relu, 1, "same"); });
                    }, {finite({2, 6, 5, 3}, dt, 72), finite({3, 3, 3, 4}, dt, 73), finite({4}, dt, 74)}});
  return cs;
}

struct PoolSpec {
  const char* name;
  Shape x;
  std::vector<int64_t> pool, strides;
  const char* padding;
};

// Values from {0, 1, 2}: max windows hold ties (the gradient goes to the first maximum).
Tensor ties(const Shape& s, DType dt, uint64_t seed) {
  const Tensor t = ops::floor(ops::multiply(ops::abs(finite(s, DType::float64, seed)), ops::scalar_like(ops::zeros({}, DType::float64), 0.7)));
  return ops::cast(ops::minimum(t, ops::scalar_like(t, 2.0)), dt);
}

std::vector<Case> pool_cases() {
  std::vector<Case> cs;
  const std::vector<PoolSpec> specs = {
      {"2D 2x2 (a remainder outside every window)", Shape{2, 7, 6, 3}, {2, 2}, {2, 2}, "valid"},
      {"2D 3x3 stride 2 same (overlapping, padded)", Shape{2, 7, 6, 3}, {3, 3}, {2, 2}, "same"},
      {"1D 3 stride 1", Shape{2, 9, 3}, {3}, {1}, "valid"},
      {"3D same", Shape{1, 4, 5, 6, 2}, {2, 2, 3}, {1, 2, 2}, "same"},
      // cuDNN pads symmetrically: "same" with one cell more after (here every axis) runs
      // on the direct kernels, symmetric "same" on cuDNN (float32).
      {"2D 2x2 stride 1 same (padding after only)", Shape{2, 6, 5, 3}, {2, 2}, {1, 1}, "same"},
      {"2D 3x3 stride 1 same (symmetric padding)", Shape{2, 6, 5, 3}, {3, 3}, {1, 1}, "same"},
      {"2D 3x2 strides 1x3 (a stride past the window)", Shape{2, 7, 8, 3}, {3, 2}, {1, 3}, "valid"},
      {"1D 4 stride 3 same (symmetric padding)", Shape{2, 8, 3}, {4}, {3}, "same"},
      {"3D 3x3x3 same (symmetric padding)", Shape{1, 4, 5, 4, 2}, {3, 3, 3}, {1, 1, 1}, "same"}};
  for (DType dt : {DType::float32, DType::float64})
    for (const PoolSpec& s : specs)
      for (bool max : {true, false}) {
        const auto pool = s.pool, strides = s.strides;
        const std::string padding = s.padding;
        auto f = [=](auto& x) {
          return max ? ops::max_pool(x[0], pool, strides, padding) : ops::average_pool(x[0], pool, strides, padding);
        };
        const std::string name = std::string(max ? "max_pool " : "average_pool ") + s.name + " " + core::dtype_name(dt);
        cs.push_back({name, [=](auto& in) { return with_grads(in, f); }, {finite(s.x, dt, 75)}});
        if (max) cs.push_back({name + ", ties", [=](auto& in) { return with_grads(in, f); }, {ties(s.x, dt, 76)}});
        // NaN and infinities in the forward pass (NaN never wins its window).
        cs.push_back({name + ", NaN and infinities", [=](auto& in) { return std::vector{f(in)}; },
                      {awkward(s.x, dt, 77)}});
      }
  // Windows of NaN and -inf only give the lowest finite value (the CPU's and TensorFlow's
  // rule, which the cuDNN path restores); NaN never wins a window, wherever it stands
  // (the second window starts with one): lowest, 2, lowest, -5.
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  for (DType dt : {DType::float32, DType::float64})
    cs.push_back({std::string("max_pool of windows of NaN and -inf ") + core::dtype_name(dt), [](auto& in) {
                    return std::vector{ops::max_pool(in[0], std::vector<int64_t>{2, 2}, std::vector<int64_t>{2, 2}, "valid")};
                  }, {make({nan, -inf, nan, 1, -inf, nan, 2, nan, nan, -inf, -5, nan, -inf, -inf, -inf, nan},
                           Shape{1, 4, 4, 1}, dt)}});
  return cs;
}

}  // namespace

TEST_CASE("cuda conv/pool: the table itself runs on the CPU") {
  std::vector<Case> all = conv_cases();
  for (Case& c : pool_cases()) all.push_back(std::move(c));
  for (const Case& c : all) {
    CAPTURE(c.name);
    for (const Tensor& t : c.fn(c.inputs)) CHECK(t.defined());
  }
  MESSAGE(all.size() << " CPU/CUDA convolution and pooling cases");
}

TEST_CASE("cuda conv: conv and fused_conv with their gradients equal the CPU" * doctest::skip(no_gpu())) {
  for (const Case& c : conv_cases()) run_case(c);
}

TEST_CASE("cuda pool: max and average pooling with their gradients equal the CPU" * doctest::skip(no_gpu())) {
  for (const Case& c : pool_cases()) run_case(c);
}

TEST_CASE("cuda pool: the CPU's max_pool rule the cuDNN path restores (windows of NaN and -inf, NaN first)") {
  // tf.nn.max_pool2d(x, 2, 2, "VALID") on these float32 values gives the same four.
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  const Tensor x = make({nan, -inf, nan, 1, -inf, nan, 2, nan, nan, -inf, -5, nan, -inf, -inf, -inf, nan},
                        Shape{1, 4, 4, 1}, DType::float32);
  const auto y = values(ops::max_pool(x, std::vector<int64_t>{2, 2}, std::vector<int64_t>{2, 2}, "valid"));
  const double lowest = std::numeric_limits<float>::lowest();
  CHECK(y == std::vector<double>{lowest, 2.0, lowest, -5.0});
}
