// test_activations.cpp - keras::activations: values against reference formulas and
// hand-computed numbers, Keras's optional arguments, get()/serialize()/deserialize(),
// and gradients (tape against central differences).
#include <cmath>
#include <functional>
#include <string>

#include "helpers.h"
#include "keras/activations.h"

using namespace th;
namespace act = keras::activations;

namespace {
struct Case {
  std::string name;                          // what get() takes
  std::function<double(double)> ref;         // elementwise reference in double
};

double sigm(double x) { return 1.0 / (1.0 + std::exp(-x)); }
double softplus_ref(double x) { return std::log1p(std::exp(x)); }

const double kSeluScale = 1.0507009873554805, kSeluAlpha = 1.6732632423543772;

std::vector<Case> elementwise_cases() {
  return {
      {"relu", [](double x) { return std::max(x, 0.0); }},
      {"relu6", [](double x) { return std::min(std::max(x, 0.0), 6.0); }},
      {"leaky_relu", [](double x) { return x > 0 ? x : 0.2 * x; }},
      {"elu", [](double x) { return x > 0 ? x : std::expm1(x); }},
      {"selu", [](double x) { return kSeluScale * (x > 0 ? x : kSeluAlpha * std::expm1(x)); }},
      {"gelu", [](double x) { return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0))); }},
      {"silu", [](double x) { return x * sigm(x); }},
      {"swish", [](double x) { return x * sigm(x); }},
      {"sigmoid", sigm},
      {"hard_sigmoid", [](double x) { return std::min(std::max(x + 3.0, 0.0), 6.0) / 6.0; }},
      {"hard_silu", [](double x) { return x * std::min(std::max(x + 3.0, 0.0), 6.0) / 6.0; }},
      {"hard_swish", [](double x) { return x * std::min(std::max(x + 3.0, 0.0), 6.0) / 6.0; }},
      {"tanh", [](double x) { return std::tanh(x); }},
      {"softplus", softplus_ref},
      {"softsign", [](double x) { return x / (1.0 + std::fabs(x)); }},
      {"exponential", [](double x) { return std::exp(x); }},
      {"linear", [](double x) { return x; }},
      {"mish", [](double x) { return x * std::tanh(softplus_ref(x)); }},
      {"log_sigmoid", [](double x) { return -std::log1p(std::exp(-x)); }},
      {"celu", [](double x) { return x >= 0 ? x : std::expm1(x); }},
      {"hard_tanh", [](double x) { return std::min(std::max(x, -1.0), 1.0); }},
      {"tanh_shrink", [](double x) { return x - std::tanh(x); }},
      {"squareplus", [](double x) { return (x + std::sqrt(x * x + 4.0)) / 2.0; }},
      {"soft_shrink", [](double x) { return x > 0.5 ? x - 0.5 : (x < -0.5 ? x + 0.5 : 0.0); }},
      {"hard_shrink", [](double x) { return std::fabs(x) > 0.5 ? x : 0.0; }},
      {"sparse_plus",
       [](double x) { return x <= -1 ? 0.0 : (x >= 1 ? x : 0.25 * (x + 1) * (x + 1)); }},
      {"sparse_sigmoid", [](double x) { return std::min(std::max((x + 1.0) / 2.0, 0.0), 1.0); }},
  };
}

// Away from every kink (0, +-0.5, +-1, +-3, 6), so finite differences are valid.
const std::vector<double> kPoints = {-4.1, -2.7, -1.3, -0.8, -0.3, 0.2, 0.7, 1.4, 3.3, 6.6};
}  // namespace

TEST_CASE("activations: every elementwise activation matches its formula, float32 and float64") {
  for (const Case& c : elementwise_cases()) {
    CAPTURE(c.name);
    act::Activation a = act::get(c.name);
    std::vector<double> expected;
    for (double x : kPoints) expected.push_back(c.ref(x));
    for (DType dt : {DType::float32, DType::float64}) {
      CAPTURE(core::dtype_name(dt));
      Tensor y = a(make(kPoints, Shape{2, 5}, dt));
      CHECK(y.dtype() == dt);
      CHECK(y.shape() == Shape{2, 5});
      check_values(y, expected, dt == DType::float32 ? 2e-6 : 1e-12);
    }
  }
}

