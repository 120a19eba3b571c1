// test_metrics_more.cpp - IoU, BinaryIoU, OneHotIoU, OneHotMeanIoU, PearsonCorrelation,
// ConcordanceCorrelation (and their functions), SensitivityAtSpecificity,
// SpecificityAtSensitivity, PrecisionAtRecall and RecallAtPrecision against Keras 3's own
// results and configs (tests/data/metrics/metrics.json, written by make_metric_fixtures.py).
#include <cctype>
#include <functional>
#include <string>

#include "files.h"
#include "helpers.h"
#include "keras/keras.h"
#include "test_data_dir.h"

using namespace th;
namespace m = keras::metrics;

namespace {
const keras::Value& fixtures() {
  static const keras::Value v =
      keras::Value::from_json(read_bytes(std::string(KERAS_TEST_DATA_DIR) + "/metrics/metrics.json"));
  return v;
}

// A nested JSON list of numbers as a float32 tensor of its shape.
Tensor tensor_of(const keras::Value& v) {
  std::vector<int64_t> dims;
  const keras::Value* cur = &v;
  while (cur->type() == keras::Value::Type::list) {
    dims.push_back(int64_t(cur->as_list().size()));
    if (cur->as_list().empty()) break;
    cur = &cur->as_list()[0];
  }
  std::vector<double> flat;
  std::function<void(const keras::Value&)> walk = [&](const keras::Value& x) {
    if (x.type() == keras::Value::Type::list)
      for (const keras::Value& y : x.as_list()) walk(y);
    else
      flat.push_back(x.as_double());
  };
  walk(v);
  return make(flat, Shape(dims), DType::float32);
}

// The class's metric from Keras's config (through deserialize), updated as the fixture
// was, compared with Keras's result; the config written back equals Keras's.
void check_case(const std::string& key, const std::string& cls, double tol = 1e-5) {
  CAPTURE(key);
  const keras::Value& c = fixtures().at(key);
  keras::Config entry = keras::Config::object();
  entry["class_name"] = cls;
  entry["config"] = c.at("config");
  m::MetricPtr metric = m::deserialize(entry);
  for (int pass = 0; pass < 2; ++pass) {  // (again after reset_state)
    for (const keras::Value& u : c.at("updates").as_list()) {
      const auto& args = u.as_list();
      metric->update_state(tensor_of(args[0]), tensor_of(args[1]), args[2].is_null() ? Tensor() : tensor_of(args[2]));
    }
    CHECK(metric->result().dtype() == DType::float32);
    CHECK(metric->result().item<double>() == doctest::Approx(c.at("result").as_double()).epsilon(tol));
    metric->reset_state();
  }
  const keras::Config mine = metric->get_config();
  for (const auto& [k, v] : c.at("config").items()) {
    CAPTURE(k);
    REQUIRE(mine.contains(k));
    if (v.type() == keras::Value::Type::number) CHECK(mine.at(k).as_double() == doctest::Approx(v.as_double()));
    else if (v.type() == keras::Value::Type::list) CHECK(mine.at(k).to_json() == v.to_json());
    else CHECK(mine.at(k) == v);
  }
  CHECK(mine.items().size() == c.at("config").items().size());
}
}  // namespace

TEST_CASE("IoU, MeanIoU, BinaryIoU, OneHotIoU, OneHotMeanIoU match Keras 3 (int64 counts by default)") {
  check_case("iou", "IoU");
  check_case("iou_ignore", "IoU");
  check_case("iou_absent", "IoU");
  check_case("mean_iou", "MeanIoU");
  check_case("binary_iou", "BinaryIoU");
  check_case("binary_iou_t", "BinaryIoU");
  check_case("one_hot_iou", "OneHotIoU");
  check_case("one_hot_mean_iou", "OneHotMeanIoU");
  // Default names and dtypes, as Keras.
  CHECK(m::IoU(3, {0}).name() == "io_u");
  CHECK(m::BinaryIoU().name() == "binary_io_u");
  CHECK(m::OneHotIoU(3, {1}).name() == "one_hot_io_u");
  CHECK(m::OneHotMeanIoU(3).name() == "one_hot_mean_io_u");
  CHECK(m::MeanIoU(3).dtype() == DType::int64);
}

