// test_normalization_layers.cpp - BatchNormalization, LayerNormalization, Normalization.
#include <cmath>

#include "layer_harness.h"

using namespace th;
namespace layers = keras::layers;

namespace {
Tensor f32(std::initializer_list<std::initializer_list<float>> v) { return core::constant(v); }

// Per-row mean and population variance of a (rows, cols) tensor.
void row_stats(const Tensor& y, int64_t rows, int64_t cols, std::vector<double>& mean, std::vector<double>& var) {
  auto v = values(y);
  mean.assign(size_t(rows), 0.0);
  var.assign(size_t(rows), 0.0);
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) mean[size_t(r)] += v[size_t(r * cols + c)] / double(cols);
    for (int64_t c = 0; c < cols; ++c) {
      double d = v[size_t(r * cols + c)] - mean[size_t(r)];
      var[size_t(r)] += d * d / double(cols);
    }
  }
}
}  // namespace

// ---- the layer harness -------------------------------------------------------------------
TEST_CASE("layer harness: BatchNormalization, LayerNormalization, Normalization" *
          doctest::test_suite("layer_harness")) {
  run_layer_test({"batch_normalization", [] { return layers::BatchNormalization(); }, {Shape{4, 3}}, {},
                  {4, 3}, 4, 2, true});
  run_layer_test({"batch_normalization axis 1, no center", [] {
                    return layers::BatchNormalization({.axis = 1, .center = false});
                  },
                  {Shape{2, 3, 4}}, {}, {2, 3, 4}, 3, 1, true});
  run_layer_test({"layer_normalization", [] { return layers::LayerNormalization(); }, {Shape{4, 5}}, {},
                  {4, 5}, 2, 2});
  run_layer_test({"layer_normalization axes [1, 2]", [] { return layers::LayerNormalization({.axis = {1, 2}}); },
                  {Shape{2, 3, 4}}, {}, {2, 3, 4}, 2, 2});
  run_layer_test({"layer_normalization rms_scaling", [] {
                    return layers::LayerNormalization({.rms_scaling = true});
                  },
                  {Shape{4, 5}}, {}, {4, 5}, 1, 1});
  run_layer_test({"normalization (adapted)", [] {
                    auto n = layers::Normalization();
                    n->adapt(make(uniform(30, -3, 5, 11), Shape{10, 3}));
                    return n;
                  },
                  {Shape{4, 3}}, {}, {4, 3}, 3, 0});
  run_layer_test({"normalization (given mean and variance)", [] {
                    return layers::Normalization({.mean = {1, 2, 3}, .variance = {4, 5, 6}});
                  },
                  {Shape{4, 3}}, {}, {4, 3}, 0, 0});
}

// ---- BatchNormalization -----------------------------------------------------------------
TEST_CASE("BatchNormalization: Keras defaults, weights and parameter counts") {
  layers::reset_uids();
  auto bn = layers::BatchNormalization();
  CHECK(bn->name() == "batch_normalization");
  (*bn)(ops::zeros({2, 64}));
  CHECK(bn->count_params() == 256);
  int64_t trainable = 0, non_trainable = 0;
  for (auto& v : bn->trainable_weights()) trainable += v.shape().num_elements();
  for (auto& v : bn->non_trainable_weights()) non_trainable += v.shape().num_elements();
  CHECK(trainable == 128);
  CHECK(non_trainable == 128);
  auto w = bn->weights();
  REQUIRE(w.size() == 4);
  CHECK(w[0].name() == "batch_normalization/gamma");
  CHECK(w[1].name() == "batch_normalization/beta");
  CHECK(w[2].name() == "batch_normalization/moving_mean");
  CHECK(w[3].name() == "batch_normalization/moving_variance");
  check_values(w[0], std::vector<float>(64, 1.0f));
  check_values(w[1], std::vector<float>(64, 0.0f));
  check_values(w[2], std::vector<float>(64, 0.0f));
  check_values(w[3], std::vector<float>(64, 1.0f));

  keras::Config c = bn->get_config();
  CHECK(c.at("axis").as_int() == -1);
  CHECK(c.at("momentum").as_double() == 0.99);
  CHECK(c.at("epsilon").as_double() == 1e-3);
  CHECK(c.at("center").as_bool());
  CHECK(c.at("scale").as_bool());
  CHECK(c.at("gamma_initializer").at("class_name").as_string() == "Ones");
  CHECK(c.at("moving_variance_initializer").at("class_name").as_string() == "Ones");
  CHECK(c.at("beta_regularizer").is_null());
  CHECK_FALSE(c.at("synchronized").as_bool());
  CHECK(keras::layers::is_registered("BatchNormalization"));
}

