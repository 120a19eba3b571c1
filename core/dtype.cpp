#include "core/dtype.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace keras::core {

const char* dtype_name(DType d) {
  switch (d) {
    case DType::float32: return "float32";
    case DType::float64: return "float64";
    case DType::int32: return "int32";
    case DType::int64: return "int64";
    case DType::uint8: return "uint8";
    case DType::bool_: return "bool";
    case DType::complex64: return "complex64";
    case DType::complex128: return "complex128";
    case DType::string: return "string";
    case DType::float16: return "float16";
    case DType::bfloat16: return "bfloat16";
    case DType::int8: return "int8";
    case DType::int16: return "int16";
    case DType::uint16: return "uint16";
    case DType::uint32: return "uint32";
  }
  return "unknown";
}

DType dtype_from_name(std::string_view name) {
  for (int i = 0; i < kNumDTypes; ++i) {
    auto d = static_cast<DType>(i);
    if (name == dtype_name(d)) return d;
  }
  throw std::invalid_argument("dtype: expected one of float32, float64, int8, int16, int32, int64, uint8, uint16, "
                              "uint32, bool, complex64, complex128, string, float16, bfloat16, but received '" +
                              std::string(name) + "'");
}

std::size_t dtype_size(DType d) {
  switch (d) {
    case DType::complex128: return 16;
    case DType::float64:
    case DType::complex64:
    case DType::int64: return 8;
    case DType::float32:
    case DType::int32:
    case DType::uint32: return 4;
    case DType::float16:
    case DType::bfloat16:
    case DType::int16:
    case DType::uint16: return 2;
    case DType::uint8:
    case DType::int8:
    case DType::bool_: return 1;
    case DType::string: return 0;
  }
  return 0;
}

namespace {
// The integral range of an integer dtype.
void int_range(DType d, int64_t& lo, int64_t& hi) {
  switch (d) {
    case DType::int32: lo = INT32_MIN, hi = INT32_MAX; return;
    case DType::uint8: lo = 0, hi = 255; return;
    case DType::int8: lo = -128, hi = 127; return;
    case DType::int16: lo = INT16_MIN, hi = INT16_MAX; return;
    case DType::uint16: lo = 0, hi = UINT16_MAX; return;
    case DType::uint32: lo = 0, hi = UINT32_MAX; return;
    default: lo = INT64_MIN, hi = INT64_MAX; return;
  }
}

[[noreturn]] void throw_conversion(const char* what, const std::string& value, DType d,
                                   const char* why) {
  throw ConversionError(std::string(what) + ": cannot convert " + value + " to dtype " +
                        dtype_name(d) + " (" + why + ")");
}
}  // namespace

std::string format_scalar(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[40];
  if (v == std::trunc(v) && std::fabs(v) < 1e16) {  // as Python prints floats: 5000000000.0
    std::snprintf(buf, sizeof buf, "%.1f", v);
    return buf;
  }
  for (int p = 6; p <= 17; ++p) {
    std::snprintf(buf, sizeof buf, "%.*g", p, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  std::string s = buf;
  if (s.find_first_of(".en") == std::string::npos) s += ".0";  // a float, as Python prints it
  return s;
}

void check_scalar_fits(double value, DType dtype, const char* what) {
  if (dtype == DType::string)
    throw ConversionError(std::string(what) + ": cannot convert the number " + format_scalar(value) +
                          " to dtype string (use strings::as_string)");
  if (is_floating(dtype) || is_complex(dtype) || dtype == DType::bool_) return;
  if (std::isnan(value)) throw_conversion(what, "nan", dtype, "nan has no integer value");
  if (std::isinf(value))
    throw_conversion(what, format_scalar(value), dtype, "infinity has no integer value");
  if (value != std::trunc(value))
    throw_conversion(what, format_scalar(value), dtype, "the value is not an integer");
  int64_t lo, hi;
  int_range(dtype, lo, hi);
  // [lo, hi + 1) in doubles: both bounds are exact (powers of two, or 0).
  const double dlo = static_cast<double>(lo), dhi1 = static_cast<double>(hi) + 1.0;
  if (value < dlo || value >= dhi1)
    throw_conversion(what, format_scalar(value), dtype,
                     ("out of range [" + std::to_string(lo) + ", " + std::to_string(hi) + "]").c_str());
}

void check_integer_fits(int64_t value, DType dtype, const char* what) {
  if (dtype == DType::string)
    throw ConversionError(std::string(what) + ": cannot convert the number " + std::to_string(value) +
                          " to dtype string (use strings::as_string)");
  if (is_floating(dtype) || is_complex(dtype) || dtype == DType::bool_) return;
  int64_t lo, hi;
  int_range(dtype, lo, hi);
  if (value < lo || value > hi)
    throw_conversion(what, std::to_string(value), dtype,
                     ("out of range [" + std::to_string(lo) + ", " + std::to_string(hi) + "]").c_str());
}

}  // namespace keras::core
