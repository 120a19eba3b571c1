// Core layers: Activation, Dropout, Flatten, Reshape, Permute, RepeatVector, Lambda,
// GaussianNoise, ActivityRegularization, ReLU, LeakyReLU, PReLU, ELU, Softmax, Embedding.
#include <cmath>
#include <limits>

#include "layer_harness.h"

using namespace th;
namespace layers = keras::layers;

namespace {
Tensor ids_input(const Shape& s, DType dt, uint32_t seed, int64_t n = 10) {
  std::vector<double> v = uniform(s.num_elements(), 0, double(n), seed);
  for (auto& x : v) x = std::floor(x);
  return make(v, s, dt);
}
Tensor double_it(const Tensor& t) { return ops::multiply(t, ops::scalar_like(t, 2.0)); }
}  // namespace

TEST_CASE("core layers: the layer harness" * doctest::test_suite("layer_harness")) {
  layers::register_lambda("core_layers_double", double_it);
  run_layer_test({"activation", [] { return layers::Activation("tanh"); }, {Shape{3, 5}}, {}, {3, 5}});
  run_layer_test({"masking", [] { return layers::Masking({.mask_value = 0.5}); }, {Shape{2, 4, 3}}, {}, {2, 4, 3}});
  run_layer_test({"dropout", [] { return layers::Dropout(0.5, {.seed = 1}); }, {Shape{4, 6}}, {}, {4, 6},
                  0, 0, true});
  run_layer_test({"dropout noise_shape", [] { return layers::Dropout(0.5, {.noise_shape = {-1, 1, 6}}); },
                  {Shape{4, 3, 6}}, {}, {4, 3, 6}, 0, 0, true});
  run_layer_test({"flatten", [] { return layers::Flatten(); }, {Shape{2, 3, 4}}, {}, {2, 12}});
  run_layer_test({"flatten rank 1", [] { return layers::Flatten(); }, {Shape{5}}, {}, {5, 1}});
  run_layer_test({"flatten channels_first", [] { return layers::Flatten({.data_format = "channels_first"}); },
                  {Shape{2, 3, 2, 2}}, {}, {2, 12}});
  run_layer_test({"reshape", [] { return layers::Reshape({3, 4}); }, {Shape{2, 12}}, {}, {2, 3, 4}});
  run_layer_test({"reshape -1", [] { return layers::Reshape({-1, 2, 2}); }, {Shape{2, 12}}, {}, {2, 3, 2, 2}});
  run_layer_test({"permute", [] { return layers::Permute({2, 1}); }, {Shape{2, 3, 4}}, {}, {2, 4, 3}});
  run_layer_test({"permute 3", [] { return layers::Permute({3, 1, 2}); }, {Shape{2, 3, 4, 5}}, {},
                  {2, 5, 3, 4}});
  run_layer_test({"rescaling", [] { return layers::Rescaling(1.0 / 255, 0.5); }, {Shape{2, 4}}, {}, {2, 4}});
  run_layer_test({"rescaling per channel", [] { return layers::Rescaling({2.0, 3.0, 4.0}, {1.0, 0.0, -1.0}); },
                  {Shape{2, 2, 3}}, {}, {2, 2, 3}});
  run_layer_test({"repeat_vector", [] { return layers::RepeatVector(3); }, {Shape{2, 4}}, {}, {2, 3, 4}});
  run_layer_test({"lambda", [] { return layers::Lambda(double_it, {.function_name = "core_layers_double"}); },
                  {Shape{2, 4}}, {}, {2, 4}});
  run_layer_test({"lambda by name", [] { return layers::Lambda("core_layers_double"); }, {Shape{2, 4}}, {},
                  {2, 4}});
  run_layer_test({"gaussian_noise", [] { return layers::GaussianNoise(0.1, {.seed = 3}); }, {Shape{3, 4}}, {},
                  {3, 4}, 0, 0, true});
  run_layer_test({"activity_regularization", [] { return layers::ActivityRegularization({.l1 = 0.01, .l2 = 0.1}); },
                  {Shape{3, 4}}, {}, {3, 4}});
  run_layer_test({"relu", [] { return layers::ReLU({.max_value = 0.5, .negative_slope = 0.1}); }, {Shape{3, 4}},
                  {}, {3, 4}});
  run_layer_test({"relu default", [] { return layers::ReLU(); }, {Shape{3, 4}}, {}, {3, 4}});
  run_layer_test({"leaky_relu", [] { return layers::LeakyReLU(); }, {Shape{3, 4}}, {}, {3, 4}});
  run_layer_test({"prelu", [] { return layers::PReLU(); }, {Shape{3, 4}}, {}, {3, 4}, 1, 1});
  run_layer_test({"prelu shared", [] { return layers::PReLU({.alpha_initializer = "ones", .shared_axes = {1, 2}}); },
                  {Shape{2, 3, 4, 5}}, {}, {2, 3, 4, 5}, 1, 1});
  run_layer_test({"elu", [] { return layers::ELU(0.5); }, {Shape{3, 4}}, {}, {3, 4}});
  run_layer_test({"softmax", [] { return layers::Softmax(); }, {Shape{3, 4}}, {}, {3, 4}});
  run_layer_test({"softmax axes", [] { return layers::Softmax(std::vector<int64_t>{1, 2}); }, {Shape{2, 3, 4}}, {},
                  {2, 3, 4}});
  run_layer_test({"embedding", [] { return layers::Embedding(10, 3); }, {Shape{4, 5}}, {DType::int32}, {4, 5, 3},
                  1, 1, false, [](const Shape& s, DType dt, uint32_t seed) { return ids_input(s, dt, seed); }});
  run_layer_test({"embedding int64", [] { return layers::Embedding(10, 2, {.mask_zero = true}); }, {Shape{3}},
                  {DType::int64}, {3, 2}, 1, 1, false,
                  [](const Shape& s, DType dt, uint32_t seed) { return ids_input(s, dt, seed); }});
}

