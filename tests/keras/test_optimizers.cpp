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

// ---- RMSprop, Nadam, Adagrad, Adadelta, Adamax, Ftrl, Lion ---------------------------------
namespace {
// The same problem computed by hand in float64: w0 = {1, -2}, f(w) = w0^2 + 3 w1^2, so
// g_i = 2 c_i w_i. `step(t, i, g, w)` (t 1-based) updates element i's state, returns new w.
template <class Step>
std::vector<double> reference(int steps, Step step) {
  std::vector<double> w = {1.0, -2.0}, c = {1.0, 3.0};
  for (int t = 1; t <= steps; ++t)
    for (int i = 0; i < 2; ++i) w[i] = step(t, i, 2 * c[i] * w[i], w[i]);
  return w;
}
void check_close(const std::vector<double>& got, const std::vector<double>& want, double eps) {
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i) CHECK(got[i] == doctest::Approx(want[i]).epsilon(eps));
}
}  // namespace

TEST_CASE("RMSprop: plain, momentum, centered trajectories match Keras's formulas") {
  for (auto [mom, centered] : std::vector<std::pair<double, bool>>{{0.0, false}, {0.9, false}, {0.0, true}, {0.5, true}}) {
    CAPTURE(mom);
    CAPTURE(centered);
    for (DType dt : {DType::float64, DType::float32}) {
      auto o = opt::RMSprop({.learning_rate = 0.1, .rho = 0.8, .momentum = mom, .centered = centered});
      std::vector<double> got = run(*o, {1.0, -2.0}, 4, dt);
      double v[2] = {0, 0}, a[2] = {0, 0}, m[2] = {0, 0};
      auto want = reference(4, [&](int, int i, double g, double w) {
        v[i] = 0.8 * v[i] + 0.2 * g * g;
        double denom = v[i] + 1e-7;
        if (centered) {
          a[i] = 0.8 * a[i] + 0.2 * g;
          denom = v[i] - a[i] * a[i] + 1e-7;
        }
        double inc = 0.1 * g / std::sqrt(denom);
        if (mom > 0) {
          m[i] = mom * m[i] + inc;
          return w - m[i];
        }
        return w - inc;
      });
      check_close(got, want, dt == DType::float64 ? 1e-10 : 2e-5);
      CHECK(o->variables().size() == size_t(2 + (mom > 0) + centered));
    }
  }
}

TEST_CASE("Nadam trajectory matches Keras 3's formula (momentum schedule 0.96^t)") {
  for (DType dt : {DType::float64, DType::float32}) {
    auto o = opt::Nadam({.learning_rate = 0.05, .beta_1 = 0.85});
    std::vector<double> got = run(*o, {1.0, -2.0}, 4, dt);
    double m[2] = {0, 0}, v[2] = {0, 0}, u_prod = 1.0;
    int u_step = 0;
    const double b1 = 0.85, b2 = 0.999;
    auto want = reference(4, [&](int t, int i, double g, double w) {
      double u_t = b1 * (1 - 0.5 * std::pow(0.96, t)), u_t1 = b1 * (1 - 0.5 * std::pow(0.96, t + 1));
      if (u_step < t) {
        u_prod *= u_t;
        u_step = t;
      }
      m[i] = b1 * m[i] + (1 - b1) * g;
      v[i] = b2 * v[i] + (1 - b2) * g * g;
      double m_hat = u_t1 * m[i] / (1 - u_prod * u_t1) + (1 - u_t) * g / (1 - u_prod);
      double v_hat = v[i] / (1 - std::pow(b2, t));
      return w - 0.05 * m_hat / (std::sqrt(v_hat) + 1e-7);
    });
    check_close(got, want, dt == DType::float64 ? 1e-10 : 2e-5);
  }
}

