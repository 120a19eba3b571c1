// config_reader.cpp - the families' config reader (see config_reader.h).
#include "keras/config_reader.h"

#include <stdexcept>

namespace keras::detail {

ConfigReader::ConfigReader(std::string where, std::string cls, const Config& c)
    : where_(std::move(where)), cls_(std::move(cls)), c_(c) {
  if (!c_.is_null() && !c_.is_object())
    fail("expected the config of " + cls_ + " to be an object, but received " + c_.to_json());
}

ConfigReader::ConfigReader(std::string where, std::string cls, const Config& c, std::set<std::string> allowed)
    : ConfigReader(std::move(where), std::move(cls), c) {
  if (c_.is_object())
    for (const auto& [k, v] : c_.items())
      if (!allowed.count(k)) unexpected(k, allowed);
}

void ConfigReader::fail(const std::string& what) const { throw std::invalid_argument(where_ + ": " + what); }

void ConfigReader::unexpected(const std::string& key, const std::set<std::string>& expected) const {
  std::string keys;
  for (const auto& a : expected) keys += (keys.empty() ? "" : ", ") + a;
  fail("unexpected key '" + key + "' in the config of " + cls_ + " (expected " +
       (keys.empty() ? std::string("no keys") : keys) + ")");
}

void ConfigReader::check_used() const {
  if (c_.is_object())
    for (const auto& [k, v] : c_.items())
      if (!used_.count(k)) unexpected(k, used_);
}

const Value* ConfigReader::find(const std::string& key) {
  used_.insert(key);
  const Value* v = c_.is_object() ? c_.find(key) : nullptr;
  return v && !v->is_null() ? v : nullptr;
}

double ConfigReader::number(const std::string& key, double fallback) {
  const Value* v = find(key);
  return v ? v->as_double() : fallback;
}

int64_t ConfigReader::integer(const std::string& key, int64_t fallback) {
  const Value* v = find(key);
  return v ? v->as_int() : fallback;
}

bool ConfigReader::boolean(const std::string& key, bool fallback) {
  const Value* v = find(key);
  return v ? v->as_bool() : fallback;
}

std::string ConfigReader::string(const std::string& key, const std::string& fallback) {
  const Value* v = find(key);
  return v ? v->as_string() : fallback;
}

std::optional<double> ConfigReader::optional_number(const std::string& key) {
  const Value* v = find(key);
  return v ? std::optional<double>(v->as_double()) : std::nullopt;
}

std::optional<int64_t> ConfigReader::optional_integer(const std::string& key) {
  const Value* v = find(key);
  return v ? std::optional<int64_t>(v->as_int()) : std::nullopt;
}

std::optional<std::string> ConfigReader::optional_string(const std::string& key,
                                                         std::optional<std::string> fallback) {
  used_.insert(key);
  const Value* v = c_.is_object() ? c_.find(key) : nullptr;
  if (!v) return fallback;
  if (v->is_null()) return std::nullopt;
  return v->as_string();
}

std::vector<double> ConfigReader::numbers(const std::string& key) {
  const Value* v = find(key);
  std::vector<double> out;
  if (!v) return out;
  if (v->type() == Value::Type::list) {
    for (const auto& x : v->as_list()) out.push_back(x.as_double());
  } else {
    out.push_back(v->as_double());
  }
  return out;
}

}  // namespace keras::detail
