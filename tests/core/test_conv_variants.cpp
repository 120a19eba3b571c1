// test_conv_variants.cpp - conv_transpose, depthwise_conv and separable_conv: values by
// hand, Keras's output sizes, conv_transpose as the adjoint of conv (<conv(u, k), v> =
// <u, conv_transpose(v, k)>), depthwise_conv as one conv per channel, float32 (oneDNN)
// against float64 (the loops) with gradients, and bad inputs. (Gradients against finite
// differences: test_gradients.cpp; against Keras: tests/keras/test_conv_variant_layers.cpp.)
#include <stdexcept>

#include "core/conv_variants.h"
#include "helpers.h"

using namespace th;

namespace {

Tensor rand_t(const Shape& s, uint32_t seed, DType dt = DType::float64) {
  return make(uniform(s.num_elements(), -1, 1, seed), s, dt);
}

double dot(const Tensor& a, const Tensor& b) { return ops::sum(ops::multiply(a, b)).item<double>(); }

std::string msg(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "no error";
}

// A transposed-conv case: the inputs' shape, the kernel's (*size, filters, channels).
struct TCase {
  Shape x, k;
  ops::SpatialArg strides;
  std::string padding;
  std::optional<ops::SpatialArg> output_padding;
  ops::SpatialArg dilation;
  Shape want;
};

std::vector<TCase> transpose_cases() {
  return {
      {Shape{2, 5, 3}, Shape{3, 4, 3}, 1, "valid", std::nullopt, 1, Shape{2, 7, 4}},
      {Shape{2, 5, 3}, Shape{3, 4, 3}, 2, "valid", std::nullopt, 1, Shape{2, 11, 4}},
      {Shape{2, 5, 3}, Shape{2, 4, 3}, 3, "valid", std::nullopt, 1, Shape{2, 15, 4}},  // default padding s - k
      {Shape{2, 5, 3}, Shape{3, 4, 3}, 2, "same", std::nullopt, 1, Shape{2, 10, 4}},
      {Shape{2, 5, 3}, Shape{4, 4, 3}, 2, "same", std::nullopt, 1, Shape{2, 10, 4}},
      {Shape{2, 5, 3}, Shape{3, 4, 3}, 1, "same", std::nullopt, 2, Shape{2, 5, 4}},
      {Shape{2, 4, 5, 2}, Shape{3, 2, 3, 2}, {2, 1}, "valid", ops::SpatialArg{1, 0}, 1, Shape{2, 10, 6, 3}},
      {Shape{2, 4, 5, 2}, Shape{3, 3, 3, 2}, 2, "same", ops::SpatialArg{1, 0}, 1, Shape{2, 8, 9, 3}},
      {Shape{1, 4, 4, 3}, Shape{2, 2, 5, 3}, 1, "valid", std::nullopt, {2, 1}, Shape{1, 6, 5, 5}},
      {Shape{2, 3, 2, 4, 2}, Shape{2, 3, 2, 3, 2}, {2, 1, 2}, "same", std::nullopt, 1, Shape{2, 6, 2, 8, 3}},
      {Shape{1, 3, 2, 2, 2}, Shape{2, 2, 2, 2, 2}, 2, "valid", ops::SpatialArg{1}, 1, Shape{1, 7, 5, 5, 2}},
  };
}

}  // namespace

