#include "keras/config.h"

#include <cctype>
#include <cmath>
#include <cstdint>
#include <map>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace keras {

Value::Value(const std::vector<int64_t>& ints) : type_(Type::list) {
  for (int64_t v : ints) list_.push_back(Value(static_cast<long long>(v)));
}

const char* Value::type_name() const {
  switch (type_) {
    case Type::null: return "null";
    case Type::boolean: return "bool";
    case Type::integer: return "int";
    case Type::number: return "float";
    case Type::string: return "string";
    case Type::list: return "list";
    case Type::object: return "object";
  }
  return "?";
}

namespace {
[[noreturn]] void mismatch(const Value& v, const char* want) {
  throw std::invalid_argument(std::string("config: expected a value of type ") + want +
                              ", but received " + v.type_name() + " " + v.to_json());
}
}  // namespace

bool Value::as_bool() const {
  if (type_ != Type::boolean) mismatch(*this, "bool");
  return b_;
}
int64_t Value::as_int() const {
  if (type_ == Type::number && std::floor(d_) == d_ && std::fabs(d_) < 9e15) return int64_t(d_);
  if (type_ != Type::integer) mismatch(*this, "int");
  return i_;
}
double Value::as_double() const {
  if (type_ == Type::integer) return double(i_);
  if (type_ != Type::number) mismatch(*this, "float");
  return d_;
}
const std::string& Value::as_string() const {
  if (type_ != Type::string) mismatch(*this, "string");
  return s_;
}
const std::vector<Value>& Value::as_list() const {
  if (type_ != Type::list) mismatch(*this, "list");
  return list_;
}
std::vector<Value>& Value::as_list() {
  if (type_ != Type::list) mismatch(*this, "list");
  return list_;
}
std::vector<int64_t> Value::as_ints() const {
  std::vector<int64_t> out;
  for (const Value& v : as_list()) out.push_back(v.is_null() ? -1 : v.as_int());
  return out;
}

Value& Value::operator[](const std::string& key) {
  if (type_ == Type::null) type_ = Type::object;
  if (type_ != Type::object) mismatch(*this, "object");
  for (auto& [k, v] : obj_)
    if (k == key) return v;
  obj_.emplace_back(key, Value());
  return obj_.back().second;
}
const Value* Value::find(const std::string& key) const {
  if (type_ != Type::object) return nullptr;
  for (auto& [k, v] : obj_)
    if (k == key) return &v;
  return nullptr;
}
const Value& Value::at(const std::string& key) const {
  if (type_ != Type::object) mismatch(*this, "object");
  if (const Value* v = find(key)) return *v;
  throw std::invalid_argument("config: missing key '" + key + "' in " + to_json());
}
bool Value::contains(const std::string& key) const { return find(key) != nullptr; }
const std::vector<std::pair<std::string, Value>>& Value::items() const {
  if (type_ != Type::object) mismatch(*this, "object");
  return obj_;
}
Value Value::get(const std::string& key, Value fallback) const {
  const Value* v = find(key);
  return v ? *v : fallback;
}

bool Value::operator==(const Value& o) const {
  if (type_ == Type::integer && o.type_ == Type::number) return double(i_) == o.d_;
  if (type_ == Type::number && o.type_ == Type::integer) return d_ == double(o.i_);
  if (type_ != o.type_) return false;
  switch (type_) {
    case Type::null: return true;
    case Type::boolean: return b_ == o.b_;
    case Type::integer: return i_ == o.i_;
    case Type::number: return d_ == o.d_ || (std::isnan(d_) && std::isnan(o.d_));
    case Type::string: return s_ == o.s_;
    case Type::list: return list_ == o.list_;
    case Type::object: return obj_ == o.obj_;
  }
  return false;
}

