// test_fused_optimizers.cpp - the fused update ops of RMSprop, Nadam, Adagrad, Adadelta,
// Adamax, Ftrl and Lion (core/training.h) against the optimizers' composite ops, forced with
// core::training::set_fused_enabled(false): the same bits in float32 and float64, for every
// option combination, over several steps; in traced fits (the graph holds the op); and the
// ops' argument checks.
#include <cstring>
#include <functional>

#include "core/cpu/isa.h"
#include "core/training.h"
#include "helpers.h"
#include "keras/keras.h"

using namespace th;
namespace opt = keras::optimizers;
using core::Variable;

namespace {
using Factory = std::function<std::shared_ptr<opt::Optimizer>()>;
struct Config {
  std::string name;
  std::string op;  // the fused op's name in graph_str
  Factory make;
};

std::vector<Config> configs() {
  std::vector<Config> c;
  using MC = std::pair<double, bool>;
  for (auto [mom, centered] : std::vector<MC>{{0.0, false}, {0.9, false}, {0.0, true}, {0.5, true}})
    c.push_back({"rmsprop momentum=" + std::to_string(mom) + " centered=" + std::to_string(centered), "apply_rmsprop",
                 [=] {
                   return opt::RMSprop({.learning_rate = 0.05, .rho = 0.8, .momentum = mom, .centered = centered});
                 }});
  c.push_back({"nadam", "apply_nadam", [] { return opt::Nadam({.learning_rate = 0.05}); }});
  c.push_back({"nadam beta_1=0.85 epsilon=1e-3", "apply_nadam",
               [] { return opt::Nadam({.learning_rate = 0.02, .beta_1 = 0.85, .beta_2 = 0.99, .epsilon = 1e-3}); }});
  for (double init : {0.1, 0.0})
    c.push_back({"adagrad init=" + std::to_string(init), "apply_adagrad",
                 [=] { return opt::Adagrad({.learning_rate = 0.2, .initial_accumulator_value = init}); }});
  c.push_back({"adadelta", "apply_adadelta", [] { return opt::Adadelta({.learning_rate = 1.0}); }});
  c.push_back({"adadelta rho=0.9 epsilon=1e-3", "apply_adadelta",
               [] { return opt::Adadelta({.learning_rate = 0.5, .rho = 0.9, .epsilon = 1e-3}); }});
  c.push_back({"adamax", "apply_adamax", [] { return opt::Adamax({.learning_rate = 0.05}); }});
  c.push_back({"adamax beta_2=0.5 schedule", "apply_adamax", [] {
                 return opt::Adamax({.learning_rate = opt::ExponentialDecay(0.05, 2, 0.5), .beta_2 = 0.5});
               }});
  struct F {
    double power, l1, l2, shrink, beta;
  };
  for (F k : {F{-0.5, 0, 0, 0, 0}, F{-0.5, 0.5, 0.1, 0.05, 0.5}, F{-0.3, 2.0, 0.2, 0, 1.0}, F{0.0, 0, 0, 0, 0},
              F{-0.7, 0.01, 0, 0.3, 0}})
    c.push_back({"ftrl power=" + std::to_string(k.power) + " l1=" + std::to_string(k.l1) + " l2=" +
                     std::to_string(k.l2) + " shrinkage=" + std::to_string(k.shrink) +
                     " beta=" + std::to_string(k.beta),
                 "apply_ftrl", [=] {
                   return opt::Ftrl({.learning_rate = 0.1, .learning_rate_power = k.power,
                                     .initial_accumulator_value = 0.2, .l1_regularization_strength = k.l1,
                                     .l2_regularization_strength = k.l2,
                                     .l2_shrinkage_regularization_strength = k.shrink, .beta = k.beta});
                 }});
  c.push_back({"lion", "apply_lion", [] { return opt::Lion({.learning_rate = 0.1}); }});
  c.push_back({"lion beta_1=0.5 beta_2=0.9 weight_decay", "apply_lion",
               [] { return opt::Lion({.learning_rate = 0.1, .beta_1 = 0.5, .beta_2 = 0.9, .weight_decay = 0.01}); }});
  return c;
}

// Restores the fused setting when a test ends (also when a CHECK throws).
struct FusedSetting {
  explicit FusedSetting(bool on) : before(core::training::set_fused_enabled(on)) {}
  ~FusedSetting() { core::training::set_fused_enabled(before); }
  bool before;
};

// Two variables (an odd size: full vectors and a tail; and a short one), `steps` updates
// with gradients that depend on the weights (some exactly zero). Returns the weights and
// every optimizer variable.
std::vector<Tensor> run(const Config& c, DType dt, bool fused, int steps = 4) {
  FusedSetting setting(fused);
  auto v1 = uniform(37 * 27, -2, 2, 7), v2 = uniform(5, -1, 1, 8);
  v1[3] = 0.0;
  Variable a(make(v1, Shape{37, 27}, dt), "a"), b(make(v2, Shape{5}, dt), "b");
  auto o = c.make();
  for (int s = 0; s < steps; ++s) {
    std::vector<Tensor> g;
    for (Variable* v : {&a, &b}) {
      const Tensor w = v->value();
      // 3 sin(2w) + w, zero where w is 0
      const Tensor s2w = ops::sin(ops::multiply(w, ops::scalar_like(w, 2.0)));
      g.push_back(ops::add(ops::multiply(s2w, ops::scalar_like(w, 3.0)), w));
    }
    o->apply_gradients(g, {a, b});
  }
  std::vector<Tensor> out = {a.value(), b.value()};
  for (const Variable& v : o->variables()) out.push_back(v.value());
  return out;
}

bool same_bytes(const Tensor& x, const Tensor& y) {
  return x.dtype() == y.dtype() && x.shape() == y.shape() &&
         std::memcmp(x.raw_data(), y.raw_data(), x.nbytes()) == 0;
}

// Two steps on weights and a fixed gradient with special values (signed zeros, NaN,
// infinities, a tiny and a huge value) among ordinary ones.
std::vector<Tensor> run_awkward(const Config& c, DType dt, bool fused) {
  FusedSetting setting(fused);
  const double nan = std::nan(""), inf = HUGE_VAL;
  auto w0 = uniform(67, -2, 2, 9), g0 = uniform(67, -3, 3, 10);
  const std::vector<double> special = {0.0, -0.0, nan, inf, -inf, 1e-30, 1e30};
  for (size_t i = 0; i < special.size(); ++i) {
    g0[i * 5] = special[i];
    w0[i * 7 + 1] = special[i];
  }
  Variable w(make(w0, Shape{67}, dt), "w");
  auto o = c.make();
  for (int s = 0; s < 2; ++s) o->apply_gradients({make(g0, Shape{67}, dt)}, {w});
  std::vector<Tensor> out = {w.value()};
  for (const Variable& v : o->variables()) out.push_back(v.value());
  return out;
}

// The same bits, or NaN in both (which NaN payload survives two NaN operands is up to the
// order the compiler gives a commutative operation's operands).
bool same_values(const Tensor& x, const Tensor& y) {
  if (x.dtype() != y.dtype() || x.shape() != y.shape()) return false;
  const std::vector<double> a = values(x), b = values(y);
  for (size_t i = 0; i < a.size(); ++i)
    if (!(std::isnan(a[i]) && std::isnan(b[i])) && std::memcmp(&a[i], &b[i], sizeof(double)) != 0) return false;
  return true;
}
}  // namespace

