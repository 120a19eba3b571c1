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

/// A JSON value as Keras configs hold it: null, bool, integer, float, string, list or
/// object (keys in insertion order, like Python dicts). keras::Config is the same type.
class Value {
 public:
  /// The kind of value held: JSON's types, with integers and floats kept apart as in
  /// Python.
  enum class Type { null, boolean, integer, number, string, list, object };

  Value() = default;  ///< null
  /// null (Python's None).
  Value(std::nullptr_t) {}
  /// A boolean.
  Value(bool b) : type_(Type::boolean), b_(b) {}
  ///@{
  /// An integer (Python int).
  Value(int i) : type_(Type::integer), i_(i) {}
  Value(long i) : type_(Type::integer), i_(i) {}
  Value(long long i) : type_(Type::integer), i_(i) {}
  ///@}
  /// A floating-point number (Python float).
  Value(double d) : type_(Type::number), d_(d) {}
  ///@{
  /// A string (Python str).
  Value(const char* s) : type_(Type::string), s_(s) {}
  Value(std::string s) : type_(Type::string), s_(std::move(s)) {}
  ///@}
  /// A list of values (Python list).
  Value(std::vector<Value> l) : type_(Type::list), list_(std::move(l)) {}
  Value(const std::vector<int64_t>& ints);  ///< a list of integers (shapes, axes)
  /// A list of the given items: Value::list({1, "a"}).
  static Value list(std::initializer_list<Value> items = {}) { return Value(std::vector<Value>(items)); }
  /// An empty object ({}), to fill with operator[].
  static Value object() {
    Value v;
    v.type_ = Type::object;
    return v;
  }

  /// The kind of value held.
  Type type() const { return type_; }
  /// The type's name in messages: "null", "bool", "int", "float", "string", "list" or
  /// "object".
  const char* type_name() const;
  /// Whether the value is null.
  bool is_null() const { return type_ == Type::null; }
  /// Whether the value is an object.
  bool is_object() const { return type_ == Type::object; }

  /// Typed access; a mismatch throws std::invalid_argument naming both types.
  bool as_bool() const;
  /// The integer; a float with an integral value converts too.
  int64_t as_int() const;
  double as_double() const;  ///< integers convert
  /// The string; another type throws std::invalid_argument.
  const std::string& as_string() const;
  ///@{
  /// The list's items; another type throws std::invalid_argument.
  const std::vector<Value>& as_list() const;
  std::vector<Value>& as_list();
  ///@}
  std::vector<int64_t> as_ints() const;  ///< a list of integers (null items become -1)

  /// Objects (keys keep their insertion order).
  Value& operator[](const std::string& key);  ///< inserts null if missing (turns null into {})
  const Value& at(const std::string& key) const;  ///< throws naming the key if missing
  /// Whether an object has `key` (false for a non-object).
  bool contains(const std::string& key) const;
  /// A pointer to the value at `key`, or null when missing or not an object.
  const Value* find(const std::string& key) const;
  /// The key-value pairs in insertion order; a non-object throws std::invalid_argument.
  const std::vector<std::pair<std::string, Value>>& items() const;
  /// at(key) if present, else `fallback`.
  Value get(const std::string& key, Value fallback) const;

  /// Deep equality; an integer equals the float of the same value, NaN equals NaN, objects
  /// compare in key order.
  bool operator==(const Value& o) const;
  /// Negation of operator==.
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