TEST_CASE("BatchNormalization: training uses batch statistics and updates the moving ones") {
  auto bn = layers::BatchNormalization();
  // Feature 0: mean 2, variance 1. Feature 1: mean 4, variance 4.
  Tensor x = f32({{1, 2}, {3, 6}});
  const double e = 1e-3;
  Tensor y = (*bn)(x, true);
  const double a = 1 / std::sqrt(1 + e), b = 2 / std::sqrt(4 + e);
  check_values(y, std::vector<double>{-a, -b, a, b}, 1e-6);
  // moving = moving * 0.99 + batch * 0.01
  check_values(bn->moving_mean, std::vector<double>{0.02, 0.04}, 1e-7);
  check_values(bn->moving_variance, std::vector<double>{0.99 + 0.01, 0.99 + 0.04}, 1e-7);
  // Inference uses the moving statistics.
  Tensor z = (*bn)(x, false);
  const double s0 = std::sqrt(1.0 + e), s1 = std::sqrt(1.03 + e);
  check_values(z, std::vector<double>{(1 - 0.02) / s0, (2 - 0.04) / s1, (3 - 0.02) / s0, (6 - 0.04) / s1}, 1e-6);
  // An inference call leaves the moving statistics alone; a second training call moves them again.
  check_values(bn->moving_mean, std::vector<double>{0.02, 0.04}, 1e-7);
  (*bn)(x, true);
  check_values(bn->moving_mean, std::vector<double>{0.02 * 0.99 + 0.02, 0.04 * 0.99 + 0.04}, 1e-7);
}

TEST_CASE("BatchNormalization: gamma, beta, momentum and epsilon in inference and training") {
  auto bn = layers::BatchNormalization({.momentum = 0.5, .epsilon = 0.01});
  Tensor x = f32({{1, 2}, {3, 6}});
  (*bn)(x);
  bn->set_weights({core::constant({2.0f, 3.0f}), core::constant({1.0f, -1.0f}), core::constant({1.0f, 1.0f}),
                   core::constant({4.0f, 0.25f})});
  // inference: gamma * (x - mm) / sqrt(mv + eps) + beta
  const double s0 = std::sqrt(4.01), s1 = std::sqrt(0.26);
  check_values((*bn)(x), std::vector<double>{2 * 0 / s0 + 1, 3 * 1 / s1 - 1, 2 * 2 / s0 + 1, 3 * 5 / s1 - 1}, 1e-6);
  // training: batch statistics; moving = 0.5 * moving + 0.5 * batch
  const double t0 = std::sqrt(1.01), t1 = std::sqrt(4.01);
  check_values((*bn)(x, true), std::vector<double>{-2 / t0 + 1, -6 / t1 - 1, 2 / t0 + 1, 6 / t1 - 1}, 1e-6);
  check_values(bn->moving_mean, std::vector<double>{1.5, 2.5}, 1e-7);
  check_values(bn->moving_variance, std::vector<double>{2.5, 2.125}, 1e-7);
}

