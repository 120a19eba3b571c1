// format.cpp - printing tensors like TensorFlow (values laid out as NumPy prints them).
#include <charconv>
#include <cmath>
#include <complex>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/cpu/convert.h"
#include "core/tensor.h"
#include "core/dispatch.h"
#include "core/ragged.h"
#include "core/sparse.h"
#include "core/string_kernels.h"

namespace keras::core {
namespace {

constexpr int64_t kThreshold = 1000;  // NumPy's print threshold
constexpr int64_t kEdge = 3;          // items shown at each edge when summarizing

struct Formatter {
  std::vector<std::string> cells;  // formatted elements in visiting order
  bool summarize = false;
};

// Element indices that are printed along one axis of length n.
std::vector<int64_t> shown(int64_t n, bool summarize) {
  std::vector<int64_t> idx;
  if (summarize && n > 2 * kEdge) {
    for (int64_t i = 0; i < kEdge; ++i) idx.push_back(i);
    idx.push_back(-1);  // the "..." marker
    for (int64_t i = n - kEdge; i < n; ++i) idx.push_back(i);
  } else {
    for (int64_t i = 0; i < n; ++i) idx.push_back(i);
  }
  return idx;
}

// The shortest decimal (as a double) that rounds to the same float16/bfloat16 as `v`.
double shortest_half_decimal(double v, DType dt) {
  if (!std::isfinite(v) || v == 0) return v;
  auto bits = [dt](double x) {
    return dt == DType::float16 ? double_to_half(x).bits : double_to_bfloat16(x).bits;
  };
  const uint16_t want = bits(v);
  char buf[40];
  for (int p = 1; p <= 17; ++p) {
    std::snprintf(buf, sizeof buf, "%.*g", p, v);
    const double d = std::strtod(buf, nullptr);
    if (bits(d) == want) return d;
  }
  return v;
}

std::string format_float(double v, bool is32, bool scientific) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  if (scientific) {  // shortest round-trip mantissa, as NumPy: 1.4563833e-05
    auto r = is32 ? std::to_chars(buf, buf + sizeof buf, static_cast<float>(v),
                                  std::chars_format::scientific)
                  : std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
    std::string s(buf, r.ptr);
    auto e = s.find('e');
    std::string mant = s.substr(0, e), ex = s.substr(e);
    if (mant.find('.') == std::string::npos) mant += ".";
    return mant + ex;
  }
  // Shortest representation that round-trips in the tensor's precision, at most 8
  // fractional digits (NumPy's default precision).
  auto r = is32 ? std::to_chars(buf, buf + sizeof buf, static_cast<float>(v),
                                std::chars_format::fixed)
                : std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  std::string s(buf, r.ptr);
  auto dot = s.find('.');
  if (dot == std::string::npos) return s + ".";
  if (s.size() - dot - 1 > 8) {
    std::snprintf(buf, sizeof buf, "%.8f", v);
    s = buf;
    while (s.back() == '0') s.pop_back();
  }
  return s;
}

void walk(const std::vector<double>& vals, const Shape& shape, const std::vector<int64_t>& strides,
          int64_t axis, int64_t offset, bool summarize, std::vector<int64_t>& order) {
  if (axis == shape.rank()) {
    order.push_back(offset);
    return;
  }
  for (int64_t i : shown(shape[axis], summarize))
    if (i >= 0) walk(vals, shape, strides, axis + 1, offset + i * strides[axis], summarize, order);
}

std::string layout(const std::vector<std::string>& cells, size_t& pos, const Shape& shape,
                   int64_t axis, bool summarize) {
  if (axis == shape.rank()) return cells[pos++];
  std::string s = "[";
  bool first = true;
  int64_t rank = shape.rank();
  for (int64_t i : shown(shape[axis], summarize)) {
    if (!first) {
      if (axis == rank - 1) s += " ";
      else s += std::string(static_cast<size_t>(rank - axis - 1), '\n') +
                std::string(static_cast<size_t>(axis + 1), ' ');
    }
    first = false;
    s += i < 0 ? std::string("...") : layout(cells, pos, shape, axis + 1, summarize);
  }
  return s + "]";
}

// NumPy's float cells for `vals` (already in visiting order): fixed or scientific for
// all, padded to common widths; `plus` prints a sign on every value (imaginary parts).
std::vector<std::string> float_cells(const std::vector<double>& vals, bool is32, bool plus) {
  bool scientific = false;
  double maxabs = 0, minabs = INFINITY;
  for (double v : vals) {
    double a = std::fabs(v);
    if (!std::isfinite(a)) continue;
    maxabs = std::max(maxabs, a);
    if (a > 0) minabs = std::min(minabs, a);
  }
  if (maxabs > 0 && (maxabs >= 1e8 || minabs < 1e-4 || maxabs / minabs > 1e3)) scientific = true;
  size_t int_w = 0, frac_w = 0;
  std::vector<std::pair<std::string, std::string>> parts;
  for (double v : vals) {
    std::string s = format_float(v, is32, scientific);
    if (plus && s[0] != '-') s = "+" + s;
    auto cut = scientific ? s.find('e') : s.find('.');
    std::string a = cut == std::string::npos ? s : s.substr(0, cut);
    std::string b = cut == std::string::npos ? "" : s.substr(cut);
    if (scientific) std::swap(a, b);
    int_w = std::max(int_w, scientific ? b.size() : a.size());
    frac_w = std::max(frac_w, scientific ? a.size() : b.size());
    parts.emplace_back(a, b);
  }
  std::vector<std::string> cells;
  for (auto& [a, b] : parts) {
    if (scientific) {
      bool finite = b.find('.') != std::string::npos;
      std::string m = finite ? b + std::string(int_w - b.size(), '0')
                             : std::string(int_w - b.size(), ' ') + b;
      cells.push_back(m + a + std::string(frac_w - a.size(), ' '));
    } else {
      cells.push_back(std::string(int_w - a.size(), ' ') + a + b + std::string(frac_w - b.size(), ' '));
    }
  }
  return cells;
}

// A Python float without a needless ".0" ("1", "2.5", "nan"), as in repr(1+2.5j).
std::string python_part(double v) {
  std::string s = format_scalar(v);
  if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);
  return s;
}