TEST_CASE("Dropout: keeps 1 - rate of the units, scaled by 1 / (1 - rate); inference is the identity") {
  const double rate = 0.3;
  auto d = layers::Dropout(rate);
  Tensor x = ops::ones({200, 100});
  std::vector<double> y = values((*d)(x, true));
  int64_t kept = 0;
  for (double v : y) {
    if (v != 0.0) {
      ++kept;
      CHECK(v == doctest::Approx(1.0 / (1.0 - rate)).epsilon(1e-6));
    }
  }
  const double frac = double(kept) / double(y.size());
  CHECK(frac == doctest::Approx(1.0 - rate).epsilon(0.03));  // 20000 draws: sd ~ 0.003
  CHECK(values((*d)(x, false)) == values(x));
  CHECK(values((*d)(x)) == values(x));
  // rate 0: identity even in training
  CHECK(values((*layers::Dropout(0.0))(x, true)) == values(x));
}

TEST_CASE("Dropout: a seed gives a reproducible sequence of masks; noise_shape broadcasts the mask") {
  Tensor x = ops::ones({8, 16});
  auto a = layers::Dropout(0.5, {.seed = 42});
  auto b = layers::Dropout(0.5, {.seed = 42});
  auto a1 = values((*a)(x, true)), a2 = values((*a)(x, true));
  auto b1 = values((*b)(x, true)), b2 = values((*b)(x, true));
  CHECK(a1 == b1);
  CHECK(a2 == b2);
  CHECK(a1 != a2);  // a new mask per call
  CHECK(values((*layers::Dropout(0.5, {.seed = 43}))(x, true)) != a1);

  auto n = layers::Dropout(0.5, {.noise_shape = {-1, 1, 4}, .seed = 5});
  Tensor x3 = ops::ones({6, 5, 4});
  std::vector<double> y = values((*n)(x3, true));
  for (int64_t i = 0; i < 6; ++i)
    for (int64_t t = 1; t < 5; ++t)
      for (int64_t f = 0; f < 4; ++f) CHECK(y[size_t((i * 5 + t) * 4 + f)] == y[size_t(i * 5 * 4 + f)]);
  CHECK_THROWS_MSG((*layers::Dropout(0.5, {.noise_shape = {-1, 3}}))(ops::ones({2, 4}), true),
                   std::invalid_argument, "expected 4 or 1 at index 1, but received 3");
  CHECK_THROWS_MSG((*layers::Dropout(0.5, {.noise_shape = {-1}}))(ops::ones({2, 4}), true),
                   std::invalid_argument, "expected noise_shape with one entry per input axis");
}

