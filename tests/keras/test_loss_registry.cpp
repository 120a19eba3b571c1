// test_loss_registry.cpp - keras::losses by name and config: get(), serialize() /
// deserialize() of every class, LossFunctionWrapper and LossArg, and a user subclass with a
// hyperparameter in its config.
#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <string>
#include <vector>

#include "helpers.h"
#include "keras/losses.h"
#include "loss_fixtures.h"

using namespace th;
namespace losses = keras::losses;

// ---- lookup, serialization, user losses -------------------------------------------------------

namespace {
// A user loss with a hyperparameter: squared errors below `threshold` count 0.
class ThresholdLoss : public losses::Loss {
 public:
  explicit ThresholdLoss(double threshold, const losses::LossOptions& o = {})
      : Loss(o), threshold_(threshold) {}
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override {
    Tensor e = ops::square(y_true - y_pred);
    return ops::mean(ops::where(e < threshold_, ops::zeros_like(e), e), {-1});
  }
  std::string class_name() const override { return "ThresholdLoss"; }
  keras::Config get_config() const override {
    keras::Config c = Loss::get_config();
    c["threshold"] = threshold_;
    return c;
  }
  double threshold() const { return threshold_; }

 private:
  double threshold_;
};
}  // namespace

TEST_CASE("losses: a user subclass with a hyperparameter round-trips through JSON") {
  losses::register_loss("ThresholdLoss", [](const keras::Config& c) -> losses::LossPtr {
    return std::make_shared<ThresholdLoss>(c.at("threshold").as_double(),
                                           losses::LossOptions::from_config(c));
  });
  ThresholdLoss loss(0.5, {.reduction = "sum"});
  CHECK(loss.name() == "threshold_loss");  // Keras's default: the snake_case class name
  keras::Config cfg = losses::serialize(loss);
  CHECK(cfg.at("class_name").as_string() == "ThresholdLoss");
  CHECK(cfg.at("config").at("threshold").as_double() == 0.5);
  CHECK(cfg.at("config").at("reduction").as_string() == "sum");
  std::string json = cfg.to_json();
  losses::LossPtr again = losses::deserialize(keras::Value::from_json(json));
  REQUIRE(dynamic_cast<const ThresholdLoss*>(again.get()) != nullptr);
  CHECK(dynamic_cast<const ThresholdLoss*>(again.get())->threshold() == 0.5);
  CHECK(again->reduction() == "sum");
  CHECK(again->name() == "threshold_loss");
  CHECK(losses::serialize(*again).to_json() == json);
  // It computes what the formula says, with the template method's reduction.
  Tensor t = core::constant({{0.0, 0.0}, {1.0, 2.0}}), p = core::constant({{0.5, 2.0}, {1.0, 0.0}});
  check_values((*again)(t, p), std::vector<double>{(0 + 4) / 2.0 + (0 + 4) / 2.0});
  // The template method checks inputs for user losses too, and prefixes their errors.
  CHECK_THROWS_MSG(loss(t, ops::cast(t, DType::int32)), std::invalid_argument,
                   "threshold_loss: expected y_pred of a floating-point dtype");
  CHECK_THROWS_MSG(loss(t, core::constant({{1.0, 2.0, 3.0}})), std::invalid_argument,
                   "threshold_loss: ");
  // Gradients flow through a user loss.
  check_gradient([&](const Tensor& q) { return loss(f64(kReal), q); }, kReal2);
  // Registering a built-in name is refused.
  CHECK_THROWS_MSG(losses::register_loss("mse", [](const keras::Config&) -> losses::LossPtr {
                     return nullptr;
                   }),
                   std::invalid_argument, "'mse' is a built-in loss and cannot be replaced");
}