// ---- JSON (nlohmann-json, used only here) -----------------------------------------------
namespace {
using nlohmann::json;

// Strings and numbers are formatted by nlohmann-json; the layout (", " and ": " between
// items, as Python's json.dumps) and NaN / Infinity (which Python writes and JSON lacks)
// are ours. Bytes that are not UTF-8 are written as U+FFFD.
void quote(const std::string& s, std::string& out) {
  out += json(s).dump(-1, ' ', false, json::error_handler_t::replace);
}

void write(const Value& v, std::string& out, int indent, int depth) {
  auto newline = [&](int d) {
    if (indent < 0) return;
    out += '\n';
    out.append(size_t(indent * d), ' ');
  };
  switch (v.type()) {
    case Value::Type::null: out += "null"; break;
    case Value::Type::boolean: out += v.as_bool() ? "true" : "false"; break;
    case Value::Type::integer: out += json(v.as_int()).dump(); break;
    case Value::Type::number: {
      const double d = v.as_double();
      if (std::isnan(d)) { out += "NaN"; break; }
      if (std::isinf(d)) { out += d > 0 ? "Infinity" : "-Infinity"; break; }
      out += json(d).dump();  // shortest round trip; "1.0" keeps its point
      break;
    }
    case Value::Type::string: quote(v.as_string(), out); break;
    case Value::Type::list: {
      out += '[';
      bool first = true;
      for (const Value& x : v.as_list()) {
        if (!first) out += indent < 0 ? ", " : ",";
        first = false;
        newline(depth + 1);
        write(x, out, indent, depth + 1);
      }
      if (!first) newline(depth);
      out += ']';
      break;
    }
    case Value::Type::object: {
      out += '{';
      bool first = true;
      for (const auto& [k, x] : v.items()) {
        if (!first) out += indent < 0 ? ", " : ",";
        first = false;
        newline(depth + 1);
        quote(k, out);
        out += ": ";
        write(x, out, indent, depth + 1);
      }
      if (!first) newline(depth);
      out += '}';
      break;
    }
  }
}

constexpr int kMaxDepth = 200;

[[noreturn]] void fail(size_t offset, const std::string& what) {
  throw std::invalid_argument("config: malformed JSON at offset " + std::to_string(offset) + ": " + what);
}

// Python's json module writes NaN, Infinity and -Infinity, which JSON lacks. Outside
// strings, each such token is blanked to "0" and spaces of the same length (so offsets in
// messages stay right), and its place among the number tokens is remembered.
struct NonFinite {
  std::string text;
  std::map<size_t, double> by_number;  // index among number tokens -> NaN / +-inf
};
NonFinite blank_non_finite(std::string_view t) {
  NonFinite r{std::string(t), {}};
  std::string& s = r.text;
  size_t numbers = 0;
  auto is_word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  for (size_t i = 0; i < s.size();) {
    const char c = s[i];
    if (c == '"') {  // skip the string, escapes included
      for (++i; i < s.size() && s[i] != '"'; ++i)
        if (s[i] == '\\') ++i;
      ++i;
      continue;
    }
    const bool minus_inf = c == '-' && s.compare(i + 1, 8, "Infinity") == 0;
    if (std::isalpha(static_cast<unsigned char>(c)) || minus_inf) {
      size_t j = i + (minus_inf ? 1 : 0);
      while (j < s.size() && is_word(s[j])) ++j;
      const std::string_view word(s.data() + i, j - i);
      double value = 0;
      bool special = true;
      if (word == "NaN") value = NAN;
      else if (word == "Infinity") value = INFINITY;
      else if (word == "-Infinity") value = -INFINITY;
      else special = false;
      if (special) {
        r.by_number[numbers++] = value;
        s[i] = '0';
        for (size_t k = i + 1; k < j; ++k) s[k] = ' ';
      }
      i = j;
      continue;
    }
    if (c == '-' || std::isdigit(static_cast<unsigned char>(c))) {
      ++numbers;
      while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '-' || s[i] == '+' ||
                              s[i] == '.' || s[i] == 'e' || s[i] == 'E'))
        ++i;
      continue;
    }
    ++i;
  }
  return r;
}

