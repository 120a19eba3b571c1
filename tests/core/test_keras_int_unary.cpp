// test_keras_int_unary.cpp - keras.ops's unary functions on integer and bool inputs, as
// Keras 3 computes them (tests/data/int_dtypes/keras_unary.npz, written by
// tests/data/int_dtypes/make_keras_unary_fixtures.py): the float functions compute in
// float32, isnan / isfinite answer for integers, abs / sign / relu / square take unsigned
// dtypes; what Keras refuses for a dtype raises std::invalid_argument here.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/ops.h"
#include "helpers.h"
#include "npz_fixtures.h"

using namespace th;
namespace ops = keras::core::ops;
using keras::core::DType;

TEST_CASE("keras.ops unary functions on integer and bool inputs follow Keras 3") {
  const std::vector<std::pair<std::string, std::function<Tensor(const Tensor&)>>> fns = {
      {"exp", [](const Tensor& x) { return ops::exp(x); }},
      {"expm1", [](const Tensor& x) { return ops::expm1(x); }},
      {"log", [](const Tensor& x) { return ops::log(x); }},
      {"log1p", [](const Tensor& x) { return ops::log1p(x); }},
      {"sqrt", [](const Tensor& x) { return ops::sqrt(x); }},
      {"sin", [](const Tensor& x) { return ops::sin(x); }},
      {"cos", [](const Tensor& x) { return ops::cos(x); }},
      {"tanh", [](const Tensor& x) { return ops::tanh(x); }},
      {"floor", [](const Tensor& x) { return ops::floor(x); }},
      {"ceil", [](const Tensor& x) { return ops::ceil(x); }},
      {"isnan", [](const Tensor& x) { return ops::isnan(x); }},
      {"isfinite", [](const Tensor& x) { return ops::isfinite(x); }},
      {"leaky_relu", [](const Tensor& x) { return ops::leaky_relu(x); }},
      {"abs", [](const Tensor& x) { return ops::abs(x); }},
      {"sign", [](const Tensor& x) { return ops::sign(x); }},
      {"square", [](const Tensor& x) { return ops::square(x); }},
      {"relu", [](const Tensor& x) { return ops::relu(x); }},
      {"relu6", [](const Tensor& x) { return ops::relu6(x); }},
      {"negative", [](const Tensor& x) { return ops::negative(x); }},
      {"round", [](const Tensor& x) { return ops::round(x); }}};
  const auto& arrays = npz_arrays("int_dtypes/keras_unary.npz");
  int compared = 0, refused = 0;
  for (const char* dt : {"int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "bool"}) {
    const Tensor& x = npz_array("int_dtypes/keras_unary.npz", std::string(dt) + "/x");
    for (const auto& [name, fn] : fns) {
      const std::string what = std::string(dt) + " " + name;
      INFO(what);
      auto it = arrays.find(std::string(dt) + "/" + name);
      if (it == arrays.end()) {  // Keras refuses this dtype
        CHECK_THROWS_AS(fn(x), std::invalid_argument);
        ++refused;
        continue;
      }
      const Tensor want = it->second;
      const Tensor got = fn(x);
      CHECK(got.dtype() == want.dtype());
      REQUIRE(got.shape() == want.shape());
      const auto g = values(ops::cast(got, DType::float64)), w = values(ops::cast(want, DType::float64));
      for (size_t i = 0; i < g.size(); ++i) {
        if (std::isnan(w[i]) || std::isinf(w[i])) CHECK((g[i] == w[i] || (std::isnan(g[i]) && std::isnan(w[i]))));
        else CHECK(g[i] == doctest::Approx(w[i]).epsilon(1e-6));
      }
      ++compared;
    }
  }
  CHECK(compared + refused == 8 * 20);
  CHECK(refused >= 8);  // (negative of unsigned, sign / relu / round of bool, ...)
}