TEST_CASE("Nadam: restored iterations give the same step as an uninterrupted run") {
  auto a = opt::Nadam({.learning_rate = 0.05});
  auto b = opt::Nadam({.learning_rate = 0.05});
  Variable wa(core::constant(std::vector<double>{1.0, -2.0}), "w");
  Variable wb(core::constant(std::vector<double>{0.5, 0.5}), "w");
  for (int s = 0; s < 2; ++s) a->apply_gradients({ops::multiply(wa.value(), ops::scalar_like(wa.value(), 2.0))}, {wa});
  for (int s = 0; s < 5; ++s) b->apply_gradients({ops::multiply(wb.value(), ops::scalar_like(wb.value(), 2.0))}, {wb});
  // restore a's state (iterations 2 < b's 5) into b, then step both identically
  auto va = a->variables(), vb = b->variables();
  REQUIRE(va.size() == vb.size());
  for (size_t i = 0; i < va.size(); ++i) vb[i].assign(va[i].value());
  wb.assign(wa.value());
  a->apply_gradients({ops::multiply(wa.value(), ops::scalar_like(wa.value(), 2.0))}, {wa});
  b->apply_gradients({ops::multiply(wb.value(), ops::scalar_like(wb.value(), 2.0))}, {wb});
  check_values(wb.value(), values(wa.value()), 1e-14);
}

TEST_CASE("Adagrad trajectory matches Keras's formula") {
  for (double init : {0.1, 0.0}) {
    CAPTURE(init);
    auto o = opt::Adagrad({.learning_rate = 0.2, .initial_accumulator_value = init});
    std::vector<double> got = run(*o, {1.0, -2.0}, 4);
    double acc[2] = {init, init};
    auto want = reference(4, [&](int, int i, double g, double w) {
      acc[i] += g * g;
      return w - 0.2 * g / std::sqrt(acc[i] + 1e-7);
    });
    check_close(got, want, 1e-10);
  }
  auto f = opt::Adagrad({.learning_rate = 0.2});
  check_close(run(*f, {1.0, -2.0}, 3, DType::float32), run(*opt::Adagrad({.learning_rate = 0.2}), {1.0, -2.0}, 3),
              2e-5);
}

TEST_CASE("Adadelta trajectory matches Keras's formula") {
  for (DType dt : {DType::float64, DType::float32}) {
    auto o = opt::Adadelta({.learning_rate = 1.0, .rho = 0.9, .epsilon = 1e-3});
    std::vector<double> got = run(*o, {1.0, -2.0}, 4, dt);
    double ag[2] = {0, 0}, ad[2] = {0, 0};
    auto want = reference(4, [&](int, int i, double g, double w) {
      ag[i] = 0.9 * ag[i] + 0.1 * g * g;
      double d = -std::sqrt(ad[i] + 1e-3) / std::sqrt(ag[i] + 1e-3) * g;
      ad[i] = 0.9 * ad[i] + 0.1 * d * d;
      return w + 1.0 * d;
    });
    check_close(got, want, dt == DType::float64 ? 1e-10 : 2e-5);
  }
}

TEST_CASE("Adamax trajectory matches Keras's formula") {
  for (DType dt : {DType::float64, DType::float32}) {
    auto o = opt::Adamax({.learning_rate = 0.05, .beta_2 = 0.5});
    std::vector<double> got = run(*o, {1.0, -2.0}, 4, dt);
    double m[2] = {0, 0}, u[2] = {0, 0};
    auto want = reference(4, [&](int t, int i, double g, double w) {
      m[i] = 0.9 * m[i] + 0.1 * g;
      u[i] = std::max(0.5 * u[i], std::fabs(g));
      return w - 0.05 * m[i] / ((1 - std::pow(0.9, t)) * (u[i] + 1e-7));
    });
    check_close(got, want, dt == DType::float64 ? 1e-10 : 2e-5);
  }
}

