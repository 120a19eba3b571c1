// test_noise_dropout_rms.cpp - GaussianDropout, AlphaDropout and RMSNormalization: the
// layer harness, their training-time statistics, the identity in inference, Keras 3's
// outputs on fixed inputs (numbers from Keras 3.15), configs and errors. Their Keras
// files load in test_keras_files.cpp (noise_norm.keras).
#include <cmath>
#include <stdexcept>

#include "layer_harness.h"

using namespace th;
namespace layers = keras::layers;

TEST_CASE("GaussianDropout, AlphaDropout, RMSNormalization: the layer harness" * doctest::test_suite("layer_harness")) {
  run_layer_test({"gaussian_dropout", [] { return layers::GaussianDropout(0.3, {.seed = 2}); }, {Shape{4, 6}}, {},
                  {4, 6}, 0, 0, true});
  run_layer_test({"alpha_dropout", [] { return layers::AlphaDropout(0.3, {.seed = 2}); }, {Shape{4, 6}}, {},
                  {4, 6}, 0, 0, true});
  run_layer_test({"alpha_dropout noise_shape", [] { return layers::AlphaDropout(0.5, {.noise_shape = {-1, 1, 6}}); },
                  {Shape{4, 3, 6}}, {}, {4, 3, 6}, 0, 0, true});
  run_layer_test({"rms_normalization", [] { return layers::RMSNormalization(); }, {Shape{3, 5}}, {}, {3, 5}, 1, 1});
  run_layer_test({"rms_normalization axes [1, 2]", [] { return layers::RMSNormalization({.axis = {1, 2}}); },
                  {Shape{2, 3, 4}}, {}, {2, 3, 4}, 1, 1});
}

namespace {
struct Moments {
  double mean, sd;
};
Moments moments(const std::vector<double>& v) {
  double s = 0, s2 = 0;
  for (double x : v) s += x, s2 += x * x;
  const double m = s / double(v.size());
  return {m, std::sqrt(s2 / double(v.size()) - m * m)};
}
}  // namespace

TEST_CASE("GaussianDropout: x times N(1, rate / (1 - rate)) noise in training, the identity in inference") {
  auto g = layers::GaussianDropout(0.2, {.seed = 5});
  Tensor x = ops::full_like(ops::zeros({200, 200}), 2.0);
  CHECK(values((*g)(x, false)) == values(x));
  std::vector<double> y = values((*g)(x, true));
  const Moments m = moments(y);  // 2 * N(1, 0.25): mean 2, sd 2 * 0.5
  CHECK(m.mean == doctest::Approx(2.0).epsilon(0.01));
  CHECK(m.sd == doctest::Approx(1.0).epsilon(0.03));
  CHECK(values((*layers::GaussianDropout(0.2, {.seed = 5}))(x, true)) == y);  // same seed, same first draw
  CHECK(values((*g)(x, true)) != y);                                           // the next draw differs
  // rate 0 is the identity in training too; float64 inputs are autocast to float32, as Keras
  CHECK(values((*layers::GaussianDropout(0.0))(x, true)) == values(x));
  CHECK((*g)(ops::ones({3, 2}, DType::float64), true).dtype() == DType::float32);
}