TEST_CASE("Dropout: dropped units are zeros whatever their value (NaN, inf), as Keras's") {
  // Keras 3 (TensorFlow): Dropout(0.5, seed=1) on NaNs gives [nan 0 nan 0 ...]: a select.
  auto d = layers::Dropout(0.5, {.seed = 3});
  for (double v : {std::nan(""), std::numeric_limits<double>::infinity()}) {
    const std::vector<double> y = values((*d)(ops::fill({4, 16}, v), true));
    int64_t zeros = 0, kept = 0;
    for (double e : y) {
      if (e == 0.0) ++zeros;
      else if (std::isnan(v) ? std::isnan(e) : e == v) ++kept;
    }
    CHECK(zeros + kept == 64);
    CHECK(zeros > 0);
    CHECK(kept > 0);
  }
}

TEST_CASE("Dropout: gradient flows through the kept units only") {
  auto d = layers::Dropout(0.5, {.seed = 9});
  core::Variable v(ops::ones({4, 8}), "x");
  keras::GradientTape tape;
  Tensor y = (*d)(v.value(), true);
  auto g = tape.gradient(ops::sum(y), std::vector<core::Variable>{v});
  REQUIRE(g.size() == 1);
  REQUIRE(g[0].defined());
  CHECK(values(g[0]) == values(y));  // d(sum(x * m * 2))/dx = m * 2 = y for x = 1
}

TEST_CASE("GaussianNoise: adds noise of the given stddev in training only") {
  auto g = layers::GaussianNoise(0.5, {.seed = 11});
  Tensor x = ops::zeros({100, 100});
  CHECK(values((*g)(x, false)) == values(x));
  std::vector<double> y = values((*g)(x, true));
  double s = 0, s2 = 0;
  for (double v : y) s += v, s2 += v * v;
  const double mean = s / double(y.size()), sd = std::sqrt(s2 / double(y.size()) - mean * mean);
  CHECK(std::fabs(mean) < 0.02);
  CHECK(sd == doctest::Approx(0.5).epsilon(0.03));
  auto g2 = layers::GaussianNoise(0.5, {.seed = 11});
  CHECK(values((*g2)(x, true)) == y);  // same seed, same first draw
}

TEST_CASE("Flatten, Reshape, Permute and RepeatVector move values as Keras does") {
  Tensor x = ops::reshape(ops::cast(ops::range(24), DType::float32), {2, 3, 4});
  check_values((*layers::Flatten())(x), values(x));
  // channels_first (batch, C=2, H=1, W=3) flattens as channels_last (batch, H, W, C)
  Tensor cf = ops::reshape(ops::cast(ops::range(6), DType::float32), {1, 2, 1, 3});
  check_values((*layers::Flatten({.data_format = "channels_first"}))(cf), std::vector<float>{0, 3, 1, 4, 2, 5});

  Tensor r = (*layers::Reshape({-1, 6}))(x);
  CHECK(r.shape() == Shape{2, 2, 6});
  check_values(r, values(x));
  CHECK((*layers::Reshape({4, -1}))(x).shape() == Shape{2, 4, 3});
  auto bad = layers::Reshape({5, -1}, {.name = "rs"});
  CHECK_THROWS_MSG((*bad)(x), std::invalid_argument,
                   "rs: the total size of the input (12 values per sample) must be unchanged; cannot reshape input "
                   "with shape (2, 3, 4) to target_shape (5, -1)");
  auto sym = layers::Reshape({-1, 2});
  CHECK(sym->operator()(keras::Input({3, 4})).shape() == keras::ShapeSpec{-1, 6, 2});
  CHECK(sym->operator()(keras::Input({-1, 4})).shape() == keras::ShapeSpec{-1, -1, 2});

  Tensor p = (*layers::Permute({2, 1}))(x);
  CHECK(p.shape() == Shape{2, 4, 3});
  check_values(p, values(ops::transpose(x, {0, 2, 1})));
  // element [0, j, i] of the output is x[0, i, j]
  CHECK(values(p)[size_t(1 * 3 + 2)] == values(x)[size_t(2 * 4 + 1)]);

  Tensor v = core::constant({{1.0f, 2.0f}, {3.0f, 4.0f}});
  Tensor rv = (*layers::RepeatVector(3))(v);
  CHECK(rv.shape() == Shape{2, 3, 2});
  check_values(rv, std::vector<float>{1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4});
  CHECK_THROWS_MSG((*layers::RepeatVector(2))(x), std::invalid_argument, "expected ndim=2");
}

