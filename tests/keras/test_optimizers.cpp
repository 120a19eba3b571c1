#include <cmath>

#include "helpers.h"
#include "keras/optimizers.h"

using namespace th;
namespace opt = keras::optimizers;
using core::Variable;

namespace {
// Runs `steps` updates of f(w) = sum(w^2 * c) from w0, returning w.
std::vector<double> run(opt::Optimizer& o, std::vector<double> w0, int steps, DType dt = DType::float64) {
  Variable w(make(w0, Shape{int64_t(w0.size())}, dt), "w");
  Tensor c = make(std::vector<double>{1.0, 3.0}, Shape{2}, dt);
  for (int s = 0; s < steps; ++s) {
    core::GradientTape tape;
    Tensor loss = ops::sum(ops::multiply(ops::square(w), c));
    o.apply_gradients(tape.gradient(loss, std::vector<Variable>{w}), {w});
  }
  return values(w.value());
}
}  // namespace

TEST_CASE("SGD: plain, momentum and nesterov trajectories match Keras's formulas") {
  for (auto [mom, nest] : std::vector<std::pair<double, bool>>{{0.0, false}, {0.9, false}, {0.9, true}}) {
    CAPTURE(mom);
    CAPTURE(nest);
    for (DType dt : {DType::float32, DType::float64}) {
      auto o = opt::SGD({.learning_rate = 0.1, .momentum = mom, .nesterov = nest});
      std::vector<double> got = run(*o, {1.0, -2.0}, 3, dt);
      std::vector<double> w = {1.0, -2.0}, m = {0, 0}, c = {1.0, 3.0};
      for (int s = 0; s < 3; ++s)
        for (int i = 0; i < 2; ++i) {
          double g = 2 * c[i] * w[i];
          if (mom == 0) { w[i] -= 0.1 * g; continue; }
          m[i] = mom * m[i] - 0.1 * g;
          w[i] += nest ? mom * m[i] - 0.1 * g : m[i];
        }
      for (int i = 0; i < 2; ++i) CHECK(got[i] == doctest::Approx(w[i]).epsilon(1e-5));
      CHECK(o->iterations() == 3);
    }
  }
}

TEST_CASE("Adam and AMSGrad trajectories match Keras's formulas") {
  for (bool ams : {false, true}) {
    CAPTURE(ams);
    auto o = opt::Adam({.learning_rate = 0.05, .amsgrad = ams});
    std::vector<double> got = run(*o, {1.0, -2.0}, 4);
    std::vector<double> w = {1.0, -2.0}, m = {0, 0}, v = {0, 0}, vh = {0, 0}, c = {1.0, 3.0};
    for (int t = 1; t <= 4; ++t) {
      double alpha = 0.05 * std::sqrt(1 - std::pow(0.999, t)) / (1 - std::pow(0.9, t));
      for (int i = 0; i < 2; ++i) {
        double g = 2 * c[i] * w[i];
        m[i] += (g - m[i]) * 0.1;
        v[i] += (g * g - v[i]) * 0.001;
        double vv = v[i];
        if (ams) { vh[i] = std::max(vh[i], v[i]); vv = vh[i]; }
        w[i] -= alpha * m[i] / (std::sqrt(vv) + 1e-7);
      }
    }
    for (int i = 0; i < 2; ++i) CHECK(got[i] == doctest::Approx(w[i]).epsilon(1e-10));
    CHECK(o->variables().size() == size_t(ams ? 4 : 3));  // iterations + slots of one variable
  }
}

TEST_CASE("AdamW applies decoupled weight decay; clipping options") {
  auto o = opt::AdamW({.learning_rate = 0.1, .weight_decay = 0.5});
  Variable w(core::constant(std::vector<double>{2.0}), "w");
  o->apply_gradients({core::constant(std::vector<double>{0.0})}, {w});
  // zero gradient: only the decay moves w: 2 * (1 - 0.1 * 0.5)
  check_values(w.value(), std::vector<double>{1.9}, 1e-12);

  auto c = opt::SGD({.learning_rate = 1.0, .clipnorm = 1.0});
  Variable x(core::constant(std::vector<double>{0.0, 0.0}), "x");
  c->apply_gradients({core::constant(std::vector<double>{3.0, 4.0})}, {x});
  check_values(x.value(), std::vector<double>{-0.6, -0.8}, 1e-12);
  auto cv = opt::SGD({.learning_rate = 1.0, .clipvalue = 0.5});
  Variable y(core::constant(std::vector<double>{0.0, 0.0}), "y");
  cv->apply_gradients({core::constant(std::vector<double>{3.0, -0.25})}, {y});
  check_values(y.value(), std::vector<double>{-0.5, 0.25}, 1e-12);
  auto gc = opt::SGD({.learning_rate = 1.0, .global_clipnorm = 5.0});
  Variable a(core::constant(std::vector<double>{0.0}), "a"), b(core::constant(std::vector<double>{0.0}), "b");
  gc->apply_gradients({core::constant(std::vector<double>{6.0}), core::constant(std::vector<double>{8.0})}, {a, b});
  check_values(a.value(), std::vector<double>{-3.0}, 1e-12);
  check_values(b.value(), std::vector<double>{-4.0}, 1e-12);
}

TEST_CASE("optimizer updates do not change tensors that others hold") {
  Variable w(core::constant({1.0f, 2.0f}), "w");
  Tensor before = w.value();  // a handle someone kept
  auto o = opt::SGD({.learning_rate = 1.0});
  o->apply_gradients({core::constant({1.0f, 1.0f})}, {w});
  check_values(before, std::vector<float>{1, 2});
  check_values(w.value(), std::vector<float>{0, 1});
}

TEST_CASE("optimizer errors, get, config round trip") {
  auto o = opt::Adam();
  Variable w(core::constant({1.0f}), "w");
  CHECK_THROWS_MSG(o->apply_gradients({Tensor()}, {w}), std::invalid_argument, "no gradients provided for any variable");
  CHECK_THROWS_MSG(o->apply_gradients({core::constant({1.0f, 2.0f})}, {w}), std::invalid_argument,
                   "the gradient for variable 'w' has shape (2,), expected (1,)");
  CHECK_THROWS_MSG(opt::SGD({.momentum = 2.0}), std::invalid_argument, "expected momentum in [0, 1]");
  CHECK(opt::get("adam")->class_name() == "Adam");
  CHECK(opt::get("sgd")->learning_rate() == doctest::Approx(0.01));
  CHECK_THROWS_MSG(opt::get("nope"), std::invalid_argument, "unknown optimizer 'nope'");
  auto a = opt::Adam({.learning_rate = 0.01, .beta_1 = 0.8, .amsgrad = true, .clipnorm = 2.0});
  auto b = opt::deserialize(keras::Value::from_json(opt::serialize(*a).to_json()));
  CHECK(b->get_config() == a->get_config());
  CHECK(b->class_name() == "Adam");
}