TEST_CASE("BatchNormalization: axis 1 normalizes per channel over every other axis") {
  auto bn = layers::BatchNormalization({.axis = 1, .epsilon = 1e-9});
  Tensor x = make(uniform(2 * 3 * 4, -2, 3, 5), Shape{2, 3, 4});
  Tensor y = (*bn)(x, true);
  CHECK(bn->gamma.shape() == Shape{3});
  auto v = values(y);
  for (int64_t ch = 0; ch < 3; ++ch) {
    double m = 0, s = 0;
    for (int64_t b = 0; b < 2; ++b)
      for (int64_t k = 0; k < 4; ++k) m += v[size_t(b * 12 + ch * 4 + k)] / 8;
    for (int64_t b = 0; b < 2; ++b)
      for (int64_t k = 0; k < 4; ++k) s += std::pow(v[size_t(b * 12 + ch * 4 + k)] - m, 2) / 8;
    CHECK(std::fabs(m) < 1e-5);
    CHECK(std::fabs(s - 1) < 1e-4);
  }
}

TEST_CASE("BatchNormalization: a frozen layer runs in inference mode and keeps its statistics") {
  auto bn = layers::BatchNormalization();
  Tensor x = f32({{1, 2}, {3, 6}});
  (*bn)(x);
  bn->set_trainable(false);
  CHECK(bn->trainable_weights().empty());
  CHECK(bn->non_trainable_weights().size() == 4);
  CHECK(values((*bn)(x, true)) == values((*bn)(x, false)));
  check_values(bn->moving_mean, std::vector<float>{0, 0});
  bn->set_trainable(true);
  CHECK(bn->trainable_weights().size() == 2);  // the moving statistics stay non-trainable
}

TEST_CASE("BatchNormalization: gradients through the batch statistics (float64, central differences)") {
  auto bn = layers::BatchNormalization();
  bn->set_dtype_policy("float64");  // a float32 layer would cast the float64 input (Keras's autocast)
  const Shape shape{4, 3};
  Tensor x = make(uniform(12, -2, 2, 21), shape, DType::float64);
  (*bn)(x);
  bn->set_weights({core::constant({1.5, 0.5, 2.0}, DType::float64), core::constant({0.25, -1.0, 0.5}, DType::float64),
                   ops::zeros({3}, DType::float64), ops::ones({3}, DType::float64)});
  Tensor w = make(uniform(12, 0.5, 1.5, 22), shape, DType::float64);
  auto loss_of = [&](const Tensor& in) { return ops::sum(ops::multiply((*bn)(in, true), w)); };

  keras::GradientTape tape({.persistent = true});
  tape.watch(x);
  Tensor loss = loss_of(x);
  Tensor gx = tape.gradient(loss, x);
  auto gw = tape.gradient(loss, bn->trainable_weights());
  auto gm = tape.gradient(loss, std::vector<keras::Variable>{bn->moving_mean, bn->moving_variance});
  tape.stop();
  REQUIRE(gx.defined());
  CHECK(gx.shape() == shape);
  CHECK(gx.dtype() == DType::float64);
  CHECK_FALSE(gm[0].defined());  // the moving-statistics update is not differentiated
  CHECK_FALSE(gm[1].defined());

  std::vector<double> xv = values(x), g = values(gx), num(12);
  const double h = 1e-6;
  for (size_t i = 0; i < 12; ++i) {
    auto p = xv, m = xv;
    p[i] += h;
    m[i] -= h;
    num[i] = (loss_of(make(p, shape, DType::float64)).item<double>() -
              loss_of(make(m, shape, DType::float64)).item<double>()) / (2 * h);
  }
  for (size_t i = 0; i < 12; ++i) {
    CAPTURE(i);
    CHECK(std::fabs(g[i] - num[i]) <= 1e-6 * (1 + std::fabs(num[i])));
  }
  // d loss / d beta_j = sum_i w_ij; d loss / d gamma_j = sum_i w_ij * xhat_ij.
  REQUIRE(gw.size() == 2);
  auto wv = values(w);
  std::vector<double> dbeta(3, 0.0), dgamma(3, 0.0);
  for (int64_t j = 0; j < 3; ++j) {
    double m = 0, s = 0;
    for (int64_t i = 0; i < 4; ++i) m += xv[size_t(i * 3 + j)] / 4;
    for (int64_t i = 0; i < 4; ++i) s += std::pow(xv[size_t(i * 3 + j)] - m, 2) / 4;
    for (int64_t i = 0; i < 4; ++i) {
      dbeta[size_t(j)] += wv[size_t(i * 3 + j)];
      dgamma[size_t(j)] += wv[size_t(i * 3 + j)] * (xv[size_t(i * 3 + j)] - m) / std::sqrt(s + 1e-3);
    }
  }
  check_values(gw[0], dgamma, 1e-5);
  check_values(gw[1], dbeta, 1e-5);
}