TEST_CASE("Embedding: looks up rows; out-of-range ids raise naming the id") {
  auto e = layers::Embedding(4, 2, {.name = "emb"});
  Tensor ids = core::constant({{0, 3}, {2, 2}});  // int32
  Tensor y = (*e)(ids);
  CHECK(y.shape() == Shape{2, 2, 2});
  CHECK(y.dtype() == DType::float32);
  CHECK(e->embeddings.shape() == Shape{4, 2});
  std::vector<double> w = values(e->embeddings.value());
  for (double v : w) CHECK(std::fabs(v) <= 0.05);  // RandomUniform(-0.05, 0.05)
  check_values(y, std::vector<double>{w[0], w[1], w[6], w[7], w[4], w[5], w[4], w[5]});
  e->set_weights({core::constant({{0.f, 1.f}, {2.f, 3.f}, {4.f, 5.f}, {6.f, 7.f}})});
  check_values((*e)(core::constant(std::vector<int64_t>{1, 3}, Shape{2, 1})), std::vector<float>{2, 3, 6, 7});
  CHECK_THROWS_MSG((*e)(core::constant({{0, 7}})), std::invalid_argument, "emb: expected ids in [0, 4)");
  CHECK_THROWS_MSG((*e)(core::constant({{0, 7}})), std::invalid_argument, "= 7 is out of range");
  CHECK_THROWS_MSG((*e)(core::constant({{-1, 0}})), std::invalid_argument, "= -1 is out of range");
  // gradient: each looked-up row receives its upstream gradient (row 2 twice)
  keras::GradientTape tape;
  Tensor out = (*e)(core::constant({{0, 2}, {2, 2}}));
  auto g = tape.gradient(ops::sum(out), e->trainable_weights());
  REQUIRE(g.size() == 1);
  check_values(g[0], std::vector<float>{1, 1, 0, 0, 3, 3, 0, 0});
}

TEST_CASE("PReLU: alpha per feature, shared axes, and the gradient of alpha") {
  auto p = layers::PReLU({.alpha_initializer = keras::initializers::Constant(0.25)});
  Tensor x = core::constant({{-1.0f, 2.0f, -3.0f}});
  check_values((*p)(x), std::vector<float>{-0.25f, 2.0f, -0.75f});
  CHECK(p->alpha.shape() == Shape{3});
  keras::GradientTape tape;
  Tensor y = (*p)(x, true);
  auto g = tape.gradient(ops::sum(y), std::vector<core::Variable>{p->alpha});
  REQUIRE(g.size() == 1);
  check_values(g[0], std::vector<float>{-1, 0, -3});  // d/dalpha = min(x, 0)

  auto s = layers::PReLU({.shared_axes = {1, 2}});
  (*s)(ops::zeros({2, 3, 4, 5}));
  CHECK(s->alpha.shape() == Shape{1, 1, 5});
  CHECK_THROWS_MSG((*s)(ops::zeros({2, 3, 4, 6})), std::invalid_argument, "expected axis 3 of input shape to have value 5");
  CHECK_THROWS_MSG((*layers::PReLU({.shared_axes = {3}, .name = "pr"}))(ops::zeros({2, 3})), std::invalid_argument,
                   "pr: expected shared_axes in [1, 1] for input shape (2, 3), but received shared_axes=[3]");
  CHECK_THROWS_MSG(layers::PReLU({.shared_axes = {0}}), std::invalid_argument, "expected shared_axes to hold 1-based");
}

