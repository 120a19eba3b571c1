// A program that uses keras-cpp from outside its source tree: tests/consumer/run.sh builds
// it against an installed keras-cpp in several ways (pkg-config, CMake, a Meson
// subproject, a staged install) and runs it.
#include <keras/keras.h>

#include <iostream>

// The library keeps every name under namespace keras: a program's own generic names
// (here a namespace core and a namespace ops at global scope) do not collide with it.
namespace core {
struct Tensor {
  int value = 3;
};
}  // namespace core
namespace ops {
inline int square(int v) { return v * v; }
}  // namespace ops

int main() {
  if (ops::square(core::Tensor{}.value) != 9) return 1;
  keras::ops::set_random_seed(7);
  // y = 2 x + 1 on 64 points, learned by one Dense unit.
  keras::Tensor x = keras::ops::reshape(keras::ops::linspace(-1.0, 1.0, 64), {64, 1});
  keras::Tensor y = x * 2.0 + 1.0;
  auto model = keras::Sequential({keras::layers::Dense(1)});
  model->compile({.optimizer = keras::optimizers::Adam({.learning_rate = 0.05}), .loss = "mse"});
  model->fit(x, y, {.batch_size = 16, .epochs = 100, .verbose = 0});
  double loss = model->evaluate(x, y, {.verbose = 0}).at("loss");
  std::cout << "consumer: loss " << loss << "\n";
  return loss < 0.05 ? 0 : 1;
}