TEST_CASE("BatchNormalization: errors name the layer, the expectation and the input") {
  CHECK_THROWS_MSG((*layers::BatchNormalization({.axis = 2, .name = "bn"}))(ops::zeros({3, 5})),
                   std::invalid_argument,
                   "bn: expected axis in the range [-2, 2) for input shape (3, 5), but received axis=2");
  CHECK_THROWS_MSG((*layers::BatchNormalization({.axis = -3, .name = "bn2"}))(ops::zeros({3, 5})),
                   std::invalid_argument, "but received axis=-3");
  auto bn = layers::BatchNormalization({.name = "bn3"});
  (*bn)(ops::zeros({3, 5}));
  CHECK_THROWS_MSG((*bn)(ops::zeros({3, 4})), std::invalid_argument,
                   "bn3: expected axis 1 of input shape to have value 5, but received input with shape (3, 4)");
  CHECK_THROWS_MSG((*bn)(ops::zeros({3, 2, 5})), std::invalid_argument, "bn3: expected ndim=2");
  CHECK_THROWS_MSG((*layers::BatchNormalization({.name = "bn4"}))(keras::Input({-1})), std::invalid_argument,
                   "bn4: axis -1 of the input must have a known size");
}

// ---- LayerNormalization -----------------------------------------------------------------
TEST_CASE("LayerNormalization: per-sample statistics and hand-computed values") {
  layers::reset_uids();
  auto ln = layers::LayerNormalization({.epsilon = 1e-9});
  CHECK(ln->name() == "layer_normalization");
  Tensor x = make(uniform(4 * 6, -3, 7, 9), Shape{4, 6});
  Tensor y = (*ln)(x);
  std::vector<double> m, v;
  row_stats(y, 4, 6, m, v);
  for (int i = 0; i < 4; ++i) {
    CHECK(std::fabs(m[size_t(i)]) < 1e-5);
    CHECK(std::fabs(v[size_t(i)] - 1) < 1e-4);
  }
  CHECK(values((*ln)(x, true)) == values(y));  // no training behaviour

  // Default epsilon 1e-3: (x - 2.5) / sqrt(1.25 + 1e-3), then gamma and beta.
  auto l2 = layers::LayerNormalization();
  Tensor x2 = f32({{1, 2, 3, 4}});
  const double s = std::sqrt(1.25 + 1e-3);
  check_values((*l2)(x2), std::vector<double>{-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s}, 1e-6);
  l2->set_weights({core::constant({1.0f, 2.0f, 3.0f, 4.0f}), core::constant({0.0f, 1.0f, 0.0f, -1.0f})});
  check_values((*l2)(x2), std::vector<double>{-1.5 / s, 2 * -0.5 / s + 1, 3 * 0.5 / s, 4 * 1.5 / s - 1}, 1e-6);

  keras::Config c = l2->get_config();
  CHECK(c.at("axis").as_int() == -1);
  CHECK(c.at("epsilon").as_double() == 1e-3);
  CHECK_FALSE(c.at("rms_scaling").as_bool());
  CHECK(c.at("beta_initializer").at("class_name").as_string() == "Zeros");
}

