// gradient_cases_ops.cpp - the gradient-check cases of keras.ops beyond the primitives
// (complex/FFT, nn, image, functional, numpy shapes, elementwise math, reductions): each a
// composition or a new primitive, checked through the rules it runs (gradient_cases.h).
#include <functional>

#include "core/attention.h"
#include "core/conv_variants.h"
#include "core/functional_ops.h"
#include "core/image_ops_more.h"
#include "core/ops_nn.h"
#include "gradient_cases.h"
#include "helpers.h"

namespace gradcheck {

namespace ops = keras::core::ops;
using keras::core::DType;

// The FFT family through its (real, imag) pair forms (core/ops_complex.h): fft, ifft, fft2,
// rfft, irfft and stft are compositions around the one `fft` primitive.
std::vector<Case> complex_cases() {
  std::vector<Case> cs;
  auto flat = [](const ops::ComplexPair& p) {
    return ops::concat({ops::reshape(p.real, {-1}), ops::reshape(p.imag, {-1})}, 0);
  };
  auto pair = [&](std::function<Tensor(const ops::ComplexPair&)> f, Shape s) {
    cs.push_back({"fft", [f](const std::vector<Tensor>& x) { return f({x[0], x[1]}); }, {Input{s}, Input{s}}});
  };
  pair([=](auto& p) { return flat(ops::fft(p)); }, Shape{2, 8});
  pair([=](auto& p) { return flat(ops::fft(p)); }, Shape{3, 5});
  pair([=](auto& p) { return flat(ops::ifft(p)); }, Shape{6});
  pair([=](auto& p) { return flat(ops::fft2(p)); }, Shape{2, 3});
  pair([=](auto& p) { return flat(ops::ifft2(p)); }, Shape{2, 2, 3});
  pair([=](auto& p) { return ops::irfft(p); }, Shape{2, 4});
  pair([=](auto& p) { return ops::irfft(p, 5); }, Shape{3});
  auto one = [&](std::function<Tensor(const Tensor&)> f, Shape s) {
    cs.push_back({"fft", [f](const std::vector<Tensor>& x) { return f(x[0]); }, {Input{s}}});
  };
  one([=](auto& x) { return flat(ops::rfft(x)); }, Shape{3, 6});
  one([=](auto& x) { return flat(ops::rfft(x, 7)); }, Shape{5});
  one([=](auto& x) { return flat(ops::stft(x, 6, 3, 8)); }, Shape{1, 20});
  return cs;
}

// keras.ops.nn's compositions (core/ops_nn.h), checked through the primitives they run.
std::vector<Case> ops_nn_cases() {
  std::vector<Case> cs;
  auto one = [&](std::string label, std::function<Tensor(const std::vector<Tensor>&)> f, std::vector<Input> in) {
    cs.push_back({label, f, in});
  };
  auto flat = [](std::vector<Tensor> ts) {
    for (auto& t : ts) t = ops::reshape(t, {-1});
    return ops::concat(ts, 0);
  };
  one("softplus", [](auto& x) { return ops::binary_crossentropy(x[0], x[1], true); }, {Input{Shape{2, 3}, 0, 1}, Input{Shape{2, 3}}});
  one("log", [](auto& x) { return ops::binary_crossentropy(x[0], x[1]); }, {Input{Shape{4}, 0, 1}, Input{Shape{4}, 0.1, 0.9}});
  one("log", [](auto& x) { return ops::categorical_crossentropy(x[0], x[1], false, 1); },
      {Input{Shape{2, 3, 2}, 0, 1}, Input{Shape{2, 3, 2}, 0.1, 0.9}});
  one("softmax_cross_entropy_with_logits", [](auto& x) { return ops::categorical_crossentropy(x[0], x[1], true, 0); },
      {Input{Shape{3, 2}, 0, 1}, Input{Shape{3, 2}}});
  Tensor ids = keras::core::constant({2, 0});
  one("sparse_softmax_cross_entropy_with_logits",
      [](auto& x) { return ops::sparse_categorical_crossentropy(x[0], x[1], true); },
      {Input{{}, 0, 0, false, ids}, Input{Shape{2, 3}}});
  one("log", [](auto& x) { return ops::sparse_categorical_crossentropy(x[0], x[1]); },
      {Input{{}, 0, 0, false, ids}, Input{Shape{2, 3}, 0.1, 0.9}});
  one("mean", [=](auto& x) { auto m = ops::moments(x[0], {0, 2}); return flat({m.mean, m.variance}); }, {Input{Shape{3, 2, 2}}});
  one("rsqrt", [](auto& x) { return ops::batch_normalization(x[0], x[1], x[2], 1, x[3], x[4]); },
      {Input{Shape{2, 3}}, Input{Shape{3}}, Input{Shape{3}, 0.5, 2}, Input{Shape{3}}, Input{Shape{3}}});
  one("fused_layer_norm", [](auto& x) { return ops::layer_normalization(x[0], x[1], x[2]); },
      {Input{Shape{2, 4}}, Input{Shape{4}}, Input{Shape{4}}});
  one("rsqrt", [](auto& x) { return ops::layer_normalization(x[0], {}, {}, {0, 2}, 1e-3); }, {Input{Shape{2, 2, 3}}});
  one("rsqrt", [](auto& x) { return ops::rms_normalization(x[0], x[1]); }, {Input{Shape{2, 3}}, Input{Shape{3}}});
  one("rsqrt", [](auto& x) { return ops::normalize(x[0], 0); }, {Input{Shape{3, 2}}});
  one("power", [](auto& x) { return ops::normalize(x[0], -1, 3); }, {Input{Shape{2, 3}, -2, 2, true}});
  one("log", [](auto& x) { return ops::psnr(x[0], x[1], 1.0); }, {Input{Shape{2, 3}}, Input{Shape{2, 3}}});
  Tensor mask = keras::core::constant({{true, false, true}, {true, true, false}});
  one("fused_attention", [=](auto& x) { return ops::dot_product_attention(x[0], x[1], x[2], {.mask = mask, .is_causal = true}); },
      {Input{Shape{1, 2, 2, 2}}, Input{Shape{1, 3, 2, 2}}, Input{Shape{1, 3, 2, 2}}});
  one("gather", [=](auto& x) { return ops::dot_product_attention(x[0], x[1], x[2], {.bias = x[3], .scale = 0.5}); },
      {Input{Shape{1, 2, 2, 2}}, Input{Shape{1, 3, 1, 2}}, Input{Shape{1, 3, 1, 2}}, Input{Shape{2, 2, 3}}});
  // The fused attention ops themselves: out plus lse (broadcast over the head size), and
  // the backward pass from dout and dlse (out made by the forward of the same q, k, v).
  const Tensor qk_mask = ops::reshape(mask, {1, 1, 2, 3});
  for (Tensor m : {Tensor(), qk_mask}) {
    one("fused_attention",
        [=](auto& x) {
          auto r = ops::fused_attention(x[0], x[1], x[2], m, 0.7, -1e9);
          return ops::add(r.out, ops::expand_dims(ops::transpose(r.lse, {0, 2, 1}), -1));
        },
        {Input{Shape{1, 2, 2, 2}}, Input{Shape{1, 3, 2, 2}}, Input{Shape{1, 3, 2, 2}}});
    one("fused_attention_grad",
        [=](auto& x) {
          const auto f = ops::fused_attention(x[1], x[2], x[3], m, 0.7, -1e9);
          auto g = ops::fused_attention_grad(x[0], x[1], x[2], x[3], f.out, f.probs, x[4], m, 0.7, -1e9);
          return ops::concat({ops::reshape(g.dq, {-1}), ops::reshape(g.dk, {-1}), ops::reshape(g.dv, {-1})}, 0);
        },
        {Input{Shape{1, 2, 2, 2}}, Input{Shape{1, 2, 2, 2}}, Input{Shape{1, 3, 2, 2}}, Input{Shape{1, 3, 2, 2}},
         Input{Shape{1, 2, 2}}});
  }
  // Grouped key/value heads (one for both query heads), forward and backward.
  one("fused_attention", [](auto& x) { return ops::fused_attention(x[0], x[1], x[2], Tensor(), 0.7, -1e9).out; },
      {Input{Shape{1, 2, 2, 2}}, Input{Shape{1, 3, 1, 2}}, Input{Shape{1, 3, 1, 2}}});
  one("fused_attention_grad",
      [](auto& x) {
        const auto f = ops::fused_attention(x[1], x[2], x[3], Tensor(), 0.7, -1e9);
        auto g = ops::fused_attention_grad(x[0], x[1], x[2], x[3], f.out, f.probs, Tensor(), Tensor(), 0.7, -1e9);
        return ops::concat({ops::reshape(g.dq, {-1}), ops::reshape(g.dk, {-1}), ops::reshape(g.dv, {-1})}, 0);
      },
      {Input{Shape{1, 2, 2, 2}}, Input{Shape{1, 2, 2, 2}}, Input{Shape{1, 3, 1, 2}}, Input{Shape{1, 3, 1, 2}}});
  // flash_attention: the same, with and without its causal mask, and grouped heads.
  for (bool causal : {false, true})
    for (Tensor m : {Tensor(), qk_mask}) {
      one("flash_attention",
          [=](auto& x) {
            auto r = ops::flash_attention(x[0], x[1], x[2], m, 0.7, -1e9, causal);
            return ops::add(r.out, ops::expand_dims(ops::transpose(r.lse, {0, 2, 1}), -1));
          },
          {Input{Shape{1, 2, 2, 2}}, Input{Shape{1, 3, 2, 2}}, Input{Shape{1, 3, 2, 2}}});
      one("flash_attention_grad",
          [=](auto& x) {
            const auto f = ops::flash_attention(x[1], x[2], x[3], m, 0.7, -1e9, causal);
            auto g = ops::flash_attention_grad(x[0], x[1], x[2], x[3], f.out, f.stats, x[4], m, 0.7, -1e9, causal);
            return ops::concat({ops::reshape(g.dq, {-1}), ops::reshape(g.dk, {-1}), ops::reshape(g.dv, {-1})}, 0);
          },
          {Input{Shape{1, 2, 2, 2}}, Input{Shape{1, 2, 2, 2}}, Input{Shape{1, 3, 2, 2}}, Input{Shape{1, 3, 2, 2}},
           Input{Shape{1, 2, 2}}});
    }
  one("flash_attention", [](auto& x) { return ops::flash_attention(x[0], x[1], x[2], Tensor(), 0.7, -1e9, true).out; },
      {Input{Shape{1, 2, 2, 2}}, Input{Shape{1, 3, 1, 2}}, Input{Shape{1, 3, 1, 2}}});
  one("transpose", [](auto& x) { return ops::depth_to_space(x[0], 2, "channels_first"); }, {Input{Shape{1, 4, 1, 2}}});
  one("reshape", [](auto& x) { return ops::space_to_depth(x[0], 2); }, {Input{Shape{1, 2, 4, 1}}});
  one("gather", [](auto& x) { return ops::extract_sequences(x[0], 3, 2); }, {Input{Shape{2, 6}}});
  one("strided_slice", [](auto& x) { return ops::unfold(x[0], {2}, {1}, {1}, {2}); }, {Input{Shape{1, 2, 3, 3}}});
  one("unsorted_segment_sum", [](auto& x) { return ops::fold(x[0], {3, 3}, {2}, {1}, {1}, {2}); },
      {Input{Shape{1, 8, 4}}});
  one("mean", [](auto& x) { return ops::adaptive_average_pool(x[0], {2, 3}); }, {Input{Shape{1, 3, 4, 1}}});
  one("max", [](auto& x) { return ops::adaptive_max_pool(x[0], {2}); }, {Input{Shape{2, 5, 1}}});
  return cs;
}

// More of keras.ops.image (core/image_ops_more.h), checked through the primitives they run.
std::vector<Case> image_more_cases() {
  namespace im = ops::image;
  std::vector<Case> cs;
  auto one = [&](std::string label, std::function<Tensor(const Tensor&)> f, Shape s, double lo = -2, double hi = 2) {
    cs.push_back({label, [f](const std::vector<Tensor>& x) { return f(x[0]); }, {Input{s, lo, hi}}});
  };
  one("strided_slice", [](auto& x) {
    return im::crop_images(x, {.top_cropping = 1, .left_cropping = 0, .bottom_cropping = 1, .target_width = 2});
  }, Shape{4, 3, 2});
  one("pad", [](auto& x) { return im::pad_images(x, {.top_padding = 1, .left_padding = 2, .target_height = 4, .target_width = 5}); },
      Shape{1, 2, 2, 1});
  one("matmul", [](auto& x) { return im::rgb_to_grayscale(x); }, Shape{2, 2, 3});
  one("where", [](auto& x) { return im::rgb_to_hsv(x); }, Shape{1, 2, 2, 3}, 0.1, 0.9);
  one("abs", [](auto& x) { return im::hsv_to_rgb(x); }, Shape{2, 2, 3}, 0.05, 0.95);
  one("conv", [](auto& x) { return im::extract_patches(x, {2}, {1}, {1}, "same"); }, Shape{1, 3, 3, 2});
  one("conv", [](auto& x) { return im::gaussian_blur(x, {3, 2}, {1.0, 0.5}); }, Shape{3, 3, 1});
  one("conv", [](auto& x) { return im::sobel_edges(x); }, Shape{1, 3, 3, 1});
  cs.push_back({"conv", [](const std::vector<Tensor>& x) { return im::ssim(x[0], x[1], {.filter_size = 3}); },
                {Input{Shape{4, 4, 1}, 0, 1}, Input{Shape{4, 4, 1}, 0, 1}}});
  // map_coordinates: through the values and the coordinates (away from integer ones).
  Tensor coords = keras::core::constant(std::vector<double>{0.3, 1.6, -0.7, 2.2, 0.4, 1.3, 3.6, -0.2}, Shape{2, 4});
  for (std::string mode : {"constant", "reflect"})
    cs.push_back({"gather", [=](const std::vector<Tensor>& x) { return im::map_coordinates(x[0], ops::add(coords, x[1]), 1, mode); },
                  {Input{Shape{3, 4}}, Input{Shape{2, 4}, -0.05, 0.05}}});
  Tensor pts = keras::core::constant(std::vector<float>{0, 0, 3, 0, 0, 2, 3, 2}, Shape{4, 2});
  Tensor moved = keras::core::constant(std::vector<float>{0.2f, 0.1f, 2.7f, 0.3f, 0.1f, 1.8f, 3.1f, 2.2f}, Shape{4, 2});
  cs.push_back({"gather", [=](const std::vector<Tensor>& x) { return im::perspective_transform(x[0], x[1], x[2]); },
                {Input{Shape{1, 3, 4, 1}}, Input{{}, 0, 0, false, pts}, Input{{}, 0, 0, false, moved}}});
  one("matmul", [](auto& x) { return im::scale_and_translate(x, {1, 5, 2, 1}, {1.7, 0.6}, {0.2, -0.1}, {1, 2}, "cubic"); },
      Shape{1, 3, 3, 1});
  one("take_along_axis", [](auto& x) { return im::elastic_transform(x, {.alpha = 1.0, .sigma = 1.0, .seed = 3}); }, Shape{3, 4, 1});
  return cs;
}

// keras.ops's functional control flow (core/functional_ops.h) that also differentiates when
// traced (the loops are while_loops: their eager gradients are in test_functional_ops.cpp).
std::vector<Case> functional_cases() {
  std::vector<Case> cs;
  std::vector<std::function<ops::Tensors(const ops::Tensors&)>> branches = {
      [](const ops::Tensors& x) { return ops::Tensors{ops::sin(x[0])}; },
      [](const ops::Tensors& x) { return ops::Tensors{ops::multiply(x[0], x[0])}; }};
  for (int i : {0, 1})  // (an eager cond runs the branch itself: its ops' rules run)
    cs.push_back({i == 0 ? "sin" : "multiply",
                  [=](const std::vector<Tensor>& x) { return ops::switch_(keras::core::constant(i), branches, {x[0]})[0]; },
                  {Input{Shape{3}}}});
  cs.push_back({"concatenate", [](const std::vector<Tensor>& x) {
                  return ops::associative_scan([](const Tensor& a, const Tensor& b) { return ops::multiply(a, b); }, x[0], true, 1);
                }, {Input{Shape{2, 5}}}});
  cs.push_back({"sin", [](const std::vector<Tensor>& x) {
                  auto f = [](const ops::Tensors& p) { return ops::Tensors{ops::multiply(ops::sin(p[0]), p[1])}; };
                  return ops::jvp(f, {x[0], x[1]}, {x[2], x[1]}).tangents_out[0];
                }, {Input{Shape{3}}, Input{Shape{3}}, Input{Shape{3}}}});
  return cs;
}

// keras.ops's shape manipulation, indexing and products (core/ops_numpy.h): compositions
// whose primitives' rules must carry the gradient through (labels: a primitive that runs).
std::vector<Case> numpy_shape_cases() {
  using keras::core::None;
  using keras::core::Slice;
  std::vector<Case> cs;
  auto one = [&](std::string label, std::function<Tensor(const Tensor&)> f, Shape s) {
    cs.push_back({label, [f](const std::vector<Tensor>& x) { return f(x[0]); }, {Input{s}}});
  };
  auto two = [&](std::string label, std::function<Tensor(const Tensor&, const Tensor&)> f, Shape a, Shape b) {
    cs.push_back({label, [f](const std::vector<Tensor>& x) { return f(x[0], x[1]); }, {Input{a}, Input{b}}});
  };
  one("strided_slice", [](const Tensor& x) { return ops::diff(x, 2, 0); }, Shape{4, 2});
  one("concatenate", [](const Tensor& x) { return ops::roll(x, 2, 1); }, Shape{2, 3});
  one("concatenate", [](const Tensor& x) { return ops::roll(x, -1); }, Shape{2, 3});
  one("tile", [](const Tensor& x) { return ops::repeat(x, 2, 0); }, Shape{3, 2});
  one("gather", [](const Tensor& x) { return ops::repeat(x, std::vector<int64_t>{2, 0, 1}); }, Shape{3});
  one("transpose", [](const Tensor& x) { return ops::rot90(x, 1); }, Shape{2, 3});
  one("transpose", [](const Tensor& x) { return ops::moveaxis(x, 0, -1); }, Shape{2, 3, 2});
  one("where", [](const Tensor& x) { return ops::triu(x, -1); }, Shape{3, 3});
  one("concatenate", [](const Tensor& x) { return ops::pad(x, {{2, 1}, {1, 2}}, "reflect"); }, Shape{3, 4});
  one("concatenate", [](const Tensor& x) { return ops::pad(x, {{0, 2}, {3, 1}}, "symmetric"); }, Shape{2, 3});
  one("multiply", [](const Tensor& x) { return ops::vander(x, 4); }, Shape{3});
  one("gather", [](const Tensor& x) { return ops::take(x, keras::core::constant({-1, 0, 4}), std::nullopt); }, Shape{2, 3});
  one("gather", [](const Tensor& x) { return x[{Slice(), keras::core::constant({2, 0, 2})}]; }, Shape{2, 3});
  one("strided_slice", [](const Tensor& x) { return x[{Slice(1, None), 0, None, Slice(None, None, -2)}]; },
      Shape{3, 2, 4});
  one("transpose", [](const Tensor& x) { return ops::rearrange(x, "a (b c) -> c (a b)", {{"c", 2}}); }, Shape{2, 4});
  two("multiply", [](const Tensor& a, const Tensor& b) { return ops::kron(a, b); }, Shape{2, 2}, Shape{2, 3});
  two("matmul", [](const Tensor& a, const Tensor& b) { return ops::inner(a, b); }, Shape{2, 3}, Shape{4, 3});
  two("matmul", [](const Tensor& a, const Tensor& b) { return ops::dot(a, b); }, Shape{2, 2, 3}, Shape{3});
  two("matmul", [](const Tensor& a, const Tensor& b) { return ops::vdot(a, b); }, Shape{2, 3}, Shape{3, 2});
  two("subtract", [](const Tensor& a, const Tensor& b) { return ops::cross(a, b); }, Shape{2, 3}, Shape{2, 3});
  two("subtract", [](const Tensor& a, const Tensor& b) { return ops::cross(a, b); }, Shape{2}, Shape{3});
  two("broadcast_to", [](const Tensor& a, const Tensor& b) {
        auto g = ops::meshgrid({a, b});
        return ops::add(g[0], ops::square(g[1]));
      }, Shape{3}, Shape{2});
  two("where", [](const Tensor& a, const Tensor& b) {
        return ops::select({ops::greater(a, b), ops::less(a, ops::scalar_like(a, -1.0))}, {a, b}, 0.5);
      }, Shape{2, 3}, Shape{2, 3});
  two("concatenate", [](const Tensor& a, const Tensor& b) { return ops::append(a, b); }, Shape{2, 2}, Shape{3});
  return cs;
}

// The elementwise math and activations of core/ops_math.h: the primitives (erf ... fmod)
// on their domains, the compositions through the rules they run.
std::vector<Case> math_cases() {
  std::vector<Case> cs;
  auto one = [&](std::string name, std::function<Tensor(const Tensor&)> f, double lo, double hi, bool away = false) {
    for (Shape s : {Shape{}, Shape{5}, Shape{2, 3}})
      cs.push_back({name, [f](const std::vector<Tensor>& x) { return f(x[0]); }, {Input{s, lo, hi, away, {}}}});
  };
  one("erf", [](auto& x) { return ops::erf(x); }, -2, 2);
  one("erfc", [](auto& x) { return ops::erfc(x); }, -2, 2);
  one("erfinv", [](auto& x) { return ops::erfinv(x); }, -0.9, 0.9);
  one("exp2", [](auto& x) { return ops::exp2(x); }, -2, 2);
  one("log2", [](auto& x) { return ops::log2(x); }, 0.3, 3);
  one("log10", [](auto& x) { return ops::log10(x); }, 0.3, 3);
  one("cbrt", [](auto& x) { return ops::cbrt(x); }, -2, 2, true);
  one("tan", [](auto& x) { return ops::tan(x); }, -1.2, 1.2);
  one("sinh", [](auto& x) { return ops::sinh(x); }, -2, 2);
  one("cosh", [](auto& x) { return ops::cosh(x); }, -2, 2);
  one("arcsin", [](auto& x) { return ops::arcsin(x); }, -0.8, 0.8);
  one("arccos", [](auto& x) { return ops::arccos(x); }, -0.8, 0.8);
  one("arctan", [](auto& x) { return ops::arctan(x); }, -2, 2);
  one("arcsinh", [](auto& x) { return ops::arcsinh(x); }, -2, 2);
  one("arccosh", [](auto& x) { return ops::arccosh(x); }, 1.3, 3);
  one("arctanh", [](auto& x) { return ops::arctanh(x); }, -0.8, 0.8);
  one("i0", [](auto& x) { return ops::i0(x); }, -3, 3);
  one("bessel_i1", [](auto& x) { return ops::bessel_i1(x); }, -3, 3);
  one("sin", [](auto& x) { return ops::sinc(x); }, -2, 2);
  one("expm1", [](auto& x) { return ops::celu(x, 0.7); }, -2, 2, true);
  for (auto [s, axis] : std::vector<std::pair<Shape, int64_t>>{{Shape{2, 4}, -1}, {Shape{4, 3}, 0}})
    cs.push_back({"sigmoid", [axis](const std::vector<Tensor>& x) { return ops::glu(x[0], axis); }, {Input{s}}});
  one("softplus", [](auto& x) { return ops::log_sigmoid(x); }, -3, 3);
  one("relu6", [](auto& x) { return ops::hard_silu(x); }, -4, 4, true);
  one("sqrt", [](auto& x) { return ops::squareplus(x, 0.5); }, -2, 2);
  one("tanh", [](auto& x) { return ops::tanh_shrink(x); }, -2, 2);
  one("where", [](auto& x) { return ops::sparse_plus(x); }, -2, 2, true);
  for (Shape s : {Shape{4}, Shape{2, 3}})
    cs.push_back({"sort", [](const std::vector<Tensor>& x) { return ops::sparsemax(x[0], 0); }, {Input{s, -1, 1}}});
  auto two = [&](std::string name, std::function<Tensor(const Tensor&, const Tensor&)> f, double alo, double ahi,
                 double blo, double bhi) {
    for (auto [sa, sb] : std::vector<std::pair<Shape, Shape>>{{Shape{3}, Shape{3}}, {Shape{2, 3}, Shape{3}}, {Shape{}, Shape{2, 2}}})
      cs.push_back({name, [f](const std::vector<Tensor>& x) { return f(x[0], x[1]); },
                    {Input{sa, alo, ahi, false, {}}, Input{sb, blo, bhi, false, {}}}});
  };
  two("arctan2", [](auto& a, auto& b) { return ops::arctan2(a, b); }, -2, 2, 0.3, 2);
  two("hypot", [](auto& a, auto& b) { return ops::hypot(a, b); }, 0.3, 2, -2, -0.3);
  two("fmod", [](auto& a, auto& b) { return ops::fmod(a, b); }, 2.2, 2.8, 1.0, 1.05);
  two("softplus", [](auto& a, auto& b) { return ops::logaddexp(a, b); }, -2, 2, -2, 2);
  two("exp2", [](auto& a, auto& b) { return ops::logaddexp2(a, b); }, -2, 2, -2, 2);
  two("divide", [](auto& a, auto& b) { return ops::divide_no_nan(a, b); }, -2, 2, 0.5, 2);
  return cs;
}

// keras.ops reductions, scans, segment and scatter ops (core/ops_reduce.h): the primitives
// cumsum, cumprod and unsorted_segment_max/min/prod, and compositions through theirs.
std::vector<Case> reduce_ops_cases() {
  std::vector<Case> cs;
  auto one = [&](std::string label, std::function<Tensor(const Tensor&)> f, Shape s, double lo = -2, double hi = 2) {
    cs.push_back({label, [f](const std::vector<Tensor>& x) { return f(x[0]); }, {Input{s, lo, hi, false, {}}}});
  };
  one("cumsum", [](auto& x) { return ops::cumsum(x); }, Shape{2, 3});
  one("cumsum", [](auto& x) { return ops::cumsum(x, 1); }, Shape{2, 3});
  one("cumsum", [](auto& x) { return ops::cumsum(x, 0); }, Shape{3, 2, 2});
  one("cumprod", [](auto& x) { return ops::cumprod(x); }, Shape{4}, 0.5, 1.5);
  one("cumprod", [](auto& x) { return ops::cumprod(x, 1); }, Shape{2, 3}, 0.5, 1.5);
  one("cumprod", [](auto& x) { return ops::cumprod(x, 0); }, Shape{3, 2}, 0.5, 1.5);
  const Tensor ids = keras::core::constant({0, 0, 2, 1, 2});
  auto seg = [&](std::string label, Tensor (*f)(const Tensor&, const Tensor&, std::optional<int64_t>, bool),
                 double lo, double hi) {
    cs.push_back({label, [f](const std::vector<Tensor>& x) { return f(x[0], x[1], 3, false); },
                  {Input{Shape{5, 2}, lo, hi, false, {}}, Input{{}, 0, 0, false, ids}}});
  };
  seg("unsorted_segment_max", ops::segment_max, -2, 2);
  seg("unsorted_segment_min", ops::segment_min, -2, 2);
  seg("unsorted_segment_prod", ops::segment_prod, 0.5, 1.5);
  seg("unsorted_segment_sum", ops::segment_sum, -2, 2);
  // a zero in a product: the gradient is the product of the others
  cs.push_back({"unsorted_segment_prod",
                [](const std::vector<Tensor>& x) {
                  Tensor z = ops::multiply(x[0], ops::cast(keras::core::constant({{1.0, 1.0}, {0.0, 1.0}, {1.0, 1.0}}), DType::float64));
                  return ops::segment_prod(z, keras::core::constant({0, 0, 1}), 2);
                },
                {Input{Shape{3, 2}, 0.5, 1.5, false, {}}}});
  const Tensor sidx = keras::core::constant({{0, 1}, {2, 0}, {0, 1}});
  cs.push_back({"unsorted_segment_sum", [](const std::vector<Tensor>& x) { return ops::scatter(x[1], x[0], {3, 2}); },
                {Input{Shape{3}}, Input{{}, 0, 0, false, sidx}}});
  for (std::string red : {"", "add", "max", "min", "mul"}) {
    const std::string label = red.empty() ? "gather" : red == "add" ? "unsorted_segment_sum"
                              : red == "mul" ? "unsorted_segment_prod" : "unsorted_segment_" + red;
    cs.push_back({label, [red](const std::vector<Tensor>& x) { return ops::scatter_update(x[0], x[2], x[1], red); },
                  {Input{Shape{3, 2}}, Input{Shape{3}}, Input{{}, 0, 0, false, sidx}}});
  }
  cs.push_back({"pad", [](const std::vector<Tensor>& x) { return ops::slice_update(x[0], {1, 0}, x[1]); },
                {Input{Shape{3, 3}}, Input{Shape{2, 2}}}});
  one("sort", [](auto& x) { return ops::quantile(x, ops::cast(keras::core::constant({0.2, 0.5, 0.9}), DType::float64), {1}); }, Shape{2, 5});
  one("sort", [](auto& x) { return ops::median(x, {0}, true); }, Shape{4, 3});
  one("sort", [](auto& x) { return ops::nanpercentile(x, 30.0, {1}, "midpoint"); }, Shape{3, 4});
  one("sum", [](auto& x) { return ops::nanvar(x, {1}); }, Shape{2, 3});
  one("sum", [](auto& x) { return ops::nanmean(x, {0}, true); }, Shape{2, 3});
  one("prod", [](auto& x) { return ops::nanprod(x, {1}); }, Shape{2, 3}, 0.5, 1.5);
  one("max", [](auto& x) { return ops::nanmax(x, {1}); }, Shape{2, 3});
  one("sum", [](auto& x) { return ops::average(x, {1}, ops::cast(keras::core::constant({1.0, 2.0, 0.5}), DType::float64)); }, Shape{2, 3});
  one("sum", [](auto& x) { return ops::trapezoid(x, ops::cast(keras::core::constant({0.0, 0.5, 2.0}), DType::float64)); }, Shape{2, 3});
  one("matmul", [](auto& x) { return ops::corrcoef(x); }, Shape{3, 4});
  one("gather", [](auto& x) { return ops::correlate(x, ops::cast(keras::core::constant({0.5, -1.0, 2.0}), DType::float64), "same"); }, Shape{5});
  one("sum", [](auto& x) { return ops::cdist(x, ops::cast(keras::core::constant({{0.1, 0.2}, {3.0, -1.0}, {0.5, 0.5}}), DType::float64)); }, Shape{2, 2});
  one("cholesky", [](auto& x) {
    return ops::logdet(ops::add(ops::matmul(x, x, false, true), ops::multiply(ops::eye(3, std::nullopt, DType::float64),
                                                                               ops::fill({}, 3.0, DType::float64))));
  }, Shape{3, 3}, -1, 1);
  return cs;
}

}  // namespace gradcheck