TEST_CASE("ReLU, LeakyReLU, ELU, Softmax, Activation: values") {
  Tensor x = core::constant({{-10.0f, -5.0f, 0.0f, 5.0f, 10.0f}});
  // Keras's docstring example
  check_values((*layers::ReLU({.max_value = 10, .negative_slope = 0.5}))(x), std::vector<float>{-5, -2.5, 0, 5, 10});
  check_values((*layers::ReLU({.max_value = 6}))(x), std::vector<float>{0, 0, 0, 5, 6});
  // Keras keeps x only where x > threshold (strictly), as tf.keras's backend.relu
  check_values((*layers::ReLU({.threshold = 5}))(x), std::vector<float>{0, 0, 0, 0, 10});
  check_values((*layers::LeakyReLU())(x), std::vector<float>{-3, -1.5, 0, 5, 10});
  check_values((*layers::LeakyReLU(0.1))(x), std::vector<float>{-1, -0.5, 0, 5, 10});
  check_values((*layers::ELU())(core::constant({-1.0f, 2.0f})), std::vector<double>{std::expm1(-1.0), 2}, 1e-6);
  check_values((*layers::ELU(2.0))(core::constant({-1.0f})), std::vector<double>{2 * std::expm1(-1.0)}, 1e-6);
  Tensor sm = (*layers::Softmax())(core::constant({{1.0f, 2.0f, 3.0f}}));
  const double z = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
  check_values(sm, std::vector<double>{std::exp(1.0) / z, std::exp(2.0) / z, std::exp(3.0) / z}, 1e-6);
  check_values((*layers::Softmax(0))(core::constant({{1.0f}, {1.0f}})), std::vector<float>{0.5f, 0.5f});
  check_values((*layers::Softmax(std::vector<int64_t>{1, 2}))(ops::zeros({1, 2, 2})),
               std::vector<float>{0.25f, 0.25f, 0.25f, 0.25f});
  check_values((*layers::Activation("relu"))(x), std::vector<float>{0, 0, 0, 5, 10});
  check_values((*layers::Activation(keras::activations::sigmoid))(core::constant({0.0f})), std::vector<float>{0.5f});
  CHECK(layers::Activation("relu")->get_config().at("activation") == keras::Value("relu"));
  CHECK_THROWS_MSG((*layers::Softmax(2, {.name = "sm"}))(ops::zeros({2, 3})), std::invalid_argument,
                   "sm: expected axis in [-2, 2) for input shape (2, 3), but received axis=2");
}

TEST_CASE("ActivityRegularization: adds (l1 * sum|x| + l2 * sum x^2) / batch size and returns x") {
  auto a = layers::ActivityRegularization({.l1 = 0.1, .l2 = 0.01});
  Tensor x = core::constant({{1.0f, -2.0f}, {3.0f, -4.0f}});
  check_values((*a)(x), values(x));
  REQUIRE(a->losses().size() == 1);
  // Keras 3 divides the penalty by the batch size (2 rows here)
  check_values(a->losses()[0], std::vector<float>{(0.1f * 10 + 0.01f * 30) / 2});
  (*a)(x);  // losses are per call
  CHECK(a->losses().size() == 1);
  auto z = layers::ActivityRegularization();
  (*z)(x);
  REQUIRE(z->losses().size() == 1);
  check_values(z->losses()[0], std::vector<float>{0});
  // inside a model the loss reaches the model's losses
  auto m = keras::Sequential({layers::Dense(2, {.kernel_initializer = "ones", .input_shape = {2}}),
                              layers::ActivityRegularization({.l1 = 1.0})});
  (*m)(core::constant({{1.0f, 1.0f}}));
  REQUIRE(m->losses().size() == 1);
  check_values(m->losses()[0], std::vector<float>{4});
}