TEST_CASE("activations: hand-computed values") {
  Tensor x = core::constant({-1.0, 0.0, 1.0, 2.0}, DType::float64);
  check_values(act::relu(x), std::vector<double>{0, 0, 1, 2});
  check_values(act::leaky_relu(x), std::vector<double>{-0.2, 0, 1, 2}, 1e-12);
  check_values(act::leaky_relu(x, 0.5), std::vector<double>{-0.5, 0, 1, 2}, 1e-12);
  check_values(act::elu(x, 2.0), std::vector<double>{2.0 * (std::exp(-1.0) - 1.0), 0, 1, 2}, 1e-12);
  check_values(act::selu(x), std::vector<double>{-1.1113307378125625, 0, 1.0507009873554805,
                                                 2.101401974710961}, 1e-12);
  // Keras 3's gelu is exact by default; approximate=true is the tanh form.
  check_values(act::gelu(x), std::vector<double>{-0.15865525393145707, 0, 0.8413447460685429,
                                                 1.9544997361036416}, 1e-12);
  check_values(act::gelu(x, true), std::vector<double>{-0.15880800939172324, 0,
                                                       0.8411919906082768, 1.954597694087775},
               1e-12);
  check_values(act::hard_sigmoid(x), std::vector<double>{2.0 / 6, 0.5, 4.0 / 6, 5.0 / 6}, 1e-12);
  check_values(act::hard_sigmoid(core::constant({-3.5, 3.5}, DType::float64)),
               std::vector<double>{0, 1});
  check_values(act::sigmoid(x), std::vector<double>{0.2689414213699951, 0.5, 0.7310585786300049,
                                                    0.8807970779778823}, 1e-12);
  check_values(act::softsign(x), std::vector<double>{-0.5, 0, 0.5, 2.0 / 3}, 1e-12);
  check_values(act::exponential(x), std::vector<double>{std::exp(-1.0), 1, std::exp(1.0),
                                                        std::exp(2.0)}, 1e-12);
  check_values(act::relu6(core::constant({-1.0, 3.0, 7.0})), std::vector<double>{0, 3, 6});
  check_values(act::swish(x), std::vector<double>{-0.2689414213699951, 0, 0.7310585786300049,
                                                  1.7615941559557646}, 1e-12);
  CHECK(act::linear(x).impl() == x.impl());  // the identity returns its input
}

TEST_CASE("activations: relu's Keras options (negative_slope, max_value, threshold)") {
  Tensor x = core::constant({-10.0, -5.0, 0.0, 5.0, 10.0}, DType::float64);
  check_values(act::relu(x), std::vector<double>{0, 0, 0, 5, 10});
  check_values(act::relu(x, 0.5), std::vector<double>{-5, -2.5, 0, 5, 10});
  check_values(act::relu(x, 0.0, 5.0), std::vector<double>{0, 0, 0, 5, 5});
  check_values(act::relu(x, 0.0, std::nullopt, 5.0), std::vector<double>{0, 0, 0, 0, 10});
  // below the threshold: negative_slope * (x - threshold)
  check_values(act::relu(x, 0.5, std::nullopt, 5.0), std::vector<double>{-7.5, -5, -2.5, 0, 10});
  check_values(act::relu(x, 0.5, 6.0), std::vector<double>{-5, -2.5, 0, 5, 6});
  check_values(act::relu(x, 0.5, 4.0, 1.0), std::vector<double>{-5.5, -3, -0.5, 4, 4});
  CHECK_THROWS_MSG(act::relu(x, 0.0, -1.0), std::invalid_argument,
                   "activations.relu: expected max_value >= 0, but received -1");
}

TEST_CASE("activations: softmax, log_softmax and glu along an axis") {
  Tensor x = core::constant({1.0, 2.0, 3.0}, DType::float64);
  check_values(act::softmax(x), std::vector<double>{0.09003057317038046, 0.24472847105479767,
                                                    0.6652409557748219}, 1e-12);
  check_values(act::log_softmax(x), std::vector<double>{-2.40760596444438, -1.4076059644443801,
                                                        -0.4076059644443803}, 1e-12);
  Tensor m = core::constant({{1.0, 2.0}, {3.0, 2.0}}, DType::float64);
  double s = 1.0 / (1.0 + std::exp(2.0));  // softmax of (1, 3) at 1
  check_values(act::softmax(m, 0), std::vector<double>{s, 0.5, 1 - s, 0.5}, 1e-12);
  double p = 1.0 / (1.0 + std::exp(1.0));  // softmax of (1, 2) at 1
  check_values(act::get("softmax")(m), std::vector<double>{p, 1 - p, 1 - p, p}, 1e-12);
  check_values(act::log_softmax(m, 0), std::vector<double>{std::log(s), std::log(0.5),
                                                           std::log(1 - s), std::log(0.5)},
               1e-12);

  Tensor g = core::constant({{1.0, 2.0, 3.0, 4.0}}, DType::float64);
  check_values(act::glu(g), std::vector<double>{1.0 * sigm(3.0), 2.0 * sigm(4.0)}, 1e-12);
  CHECK(act::glu(g).shape() == Shape{1, 2});
  Tensor g0 = core::constant({{1.0}, {2.0}}, DType::float64);
  check_values(act::glu(g0, 0), std::vector<double>{1.0 * sigm(2.0)}, 1e-12);
  CHECK_THROWS_MSG(act::glu(core::constant({{1.0, 2.0, 3.0}})), std::invalid_argument,
                   "activations.glu: expected an even size along axis -1, but received input "
                   "with shape (1, 3)");
}

