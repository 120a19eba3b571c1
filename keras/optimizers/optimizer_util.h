// optimizer_util.h - (internal) helpers shared by the optimizer sources.
#pragma once
#include <optional>

#include "keras/config.h"

namespace keras::optimizers::detail {
// A number in a config, or nothing when absent or null.
inline std::optional<double> opt_from(const Config& c, const char* key) {
  const Value* v = c.find(key);
  if (!v || v->is_null()) return std::nullopt;
  return v->as_double();
}
}  // namespace keras::optimizers::detail