TEST_CASE("LayerNormalization: axis lists, a middle axis, rms_scaling, center/scale off") {
  auto ln = layers::LayerNormalization({.axis = {1, 2}, .epsilon = 1e-9});
  Tensor x = make(uniform(2 * 3 * 4, -1, 4, 13), Shape{2, 3, 4});
  Tensor y = (*ln)(x);
  CHECK(ln->gamma.shape() == Shape{3, 4});
  CHECK(ln->beta.shape() == Shape{3, 4});
  std::vector<double> m, v;
  row_stats(y, 2, 12, m, v);
  for (int i = 0; i < 2; ++i) {
    CHECK(std::fabs(m[size_t(i)]) < 1e-5);
    CHECK(std::fabs(v[size_t(i)] - 1) < 1e-4);
  }
  CHECK(ln->get_config().at("axis") == keras::Value(std::vector<int64_t>{1, 2}));

  // axis 1 of (2, 3, 4): each (sample, k) column of 3 values is normalized.
  auto mid = layers::LayerNormalization({.axis = 1, .epsilon = 1e-9});
  Tensor ym = (*mid)(x);
  CHECK(mid->gamma.shape() == Shape{3});
  auto yv = values(ym);
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t k = 0; k < 4; ++k) {
      double mm = 0;
      for (int64_t j = 0; j < 3; ++j) mm += yv[size_t(b * 12 + j * 4 + k)] / 3;
      CHECK(std::fabs(mm) < 1e-5);
    }

  // rms_scaling (Keras 3): x * rsqrt(variance + epsilon) * gamma, no beta.
  auto rms = layers::LayerNormalization({.rms_scaling = true});
  Tensor x2 = f32({{1, 2, 3, 4}});
  const double s = std::sqrt(1.25 + 1e-3);
  check_values((*rms)(x2), std::vector<double>{1 / s, 2 / s, 3 / s, 4 / s}, 1e-6);
  CHECK(rms->weights().size() == 1);
  CHECK_FALSE(rms->beta.defined());

  auto bare = layers::LayerNormalization({.center = false, .scale = false});
  (*bare)(x2);
  CHECK(bare->weights().empty());
}

TEST_CASE("LayerNormalization: errors") {
  CHECK_THROWS_MSG((*layers::LayerNormalization({.axis = {1, 3}, .name = "ln"}))(ops::zeros({2, 3, 4})),
                   std::invalid_argument,
                   "ln: expected axis in the range [-3, 3) for input shape (2, 3, 4), but received axis=[1, 3]");
  CHECK_THROWS_MSG((*layers::LayerNormalization({.axis = {1, -2}, .name = "ln2"}))(ops::zeros({2, 3, 4})),
                   std::invalid_argument, "ln2: axis [1, -2] names axis 1 of input shape (2, 3, 4) twice");
  CHECK_THROWS_MSG(layers::LayerNormalization({.axis = {}, .name = "ln3"}), std::invalid_argument,
                   "ln3: expected an int or a non-empty list of ints for axis, but received []");
  auto ln = layers::LayerNormalization({.name = "ln4"});
  (*ln)(ops::zeros({2, 4}));
  CHECK_THROWS_MSG((*ln)(ops::zeros({2, 5})), std::invalid_argument,
                   "ln4: expected axis 1 of input shape to have value 4, but received input with shape (2, 5)");
}