TEST_CASE("Lambda: a C++ callable, output_shape, and the by-name registry for configs") {
  auto l = layers::Lambda([](const Tensor& t) { return ops::sum(t, {1}); }, {.name = "lam"});
  check_values((*l)(core::constant({{1.0f, 2.0f}, {3.0f, 4.0f}})), std::vector<float>{3, 7});
  CHECK(l->operator()(keras::Input({5})).shape() == keras::ShapeSpec{-1});
  auto fixed = layers::Lambda(double_it, {.output_shape = {5}});
  CHECK(fixed->operator()(keras::Input({5})).shape() == keras::ShapeSpec{-1, 5});
  CHECK(fixed->get_config().at("output_shape") == keras::Value(std::vector<int64_t>{5}));
  auto fn = layers::Lambda(double_it, {.output_shape = [](const keras::ShapeSpec& s) {
                                         return keras::ShapeSpec{s[0], s[1] * 2};
                                       }});
  CHECK(fn->operator()(keras::Input({3})).shape() == keras::ShapeSpec{-1, 6});

  // An unnamed function cannot be rebuilt from a config.
  keras::Config cfg = l->get_config();
  CHECK(cfg.at("function").is_null());
  CHECK_THROWS_MSG(layers::from_config("Lambda", cfg), std::invalid_argument,
                   "lam: cannot rebuild a Lambda layer from its config");
  // A named but unregistered one says which name to register.
  auto named = layers::Lambda(double_it, {.function_name = "core_layers_not_registered"});
  CHECK_THROWS_MSG(layers::from_config("Lambda", named->get_config()), std::invalid_argument,
                   "register_lambda(\"core_layers_not_registered\", fn)");
  layers::register_lambda("core_layers_triple",
                          [](const Tensor& t) { return ops::multiply(t, ops::scalar_like(t, 3.0)); });
  auto tri = layers::Lambda(double_it, {.function_name = "core_layers_triple"});
  auto again = layers::from_config("Lambda", tri->get_config());
  check_values((*again)(core::constant({1.0f})), std::vector<float>{3});  // the registered function
  CHECK_THROWS_MSG(layers::Lambda("core_layers_nope"), std::invalid_argument,
                   "expected the name of a function registered with keras::layers::register_lambda, but received "
                   "'core_layers_nope'");
}

TEST_CASE("core layers: bad arguments raise std::invalid_argument naming layer, argument, expected, received") {
  CHECK_THROWS_MSG(layers::Dropout(1.0, {.name = "d"}), std::invalid_argument,
                   "d: invalid value received for argument rate: expected a float value in [0, 1), but received rate=1");
  CHECK_THROWS_MSG(layers::Dropout(-0.1, {.name = "d"}), std::invalid_argument, "but received rate=-0.1");
  CHECK_THROWS_MSG(layers::Dropout(0.5, {.noise_shape = {0, 2}, .name = "d"}), std::invalid_argument,
                   "d: invalid value received for argument noise_shape");
  CHECK_THROWS_MSG(layers::GaussianNoise(1.5, {.name = "g"}), std::invalid_argument,
                   "g: invalid value received for argument stddev: expected a float value between 0 and 1, but "
                   "received stddev=1.5");
  CHECK_THROWS_MSG(layers::Reshape({-1, -1}, {.name = "r"}), std::invalid_argument,
                   "r: the target_shape argument must not contain more than one -1 value, but received "
                   "target_shape=(None, None)");
  CHECK_THROWS_MSG(layers::Reshape({2, -3}, {.name = "r"}), std::invalid_argument, "with -3");
  CHECK_THROWS_MSG(layers::Permute({1, 3}, {.name = "p"}), std::invalid_argument,
                   "p: invalid permutation argument dims: expected a permutation of the 1-based axes 1..2 "
                   "(consecutive and starting from 1), but received dims=[1, 3]");
  CHECK_THROWS_MSG((*layers::Permute({2, 1}, {.name = "p"}))(ops::zeros({2, 3})), std::invalid_argument,
                   "p: expected ndim=3, but received input with shape (2, 3) (ndim=2)");
  CHECK_THROWS_MSG(layers::RepeatVector(-2, {.name = "rv"}), std::invalid_argument,
                   "rv: expected the number of repetitions n >= 0, but received n=-2");
  CHECK_THROWS_MSG(layers::ReLU({.max_value = -1, .name = "re"}), std::invalid_argument,
                   "re: max_value of a ReLU layer cannot be a negative value; expected max_value >= 0, but received "
                   "max_value=-1");
  CHECK_THROWS_MSG(layers::ReLU({.negative_slope = -0.5}), std::invalid_argument, "received negative_slope=-0.5");
  CHECK_THROWS_MSG(layers::ReLU({.threshold = -1}), std::invalid_argument, "received threshold=-1");
  CHECK_THROWS_MSG(layers::LeakyReLU(-0.2, {.name = "lr"}), std::invalid_argument,
                   "lr: the negative_slope of a LeakyReLU layer cannot be negative; expected a float >= 0, but "
                   "received negative_slope=-0.2");
  CHECK_THROWS_MSG(layers::ActivityRegularization({.l1 = -1, .name = "ar"}), std::invalid_argument,
                   "ar: invalid value for argument l1: expected a non-negative float, but received l1=-1");
  CHECK_THROWS_MSG(layers::Embedding(0, 3, {.name = "e"}), std::invalid_argument,
                   "e: expected input_dim > 0, but received input_dim=0");
  CHECK_THROWS_MSG(layers::Embedding(3, -1, {.name = "e"}), std::invalid_argument,
                   "e: expected output_dim > 0, but received output_dim=-1");
  CHECK_THROWS_MSG(layers::Flatten({.data_format = "nchw", .name = "f"}), std::invalid_argument,
                   "f: expected data_format \"channels_last\" or \"channels_first\", but received data_format=\"nchw\"");
  CHECK_THROWS_MSG(layers::Lambda(layers::LambdaFunction(), {.name = "lm"}), std::invalid_argument,
                   "lm: expected a function, but received an empty one");
}

