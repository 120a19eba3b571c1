// fashion_mnist_cnn.cpp - a convolutional classifier on Fashion-MNIST: two blocks of two
// Conv2D(3x3, "same", relu) + BatchNormalization, then MaxPooling2D(2) and Dropout(0.25)
// (32, then 64 filters); Flatten, Dense(128, relu) + BatchNormalization, Dropout(0.5),
// Dense(10, softmax); Adam, sparse categorical cross-entropy, the learning rate following
// a cosine decay from 1e-3 to 0 over the run, 10% of the training images held out for
// validation.
//   fashion_mnist_cnn [--short] [--epochs 15] [--batch 64] [--threads N] [--verbose 1]
//                     [--seed 42]
// (the seed of the initial weights, dropout, the validation split and the shuffling).
// --short trains two epochs at batch 16 on 4,000 images (3,600 after the validation split)
// and tests on 2,000 (the integration test). The last line is machine-readable
// ("result: ..."), for tests/examples/test_examples.cpp.

#include <keras/keras.h>

#include "example_util.h"

namespace ops = keras::ops;
namespace layers = keras::layers;

namespace {

int main_body(const example::Flags& flags) {
  const bool short_run = flags.short_run();
  const int epochs = int(flags.get_int("epochs", short_run ? 2 : 15));
  const int64_t batch = flags.get_int("batch", short_run ? 16 : 64), seed = flags.get_int("seed", 42);
  const int verbose = int(flags.get_int("verbose", short_run ? 2 : 1));
  example::FashionMnist data = example::load_fashion_mnist(short_run ? 4000 : -1, short_run ? 2000 : -1);

  ops::set_random_seed(uint64_t(seed));
  auto model = keras::Sequential({layers::Reshape({28, 28, 1}, {.input_shape = {28, 28}})});
  // Two blocks of two 3x3 "same" convolutions, each followed by batch normalization, then
  // max pooling and dropout.
  for (int64_t filters : {32, 64}) {
    for (int i = 0; i < 2; ++i) {
      model->add(layers::Conv2D(filters, 3, {.padding = "same", .activation = "relu"}));
      model->add(layers::BatchNormalization());
    }
    model->add(layers::MaxPooling2D(2));
    model->add(layers::Dropout(0.25));
  }
  model->add(layers::Flatten());
  model->add(layers::Dense(128, {.activation = "relu"}));
  model->add(layers::BatchNormalization());
  model->add(layers::Dropout(0.5));
  model->add(layers::Dense(10, {.activation = "softmax"}));
  if (verbose > 0) model->summary();
  const int64_t n_fit = data.x_train.shape()[0] - int64_t(double(data.x_train.shape()[0]) * 0.1);
  const double total_steps = double(epochs) * double((n_fit + batch - 1) / batch);
  model->compile({.optimizer = keras::optimizers::Adam({.learning_rate = keras::optimizers::CosineDecay(1e-3, total_steps)}),
                  .loss = "sparse_categorical_crossentropy",
                  .metrics = {"accuracy"}});
  return example::fit_and_report(*model, data, {.epochs = epochs, .batch = batch, .verbose = verbose, .seed = seed});
}

}  // namespace

int main(int argc, char** argv) {
  return example::run(argc, argv, {"epochs", "batch", "verbose", "seed"},
                      "fashion_mnist_cnn [--short] [--epochs N] [--batch B] [--threads N] [--verbose V] [--seed S]",
                      main_body);
}
