// gradient_cases.h - the cases of the float64 gradient check (test_gradients.cpp): a
// function of some inputs, the primitive whose rule it exercises, and the inputs' shapes
// and ranges. The families of the keras.ops breadth work live in
// gradient_cases_ops.cpp, the primitives' in gradient_cases_engine.cpp; the check in
// test_gradients.cpp.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "core/core.h"

namespace gradcheck {

using keras::core::Shape;
using keras::core::Tensor;
using Fn = std::function<Tensor(const std::vector<Tensor>&)>;

struct Input {
  Input(Shape s, double l = -2, double h = 2, bool away = false, Tensor f = Tensor())
      : shape(std::move(s)), lo(l), hi(h), away_from_zero(away), fixed(std::move(f)) {}
  Shape shape;
  double lo, hi;
  bool away_from_zero;  // keep |x| >= 0.2 (kinks of abs, relu, ...)
  Tensor fixed;         // a non-differentiable input (labels, indices, masks)
};

struct Case {
  std::string op;  // the primitive under test (it must be among the rules that ran)
  Fn f;
  std::vector<Input> inputs;
  double eps = 1e-6, tol = 1e-6;
};

// The engine's primitives (gradient_cases_engine.cpp).
std::vector<Case> unary_cases();
std::vector<Case> binary_cases();
std::vector<Case> reduce_cases();
std::vector<Case> matmul_cases();
std::vector<Case> nn_cases();
std::vector<Case> shape_cases();
std::vector<Case> control_flow_cases();
std::vector<Case> conv_cases();
std::vector<Case> image_cases();
std::vector<Case> linalg_cases();
std::vector<Case> einsum_cases();
std::vector<Case> batch_norm_cases();  // gradient_cases_batch_norm.cpp
// First order only (their backward ops are not differentiable): gradient_cases_rnn.cpp.
std::vector<Case> rnn_cases();

// keras.ops families (gradient_cases_ops.cpp).
std::vector<Case> complex_cases();
std::vector<Case> ops_nn_cases();
std::vector<Case> image_more_cases();
std::vector<Case> functional_cases();
std::vector<Case> numpy_shape_cases();
std::vector<Case> math_cases();
std::vector<Case> reduce_ops_cases();

}  // namespace gradcheck
