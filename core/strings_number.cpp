// strings_number.cpp - keras::strings: to_number, as_string (core/string_ops.h).
#include <locale.h>
#include <stdlib.h>

#include <cerrno>
#include <complex>
#include <cstdio>
#include <limits>
#include <string>
#include <string_view>

#include "core/strings_util.h"

namespace keras::core::strings {
using namespace detail;

namespace {
// "(a,b)" (built in steps: g++ 12 warns falsely about "(" + std::string&&).
std::string pair_text(const std::string& a, const std::string& b) {
  std::string r(1, '(');
  r += a;
  r += ',';
  r += b;
  r += ')';
  return r;
}
bool is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// The "C" locale, so that a program's setlocale never changes what parses.
locale_t c_locale() {
  static locale_t loc = newlocale(LC_ALL_MASK, "C", static_cast<locale_t>(nullptr));
  return loc;
}

// C's strtod/strtof syntax, the whole (trimmed) string; out of range gives inf or 0.
template <class T>
bool parse_float(std::string_view s, T* out) {
  const std::string t(trimmed(s));
  if (t.empty()) return false;
  char* end = nullptr;
  if constexpr (std::is_same_v<T, float>) *out = strtof_l(t.c_str(), &end, c_locale());
  else *out = strtod_l(t.c_str(), &end, c_locale());
  return end == t.c_str() + t.size();
}

// An optional sign and decimal digits, in range of T.
template <class T>
bool parse_int(std::string_view s, T* out) {
  s = trimmed(s);
  bool neg = false;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) neg = s.front() == '-', s.remove_prefix(1);
  if (s.empty()) return false;
  // Accumulate negatively: the most negative value has no positive counterpart.
  T v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    if (__builtin_mul_overflow(v, T(10), &v) || __builtin_sub_overflow(v, T(c - '0'), &v)) return false;
  }
  if (!neg && __builtin_mul_overflow(v, T(-1), &v)) return false;
  *out = v;
  return true;
}

template <class T, class P>
Tensor parse_all(const Tensor& input, DType dtype, P&& parse) {
  const std::string* in = string_input(input, "to_number");
  return generate<T>(input.shape(), dtype, [&](int64_t i) {
    T v{};
    if (!parse(in[i], &v))
      throw_invalid("to_number: could not convert string " + bytes_repr(in[i]) + " at index " +
                    std::to_string(i) + " to dtype " + dtype_name(dtype));
    return v;
  });
}
}  // namespace

static Tensor to_number_eager(const Tensor& input, DType out_type);
Tensor to_number(const Tensor& input, DType out_type) {
  return traced_host_op({input}, [out_type](const std::vector<Tensor>& in) { return to_number_eager(in[0], out_type); });
}
static Tensor to_number_eager(const Tensor& input, DType out_type) {
  switch (out_type) {
    case DType::float32: return parse_all<float>(input, out_type, parse_float<float>);
    case DType::float64: return parse_all<double>(input, out_type, parse_float<double>);
    case DType::int32: return parse_all<int32_t>(input, out_type, parse_int<int32_t>);
    case DType::int64: return parse_all<int64_t>(input, out_type, parse_int<int64_t>);
    default:
      throw_invalid(std::string("to_number: expected out_type float32, float64, int32 or int64, but received ") +
                    dtype_name(out_type));
  }
}

// ---- as_string -------------------------------------------------------------------------------
namespace {
std::string printf_one(const std::string& fmt, auto v) {
  const int n = std::snprintf(nullptr, 0, fmt.c_str(), v);
  std::string s(static_cast<size_t>(n), '\0');
  std::snprintf(s.data(), s.size() + 1, fmt.c_str(), v);
  return s;
}
}  // namespace