TEST_SUITE("conv") {
TEST_CASE("conv_transpose: a 1D case by hand") {
  // x = [1 2], kernel [1 10 100], stride 2, valid: out length (2-1)*2 + 3 = 5;
  // y = 1*[1 10 100 0 0] + 2*[0 0 1 10 100] = [1 10 102 20 200]
  Tensor x = core::constant(std::vector<double>{1, 2}, Shape{1, 2, 1});
  Tensor k = core::constant(std::vector<double>{1, 10, 100}, Shape{3, 1, 1});
  for (DType dt : {DType::float32, DType::float64}) {
    Tensor y = ops::conv_transpose(ops::cast(x, dt), ops::cast(k, dt), 2);
    CHECK(y.dtype() == dt);
    CHECK(y.shape() == Shape{1, 5, 1});
    check_values(y, std::vector<double>{1, 10, 102, 20, 200});
    // same: length 2*2 = 4, TensorFlow's padding (its conv of 4 cells pads 0 before, 1
    // after): the first 4 cells [1 10 102 20] (Keras 3 gives the same)
    check_values(ops::conv_transpose(ops::cast(x, dt), ops::cast(k, dt), 2, "same"),
                 std::vector<double>{1, 10, 102, 20});
    // valid with output_padding 1: one more zero cell at the end.
    check_values(ops::conv_transpose(ops::cast(x, dt), ops::cast(k, dt), 2, "valid", ops::SpatialArg{1}),
                 std::vector<double>{1, 10, 102, 20, 200, 0});
  }
}

TEST_CASE("conv_transpose: Keras's output sizes, the adjoint of conv, float32 equals float64 with gradients") {
  uint32_t seed = 40;
  for (const TCase& c : transpose_cases()) {
    CAPTURE(c.x.str());
    CAPTURE(c.k.str());
    CAPTURE(c.padding);
    Tensor x = rand_t(c.x, seed++), k = rand_t(c.k, seed++);
    Tensor y = ops::conv_transpose(x, k, c.strides, c.padding, c.output_padding, "channels_last", c.dilation);
    REQUIRE(y.shape() == c.want);
    // The adjoint of conv with the same names: <conv_transpose(x, k), u> = <x, conv(u, k)>
    // (k read as conv's (*size, in_channels = filters, filters = channels)).
    Tensor u = rand_t(y.shape(), seed++);
    Tensor cu = ops::conv(u, k, c.strides, c.padding, "channels_last", c.dilation);
    REQUIRE(cu.shape() == x.shape());
    CHECK(dot(x, cu) == doctest::Approx(dot(y, u)).epsilon(1e-12));
    // float32 on oneDNN against the float64 loops, forward and both gradients.
    auto run = [&](DType dt) {
      Tensor xd = ops::cast(x, dt), kd = ops::cast(k, dt);
      core::GradientTape t;
      t.watch(xd);
      t.watch(kd);
      Tensor out = ops::conv_transpose(xd, kd, c.strides, c.padding, c.output_padding, "channels_last", c.dilation);
      auto g = t.gradient(ops::sum(ops::multiply(out, ops::cast(u, dt))), std::vector<Tensor>{xd, kd});
      return std::vector<Tensor>{out, g[0], g[1]};
    };
    auto r64 = run(DType::float64), r32 = run(DType::float32);
    for (size_t i = 0; i < 3; ++i) {
      REQUIRE(r32[i].shape() == r64[i].shape());
      check_values(r32[i], values(r64[i]), 1e-5);
    }
  }
}

TEST_CASE("depthwise_conv: each channel convolved alone; separable_conv adds a 1x1 conv") {
  uint32_t seed = 80;
  struct D {
    Shape x, k;
    ops::SpatialArg strides;
    std::string padding;
    ops::SpatialArg dilation;
    Shape want;
  };
  for (const D& c : std::vector<D>{{Shape{2, 9, 3}, Shape{3, 3, 2}, 1, "valid", 1, Shape{2, 7, 6}},
                                   {Shape{2, 9, 3}, Shape{3, 3, 1}, 2, "same", 1, Shape{2, 5, 3}},
                                   {Shape{2, 9, 2}, Shape{3, 2, 2}, 2, "same", 2, Shape{2, 5, 4}},
                                   {Shape{2, 7, 6, 3}, Shape{3, 2, 3, 2}, {2, 1}, "same", 1, Shape{2, 4, 6, 6}},
                                   {Shape{1, 9, 8, 2}, Shape{3, 3, 2, 3}, 2, "valid", {2, 1}, Shape{1, 3, 3, 6}}}) {
    CAPTURE(c.x.str());
    CAPTURE(c.k.str());
    Tensor x = rand_t(c.x, seed++), k = rand_t(c.k, seed++);
    Tensor y = ops::depthwise_conv(x, k, c.strides, c.padding, "channels_last", c.dilation);
    REQUIRE(y.shape() == c.want);
    // Channel ch with multiplier m: a plain conv of x[..., ch] by k[..., ch, m] (strides
    // and dilation together: the dilated conv at stride 1, subsampled, as Keras's TF backend).
    const int64_t r = c.x.rank() - 2, channels = c.x[r + 1], mult = c.k[r + 1];
    for (int64_t ch = 0; ch < channels; ++ch)
      for (int64_t m = 0; m < mult; ++m) {
        std::vector<int64_t> xb(size_t(r + 2), 0), xs = c.x.dims(), kb(size_t(r + 2), 0), ks = c.k.dims();
        xb.back() = ch;
        xs.back() = 1;
        kb[size_t(r)] = ch;
        kb.back() = m;
        ks[size_t(r)] = 1;
        ks.back() = 1;
        Tensor xc = ops::slice(x, xb, xs), kc = ops::slice(k, kb, ks);
        Tensor full = ops::conv(xc, kc, 1, "valid", "channels_last", c.dilation);
        if (c.padding == "same") {
          // depthwise "same" pads as conv "same" at these strides: compare on the padded input.
          std::vector<std::pair<int64_t, int64_t>> pads{{0, 0}};
          for (int64_t i = 0; i < r; ++i) {
            const int64_t in = c.x[i + 1], s = c.strides.v.size() == 1 ? c.strides.v[0] : c.strides.v[size_t(i)];
            const int64_t d = c.dilation.v.size() == 1 ? c.dilation.v[0] : c.dilation.v[size_t(i)];
            const int64_t out = (in + s - 1) / s, eff = (c.k[i] - 1) * d + 1;
            const int64_t total = std::max<int64_t>(0, (out - 1) * s + eff - in);
            pads.push_back({total / 2, total - total / 2});
          }
          pads.push_back({0, 0});
          full = ops::conv(ops::pad(xc, pads), kc, 1, "valid", "channels_last", c.dilation);
        }
        std::vector<int64_t> stride_v(size_t(r + 2), 1);
        for (int64_t i = 0; i < r; ++i)
          stride_v[size_t(i + 1)] = c.strides.v.size() == 1 ? c.strides.v[0] : c.strides.v[size_t(i)];
        std::vector<int64_t> begin(size_t(r + 2), 0), end = full.shape().dims();
        Tensor sub = ops::strided_slice(full, begin, end, stride_v);
        std::vector<int64_t> yb(size_t(r + 2), 0), ys = y.shape().dims();
        yb.back() = ch * mult + m;
        ys.back() = 1;
        check_values(ops::slice(y, yb, ys), values(sub), 1e-12);
      }
    // float32 equals float64, forward and gradients.
    auto run = [&](DType dt) {
      Tensor xd = ops::cast(x, dt), kd = ops::cast(k, dt);
      core::GradientTape t;
      t.watch(xd);
      t.watch(kd);
      Tensor out = ops::depthwise_conv(xd, kd, c.strides, c.padding, "channels_last", c.dilation);
      auto g = t.gradient(ops::sum(ops::square(out)), std::vector<Tensor>{xd, kd});
      return std::vector<Tensor>{out, g[0], g[1]};
    };
    auto r64 = run(DType::float64), r32 = run(DType::float32);
    for (size_t i = 0; i < 3; ++i) check_values(r32[i], values(r64[i]), 1e-4);
    // separable: the depthwise output through a 1x1 conv.
    std::vector<int64_t> ps(size_t(r), 1);
    ps.push_back(y.shape()[r + 1]);
    ps.push_back(4);
    Tensor p = rand_t(Shape(ps), seed++);
    Tensor s = ops::separable_conv(x, k, p, c.strides, c.padding, "channels_last", c.dilation);
    check_values(s, values(ops::conv(y, p)), 1e-12);
  }
}

TEST_CASE("conv_transpose, depthwise_conv, separable_conv: bad inputs raise naming expected and received") {
  Tensor x = ops::zeros({2, 5, 5, 3});
  CHECK(msg([&] { ops::conv_transpose(x, ops::zeros({3, 3, 4, 2})); }).find("in_channels") != std::string::npos);
  CHECK(msg([&] { ops::conv_transpose(x, ops::zeros({3, 4, 3})); }).find("kernel of rank 4") != std::string::npos);
  CHECK(msg([&] { ops::conv_transpose(x, ops::zeros({3, 3, 4, 3}), 1, "causal"); }).find("\"causal\"") !=
        std::string::npos);
  CHECK(msg([&] { ops::conv_transpose(x, ops::zeros({3, 3, 4, 3}), 2, "valid", ops::SpatialArg{2}); })
            .find("smaller than its stride") != std::string::npos);
  CHECK(msg([&] { ops::conv_transpose(x, ops::zeros({3, 3, 4, 3}), 2, "valid", std::nullopt, "channels_last", 2); })
            .find("dilation_rate > 1") != std::string::npos);
  CHECK(msg([&] { ops::conv_transpose(x, ops::zeros({3, 3, 4, 3}), 0, "same"); }).find(">= 1") != std::string::npos);
  CHECK(msg([&] { ops::conv_transpose(x, ops::zeros({3, 3, 4, 3}), 1, "valid", ops::SpatialArg{-1}); })
            .find(">= 0") != std::string::npos);
  // "same" with an even window and output_padding 0 at stride 2: TensorFlow's check fails too.
  CHECK(msg([&] { ops::conv_transpose(x, ops::zeros({4, 4, 4, 3}), 2, "same", ops::SpatialArg{0}); })
            .find("not the inputs' 5") != std::string::npos);
  CHECK(msg([&] { ops::conv_transpose(x, ops::zeros({3, 3, 4, 3}, DType::float64)); }).find("dtype") !=
        std::string::npos);
  CHECK(msg([&] { ops::conv_transpose(ops::zeros({2, 1, 1, 1}), ops::zeros({1, 1, 1, 1}), int64_t(1) << 62, "same"); })
            .find("overflows") != std::string::npos);
  CHECK(msg([&] { ops::depthwise_conv(x, ops::zeros({3, 3, 2, 1})); }).find("channels = 3") != std::string::npos);
  CHECK(msg([&] { ops::depthwise_conv(ops::zeros({1, 3, 3, 3, 2}), ops::zeros({1, 1, 1, 2, 1})); })
            .find("rank 3 or 4") != std::string::npos);
  CHECK(msg([&] { ops::depthwise_conv(ops::zeros({1, 5, 2}), ops::zeros({2, 2, 1}), 1, "causal"); })
            .find("\"causal\"") != std::string::npos);
  CHECK(msg([&] { ops::depthwise_conv(x, ops::zeros({7, 3, 3, 1})); }).find("does not fit") != std::string::npos);
  CHECK(msg([&] { ops::separable_conv(x, ops::zeros({3, 3, 3, 2}), ops::zeros({1, 1, 3, 4})); })
            .find("(1, 1, 6, filters)") != std::string::npos);
  CHECK(msg([&] { ops::separable_conv(x, ops::zeros({3, 3, 3, 1}), ops::zeros({2, 1, 3, 4})); })
            .find("pointwise_kernel") != std::string::npos);
  CHECK(msg([&] { ops::depthwise_conv(x, ops::zeros({3, 3, 3, 1}), 1, "valid", "NCHW"); })
            .find("channels_last") != std::string::npos);
}
}
