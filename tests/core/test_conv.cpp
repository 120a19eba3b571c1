// test_conv.cpp - conv, max_pool, average_pool and their gradient ops: values on small
// hand-checked cases, float32 (oneDNN) against float64 (the direct loops) over strides,
// paddings, dilations, groups and 1 to 3 spatial axes, thread counts, and bad inputs.
// (Gradients against finite differences: test_gradients.cpp; against Keras: the layer
// fixtures in tests/keras/test_conv_layers.cpp.)
#include <limits>
#include <stdexcept>

#include "helpers.h"

using namespace th;

namespace {

Tensor rand_t(const Shape& s, uint32_t seed, DType dt = DType::float64) {
  return make(uniform(s.num_elements(), -1, 1, seed), s, dt);
}

void check_close(const Tensor& a, const Tensor& b, double tol) {
  REQUIRE(a.shape() == b.shape());
  check_values(a, values(b), tol);
}

struct ConvCase {
  Shape x, k;
  ops::SpatialArg strides;
  std::string padding;
  ops::SpatialArg dilation;
};

std::vector<ConvCase> conv_cases() {
  return {
      {Shape{2, 9, 3}, Shape{3, 3, 4}, 1, "valid", 1},
      {Shape{2, 9, 3}, Shape{3, 3, 4}, 2, "same", 1},
      {Shape{2, 9, 3}, Shape{2, 3, 4}, 2, "valid", 1},  // a cell left over at the end
      {Shape{3, 8, 3}, Shape{2, 3, 4}, 3, "same", 1},
      {Shape{2, 9, 4}, Shape{3, 2, 4}, 1, "causal", 2},  // groups 2
      {Shape{3, 7, 6, 3}, Shape{3, 3, 3, 5}, 1, "same", 1},
      {Shape{2, 8, 7, 3}, Shape{3, 2, 3, 4}, {2, 3}, "same", 1},
      {Shape{2, 8, 7, 3}, Shape{2, 3, 3, 4}, {2, 1}, "valid", 1},
      {Shape{2, 9, 9, 4}, Shape{3, 3, 1, 8}, 1, "same", {2, 1}},  // depthwise-like, groups 4
      {Shape{5, 6, 6, 16}, Shape{3, 3, 16, 32}, 1, "valid", 1},
      {Shape{2, 5, 6, 4, 2}, Shape{2, 3, 2, 2, 3}, 1, "same", 1},
      {Shape{2, 5, 6, 4, 2}, Shape{3, 2, 2, 2, 4}, {2, 1, 2}, "valid", 1},
  };
}

}  // namespace