// ---- Normalization ----------------------------------------------------------------------
TEST_CASE("Normalization: adapt computes the per-feature mean and variance (Keras's examples)") {
  layers::reset_uids();
  auto n = layers::Normalization();
  CHECK(n->name() == "normalization");
  Tensor data = f32({{0, 7, 4}, {2, 9, 6}, {0, 7, 4}, {2, 9, 6}});
  n->adapt(data);
  check_values(n->adapt_mean, std::vector<double>{1, 8, 5});
  check_values(n->adapt_variance, std::vector<double>{1, 1, 1});
  CHECK(n->count.value().item<int64_t>() == 0);  // Keras 3 never updates it
  check_values((*n)(f32({{0, 7, 4}})), std::vector<double>{-1, -1, -1});
  // Parameters as Keras counts them: mean, variance (3 each) and count; none trainable.
  CHECK(n->count_params() == 7);
  CHECK(n->trainable_weights().empty());
  CHECK(n->non_trainable_weights().size() == 3);

  auto inv = layers::Normalization({.invert = true});
  inv->adapt(data);
  check_values((*inv)(f32({{1, 2, 3}})), std::vector<double>{2, 10, 8});

  // Standardized output, and invert round trips.
  Tensor x = make(uniform(50 * 4, -5, 9, 31), Shape{50, 4});
  auto s = layers::Normalization();
  s->adapt(x);
  Tensor y = (*s)(x);
  auto yv = values(y);
  for (int64_t j = 0; j < 4; ++j) {
    double m = 0, v = 0;
    for (int64_t i = 0; i < 50; ++i) m += yv[size_t(i * 4 + j)] / 50;
    for (int64_t i = 0; i < 50; ++i) v += std::pow(yv[size_t(i * 4 + j)] - m, 2) / 50;
    CHECK(std::fabs(m) < 1e-5);
    CHECK(std::fabs(v - 1) < 1e-4);
  }
  auto back = layers::Normalization({.invert = true});
  back->adapt(x);
  check_values((*back)(y), values(x), 1e-5);
}

TEST_CASE("Normalization: axis None, given mean and variance, several kept axes") {
  auto n = layers::Normalization({.axis = nullptr});
  n->adapt(core::constant({1.0f, 2.0f, 3.0f, 4.0f, 5.0f}));
  check_values(n->adapt_mean, std::vector<double>{3});
  check_values(n->adapt_variance, std::vector<double>{2});
  check_values((*n)(core::constant({1.0f, 2.0f, 3.0f})), std::vector<double>{-1.4142135, -0.70710677, 0}, 1e-6);
  CHECK(n->get_config().at("axis").is_null());

  auto given = layers::Normalization({.mean = {3}, .variance = {2}});
  check_values((*given)(f32({{1}, {2}, {3}})), std::vector<double>{-1.4142135, -0.70710677, 0}, 1e-6);
  CHECK(given->weights().empty());
  CHECK(given->get_config().at("mean").as_double() == 3.0);
  CHECK_THROWS_MSG(given->adapt(f32({{1}})), std::invalid_argument, "adapt() cannot change a layer created with");

  auto per = layers::Normalization({.mean = {1, 2}, .variance = {4, 16}});
  check_values((*per)(f32({{3, 6}, {1, 2}})), std::vector<double>{1, 1, 0, 0});

  // A zero variance is floored at epsilon 1e-7 (of the standard deviation), as in Keras.
  auto zero = layers::Normalization({.mean = {0}, .variance = {0}});
  check_values((*zero)(f32({{1e-7f}})), std::vector<double>{1.0}, 1e-5);

  // Kept axes (1, 2) of (N, 2, 3): one mean per (i, j).
  auto two = layers::Normalization({.axis = {1, 2}});
  Tensor d = make(uniform(5 * 6, -1, 1, 41), Shape{5, 2, 3});
  two->adapt(d);
  CHECK(two->adapt_mean.shape() == Shape{2, 3});
  auto dv = values(d);
  std::vector<double> m(6, 0.0);
  for (int64_t i = 0; i < 5; ++i)
    for (int64_t k = 0; k < 6; ++k) m[size_t(k)] += dv[size_t(i * 6 + k)] / 5;
  check_values(two->adapt_mean, m, 1e-6);
}

TEST_CASE("Normalization: adapted state travels in the weights") {
  auto a = layers::Normalization();
  a->adapt(f32({{0, 7, 4}, {2, 9, 6}}));
  auto b = layers::Normalization();
  (void)(*b)(keras::Input({3}));  // builds it
  b->set_weights(a->get_weights());
  check_values((*b)(f32({{0, 7, 4}})), std::vector<double>{-1, -1, -1});
}

