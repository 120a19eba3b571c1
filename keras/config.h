// config.h - keras::Value: the JSON-like value of Keras configs (get_config /
// from_config), ordered like the Python dicts they mirror.
//
//   keras::Value cfg = keras::Value::object();
//   cfg["units"] = 64;
//   cfg["activation"] = "relu";
//   int64_t units = cfg.at("units").as_int();
//   std::string json = cfg.to_json();   // {"units": 64, "activation": "relu"}
#pragma once
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace keras {

class Value {
 public:
  enum class Type { null, boolean, integer, number, string, list, object };

  Value() = default;  ///< null
  Value(std::nullptr_t) {}
  Value(bool b) : type_(Type::boolean), b_(b) {}
  Value(int i) : type_(Type::integer), i_(i) {}
  Value(long i) : type_(Type::integer), i_(i) {}
  Value(long long i) : type_(Type::integer), i_(i) {}
  Value(double d) : type_(Type::number), d_(d) {}
  Value(const char* s) : type_(Type::string), s_(s) {}
  Value(std::string s) : type_(Type::string), s_(std::move(s)) {}
  Value(std::vector<Value> l) : type_(Type::list), list_(std::move(l)) {}
  Value(const std::vector<int64_t>& ints);  ///< a list of integers (shapes, axes)
  static Value list(std::initializer_list<Value> items = {}) { return Value(std::vector<Value>(items)); }
  static Value object() {
    Value v;
    v.type_ = Type::object;
    return v;
  }

  Type type() const { return type_; }
  const char* type_name() const;
  bool is_null() const { return type_ == Type::null; }
  bool is_object() const { return type_ == Type::object; }

  /// Typed access; a mismatch throws std::invalid_argument naming both types.
  bool as_bool() const;
  int64_t as_int() const;
  double as_double() const;  ///< integers convert
  const std::string& as_string() const;
  const std::vector<Value>& as_list() const;
  std::vector<Value>& as_list();
  std::vector<int64_t> as_ints() const;  ///< a list of integers (null items become -1)

  /// Objects (keys keep their insertion order).
  Value& operator[](const std::string& key);  ///< inserts null if missing (turns null into {})
  const Value& at(const std::string& key) const;  ///< throws naming the key if missing
  bool contains(const std::string& key) const;
  const Value* find(const std::string& key) const;
  const std::vector<std::pair<std::string, Value>>& items() const;
  /// at(key) if present, else `fallback`.
  Value get(const std::string& key, Value fallback) const;

  bool operator==(const Value& o) const;
  bool operator!=(const Value& o) const { return !(*this == o); }

  std::string to_json(int indent = -1) const;  ///< indent < 0: one line
  /// Parses JSON; malformed input throws std::invalid_argument with the offset.
  static Value from_json(std::string_view text);

 private:
  Type type_ = Type::null;
  bool b_ = false;
  int64_t i_ = 0;
  double d_ = 0;
  std::string s_;
  std::vector<Value> list_;
  std::vector<std::pair<std::string, Value>> obj_;
};

using Config = Value;  ///< a Value of type object

}  // namespace keras
