// core_layers_util.h - private helpers of the core layers' .cpp files (not installed,
// not included by public headers).
#pragma once
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "keras/config.h"

namespace keras::layers::detail {

// A number as Python prints it in error messages ("0.3", "-1", "1e-07").
inline std::string num(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

// "(0.1, 0.2)", built by appending (g++ 12 warns, -Wrestrict, on "(" + std::string).
inline std::string pair_str(double a, double b) {
  std::string r = "(";
  r += num(a);
  r += ", ";
  r += num(b);
  r += ")";
  return r;
}

// "[1, 2, 3]"
inline std::string list_str(const std::vector<int64_t>& v) {
  std::string r = "[";
  for (size_t i = 0; i < v.size(); ++i) r += (i ? ", " : "") + std::to_string(v[i]);
  return r + "]";
}

// A shape with None (-1) entries as a config list with nulls.
inline Value dims_value(const std::vector<int64_t>& dims) {
  std::vector<Value> out;
  for (int64_t d : dims) out.push_back(d < 0 ? Value() : Value(static_cast<long long>(d)));
  return Value(out);
}

}  // namespace keras::layers::detail