TEST_CASE("Normalization: before adapt() it passes its input through, as Keras 3") {
  // Keras 3.15: Normalization()(x) == x (mean 0, variance 1), invert too; weights
  // mean [0, 0], variance [1, 1], count 0.
  for (bool invert : {false, true}) {
    auto n = layers::Normalization({.invert = invert});
    check_values((*n)(f32({{1, 2}, {3, 5}})), std::vector<double>{1, 2, 3, 5});
    check_values(n->adapt_mean, std::vector<double>{0, 0});
    check_values(n->adapt_variance, std::vector<double>{1, 1});
    CHECK(n->count.value().item<int64_t>() == 0);
  }
  auto scalar = layers::Normalization({.axis = nullptr});
  check_values((*scalar)(f32({{1, 2}, {3, 5}})), std::vector<double>{1, 2, 3, 5});
  CHECK(scalar->adapt_mean.shape() == Shape{});
}

TEST_CASE("Normalization: errors") {
  auto n = layers::Normalization({.name = "norm"});
  n->adapt(f32({{1, 2, 3}, {3, 4, 5}}));
  CHECK_THROWS_MSG(n->adapt(f32({{1, 2}, {3, 4}})), std::invalid_argument,
                   "norm: the layer was built with input_shape=(2, 3), but adapt() received data with an "
                   "incompatible shape (2, 2)");
  n->adapt(f32({{1, 2, 3}, {3, 4, 5}, {5, 6, 7}}));  // another batch size is fine
  CHECK_THROWS_MSG((*n)(f32({{1, 2}})), std::invalid_argument,
                   "norm: expected axis 1 of input shape to have value 3, but received input with shape (1, 2)");
  CHECK_THROWS_MSG((*layers::Normalization({.axis = 2, .name = "norm2"}))(keras::Input({3})),
                   std::invalid_argument,
                   "norm2: expected axis values in the range [-2, 2) for input shape (None, 3), but received axis=2");
  CHECK_THROWS_MSG(layers::Normalization({.mean = {1}, .name = "norm3"}), std::invalid_argument,
                   "norm3: expected both mean and variance to be set (or neither), but received 1 mean values and 0 "
                   "variance values");
  CHECK_THROWS_MSG((*layers::Normalization({.mean = {1, 2}, .variance = {1, 2}, .name = "norm4"}))(
                       f32({{1, 2, 3}})),
                   std::invalid_argument,
                   "norm4: expected mean and variance with 1 or 3 values for input shape (1, 3) and axis=-1 (kept shape (3,)), but received 2");
  CHECK_THROWS_MSG(layers::Normalization({.name = "norm5"})->adapt(ops::zeros({0, 3})), std::invalid_argument,
                   "norm5: adapt() received data with no samples, of shape (0, 3)");
  CHECK_THROWS_MSG((*layers::Normalization({.name = "norm6"}))(keras::Input({-1})), std::invalid_argument,
                   "norm6: the kept axes must have known sizes, but axis 1 of input shape (None, None) is unknown");
}

// ---- in a model ---------------------------------------------------------------------------
TEST_CASE("normalization layers in a Sequential model: parameter counts and the training flag") {
  auto norm = layers::Normalization({.input_shape = {4}});
  norm->adapt(make(uniform(40, -3, 3, 51), Shape{10, 4}));
  auto bn = layers::BatchNormalization();
  auto model = keras::Sequential({norm, layers::Dense(8), bn, layers::LayerNormalization(), layers::Dense(1)});
  CHECK(model->built());
  // Normalization 4 + 4 + 1, Dense 40, BatchNormalization 4 * 8, LayerNormalization 2 * 8, Dense 9.
  CHECK(model->count_params() == 9 + 40 + 32 + 16 + 9);
  CHECK(model->non_trainable_weights().size() == 5);
  CHECK(model->summary_string().find("Non-trainable params: 25 ") != std::string::npos);
  Tensor x = make(uniform(24, -3, 3, 52), Shape{6, 4});
  CHECK((*model)(x).shape() == Shape{6, 1});
  check_values(bn->moving_mean, std::vector<float>(8, 0.0f));
  (*model)(x, true);
  auto mm = values(bn->moving_mean);
  bool moved = false;
  for (double v : mm) moved = moved || v != 0.0;
  CHECK(moved);
}
