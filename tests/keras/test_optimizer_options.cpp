// test_optimizer_options.cpp - Lamb, Adafactor and the base options use_ema,
// ema_overwrite_frequency, gradient_accumulation_steps and loss_scale_factor, against
// Keras 3's own trajectories (tests/data/optimizers/optimizers.json, written by
// make_optimizer_fixtures.py), eagerly and traced; SwapEMAWeights and fit()'s final
// averages.
#include <string>

#include "core/function.h"
#include "files.h"
#include "json_fixtures.h"
#include "helpers.h"
#include "keras/keras.h"

using namespace th;
namespace opt = keras::optimizers;
using core::Variable;

namespace {
const keras::Value& fixtures() { return th::json_fixture("optimizers/optimizers.json"); }

Shape shape_of(const std::string& name) {
  if (name == "vector") return Shape{3};
  if (name == "matrix") return Shape{2, 3};
  if (name == "tall") return Shape{4, 2};
  if (name == "embedding") return Shape{3, 2};
  return Shape{2, 2, 3};
}

// The fixture's variables and coefficients (make_optimizer_fixtures.py's initial / coeff).
std::vector<double> linspace(double a, double b, int64_t n) {
  std::vector<double> v(size_t(n), a);
  for (int64_t i = 0; i < n; ++i) v[size_t(i)] = n == 1 ? a : a + (b - a) * double(i) / double(n - 1);
  return v;
}

void check_close_to(const std::vector<double>& got, const std::vector<double>& want, double tol) {
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    CAPTURE(i);
    CHECK(got[i] == doctest::Approx(want[i]).epsilon(tol).scale(1.0));
  }
}

// Runs the fixture case with the optimizer `o` (eagerly, or each step through a traced
// function) and compares every step's weights, iterations and averages with Keras's.
void check_trajectory(const std::string& name, opt::Optimizer& o, bool traced, double tol = 2e-5) {
  const keras::Value& c = fixtures().at(name);
  std::vector<Variable> vars;
  std::vector<Tensor> coeffs;
  int k = 0;
  double grad_scale = 1.0;
  if (!o.get_config().at("loss_scale_factor").is_null()) grad_scale = o.get_config().at("loss_scale_factor").as_double();
  for (const keras::Value& s : c.at("shapes").as_list()) {
    const Shape shape = shape_of(s.as_string());
    std::vector<double> w = linspace(-1.5, 1.2, shape.num_elements()), cf(w.size());
    for (size_t i = 0; i < w.size(); ++i) {
      w[i] = float(w[i] + 0.1 * k);
      cf[i] = double((i + 1) % 4) + 0.5;
    }
    vars.emplace_back(make(w, shape, DType::float32), s.as_string());
    coeffs.push_back(make(cf, shape, DType::float32));
    ++k;
  }
  auto step = [&] {
    std::vector<Tensor> grads;
    for (size_t i = 0; i < vars.size(); ++i)
      grads.push_back(ops::multiply(ops::multiply(coeffs[i], ops::scalar_like(coeffs[i], 2.0 * grad_scale)), vars[i].value()));
    o.apply_gradients(grads, vars);
  };
  auto traced_step = core::function([&] { step(); });
  int n = 0;
  for (const keras::Value& want : c.at("steps").as_list()) {
    const int step_index = n++;
    CAPTURE(name);
    CAPTURE(traced);
    CAPTURE(step_index);
    if (traced) traced_step();
    else step();
    for (size_t i = 0; i < vars.size(); ++i) check_close_to(values(vars[i].value()), numbers(want.at("weights").as_list()[i]), tol);
    CHECK(o.iterations() == want.at("iterations").as_int());
    if (want.contains("averages")) {  // the averages Keras keeps
      std::vector<Variable> averages;
      for (const Variable& v : o.variables())
        if (v.name().find("_average") != std::string::npos) averages.push_back(v);
      REQUIRE(averages.size() == want.at("averages").as_list().size());
      for (size_t i = 0; i < averages.size(); ++i)
        check_close_to(values(averages[i].value()), numbers(want.at("averages").as_list()[i]), tol);
    }
  }
  if (traced) CHECK(traced_step.tracing_count() == 1);
}

// Builds the optimizer a fixture case describes, from Keras's own config.
opt::OptimizerPtr from_keras(const std::string& name, const std::string& cls) {
  keras::Config c = keras::Config::object();
  c["class_name"] = cls;
  c["config"] = fixtures().at(name).at("config");
  return opt::deserialize(c);
}
}  // namespace

