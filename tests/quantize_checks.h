// quantize_checks.h - what the quantization tests compare with Keras's fixtures: the
// share of equal elements and the largest difference.
#pragma once
#include <vector>

#include <doctest/doctest.h>

#include "helpers.h"

namespace th {

/// The values as doubles, row-major.
inline std::vector<double> as_doubles(const Tensor& t) {
  return values(keras::core::ops::cast(t, keras::DType::float64));
}

/// The share of equal elements of two tensors of the same shape (1 when empty).
inline double agreement(const Tensor& a, const Tensor& b) {
  REQUIRE(a.shape() == b.shape());
  const std::vector<double> x = as_doubles(a), y = as_doubles(b);
  size_t same = 0;
  for (size_t i = 0; i < x.size(); ++i) same += x[i] == y[i];
  return x.empty() ? 1.0 : double(same) / double(x.size());
}

/// max |a - b| over two tensors of the same shape, in float64.
inline double max_abs_diff(const Tensor& a, const Tensor& b) {
  REQUIRE(a.shape() == b.shape());
  namespace ops = keras::core::ops;
  return ops::max(ops::abs(ops::cast(a, keras::DType::float64) - ops::cast(b, keras::DType::float64))).item<double>();
}

}  // namespace th