TEST_CASE("Ftrl trajectories (plain, and with l1, l2, shrinkage, beta) match Keras's formula") {
  struct Case {
    double power, l1, l2, shrink, beta;
  };
  for (Case k : {Case{-0.5, 0, 0, 0, 0}, Case{-0.5, 0.5, 0.1, 0.05, 0.5}, Case{-0.3, 2.0, 0.2, 0, 1.0}, Case{0.0, 0, 0, 0, 0}}) {
    CAPTURE(k.power);
    CAPTURE(k.l1);
    auto o = opt::Ftrl({.learning_rate = 0.1, .learning_rate_power = k.power, .initial_accumulator_value = 0.2,
                        .l1_regularization_strength = k.l1, .l2_regularization_strength = k.l2,
                        .l2_shrinkage_regularization_strength = k.shrink, .beta = k.beta});
    std::vector<double> got = run(*o, {1.0, -2.0}, 4);
    double acc[2] = {0.2, 0.2}, lin[2] = {0, 0};
    const double lr = 0.1, p = -k.power;
    auto want = reference(4, [&](int, int i, double g, double w) {
      double gs = g + 2 * k.shrink * w;
      double n = acc[i] + g * g;
      lin[i] += gs - (std::pow(n, p) - std::pow(acc[i], p)) / lr * w;
      acc[i] = n;
      double quad = std::pow(n, p) / lr + 2 * (k.l2 + k.beta / (2 * lr));
      double clipped = std::min(std::max(lin[i], -k.l1), k.l1);
      return (clipped - lin[i]) / quad;
    });
    check_close(got, want, 1e-10);
  }
}

TEST_CASE("Lion trajectory matches Keras's formula") {
  for (DType dt : {DType::float64, DType::float32}) {
    auto o = opt::Lion({.learning_rate = 0.1, .beta_1 = 0.5, .beta_2 = 0.9});
    std::vector<double> got = run(*o, {1.0, -2.0}, 4, dt);
    double m[2] = {0, 0};
    auto want = reference(4, [&](int, int i, double g, double w) {
      double d = 0.5 * m[i] + 0.5 * g;
      double nw = w - 0.1 * double((d > 0) - (d < 0));
      m[i] = 0.9 * m[i] + 0.1 * g;
      return nw;
    });
    check_close(got, want, dt == DType::float64 ? 1e-12 : 1e-6);
  }
}

TEST_CASE("new optimizers: Keras defaults, names, get() by name") {
  auto r = opt::RMSprop();
  CHECK(r->name() == "rmsprop");
  CHECK(r->learning_rate() == doctest::Approx(0.001));
  keras::Config c = r->get_config();
  CHECK(c.at("rho").as_double() == 0.9);
  CHECK(c.at("momentum").as_double() == 0.0);
  CHECK(c.at("epsilon").as_double() == 1e-7);
  CHECK(c.at("centered").as_bool() == false);
  c = opt::Nadam()->get_config();
  CHECK(c.at("name").as_string() == "nadam");
  CHECK(c.at("beta_1").as_double() == 0.9);
  CHECK(c.at("beta_2").as_double() == 0.999);
  c = opt::Adagrad()->get_config();
  CHECK(c.at("initial_accumulator_value").as_double() == 0.1);
  CHECK(c.at("epsilon").as_double() == 1e-7);
  c = opt::Adadelta()->get_config();
  CHECK(c.at("rho").as_double() == 0.95);
  CHECK(c.at("learning_rate").as_double() == 0.001);
  c = opt::Adamax()->get_config();
  CHECK(c.at("beta_2").as_double() == 0.999);
  c = opt::Ftrl()->get_config();
  CHECK(c.at("learning_rate_power").as_double() == -0.5);
  CHECK(c.at("initial_accumulator_value").as_double() == 0.1);
  CHECK(c.at("l1_regularization_strength").as_double() == 0.0);
  CHECK(c.at("l2_regularization_strength").as_double() == 0.0);
  CHECK(c.at("l2_shrinkage_regularization_strength").as_double() == 0.0);
  CHECK(c.at("beta").as_double() == 0.0);
  c = opt::Lion()->get_config();
  CHECK(c.at("beta_1").as_double() == 0.9);
  CHECK(c.at("beta_2").as_double() == 0.99);
  CHECK(c.at("name").as_string() == "lion");
  CHECK(c.at("weight_decay").is_null());
  for (auto [key, cls] : std::vector<std::pair<std::string, std::string>>{
           {"rmsprop", "RMSprop"}, {"nadam", "Nadam"},   {"adagrad", "Adagrad"}, {"adadelta", "Adadelta"},
           {"adamax", "Adamax"},   {"ftrl", "Ftrl"},     {"lion", "Lion"},       {"RMSprop", "RMSprop"},
           {"Lion", "Lion"},       {"Ftrl", "Ftrl"}}) {
    CAPTURE(key);
    auto o = opt::get(key);
    CHECK(o->class_name() == cls);
    CHECK(o->learning_rate() == doctest::Approx(0.001));
  }
}

