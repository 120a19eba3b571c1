// builtin_configs_more.cpp - the factories from configs of the IoU family, the correlation
// metrics and the sensitivity / specificity family (Keras's from_config), for
// builtin_configs.cpp's table.
#include <cmath>

#include "keras/metrics/builtin_configs.h"
#include "keras/metrics/correlation_metrics.h"
#include "keras/metrics/iou_metrics.h"
#include "keras/metrics/metrics_utils.h"
#include "keras/metrics/sensitivity_metrics.h"

namespace keras::metrics::detail {

std::vector<int64_t> Reader::integers(const std::string& key, std::vector<int64_t> def) {
  if (!find(key)) return def;
  std::vector<int64_t> out;
  for (double x : numbers(key)) {
    if (x != std::floor(x)) fail("\"" + key + "\" must hold integers, but holds " + keras::Value(x).to_json());
    out.push_back(int64_t(x));
  }
  return out;
}

namespace {
int64_t required_classes(Reader& r) {
  std::optional<int64_t> n = r.optional_integer("num_classes");
  if (!n) r.fail(r.class_name() + " needs num_classes in its config");
  return *n;
}
IoUOptions iou_options(Reader& r) {
  IoUOptions o;
  o.name = r.name("");
  o.dtype = r.dtype("int64");
  o.ignore_class = r.optional_integer("ignore_class");
  o.sparse_y_true = r.boolean("sparse_y_true", o.sparse_y_true);
  o.sparse_y_pred = r.boolean("sparse_y_pred", o.sparse_y_pred);
  o.axis = r.integer("axis", o.axis);
  return o;
}
OneHotIoUOptions one_hot_options(Reader& r) {
  OneHotIoUOptions o;
  o.name = r.name("");
  o.dtype = r.dtype("int64");
  o.ignore_class = r.optional_integer("ignore_class");
  o.sparse_y_pred = r.boolean("sparse_y_pred", o.sparse_y_pred);
  o.axis = r.integer("axis", o.axis);
  return o;
}
template <class M>
MetricFactory correlation(const char* cls) {
  return [cls](const keras::Config& c) {
    Reader r(c, cls);
    CorrelationOptions o;
    o.name = r.name("");
    o.dtype = r.dtype();
    o.axis = r.integer("axis", o.axis);
    return r.done(std::make_shared<M>(o));
  };
}
// value_key: the bound's name in the config ("specificity", ...).
template <class M>
MetricFactory bounded(const char* cls, const char* value_key) {
  return [cls, value_key](const keras::Config& c) {
    Reader r(c, cls);
    std::optional<double> value = r.optional_number(value_key);
    if (!value) r.fail(std::string(cls) + " needs " + value_key + " in its config");
    SensitivitySpecificityOptions o;
    o.name = r.name("");
    o.dtype = r.dtype();
    o.num_thresholds = r.integer("num_thresholds", o.num_thresholds);
    o.class_id = r.optional_integer("class_id");
    return r.done(std::make_shared<M>(*value, o));
  };
}
}  // namespace

void add_more_metric_classes(std::map<std::string, MetricFactory>& t) {
  t["IoU"] = [](const keras::Config& c) {
    Reader r(c, "IoU");
    const int64_t n = required_classes(r);
    std::vector<int64_t> targets = r.integers("target_class_ids", {});
    if (targets.empty()) r.fail("IoU needs target_class_ids in its config");
    return r.done(std::make_shared<IoU>(n, targets, iou_options(r)));
  };
  t["MeanIoU"] = [](const keras::Config& c) {
    Reader r(c, "MeanIoU");
    const int64_t n = required_classes(r);
    return r.done(std::make_shared<MeanIoU>(n, iou_options(r)));
  };
  t["BinaryIoU"] = [](const keras::Config& c) {
    Reader r(c, "BinaryIoU");
    BinaryIoUOptions o;
    o.target_class_ids = r.integers("target_class_ids", o.target_class_ids);
    o.threshold = r.number("threshold", o.threshold);
    o.name = r.name("");
    o.dtype = r.dtype("int64");
    return r.done(std::make_shared<BinaryIoU>(o));
  };
  t["OneHotIoU"] = [](const keras::Config& c) {
    Reader r(c, "OneHotIoU");
    const int64_t n = required_classes(r);
    std::vector<int64_t> targets = r.integers("target_class_ids", {});
    if (targets.empty()) r.fail("OneHotIoU needs target_class_ids in its config");
    return r.done(std::make_shared<OneHotIoU>(n, targets, one_hot_options(r)));
  };
  t["OneHotMeanIoU"] = [](const keras::Config& c) {
    Reader r(c, "OneHotMeanIoU");
    const int64_t n = required_classes(r);
    return r.done(std::make_shared<OneHotMeanIoU>(n, one_hot_options(r)));
  };
  t["PearsonCorrelation"] = correlation<PearsonCorrelation>("PearsonCorrelation");
  t["ConcordanceCorrelation"] = correlation<ConcordanceCorrelation>("ConcordanceCorrelation");
  t["SensitivityAtSpecificity"] = bounded<SensitivityAtSpecificity>("SensitivityAtSpecificity", "specificity");
  t["SpecificityAtSensitivity"] = bounded<SpecificityAtSensitivity>("SpecificityAtSensitivity", "sensitivity");
  t["PrecisionAtRecall"] = bounded<PrecisionAtRecall>("PrecisionAtRecall", "recall");
  t["RecallAtPrecision"] = bounded<RecallAtPrecision>("RecallAtPrecision", "precision");
}

}  // namespace keras::metrics::detail
