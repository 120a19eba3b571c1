// FusedConv: the kernel (one oneDNN primitive with a bias and a relu post-op for float32)
// against the unfused ops, its checks, and the graph pass that makes it from traced
// conv -> add -> relu chains, with gradients and export.
#include <cmath>
#include <string>

#include "core/export.h"
#include "core/function.h"
#include "helpers.h"

using namespace th;

namespace {

Tensor unfused(const Tensor& x, const Tensor& k, const Tensor& bias, bool relu, const ops::SpatialArg& strides,
               const std::string& padding, const ops::SpatialArg& dilation) {
  Tensor y = ops::conv(x, k, strides, padding, "channels_last", dilation);
  if (bias.defined()) y = ops::add(y, bias);
  return relu ? ops::relu(y) : y;
}

size_t count(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

struct Geo {
  Shape x, k;  // (batch, *spatial, channels), (*size, channels / groups, filters)
  int64_t stride, dilation;
  const char* padding;
};

}  // namespace

TEST_CASE("fused_conv equals conv + bias + relu for 1-3 spatial axes, at 1 and 2 threads") {
  const int saved = core::get_num_threads();
  const Geo geos[] = {
      {Shape{3, 9, 4}, Shape{3, 4, 5}, 1, 1, "same"},             // conv1d
      {Shape{2, 11, 3}, Shape{3, 3, 4}, 2, 1, "valid"},           // strided
      {Shape{3, 10, 2}, Shape{3, 2, 3}, 1, 2, "causal"},          // dilated, causal
      {Shape{5, 7, 6, 3}, Shape{3, 3, 3, 8}, 1, 1, "same"},       // conv2d, odd batch
      {Shape{4, 8, 8, 4}, Shape{3, 3, 2, 6}, 2, 1, "same"},       // groups 2, strided
      {Shape{2, 9, 7, 2}, Shape{2, 3, 2, 3}, 1, 2, "valid"},      // dilated
      {Shape{2, 5, 4, 6, 2}, Shape{3, 2, 3, 2, 4}, 1, 1, "same"}, // conv3d
      {Shape{0, 5, 5, 2}, Shape{3, 3, 2, 3}, 1, 1, "same"},       // empty batch
      {Shape{2, 5, 5, 2}, Shape{3, 3, 2, 0}, 1, 1, "same"},       // no filters
  };
  for (int threads : {1, 2})
    for (DType dt : {DType::float32, DType::float64})
      for (const Geo& g : geos)
        for (bool has_bias : {false, true})
          for (bool relu : {false, true}) {
            CAPTURE(threads);
            CAPTURE(g.x.str());
            CAPTURE(has_bias);
            CAPTURE(relu);
            core::set_num_threads(threads);
            const int64_t filters = g.k[g.k.rank() - 1];
            Tensor x = make(uniform(g.x.num_elements(), -1, 1, 3), g.x, dt);
            Tensor k = make(uniform(g.k.num_elements(), -1, 1, 4), g.k, dt);
            Tensor bias = has_bias ? make(uniform(filters, -1, 1, 5), Shape{filters}, dt) : Tensor();
            Tensor y = ops::fused_conv(x, k, bias, relu, g.stride, g.padding, g.dilation);
            Tensor want = unfused(x, k, bias, relu, g.stride, g.padding, g.dilation);
            CHECK(y.shape() == want.shape());
            CHECK(y.dtype() == dt);
            check_values(y, values(want), dt == DType::float32 ? 1e-5 : 1e-12);
          }
  core::set_num_threads(saved);
}

TEST_CASE("fused_conv: NaN passes through relu; bad shapes and dtypes raise") {
  for (DType dt : {DType::float32, DType::float64}) {
    Tensor x = make({1, 2}, Shape{1, 1, 2}, dt), k = make({1, -1, 1, -1}, Shape{1, 2, 2}, dt);
    Tensor bias = make({std::nan(""), 0.0}, Shape{2}, dt);
    check_values(ops::fused_conv(x, k, bias, true), std::vector<double>{std::nan(""), 0.0});
  }
  Tensor x = ops::zeros({2, 5, 5, 3}), k = ops::zeros({3, 3, 3, 4});
  CHECK_THROWS_WITH_AS(ops::fused_conv(x, k, ops::zeros({3})), doctest::Contains("bias of shape (4,)"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(ops::fused_conv(x, k, ops::zeros({4}, DType::float64)), doctest::Contains("fused_conv"),
                       std::invalid_argument);
  CHECK_THROWS_AS(ops::fused_conv(x, ops::zeros({3, 3, 2, 4})), std::invalid_argument);  // 3 channels, 2 per group
  CHECK_THROWS_AS(ops::fused_conv(ops::zeros({5, 5, 3}), k), std::invalid_argument);     // rank
  CHECK_THROWS_AS(ops::fused_conv(x, k, {}, false, 1, "full"), std::invalid_argument);
  CHECK_THROWS_AS(ops::fused_conv(ops::zeros({2, 5, 5, 3}, DType::int32), ops::zeros({3, 3, 3, 4}, DType::int32)),
                  std::invalid_argument);
  CHECK_THROWS_AS(ops::fused_conv(x, Tensor()), std::invalid_argument);
}

TEST_CASE("function: conv -> add(bias) -> relu chains become one fused_conv node") {
  Tensor k = make(uniform(3 * 3 * 2 * 4, -1, 1, 7), Shape{3, 3, 2, 4}, DType::float32);
  Tensor bias = make(uniform(4, -1, 1, 8), Shape{4}, DType::float32);
  auto layer = [&](const Tensor& x) { return ops::relu(ops::add(ops::conv(x, k, 1, "same"), bias)); };
  auto f = core::function(layer);
  Tensor x = make(uniform(3 * 6 * 6 * 2, -1, 1, 9), Shape{3, 6, 6, 2}, DType::float32);
  check_values(f(x), values(layer(x)), 1e-5);
  CHECK(count(f.graph_str(), "fused_conv(") == 1);
  CHECK(count(f.graph_str(), "relu(") == 0);
  CHECK(count(f.graph_str(), "add(") == 0);
  CHECK(f.num_nodes() == 1);

  // The bias added first (bias + conv) is the same epilogue; without an add, conv -> relu.
  auto g = core::function([&](const Tensor& x) { return ops::relu(ops::add(bias, ops::conv(x, k, 2))); });
  check_values(g(x), values(ops::relu(ops::add(bias, ops::conv(x, k, 2)))), 1e-5);
  CHECK(count(g.graph_str(), "fused_conv(") == 1);
  auto r = core::function([&](const Tensor& x) { return ops::relu(ops::conv(x, k)); });
  check_values(r(x), values(ops::relu(ops::conv(x, k))), 1e-5);
  CHECK(count(r.graph_str(), "fused_conv(") == 1);

  // An intermediate the function returns stays a node of its own.
  auto h = core::function([&](const Tensor& x) {
    Tensor z = ops::add(ops::conv(x, k, 1, "same"), bias);
    return std::vector<Tensor>{ops::relu(z), z};
  });
  auto outs = h(x);
  CHECK(count(h.graph_str(), "fused_conv(") == 1);  // conv + bias; the relu alone
  CHECK(count(h.graph_str(), "relu(") == 1);
  check_values(outs[0], values(layer(x)), 1e-5);

  // A bias that is not a row of filters (here one per position) is no epilogue.
  Tensor full = ops::ones({6, 6, 4});
  auto p = core::function([&](const Tensor& x) { return ops::add(ops::conv(x, k, 1, "same"), full); });
  check_values(p(x), values(ops::add(ops::conv(x, k, 1, "same"), full)), 1e-5);
  CHECK(count(p.graph_str(), "fused_conv(") == 0);
}

TEST_CASE("function: gradients through a fused conv layer equal the eager ones") {
  for (DType dt : {DType::float64, DType::float32}) {
    Tensor k = make(uniform(3 * 3 * 2 * 4, -1, 1, 7), Shape{3, 3, 2, 4}, dt);
    Tensor bias = make(uniform(4, -0.5, 0.5, 8), Shape{4}, dt);
    Tensor x = make(uniform(3 * 6 * 5 * 2, -1, 1, 9), Shape{3, 6, 5, 2}, dt);
    auto grads = [&](const Tensor& xx) {
      core::GradientTape tape;
      tape.watch(xx);
      tape.watch(k);
      tape.watch(bias);
      Tensor loss = ops::sum(ops::square(ops::relu(ops::add(ops::conv(xx, k, 1, "same"), bias))));
      return tape.gradient(loss, {xx, k, bias});
    };
    auto traced = core::function([&](const Tensor& xx) { return grads(xx); });
    auto t = traced(x);
    auto e = grads(x);
    const double tol = dt == DType::float64 ? 1e-12 : 1e-4;
    for (size_t i = 0; i < 3; ++i) check_values(t[i], values(e[i]), tol);
    CHECK(count(traced.graph_str(), "fused_conv(") == 1);
  }
}

TEST_CASE("export: a fused conv is saved as conv, add and relu") {
  Tensor k = make(uniform(3 * 2 * 4, -1, 1, 7), Shape{3, 2, 4}, DType::float32);
  Tensor bias = make(uniform(4, -1, 1, 8), Shape{4}, DType::float32);
  auto layer = [&](const Tensor& x) { return ops::relu(ops::add(ops::conv(x, k, 1, "causal"), bias)); };
  core::ExportBody body = [&](const std::vector<Tensor>& in) {
    const Tensor& x = in[0];
    return std::vector<Tensor>{ops::cond(ops::greater(ops::sum(x), ops::scalar_like(x, -100.0)),
                                         [&] { return layer(x); }, [&] { return ops::conv(x, k, 1, "causal"); })};
  };
  const std::string bytes = core::export_graph(body, {core::TensorSpec{{2, 5, 2}, DType::float32}});
  core::LoadedFunction f = core::load_function_bytes(bytes);
  Tensor x = make(uniform(20, -1, 1, 9), Shape{2, 5, 2}, DType::float32);
  check_values(f({x})[0], values(layer(x)), 1e-5);
  CHECK(f.graph_str().find("fused_conv") == std::string::npos);
}
