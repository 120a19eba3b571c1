// data_pipeline.cpp - how fast keras::data delivers Fashion-MNIST batches, against how
// fast the MLP 784-300-100-10 (Adam, sparse categorical cross-entropy) consumes them.
//
// pipeline (tf.data's usual recipe): from_tensor_slices on the uint8 images and labels,
// shuffle(60000), map (cast to float32, scale by 1/255) per element, batch(32),
// prefetch; batches per second over whole epochs (the shuffle buffer's fill included).
// pipeline_batch_map: the same with the map after batch (one cast per batch).
// train: model.train_on_batch steps per second on pre-made batches.
// Prints one JSON line with both rates and their ratios (the target: pipeline >= 10x).
// Usage: bench_data_pipeline [--threads 1] [--epochs 2] [--steps 600] [--map-threads 0] [--batch 32]
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench_util.h"
#include "keras/keras.h"

namespace layers = keras::layers;
namespace ops = keras::ops;
namespace data = keras::data;
using keras::DType;
using keras::Tensor;

namespace {
// Batches per second over `epochs` full passes (median), and the number of batches.
std::pair<double, int64_t> batches_per_s(const data::Dataset& ds, int epochs) {
  std::vector<double> rates;
  int64_t count = 0;
  for (int e = 0; e < epochs; ++e) {
    auto t0 = bench::Clock::now();
    int64_t n = 0;
    double checksum = 0;
    for (const data::Element& b : ds) {
      checksum += double(b[0].shape()[0]);
      ++n;
    }
    const double dt = bench::seconds_since(t0);
    rates.push_back(double(n) / dt);
    count = n;
    if (checksum != 60000) std::fprintf(stderr, "unexpected sample count %.0f\n", checksum);
  }
  return {bench::median(rates), count};
}
}  // namespace

int main(int argc, char** argv) {
  int threads = 1, epochs = 2, steps = 600;
  int64_t map_threads = 0, batch = 32;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    long long v = std::atoll(argv[i + 1]);
    if (k == "--threads") threads = int(v);
    else if (k == "--epochs") epochs = int(v);
    else if (k == "--steps") steps = int(v);
    else if (k == "--map-threads") map_threads = v;
    else if (k == "--batch") batch = v;
    else {
      std::fprintf(stderr, "unknown flag %s (flags: --threads --epochs --steps --map-threads --batch)\n", k.c_str());
      return 2;
    }
  }
  keras::set_num_threads(threads);
  auto [train, test] = keras::datasets::fashion_mnist::load_data();
  const Tensor images = train.x, labels = ops::cast(train.y, DType::int32);

  auto scale = [s = keras::constant(1.0f / 255)](const Tensor& x, const Tensor& y) {
    return data::Element{ops::multiply(ops::cast(x, DType::float32), s), y};
  };
  data::Dataset per_element = data::Dataset::from_tensor_slices({images, labels})
                                  .shuffle(60000, {.seed = 42})
                                  .map(scale, {.num_parallel_calls = map_threads})
                                  .batch(batch)
                                  .prefetch(data::AUTOTUNE);
  data::Dataset per_batch = data::Dataset::from_tensor_slices({images, labels})
                                .shuffle(60000, {.seed = 42})
                                .batch(batch)
                                .map(scale, {.num_parallel_calls = map_threads})
                                .prefetch(data::AUTOTUNE);
  auto [pipe_rate, nb] = batches_per_s(per_element, epochs);
  auto [batch_map_rate, nb2] = batches_per_s(per_batch, epochs);

  // The training step on pre-made batches (the same pipeline's first batches, in memory).
  std::vector<data::Element> batches;
  for (const data::Element& b : per_batch.take(64)) batches.push_back(b);
  keras::ops::set_random_seed(42);
  auto model = keras::Sequential({layers::Flatten({.input_shape = {28, 28}}), layers::Dense(300, {.activation = "relu"}),
                                  layers::Dense(100, {.activation = "relu"}), layers::Dense(10, {.activation = "softmax"})});
  model->compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy"});
  size_t k = 0;
  auto step = [&] {
    const data::Element& b = batches[k++ % batches.size()];
    model->train_on_batch({b[0]}, {b[1]});
  };
  const double step_s = bench::time_per_call(step, std::max(1, steps / 5), 5);
  const double train_rate = 1.0 / step_s;

  std::printf("{\"bench\":\"data_pipeline\",\"threads\":%d,\"map_threads\":%lld,\"batch\":%lld,\"batches_per_epoch\":%lld,"
              "\"pipeline_batches_per_s\":%.0f,\"pipeline_batch_map_batches_per_s\":%.0f,\"train_steps_per_s\":%.0f,"
              "\"ratio\":%.2f,\"ratio_batch_map\":%.2f,\"isa\":\"%s\"}\n",
              keras::get_num_threads(), (long long)map_threads, (long long)batch, (long long)nb, pipe_rate, batch_map_rate,
              train_rate, pipe_rate / train_rate, batch_map_rate / train_rate, bench::isa());
  (void)nb2;
  return 0;
}