static Tensor as_string_eager(const Tensor& input, const AsStringOptions& o);
Tensor as_string(const Tensor& input, const AsStringOptions& o) {
  return traced_host_op({input}, [o](const std::vector<Tensor>& in) { return as_string_eager(in[0], o); });
}
static Tensor as_string_eager(const Tensor& input, const AsStringOptions& o) {
  if (!input.defined()) throw_invalid("as_string: input is an undefined tensor");
  const DType dt = input.dtype();
  // (TensorFlow's checks, in its order; a string input takes every option.)
  const bool is_float = is_floating(dt) || is_complex(dt), is_str = dt == DType::string;
  if ((o.scientific || o.shortest) && !is_float && !is_str)
    throw_invalid(std::string("as_string: scientific and shortest format not supported for datatype ") + dtype_name(dt));
  if (o.precision > -1 && !is_float && !is_str)
    throw_invalid(std::string("as_string: precision not supported for datatype ") + dtype_name(dt));
  if (o.scientific && o.shortest) throw_invalid("as_string: cannot select both scientific and shortest notation");
  if (o.fill.size() > 1) throw_invalid("as_string: fill string must be one or fewer characters");
  if (!o.fill.empty() && std::string_view(" +-0#").find(o.fill[0]) == std::string_view::npos)
    throw_invalid("as_string: fill argument not supported: \"" + o.fill + "\"");
  std::string fmt = "%" + o.fill;
  if (o.width > -1) fmt += std::to_string(o.width);
  if (o.precision > -1) {
    fmt += '.';
    fmt += std::to_string(o.precision);
  }
  const Tensor x = input.cpu();
  const void* p = x.raw_data();
  switch (dt) {
    case DType::float32:
    case DType::float64:
    case DType::float16:
    case DType::bfloat16:
    case DType::complex64:
    case DType::complex128: fmt += o.shortest ? "g" : o.scientific ? "e" : "f"; break;
    case DType::int64: fmt += "lld"; break;
    case DType::int32: fmt += "d"; break;
    case DType::uint8:
    case DType::uint16:
    case DType::uint32: fmt += "u"; break;
    case DType::int8:
    case DType::int16: fmt += "d"; break;
    case DType::string: fmt += "s"; break;
    case DType::bool_: break;
  }
  return generate<std::string>(x.shape(), DType::string, [&](int64_t i) -> std::string {
    switch (dt) {
      case DType::float32: return printf_one(fmt, static_cast<double>(static_cast<const float*>(p)[i]));
      case DType::float64: return printf_one(fmt, static_cast<const double*>(p)[i]);
      case DType::float16: return printf_one(fmt, double(half_to_float(static_cast<const float16_t*>(p)[i])));
      case DType::bfloat16: return printf_one(fmt, double(bfloat16_to_float(static_cast<const bfloat16_t*>(p)[i])));
      case DType::int32: return printf_one(fmt, static_cast<const int32_t*>(p)[i]);
      case DType::int64: return printf_one(fmt, static_cast<long long>(static_cast<const int64_t*>(p)[i]));
      case DType::uint8: return printf_one(fmt, static_cast<unsigned>(static_cast<const uint8_t*>(p)[i]));
      case DType::uint16: return printf_one(fmt, static_cast<unsigned>(static_cast<const uint16_t*>(p)[i]));
      case DType::uint32: return printf_one(fmt, static_cast<unsigned>(static_cast<const uint32_t*>(p)[i]));
      case DType::int8: return printf_one(fmt, static_cast<int>(static_cast<const int8_t*>(p)[i]));
      case DType::int16: return printf_one(fmt, static_cast<int>(static_cast<const int16_t*>(p)[i]));
      case DType::bool_: return static_cast<const bool*>(p)[i] ? "true" : "false";
      case DType::string: {  // formatted only when a width is given
        const std::string& s = static_cast<const std::string*>(p)[i];
        return o.width > -1 ? printf_one(fmt, s.c_str()) : s;
      }
      case DType::complex64: {
        const auto z = static_cast<const std::complex<float>*>(p)[i];
        return pair_text(printf_one(fmt, double(z.real())), printf_one(fmt, double(z.imag())));
      }
      case DType::complex128: {
        const auto z = static_cast<const std::complex<double>*>(p)[i];
        return pair_text(printf_one(fmt, z.real()), printf_one(fmt, z.imag()));
      }
    }
    return {};
  });
}

}  // namespace keras::core::strings