TEST_CASE("new optimizers: weight decay and clipping come from the base class") {
  // Lion with zero gradient: sign(0) = 0, only decoupled decay moves w.
  auto o = opt::Lion({.learning_rate = 0.1, .weight_decay = 0.5});
  Variable w(core::constant(std::vector<double>{2.0}), "w");
  o->apply_gradients({core::constant(std::vector<double>{0.0})}, {w});
  check_values(w.value(), std::vector<double>{1.9}, 1e-12);
  // Adagrad with clipvalue: g = 10 -> 1; acc = 0.1 + 1.
  auto a = opt::Adagrad({.learning_rate = 1.0, .clipvalue = 1.0});
  Variable x(core::constant(std::vector<double>{0.0}), "x");
  a->apply_gradients({core::constant(std::vector<double>{10.0})}, {x});
  check_values(x.value(), std::vector<double>{-1.0 / std::sqrt(1.1 + 1e-7)}, 1e-12);
}

TEST_CASE("new optimizers: bad arguments name the optimizer and the argument") {
  CHECK_THROWS_MSG(opt::RMSprop({.rho = 1.5}), std::invalid_argument, "rmsprop: expected rho in [0, 1], but received rho=1.5");
  CHECK_THROWS_MSG(opt::RMSprop({.momentum = -1}), std::invalid_argument, "expected momentum >= 0");
  CHECK_THROWS_MSG(opt::Nadam({.beta_1 = 1.0}), std::invalid_argument, "nadam: expected beta_1 in [0, 1)");
  CHECK_THROWS_MSG(opt::Nadam({.epsilon = -1}), std::invalid_argument, "expected epsilon >= 0");
  CHECK_THROWS_MSG(opt::Adagrad({.initial_accumulator_value = -0.1}), std::invalid_argument,
                   "adagrad: expected initial_accumulator_value >= 0, but received initial_accumulator_value=-0.1");
  CHECK_THROWS_MSG(opt::Adadelta({.rho = -0.5}), std::invalid_argument, "adadelta: expected rho in [0, 1]");
  CHECK_THROWS_MSG(opt::Adamax({.beta_2 = 2}), std::invalid_argument, "adamax: expected beta_2 in [0, 1]");
  CHECK_THROWS_MSG(opt::Ftrl({.learning_rate_power = 0.5}), std::invalid_argument,
                   "ftrl: expected learning_rate_power <= 0, but received learning_rate_power=0.5");
  CHECK_THROWS_MSG(opt::Ftrl({.l1_regularization_strength = -1}), std::invalid_argument,
                   "expected l1_regularization_strength >= 0");
  CHECK_THROWS_MSG(opt::Ftrl({.l2_regularization_strength = -1}), std::invalid_argument,
                   "expected l2_regularization_strength >= 0");
  CHECK_THROWS_MSG(opt::Ftrl({.l2_shrinkage_regularization_strength = -1}), std::invalid_argument,
                   "expected l2_shrinkage_regularization_strength >= 0");
  CHECK_THROWS_MSG(opt::Ftrl({.initial_accumulator_value = -1}), std::invalid_argument,
                   "expected initial_accumulator_value >= 0");
  CHECK_THROWS_MSG(opt::Ftrl({.beta = -1}), std::invalid_argument, "expected beta >= 0");
  CHECK_THROWS_MSG(opt::Lion({.beta_1 = 0}), std::invalid_argument, "lion: expected beta_1 in (0, 1], but received beta_1=0");
  CHECK_THROWS_MSG(opt::Lion({.learning_rate = -1.0}), std::invalid_argument, "expected learning_rate >= 0");
  CHECK_THROWS_MSG(opt::Adamax({.clipnorm = 1.0, .global_clipnorm = 1.0}), std::invalid_argument,
                   "only one of clipnorm and global_clipnorm");
  auto f = opt::Ftrl({.learning_rate = 0.0});
  Variable w(core::constant(std::vector<double>{1.0}), "w");
  CHECK_THROWS_MSG(f->apply_gradients({core::constant(std::vector<double>{1.0})}, {w}), std::invalid_argument,
                   "ftrl: expected learning_rate > 0");
  auto n = opt::Nadam();
  CHECK_THROWS_MSG(n->apply_gradients({core::constant(std::vector<double>{1.0, 2.0})}, {w}), std::invalid_argument,
                   "the gradient for variable 'w' has shape (2,), expected (1,)");
}

