// core_demo.cpp - a tour of the tensor engine: creation, dtypes, broadcasting,
// reductions, matmul, softmax and cross-entropy, and a clear error.
#include <iostream>

#include <keras/keras.h>

int main() {
  using keras::Tensor;
  namespace ops = keras::ops;

  Tensor x = keras::constant({{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}});  // float32, like TF
  std::cout << x << "\n\n";
  std::cout << "x * 2 + 1 =\n" << (x * 2.0 + 1.0) << "\n\n";
  std::cout << "sum over axis 0: " << ops::sum(x, {0}) << "\n";
  std::cout << "mean, keepdims:\n" << ops::mean(x, {1}, true) << "\n\n";
  std::cout << "range(10) is " << keras::dtype_name(ops::range(10).dtype()) << ": "
            << ops::range(10) << "\n\n";

  ops::RandomOptions init;
  init.seed = 42;
  Tensor w = ops::random_normal({3, 4}, init);
  Tensor logits = ops::matmul(x, w);
  std::cout << "logits = x @ w:\n" << logits << "\n\n";
  std::cout << "softmax:\n" << ops::softmax(logits) << "\n\n";
  Tensor labels = keras::constant({2, 0});
  std::cout << "sparse cross-entropy: "
            << ops::sparse_softmax_cross_entropy_with_logits(labels, logits) << "\n\n";

  try {
    ops::add(x, ops::ones({4}));
  } catch (const std::invalid_argument& e) {
    std::cout << "error, as expected: " << e.what() << "\n";
  }
  return 0;
}