TEST_CASE("core layers: configs follow Keras (keys, defaults, nulls)") {
  auto d = layers::Dropout(0.25);
  keras::Config c = d->get_config();
  CHECK(c.at("rate").as_double() == 0.25);
  CHECK(c.at("seed").is_null());
  CHECK(c.at("noise_shape").is_null());
  auto r = layers::ReLU();
  CHECK(r->get_config().at("max_value").is_null());
  CHECK(layers::LeakyReLU()->get_config().at("negative_slope").as_double() == 0.3);
  auto legacy = keras::Value::from_json(R"({"name": "old", "alpha": 0.1})");
  CHECK(layers::from_config("LeakyReLU", legacy)->get_config().at("negative_slope").as_double() == 0.1);
  keras::Config pc = layers::PReLU()->get_config();
  CHECK(pc.at("shared_axes").is_null());
  CHECK(pc.at("alpha_initializer").at("class_name").as_string() == "Zeros");
  keras::Config ec = layers::Embedding(5, 2)->get_config();
  CHECK(ec.at("embeddings_initializer").at("class_name").as_string() == "RandomUniform");
  CHECK(ec.at("mask_zero").as_bool() == false);
  CHECK(layers::Flatten()->get_config().at("data_format").as_string() == "channels_last");
  CHECK(layers::Softmax()->get_config().at("axis").as_int() == -1);
  CHECK(layers::ELU()->get_config().at("alpha").as_double() == 1.0);
}

