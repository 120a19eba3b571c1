// test_mixed_precision.cpp - keras::mixed_precision's policies and LossScaleOptimizer
// against Keras 3 (tests/data/mixed_precision/make_fixtures.py), and an MLP trained with
// half-precision compute on the CPU.
#include <cmath>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "helpers.h"
#include "keras/losses.h"
#include "keras/mixed_precision.h"
#include "keras/optimizers.h"
#include "keras/optimizers/loss_scale_optimizer.h"
#include "test_data_dir.h"

using namespace th;
namespace mp = keras::mixed_precision;
namespace opt = keras::optimizers;
using core::Variable;

namespace {
keras::Value fixture_json(const std::string& name) {
  std::ifstream f(std::string(KERAS_TEST_DATA_DIR) + "/mixed_precision/" + name);
  REQUIRE(f.good());
  std::stringstream ss;
  ss << f.rdbuf();
  return keras::Value::from_json(ss.str());
}
}  // namespace

TEST_CASE("DTypePolicy: Keras 3's policies, names and serialized form") {
  mp::DTypePolicy m("mixed_float16");
  CHECK(m.name() == "mixed_float16");
  CHECK(m.compute_dtype() == DType::float16);
  CHECK(m.variable_dtype() == DType::float32);
  CHECK(m.is_mixed());
  mp::DTypePolicy b("mixed_bfloat16");
  CHECK(b.compute_dtype() == DType::bfloat16);
  CHECK(b.variable_dtype() == DType::float32);
  mp::DTypePolicy f(DType::float64);
  CHECK(f.name() == "float64");
  CHECK(f.compute_dtype() == DType::float64);
  CHECK_FALSE(f.is_mixed());
  // Keras 3: keras.layers.Dense(3).get_config()["dtype"] under mixed_float16.
  CHECK(m.serialize().to_json() ==
        R"({"module": "keras", "class_name": "DTypePolicy", "config": {"name": "mixed_float16"}, "registered_name": null})");
  CHECK(mp::DTypePolicy::deserialize(m.serialize()) == m);
  CHECK(mp::DTypePolicy::deserialize(keras::Value("float32")).name() == "float32");
  CHECK_THROWS_WITH_AS(mp::DTypePolicy("mixed_half"),
                       "DTypePolicy: cannot convert 'mixed_half' to a mixed precision DTypePolicy; valid policies "
                       "include 'mixed_float16', 'mixed_bfloat16', and the name of any float dtype such as 'float32'",
                       std::invalid_argument);
  CHECK_THROWS_AS(mp::DTypePolicy("mixed_int8"), std::invalid_argument);
  // Keras 3: DTypePolicy("int32") is int32 for both (inputs, preprocessing layers).
  CHECK(mp::DTypePolicy(DType::int32).compute_dtype() == DType::int32);
}

TEST_CASE("set_global_policy / global_policy") {
  CHECK(mp::global_policy().name() == "float32");
  mp::set_global_policy("mixed_bfloat16");
  CHECK(mp::global_policy().compute_dtype() == DType::bfloat16);
  mp::set_global_policy("float32");
  CHECK(mp::global_policy() == mp::DTypePolicy("float32"));
}

TEST_CASE("LossScaleOptimizer: Keras 3's skip-and-halve and growth sequence") {
  const keras::Value fx = fixture_json("loss_scale.json");
  auto sgd = opt::SGD({.learning_rate = fx.at("learning_rate").as_double()});
  opt::LossScaleOptimizer lso(sgd, fx.at("initial_scale").as_double(), fx.at("dynamic_growth_steps").as_int());
  Variable v(core::constant(1.0f), "v");
  int i = 0;
  for (const keras::Value& s : fx.at("steps").as_list()) {
    CAPTURE(i++);
    const keras::Value& g = s.at("grad");
    const double grad = g.type() == keras::Value::Type::string ? (g.as_string() == "inf" ? INFINITY : NAN) : g.as_double();
    CHECK(lso.dynamic_scale() == s.at("scale_before").as_double());
    lso.apply_gradients({core::constant(static_cast<float>(grad * lso.dynamic_scale()))}, {v});
    CHECK(lso.dynamic_scale() == s.at("scale").as_double());
    CHECK(v.value().item<double>() == s.at("value").as_double());
    CHECK(lso.iterations() == s.at("iterations").as_int());
    CHECK(sgd->iterations() == s.at("inner_iterations").as_int());
  }
}