TEST_CASE("losses: get() by Keras's names, and every class round-trips its config") {
  struct Named {
    const char* name;
    const char* cls;
    const char* default_name;
  };
  for (const Named& n : std::vector<Named>{
           {"mse", "MeanSquaredError", "mean_squared_error"},
           {"mean_squared_error", "MeanSquaredError", "mean_squared_error"},
           {"mae", "MeanAbsoluteError", "mean_absolute_error"},
           {"mape", "MeanAbsolutePercentageError", "mean_absolute_percentage_error"},
           {"msle", "MeanSquaredLogarithmicError", "mean_squared_logarithmic_error"},
           {"huber", "Huber", "huber_loss"},
           {"log_cosh", "LogCosh", "log_cosh"},
           {"binary_crossentropy", "BinaryCrossentropy", "binary_crossentropy"},
           {"categorical_crossentropy", "CategoricalCrossentropy", "categorical_crossentropy"},
           {"sparse_categorical_crossentropy", "SparseCategoricalCrossentropy",
            "sparse_categorical_crossentropy"},
           {"binary_focal_crossentropy", "BinaryFocalCrossentropy", "binary_focal_crossentropy"},
           {"kl_divergence", "KLDivergence", "kl_divergence"},
           {"kld", "KLDivergence", "kl_divergence"},
           {"poisson", "Poisson", "poisson"},
           {"hinge", "Hinge", "hinge"},
           {"squared_hinge", "SquaredHinge", "squared_hinge"},
           {"categorical_hinge", "CategoricalHinge", "categorical_hinge"},
           {"cosine_similarity", "CosineSimilarity", "cosine_similarity"},
           {"CosineSimilarity", "CosineSimilarity", "cosine_similarity"}}) {
    CAPTURE(n.name);
    losses::LossPtr l = losses::get(n.name);
    REQUIRE(l);
    CHECK(l->class_name() == n.cls);
    CHECK(l->name() == n.default_name);
    CHECK(l->reduction() == "sum_over_batch_size");
  }
  std::vector<std::string> all = losses::names();
  CHECK(std::is_sorted(all.begin(), all.end()));
  CHECK(std::find(all.begin(), all.end(), "mse") != all.end());

  // Non-default hyperparameters survive serialize -> JSON -> deserialize.
  std::vector<losses::LossPtr> every = {
      std::make_shared<losses::MeanSquaredError>(losses::LossOptions{.name = "a", .reduction = "sum"}),
      std::make_shared<losses::MeanAbsoluteError>(),
      std::make_shared<losses::MeanAbsolutePercentageError>(),
      std::make_shared<losses::MeanSquaredLogarithmicError>(),
      std::make_shared<losses::Huber>(losses::HuberOptions{.delta = 2.5}),
      std::make_shared<losses::LogCosh>(),
      std::make_shared<losses::KLDivergence>(losses::LossOptions{.reduction = "none"}),
      std::make_shared<losses::Poisson>(),
      std::make_shared<losses::Hinge>(),
      std::make_shared<losses::SquaredHinge>(),
      std::make_shared<losses::CategoricalHinge>(),
      std::make_shared<losses::CosineSimilarity>(losses::CosineSimilarityOptions{.axis = 0}),
      std::make_shared<losses::BinaryCrossentropy>(losses::BinaryCrossentropyOptions{
          .from_logits = true, .label_smoothing = 0.1, .axis = 0, .name = "bce"}),
      std::make_shared<losses::CategoricalCrossentropy>(
          losses::CategoricalCrossentropyOptions{.from_logits = true, .label_smoothing = 0.2}),
      std::make_shared<losses::SparseCategoricalCrossentropy>(
          losses::SparseCategoricalCrossentropyOptions{.from_logits = true, .ignore_class = 255}),
      std::make_shared<losses::BinaryFocalCrossentropy>(losses::BinaryFocalCrossentropyOptions{
          .apply_class_balancing = true, .alpha = 0.4, .gamma = 3.0, .from_logits = true,
          .label_smoothing = 0.05, .axis = -1, .reduction = "mean_with_sample_weight"}),
  };
  for (const auto& l : every) {
    CAPTURE(l->class_name());
    keras::Config cfg = losses::serialize(*l);
    CHECK(cfg.at("config").at("name").as_string() == l->name());
    losses::LossPtr again = losses::deserialize(keras::Value::from_json(cfg.to_json()));
    CHECK(again->class_name() == l->class_name());
    CHECK(losses::serialize(*again) == cfg);
  }
  keras::Config bce = losses::serialize(*every[12]);
  CHECK(bce.to_json() ==
        "{\"class_name\": \"BinaryCrossentropy\", \"config\": {\"name\": \"bce\", \"reduction\": "
        "\"sum_over_batch_size\", \"from_logits\": true, \"label_smoothing\": 0.1, \"axis\": 0}}");
  // Keras's own config form (with "dtype", null reduction) deserializes.
  losses::LossPtr k = losses::deserialize(keras::Value::from_json(
      "{\"class_name\": \"Huber\", \"config\": {\"name\": \"h\", \"reduction\": null, "
      "\"dtype\": \"float32\", \"delta\": 0.5}}"));
  CHECK(k->reduction() == "none");
  CHECK(dynamic_cast<const losses::Huber&>(*k).delta() == 0.5);
  CHECK(losses::deserialize(keras::Value("mse"))->class_name() == "MeanSquaredError");
  CHECK_THROWS_MSG(losses::deserialize(keras::Value::from_json(
                       "{\"class_name\": \"Huber\", \"config\": {\"delta\": 1, \"beta\": 2}}")),
                   std::invalid_argument, "unexpected key 'beta' in the config of Huber");
  CHECK_THROWS_MSG(losses::deserialize(keras::Value::from_json("{\"class_name\": \"Nope\"}")),
                   std::invalid_argument, "losses.deserialize: unknown loss class 'Nope'");
}

