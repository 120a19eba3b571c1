// registry.cpp - get(), serialize()/deserialize(), registration, MetricArg.
#include "keras/metrics/registry.h"
#include "keras/custom_object_scope.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <mutex>
#include <set>

#include "keras/metrics/accuracy_metrics.h"
#include "keras/metrics/confusion_metrics.h"
#include "keras/metrics/f_score_metrics.h"
#include "keras/metrics/iou_metrics.h"
#include "keras/metrics/metrics_utils.h"
#include "keras/metrics/probabilistic_metrics.h"
#include "keras/metrics/regression_metrics.h"

namespace keras::metrics {

using detail::fail;

namespace {

// Reads a metric config, remembering which keys were used so that unknown keys can be
// reported.
class Reader {
 public:
  Reader(const keras::Config& c, std::string cls) : c_(c), cls_(std::move(cls)) {
    if (!c_.is_null() && !c_.is_object())
      fail("metrics.deserialize: expected the config of " + cls_ + " to be an object, but received " +
           c_.type_name());
  }
  const keras::Value* find(const std::string& key) {
    used_.insert(key);
    return c_.is_object() ? c_.find(key) : nullptr;
  }
  std::string str(const std::string& key, const std::string& def) {
    const keras::Value* v = find(key);
    return v && !v->is_null() ? v->as_string() : def;
  }
  double num(const std::string& key, double def) {
    const keras::Value* v = find(key);
    return v && !v->is_null() ? v->as_double() : def;
  }
  int64_t integer(const std::string& key, int64_t def) {
    const keras::Value* v = find(key);
    return v && !v->is_null() ? v->as_int() : def;
  }
  bool boolean(const std::string& key, bool def) {
    const keras::Value* v = find(key);
    return v && !v->is_null() ? v->as_bool() : def;
  }
  std::optional<std::string> opt_str(const std::string& key, std::optional<std::string> def) {
    const keras::Value* v = find(key);
    if (!v) return def;
    if (v->is_null()) return std::nullopt;
    return v->as_string();
  }
  std::optional<double> opt_num(const std::string& key) {
    const keras::Value* v = find(key);
    if (!v || v->is_null()) return std::nullopt;
    return v->as_double();
  }
  std::optional<int64_t> opt_int(const std::string& key) {
    const keras::Value* v = find(key);
    if (!v || v->is_null()) return std::nullopt;
    return v->as_int();
  }
  std::vector<double> numbers(const std::string& key) {  // null, a number or a list
    const keras::Value* v = find(key);
    std::vector<double> out;
    if (!v || v->is_null()) return out;
    if (v->type() == keras::Value::Type::list) {
      for (const auto& x : v->as_list()) out.push_back(x.as_double());
    } else {
      out.push_back(v->as_double());
    }
    return out;
  }
  std::string name(const std::string& def) { return str("name", def); }
  DType dtype() { return core::dtype_from_name(str("dtype", "float32")); }
  template <class M>
  MetricPtr done(std::shared_ptr<M> m) {
    if (c_.is_object())
      for (const auto& [k, v] : c_.items())
        if (!used_.count(k))
          fail("metrics.deserialize: unexpected key '" + k + "' in the config of " + cls_);
    return m;
  }