TEST_CASE("LossScaleOptimizer: defaults, scale_loss and config as Keras 3") {
  const keras::Value fx = fixture_json("loss_scale.json");
  opt::LossScaleOptimizer lso(opt::SGD());
  const keras::Value& want = fx.at("default_config");
  const keras::Config c = lso.get_config();
  CHECK(c.at("name").as_string() == "loss_scale_optimizer");
  CHECK(c.at("initial_scale").as_double() == want.at("initial_scale").as_double());
  CHECK(c.at("dynamic_growth_steps").as_int() == want.at("dynamic_growth_steps").as_int());
  CHECK(c.at("inner_optimizer").at("class_name").as_string() == "SGD");
  CHECK(lso.scale_loss(core::constant(3.0f)).item<double>() == fx.at("scale_loss").as_double());
  // serialize / deserialize round-trip, and Keras 3's own config read back.
  auto back = std::dynamic_pointer_cast<opt::LossScaleOptimizer>(opt::deserialize(opt::serialize(lso)));
  REQUIRE(back);
  CHECK(back->get_config().to_json() == c.to_json());
  keras::Config keras_form = keras::Config::object();
  keras_form["class_name"] = "LossScaleOptimizer";
  keras_form["config"] = want;
  auto from_keras = std::dynamic_pointer_cast<opt::LossScaleOptimizer>(opt::deserialize(keras_form));
  REQUIRE(from_keras);
  CHECK(from_keras->dynamic_scale() == 32768.0);
  CHECK(from_keras->inner_optimizer()->class_name() == "SGD");
  CHECK_THROWS_AS(opt::LossScaleOptimizer(nullptr), std::invalid_argument);
  CHECK_THROWS_AS(opt::LossScaleOptimizer(opt::SGD(), 0.0), std::invalid_argument);
  CHECK_THROWS_AS(opt::LossScaleOptimizer(opt::SGD(), 2.0, 0), std::invalid_argument);
}

namespace {
// A 2-layer MLP on a fixed regression problem, trained with float32 variables and compute
// in `compute` (casts of inputs and weights, as a mixed policy's autocast does; the loss
// in float32), with loss scaling when `scaled`. Returns the final loss.
double train_mlp(DType compute, bool scaled) {
  std::mt19937 rng(11);
  std::normal_distribution<float> nd;
  const int64_t n = 64, d = 8, h = 16;
  std::vector<float> xv(n * d), w1v(d * h), w2v(h);
  for (float& v : xv) v = nd(rng);
  for (float& v : w1v) v = nd(rng) * 0.35f;
  for (float& v : w2v) v = nd(rng) * 0.25f;
  Tensor x = ops::reshape(core::constant(xv), {n, d});
  Tensor y = ops::sin(ops::sum(x, {1}, true));  // (n, 1) targets
  Variable w1(ops::reshape(core::constant(w1v), {d, h}), "w1"), b1(ops::zeros({h}), "b1");
  Variable w2(ops::reshape(core::constant(w2v), {h, 1}), "w2"), b2(ops::zeros({1}), "b2");
  std::shared_ptr<opt::Optimizer> inner = opt::SGD({.learning_rate = 0.1});
  opt::LossScaleOptimizer lso(inner);
  std::vector<Variable> vars{w1, b1, w2, b2};
  double last = 0;
  for (int step = 0; step < 150; ++step) {
    core::GradientTape tape;
    Tensor xc = ops::cast(x, compute);
    Tensor h1 = ops::relu(ops::add(ops::matmul(xc, ops::cast(w1.value(), compute)), ops::cast(b1.value(), compute)));
    Tensor out = ops::add(ops::matmul(h1, ops::cast(w2.value(), compute)), ops::cast(b2.value(), compute));
    Tensor loss = ops::mean(ops::square(ops::subtract(ops::cast(out, DType::float32), y)));
    last = loss.item<double>();
    if (scaled) {
      auto g = tape.gradient(lso.scale_loss(loss), vars);
      for (const Tensor& t : g) CHECK(t.dtype() == DType::float32);
      lso.apply_gradients(g, vars);
    } else {
      inner->apply_gradients(tape.gradient(loss, vars), vars);
    }
  }
  return last;
}
}  // namespace

TEST_CASE("mixed precision on the CPU: an MLP trains to float32's loss") {
  const double f32 = train_mlp(DType::float32, false);
  const double f16 = train_mlp(DType::float16, true);
  const double bf16 = train_mlp(DType::bfloat16, false);
  CHECK(f32 < 0.2);
  CHECK(std::fabs(f16 - f32) < 0.02 + 0.1 * f32);
  CHECK(std::fabs(bf16 - f32) < 0.03 + 0.2 * f32);
}

TEST_CASE("losses compute in float32 for half-precision predictions, as Keras") {
  Tensor y_true = core::constant({{1.0, 0.0}, {0.5, 2.0}});
  Tensor y_pred32 = core::constant({{0.75, 0.25}, {1.5, 2.0}});
  for (DType d : {DType::float16, DType::bfloat16}) {
    for (const char* name : {"mse", "mae", "categorical_crossentropy"}) {
      CAPTURE(name);
      auto loss = keras::losses::get(name);
      Tensor l = (*loss)(y_true, ops::cast(y_pred32, d));
      CHECK(l.dtype() == DType::float32);
      CHECK(l.item<float>() == (*loss)(y_true, y_pred32).item<float>());  // the values are exact in half
    }
  }
}