TEST_CASE("new optimizers: config round trips through JSON") {
  std::vector<opt::OptimizerPtr> all = {
      opt::RMSprop({.learning_rate = 0.01, .rho = 0.8, .momentum = 0.5, .epsilon = 1e-6, .centered = true,
                    .clipnorm = 1.5, .name = "r"}),
      opt::Nadam({.learning_rate = 0.02, .beta_1 = 0.8, .beta_2 = 0.99, .epsilon = 1e-5, .weight_decay = 0.01}),
      opt::Adagrad({.learning_rate = 0.03, .initial_accumulator_value = 0.5, .epsilon = 1e-4, .clipvalue = 2.0}),
      opt::Adadelta({.learning_rate = 0.04, .rho = 0.7, .epsilon = 1e-3, .global_clipnorm = 3.0}),
      opt::Adamax({.learning_rate = 0.05, .beta_1 = 0.7, .beta_2 = 0.9, .epsilon = 1e-2}),
      opt::Ftrl({.learning_rate = 0.06, .learning_rate_power = -0.25, .initial_accumulator_value = 0.3,
                 .l1_regularization_strength = 0.1, .l2_regularization_strength = 0.2,
                 .l2_shrinkage_regularization_strength = 0.3, .beta = 0.4}),
      opt::Lion({.learning_rate = 0.07, .beta_1 = 0.95, .beta_2 = 0.98, .weight_decay = 0.1}),
  };
  for (const auto& a : all) {
    CAPTURE(a->class_name());
    std::string json = opt::serialize(*a).to_json();
    auto b = opt::deserialize(keras::Value::from_json(json));
    CHECK(b->class_name() == a->class_name());
    CHECK(b->get_config() == a->get_config());
    CHECK(opt::serialize(*b).to_json() == json);
  }
}

// ---- learning-rate schedules ----------------------------------------------------------------
TEST_CASE("ExponentialDecay and InverseTimeDecay, continuous and staircase") {
  for (bool stair : {false, true}) {
    CAPTURE(stair);
    opt::ExponentialDecay e(0.1, 10, 0.5, {.staircase = stair});
    opt::InverseTimeDecay it(0.1, 4, 0.5, {.staircase = stair});
    for (int64_t s : {0, 1, 5, 9, 10, 15, 20, 37, 1000}) {
      CAPTURE(s);
      double pe = stair ? std::floor(s / 10.0) : s / 10.0;
      double pi = stair ? std::floor(s / 4.0) : s / 4.0;
      CHECK(e(s) == doctest::Approx(0.1 * std::pow(0.5, pe)).epsilon(1e-12));
      CHECK(it(s) == doctest::Approx(0.1 / (1 + 0.5 * pi)).epsilon(1e-12));
    }
  }
  CHECK(opt::ExponentialDecay(0.1, 10, 0.5)(0) == 0.1);
  CHECK(opt::ExponentialDecay(0.1, 10, 0.5)(10) == doctest::Approx(0.05));
  CHECK(opt::InverseTimeDecay(0.1, 1, 0.5)(2) == doctest::Approx(0.05));
}

TEST_CASE("PiecewiseConstantDecay: values[i] on (boundaries[i-1], boundaries[i]]") {
  opt::PiecewiseConstantDecay p({10, 20}, {1.0, 0.5, 0.1});
  std::vector<std::pair<int64_t, double>> expect = {{0, 1.0},  {5, 1.0},  {10, 1.0},  {11, 0.5},
                                                    {20, 0.5}, {21, 0.1}, {1000, 0.1}};
  for (auto [s, v] : expect) {
    CAPTURE(s);
    CHECK(p(s) == v);
  }
  opt::PiecewiseConstantDecay one({}, {0.3});
  CHECK(one(0) == 0.3);
  CHECK(one(100) == 0.3);
}

