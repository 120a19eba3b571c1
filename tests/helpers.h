// helpers.h - shared test utilities: value comparison, seeded data, error checks.
#pragma once
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "core/core.h"

namespace th {

namespace core = keras::core;

using core::DType;
using core::Shape;
using core::Tensor;
namespace ops = core::ops;

// Element-by-element comparison against expected values (converted to double).
template <class T>
inline void check_values(const Tensor& t, const std::vector<T>& expected, double tol = 1e-6) {
  REQUIRE(t.size() == static_cast<int64_t>(expected.size()));
  Tensor d = ops::cast(t, DType::float64);
  std::vector<double> got = d.to_vector<double>();
  for (size_t i = 0; i < expected.size(); ++i) {
    double e = static_cast<double>(expected[i]);
    if (std::isnan(e)) {
      CHECK_MESSAGE(std::isnan(got[i]), "element " << i);
    } else if (std::isinf(e)) {
      CHECK_MESSAGE(got[i] == e, "element " << i << ": got " << got[i] << " expected " << e);
    } else {
      CHECK_MESSAGE(std::fabs(got[i] - e) <= tol * (1.0 + std::fabs(e)),
                    "element " << i << ": got " << got[i] << " expected " << e);
    }
  }
}

inline std::vector<double> values(const Tensor& t) {
  return ops::cast(t, DType::float64).to_vector<double>();
}

// Seeded uniform values in [lo, hi) as float64 (a reference the tests compute with).
inline std::vector<double> uniform(int64_t n, double lo = -2.0, double hi = 2.0,
                                   uint32_t seed = 7) {
  std::mt19937 g(seed);
  std::uniform_real_distribution<double> d(lo, hi);
  std::vector<double> v(static_cast<size_t>(n));
  for (auto& x : v) x = d(g);
  return v;
}

// A tensor of `dtype` holding `vals` (converted).
inline Tensor make(const std::vector<double>& vals, const Shape& shape,
                   DType dtype = DType::float32) {
  return core::from_buffer(vals.data(), DType::float64, shape, dtype);
}

// Bit-for-bit equality of two float32 tensor lists (weights), shapes and dtypes included.
inline bool same_bits(const std::vector<Tensor>& a, const std::vector<Tensor>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].shape() != b[i].shape() || a[i].dtype() != b[i].dtype()) return false;
    std::vector<float> x = a[i].to_vector<float>(), y = b[i].to_vector<float>();
    if (std::memcmp(x.data(), y.data(), x.size() * sizeof(float)) != 0) return false;
  }
  return true;
}

// n points in 6 dimensions of three classes (int32 labels i % 3), shifted along the
// axis of their class.
inline std::pair<Tensor, Tensor> classes(int64_t n) {
  auto xv = uniform(n * 6, -1, 1, 11);
  std::vector<int> yv(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    yv[size_t(i)] = int(i % 3);
    xv[size_t(6 * i + yv[size_t(i)])] += 1.5;
  }
  return {make(xv, Shape{n, 6}), core::constant(yv)};
}

}  // namespace th

// Checks that expr throws exception type E whose message contains `text`.
#define CHECK_THROWS_MSG(expr, E, text) \
  CHECK_THROWS_WITH_AS(expr, doctest::Contains(text), E)