TEST_CASE("activations: get() by name, aliases, None and unknown names") {
  CHECK(act::get("relu").name == "relu");
  CHECK(act::get("gelu").name == "gelu");
  CHECK(act::get("swish").name == "silu");  // Keras serializes the alias as silu
  CHECK(act::get("hard_swish").name == "hard_silu");
  for (const char* n : {"", "None", "linear"}) {
    CAPTURE(n);
    act::Activation a = act::get(n);
    CHECK(a.is_linear());
    CHECK(a.name == "linear");
  }
  // sparsemax by name (a Keras config's "activation": "sparsemax"), with Keras 3.15's
  // numbers (its formula: tau from the sum of the supported cumulative sums).
  act::Activation sm = act::get("sparsemax");
  CHECK(sm.name == "sparsemax");
  check_values(sm(core::constant({{1.0f, 2.0f, 0.5f, -1.0f}, {0.1f, 0.2f, 0.3f, 0.4f}})),
               std::vector<double>{0, 1, 0, 0, 0, 0, 0, 0}, 1e-7);
  CHECK_THROWS_AS(sm(Tensor()), std::invalid_argument);
  CHECK_THROWS_MSG(act::get("rleu"), std::invalid_argument,
                   "activations.get: unknown activation function 'rleu'; expected one of: ");
  CHECK_THROWS_MSG(act::get("rleu"), std::invalid_argument, "relu, relu6, selu");
  auto all = act::names();
  CHECK(std::is_sorted(all.begin(), all.end()));
  for (const char* n : {"relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "silu", "swish",
                        "sigmoid", "hard_sigmoid", "tanh", "softmax", "log_softmax", "softplus",
                        "softsign", "exponential", "linear"})
    CHECK_MESSAGE(std::find(all.begin(), all.end(), n) != all.end(), n);
  for (const std::string& n : all) {
    CAPTURE(n);
    CHECK_NOTHROW(act::get(n)(core::constant({{0.5, -0.5}})));
  }
}

TEST_CASE("activations: Activation converts from names, built-ins, callables and nullptr") {
  act::Activation by_name = "tanh";
  CHECK(by_name.name == "tanh");
  check_values(by_name(core::constant({0.5})), std::vector<double>{std::tanh(0.5)});
  act::Activation by_string = std::string("relu");
  CHECK(by_string.name == "relu");
  act::Activation builtin = act::leaky_relu;  // keeps its name and Keras's default slope
  CHECK(builtin.name == "leaky_relu");
  check_values(builtin(core::constant({-1.0})), std::vector<double>{-0.2});
  act::Activation lambda = [](const Tensor& t) { return t * 3.0; };
  CHECK(lambda.name == "custom");
  check_values(lambda(core::constant({2.0})), std::vector<double>{6});
  act::Activation named = act::get([](const Tensor& t) { return t + 1.0; }, "plus_one");
  CHECK(named.name == "plus_one");
  check_values(named(core::constant({2.0})), std::vector<double>{3});
  act::Activation none = nullptr;
  CHECK(none.is_linear());
  act::Activation dflt;
  CHECK(dflt.is_linear());
  check_values(dflt(core::constant({-2.0})), std::vector<double>{-2});
  CHECK_THROWS_MSG(act::Activation("nope"), std::invalid_argument, "unknown activation");
  CHECK_THROWS_MSG(act::get(act::Function(), "empty"), std::invalid_argument,
                   "expected a callable for activation 'empty'");
}