TEST_CASE("PolynomialDecay with and without cycle") {
  opt::PolynomialDecay p(0.1, 10, {.end_learning_rate = 0.01, .power = 2.0});
  opt::PolynomialDecay c(0.1, 10, {.end_learning_rate = 0.01, .power = 2.0, .cycle = true});
  for (int64_t s : {0, 1, 5, 10, 11, 15, 20, 25, 100}) {
    CAPTURE(s);
    double sc = std::min<double>(s, 10);
    CHECK(p(s) == doctest::Approx(0.09 * std::pow(1 - sc / 10, 2) + 0.01).epsilon(1e-12));
    double d = s == 0 ? 10 : 10 * std::ceil(s / 10.0);
    CHECK(c(s) == doctest::Approx(0.09 * std::pow(1 - s / d, 2) + 0.01).epsilon(1e-12));
  }
  CHECK(opt::PolynomialDecay(0.1, 10)(5) == doctest::Approx((0.1 - 0.0001) * 0.5 + 0.0001));  // defaults
  CHECK(c(15) == doctest::Approx(0.09 * 0.0625 + 0.01));
}

TEST_CASE("CosineDecay, with alpha and with linear warmup") {
  const double pi = 3.14159265358979323846;
  opt::CosineDecay d(0.1, 10, {.alpha = 0.1});
  for (int64_t s : {0, 1, 3, 5, 9, 10, 11, 50}) {
    CAPTURE(s);
    double f = std::min<double>(s, 10) / 10;
    CHECK(d(s) == doctest::Approx(0.1 * (0.9 * 0.5 * (1 + std::cos(pi * f)) + 0.1)).epsilon(1e-12));
  }
  CHECK(d(5) == doctest::Approx(0.1 * (0.9 * 0.5 + 0.1)));
  opt::CosineDecay w(0.0, 10, {.warmup_target = 0.1, .warmup_steps = 5});
  std::vector<std::pair<int64_t, double>> expect = {
      {0, 0.0}, {2, 0.04}, {4, 0.08}, {5, 0.1}, {10, 0.05}, {12, 0.1 * 0.5 * (1 + std::cos(pi * 0.7))}, {15, 0.0},
      {40, 0.0}};
  for (auto [s, v] : expect) {
    CAPTURE(s);
    CHECK(w(s) == doctest::Approx(v).epsilon(1e-12));
  }
}

TEST_CASE("CosineDecayRestarts matches a restart-by-restart computation") {
  const double pi = 3.14159265358979323846;
  struct Case {
    double t_mul, m_mul, alpha;
  };
  for (Case k : {Case{2.0, 1.0, 0.0}, Case{2.0, 0.5, 0.1}, Case{1.0, 0.8, 0.0}, Case{1.5, 0.9, 0.2}}) {
    CAPTURE(k.t_mul);
    CAPTURE(k.m_mul);
    opt::CosineDecayRestarts r(0.1, 10, {.t_mul = k.t_mul, .m_mul = k.m_mul, .alpha = k.alpha});
    for (int64_t s = 0; s <= 200; ++s) {
      CAPTURE(s);
      double start = 0, period = 10;
      int i = 0;
      while (s >= start + period - 1e-9) {
        start += period;
        period *= k.t_mul;
        ++i;
      }
      double frac = (s - start) / period;
      double want = 0.1 * ((1 - k.alpha) * 0.5 * std::pow(k.m_mul, i) * (1 + std::cos(pi * frac)) + k.alpha);
      CHECK(r(s) == doctest::Approx(want).epsilon(1e-9));
    }
  }
  opt::CosineDecayRestarts def(1.0, 10);  // t_mul 2: restarts at 10, 30, 70
  CHECK(def(10) == doctest::Approx(1.0));
  CHECK(def(30) == doctest::Approx(1.0));
  CHECK(def(20) == doctest::Approx(0.5));
}

