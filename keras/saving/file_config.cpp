// file_config.cpp - the JSON sections of a saved file (see file_config.h).
#include "keras/saving/file_config.h"

#include <stdexcept>

#include "keras/saving/format.h"

namespace keras::saving::detail {

using format::FormatError;

namespace {
// Integers in an architecture beyond this (other than seeds) are taken as corrupt.
constexpr int64_t kMaxConfigInt = int64_t(1) << 24;
}  // namespace

std::string where(const std::string& source, const char* section) {
  return source + ", section '" + section + "'";
}

Config parse_json(std::string_view text, const std::string& source, const char* section) {
  try {
    return Config::from_json(text);
  } catch (const std::exception& e) {
    throw FormatError(where(source, section) + ": invalid JSON: " + e.what());
  }
}

void check_config_values(const Value& v, const std::string& key, const std::string& source, const char* section) {
  switch (v.type()) {
    case Value::Type::integer:
      if (key != "seed" && (v.as_int() > kMaxConfigInt || v.as_int() < -kMaxConfigInt))
        throw FormatError(where(source, section) + ": the value " + std::to_string(v.as_int()) + " of '" + key +
                          "' is out of the accepted range [-2^24, 2^24]");
      break;
    case Value::Type::list:
      for (const Value& x : v.as_list()) check_config_values(x, key, source, section);
      break;
    case Value::Type::object:
      for (const auto& [k, x] : v.items()) check_config_values(x, k, source, section);
      break;
    default: break;
  }
}

void check_config_version(const Config& cfg, const std::string& source) {
  const Value* v = cfg.is_object() ? cfg.find("format_version") : nullptr;
  if (!v) return;
  if (v->type() != Value::Type::integer)
    throw FormatError(where(source, "config") + ": expected 'format_version' to be an integer, but it is a " +
                      v->type_name());
  format::check_format_version(v->as_int(), source, "model config");
}

}  // namespace keras::saving::detail
