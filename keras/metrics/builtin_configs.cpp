// builtin_configs.cpp - the built-in metric classes' factories from their configs (Keras's
// from_config), for deserialize() (registry.cpp).
#include "keras/metrics/builtin_configs.h"

#include "keras/metrics/accuracy_metrics.h"
#include "keras/metrics/confusion_metrics.h"
#include "keras/metrics/f_score_metrics.h"
#include "keras/metrics/loss_function_metrics.h"
#include "keras/metrics/metrics_utils.h"
#include "keras/metrics/probabilistic_metrics.h"
#include "keras/metrics/regression_metrics.h"

namespace keras::metrics::detail {

namespace {

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

}  // namespace

const Table& builtin_metric_classes() {
  static const Table table = [] {
    Table t;
    t["Mean"] = name_dtype_factory<Mean, MeanOptions>("Mean", "mean");
    t["Sum"] = name_dtype_factory<Sum, SumOptions>("Sum", "sum");
    t["MeanMetricWrapper"] = [](const keras::Config& c) {
      Reader r(c, "MeanMetricWrapper");
      std::string name = r.name("mean_metric_wrapper");
      DType dtype = r.dtype();
      std::string fn = r.string("fn", "");
      if (fn.empty()) fail("metrics.deserialize: the config of MeanMetricWrapper needs \"fn\"");
      return r.done(std::make_shared<MeanMetricWrapper>(get_function(fn), name, dtype, fn));
    };
    t["Accuracy"] = name_dtype_factory<Accuracy, AccuracyOptions>("Accuracy", "accuracy");
    t["BinaryAccuracy"] = [](const keras::Config& c) {
      Reader r(c, "BinaryAccuracy");
      BinaryAccuracyOptions o;
      o.name = r.name(o.name);
      o.dtype = r.dtype();
      o.threshold = r.number("threshold", o.threshold);
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
    t["KLDivergence"] = name_dtype_factory<KLDivergence, KLDivergenceOptions>("KLDivergence", "kl_divergence");
    t["Poisson"] = name_dtype_factory<Poisson, PoissonOptions>("Poisson", "poisson");
    t["Hinge"] = name_dtype_factory<Hinge, HingeOptions>("Hinge", "hinge");
    t["SquaredHinge"] = name_dtype_factory<SquaredHinge, SquaredHingeOptions>("SquaredHinge", "squared_hinge");
    t["CategoricalHinge"] =
        name_dtype_factory<CategoricalHinge, CategoricalHingeOptions>("CategoricalHinge", "categorical_hinge");
    t["MeanSquaredLogarithmicError"] =
        name_dtype_factory<MeanSquaredLogarithmicError, MeanSquaredLogarithmicErrorOptions>(
            "MeanSquaredLogarithmicError", "mean_squared_logarithmic_error");
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
      o.class_aggregation = r.optional_string("class_aggregation", o.class_aggregation);
      o.num_regressors = r.integer("num_regressors", o.num_regressors);
      return r.done(std::make_shared<R2Score>(o));
    };
    t["BinaryCrossentropy"] = [](const keras::Config& c) {
      Reader r(c, "BinaryCrossentropy");
      BinaryCrossentropyOptions o;
      o.name = r.name(o.name);
      o.dtype = r.dtype();
      o.from_logits = r.boolean("from_logits", o.from_logits);
      o.label_smoothing = r.number("label_smoothing", o.label_smoothing);
      return r.done(std::make_shared<BinaryCrossentropy>(o));
    };
    t["CategoricalCrossentropy"] = [](const keras::Config& c) {
      Reader r(c, "CategoricalCrossentropy");
      CategoricalCrossentropyOptions o;
      o.name = r.name(o.name);
      o.dtype = r.dtype();
      o.from_logits = r.boolean("from_logits", o.from_logits);
      o.label_smoothing = r.number("label_smoothing", o.label_smoothing);
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
        o.top_k = r.optional_integer("top_k");
        o.class_id = r.optional_integer("class_id");
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
      o.curve = r.string("curve", o.curve);
      o.summation_method = r.string("summation_method", o.summation_method);
      o.thresholds = r.numbers("thresholds");
      o.multi_label = r.boolean("multi_label", o.multi_label);
      o.num_labels = r.optional_integer("num_labels");
      o.label_weights = r.numbers("label_weights");
      o.from_logits = r.boolean("from_logits", o.from_logits);
      return r.done(std::make_shared<AUC>(o));
    };
    t["FBetaScore"] = [](const keras::Config& c) {
      Reader r(c, "FBetaScore");
      FBetaScoreOptions o;
      o.name = r.name(o.name);
      o.dtype = r.dtype();
      o.average = r.optional_string("average", o.average);
      o.beta = r.number("beta", o.beta);
      o.threshold = r.optional_number("threshold");
      return r.done(std::make_shared<FBetaScore>(o));
    };
    t["F1Score"] = [](const keras::Config& c) {
      Reader r(c, "F1Score");
      F1ScoreOptions o;
      o.name = r.name(o.name);
      o.dtype = r.dtype();
      o.average = r.optional_string("average", o.average);
      o.threshold = r.optional_number("threshold");
      return r.done(std::make_shared<F1Score>(o));
    };
    add_more_metric_classes(t);
    return t;
  }();
  return table;
}

}  // namespace keras::metrics::detail