TEST_CASE("schedules: bad arguments name the schedule and the argument") {
  CHECK_THROWS_MSG(opt::ExponentialDecay(0.1, 0, 0.5), std::invalid_argument,
                   "ExponentialDecay: expected decay_steps > 0, but received 0");
  CHECK_THROWS_MSG(opt::InverseTimeDecay(0.1, -1, 0.5), std::invalid_argument, "InverseTimeDecay: expected decay_steps > 0");
  CHECK_THROWS_MSG(opt::PolynomialDecay(0.1, 0), std::invalid_argument, "PolynomialDecay: expected decay_steps > 0");
  CHECK_THROWS_MSG(opt::CosineDecay(0.1, 0), std::invalid_argument, "CosineDecay: expected decay_steps > 0");
  CHECK_THROWS_MSG(opt::CosineDecay(0.1, 10, {.warmup_steps = -1}), std::invalid_argument,
                   "CosineDecay: expected warmup_steps >= 0");
  CHECK_THROWS_MSG(opt::CosineDecayRestarts(0.1, 0), std::invalid_argument,
                   "CosineDecayRestarts: expected first_decay_steps > 0");
  CHECK_THROWS_MSG(opt::CosineDecayRestarts(0.1, 10, {.t_mul = 0}), std::invalid_argument,
                   "CosineDecayRestarts: expected t_mul > 0");
  CHECK_THROWS_MSG(opt::CosineDecayRestarts(0.1, 10, {.m_mul = -1}), std::invalid_argument,
                   "CosineDecayRestarts: expected m_mul >= 0");
  CHECK_THROWS_MSG(opt::PiecewiseConstantDecay({10, 20}, {1.0, 0.5}), std::invalid_argument,
                   "PiecewiseConstantDecay: expected values to have one more element than boundaries, but received 2 "
                   "boundaries and 2 values");
  CHECK_THROWS_MSG(opt::PiecewiseConstantDecay({}, {}), std::invalid_argument, "PiecewiseConstantDecay: expected values");
  CHECK_THROWS_MSG(opt::PiecewiseConstantDecay({20, 10}, {1.0, 0.5, 0.1}), std::invalid_argument,
                   "PiecewiseConstantDecay: expected strictly increasing boundaries, but received [20, 10]");
  CHECK_THROWS_MSG(opt::ExponentialDecay(std::nan(""), 10, 0.5), std::invalid_argument,
                   "ExponentialDecay: expected initial_learning_rate to be finite");
  keras::Config bad = keras::Value::from_json(R"({"class_name": "NoSuchDecay", "config": {}})");
  CHECK_THROWS_MSG(opt::deserialize_schedule(bad), std::invalid_argument,
                   "unknown learning-rate schedule class 'NoSuchDecay'");
  CHECK_THROWS_MSG(opt::deserialize_schedule(keras::Value(1.0)), std::invalid_argument,
                   "expected an object with a 'class_name'");
  keras::Config missing = keras::Value::from_json(R"({"class_name": "ExponentialDecay", "config": {"decay_steps": 1}})");
  CHECK_THROWS_AS(opt::deserialize_schedule(missing), std::invalid_argument);
}

