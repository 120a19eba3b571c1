// mlp_fashion.cpp - keras-cpp's side of ../shared/peers/mlp_libtorch.cpp: the MLP
// 784-300-100-10 on Fashion-MNIST, Adam(1e-3), cross-entropy on logits, trained with
// model->fit (per-epoch shuffle and batch gather included, data loading excluded).
// Prints one JSON line with the peer's fields: train_samples_per_s (median over epochs)
// and the per-epoch values, step_ms (median train step), predict_samples_per_s (the 10k
// test images at batch 256, median of 3 passes), test_accuracy, peak_rss_mb, and
// first_step_ms (a fresh model's first train_on_batch: the trace in function mode, the
// optimizer's slots, one step; the process's first, with its start-up) and
// warm_first_step_ms (the same for a fresh model after the warm-up).
// --mode function (the default) trains with traced steps (keras::function), --mode eager
// with run_eagerly; the JSON line says which ("mode"), and how often the train step traced.
// Usage: bench_mlp_fashion [--epochs 5] [--batch 32] [--threads 2] [--seed 42] [--warmup-steps 100]
//                          [--mode function|eager]
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench_device.h"
#include "bench_util.h"
#include "keras/keras.h"

namespace layers = keras::layers;
namespace ops = keras::ops;
using keras::Tensor;

int main(int argc, char** argv) {
  bench::TrainFlags flags;
  if (!bench::parse_train_flags(argc, argv, true, flags)) return 2;
  const bench::Placement place(flags);
  const int epochs = flags.epochs, threads = flags.threads, warmup = flags.warmup;
  const int64_t batch = flags.batch, seed = flags.seed;
  const bool eager = flags.eager;
  keras::set_num_threads(threads);
  // The pixels stay uint8 in memory (47 MB instead of 188 MB as float32): the model's
  // Rescaling(1/255) layer converts each batch as it runs (the peer scales its float
  // copy up front: the same numbers).
  Tensor x, xt, y, yt;
  {
    auto [train, test] = keras::datasets::fashion_mnist::load_data();
    x = ops::reshape(train.x, {train.x.shape()[0], 784});
    xt = ops::reshape(test.x, {test.x.shape()[0], 784});
    y = ops::cast(train.y, keras::DType::int32);
    yt = ops::cast(test.y, keras::DType::int32);
  }

  auto make_model = [eager] {
    auto m = keras::Sequential({layers::Rescaling(1.0 / 255, 0.0, {.input_shape = {784}}),
                                layers::Dense(300, {.activation = "relu"}),
                                layers::Dense(100, {.activation = "relu"}), layers::Dense(10)});
    m->compile({.optimizer = keras::optimizers::Adam({.learning_rate = 1e-3}),
                .loss = keras::losses::SparseCategoricalCrossentropy({.from_logits = true}),
                .run_eagerly = eager});
    return m;
  };
  // The first step of a fresh model: tracing (function mode), building the optimizer's
  // slots, and one step. The process's first one also pays its own start (the thread
  // pool, oneDNN's primitives, first-touch pages); the one after the warm-up below shows
  // what a new model costs in a running program.
  auto first_step = [&] {
    auto m = make_model();
    auto t0 = bench::Clock::now();
    m->train_on_batch({ops::slice(x, {0, 0}, {batch, 784})}, {ops::slice(y, {0}, {batch})});
    return 1e3 * bench::seconds_since(t0);
  };
  const double first_step_ms = first_step();
  ops::set_random_seed(uint64_t(seed));
  auto model = make_model();
  {  // warm-up on a throwaway model: thread pools, allocator caches, page faults
    auto w = make_model();
    int64_t n = std::min<int64_t>(int64_t(warmup) * batch, x.shape()[0]);
    if (n > 0) w->fit(ops::slice(x, {0, 0}, {n, 784}), ops::slice(y, {0}, {n}), {.batch_size = batch, .epochs = 1, .verbose = 0, .shuffle = false});
  }
  const double warm_first_step_ms = first_step();

  std::vector<double> epoch_sps, step_ms;
  bench::Clock::time_point t_step;
  auto timer = std::make_shared<keras::callbacks::LambdaCallback>(keras::callbacks::LambdaCallbackOptions{
      .on_train_batch_begin = [&](int64_t, const keras::Logs&) { t_step = bench::Clock::now(); },
      .on_train_batch_end = [&](int64_t, const keras::Logs&) { step_ms.push_back(1e3 * bench::seconds_since(t_step)); }});
  const double n = double(x.shape()[0]);
  for (int e = 0; e < epochs; ++e) {
    auto t0 = bench::Clock::now();
    auto h = model->fit(x, y, {.batch_size = batch, .epochs = e + 1, .verbose = 0, .callbacks = {timer},
                               .initial_epoch = e, .seed = seed + e});
    double dt = bench::seconds_since(t0);
    epoch_sps.push_back(n / dt);
    std::fprintf(stderr, "epoch %d: %.3f s, %.0f samples/s, mean loss %.4f\n", e + 1, dt, n / dt, h.history["loss"].back());
  }

  Tensor logits = model->predict(xt, {.batch_size = 256});
  double acc = ops::mean(ops::cast(ops::equal(ops::argmax(logits, -1, keras::DType::int32).to(keras::Device::cpu()), yt), keras::DType::float64)).item<double>();
  std::vector<double> pt;
  for (int r = 0; r < 3; ++r) {
    auto t0 = bench::Clock::now();
    model->predict(xt, {.batch_size = 256});
    pt.push_back(bench::seconds_since(t0));
  }
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  std::string eps;
  for (size_t i = 0; i < epoch_sps.size(); ++i) {
    if (i) eps += ',';
    eps += std::to_string(int64_t(epoch_sps[i] + 0.5));
  }
  const int traces = model->train_function() ? model->train_function()->tracing_count() : 0;
  std::printf("{\"impl\":\"keras-cpp\",\"mode\":\"%s\",\"train_traces\":%d,\"model\":\"mlp784-300-100-10\",\"batch\":%lld,\"threads\":%d,\"epochs\":%d,"
              "\"train_samples_per_s\":%.0f,\"train_samples_per_s_epochs\":[%s],\"step_ms\":%.4f,"
              "\"predict_samples_per_s\":%.0f,\"test_accuracy\":%.4f,\"peak_rss_mb\":%.1f,\"first_step_ms\":%.2f,\"warm_first_step_ms\":%.2f,\"isa\":\"%s\"%s}\n",
              eager ? "eager" : "function", traces, (long long)batch, keras::get_num_threads(), epochs, bench::median(epoch_sps), eps.c_str(),
              bench::median(step_ms), double(xt.shape()[0]) / bench::median(pt), acc, ru.ru_maxrss / 1024.0, first_step_ms, warm_first_step_ms, bench::isa(), place.json().c_str());
  return 0;
}