TEST_CASE("AlphaDropout: keeps a SELU activation's mean and variance; Keras's affine map on dropped units") {
  const double rate = 0.2, alpha_p = -1.6732632423543772 * 1.0507009873554805;
  const double a = std::pow((1 - rate) * (1 + rate * alpha_p * alpha_p), -0.5), b = -a * alpha_p * rate;
  auto d = layers::AlphaDropout(rate, {.seed = 3});
  Tensor z = ops::random_normal({400, 500}, {.seed = 9});
  CHECK(values((*d)(z, false)) == values(z));
  std::vector<double> in = values(z), out = values((*d)(z, true));
  // Keras 3 on the same kind of input: mean 0.0036, sd 0.9990, 19.8% dropped
  const Moments m = moments(out);
  CHECK(std::fabs(m.mean) < 0.01);
  CHECK(m.sd == doctest::Approx(1.0).epsilon(0.01));
  int64_t dropped = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    const bool is_dropped = std::fabs(out[i] - (a * alpha_p + b)) < 1e-5;
    const bool is_kept = std::fabs(out[i] - (a * in[i] + b)) < 1e-5;
    REQUIRE((is_dropped || is_kept));
    dropped += is_dropped && !is_kept;
  }
  CHECK(double(dropped) / double(out.size()) == doctest::Approx(rate).epsilon(0.03));
  // noise_shape (None, 1): a whole row is kept or dropped
  auto rows = layers::AlphaDropout(0.5, {.noise_shape = {-1, 1}, .seed = 4});
  std::vector<double> r = values((*rows)(ops::ones({50, 8}), true));
  for (size_t i = 0; i < 50; ++i)
    for (size_t j = 1; j < 8; ++j) CHECK(r[i * 8 + j] == r[i * 8]);
}