// Complex values as NumPy prints them: real parts, then signed imaginary parts and 'j'
// ("[ 1.+2.j -3.-1.j]"); a scalar as Python's repr ("(1+2j)").
std::string complex_values_str(const Tensor& h, const std::vector<int64_t>& order, bool summarize) {
  const int64_t n = h.size();
  std::vector<double> re, im;
  auto read = [&](int64_t o) {
    if (h.dtype() == DType::complex64) {
      auto z = static_cast<const std::complex<float>*>(h.raw_data())[o];
      re.push_back(z.real()), im.push_back(z.imag());
    } else {
      auto z = static_cast<const std::complex<double>*>(h.raw_data())[o];
      re.push_back(z.real()), im.push_back(z.imag());
    }
  };
  if (h.rank() == 0) {
    read(0);
    std::string i = python_part(im[0]);
    if (i[0] != '-') i = "+" + i;
    return "(" + python_part(re[0]) + i + "j)";
  }
  if (n == 0) return std::string(static_cast<size_t>(h.rank()), '[') + std::string(static_cast<size_t>(h.rank()), ']');
  for (int64_t o : order) read(o);
  const bool is32 = h.dtype() == DType::complex64;
  std::vector<std::string> a = float_cells(re, is32, false), b = float_cells(im, is32, true);
  std::vector<std::string> cells;
  for (size_t k = 0; k < a.size(); ++k) {
    std::string imag = b[k];  // NumPy moves the padding of the imaginary part after the 'j'
    size_t end = imag.find_last_not_of(' ') + 1;
    cells.push_back(a[k] + imag.substr(0, end) + "j" + imag.substr(end));
  }
  size_t pos = 0;
  return layout(cells, pos, h.shape(), 0, summarize);
}

// A string tensor's elements as NumPy prints an array of bytes objects: [b'a' b'bc'],
// no padding; NumPy prints any empty array as [].
std::string string_values_str(const Tensor& h, const std::vector<int64_t>& order, bool summarize) {
  const auto* p = static_cast<const std::string*>(h.raw_data());
  if (h.rank() == 0) return bytes_repr(p[0]);
  if (h.size() == 0) return "[]";
  std::vector<std::string> cells;
  cells.reserve(order.size());
  for (int64_t o : order) cells.push_back(bytes_repr(p[o]));
  size_t pos = 0;
  return layout(cells, pos, h.shape(), 0, summarize);
}

}  // namespace

std::string bytes_repr(std::string_view s) {
  const char q = (s.find('\'') != std::string_view::npos && s.find('"') == std::string_view::npos) ? '"' : '\'';
  std::string r = "b";
  r += q;
  for (unsigned char c : s) {
    if (c == static_cast<unsigned char>(q) || c == '\\') {
      r += '\\';
      r += static_cast<char>(c);
    } else if (c == '\t') {
      r += "\\t";
    } else if (c == '\n') {
      r += "\\n";
    } else if (c == '\r') {
      r += "\\r";
    } else if (c < 0x20 || c >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      r += buf;
    } else {
      r += static_cast<char>(c);
    }
  }
  r += q;
  return r;
}

