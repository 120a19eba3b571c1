// batch_norm.cpp - BatchNormalization's CPU cost through the public Keras API, so the
// same source measures any version of the engine (before and after the fused ops of
// core/batch_norm.h): (1) one layer on (64, 28, 28, 32) float32, channels_last: the
// training forward and backward pass taken by a tape (gradients of x, gamma and beta),
// and the inference forward; milliseconds per call, medians of 9 batches of 5 calls;
// (2) a small CNN with two BatchNormalization layers, Conv2D(16) - BN - relu - MaxPool -
// Conv2D(32) - BN - relu - MaxPool - Flatten - Dense(10), trained with model->fit
// (traced) on 2048 synthetic 28x28x1 images, batch 64, after one warm-up epoch:
// milliseconds per train step (median over 3 epochs). Prints one JSON line.
// Usage: bench_batch_norm [--threads N] (default: the engine's default, all cores)
#include <cstdio>
#include <vector>

#include "bench_util.h"
#include "keras/keras.h"

namespace layers = keras::layers;
namespace ops = keras::ops;
using keras::Tensor;

namespace {

Tensor uniform(const std::vector<int64_t>& shape, double lo, double hi) {
  return keras::core::ops::random_uniform(keras::Shape(shape), {.minval = lo, .maxval = hi});
}

}  // namespace

int main(int argc, char** argv) {
  if (const int t = bench::threads_flag(argc, argv); t > 0) keras::set_num_threads(t);
  const int threads = keras::get_num_threads();
  ops::set_random_seed(7);

  // (1) one layer: x a trainable variable, so one gradient call gives dx, dgamma, dbeta.
  keras::Variable x(uniform({64, 28, 28, 32}, -0.5, 1.5), "x");
  const Tensor dy = uniform({64, 28, 28, 32}, -1, 1);
  auto bn = layers::BatchNormalization();
  (*bn)(x.value());
  std::vector<keras::Variable> sources{x};
  for (const keras::Variable& w : bn->trainable_weights()) sources.push_back(w);
  double check = 0;
  auto train = [&] {
    keras::GradientTape tape;
    Tensor y = (*bn)(x.value(), true);
    std::vector<Tensor> g = tape.gradient(y, sources, dy);
    check += g[1].shape()[0];
  };
  auto infer = [&] { check += (*bn)(x.value(), false).shape()[0]; };
  const double train_s = bench::time_per_call(train, 5, 9), infer_s = bench::time_per_call(infer, 5, 9);

  // (2) a small CNN.
  const int64_t n = 2048, batch = 64;
  Tensor images = uniform({n, 28, 28, 1}, 0, 1);
  Tensor labels = ops::cast(ops::floor(uniform({n}, 0, 10)), keras::DType::int32);
  auto model = keras::Sequential(
      {layers::Conv2D(16, 3, {.padding = "same", .input_shape = {28, 28, 1}}), layers::BatchNormalization(),
       layers::Activation("relu"), layers::MaxPooling2D(2), layers::Conv2D(32, 3, {.padding = "same"}),
       layers::BatchNormalization(), layers::Activation("relu"), layers::MaxPooling2D(2), layers::Flatten(),
       layers::Dense(10)});
  model->compile({.optimizer = keras::optimizers::Adam({.learning_rate = 1e-3}),
                  .loss = keras::losses::SparseCategoricalCrossentropy({.from_logits = true})});
  model->fit(images, labels, {.batch_size = batch, .epochs = 1, .verbose = 0});  // warm-up and trace
  std::vector<double> step_ms;
  for (int e = 0; e < 3; ++e) {
    const auto t0 = bench::Clock::now();
    model->fit(images, labels, {.batch_size = batch, .epochs = 1, .verbose = 0});
    step_ms.push_back(bench::seconds_since(t0) * 1e3 / double(n / batch));
  }
  std::printf(
      "{\"bench\": \"batch_norm\", \"threads\": %d, \"isa\": \"%s\", \"layer_shape\": [64, 28, 28, 32], "
      "\"layer_train_fwd_bwd_ms\": %.3f, \"layer_inference_ms\": %.3f, \"cnn_bn_step_ms\": %.3f, \"check\": %g}\n",
      threads, bench::isa(), train_s * 1e3, infer_s * 1e3, bench::median(step_ms), check);
  return 0;
}