 private:
  const keras::Config& c_;
  std::string cls_;
  std::set<std::string> used_;
};

using Table = std::map<std::string, MetricFactory>;

template <class M, class O>
MetricFactory name_dtype_factory(const char* cls, const char* default_name) {
  return [cls, default_name](const keras::Config& c) {
    Reader r(c, cls);
    O o;
    o.name = r.name(default_name);
    o.dtype = r.dtype();
    return r.done(std::make_shared<M>(o));
  };
}

const Table& builtin_classes() {
  static const Table table = [] {
    Table t;
    t["Mean"] = name_dtype_factory<Mean, MeanOptions>("Mean", "mean");
    t["Sum"] = name_dtype_factory<Sum, SumOptions>("Sum", "sum");
    t["MeanMetricWrapper"] = [](const keras::Config& c) {
      Reader r(c, "MeanMetricWrapper");
      std::string name = r.name("mean_metric_wrapper");
      DType dtype = r.dtype();
      std::string fn = r.str("fn", "");
      if (fn.empty()) fail("metrics.deserialize: the config of MeanMetricWrapper needs \"fn\"");
      return r.done(std::make_shared<MeanMetricWrapper>(get_function(fn), name, dtype, fn));
    };
    t["Accuracy"] = name_dtype_factory<Accuracy, AccuracyOptions>("Accuracy", "accuracy");
    t["BinaryAccuracy"] = [](const keras::Config& c) {
      Reader r(c, "BinaryAccuracy");
      BinaryAccuracyOptions o;
      o.name = r.name(o.name);
      o.dtype = r.dtype();
      o.threshold = r.num("threshold", o.threshold);
      return r.done(std::make_shared<BinaryAccuracy>(o));
    };
    t["CategoricalAccuracy"] = name_dtype_factory<CategoricalAccuracy, CategoricalAccuracyOptions>(
        "CategoricalAccuracy", "categorical_accuracy");
    t["SparseCategoricalAccuracy"] =
        name_dtype_factory<SparseCategoricalAccuracy, SparseCategoricalAccuracyOptions>(
            "SparseCategoricalAccuracy", "sparse_categorical_accuracy");
    t["TopKCategoricalAccuracy"] = [](const keras::Config& c) {
      Reader r(c, "TopKCategoricalAccuracy");
      TopKCategoricalAccuracyOptions o;
      o.name = r.name(o.name);
      o.dtype = r.dtype();
      o.k = r.integer("k", o.k);
      return r.done(std::make_shared<TopKCategoricalAccuracy>(o));
    };
    t["SparseTopKCategoricalAccuracy"] = [](const keras::Config& c) {
      Reader r(c, "SparseTopKCategoricalAccuracy");
      SparseTopKCategoricalAccuracyOptions o;
      o.name = r.name(o.name);
      o.dtype = r.dtype();
      o.k = r.integer("k", o.k);
      return r.done(std::make_shared<SparseTopKCategoricalAccuracy>(o));
    };
    t["MeanSquaredError"] = name_dtype_factory<MeanSquaredError, MeanSquaredErrorOptions>(
        "MeanSquaredError", "mean_squared_error");
    t["MeanAbsoluteError"] = name_dtype_factory<MeanAbsoluteError, MeanAbsoluteErrorOptions>(
        "MeanAbsoluteError", "mean_absolute_error");
    t["MeanAbsolutePercentageError"] =
        name_dtype_factory<MeanAbsolutePercentageError, MeanAbsolutePercentageErrorOptions>(
            "MeanAbsolutePercentageError", "mean_absolute_percentage_error");
    t["LogCoshError"] = name_dtype_factory<LogCoshError, LogCoshErrorOptions>("LogCoshError", "logcosh");
    t["RootMeanSquaredError"] = name_dtype_factory<RootMeanSquaredError, RootMeanSquaredErrorOptions>(
        "RootMeanSquaredError", "root_mean_squared_error");
    t["CosineSimilarity"] = [](const keras::Config& c) {
      Reader r(c, "CosineSimilarity");
      CosineSimilarityOptions o;
      o.name = r.name(o.name);
      o.dtype = r.dtype();
      o.axis = r.integer("axis", o.axis);
      return r.done(std::make_shared<CosineSimilarity>(o));
    };
    t["R2Score"] = [](const keras::Config& c) {
      Reader r(c, "R2Score");
      R2ScoreOptions o;
      o.name = r.name(o.name);
      o.dtype = r.dtype();
      o.class_aggregation = r.opt_str("class_aggregation", o.class_aggregation);
      o.num_regressors = r.integer("num_regressors", o.num_regressors);
      return r.done(std::make_shared<R2Score>(o));
    };
    t["BinaryCrossentropy"] = [](const keras::Config& c) {
      Reader r(c, "BinaryCrossentropy");
      BinaryCrossentropyOptions o;
      o.name = r.name(o.name);
      o.dtype = r.dtype();
      o.from_logits = r.boolean("from_logits", o.from_logits);
      o.label_smoothing = r.num("label_smoothing", o.label_smoothing);
      return r.done(std::make_shared<BinaryCrossentropy>(o));
    };
    t["CategoricalCrossentropy"] = [](const keras::Config& c) {
      Reader r(c, "CategoricalCrossentropy");
      CategoricalCrossentropyOptions o;
      o.name = r.name(o.name);
      o.dtype = r.dtype();
      o.from_logits = r.boolean("from_logits", o.from_logits);
      o.label_smoothing = r.num("label_smoothing", o.label_smoothing);
      o.axis = r.integer("axis", o.axis);
      return r.done(std::make_shared<CategoricalCrossentropy>(o));
    };
    t["SparseCategoricalCrossentropy"] = [](const keras::Config& c) {
      Reader r(c, "SparseCategoricalCrossentropy");
      SparseCategoricalCrossentropyOptions o;
      o.name = r.name(o.name);
      o.dtype = r.dtype();
      o.from_logits = r.boolean("from_logits", o.from_logits);
      o.axis = r.integer("axis", o.axis);
      return r.done(std::make_shared<SparseCategoricalCrossentropy>(o));
    };
    auto count = [](const char* cls, auto make) {
      return [cls, make](const keras::Config& c) {
        Reader r(c, cls);
        ConfusionCountOptions o;
        o.name = r.name("");
        o.dtype = r.dtype();
        o.thresholds = r.numbers("thresholds");
        return r.done(make(o));
      };
    };
    t["TruePositives"] = count("TruePositives", [](const ConfusionCountOptions& o) {
      return std::make_shared<TruePositives>(o);
    });
    t["FalsePositives"] = count("FalsePositives", [](const ConfusionCountOptions& o) {
      return std::make_shared<FalsePositives>(o);
    });
    t["TrueNegatives"] = count("TrueNegatives", [](const ConfusionCountOptions& o) {
      return std::make_shared<TrueNegatives>(o);
    });
    t["FalseNegatives"] = count("FalseNegatives", [](const ConfusionCountOptions& o) {
      return std::make_shared<FalseNegatives>(o);
    });
    auto pr = [](const char* cls, auto make) {
      return [cls, make](const keras::Config& c) {
        Reader r(c, cls);
        PrecisionRecallOptions o;
        o.name = r.name("");
        o.dtype = r.dtype();
        o.thresholds = r.numbers("thresholds");
        o.top_k = r.opt_int("top_k");
        o.class_id = r.opt_int("class_id");
        return r.done(make(o));
      };
    };
    t["Precision"] = pr("Precision", [](const PrecisionRecallOptions& o) {
      return std::make_shared<Precision>(o);
    });
    t["Recall"] = pr("Recall", [](const PrecisionRecallOptions& o) { return std::make_shared<Recall>(o); });
    t["AUC"] = [](const keras::Config& c) {
      Reader r(c, "AUC");
      AUCOptions o;
      o.name = r.name("");
      o.dtype = r.dtype();
      o.num_thresholds = r.integer("num_thresholds", o.num_thresholds);
      o.curve = r.str("curve", o.curve);
      o.summation_method = r.str("summation_method", o.summation_method);
      o.thresholds = r.numbers("thresholds");
      o.multi_label = r.boolean("multi_label", o.multi_label);
      o.num_labels = r.opt_int("num_labels");
      o.label_weights = r.numbers("label_weights");
      o.from_logits = r.boolean("from_logits", o.from_logits);
      return r.done(std::make_shared<AUC>(o));
    };
    t["FBetaScore"] = [](const keras::Config& c) {
      Reader r(c, "FBetaScore");
      FBetaScoreOptions o;
      o.name = r.name(o.name);
      o.dtype = r.dtype();
      o.average = r.opt_str("average", o.average);
      o.beta = r.num("beta", o.beta);
      o.threshold = r.opt_num("threshold");
      return r.done(std::make_shared<FBetaScore>(o));
    };
    t["F1Score"] = [](const keras::Config& c) {
      Reader r(c, "F1Score");
      F1ScoreOptions o;
      o.name = r.name(o.name);
      o.dtype = r.dtype();
      o.average = r.opt_str("average", o.average);
      o.threshold = r.opt_num("threshold");
      return r.done(std::make_shared<F1Score>(o));
    };
    t["MeanIoU"] = [](const keras::Config& c) {
      Reader r(c, "MeanIoU");
      std::optional<int64_t> num_classes = r.opt_int("num_classes");
      if (!num_classes) fail("metrics.deserialize: MeanIoU needs num_classes in its config");
      MeanIoUOptions o;
      o.name = r.name("");
      o.dtype = r.dtype();
      o.ignore_class = r.opt_int("ignore_class");
      o.sparse_y_true = r.boolean("sparse_y_true", o.sparse_y_true);
      o.sparse_y_pred = r.boolean("sparse_y_pred", o.sparse_y_pred);
      o.axis = r.integer("axis", o.axis);
      return r.done(std::make_shared<MeanIoU>(*num_classes, o));
    };
    return t;
  }();
  return table;
}

// Keras's to_snake_case of the class names, plus its aliases.
const std::map<std::string, std::string>& builtin_aliases() {
  static const std::map<std::string, std::string> a = [] {
    std::map<std::string, std::string> m;
    for (const auto& [cls, f] : builtin_classes()) m[cls] = cls;
    const std::pair<const char*, const char*> extra[] = {
        {"mean", "Mean"}, {"sum", "Sum"}, {"mean_metric_wrapper", "MeanMetricWrapper"},
        {"accuracy", "Accuracy"}, {"acc", "Accuracy"}, {"binary_accuracy", "BinaryAccuracy"},
        {"categorical_accuracy", "CategoricalAccuracy"},
        {"sparse_categorical_accuracy", "SparseCategoricalAccuracy"},
        {"top_k_categorical_accuracy", "TopKCategoricalAccuracy"},
        {"sparse_top_k_categorical_accuracy", "SparseTopKCategoricalAccuracy"},
        {"mean_squared_error", "MeanSquaredError"}, {"mse", "MeanSquaredError"},
        {"MSE", "MeanSquaredError"}, {"mean_absolute_error", "MeanAbsoluteError"},
        {"mae", "MeanAbsoluteError"}, {"MAE", "MeanAbsoluteError"},
        {"mean_absolute_percentage_error", "MeanAbsolutePercentageError"},
        {"mape", "MeanAbsolutePercentageError"}, {"MAPE", "MeanAbsolutePercentageError"},
        {"root_mean_squared_error", "RootMeanSquaredError"},
        {"cosine_similarity", "CosineSimilarity"}, {"log_cosh_error", "LogCoshError"},
        {"logcosh", "LogCoshError"}, {"r2_score", "R2Score"},
        {"binary_crossentropy", "BinaryCrossentropy"}, {"bce", "BinaryCrossentropy"},
        {"BCE", "BinaryCrossentropy"}, {"categorical_crossentropy", "CategoricalCrossentropy"},
        {"sparse_categorical_crossentropy", "SparseCategoricalCrossentropy"},
        {"true_positives", "TruePositives"}, {"false_positives", "FalsePositives"},
        {"true_negatives", "TrueNegatives"}, {"false_negatives", "FalseNegatives"},
        {"precision", "Precision"}, {"recall", "Recall"}, {"auc", "AUC"},
        {"f1_score", "F1Score"}, {"f_beta_score", "FBetaScore"}, {"fbeta_score", "FBetaScore"},
        {"mean_io_u", "MeanIoU"}};
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
      {"top_k_categorical_accuracy",
       [](const Tensor& a, const Tensor& b) { return top_k_categorical_accuracy(a, b); }},
      {"sparse_top_k_categorical_accuracy",
       [](const Tensor& a, const Tensor& b) { return sparse_top_k_categorical_accuracy(a, b); }},
      {"mean_squared_error", [](const Tensor& a, const Tensor& b) { return mean_squared_error(a, b); }},
      {"mean_absolute_error", [](const Tensor& a, const Tensor& b) { return mean_absolute_error(a, b); }},
      {"mean_absolute_percentage_error",
       [](const Tensor& a, const Tensor& b) { return mean_absolute_percentage_error(a, b); }},
      {"log_cosh", [](const Tensor& a, const Tensor& b) { return log_cosh(a, b); }},
      {"cosine_similarity", [](const Tensor& a, const Tensor& b) { return cosine_similarity(a, b); }},
      {"binary_crossentropy", [](const Tensor& a, const Tensor& b) { return binary_crossentropy(a, b); }},
      {"categorical_crossentropy",
       [](const Tensor& a, const Tensor& b) { return categorical_crossentropy(a, b); }},
      {"sparse_categorical_crossentropy",
       [](const Tensor& a, const Tensor& b) { return sparse_categorical_crossentropy(a, b); }},
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
