#include "keras/config.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <stdexcept>

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

// ---- JSON ----------------------------------------------------------------------------
namespace {
void quote(const std::string& s, std::string& out) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += char(c);
        }
    }
  }
  out += '"';
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
    case Value::Type::integer: out += std::to_string(v.as_int()); break;
    case Value::Type::number: {
      double d = v.as_double();
      if (std::isnan(d)) { out += "NaN"; break; }
      if (std::isinf(d)) { out += d > 0 ? "Infinity" : "-Infinity"; break; }
      char buf[64];
      auto r = std::to_chars(buf, buf + sizeof buf, d);
      std::string s(buf, r.ptr);
      if (s.find_first_of(".eE") == std::string::npos) s += ".0";
      out += s;
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

class Parser {
 public:
  explicit Parser(std::string_view t) : t_(t) {}
  Value parse() {
    Value v = value(0);
    ws();
    if (p_ != t_.size()) fail("unexpected trailing characters");
    return v;
  }

 private:
  [[noreturn]] void fail(const std::string& what) {
    throw std::invalid_argument("config: malformed JSON at offset " + std::to_string(p_) + ": " + what);
  }
  void ws() {
    while (p_ < t_.size() && (t_[p_] == ' ' || t_[p_] == '\n' || t_[p_] == '\t' || t_[p_] == '\r')) ++p_;
  }
  bool eat(std::string_view s) {
    if (t_.substr(p_, s.size()) == s) {
      p_ += s.size();
      return true;
    }
    return false;
  }
  Value value(int depth) {
    if (depth > 200) fail("nesting deeper than 200 levels");
    ws();
    if (p_ >= t_.size()) fail("unexpected end of input");
    char c = t_[p_];
    if (c == '{') return object(depth);
    if (c == '[') return array(depth);
    if (c == '"') return Value(string());
    if (eat("null")) return Value();
    if (eat("true")) return Value(true);
    if (eat("false")) return Value(false);
    if (eat("NaN")) return Value(NAN);
    if (eat("Infinity")) return Value(INFINITY);
    if (eat("-Infinity")) return Value(-INFINITY);
    return number();
  }
  Value number() {
    size_t start = p_;
    bool frac = false;
    if (p_ < t_.size() && t_[p_] == '-') ++p_;
    while (p_ < t_.size() && (std::isdigit(static_cast<unsigned char>(t_[p_])) || t_[p_] == '.' ||
                              t_[p_] == 'e' || t_[p_] == 'E' || t_[p_] == '+' || t_[p_] == '-')) {
      if (t_[p_] == '.' || t_[p_] == 'e' || t_[p_] == 'E') frac = true;
      ++p_;
    }
    std::string_view s = t_.substr(start, p_ - start);
    if (s.empty() || s == "-") fail("expected a value");
    if (!frac) {
      long long i = 0;
      auto r = std::from_chars(s.data(), s.data() + s.size(), i);
      if (r.ec == std::errc() && r.ptr == s.data() + s.size()) return Value(i);
    }
    double d = 0;
    auto r = std::from_chars(s.data(), s.data() + s.size(), d);
    if (r.ec != std::errc() || r.ptr != s.data() + s.size()) fail("bad number '" + std::string(s) + "'");
    return Value(d);
  }
  unsigned hex4() {
    if (p_ + 4 > t_.size()) fail("short \\u escape");
    unsigned cp = 0;
    auto r = std::from_chars(t_.data() + p_, t_.data() + p_ + 4, cp, 16);
    if (r.ptr != t_.data() + p_ + 4) fail("bad \\u escape");
    p_ += 4;
    return cp;
  }
  static void append_utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out += char(cp);
    } else if (cp < 0x800) {
      out += char(0xC0 | (cp >> 6));
      out += char(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += char(0xE0 | (cp >> 12));
      out += char(0x80 | ((cp >> 6) & 0x3F));
      out += char(0x80 | (cp & 0x3F));
    } else {
      out += char(0xF0 | (cp >> 18));
      out += char(0x80 | ((cp >> 12) & 0x3F));
      out += char(0x80 | ((cp >> 6) & 0x3F));
      out += char(0x80 | (cp & 0x3F));
    }
  }
  std::string string() {
    ++p_;  // opening quote
    std::string out;
    while (true) {
      if (p_ >= t_.size()) fail("unterminated string");
      char c = t_[p_++];
      if (c == '"') return out;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (p_ >= t_.size()) fail("unterminated escape");
      char e = t_[p_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'u': {
          // A code point beyond U+FFFF comes as a UTF-16 surrogate pair, as Python's
          // json.dumps writes it (U+1F600 as the escapes of d83d and de00); a lone
          // surrogate is no character.
          unsigned cp = hex4();
          if (cp >= 0xDC00 && cp <= 0xDFFF) fail("lone low surrogate in \\u escape");
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (p_ + 2 > t_.size() || t_[p_] != '\\' || t_[p_ + 1] != 'u')
              fail("high surrogate in \\u escape without its low surrogate");
            p_ += 2;
            unsigned low = hex4();
            if (low < 0xDC00 || low > 0xDFFF) fail("high surrogate in \\u escape followed by no low surrogate");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          append_utf8(out, cp);
          break;
        }
        default: fail(std::string("bad escape \\") + e);
      }
    }
  }
  Value array(int depth) {
    ++p_;
    Value v = Value::list();
    ws();
    if (eat("]")) return v;
    while (true) {
      v.as_list().push_back(value(depth + 1));
      ws();
      if (eat("]")) return v;
      if (!eat(",")) fail("expected ',' or ']'");
    }
  }
  Value object(int depth) {
    ++p_;
    Value v = Value::object();
    ws();
    if (eat("}")) return v;
    while (true) {
      ws();
      if (p_ >= t_.size() || t_[p_] != '"') fail("expected a key");
      std::string k = string();
      ws();
      if (!eat(":")) fail("expected ':'");
      if (v.contains(k)) fail("duplicate key '" + k + "'");
      v[k] = value(depth + 1);
      ws();
      if (eat("}")) return v;
      if (!eat(",")) fail("expected ',' or '}'");
    }
  }
  std::string_view t_;
  size_t p_ = 0;
};
}  // namespace

std::string Value::to_json(int indent) const {
  std::string out;
  write(*this, out, indent, 0);
  return out;
}

Value Value::from_json(std::string_view text) { return Parser(text).parse(); }

}  // namespace keras