TEST_CASE("fused optimizer rules: the composite ops' results bit for bit, float32 and float64") {
  for (const Config& c : configs()) {
    CAPTURE(c.name);
    for (DType dt : {DType::float32, DType::float64}) {
      CAPTURE(dt);
      const auto fused = run(c, dt, true), composite = run(c, dt, false);
      REQUIRE(fused.size() == composite.size());
      for (size_t i = 0; i < fused.size(); ++i) {
        CAPTURE(i);
        CHECK(same_bytes(fused[i], composite[i]));
      }
      // and the weights moved
      CHECK_FALSE(same_bytes(fused[0], run(c, dt, true, 0)[0]));
    }
  }
}

TEST_CASE("fused optimizer rules: the composite ops' results with NaN, infinities and signed zeros") {
  using core::cpu::Isa;
  const Isa saved = core::cpu::isa_kernels().isa;
  for (Isa isa : {Isa::baseline, Isa::avx2, Isa::avx512}) {  // (every ISA this CPU runs)
    if (!core::cpu::set_isa(isa)) continue;
    const std::string isa_s = core::cpu::isa_name(isa);
    CAPTURE(isa_s);
    for (const Config& c : configs()) {
      CAPTURE(c.name);
      for (DType dt : {DType::float32, DType::float64}) {
        CAPTURE(dt);
        const auto fused = run_awkward(c, dt, true), composite = run_awkward(c, dt, false);
        REQUIRE(fused.size() == composite.size());
        for (size_t i = 0; i < fused.size(); ++i) {
          CAPTURE(i);
          CHECK(same_values(fused[i], composite[i]));
        }
      }
    }
  }
  core::cpu::set_isa(saved);
}