TEST_CASE("activations: serialize gives the name; deserialize accepts names and Keras dicts") {
  CHECK(act::serialize(act::get("relu")) == keras::Value("relu"));
  CHECK(act::serialize(act::Activation(act::silu)) == keras::Value("silu"));
  CHECK(act::serialize(act::Activation()) == keras::Value("linear"));
  CHECK(act::serialize(act::get([](const Tensor& t) { return t; }, "mine")) == keras::Value("mine"));
  for (const std::string& n : act::names()) {
    CAPTURE(n);
    act::Activation a = act::get(n);
    act::Activation b = act::deserialize(keras::Value::from_json(act::serialize(a).to_json()));
    CHECK(b.name == a.name);
  }
  CHECK(act::deserialize(keras::Value()).is_linear());
  keras::Value legacy = keras::Value::from_json(
      R"({"module": "keras.activations", "class_name": "function", "config": "elu"})");
  CHECK(act::deserialize(legacy).name == "elu");
  CHECK_THROWS_MSG(act::deserialize(keras::Value(3)), std::invalid_argument,
                   "activations.deserialize: expected an activation name");
  CHECK_THROWS_MSG(act::deserialize(keras::Value("nope")), std::invalid_argument,
                   "unknown activation function 'nope'");
}

TEST_CASE("activations: register_activation makes a custom function known by name") {
  act::register_activation("test_double_it", [](const Tensor& t) { return t * 2.0; });
  act::Activation a = act::get("test_double_it");
  CHECK(a.name == "test_double_it");
  check_values(a(core::constant({1.5})), std::vector<double>{3});
  CHECK(act::deserialize(act::serialize(a)).name == "test_double_it");
  auto all = act::names();
  CHECK(std::find(all.begin(), all.end(), "test_double_it") != all.end());
  CHECK_THROWS_MSG(act::register_activation("relu", [](const Tensor& t) { return t; }),
                   std::invalid_argument, "'relu' is a built-in activation");
  CHECK_THROWS_MSG(act::register_activation("", [](const Tensor& t) { return t; }),
                   std::invalid_argument, "expected a non-empty name");
}

TEST_CASE("activations: gradients flow through every activation (tape vs central differences)") {
  std::vector<std::string> all = act::names();
  std::vector<double> coef;
  for (size_t i = 0; i < kPoints.size(); ++i) coef.push_back(0.3 + 0.17 * double(i));
  Tensor c = make(coef, Shape{5, 2}, DType::float64);
  for (const std::string& n : all) {
    if (n.rfind("test_", 0) == 0) continue;  // registered by another test case
    CAPTURE(n);
    act::Activation a = act::get(n);
    auto f = [&](const std::vector<double>& v) {
      return ops::sum(a(make(v, Shape{5, 2}, DType::float64)) * c).item<double>();
    };
    Tensor x = make(kPoints, Shape{5, 2}, DType::float64);
    core::GradientTape tape;
    tape.watch(x);
    Tensor y = ops::sum(a(x) * c);
    Tensor g = tape.gradient(y, x);
    REQUIRE(g.defined());
    CHECK(g.shape() == x.shape());
    std::vector<double> got = values(g);
    const double h = 1e-6;
    for (size_t i = 0; i < kPoints.size(); ++i) {
      std::vector<double> up = kPoints, down = kPoints;
      up[i] += h;
      down[i] -= h;
      double fd = (f(up) - f(down)) / (2 * h);
      CHECK_MESSAGE(std::fabs(got[i] - fd) <= 1e-5 * (1 + std::fabs(fd)),
                    "element " << i << ": tape " << got[i] << ", finite difference " << fd);
    }
  }
}

TEST_CASE("activations: relu with options and celu are differentiable") {
  Tensor x = core::constant({-2.0, -0.5, 0.5, 3.0, 8.0}, DType::float64);
  core::GradientTape tape({.persistent = true});
  tape.watch(x);
  Tensor y = ops::sum(act::relu(x, 0.1, 6.0));
  check_values(tape.gradient(y, x), std::vector<double>{0.1, 0.1, 1, 1, 0});
  Tensor z = ops::sum(act::relu(x, 0.1, std::nullopt, 1.0));
  check_values(tape.gradient(z, x), std::vector<double>{0.1, 0.1, 0.1, 1, 1});
  Tensor w = ops::sum(act::celu(x, 2.0));
  check_values(tape.gradient(w, x),
               std::vector<double>{std::exp(-1.0), std::exp(-0.25), 1, 1, 1}, 1e-12);
}