TEST_CASE("schedules: config round trips through JSON") {
  std::vector<opt::SchedulePtr> all = {
      std::make_shared<opt::ExponentialDecay>(0.1, 10, 0.5, opt::schedules::ExponentialDecayOptions{.staircase = true}),
      std::make_shared<opt::PiecewiseConstantDecay>(std::vector<int64_t>{3, 7}, std::vector<double>{1.0, 0.5, 0.25}),
      std::make_shared<opt::PolynomialDecay>(0.1, 10,
                                             opt::schedules::PolynomialDecayOptions{.power = 0.5, .cycle = true}),
      std::make_shared<opt::InverseTimeDecay>(0.1, 4, 0.5, opt::schedules::InverseTimeDecayOptions{.name = "itd"}),
      std::make_shared<opt::CosineDecay>(0.0, 10, opt::schedules::CosineDecayOptions{.alpha = 0.1, .warmup_target = 0.2,
                                                                                     .warmup_steps = 3}),
      std::make_shared<opt::CosineDecay>(0.1, 10),
      std::make_shared<opt::CosineDecayRestarts>(0.1, 5, opt::schedules::CosineDecayRestartsOptions{.t_mul = 1.5,
                                                                                                   .m_mul = 0.7,
                                                                                                   .alpha = 0.05}),
  };
  for (const auto& s : all) {
    CAPTURE(s->class_name());
    std::string json = opt::serialize_schedule(*s).to_json();
    auto r = opt::deserialize_schedule(keras::Value::from_json(json));
    CHECK(r->class_name() == s->class_name());
    CHECK(r->get_config() == s->get_config());
    for (int64_t step : {0, 1, 4, 9, 17, 60}) CHECK((*r)(step) == doctest::Approx((*s)(step)).epsilon(1e-15));
    // as an optimizer's learning rate
    auto o = opt::Adam({.learning_rate = s});
    auto b = opt::deserialize(keras::Value::from_json(opt::serialize(*o).to_json()));
    CHECK(b->get_config() == o->get_config());
    CHECK(b->learning_rate() == doctest::Approx((*s)(0)).epsilon(1e-15));
  }
  keras::Config c = opt::ExponentialDecay(0.1, 10, 0.5).get_config();
  CHECK(c.to_json() ==
        R"({"initial_learning_rate": 0.1, "decay_steps": 10.0, "decay_rate": 0.5, "staircase": false, "name": "ExponentialDecay"})");
  CHECK(opt::PiecewiseConstantDecay({1}, {1.0, 2.0}).get_config().at("name").as_string() == "PiecewiseConstant");
  CHECK(opt::CosineDecayRestarts(0.1, 5).get_config().at("name").as_string() == "SGDRDecay");
  CHECK(opt::CosineDecay(0.1, 5).get_config().at("warmup_target").is_null());
}

TEST_CASE("an optimizer driven by a schedule uses the scheduled rate at each iteration") {
  // SGD on a constant gradient of 1: w moves by exactly the rate of each step.
  opt::PiecewiseConstantDecay p({0, 1}, {1.0, 0.5, 0.25});
  auto o = opt::SGD({.learning_rate = p});
  Variable w(core::constant(std::vector<double>{0.0}), "w");
  std::vector<double> rates;
  for (int s = 0; s < 4; ++s) {
    rates.push_back(o->learning_rate());
    o->apply_gradients({core::constant(std::vector<double>{1.0})}, {w});
  }
  check_close(rates, {1.0, 0.5, 0.25, 0.25}, 1e-15);
  check_values(w.value(), std::vector<double>{-2.0}, 1e-15);
  // RMSprop with ExponentialDecay against the hand loop with lr_t = schedule(t - 1)
  opt::ExponentialDecay e(0.1, 2, 0.5);
  auto r = opt::RMSprop({.learning_rate = e});
  std::vector<double> got = run(*r, {1.0, -2.0}, 4);
  double v[2] = {0, 0};
  auto want = reference(4, [&](int t, int i, double g, double x) {
    v[i] = 0.9 * v[i] + 0.1 * g * g;
    return x - 0.1 * std::pow(0.5, (t - 1) / 2.0) * g / std::sqrt(v[i] + 1e-7);
  });
  check_close(got, want, 1e-10);
  CHECK(r->learning_rate() == doctest::Approx(0.1 * 0.25));
  // a user-defined schedule, registered for deserialization
  struct Halving : opt::LearningRateSchedule {
    double operator()(int64_t step) const override { return 1.0 / double(1 << step); }
    std::string class_name() const override { return "Halving"; }
    keras::Config get_config() const override { return keras::Config::object(); }
  };
  auto h = opt::Lion({.learning_rate = Halving{}});
  keras::Config saved = opt::serialize(*h);
  CHECK_THROWS_MSG(opt::deserialize(saved), std::invalid_argument, "unknown learning-rate schedule class 'Halving'");
  opt::register_schedule("Halving", [](const keras::Config&) -> opt::SchedulePtr { return std::make_shared<Halving>(); });
  auto h2 = opt::deserialize(saved);
  Variable x(core::constant(std::vector<double>{0.0}), "x");
  for (int s = 0; s < 3; ++s) h2->apply_gradients({core::constant(std::vector<double>{1.0})}, {x});
  check_values(x.value(), std::vector<double>{-1.75}, 1e-15);
}
