// test_metric_registry.cpp - keras::metrics by name and config: get() with Keras's names
// and aliases, deserialize() errors, register_metric for user classes, MetricArg and
// resolve_accuracy.
#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/autodiff.h"
#include <set>

#include "helpers.h"
#include "keras/metrics.h"
#include "metric_fixtures.h"

using namespace th;
namespace m = keras::metrics;

// ---- lookup, serialization, MetricArg ---------------------------------------------------

TEST_CASE("metrics: get() knows Keras's names and aliases") {
  CHECK(m::get("mse")->class_name() == "MeanSquaredError");
  CHECK(m::get("MAE")->class_name() == "MeanAbsoluteError");
  CHECK(m::get("mape")->class_name() == "MeanAbsolutePercentageError");
  CHECK(m::get("acc")->class_name() == "Accuracy");
  CHECK(m::get("accuracy")->class_name() == "Accuracy");
  CHECK(m::get("binary_accuracy")->class_name() == "BinaryAccuracy");
  CHECK(m::get("categorical_accuracy")->class_name() == "CategoricalAccuracy");
  CHECK(m::get("sparse_categorical_accuracy")->class_name() == "SparseCategoricalAccuracy");
  CHECK(m::get("top_k_categorical_accuracy")->class_name() == "TopKCategoricalAccuracy");
  CHECK(m::get("precision")->class_name() == "Precision");
  CHECK(m::get("recall")->class_name() == "Recall");
  CHECK(m::get("auc")->class_name() == "AUC");
  CHECK(m::get("AUC")->class_name() == "AUC");
  CHECK(m::get("bce")->class_name() == "BinaryCrossentropy");
  CHECK(m::get("r2_score")->class_name() == "R2Score");
  CHECK(m::get("f1_score")->class_name() == "F1Score");
  CHECK(m::get("root_mean_squared_error")->name() == "root_mean_squared_error");
  CHECK_THROWS_MSG(m::get("accuracyy"), std::invalid_argument, "known names");
  CHECK_THROWS_MSG(m::get("accuracyy"), std::invalid_argument, "sparse_categorical_accuracy");
  CHECK_THROWS_MSG(m::get("mean_io_u"), std::invalid_argument, "num_classes");
  CHECK_THROWS_MSG(m::deserialize(keras::Value::from_json(
                       R"({"class_name": "Precision", "config": {"top_kk": 1}})")),
                   std::invalid_argument, "top_kk");
  // The keys the class takes are listed (the families share one config reader).
  CHECK_THROWS_MSG(m::deserialize(keras::Value::from_json(R"({"class_name": "Mean", "config": {"nme": "m"}})")),
                   std::invalid_argument,
                   "metrics.deserialize: unexpected key 'nme' in the config of Mean (expected dtype, name)");
  CHECK_THROWS_MSG(m::deserialize(keras::Value::from_json(R"({"class_name": "Mean", "config": [1]})")),
                   std::invalid_argument, "metrics.deserialize: expected the config of Mean to be an object");
  CHECK_THROWS_MSG(m::deserialize(keras::Value::from_json(R"({"class_name": "Nope"})")),
                   std::invalid_argument, "Nope");
  // A name deserializes like get().
  CHECK(m::deserialize(keras::Value("mae"))->class_name() == "MeanAbsoluteError");
  // Every name get() accepts builds, except the classes that need an argument: the IoU
  // family but BinaryIoU (num_classes), the sensitivity family (its bound) and
  // MeanMetricWrapper (a function).
  const std::set<std::string> need_arguments = {
      "MeanIoU", "mean_io_u", "IoU", "io_u", "OneHotIoU", "one_hot_io_u", "OneHotMeanIoU", "one_hot_mean_io_u",
      "MeanMetricWrapper", "mean_metric_wrapper", "SensitivityAtSpecificity", "sensitivity_at_specificity",
      "SpecificityAtSensitivity", "specificity_at_sensitivity", "PrecisionAtRecall", "precision_at_recall",
      "RecallAtPrecision", "recall_at_precision"};
  for (const std::string& n : m::names()) {
    if (need_arguments.count(n)) {
      CHECK_THROWS_AS(m::get(n), std::invalid_argument);
      continue;
    }
    CAPTURE(n);
    m::MetricPtr metric = m::get(n);
    round_trip(*metric);
  }
}

