// config_reader.h - (keras-internal) reads a built-in class's config in deserialize():
// Keras's defaults for keys that are missing or null, and typed errors that name the
// family, the class and the key. Shared by the families' registries (losses, metrics,
// initializers, regularizers, constraints); included only by their .cpp files.
#pragma once
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "keras/config.h"

namespace keras::detail {

class ConfigReader {
 public:
  // where: the messages' prefix ("losses.deserialize"); cls: the class whose config this
  // is. With `allowed`, a key outside it raises at once, listing the keys the class takes;
  // without it, the reader records the keys it is asked for and check_used() raises for
  // any other. A null config reads as an empty one.
  ConfigReader(std::string where, std::string cls, const Config& c, std::set<std::string> allowed);
  ConfigReader(std::string where, std::string cls, const Config& c);

  // The value of `key`, or nullptr where it is missing or null.
  const Value* find(const std::string& key);
  double number(const std::string& key, double fallback);
  int64_t integer(const std::string& key, int64_t fallback);
  bool boolean(const std::string& key, bool fallback);
  std::string string(const std::string& key, const std::string& fallback);
  std::optional<double> optional_number(const std::string& key);
  std::optional<int64_t> optional_integer(const std::string& key);
  // A missing key gives `fallback`; a null one gives nullopt.
  std::optional<std::string> optional_string(const std::string& key, std::optional<std::string> fallback);
  // A missing or null key gives {}; a number gives {number}; a list gives its numbers.
  std::vector<double> numbers(const std::string& key);

  // Raises for a key that was not read (the recording form); the other form checked them.
  void check_used() const;
  [[noreturn]] void fail(const std::string& what) const;  // "<where>: <what>"
  const Config& config() const { return c_; }
  const std::string& class_name() const { return cls_; }

 private:
  [[noreturn]] void unexpected(const std::string& key, const std::set<std::string>& expected) const;

  std::string where_, cls_;
  const Config& c_;
  std::set<std::string> used_;
};

}  // namespace keras::detail