TEST_CASE("GaussianDropout, AlphaDropout: configs as Keras's, and its errors") {
  keras::Config g = layers::GaussianDropout(0.1)->get_config();
  CHECK(g.at("rate").as_double() == 0.1);
  CHECK(g.at("seed").is_null());
  CHECK_FALSE(g.contains("noise_shape"));
  keras::Config a = layers::AlphaDropout(0.1, {.noise_shape = {-1, 1, 6}, .seed = 2})->get_config();
  CHECK(a.at("seed").as_int() == 2);
  CHECK(a.at("noise_shape").as_ints() == std::vector<int64_t>{-1, 1, 6});
  CHECK(a.at("noise_shape").as_list()[0].is_null());
  CHECK(layers::AlphaDropout(0.1)->get_config().at("noise_shape").is_null());
  // Keras: "Expected a float value between 0 and 1"; rate 1 fails in training only
  CHECK_THROWS_WITH_AS(layers::GaussianDropout(1.5), doctest::Contains("between 0 and 1"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(layers::AlphaDropout(-0.1), doctest::Contains("rate=-0.1"), std::invalid_argument);
  CHECK_THROWS_AS(layers::AlphaDropout(0.1, {.noise_shape = {0, 2}}), std::invalid_argument);
  CHECK_THROWS_WITH_AS(layers::GaussianDropout(0.1, {.noise_shape = {-1, 2}}), doctest::Contains("noise_shape"),
                       std::invalid_argument);
  for (keras::LayerPtr l : {keras::LayerPtr(layers::GaussianDropout(1.0)), keras::LayerPtr(layers::AlphaDropout(1.0))}) {
    CHECK(values((*l)(ops::ones({2, 2}), false)) == std::vector<double>(4, 1.0));
    CHECK_THROWS_WITH_AS((*l)(ops::ones({2, 2}), true), doctest::Contains("rate < 1"), std::invalid_argument);
  }
  auto wrong = layers::AlphaDropout(0.1, {.noise_shape = {-1, 3}});
  CHECK_THROWS_WITH_AS((*wrong)(ops::ones({2, 4}), true), doctest::Contains("does not broadcast"),
                       std::invalid_argument);
}

TEST_CASE("RMSNormalization: Keras 3's outputs over one and two axes, empty, NaN and zero rows") {
  Tensor x = ops::reshape(ops::multiply(ops::subtract(ops::cast(ops::range(12), DType::float32),
                                                      ops::scalar_like(ops::ones({}), 5.5)),
                                        ops::scalar_like(ops::ones({}), 0.3)),
                          {2, 2, 3});
  auto last = layers::RMSNormalization();
  last->build({2, 2, 3});
  CHECK(last->scale.value().shape() == Shape{3});
  CHECK(values(last->scale.value()) == std::vector<double>{1, 1, 1});
  last->scale.assign(make(std::vector<double>{0.5, 1, 2}, Shape{3}, DType::float32));
  check_values((*last)(x), std::vector<double>{-0.6012932062149048, -0.9839343428611755, -1.530564546585083,
                                               -0.7319236397743225, -0.8783084154129028, -0.585538923740387,
                                               0.14638473093509674, 0.8783084154129028, 2.92769455909729,
                                               0.38264116644859314, 0.9839344024658203, 2.4051730632781982},
               1e-6);
  auto two = layers::RMSNormalization({.axis = {2, 1}, .epsilon = 1e-3});
  Tensor y = (*two)(x);
  CHECK(two->scale.value().shape() == Shape{2, 3});
  check_values(y, std::vector<double>{-1.592512845993042, -1.3029650449752808, -1.0134172439575195,
                                      -0.7238694429397583, -0.43432167172431946, -0.14477388560771942,
                                      0.14477388560771942, 0.43432167172431946, 0.7238694429397583,
                                      1.0134172439575195, 1.3029650449752808, 1.592512845993042},
               1e-6);
  CHECK(two->get_config().at("axis").as_ints() == std::vector<int64_t>{1, 2});  // sorted, a list once built
  CHECK(layers::RMSNormalization()->get_config().at("axis").as_int() == -1);
  CHECK(layers::RMSNormalization()->get_config().at("epsilon").as_double() == 1e-6);

  CHECK((*layers::RMSNormalization())(ops::zeros({0, 6})).shape() == Shape{0, 6});
  check_values((*layers::RMSNormalization())(make(std::vector<double>{1, NAN, 2, 1, 2, 3}, Shape{2, 3}, DType::float32)),
               std::vector<double>{NAN, NAN, NAN, 0.462909996509552, 0.925819993019104, 1.3887300491333008}, 1e-6);
  CHECK(values((*layers::RMSNormalization())(ops::zeros({1, 3}))) == std::vector<double>{0, 0, 0});
}

TEST_CASE("RMSNormalization: a middle axis scales along it; gradients reach scale; errors name the axis") {
  // axis 1 of (2, 3, 2): each (sample, last index) column over 3 values, scaled per axis-1 index
  std::vector<double> v = uniform(12, -1, 1, 7);
  Tensor x = make(v, Shape{2, 3, 2}, DType::float32);
  auto mid = layers::RMSNormalization({.axis = 1});
  mid->build({2, 3, 2});
  mid->scale.assign(make(std::vector<double>{1, 2, 3}, Shape{3}, DType::float32));
  std::vector<double> got = values((*mid)(x)), want(12);
  for (size_t b = 0; b < 2; ++b)
    for (size_t c = 0; c < 2; ++c) {
      double ms = 0;
      for (size_t i = 0; i < 3; ++i) ms += v[b * 6 + i * 2 + c] * v[b * 6 + i * 2 + c] / 3.0;
      for (size_t i = 0; i < 3; ++i) want[b * 6 + i * 2 + c] = v[b * 6 + i * 2 + c] / std::sqrt(ms + 1e-6) * double(i + 1);
    }
  for (size_t i = 0; i < 12; ++i) CHECK(got[i] == doctest::Approx(want[i]).epsilon(1e-5));

  keras::core::GradientTape tape;
  Tensor loss = ops::sum((*mid)(x, true));
  Tensor g = tape.gradient(loss, mid->scale);  // d/dscale_i: the sum of the normalized values at index i
  REQUIRE(g.defined());
  std::vector<double> dscale(3, 0.0);
  for (size_t i = 0; i < 12; ++i) dscale[(i / 2) % 3] += want[i] / double((i / 2) % 3 + 1);
  check_values(g, dscale, 1e-5);

  CHECK_THROWS_WITH_AS(layers::RMSNormalization({.axis = nullptr}), doctest::Contains("None"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(layers::RMSNormalization({.epsilon = -1.0}), doctest::Contains("epsilon"), std::invalid_argument);
  auto bad = layers::RMSNormalization({.axis = 3});
  CHECK_THROWS_WITH_AS((*bad)(ops::ones({2, 3})), doctest::Contains("axis=3"), std::invalid_argument);
}