TEST_CASE("Lamb and Adafactor match Keras 3's trajectories, eagerly and traced") {
  for (bool traced : {false, true})
    for (auto [name, cls] : std::vector<std::pair<std::string, std::string>>{
             {"lamb", "Lamb"}, {"lamb_decay", "Lamb"}, {"adafactor", "Adafactor"},
             {"adafactor_large_lr", "Adafactor"}, {"adafactor_absolute", "Adafactor"}}) {
      opt::OptimizerPtr o = from_keras(name, cls);
      check_trajectory(name, *o, traced);
    }
  // Their configs are Keras's (every key, same values).
  for (auto [name, cls] : std::vector<std::pair<std::string, std::string>>{{"lamb_decay", "Lamb"},
                                                                           {"adafactor_absolute", "Adafactor"}}) {
    keras::Config mine = from_keras(name, cls)->get_config();
    keras::Config want = fixtures().at(name).at("config");
    for (const auto& [key, value] : want.items()) {
      CAPTURE(key);
      REQUIRE(mine.contains(key));
      if (value.type() == keras::Value::Type::number) CHECK(mine.at(key).as_double() == doctest::Approx(value.as_double()));
      else CHECK(mine.at(key) == value);
    }
    CHECK(mine.items().size() == want.items().size());
  }
  CHECK(opt::get("lamb")->class_name() == "Lamb");
  CHECK(opt::get("adafactor")->name() == "adafactor");
  CHECK_THROWS_WITH_AS(opt::Adafactor({.clip_threshold = 0}), doctest::Contains("expected clip_threshold > 0"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(opt::Lamb({.beta_1 = 1.0}), doctest::Contains("lamb: expected beta_1 in [0, 1)"),
                       std::invalid_argument);
}

TEST_CASE("Muon and ScheduleFreeAdamW match Keras 3's trajectories, eagerly and traced") {
  for (bool traced : {false, true})
    for (auto [name, cls] : std::vector<std::pair<std::string, std::string>>{{"muon", "Muon"},
                                                                             {"muon_options", "Muon"},
                                                                             {"schedule_free", "ScheduleFreeAdamW"},
                                                                             {"schedule_free_warmup", "ScheduleFreeAdamW"}}) {
      opt::OptimizerPtr o = from_keras(name, cls);
      check_trajectory(name, *o, traced, 5e-5);
    }
  // Which variables Muon steps with AdamW: rank != 2, "embedding" names, exclude_layers.
  auto muon = opt::Muon({.exclude_layers = {"^head/"}});
  CHECK(muon->uses_adamw(Variable(ops::zeros({3}), "dense/bias")));
  CHECK_FALSE(muon->uses_adamw(Variable(ops::zeros({3, 2}), "dense/kernel")));
  CHECK(muon->uses_adamw(Variable(ops::zeros({3, 2}), "token_Embedding/embeddings")));
  CHECK(muon->uses_adamw(Variable(ops::zeros({3, 2}), "head/kernel")));
  CHECK(muon->get_config().at("weight_decay").as_double() == 0.004);
  CHECK(opt::get("muon")->class_name() == "Muon");
  CHECK(opt::get("schedulefreeadamw")->name() == "schedule_free_adam_w");
  CHECK_THROWS_WITH_AS(opt::Muon({.exclude_layers = {"("}}), doctest::Contains("invalid regular expression '('"),
                       std::invalid_argument);
  // A config without weight_decay takes Muon's default (0.004), as Keras's from_config.
  keras::Config c = keras::Value::from_json(R"({"class_name": "Muon", "config": {"learning_rate": 0.01}})");
  CHECK(opt::deserialize(c)->get_config().at("weight_decay").as_double() == 0.004);
}

TEST_CASE("use_ema, ema_overwrite_frequency, gradient_accumulation_steps, loss_scale_factor match Keras 3") {
  for (bool traced : {false, true})
    for (auto [name, cls] : std::vector<std::pair<std::string, std::string>>{{"adam_ema", "Adam"},
                                                                             {"sgd_ema_overwrite", "SGD"},
                                                                             {"sgd_accumulate", "SGD"},
                                                                             {"adam_accumulate_ema", "Adam"},
                                                                             {"rmsprop_loss_scale", "RMSprop"}}) {
      opt::OptimizerPtr o = from_keras(name, cls);
      check_trajectory(name, *o, traced);
      CHECK(o->uses_ema() == fixtures().at(name).at("steps").as_list().back().contains("averages"));
    }
}

TEST_CASE("base options: configs, scale_loss, errors") {
  auto o = opt::SGD({.learning_rate = 0.1, .use_ema = true, .ema_momentum = 0.7, .ema_overwrite_frequency = 4,
                     .loss_scale_factor = 2.0, .gradient_accumulation_steps = 3});
  keras::Config c = o->get_config();
  CHECK(c.at("use_ema").as_bool());
  CHECK(c.at("ema_momentum").as_double() == 0.7);
  CHECK(c.at("ema_overwrite_frequency").as_int() == 4);
  CHECK(c.at("loss_scale_factor").as_double() == 2.0);
  CHECK(c.at("gradient_accumulation_steps").as_int() == 3);
  auto back = opt::deserialize(opt::serialize(*o));
  CHECK(opt::serialize(*back).to_json() == opt::serialize(*o).to_json());
  CHECK(o->scale_loss(core::constant(1.5f)).item<float>() == 3.0f);
  CHECK(opt::Adam()->scale_loss(core::constant(1.5f)).item<float>() == 1.5f);
  keras::Config d = opt::Adam()->get_config();
  CHECK(d.at("use_ema").as_bool() == false);
  CHECK(d.at("ema_momentum").as_double() == 0.99);
  CHECK(d.at("ema_overwrite_frequency").is_null());
  CHECK(d.at("gradient_accumulation_steps").is_null());
  CHECK_THROWS_WITH_AS(opt::Adam({.gradient_accumulation_steps = 1}),
                       doctest::Contains("adam: expected gradient_accumulation_steps >= 2 or none, but received 1"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(opt::SGD({.use_ema = true, .ema_momentum = 1.5}),
                       doctest::Contains("expected ema_momentum in [0, 1]"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(opt::SGD({.use_ema = true, .ema_overwrite_frequency = 0}),
                       doctest::Contains("expected ema_overwrite_frequency >= 1"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(opt::SGD({.loss_scale_factor = 0.0}), doctest::Contains("expected loss_scale_factor > 0"),
                       std::invalid_argument);
  // The slots are saved with the others: Keras's order (averages, accumulators, then the
  // optimizer's own).
  Variable w(core::constant({1.0f, 2.0f}), "w");
  auto a = opt::Adam({.use_ema = true, .gradient_accumulation_steps = 2});
  a->build_variables({w});
  std::vector<std::string> names;
  for (const Variable& v : a->variables()) names.push_back(v.name());
  CHECK(names == std::vector<std::string>{"adam/iteration", "adam/w_average", "adam/w_gradient_accumulator",
                                          "adam/w_momentum", "adam/w_velocity"});
}

TEST_CASE("fit() with use_ema and SwapEMAWeights: validation on the averages, the averages left in the weights") {
  const keras::Value& f = fixtures().at("fit");
  const Tensor x = make(numbers(f.at("x")), Shape{8, 3}, DType::float32);
  const Tensor y = make(numbers(f.at("y")), Shape{8, 2}, DType::float32);
  for (bool swap_on_epoch : {false, true})
    for (bool eager : {false, true}) {
      CAPTURE(swap_on_epoch);
      CAPTURE(eager);
      const keras::Value& want = f.at("runs").at(swap_on_epoch ? "swap_on_epoch" : "swap");
      auto model = keras::Sequential({keras::layers::Dense(2, {.input_shape = {3}})});
      model->set_weights({make(numbers(f.at("kernel")), Shape{3, 2}, DType::float32),
                          make(numbers(f.at("bias")), Shape{2}, DType::float32)});
      model->compile({.optimizer = opt::SGD({.learning_rate = 0.1, .use_ema = true, .ema_momentum = 0.5}),
                      .loss = "mse",
                      .run_eagerly = eager});
      auto swap = std::make_shared<keras::callbacks::SwapEMAWeights>(swap_on_epoch);
      auto h = model->fit(x, y, {.batch_size = 4, .epochs = 3, .verbose = 0, .callbacks = {swap},
                                 .validation_data = {ops::slice(x, {0, 0}, {4, 3}), ops::slice(y, {0, 0}, {4, 2})},
                                 .shuffle = false});
      for (const std::string key : {"loss", "val_loss"})
        check_close_to(h.history.at(key), numbers(want.at("history").at(key)), 1e-5);
      std::vector<Tensor> w = model->get_weights();
      check_close_to(values(w[0]), numbers(want.at("weights").as_list()[0]), 1e-5);
      check_close_to(values(w[1]), numbers(want.at("weights").as_list()[1]), 1e-5);
    }
  // Without use_ema the callback names what is missing.
  auto model = keras::Sequential({keras::layers::Dense(2, {.input_shape = {3}})});
  model->compile({.optimizer = opt::SGD(), .loss = "mse"});
  CHECK_THROWS_WITH_AS(model->evaluate(x, y, {.verbose = 0, .callbacks = {keras::callbacks::SwapEMAWeights()}}),
                       doctest::Contains("SwapEMAWeights must be used when use_ema=true"), std::invalid_argument);
}
