// metric_fixtures.h - what the metric tests share (test_metrics.cpp,
// test_confusion_metrics.cpp, test_metric_registry.cpp): float32 tensors from lists, a
// scalar's value, and a config round trip through JSON text.
#pragma once
#include <string>

#include "helpers.h"
#include "keras/metrics.h"

namespace th {

// float32 tensors: f for rank 1, f2 for rank 2.
inline Tensor f(std::initializer_list<double> v) { return core::constant(v, DType::float32); }
inline Tensor f2(std::initializer_list<std::initializer_list<double>> v) {
  return core::constant(v, DType::float32);
}
inline double scalar(const Tensor& t) {
  REQUIRE(t.size() == 1);
  return values(t)[0];
}

// serialize -> JSON text -> parse -> deserialize; checks class name and config survive.
inline keras::metrics::MetricPtr round_trip(const keras::metrics::Metric& metric) {
  keras::Config c = keras::metrics::serialize(metric);
  std::string json = c.to_json();
  keras::metrics::MetricPtr back = keras::metrics::deserialize(keras::Value::from_json(json));
  REQUIRE(back != nullptr);
  CHECK(back->class_name() == metric.class_name());
  CHECK(back->name() == metric.name());
  CHECK(back->get_config() == metric.get_config());
  CHECK(keras::metrics::serialize(*back).to_json() == json);
  return back;
}

}  // namespace th
