// strings_format.cpp - keras::strings::format: tensors printed as tf.print prints them
// (TensorFlow's Tensor::SummarizeValue with print_v2), into a template (core/string_ops.h).
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/strings_util.h"

namespace keras::core::strings {
using namespace detail;

namespace {
// The shortest of %.{short}g and %.{long}g that reads back as v (6/9 digits for float,
// 15/17 for double), as TensorFlow's FloatToBuffer/DoubleToBuffer.
std::string float_text(double v, bool is32) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", is32 ? 6 : 15, v);
  const bool exact = is32 ? std::strtof(buf, nullptr) == static_cast<float>(v) : std::strtod(buf, nullptr) == v;
  if (!exact) std::snprintf(buf, sizeof buf, "%.*g", is32 ? 9 : 17, v);
  return buf;
}

// absl::Utf8SafeCEscape: C escapes for quotes, backslash, \n \r \t, octal for the other
// ASCII control bytes; bytes >= 0x80 as they are.
std::string c_escape(const std::string& s) {
  std::string r;
  for (unsigned char c : s) {
    switch (c) {
      case '\n': r += "\\n"; break;
      case '\r': r += "\\r"; break;
      case '\t': r += "\\t"; break;
      case '"': r += "\\\""; break;
      case '\'': r += "\\'"; break;
      case '\\': r += "\\\\"; break;
      default:
        if (c < 0x80 && (c < 0x20 || c == 0x7f)) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\%03o", c);
          r += buf;
        } else {
          r += static_cast<char>(c);
        }
    }
  }
  return r;
}

std::string element_text(const Tensor& t, int64_t i) {
  const void* p = t.raw_data();
  switch (t.dtype()) {
    case DType::float32: return float_text(static_cast<const float*>(p)[i], true);
    case DType::float64: return float_text(static_cast<const double*>(p)[i], false);
    case DType::int32: return std::to_string(static_cast<const int32_t*>(p)[i]);
    case DType::int64: return std::to_string(static_cast<const int64_t*>(p)[i]);
    case DType::uint8: return std::to_string(static_cast<const uint8_t*>(p)[i]);
    case DType::int8: return std::to_string(static_cast<const int8_t*>(p)[i]);
    case DType::int16: return std::to_string(static_cast<const int16_t*>(p)[i]);
    case DType::uint16: return std::to_string(static_cast<const uint16_t*>(p)[i]);
    case DType::uint32: return std::to_string(static_cast<const uint32_t*>(p)[i]);
    case DType::bool_: return static_cast<const bool*>(p)[i] ? "1" : "0";
    case DType::string: {
      std::string r(1, '"');
      r += c_escape(static_cast<const std::string*>(p)[i]);
      r += '"';
      return r;
    }
    case DType::float16: return float_text(half_to_float(static_cast<const float16_t*>(p)[i]), true);
    case DType::bfloat16: return float_text(bfloat16_to_float(static_cast<const bfloat16_t*>(p)[i]), true);
    case DType::complex64:
    case DType::complex128: return "?";
  }
  return {};
}

void dim_spacing(int64_t dim, int64_t rank, std::string& r) {
  if (dim == rank - 1) {
    r += ' ';
    return;
  }
  r.append(static_cast<size_t>(rank - dim - 1), '\n');
  r.append(static_cast<size_t>(dim + 1), ' ');
}

// TensorFlow's PrintOneDimV2: `ends` elements at each end of every axis, "..." between.
void print_dim(const Tensor& t, int64_t dim, int64_t ends, int64_t offset, std::string& r) {
  const int64_t rank = t.rank();
  if (dim == rank) {
    r += element_text(t, offset);
    return;
  }
  r += '[';
  const int64_t n = t.shape()[dim];
  int64_t stride = 1;
  for (int64_t k = dim + 1; k < rank; ++k) stride *= t.shape()[k];
  for (int64_t i = 0; i < ends && i < n; ++i) {
    if (i > 0) dim_spacing(dim, rank, r);
    print_dim(t, dim + 1, ends, offset + stride * i, r);
  }
  if (n > 2 * ends) {
    dim_spacing(dim, rank, r);
    r += "...";
  }
  for (int64_t i = std::max(ends, n - ends); i < n; ++i) {
    dim_spacing(dim, rank, r);
    print_dim(t, dim + 1, ends, offset + stride * i, r);
  }
  r += ']';
}

std::string summarize_value(const Tensor& t, int64_t summarize) {
  const int64_t n = t.size();
  const int64_t ends = summarize < 0 ? n : std::min(summarize, n);
  if (is_complex(t.dtype())) {  // TensorFlow prints no complex values: "?" for each
    std::string r = t.rank() ? "[" : "";
    for (int64_t i = 0; i < ends; ++i) r += i ? " ?" : "?";
    if (ends < n) r += "...";
    return t.rank() ? r + "]" : r;
  }
  if (t.dtype() == DType::bool_ && ends == 0) return "";  // (as TensorFlow)
  if (t.rank() == 0) return ends ? element_text(t, 0) : "...";
  std::string r;
  print_dim(t, 0, ends, 0, r);
  return r;
}
}  // namespace

static Tensor format_eager(const std::string& templ, const std::vector<Tensor>& inputs, const std::string& placeholder, int64_t summarize);
Tensor format(const std::string& templ, const std::vector<Tensor>& inputs, const std::string& placeholder, int64_t summarize) {
  return traced_host_op(inputs, [templ, placeholder, summarize](const std::vector<Tensor>& in) { return format_eager(templ, in, placeholder, summarize); });
}
static Tensor format_eager(const std::string& templ, const std::vector<Tensor>& inputs, const std::string& placeholder,
              int64_t summarize) {
  if (placeholder.empty()) throw_invalid("format: the placeholder must not be empty");
  std::vector<std::string> pieces;
  size_t start = 0;
  for (size_t at; (at = templ.find(placeholder, start)) != std::string::npos; start = at + placeholder.size())
    pieces.push_back(templ.substr(start, at - start));
  pieces.push_back(templ.substr(start));
  if (pieces.size() - 1 != inputs.size())
    throw_invalid("format: the template expects " + std::to_string(pieces.size() - 1) + " tensors, but " +
                  std::to_string(inputs.size()) + " inputs were given (the number of placeholders \"" +
                  placeholder + "\" must match the number of inputs)");
  std::string r = pieces[0];
  for (size_t k = 0; k < inputs.size(); ++k) {
    if (!inputs[k].defined()) throw_invalid("format: input " + std::to_string(k) + " is an undefined tensor");
    r += summarize_value(inputs[k].cpu(), summarize);
    r += pieces[k + 1];
  }
  return constant(r);
}

}  // namespace keras::core::strings
