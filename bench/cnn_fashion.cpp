// cnn_fashion.cpp - keras-cpp's side of ../shared/peers/cnn_libtorch.cpp: the CNN
// Conv2D(32, 3x3, same, relu) - MaxPooling2D(2) - Conv2D(64, 3x3, same, relu) -
// MaxPooling2D(2) - Flatten - Dense(128, relu) - Dense(10) on Fashion-MNIST (28x28x1,
// channels_last, or 1x28x28 with --data-format channels_first), Adam(1e-3), cross-entropy on logits, trained with model->fit (per-epoch
// shuffle and batch gather included, data loading excluded). Prints one JSON line with
// the peer's fields: train_samples_per_s (median over epochs) and the per-epoch values,
// step_ms (median train step), predict_samples_per_s (the 10k test images at batch 256,
// median of 3 passes), test_accuracy, peak_rss_mb.
// Usage: bench_cnn_fashion [--epochs 5] [--batch 32] [--threads 2] [--seed 42] [--warmup-steps 100]
//                          [--data-format channels_last|channels_first]
#include <sys/resource.h>

#include <algorithm>
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
  if (!bench::parse_train_flags(argc, argv, false, flags)) return 2;
  const bench::Placement place(flags);
  const int epochs = flags.epochs, threads = flags.threads, warmup = flags.warmup;
  const int64_t batch = flags.batch, seed = flags.seed;
  keras::set_num_threads(threads);
  const std::string df = flags.data_format;
  const bool first = df == "channels_first";
  const std::vector<int64_t> image = first ? std::vector<int64_t>{1, 28, 28} : std::vector<int64_t>{28, 28, 1};
  Tensor x, xt, y, yt;
  {
    auto [train, test] = keras::datasets::fashion_mnist::load_data();
    auto prep = [&](const Tensor& images) {
      return ops::reshape(ops::cast(images, keras::DType::float32) * (1.0 / 255.0), {-1, image[0], image[1], image[2]});
    };
    x = prep(train.x);
    xt = prep(test.x);
    y = ops::cast(train.y, keras::DType::int32);
    yt = ops::cast(test.y, keras::DType::int32);
  }
  auto make_model = [&] {
    auto m = keras::Sequential(
        {layers::Conv2D(32, 3, {.padding = "same", .data_format = df, .activation = "relu", .input_shape = image}),
         layers::MaxPooling2D(2, {.data_format = df}),
         layers::Conv2D(64, 3, {.padding = "same", .data_format = df, .activation = "relu"}),
         layers::MaxPooling2D(2, {.data_format = df}), layers::Flatten({.data_format = df}),
                                layers::Dense(128, {.activation = "relu"}), layers::Dense(10)});
    m->compile({.optimizer = keras::optimizers::Adam({.learning_rate = 1e-3}),
                .loss = keras::losses::SparseCategoricalCrossentropy({.from_logits = true})});
    return m;
  };
  ops::set_random_seed(uint64_t(seed));
  auto model = make_model();
  {  // warm-up on a throwaway model: thread pools, primitive caches, allocator caches
    auto w = make_model();
    const int64_t n = std::min<int64_t>(int64_t(warmup) * batch, x.shape()[0]);
    if (n > 0)
      w->fit(ops::slice(x, {0, 0, 0, 0}, {n, image[0], image[1], image[2]}), ops::slice(y, {0}, {n}),
             {.batch_size = batch, .epochs = 1, .verbose = 0, .shuffle = false});
  }
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
    const double dt = bench::seconds_since(t0);
    epoch_sps.push_back(n / dt);
    std::fprintf(stderr, "epoch %d: %.3f s, %.0f samples/s, mean loss %.4f\n", e + 1, dt, n / dt, h.history["loss"].back());
  }
  Tensor logits = model->predict(xt, {.batch_size = 256});
  const double acc =
      ops::mean(ops::cast(ops::equal(ops::argmax(logits, -1, keras::DType::int32).to(keras::Device::cpu()), yt), keras::DType::float64)).item<double>();
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
  std::printf("{\"impl\":\"keras-cpp\",\"model\":\"cnn32-64-128\",\"data_format\":\"%s\",\"batch\":%lld,\"threads\":%d,\"epochs\":%d,"
              "\"train_samples_per_s\":%.0f,\"train_samples_per_s_epochs\":[%s],\"step_ms\":%.4f,"
              "\"predict_samples_per_s\":%.0f,\"test_accuracy\":%.4f,\"peak_rss_mb\":%.1f%s}\n",
              df.c_str(), (long long)batch, keras::get_num_threads(), epochs, bench::median(epoch_sps), eps.c_str(),
              bench::median(step_ms), double(xt.shape()[0]) / bench::median(pt), acc, ru.ru_maxrss / 1024.0, place.json().c_str());
  return 0;
}
