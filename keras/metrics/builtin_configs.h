// builtin_configs.h - (keras-internal) the built-in metric classes' factories from their
// configs, for registry.cpp.
#pragma once
#include <map>
#include <string>

#include "keras/metrics/registry.h"

namespace keras::metrics::detail {
const std::map<std::string, MetricFactory>& builtin_metric_classes();
}  // namespace keras::metrics::detail
