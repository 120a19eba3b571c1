// shape_util.h - (private to core/ops/shape_*.cpp) small helpers of the data-movement
// ops: formatting and argument checks.
#pragma once
#include <string>
#include <vector>

#include "core/dispatch.h"

namespace keras::core::shape_util {

// "(4, -1)": a list of integers formatted like Shape::str (which rejects negatives).
inline std::string dims_str(const std::vector<int64_t>& d) {
  std::string s = "(";
  for (size_t i = 0; i < d.size(); ++i) s += (i ? ", " : "") + std::to_string(d[i]);
  if (d.size() == 1) s += ",";
  return s + ")";
}

inline std::string num(int64_t v) { return std::to_string(v); }

inline Tensor unary_op(OpId op, const Tensor& x, const Attrs& a) { return dispatch(op, {x}, a); }

inline void check_defined(const Tensor& x, const char* op) {
  if (!x.defined()) throw_invalid(std::string(op) + ": the input is an undefined tensor");
}

}  // namespace keras::core::shape_util
