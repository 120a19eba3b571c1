// string_ops.cpp - keras::strings: length, case, strip, substr (core/string_ops.h).
#include "core/string_ops.h"

#include <algorithm>
#include <string>

#include "core/ops.h"
#include "core/strings_util.h"

namespace keras::core::strings {
using namespace detail;

static Tensor length_eager(const Tensor& input, const std::string& unit);
Tensor length(const Tensor& input, const std::string& unit) {
  return traced_host_op({input}, [unit](const std::vector<Tensor>& in) { return length_eager(in[0], unit); });
}
static Tensor length_eager(const Tensor& input, const std::string& unit) {
  const bool chars = utf8_unit(unit, "length");
  const std::string* in = string_input(input, "length");
  return generate<int32_t>(input.shape(), DType::int32, [&](int64_t i) {
    const std::string& s = in[i];
    if (!chars) return static_cast<int32_t>(s.size());
    return static_cast<int32_t>(std::count_if(s.begin(), s.end(), [](char c) {
      return !is_trail_byte(static_cast<unsigned char>(c));
    }));
  });
}

namespace {
void check_case_encoding(const std::string& encoding, const char* op) {
  if (!encoding.empty())
    throw_invalid(std::string(op) + ": only the encoding \"\" (ASCII letters) is supported, but "
                  "received \"" + encoding + "\" (TensorFlow maps Unicode letters for \"utf-8\" with ICU)");
}
bool is_space(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
}  // namespace

static Tensor lower_eager(const Tensor& input, const std::string& encoding);
Tensor lower(const Tensor& input, const std::string& encoding) {
  return traced_host_op({input}, [encoding](const std::vector<Tensor>& in) { return lower_eager(in[0], encoding); });
}
static Tensor lower_eager(const Tensor& input, const std::string& encoding) {
  check_case_encoding(encoding, "lower");
  return map_strings(input, "lower", [](std::string s) {
    for (char& c : s)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
  });
}

static Tensor upper_eager(const Tensor& input, const std::string& encoding);
Tensor upper(const Tensor& input, const std::string& encoding) {
  return traced_host_op({input}, [encoding](const std::vector<Tensor>& in) { return upper_eager(in[0], encoding); });
}
static Tensor upper_eager(const Tensor& input, const std::string& encoding) {
  check_case_encoding(encoding, "upper");
  return map_strings(input, "upper", [](std::string s) {
    for (char& c : s)
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return s;
  });
}

static Tensor strip_eager(const Tensor& input);
Tensor strip(const Tensor& input) {
  return traced_host_op({input}, [](const std::vector<Tensor>& in) { return strip_eager(in[0]); });
}
static Tensor strip_eager(const Tensor& input) {
  return map_strings(input, "strip", [](const std::string& s) {
    size_t b = 0, e = s.size();
    while (b < e && is_space(static_cast<unsigned char>(s[b]))) ++b;
    while (e > b && is_space(static_cast<unsigned char>(s[e - 1]))) --e;
    return s.substr(b, e - b);
  });
}

// ---- substr -------------------------------------------------------------------------------
namespace {
// Moves *pos forward over n UTF-8 characters (not past the end); whether all n were there.
bool forward_chars(const std::string& s, int64_t n, size_t* pos) {
  int64_t counted = 0;
  while (counted < n && *pos < s.size()) {
    do {
      ++*pos;
    } while (*pos < s.size() && is_trail_byte(static_cast<unsigned char>(s[*pos])));
    ++counted;
  }
  return counted == n;
}
bool back_chars(const std::string& s, int64_t n, size_t* pos) {
  int64_t counted = 0;
  while (counted < n && *pos > 0) {
    do {
      --*pos;
    } while (*pos > 0 && is_trail_byte(static_cast<unsigned char>(s[*pos])));
    ++counted;
  }
  return counted == n;
}

[[noreturn]] void throw_pos(int64_t pos, const std::string& s, int64_t i) {
  throw_invalid("substr: pos " + std::to_string(pos) + " out of range for string " + bytes_repr(s) +
                " at index " + std::to_string(i));
}
}  // namespace

static Tensor substr_eager(const Tensor& input, const Tensor& pos, const Tensor& len, const std::string& unit);
Tensor substr(const Tensor& input, const Tensor& pos, const Tensor& len, const std::string& unit) {
  return traced_host_op({input, pos, len}, [unit](const std::vector<Tensor>& in) { return substr_eager(in[0], in[1], in[2], unit); });
}
static Tensor substr_eager(const Tensor& input, const Tensor& pos, const Tensor& len, const std::string& unit) {
  const bool chars = utf8_unit(unit, "substr");
  string_input(input, "substr");
  for (auto [t, arg] : {std::pair{&pos, "pos"}, std::pair{&len, "len"}}) {
    if (!t->defined()) throw_invalid(std::string("substr: ") + arg + " is an undefined tensor");
    if (t->dtype() != DType::int32 && t->dtype() != DType::int64)
      throw_invalid(std::string("substr: expected ") + arg + " to have dtype int32 or int64, but received dtype " +
                    dtype_name(t->dtype()));
  }
  if (pos.shape() != len.shape())
    throw_invalid("substr: expected pos and len to have the same shape, but received pos of shape " +
                  pos.shape().str() + " and len of shape " + len.shape().str());
  const Shape shape = broadcast_shapes(input.shape(), pos.shape(), "substr");
  const Tensor x = ops::broadcast_to(input, shape);
  const Tensor p = ops::broadcast_to(ops::cast(pos, DType::int64), shape);
  const Tensor l = ops::broadcast_to(ops::cast(len, DType::int64), shape);
  const std::string* xs = x.data<std::string>();
  const int64_t *ps = p.data<int64_t>(), *ls = l.data<int64_t>();
  return generate<std::string>(shape, DType::string, [&](int64_t i) -> std::string {
    const std::string& s = xs[i];
    const int64_t n = ls[i];
    int64_t at = ps[i];
    if (!chars) {
      const int64_t size = static_cast<int64_t>(s.size());
      if (at < 0) at += size;
      if (at < 0 || at > size) throw_pos(ps[i], s, i);
      const int64_t take = (n < 0 || n > size - at) ? size - at : n;
      return s.substr(static_cast<size_t>(at), static_cast<size_t>(take));
    }
    // (TensorFlow also refuses a negative len with a negative pos in characters.)
    if (at < -static_cast<int64_t>(s.size()) || (at < 0 && n < 0)) throw_pos(ps[i], s, i);
    size_t begin = at >= 0 ? 0 : s.size();
    const bool found = at >= 0 ? forward_chars(s, at, &begin) : back_chars(s, -at, &begin);
    if (!found) throw_pos(ps[i], s, i);
    size_t end = begin;
    forward_chars(s, n, &end);  // stops at the end of the string
    return s.substr(begin, end - begin);
  });
}

Tensor substr(const Tensor& input, int64_t pos, int64_t len, const std::string& unit) {
  return substr(input, constant(pos), constant(len), unit);
}

}  // namespace keras::core::strings
