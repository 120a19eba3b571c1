// registry.cpp - get(), serialize()/deserialize(), registration, MetricArg.
#include "keras/metrics/registry.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <mutex>
#include <set>

#include "keras/custom_object_scope.h"
#include "keras/losses.h"
#include "keras/metrics/accuracy_metrics.h"
#include "keras/metrics/builtin_configs.h"
#include "keras/metrics/confusion_metrics.h"
#include "keras/metrics/correlation_metrics.h"
#include "keras/metrics/f_score_metrics.h"
#include "keras/metrics/iou_metrics.h"
#include "keras/metrics/metrics_utils.h"
#include "keras/metrics/probabilistic_metrics.h"
#include "keras/metrics/regression_metrics.h"

namespace keras::metrics {

using detail::fail;

namespace {

using Table = std::map<std::string, MetricFactory>;
const Table& builtin_classes() { return detail::builtin_metric_classes(); }

// Keras's to_snake_case of the class names, plus its aliases.
const std::map<std::string, std::string>& builtin_aliases() {
  static const std::map<std::string, std::string> a = [] {
    std::map<std::string, std::string> m;
    for (const auto& [cls, f] : builtin_classes()) m[cls] = cls;
    const std::pair<const char*, const char*> extra[] = {
        {"mean", "Mean"},
        {"sum", "Sum"},
        {"mean_metric_wrapper", "MeanMetricWrapper"},
        {"accuracy", "Accuracy"},
        {"acc", "Accuracy"},
        {"binary_accuracy", "BinaryAccuracy"},
        {"categorical_accuracy", "CategoricalAccuracy"},
        {"sparse_categorical_accuracy", "SparseCategoricalAccuracy"},
        {"top_k_categorical_accuracy", "TopKCategoricalAccuracy"},
        {"sparse_top_k_categorical_accuracy", "SparseTopKCategoricalAccuracy"},
        {"mean_squared_error", "MeanSquaredError"},
        {"mse", "MeanSquaredError"},
        {"MSE", "MeanSquaredError"},
        {"mean_absolute_error", "MeanAbsoluteError"},
        {"mae", "MeanAbsoluteError"},
        {"MAE", "MeanAbsoluteError"},
        {"mean_absolute_percentage_error", "MeanAbsolutePercentageError"},
        {"mape", "MeanAbsolutePercentageError"},
        {"MAPE", "MeanAbsolutePercentageError"},
        {"root_mean_squared_error", "RootMeanSquaredError"},
        {"cosine_similarity", "CosineSimilarity"},
        {"log_cosh_error", "LogCoshError"},
        {"logcosh", "LogCoshError"},
        {"r2_score", "R2Score"},
        {"binary_crossentropy", "BinaryCrossentropy"},
        {"bce", "BinaryCrossentropy"},
        {"BCE", "BinaryCrossentropy"},
        {"categorical_crossentropy", "CategoricalCrossentropy"},
        {"sparse_categorical_crossentropy", "SparseCategoricalCrossentropy"},
        {"true_positives", "TruePositives"},
        {"false_positives", "FalsePositives"},
        {"true_negatives", "TrueNegatives"},
        {"false_negatives", "FalseNegatives"},
        {"precision", "Precision"},
        {"recall", "Recall"},
        {"auc", "AUC"},
        {"f1_score", "F1Score"},
        {"f_beta_score", "FBetaScore"},
        {"fbeta_score", "FBetaScore"},
        {"mean_io_u", "MeanIoU"},
        {"io_u", "IoU"},
        {"binary_io_u", "BinaryIoU"},
        {"one_hot_io_u", "OneHotIoU"},
        {"one_hot_mean_io_u", "OneHotMeanIoU"},
        {"pearson_correlation", "PearsonCorrelation"},
        {"concordance_correlation", "ConcordanceCorrelation"},
        {"sensitivity_at_specificity", "SensitivityAtSpecificity"},
        {"specificity_at_sensitivity", "SpecificityAtSensitivity"},
        {"precision_at_recall", "PrecisionAtRecall"},
        {"recall_at_precision", "RecallAtPrecision"},
        {"kl_divergence", "KLDivergence"},
        {"poisson", "Poisson"},
        {"hinge", "Hinge"},
        {"squared_hinge", "SquaredHinge"},
        {"categorical_hinge", "CategoricalHinge"},
        {"mean_squared_logarithmic_error", "MeanSquaredLogarithmicError"},
        {"msle", "MeanSquaredLogarithmicError"},
        {"MSLE", "MeanSquaredLogarithmicError"}};
    for (const auto& [k, v] : extra) m[k] = v;
    return m;
  }();
  return a;
}

std::mutex& registry_mutex() {
  static std::mutex m;
  return m;
}
Table& user_classes() {
  static Table t;
  return t;
}
std::map<std::string, MetricFunction>& user_functions() {
  static std::map<std::string, MetricFunction> t;
  return t;
}

const std::map<std::string, MetricFunction>& builtin_functions() {
  static const std::map<std::string, MetricFunction> t = {
      {"accuracy", [](const Tensor& a, const Tensor& b) { return accuracy(a, b); }},
      {"binary_accuracy", [](const Tensor& a, const Tensor& b) { return binary_accuracy(a, b); }},
      {"categorical_accuracy", [](const Tensor& a, const Tensor& b) { return categorical_accuracy(a, b); }},
      {"sparse_categorical_accuracy",
       [](const Tensor& a, const Tensor& b) { return sparse_categorical_accuracy(a, b); }},
      {"top_k_categorical_accuracy", [](const Tensor& a, const Tensor& b) { return top_k_categorical_accuracy(a, b); }},
      {"sparse_top_k_categorical_accuracy",
       [](const Tensor& a, const Tensor& b) { return sparse_top_k_categorical_accuracy(a, b); }},
      {"mean_squared_error", [](const Tensor& a, const Tensor& b) { return mean_squared_error(a, b); }},
      {"mean_absolute_error", [](const Tensor& a, const Tensor& b) { return mean_absolute_error(a, b); }},
      {"mean_absolute_percentage_error",
       [](const Tensor& a, const Tensor& b) { return mean_absolute_percentage_error(a, b); }},
      {"log_cosh", [](const Tensor& a, const Tensor& b) { return log_cosh(a, b); }},
      {"cosine_similarity", [](const Tensor& a, const Tensor& b) { return cosine_similarity(a, b); }},
      {"pearson_correlation", [](const Tensor& a, const Tensor& b) { return pearson_correlation(a, b); }},
      {"concordance_correlation", [](const Tensor& a, const Tensor& b) { return concordance_correlation(a, b); }},
      {"binary_crossentropy", [](const Tensor& a, const Tensor& b) { return binary_crossentropy(a, b); }},
      {"categorical_crossentropy", [](const Tensor& a, const Tensor& b) { return categorical_crossentropy(a, b); }},
      {"sparse_categorical_crossentropy",
       [](const Tensor& a, const Tensor& b) { return sparse_categorical_crossentropy(a, b); }},
      // Loss functions Keras's metrics module exports too (Keras 2's metrics=["msle"] saved a
      // MeanMetricWrapper of one).
      {"kl_divergence", [](const Tensor& a, const Tensor& b) { return losses::kl_divergence(a, b); }},
      {"poisson", [](const Tensor& a, const Tensor& b) { return losses::poisson(a, b); }},
      {"hinge", [](const Tensor& a, const Tensor& b) { return losses::hinge(a, b); }},
      {"squared_hinge", [](const Tensor& a, const Tensor& b) { return losses::squared_hinge(a, b); }},
      {"categorical_hinge", [](const Tensor& a, const Tensor& b) { return losses::categorical_hinge(a, b); }},
      {"mean_squared_logarithmic_error",
       [](const Tensor& a, const Tensor& b) { return losses::mean_squared_logarithmic_error(a, b); }},
  };
  return t;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i];
  return s;
}

MetricFactory find_factory(const std::string& name) {
  if (auto scoped = keras::detail::scoped<MetricPtr>(Family::metric, name)) return scoped;
  {
    std::lock_guard<std::mutex> lock(registry_mutex());
    auto& u = user_classes();
    if (auto it = u.find(name); it != u.end()) return it->second;
  }
  const auto& aliases = builtin_aliases();
  if (auto it = aliases.find(name); it != aliases.end()) return builtin_classes().at(it->second);
  return nullptr;
}

std::string lower(std::string s) {
  for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

}  // namespace

std::vector<std::string> names() {
  std::vector<std::string> out;
  for (const auto& [k, v] : builtin_aliases()) out.push_back(k);
  {
    std::lock_guard<std::mutex> lock(registry_mutex());
    for (const auto& [k, v] : user_classes()) out.push_back(k);
  }
  std::sort(out.begin(), out.end());
  return out;
}

MetricPtr get(const std::string& name) {
  MetricFactory f = find_factory(name);
  if (!f) fail("metrics.get: unknown metric '" + name + "'; known names: " + join(names()));
  return f(keras::Config::object());
}

keras::Config serialize(const Metric& metric) {
  keras::Config c = keras::Config::object();
  c["class_name"] = metric.class_name();
  c["config"] = metric.get_config();
  return c;
}

MetricPtr deserialize(const keras::Config& config) {
  if (config.type() == keras::Value::Type::string) return get(config.as_string());
  if (!config.is_object() || !config.contains("class_name"))
    fail("metrics.deserialize: expected a metric name or {\"class_name\": ..., \"config\": {...}}, "
         "but received " + config.to_json());
  const std::string& cls = config.at("class_name").as_string();
  MetricFactory f = find_factory(cls);
  if (!f) fail("metrics.deserialize: unknown metric class '" + cls + "'; known names: " + join(names()));
  const keras::Value* inner = config.find("config");
  return f(inner ? *inner : keras::Config::object());
}

void register_metric(const std::string& class_name, MetricFactory factory) {
  if (class_name.empty()) fail("metrics.register_metric: expected a non-empty class name");
  if (builtin_aliases().count(class_name))
    fail("metrics.register_metric: '" + class_name + "' is a built-in metric and cannot be replaced");
  if (!factory) fail("metrics.register_metric: expected a factory for '" + class_name + "'");
  std::lock_guard<std::mutex> lock(registry_mutex());
  user_classes()[class_name] = std::move(factory);
}

void register_metric_function(const std::string& name, MetricFunction fn) {
  if (name.empty()) fail("metrics.register_metric_function: expected a non-empty name");
  if (builtin_functions().count(name))
    fail("metrics.register_metric_function: '" + name + "' is a built-in function and cannot be replaced");
  if (!fn) fail("metrics.register_metric_function: expected a function for '" + name + "'");
  std::lock_guard<std::mutex> lock(registry_mutex());
  user_functions()[name] = std::move(fn);
}

MetricFunction get_function(const std::string& name) {
  if (auto it = builtin_functions().find(name); it != builtin_functions().end()) return it->second;
  std::lock_guard<std::mutex> lock(registry_mutex());
  auto& u = user_functions();
  if (auto it = u.find(name); it != u.end()) return it->second;
  std::vector<std::string> known;
  for (const auto& [k, v] : builtin_functions()) known.push_back(k);
  for (const auto& [k, v] : u) known.push_back(k);
  fail("metrics.get_function: unknown metric function '" + name + "'; known functions: " + join(known));
}

MetricPtr resolve_accuracy(const std::string& loss_name, const std::optional<Shape>& y_true_shape,
                           const std::optional<Shape>& y_pred_shape, const std::string& name) {
  static const std::set<std::string> binary = {"binary_crossentropy", "bce", "BinaryCrossentropy",
                                               "binary_focal_crossentropy", "BinaryFocalCrossentropy"};
  static const std::set<std::string> categorical = {"categorical_crossentropy", "cce",
                                                    "CategoricalCrossentropy",
                                                    "categorical_focal_crossentropy",
                                                    "CategoricalFocalCrossentropy"};
  static const std::set<std::string> sparse = {"sparse_categorical_crossentropy",
                                               "SparseCategoricalCrossentropy"};
  if (binary.count(loss_name) || lower(loss_name) == "bce")
    return std::make_shared<BinaryAccuracy>(BinaryAccuracyOptions{.name = name});
  if (sparse.count(loss_name))
    return std::make_shared<SparseCategoricalAccuracy>(SparseCategoricalAccuracyOptions{.name = name});
  if (categorical.count(loss_name))
    return std::make_shared<CategoricalAccuracy>(CategoricalAccuracyOptions{.name = name});
  if (y_true_shape && y_pred_shape && y_pred_shape->rank() > 0) {
    const Shape& t = *y_true_shape;
    const Shape& p = *y_pred_shape;
    int64_t p_last = p[p.rank() - 1];
    int64_t t_last = t.rank() > 0 ? t[t.rank() - 1] : 1;
    if (p_last == 1) return std::make_shared<BinaryAccuracy>(BinaryAccuracyOptions{.name = name});
    if (t.rank() < p.rank() || (t_last == 1 && p_last > 1))
      return std::make_shared<SparseCategoricalAccuracy>(SparseCategoricalAccuracyOptions{.name = name});
  }
  return std::make_shared<CategoricalAccuracy>(CategoricalAccuracyOptions{.name = name});
}

// ---- MetricArg -------------------------------------------------------------------------
MetricArg::MetricArg(const std::string& name) : name_(name) {
  if (!is_accuracy_alias()) ptr_ = get(name);
}

bool MetricArg::is_accuracy_alias() const {
  std::string l = lower(name_);
  return l == "accuracy" || l == "acc";
}

MetricPtr MetricArg::resolve(const std::string& loss_name, const std::optional<Shape>& y_true_shape,
                             const std::optional<Shape>& y_pred_shape) const {
  if (is_accuracy_alias()) return resolve_accuracy(loss_name, y_true_shape, y_pred_shape, name_);
  return ptr_;
}

}  // namespace keras::metrics