namespace {
// A user metric: counts exact hits.
class Hits : public m::Metric {
 public:
  explicit Hits(std::string name = "hits") : Metric(std::move(name)) { hits_ = add_variable("hits", {}); }
  void update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& = Tensor()) override {
    hits_.assign_add(ops::sum(ops::cast(ops::equal(detach(y_true), detach(y_pred)), dtype())));
  }
  Tensor result() const override { return hits_.value(); }
  std::string class_name() const override { return "Hits"; }

 private:
  core::Variable hits_;
};
}  // namespace

TEST_CASE("metrics: register_metric for user classes") {
  m::register_metric("Hits", [](const keras::Config& c) {
    return std::make_shared<Hits>(c.get("name", "hits").as_string());
  });
  Hits h("my_hits");
  h.update_state(f({1, 2, 3}), f({1, 0, 3}));
  check_values(h.result(), std::vector<double>{2});
  m::MetricPtr back = round_trip(h);
  CHECK(back->name() == "my_hits");
  check_values(back->result(), std::vector<double>{0});  // state is not serialized
  CHECK(m::get("Hits")->class_name() == "Hits");
  CHECK_THROWS_MSG(m::register_metric("Precision", [](const keras::Config&) { return m::MetricPtr(); }),
                   std::invalid_argument, "built-in");
}

TEST_CASE("metrics: MetricArg and resolve_accuracy") {
  m::MetricArg by_name = "auc";
  CHECK(by_name.resolve()->class_name() == "AUC");
  CHECK(by_name.resolve() == by_name.resolve());  // the same object each time
  m::MetricArg object = m::Precision({.top_k = 1});
  CHECK(object.resolve()->get_config().at("top_k").as_int() == 1);
  auto shared = std::make_shared<m::Recall>();
  m::MetricArg ptr = shared;
  CHECK(ptr.resolve().get() == shared.get());
  m::MetricArg fn = [](const Tensor& t, const Tensor& p) { return ops::abs(t - p); };
  CHECK(fn.resolve()->class_name() == "MeanMetricWrapper");
  fn.resolve()->update_state(f({1, 2}), f({2, 2}));
  check_values(fn.resolve()->result(), std::vector<double>{0.5});
  m::MetricArg cfg = keras::Value::from_json(R"({"class_name": "BinaryAccuracy", "config": {"threshold": 0.3}})");
  CHECK(cfg.resolve()->get_config().at("threshold").as_double() == doctest::Approx(0.3));
  CHECK_THROWS_MSG(m::MetricArg("nope"), std::invalid_argument, "nope");

  // "accuracy" / "acc" are resolved like Keras's compile(): by the loss, else by shapes.
  m::MetricArg acc = "accuracy";
  CHECK(acc.is_accuracy_alias());
  CHECK(acc.ptr() == nullptr);
  CHECK(acc.resolve("binary_crossentropy")->class_name() == "BinaryAccuracy");
  CHECK(acc.resolve("sparse_categorical_crossentropy")->class_name() == "SparseCategoricalAccuracy");
  CHECK(acc.resolve("categorical_crossentropy")->class_name() == "CategoricalAccuracy");
  CHECK(acc.resolve("SparseCategoricalCrossentropy")->name() == "accuracy");
  CHECK(m::MetricArg("acc").resolve("bce")->name() == "acc");
  CHECK(m::resolve_accuracy("mse", Shape{32, 1}, Shape{32, 1})->class_name() == "BinaryAccuracy");
  CHECK(m::resolve_accuracy("", Shape{32}, Shape{32, 10})->class_name() == "SparseCategoricalAccuracy");
  CHECK(m::resolve_accuracy("", Shape{32, 1}, Shape{32, 10})->class_name() == "SparseCategoricalAccuracy");
  CHECK(m::resolve_accuracy("", Shape{32, 10}, Shape{32, 10})->class_name() == "CategoricalAccuracy");
  CHECK(m::resolve_accuracy("")->class_name() == "CategoricalAccuracy");
}
