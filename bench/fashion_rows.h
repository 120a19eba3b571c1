// fashion_rows.h - what the Fashion-MNIST sequence benchmarks share (bench_lstm_fashion,
// bench_transformer_fashion; their Keras 3 peers share bench/keras_fashion_peer.py): each
// image's 28 rows as 28 timesteps of 28 features, the model a program makes (compiled
// with Adam(1e-3) and cross-entropy on logits), trained with model->fit (traced train
// step, per-epoch shuffle and batch gather included, data loading excluded) on the first
// 12,800 training images after a warm-up on a throwaway model. Prints one JSON line:
// train_samples_per_s (median over epochs) and the per-epoch values, step_ms (median train
// step), predict_samples_per_s (the 10k test images at batch 256, median of 3 passes),
// test_accuracy, peak_rss_mb, then `extra_json` (",\"key\":value..." or empty) and the
// placement's fields.
#pragma once
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "bench_device.h"
#include "bench_util.h"
#include "keras/keras.h"

namespace bench {

inline int run_fashion_rows(const char* model_name, const TrainFlags& flags, const Placement& place,
                            const std::function<keras::ModelPtr()>& make_layers, const std::string& extra_json = "") {
  namespace ops = keras::ops;
  using keras::Tensor;
  const int64_t batch = flags.batch, samples = 12800;
  keras::set_num_threads(flags.threads);
  Tensor x, xt, y, yt;
  {
    auto [train, test] = keras::datasets::fashion_mnist::load_data();
    auto prep = [](const Tensor& images) { return ops::cast(images, keras::DType::float32) * (1.0 / 255.0); };
    x = ops::slice(prep(train.x), {0, 0, 0}, {samples, 28, 28});
    y = ops::slice(ops::cast(train.y, keras::DType::int32), {0}, {samples});
    xt = prep(test.x);
    yt = ops::cast(test.y, keras::DType::int32);
  }
  auto make_model = [&] {
    keras::ModelPtr m = make_layers();
    m->compile({.optimizer = keras::optimizers::Adam({.learning_rate = 1e-3}),
                .loss = keras::losses::SparseCategoricalCrossentropy({.from_logits = true})});
    return m;
  };
  ops::set_random_seed(uint64_t(flags.seed));
  auto model = make_model();
  {  // warm-up on a throwaway model: tracing, thread pools, allocator caches
    auto w = make_model();
    const int64_t n = std::min<int64_t>(int64_t(flags.warmup) * batch, samples);
    if (n > 0)
      w->fit(ops::slice(x, {0, 0, 0}, {n, 28, 28}), ops::slice(y, {0}, {n}),
             {.batch_size = batch, .epochs = 1, .verbose = 0, .shuffle = false});
  }
  std::vector<double> epoch_sps, step_ms;
  Clock::time_point t_step;
  auto timer = std::make_shared<keras::callbacks::LambdaCallback>(keras::callbacks::LambdaCallbackOptions{
      .on_train_batch_begin = [&](int64_t, const keras::Logs&) { t_step = Clock::now(); },
      .on_train_batch_end = [&](int64_t, const keras::Logs&) { step_ms.push_back(1e3 * seconds_since(t_step)); }});
  for (int e = 0; e < flags.epochs; ++e) {
    auto t0 = Clock::now();
    auto h = model->fit(x, y, {.batch_size = batch, .epochs = e + 1, .verbose = 0, .callbacks = {timer},
                               .initial_epoch = e, .seed = flags.seed + e});
    const double dt = seconds_since(t0);
    epoch_sps.push_back(double(samples) / dt);
    std::fprintf(stderr, "epoch %d: %.3f s, %.0f samples/s, mean loss %.4f\n", e + 1, dt, double(samples) / dt,
                 h.history["loss"].back());
  }
  Tensor logits = model->predict(xt, {.batch_size = 256});
  const double acc = ops::mean(ops::cast(ops::equal(ops::argmax(logits, -1, keras::DType::int32).to(keras::Device::cpu()), yt),
                                         keras::DType::float64))
                         .item<double>();
  std::vector<double> pt;
  for (int r = 0; r < 3; ++r) {
    auto t0 = Clock::now();
    model->predict(xt, {.batch_size = 256});
    pt.push_back(seconds_since(t0));
  }
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  std::string eps;
  for (size_t i = 0; i < epoch_sps.size(); ++i) eps += (i ? "," : "") + std::to_string(int64_t(epoch_sps[i] + 0.5));
  std::printf("{\"impl\":\"keras-cpp\",\"model\":\"%s\",\"batch\":%lld,\"threads\":%d,\"epochs\":%d,"
              "\"train_samples_per_s\":%.0f,\"train_samples_per_s_epochs\":[%s],\"step_ms\":%.4f,"
              "\"predict_samples_per_s\":%.0f,\"test_accuracy\":%.4f,\"peak_rss_mb\":%.1f%s%s}\n",
              model_name, (long long)batch, keras::get_num_threads(), flags.epochs, median(epoch_sps), eps.c_str(),
              median(step_ms), double(xt.shape()[0]) / median(pt), acc, ru.ru_maxrss / 1024.0, extra_json.c_str(),
              place.json().c_str());
  return 0;
}

}  // namespace bench