TEST_CASE("IoU family: errors name the metric and the values") {
  CHECK_THROWS_WITH_AS(m::IoU(3, {0, 3}), doctest::Contains("io_u: target class id 3 is out of range, which is [0, 3)"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(m::IoU(3, {}), doctest::Contains("expected at least one target class id"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(m::BinaryIoU({.target_class_ids = {2}}), doctest::Contains("target class id 2"),
                       std::invalid_argument);
  m::IoU iou(2, {1});
  CHECK_THROWS_WITH_AS(iou.update_state(core::constant({0, 2}), core::constant({0, 1})),
                       doctest::Contains("label 2"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(m::get("io_u"), doctest::Contains("IoU needs num_classes"), std::invalid_argument);
}

TEST_CASE("PearsonCorrelation, ConcordanceCorrelation and their functions match Keras 3") {
  check_case("pearson", "PearsonCorrelation");
  check_case("pearson_axis0", "PearsonCorrelation");
  check_case("concordance", "ConcordanceCorrelation");
  const keras::Value& p = fixtures().at("pearson_fn");
  check_values(m::pearson_correlation(tensor_of(p.at("y_true")), tensor_of(p.at("y_pred"))), values(tensor_of(p.at("result"))),
               1e-5);
  const keras::Value& c = fixtures().at("concordance_fn");
  check_values(m::concordance_correlation(tensor_of(c.at("y_true")), tensor_of(c.at("y_pred")), 0),
               values(tensor_of(c.at("result"))), 1e-5);
  CHECK(m::get("pearson_correlation")->class_name() == "PearsonCorrelation");
  CHECK(m::get("concordance_correlation")->name() == "concordance_correlation");
}

TEST_CASE("SensitivityAtSpecificity, SpecificityAtSensitivity, PrecisionAtRecall, RecallAtPrecision match Keras 3") {
  for (const std::string cls : {"SensitivityAtSpecificity", "SpecificityAtSensitivity", "PrecisionAtRecall",
                                "RecallAtPrecision"}) {
    std::string key;
    for (char ch : cls) key += char(std::tolower(static_cast<unsigned char>(ch)));
    for (const std::string suffix : {"", "_t7", "_t1", "_class", "_strict"}) check_case(key + suffix, cls);
  }
  CHECK_THROWS_WITH_AS(m::PrecisionAtRecall(1.5), doctest::Contains("precision_at_recall: expected recall in [0, 1]"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(m::RecallAtPrecision(0.5, {.num_thresholds = 0}),
                       doctest::Contains("expected num_thresholds > 0"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(m::get("recall_at_precision"), doctest::Contains("RecallAtPrecision needs precision"),
                       std::invalid_argument);
  // An empty batch changes nothing; thresholds are Keras's.
  m::SensitivityAtSpecificity s(0.5, {.num_thresholds = 3});
  CHECK(s.thresholds() == std::vector<double>{0.0, 0.5, 1.0});
  s.update_state(ops::zeros({0}), ops::zeros({0}));
  CHECK(s.result().item<float>() == 0.0f);
}

TEST_CASE("loss-function metrics: KLDivergence, Poisson, the hinges, MSLE: Keras 3's values, names and aliases") {
  const Tensor t = keras::core::constant({{0.2, 0.8}, {0.6, 0.4}, {1.0, 0.0}});
  const Tensor p = keras::core::constant({{0.3, 0.7}, {0.5, 0.5}, {0.9, 0.1}});
  const Tensor sw = keras::core::constant({1.0, 2.0, 0.5});
  // keras.metrics.get(name) updated on (t, p), then each class with sample weights (Keras 3.15).
  const std::vector<std::tuple<const char*, const char*, double, double>> cases = {
      {"kl_divergence", "KLDivergence", 0.050408948212862015, 0.033909376710653305},
      {"poisson", "Poisson", 0.7207736372947693, 0.7807297706604004},
      {"hinge", "Hinge", 0.6633333563804626, 0.704285740852356},
      {"squared_hinge", "SquaredHinge", 0.5361999869346619, 0.548885703086853},
      {"categorical_hinge", "CategoricalHinge", 0.5400000214576721, 0.662857174873352},
      {"mean_squared_logarithmic_error", "MeanSquaredLogarithmicError", 0.005052360240370035, 0.004768842365592718},
      {"msle", "MeanSquaredLogarithmicError", 0.005052360240370035, 0.004768842365592718}};
  for (const auto& [name, cls, plain, weighted] : cases) {
    CAPTURE(name);
    auto m = keras::metrics::get(name);
    m->update_state(t, p);
    CHECK(m->result().item<double>() == doctest::Approx(plain).epsilon(1e-6));
    auto c = keras::metrics::get(cls);
    CHECK(c->class_name() == cls);
    if (std::string(name) != "msle") CHECK(c->name() == name);
    c->update_state(t, p, sw);
    CHECK(c->result().item<double>() == doctest::Approx(weighted).epsilon(1e-6));
    auto again = keras::metrics::deserialize(keras::metrics::serialize(*c));
    CHECK(again->class_name() == cls);
  }
}

TEST_CASE("metrics: a mean metric of a function leaves out y_pred's masked steps, as Keras's apply_mask") {
  // Keras 3.15: MeanAbsoluteError().update_state(t, p (with _keras_mask), sample_weight)
  // gives 0.3124999701976776 without weights and 0.3545454442501068 with them (unmasked:
  // 0.3166666626930237 and 0.34705883264541626).
  const Tensor t = make({1, 0, 0, 1, 1, 1, 0, 0, 1, 0, 0.5, 0.5}, Shape({2, 3, 2}));
  const Tensor p = make({0.8, 0.1, 0.3, 0.6, 0.2, 0.9, 0.4, 0.4, 0.7, 0.2, 0.1, 0.3}, Shape({2, 3, 2}));
  const Tensor mask = ops::cast(make({1, 0, 1, 1, 1, 0}, Shape({2, 3})), DType::bool_);
  const Tensor sw = make({1, 2, 3, 0.5, 1, 1}, Shape({2, 3}));
  Tensor masked = ops::multiply(p, core::constant(1.0f));  // a new tensor to carry the mask
  masked.set_keras_mask(mask);
  m::MeanAbsoluteError a, b, plain;
  a.update_state(t, masked);
  b.update_state(t, masked, sw);
  plain.update_state(t, p);
  CHECK(a.result().item<float>() == doctest::Approx(0.3124999701976776).epsilon(1e-6));
  CHECK(b.result().item<float>() == doctest::Approx(0.3545454442501068).epsilon(1e-6));
  CHECK(plain.result().item<float>() == doctest::Approx(0.3166666626930237).epsilon(1e-6));
}
