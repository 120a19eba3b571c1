// reference.h - plain loops the Keras tests compare models with: a Dense layer's forward
// pass on row-major values, independent of the engine's ops.
#pragma once
#include <algorithm>
#include <vector>

#include "helpers.h"

namespace th {

// x (n, in) times kernel (in, out) plus bias (out), then relu if asked; row-major.
inline std::vector<double> dense_ref(const std::vector<double>& x, int64_t n, const Tensor& kernel,
                                     const Tensor& bias, bool relu = false) {
  const int64_t in = kernel.shape()[0], out = kernel.shape()[1];
  const std::vector<double> k = values(kernel), b = values(bias);
  REQUIRE(int64_t(x.size()) == n * in);
  std::vector<double> y(size_t(n * out));
  for (int64_t i = 0; i < n; ++i)
    for (int64_t o = 0; o < out; ++o) {
      double acc = b[size_t(o)];
      for (int64_t j = 0; j < in; ++j) acc += x[size_t(i * in + j)] * k[size_t(j * out + o)];
      y[size_t(i * out + o)] = relu ? std::max(acc, 0.0) : acc;
    }
  return y;
}

// Rows of a (n, p) and b (n, q) side by side: (n, p + q).
inline std::vector<double> concat_rows(const std::vector<double>& a, int64_t p, const std::vector<double>& b,
                                       int64_t q, int64_t n) {
  std::vector<double> y;
  for (int64_t i = 0; i < n; ++i) {
    y.insert(y.end(), a.begin() + i * p, a.begin() + (i + 1) * p);
    y.insert(y.end(), b.begin() + i * q, b.begin() + (i + 1) * q);
  }
  return y;
}

}  // namespace th