std::string Tensor::values_str() const {
  tracing::check_not_tracing("printing a tensor's values");
  Tensor h = cpu();
  if (h.dtype() == DType::string) {
    std::vector<double> none;
    std::vector<int64_t> order;
    const bool summarize = h.size() > kThreshold;
    walk(none, h.shape(), contiguous_strides(h.shape()), 0, 0, summarize, order);
    return string_values_str(h, order, summarize);
  }
  const Shape& shape = h.shape();
  int64_t n = h.size();
  std::vector<double> vals(static_cast<size_t>(n));
  if (n && !is_complex(h.dtype())) cpu::convert(h.raw_data(), h.dtype(), vals.data(), DType::float64, n);
  DType dt = h.dtype();
  if (is_half(dt))  // NumPy prints a half value's shortest decimal that reads back as it
    for (double& v : vals) v = shortest_half_decimal(v, dt);
  bool summarize = n > kThreshold;
  std::vector<int64_t> order;
  walk(vals, shape, contiguous_strides(shape), 0, 0, summarize, order);
  if (shape.rank() > 0 && n == 0) return std::string(static_cast<size_t>(shape.rank()), '[') +
                                         std::string(static_cast<size_t>(shape.rank()), ']');

  std::vector<std::string> cells;
  cells.reserve(order.size());
  if (is_complex(dt)) return complex_values_str(h, order, summarize);
  if (is_floating(dt)) {
    bool scientific = false;
    double maxabs = 0, minabs = INFINITY;
    for (int64_t o : order) {
      double a = std::fabs(vals[static_cast<size_t>(o)]);
      if (!std::isfinite(a)) continue;
      maxabs = std::max(maxabs, a);
      if (a > 0) minabs = std::min(minabs, a);
    }
    // NumPy's rule: scientific when a value is below 1e-4, reaches 1e8, or the values
    // span more than three orders of magnitude.
    if (maxabs > 0 && (maxabs >= 1e8 || minabs < 1e-4 || maxabs / minabs > 1e3)) scientific = true;
    if (shape.rank() == 0) {  // a scalar prints like a Python float
      std::string s = format_float(vals[0], dt == DType::float32, scientific);
      if (!s.empty() && s.back() == '.') s += "0";
      return s;
    }
    size_t int_w = 0, frac_w = 0;
    std::vector<std::pair<std::string, std::string>> parts;
    for (int64_t o : order) {
      std::string s = format_float(vals[static_cast<size_t>(o)], dt == DType::float32, scientific);
      // Fixed: split at the dot; scientific: mantissa and exponent (the mantissas get
      // trailing zeros to one length, as NumPy pads them).
      auto cut = scientific ? s.find('e') : s.find('.');
      std::string a = cut == std::string::npos ? s : s.substr(0, cut);
      std::string b = cut == std::string::npos ? "" : s.substr(cut);
      if (scientific) std::swap(a, b);  // a = exponent, b = mantissa
      int_w = std::max(int_w, scientific ? b.size() : a.size());
      frac_w = std::max(frac_w, scientific ? a.size() : b.size());
      parts.emplace_back(a, b);
    }
    for (auto& [a, b] : parts) {
      if (scientific) {  // b = mantissa, a = exponent
        bool finite = b.find('.') != std::string::npos;
        std::string m = finite ? b + std::string(int_w - b.size(), '0')
                               : std::string(int_w - b.size(), ' ') + b;
        cells.push_back(m + a + std::string(frac_w - a.size(), ' '));
      } else {
        cells.push_back(std::string(int_w - a.size(), ' ') + a + b + std::string(frac_w - b.size(), ' '));
      }
    }
  } else {
    std::vector<std::string> raw;
    size_t w = 0;
    for (int64_t o : order) {
      double v = vals[static_cast<size_t>(o)];
      std::string s = dt == DType::bool_ ? (v != 0 ? "True" : "False")
                                         : std::to_string(static_cast<long long>(v));
      if (dt == DType::int64) {  // exact, without a trip through double
        s = std::to_string(static_cast<const int64_t*>(h.raw_data())[o]);
      }
      w = std::max(w, s.size());
      raw.push_back(std::move(s));
    }
    if (shape.rank() == 0) return raw[0];
    for (auto& s : raw) cells.push_back(std::string(w - s.size(), ' ') + s);
  }
  size_t pos = 0;
  return layout(cells, pos, shape, 0, summarize);
}

std::string Tensor::str() const {
  if (!defined()) return "tf.Tensor(<undefined>)";
  if (sparse::is_sparse(*this)) return sparse::sparse_of(*this).str();
  if (ragged::is_ragged(*this)) return ragged::ragged_of(*this).str();
  std::string v = values_str();
  const char* sep = v.find('\n') != std::string::npos ? "\n" : "";  // as TensorFlow: when the values span lines
  return std::string("tf.Tensor(") + sep + v + ", shape=" + shape().str() +
         ", dtype=" + dtype_name(dtype()) + ")";
}

}  // namespace keras::core
