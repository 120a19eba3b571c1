// builtin_configs.h - (keras-internal) the built-in metric classes' factories from their
// configs, for registry.cpp.
#pragma once
#include <map>
#include <string>

#include "keras/config_reader.h"
#include "keras/metrics/registry.h"

namespace keras::metrics::detail {
const std::map<std::string, MetricFactory>& builtin_metric_classes();

// The metric families' reader: the keys a factory reads are the ones its class takes.
class Reader : public keras::detail::ConfigReader {
 public:
  Reader(const keras::Config& c, const std::string& cls) : ConfigReader("metrics.deserialize", cls, c) {}
  std::string name(const std::string& def) { return string("name", def); }
  DType dtype(const char* def = "float32") { return core::dtype_from_name(string("dtype", def)); }
  // A list of integers (target_class_ids); missing: `def`.
  std::vector<int64_t> integers(const std::string& key, std::vector<int64_t> def);
  template <class M>
  MetricPtr done(std::shared_ptr<M> m) {
    check_used();
    return m;
  }
};

// The factories of the IoU family, the correlations and the sensitivity family
// (builtin_configs_more.cpp).
void add_more_metric_classes(std::map<std::string, MetricFactory>& table);
}  // namespace keras::metrics::detail