TEST_SUITE("conv") {
TEST_CASE("conv: a 1D valid convolution computed by hand") {
  // x = [1 2 3 4], kernel [1 0 -1]: y[i] = x[i] - x[i+2]
  Tensor x = core::constant(std::vector<double>{1, 2, 3, 4}, Shape{1, 4, 1});
  Tensor k = core::constant(std::vector<double>{1, 0, -1}, Shape{3, 1, 1});
  check_values(ops::conv(x, k), std::vector<double>{-2, -2});
  // same: total padding 2, one before, one after: [0 1 2 3 4 0]
  check_values(ops::conv(x, k, 1, "same"), std::vector<double>{-2, -2, -2, 3});
  // causal: two zeros before: [0 0 1 2 3 4]
  for (DType dt : {DType::float32, DType::float64}) {
    Tensor y = ops::conv(ops::cast(x, dt), ops::cast(k, dt), 1, "causal");
    CHECK(y.shape() == Shape{1, 4, 1});
    check_values(y, std::vector<double>{-1, -2, -2, -2});
  }
}

TEST_CASE("conv: same padding puts the odd cell after (TensorFlow's split)") {
  // in 4, kernel 2, stride 1: total padding 1, all after.
  Tensor x = core::constant(std::vector<double>{1, 2, 3, 4}, Shape{1, 4, 1});
  Tensor k = core::constant(std::vector<double>{1, 10}, Shape{2, 1, 1});
  check_values(ops::conv(x, k, 1, "same"), std::vector<double>{21, 32, 43, 4});
}

TEST_CASE("conv: float32 on oneDNN equals the float64 loops, forward and both gradients") {
  uint32_t seed = 1;
  const int saved = core::get_num_threads();
  for (int threads : {1, 2}) {
    core::set_num_threads(threads);
    for (const ConvCase& c : conv_cases()) {
      CAPTURE(c.x.str());
      CAPTURE(c.k.str());
      CAPTURE(c.padding);
      Tensor x = rand_t(c.x, seed++), k = rand_t(c.k, seed++);
      Tensor y = ops::conv(x, k, c.strides, c.padding, "channels_last", c.dilation);
      Tensor y32 = ops::conv(ops::cast(x, DType::float32), ops::cast(k, DType::float32), c.strides, c.padding,
                             "channels_last", c.dilation);
      CHECK(y32.dtype() == DType::float32);
      check_close(y32, y, 1e-5);
      // The gradients through a tape: backward data and backward weights.
      Tensor dy = rand_t(y.shape(), seed++);
      auto grads = [&](DType dt) {
        Tensor xd = ops::cast(x, dt), kd = ops::cast(k, dt);
        core::GradientTape tape;
        tape.watch(xd);
        tape.watch(kd);
        Tensor out = ops::conv(xd, kd, c.strides, c.padding, "channels_last", c.dilation);
        Tensor loss = ops::sum(ops::multiply(out, ops::cast(dy, dt)));
        return tape.gradient(loss, std::vector<Tensor>{xd, kd});
      };
      auto g64 = grads(DType::float64), g32 = grads(DType::float32);
      check_close(g32[0], g64[0], 1e-5);
      check_close(g32[1], g64[1], 1e-5);
    }
  }
  core::set_num_threads(saved);
}

TEST_CASE("conv: output shapes of strides, paddings and dilations") {
  Tensor x = ops::zeros({2, 10, 11, 3});
  CHECK(ops::conv(x, ops::zeros({3, 3, 3, 8})).shape() == Shape{2, 8, 9, 8});
  CHECK(ops::conv(x, ops::zeros({3, 3, 3, 8}), 2, "same").shape() == Shape{2, 5, 6, 8});
  CHECK(ops::conv(x, ops::zeros({3, 3, 3, 8}), 2, "valid").shape() == Shape{2, 4, 5, 8});
  CHECK(ops::conv(x, ops::zeros({3, 3, 3, 8}), 1, "valid", "channels_last", 2).shape() == Shape{2, 6, 7, 8});
  CHECK(ops::conv(x, ops::zeros({1, 1, 1, 6})).shape() == Shape{2, 10, 11, 6});  // groups 3
  CHECK(ops::conv(ops::zeros({0, 5, 3}), ops::zeros({2, 3, 4})).shape() == Shape{0, 4, 4});
}

TEST_CASE("conv: bad inputs raise naming what was expected and received") {
  Tensor x = ops::zeros({2, 8, 8, 4});
  auto msg = [](auto&& f) {
    try {
      f();
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(msg([&] { ops::conv(ops::zeros({8, 4}), ops::zeros({3, 4, 2})); }).find("rank 3, 4 or 5") != std::string::npos);
  CHECK(msg([&] { ops::conv(x, ops::zeros({3, 4, 2})); }).find("expected a kernel of rank 4") != std::string::npos);
  CHECK(msg([&] { ops::conv(x, ops::zeros({3, 3, 3, 2})); }).find("multiple of the kernel's in_channels (3") !=
        std::string::npos);
  CHECK(msg([&] { ops::conv(x, ops::zeros({3, 3, 2, 3})); }).find("divisible by groups (2") != std::string::npos);
  CHECK(msg([&] { ops::conv(x, ops::zeros({9, 3, 4, 2})); }).find("does not fit") != std::string::npos);
  CHECK(msg([&] { ops::conv(x, ops::zeros({3, 3, 4, 2}), 1, "full"); }).find("\"full\"") != std::string::npos);
  CHECK(msg([&] { ops::conv(x, ops::zeros({3, 3, 4, 2}), 1, "causal"); }).find("causal") != std::string::npos);
  CHECK(msg([&] { ops::conv(x, ops::zeros({3, 3, 4, 2}), {1, 2, 3}); }).find("1 or 2 values") != std::string::npos);
  CHECK(msg([&] { ops::conv(x, ops::zeros({3, 3, 4, 2}), 1, "valid", "NHWC"); }).find("channels_last") !=
        std::string::npos);
  CHECK(msg([&] { ops::conv(x, ops::zeros({3, 3, 4, 2}), 0); }).find(">= 1") != std::string::npos);
  CHECK(msg([&] { ops::conv(x, ops::zeros({3, 3, 4, 2}, DType::float64)); }).find("dtype") != std::string::npos);
  CHECK(msg([&] { ops::conv(ops::zeros({2, 8, 8, 4}, DType::int32), ops::zeros({3, 3, 4, 2}, DType::int32)); })
            .find("int32") != std::string::npos);
  CHECK(msg([&] { ops::max_pool(x, 3, std::nullopt, "causal"); }).find("causal") != std::string::npos);
  CHECK(msg([&] { ops::max_pool(x, 9); }).find("does not fit") != std::string::npos);
  // Explicit geometry (the gradient ops, graph files): paddings reaching a whole window.
  CHECK(msg([&] { ops::conv_backprop_input(ops::zeros({2, 8, 8, 2}), ops::zeros({3, 3, 4, 2}), Shape{2, 8, 8, 4},
                                           {{1, 1}, {3, 0}, {3, 0}, {1, 1}}); })
            .find("padding smaller than the window (3") != std::string::npos);
  CHECK(msg([&] { ops::average_pool_grad(ops::zeros({1, 4, 1}), Shape{1, 4, 1}, {2}, {{1}, {int64_t(1) << 40}, {0}, {1}}); })
            .find("padding smaller") != std::string::npos);
}

TEST_CASE("pooling: max and average by hand, same padding leaves padded cells out of the average") {
  // 1 x 3 x 3 x 1 = [[1 2 3] [4 5 6] [7 8 9]]
  Tensor x = core::constant(std::vector<double>{1, 2, 3, 4, 5, 6, 7, 8, 9}, Shape{1, 3, 3, 1});
  for (DType dt : {DType::float32, DType::float64}) {
    Tensor xd = ops::cast(x, dt);
    check_values(ops::max_pool(xd, 2, 1), std::vector<double>{5, 6, 8, 9});
    check_values(ops::average_pool(xd, 2, 1), std::vector<double>{3, 4, 6, 7});
    // same, pool 2 stride 2: windows [0,1] and [2] (+1 padding after) per axis
    Tensor m = ops::max_pool(xd, 2, std::nullopt, "same");
    CHECK(m.shape() == Shape{1, 2, 2, 1});
    check_values(m, std::vector<double>{5, 6, 8, 9});
    check_values(ops::average_pool(xd, 2, std::nullopt, "same"), std::vector<double>{3, 4.5, 7.5, 9});
    // 1D and 3D
    check_values(ops::max_pool(ops::reshape(xd, {1, 9, 1}), 3), std::vector<double>{3, 6, 9});
    check_values(ops::average_pool(ops::reshape(xd, {1, 1, 3, 3, 1}), {1, 3, 3}), std::vector<double>{5});
  }
}

TEST_CASE("pooling: gradients go to the first maximum, and are spread over the averaged cells") {
  Tensor x = core::constant(std::vector<double>{1, 3, 3, 0}, Shape{1, 4, 1});
  core::GradientTape tape;
  tape.watch(x);
  Tensor y = ops::add(ops::sum(ops::max_pool(x, 2, 1)), ops::sum(ops::average_pool(x, 3, 1, "same")));
  Tensor g = tape.gradient(y, x);
  // max windows [1 3] [3 3] [3 0]: the first 3 gets 2, the second 1.
  // average (same, pool 3): windows {0,1} {0,1,2} {1,2,3} {2,3}: 1/2+1/3, 1/2+1/3+1/3, 1/3+1/3+1/2, 1/3+1/2
  check_values(g, std::vector<double>{0 + 1.0 / 2 + 1.0 / 3, 2 + 1.0 / 2 + 2.0 / 3, 1 + 2.0 / 3 + 1.0 / 2,
                                      1.0 / 3 + 1.0 / 2});
}

TEST_CASE("max_pool: NaN never wins a window and a window of NaN and -inf gives the lowest value (TensorFlow)") {
  // tf.nn.max_pool1d(x, 3, s, "VALID") in TensorFlow 2.21, float32 and float64 alike.
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  const Tensor a = core::constant(std::vector<double>{1, nan, 2, 3, -inf, 5, inf, 0, nan}, Shape{1, 9, 1});
  const Tensor b = core::constant(std::vector<double>{nan, 1, 0, 2, nan, 2, -inf, -inf, nan}, Shape{1, 9, 1});
  for (DType dt : {DType::float32, DType::float64}) {
    CAPTURE(core::dtype_name(dt));
    check_values(ops::max_pool(ops::cast(a, dt), 3, 1), std::vector<double>{2, 3, 3, 5, inf, inf, inf});
    const double lowest = dt == DType::float32 ? double(std::numeric_limits<float>::lowest())
                                               : std::numeric_limits<double>::lowest();
    check_values(ops::max_pool(ops::cast(b, dt), 3), std::vector<double>{1, 2, lowest});
  }
}

TEST_CASE("pooling: float32 (oneDNN) equals float64 over shapes, strides and paddings, gradients included") {
  uint32_t seed = 300;
  for (auto [s, pool, strides, padding] :
       std::vector<std::tuple<Shape, std::vector<int64_t>, std::vector<int64_t>, std::string>>{
           {Shape{2, 9, 3}, {3}, {2}, "same"},
           {Shape{3, 7, 6, 4}, {2, 3}, {2, 2}, "valid"},
           {Shape{3, 7, 6, 4}, {3, 3}, {2, 1}, "same"},
           {Shape{2, 5, 4, 6, 2}, {2, 2, 3}, {1, 2, 2}, "same"}}) {
    Tensor x = rand_t(s, seed++);
    for (auto f : {ops::max_pool, ops::average_pool}) {
      Tensor y = f(x, pool, strides, padding, "channels_last");
      check_close(f(ops::cast(x, DType::float32), pool, strides, padding, "channels_last"), y, 1e-6);
      // The gradients (max_pool_grad, average_pool_grad) too.
      Tensor dy = rand_t(y.shape(), seed++);
      auto grad = [&](DType dt) {
        Tensor xd = ops::cast(x, dt);
        core::GradientTape tape;
        tape.watch(xd);
        return tape.gradient(ops::sum(ops::multiply(f(xd, pool, strides, padding, "channels_last"), ops::cast(dy, dt))), xd);
      };
      check_close(grad(DType::float32), grad(DType::float64), 1e-6);
    }
  }
}
TEST_CASE("max_pool_grad: float32 (oneDNN) equals float64 with ties and remainders, at 1 and 2 threads") {
  // Values from {0, 1, 2} so windows hold ties (the gradient goes to the first maximum);
  // 7 and 5 cells leave a remainder outside every window, whose gradient is 0.
  uint32_t seed = 400;
  for (auto [s, pool] : std::vector<std::pair<Shape, std::vector<int64_t>>>{
           {Shape{3, 8, 8, 5}, {2, 2}}, {Shape{2, 7, 5, 3}, {2, 2}}, {Shape{2, 9, 3}, {3}}, {Shape{2, 5, 4, 6, 2}, {2, 2, 3}}}) {
    CAPTURE(s.str());
    Tensor x = ops::floor(ops::multiply(ops::abs(rand_t(s, seed++)), ops::scalar_like(rand_t(s, 0), 3.0)));
    x = ops::minimum(x, ops::scalar_like(x, 2.0));
    Tensor dy = rand_t(ops::max_pool(x, pool).shape(), seed++);
    auto grad = [&](DType dt) {
      Tensor xd = ops::cast(x, dt);
      core::GradientTape tape;
      tape.watch(xd);
      return ops::cast(tape.gradient(ops::sum(ops::multiply(ops::max_pool(xd, pool), ops::cast(dy, dt))), xd),
                       DType::float64);
    };
    const Tensor want = grad(DType::float64);
    for (int threads : {1, 2}) {
      core::set_num_threads(threads);
      check_close(grad(DType::float32), want, 1e-6);  // dy's values, rounded to float32
    }
  }
}
}
