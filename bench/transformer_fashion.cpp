// transformer_fashion.cpp - keras-cpp's side of bench/transformer_keras.py: a small
// pre-norm Transformer encoder on Fashion-MNIST, each image's 28 rows as 28 tokens:
// Dense(64), then 2 blocks of [LayerNormalization, MultiHeadAttention(4 heads, key_dim
// 16), residual add, LayerNormalization, Dense(128, gelu), Dense(64), residual add], then
// LayerNormalization, GlobalAveragePooling1D and Dense(10) on logits; Adam(1e-3),
// cross-entropy on logits, trained with model->fit (traced train step, per-epoch shuffle
// and batch gather included, data loading excluded) on the first 12,800 training images.
// Prints one JSON line with the fields of bench_lstm_fashion: train_samples_per_s (median
// over epochs) and the per-epoch values, step_ms (median train step),
// predict_samples_per_s (the 10k test images at batch 256, median of 3 passes),
// test_accuracy, peak_rss_mb.
// Usage: bench_transformer_fashion [--epochs 3] [--batch 64] [--threads 1] [--seed 42]
//                                  [--warmup-steps 20] [--device cpu|gpu] [--policy P]
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "bench_device.h"
#include "bench_util.h"
#include "keras/keras.h"

namespace layers = keras::layers;
namespace ops = keras::ops;
using keras::KerasTensor;
using keras::Tensor;

namespace {

KerasTensor encoder_block(const KerasTensor& x) {
  KerasTensor h = layers::LayerNormalization()(x);
  KerasTensor a = layers::MultiHeadAttention(4, 16)(std::vector<KerasTensor>{h, h});
  KerasTensor r = layers::Add()(std::vector<KerasTensor>{x, a});
  KerasTensor f = layers::Dense(128, {.activation = "gelu"})(layers::LayerNormalization()(r));
  return layers::Add()(std::vector<KerasTensor>{r, layers::Dense(64)(f)});
}

}  // namespace

int main(int argc, char** argv) {
  bench::TrainFlags flags;
  flags.epochs = 3;
  flags.batch = 64;
  flags.threads = 1;
  flags.warmup = 20;
  if (!bench::parse_train_flags(argc, argv, false, flags)) return 2;
  const bench::Placement place(flags);
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
    KerasTensor in = keras::Input({28, 28});
    KerasTensor h = layers::Dense(64)(in);
    for (int b = 0; b < 2; ++b) h = encoder_block(h);
    h = layers::GlobalAveragePooling1D()(layers::LayerNormalization()(h));
    auto m = keras::Functional({in}, {layers::Dense(10)(h)});
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
  bench::Clock::time_point t_step;
  auto timer = std::make_shared<keras::callbacks::LambdaCallback>(keras::callbacks::LambdaCallbackOptions{
      .on_train_batch_begin = [&](int64_t, const keras::Logs&) { t_step = bench::Clock::now(); },
      .on_train_batch_end = [&](int64_t, const keras::Logs&) { step_ms.push_back(1e3 * bench::seconds_since(t_step)); }});
  for (int e = 0; e < flags.epochs; ++e) {
    auto t0 = bench::Clock::now();
    auto h = model->fit(x, y, {.batch_size = batch, .epochs = e + 1, .verbose = 0, .callbacks = {timer},
                               .initial_epoch = e, .seed = flags.seed + e});
    const double dt = bench::seconds_since(t0);
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
    auto t0 = bench::Clock::now();
    model->predict(xt, {.batch_size = 256});
    pt.push_back(bench::seconds_since(t0));
  }
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  std::string eps;
  for (size_t i = 0; i < epoch_sps.size(); ++i) eps += (i ? "," : "") + std::to_string(int64_t(epoch_sps[i] + 0.5));
  std::printf("{\"impl\":\"keras-cpp\",\"model\":\"transformer2x64\",\"batch\":%lld,\"threads\":%d,\"epochs\":%d,"
              "\"train_samples_per_s\":%.0f,\"train_samples_per_s_epochs\":[%s],\"step_ms\":%.4f,"
              "\"predict_samples_per_s\":%.0f,\"test_accuracy\":%.4f,\"peak_rss_mb\":%.1f%s}\n",
              (long long)batch, keras::get_num_threads(), flags.epochs, bench::median(epoch_sps), eps.c_str(),
              bench::median(step_ms), double(xt.shape()[0]) / bench::median(pt), acc, ru.ru_maxrss / 1024.0,
              place.json().c_str());
  return 0;
}