// Builds a Value from nlohmann-json's SAX events: objects keep their key order, a
// duplicate key or nesting deeper than kMaxDepth raises, and errors name the offset.
class Builder : public nlohmann::json_sax<json> {
 public:
  explicit Builder(const NonFinite& nf) : nf_(nf) {}
  Value result;

  bool null() override { return put(Value()); }
  bool boolean(bool b) override { return put(Value(b)); }
  bool number_integer(number_integer_t i) override { return number(Value(static_cast<long long>(i))); }
  bool number_unsigned(number_unsigned_t u) override {
    if (u > static_cast<number_unsigned_t>(INT64_MAX)) return number(Value(static_cast<double>(u)));
    return number(Value(static_cast<long long>(u)));
  }
  bool number_float(number_float_t d, const string_t&) override { return number(Value(d)); }
  bool string(string_t& s) override { return put(Value(std::move(s))); }
  bool binary(binary_t&) override { return false; }  // not produced by the text parser
  bool start_object(std::size_t) override { return open(Value::object()); }
  bool key(string_t& k) override {
    Value& obj = *stack_.back().first;
    if (obj.contains(k)) throw_at("duplicate key '" + k + "'");
    stack_.back().second = std::move(k);
    return true;
  }
  bool end_object() override { return close(); }
  bool start_array(std::size_t) override { return open(Value::list()); }
  bool end_array() override { return close(); }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& e) override {
    // nlohmann counts the byte it stopped at from 1; ours from 0.
    std::string what = e.what();
    const size_t colon = what.find(": ", what.find("parse error"));
    if (colon != std::string::npos) what = what.substr(colon + 2);
    if (what.find("must be followed by U+DC00") != std::string::npos)
      what = "high surrogate in \\u escape followed by no low surrogate (without its low surrogate)";
    else if (what.find("must follow U+D800") != std::string::npos)
      what = "lone low surrogate in \\u escape";
    else if (what.find("'\\u' must be followed by 4 hex digits") != std::string::npos)
      what = "bad \\u escape: " + what;
    fail(position > 0 ? position - 1 : 0, what);
  }

 private:
  [[noreturn]] void throw_at(const std::string& what) {
    throw std::invalid_argument("config: malformed JSON: " + what);
  }
  bool number(Value v) {
    auto it = nf_.by_number.find(numbers_++);
    return put(it == nf_.by_number.end() ? std::move(v) : Value(it->second));
  }
  Value& slot(Value v) {
    if (stack_.empty()) {
      result = std::move(v);
      return result;
    }
    Value& top = *stack_.back().first;
    if (top.type() == Value::Type::list) {
      top.as_list().push_back(std::move(v));
      return top.as_list().back();
    }
    Value& s = top[stack_.back().second];
    s = std::move(v);
    return s;
  }
  bool put(Value v) {
    slot(std::move(v));
    return true;
  }
  bool open(Value container) {
    if (stack_.size() >= kMaxDepth) throw_at("nesting deeper than " + std::to_string(kMaxDepth) + " levels");
    Value& s = slot(std::move(container));
    stack_.emplace_back(&s, std::string());
    return true;
  }
  bool close() {
    stack_.pop_back();
    return true;
  }
  const NonFinite& nf_;
  size_t numbers_ = 0;
  // Open containers; pointers stay valid because only the innermost one grows.
  std::vector<std::pair<Value*, std::string>> stack_;
};
}  // namespace

std::string Value::to_json(int indent) const {
  std::string out;
  write(*this, out, indent, 0);
  return out;
}

Value Value::from_json(std::string_view text) {
  const NonFinite nf = blank_non_finite(text);
  Builder b(nf);
  json::sax_parse(nf.text, &b, json::input_format_t::json, /*strict=*/true, /*ignore_comments=*/false);
  return std::move(b.result);
}

}  // namespace keras
