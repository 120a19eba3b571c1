// test_activations.cpp - the activations of keras.ops.nn (core/ops_math.h) against Keras 3
// (the fixture of tests/data/ops/make_elem_fixtures.py, with NaN, infinities and the
// activations' kinks), their axes, dtypes and bad input. Gradients: test_gradients.cpp.
#include <functional>
#include <string>
#include <vector>

#include "../error_of.h"
#include "elem_fixture.h"
#include "ops_names.h"

using namespace th;
using elem::check_like;
using elem::fx;

namespace {

using Act = std::function<Tensor(const Tensor&)>;

const std::vector<std::pair<std::string, Act>>& activations() {
  static const std::vector<std::pair<std::string, Act>> t = {
      {"celu", [](auto& x) { return ops::celu(x); }},
      {"celu_a", [](auto& x) { return ops::celu(x, 0.5); }},
      {"glu", [](auto& x) { return ops::glu(x); }},
      {"glu_ax1", [](auto& x) { return ops::glu(ops::slice(x, {0, 0, 0}, {-1, 2, -1}), 1); }},
      {"hard_shrink", [](auto& x) { return ops::hard_shrink(x); }},
      {"hard_shrink_t", [](auto& x) { return ops::hard_shrink(x, 1.2); }},
      {"hard_sigmoid", [](auto& x) { return ops::hard_sigmoid(x); }},
      {"hard_silu", [](auto& x) { return ops::hard_silu(x); }},
      {"hard_swish", [](auto& x) { return ops::hard_swish(x); }},
      {"hard_tanh", [](auto& x) { return ops::hard_tanh(x); }},
      {"log_sigmoid", [](auto& x) { return ops::log_sigmoid(x); }},
      {"soft_shrink", [](auto& x) { return ops::soft_shrink(x); }},
      {"soft_shrink_t", [](auto& x) { return ops::soft_shrink(x, 1.2); }},
      {"sparse_plus", [](auto& x) { return ops::sparse_plus(x); }},
      {"sparse_sigmoid", [](auto& x) { return ops::sparse_sigmoid(x); }},
      {"squareplus", [](auto& x) { return ops::squareplus(x); }},
      {"squareplus_b", [](auto& x) { return ops::squareplus(x, 0.5); }},
      {"swish", [](auto& x) { return ops::swish(x); }},
      {"tanh_shrink", [](auto& x) { return ops::tanh_shrink(x); }},
      {"threshold", [](auto& x) { return ops::threshold(x, 0.3, -2.0); }},
  };
  return t;
}


}  // namespace

TEST_CASE("activations: match keras.ops.nn in float64 and float32, NaN and infinities included") {
  const Tensor x = fx("x_f64");
  for (auto& [name, f] : activations()) {
    CAPTURE(name);
    check_like(f(x), fx(name + "_f64"), 1e-12);
    check_like(f(ops::cast(x, DType::float32)), fx(name + "_f32"), 2e-6);
    CHECK(f(ops::zeros({0, 2, 4})).shape()[0] == 0);
  }
}

TEST_CASE("activations: sparsemax along every axis matches keras.ops.nn.sparsemax") {
  const Tensor s = fx("s_f64");
  // A one-element support is a one-hot row (Keras's docstring example).
  check_values(ops::sparsemax(core::constant({-1.0, 0.0, 1.0})), std::vector<double>{0, 0, 1}, 0);
  for (int64_t axis : {-1, 1, 0}) {
    CAPTURE(axis);
    const std::string key = "sparsemax_ax" + std::string(axis < 0 ? "m1" : std::to_string(axis));
    check_like(ops::sparsemax(s, axis), fx(key + "_f64"), 1e-12);
    check_like(ops::sparsemax(ops::cast(s, DType::float32), axis), fx(key + "_f32"), 2e-6);
  }
}

TEST_CASE("activations: bad input raises std::invalid_argument naming the op and what it received") {
  const Tensor i = ops::ones({2, 4, 4}, DType::int32);
  for (auto& [name, f] : activations()) {
    CAPTURE(name);
    std::string e = error_of([&] { (void)f(i); });
    CHECK(e.find("int32") != std::string::npos);
  }
  std::string e = error_of([&] { (void)ops::glu(ops::ones({2, 3})); });
  CHECK(e.find("glu") != std::string::npos);
  CHECK(e.find("(2, 3)") != std::string::npos);
  e = error_of([&] { (void)ops::sparsemax(ops::ones({2, 3}), 2); });
  CHECK(e.find("sparsemax") != std::string::npos);
  CHECK(e.find("axis 2") != std::string::npos);
  CHECK(error_of([&] { (void)ops::squareplus(ops::ones({2}), -1.0); }).find("squareplus") != std::string::npos);
  CHECK(error_of([&] { (void)ops::celu(ops::ones({2}), 0.0); }).find("celu") != std::string::npos);
}

KERAS_OPS_NAME("celu", (void)ops::celu(ops::ones({2})));
KERAS_OPS_NAME("glu", (void)ops::glu(ops::ones({2, 4})));
KERAS_OPS_NAME("hard_shrink", (void)ops::hard_shrink(ops::ones({2})));
KERAS_OPS_NAME("hard_sigmoid", (void)ops::hard_sigmoid(ops::ones({2})));
KERAS_OPS_NAME("hard_silu", (void)ops::hard_silu(ops::ones({2})));
KERAS_OPS_NAME("hard_swish", (void)ops::hard_swish(ops::ones({2})));
KERAS_OPS_NAME("hard_tanh", (void)ops::hard_tanh(ops::ones({2})));
KERAS_OPS_NAME("log_sigmoid", (void)ops::log_sigmoid(ops::ones({2})));
KERAS_OPS_NAME("soft_shrink", (void)ops::soft_shrink(ops::ones({2})));
KERAS_OPS_NAME("sparse_plus", (void)ops::sparse_plus(ops::ones({2})));
KERAS_OPS_NAME("sparse_sigmoid", (void)ops::sparse_sigmoid(ops::ones({2})));
KERAS_OPS_NAME("sparsemax", (void)ops::sparsemax(ops::ones({2, 3})));
KERAS_OPS_NAME("squareplus", (void)ops::squareplus(ops::ones({2})));
KERAS_OPS_NAME("swish", (void)ops::swish(ops::ones({2})));
KERAS_OPS_NAME("tanh_shrink", (void)ops::tanh_shrink(ops::ones({2})));
KERAS_OPS_NAME("threshold", (void)ops::threshold(ops::ones({2}), 0.5, 0.0));