TEST_CASE("losses: functions as losses, LossFunctionWrapper and LossArg") {
  Tensor t = f64(kReal), p = f64(kReal2);
  double want = mean_of(per_row(ref_mse, kReal, kReal2));
  // A plain C++ function; its (B, 1) / (B,) inputs are rank-aligned as Keras does.
  losses::LossPtr custom = losses::get(
      [](const Tensor& a, const Tensor& b) { return ops::mean(ops::square(a - b), {-1}); }, "my_mse");
  CHECK(custom->name() == "my_mse");
  CHECK(custom->class_name() == "LossFunctionWrapper");
  check_values((*custom)(t, p), std::vector<double>{want}, 1e-12);
  Tensor col = f64({1, 2, 3, 4}, Shape{B, 1}), flat = f64({1, 1, 1, 1}, Shape{B});
  check_values((*custom)(col, flat), std::vector<double>{(0 + 1 + 4 + 9) / 4.0}, 1e-12);
  CHECK(custom->get_config().at("fn").as_string() == "my_mse");

  // A registered function deserializes; an unregistered one is a clear error.
  losses::register_loss("my_abs",
                        [](const Tensor& a, const Tensor& b) { return ops::mean(ops::abs(a - b), {-1}); });
  losses::LossPtr my_abs = losses::get("my_abs");
  check_values((*my_abs)(t, p), std::vector<double>{mean_of(per_row(ref_mae, kReal, kReal2))}, 1e-12);
  losses::LossPtr back = losses::deserialize(losses::serialize(*my_abs));
  check_values((*back)(t, p), values((*my_abs)(t, p)), 1e-15);
  CHECK_THROWS_MSG(losses::deserialize(losses::serialize(*custom)), std::invalid_argument,
                   "unknown loss function 'my_mse'; register it with register_loss");

  // LossArg: a name, an object, a pointer, a Config, a lambda, a built-in function.
  losses::LossArg by_name = "sparse_categorical_crossentropy";
  CHECK(by_name->class_name() == "SparseCategoricalCrossentropy");
  losses::LossArg by_object = losses::BinaryCrossentropy({.from_logits = true});
  CHECK(dynamic_cast<const losses::BinaryCrossentropy&>(*by_object.ptr()).from_logits());
  losses::LossArg by_ptr = std::make_shared<losses::Huber>();
  CHECK(by_ptr->class_name() == "Huber");
  losses::LossArg by_config = losses::serialize(losses::Poisson());
  CHECK(by_config->class_name() == "Poisson");
  losses::LossArg by_lambda = [](const Tensor& a, const Tensor& b) { return ops::abs(a - b); };
  CHECK(by_lambda->name() == "custom");
  losses::LossArg by_fn = losses::mean_squared_error;
  CHECK(by_fn->name() == "mean_squared_error");
  check_values((*by_fn.ptr())(t, p), std::vector<double>{want}, 1e-12);
  // A wrapped built-in function serializes by its name and comes back.
  losses::LossPtr fn_back = losses::deserialize(losses::serialize(*by_fn.ptr()));
  CHECK(fn_back->class_name() == "LossFunctionWrapper");
  check_values((*fn_back)(t, p), std::vector<double>{want}, 1e-12);
  losses::LossArg none = nullptr;
  CHECK(!none);
}