TEST_CASE("fused optimizer rules: bit for bit on every ISA this CPU runs, with 1 and 2 threads") {
  using core::cpu::Isa;
  const Isa saved = core::cpu::isa_kernels().isa;
  const int threads = core::get_num_threads();
  for (Isa isa : {Isa::baseline, Isa::avx2, Isa::avx512}) {
    if (!core::cpu::set_isa(isa)) continue;
    CAPTURE(core::cpu::isa_name(isa));
    for (int t : {1, 2}) {
      core::set_num_threads(t);
      for (const Config& c : configs()) {
        CAPTURE(c.name);
        const auto fused = run(c, DType::float32, true, 2), composite = run(c, DType::float32, false, 2);
        for (size_t i = 0; i < fused.size(); ++i) CHECK(same_bytes(fused[i], composite[i]));
      }
    }
  }
  core::cpu::set_isa(saved);
  core::set_num_threads(threads);
}

TEST_CASE("fused optimizer rules: a traced fit holds the op and equals an eager composite fit") {
  auto [x, y] = classes(48);
  for (const Config& c : configs()) {
    CAPTURE(c.name);
    auto model = [&](bool eager) {
      ops::set_random_seed(3);
      auto m = keras::Sequential({keras::layers::Dense(8, {.activation = "tanh", .input_shape = {6}}),
                                  keras::layers::Dense(3)});
      m->compile({.optimizer = c.make(), .loss = "sparse_categorical_crossentropy", .run_eagerly = eager});
      return m;
    };
    keras::FitOptions o{.batch_size = 16, .epochs = 2, .verbose = 0, .shuffle = false};
    auto traced = model(false);
    traced->fit(x, y, o);
    auto eager = model(true);
    {
      FusedSetting composite(false);
      eager->fit(x, y, o);
    }
    CHECK(same_bits(traced->get_weights(), eager->get_weights()));
    REQUIRE(traced->train_function());
    CHECK(traced->train_function()->graph_str().find(c.op) != std::string::npos);
    CHECK(traced->optimizer()->iterations() == 6);
  }
}

TEST_CASE("fused optimizer rules: the ops check their variables, gradient and scalars") {
  Variable w(core::constant(std::vector<float>{1, 2, 3}), "w"), acc(ops::zeros_like(w.value()), "acc");
  Variable bad(core::constant(std::vector<float>{1, 2}), "bad"), lin(ops::zeros_like(w.value()), "lin");
  const Tensor g = core::constant(std::vector<float>{0.5f, -1, 2}), lr = core::constant(0.1f);
  CHECK_THROWS_MSG(core::training::apply_adagrad(w, g, bad, lr, 1e-7), std::invalid_argument,
                   "apply_adagrad: slot 'bad' has shape (2,) and dtype float32, but variable 'w' has shape (3,)");
  CHECK_THROWS_MSG(core::training::apply_lion(w, core::constant(std::vector<double>{1, 2, 3}), acc, lr, 0.9, 0.99),
                   std::invalid_argument, "the gradient for variable 'w' has shape (3,) and dtype float64");
  CHECK_THROWS_AS(core::training::apply_ftrl(w, g, acc, lin, core::constant(0.1, DType::float64), {}),
                  std::invalid_argument);  // a float64 rate for a float32 variable
  CHECK_THROWS_AS(core::training::apply_adamax(w, g, acc, lin, lr, 0.9, 0.999, 1e-7, core::constant(1.0f)),
                  std::invalid_argument);
  CHECK(values(w.value()) == std::vector<double>{1, 2, 3});  // nothing changed
  core::training::apply_adagrad(w, g, acc, lr, 1e-7);
  check_values(acc.value(), std::vector<double>{0.25, 1, 4}, 0);
}
