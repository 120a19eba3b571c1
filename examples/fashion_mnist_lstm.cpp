// fashion_mnist_lstm.cpp - a recurrent classifier on Fashion-MNIST: each image's 28 rows
// are 28 timesteps of 28 features into an LSTM(128), whose last output goes to
// Dense(10, softmax); Adam (learning rate 1e-3), sparse categorical cross-entropy, 10% of
// the training images held out for validation.
//   fashion_mnist_lstm [--short] [--epochs 12] [--batch 64] [--threads N] [--verbose 1]
//                      [--seed 42]
// --short trains two epochs on 3,600 images and tests on 2,000 (the integration test).
// The last line is machine-readable ("result: ..."), for tests/examples/test_examples.cpp.

#include <keras/keras.h>

#include "example_util.h"

namespace ops = keras::ops;
namespace layers = keras::layers;

namespace {

int main_body(const example::Flags& flags) {
  const bool short_run = flags.short_run();
  const int epochs = int(flags.get_int("epochs", short_run ? 2 : 12));
  const int64_t batch = flags.get_int("batch", short_run ? 32 : 64), seed = flags.get_int("seed", 42);
  const int verbose = int(flags.get_int("verbose", short_run ? 2 : 1));
  example::FashionMnist data = example::load_fashion_mnist(short_run ? 4000 : -1, short_run ? 2000 : -1);

  ops::set_random_seed(uint64_t(seed));
  auto model = keras::Sequential({
      layers::LSTM(128, {.input_shape = {28, 28}}),  // (batch, 28 rows, 28 pixels) -> (batch, 128)
      layers::Dense(10, {.activation = "softmax"}),
  });
  if (verbose > 0) model->summary();
  model->compile({.optimizer = keras::optimizers::Adam({.learning_rate = 1e-3}),
                  .loss = "sparse_categorical_crossentropy",
                  .metrics = {"accuracy"}});
  return example::fit_and_report(*model, data, {.epochs = epochs, .batch = batch, .verbose = verbose, .seed = seed});
}

}  // namespace

int main(int argc, char** argv) {
  return example::run(argc, argv, {"epochs", "batch", "verbose", "seed"},
                      "fashion_mnist_lstm [--short] [--epochs N] [--batch B] [--threads N] [--verbose V] [--seed S]",
                      main_body);
}