TEST_CASE("core layers work inside Sequential and Functional models") {
  layers::register_lambda("core_layers_double", double_it);
  // Sequential: ids -> embedding -> ... -> every other core layer.
  auto seq = keras::Sequential({
      layers::Embedding(20, 4, {.input_shape = {6}}),  // (None, 6, 4)
      layers::Dropout(0.2, {.seed = 1}),
      layers::GaussianNoise(0.1),
      layers::Permute({2, 1}),                         // (None, 4, 6)
      layers::Reshape({-1}),                           // (None, 24)
      layers::Dense(8),
      layers::PReLU(),
      layers::ReLU({.max_value = 6}),
      layers::LeakyReLU(),
      layers::ELU(),
      layers::ActivityRegularization({.l2 = 0.01}),
      layers::RepeatVector(3),                          // (None, 3, 8)
      layers::Lambda(double_it, {.function_name = "core_layers_double"}),
      layers::Activation("tanh"),
      layers::Flatten(),                                // (None, 24)
      layers::Softmax(),
  });
  CHECK(seq->built());
  Tensor ids = ops::cast(core::constant({{1, 2, 3, 4, 5, 6}, {0, 0, 19, 19, 7, 7}}), DType::int32);
  Tensor y = (*seq)(ids, true);
  CHECK(y.shape() == Shape{2, 24});
  check_values(ops::sum(y, {1}), std::vector<float>{1, 1}, 1e-5);
  CHECK((*seq)(ids).shape() == Shape{2, 24});
  CHECK(seq->count_params() == 20 * 4 + 24 * 8 + 8 + 8);
  CHECK(seq->losses().size() == 1);
  keras::GradientTape tape;
  Tensor loss = ops::sum((*seq)(ids, true));
  auto grads = tape.gradient(loss, seq->trainable_weights());
  CHECK(grads.size() == 4);
  for (const Tensor& g : grads) CHECK(g.defined());
  std::string s = seq->summary_string();
  CHECK(s.find("(None, 6, 4)") != std::string::npos);
  CHECK(s.find("(None, 3, 8)") != std::string::npos);

  // Functional: the same layers on symbolic tensors.
  auto in = keras::Input({6}, {.dtype = DType::int32});
  keras::KerasTensor h = layers::Embedding(20, 4)(in);
  h = layers::Dropout(0.5)(h);
  h = layers::GaussianNoise(0.2)(h);
  h = layers::Permute({2, 1})(h);
  CHECK(h.shape() == keras::ShapeSpec{-1, 4, 6});
  h = layers::Flatten()(h);
  CHECK(h.shape() == keras::ShapeSpec{-1, 24});
  h = layers::Reshape({6, -1})(h);
  CHECK(h.shape() == keras::ShapeSpec{-1, 6, 4});
  h = layers::PReLU({.shared_axes = {1}})(h);
  h = layers::ReLU()(h);
  h = layers::LeakyReLU(0.1)(h);
  h = layers::ELU()(h);
  h = layers::ActivityRegularization({.l1 = 0.01})(h);
  h = layers::Lambda([](const Tensor& t) { return ops::mean(t, {1}); })(h);
  CHECK(h.shape() == keras::ShapeSpec{-1, 4});
  h = layers::RepeatVector(2)(h);
  h = layers::Activation("relu")(h);
  h = layers::Softmax()(h);
  CHECK(h.shape() == keras::ShapeSpec{-1, 2, 4});
  auto model = keras::Functional({in}, {h});
  Tensor out = (*model)(ids, true);
  CHECK(out.shape() == Shape{2, 2, 4});
  check_values(ops::sum(out, {2}), std::vector<float>{1, 1, 1, 1}, 1e-5);
  CHECK(model->count_params() == 20 * 4 + 4);
  CHECK(model->losses().size() == 1);
  Tensor inf1 = (*model)(ids), inf2 = (*model)(ids);
  CHECK(values(inf1) == values(inf2));  // inference is deterministic
}

// Keras 3.15: Rescaling(1/255) on uint8 [0, 255, 51] gives float32 [0, 1, 0.2];
// Rescaling([2, 3], [1, -1]) on ones gives [3, 2]; configs {"scale": 0.00392156862745098,
// "offset": 0.0} and {"scale": [2.0, 3.0], "offset": [1.0, -1.0]}.
TEST_CASE("Rescaling: Keras's numbers, dtype and config") {
  auto l = layers::Rescaling(1.0 / 255);
  Tensor y = (*l)(ops::cast(core::constant({{0, 255, 51}}), DType::uint8));
  CHECK(y.dtype() == DType::float32);
  check_values(y, std::vector<double>{0.0, 1.0, 0.20000001788139343}, 1e-7);
  CHECK(l->get_config().at("scale").as_double() == doctest::Approx(0.00392156862745098));
  CHECK(l->get_config().at("offset").as_double() == 0.0);
  auto l2 = layers::Rescaling({2.0, 3.0}, {1.0, -1.0});
  check_values((*l2)(ops::ones({1, 2})), std::vector<double>{3, 2});
  CHECK(l2->get_config().at("scale").to_json() == "[2.0, 3.0]");
  CHECK_THROWS_WITH_AS((*l2)(ops::ones({1, 3})), doctest::Contains("last axis has 2 channels"), std::invalid_argument);
}
