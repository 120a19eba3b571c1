// tfrecord.cpp - how fast keras-cpp writes and reads a TFRecord file of tf.train.Examples:
// the 60,000 Fashion-MNIST training images, each an Example with the image's 784 bytes
// ("image", a bytes_list) and its label ("label", an int64_list), the usual TensorFlow
// recipe. Writing: Examples serialized and written per second. Reading: the tf.data
// recipe, TFRecordDataset -> batch(256) -> map(parse_example, decode_raw, cast to
// float32 / 255), examples per second over whole passes (median). bench/tfrecord_tf.py is
// the same pipeline in tf.data, over the file this program writes.
// Usage: bench_tfrecord [--threads 1] [--epochs 3] [--file /tmp/fashion.tfrecord] [--compression ""|GZIP]
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench_util.h"
#include "keras/keras.h"

namespace data = keras::data;
namespace io = keras::io;
namespace ops = keras::ops;
using keras::DType;

int main(int argc, char** argv) {
  int threads = 1, epochs = 3;
  std::string file = "/tmp/fashion.tfrecord", compression;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--threads")
      threads = std::atoi(v.c_str());
    else if (k == "--epochs")
      epochs = std::atoi(v.c_str());
    else if (k == "--file")
      file = v;
    else if (k == "--compression")
      compression = v;
    else {
      std::fprintf(stderr, "unknown flag %s (flags: --threads --epochs --file --compression)\n", k.c_str());
      return 2;
    }
  }
  keras::set_num_threads(threads);
  auto [train, test] = keras::datasets::fashion_mnist::load_data();
  const int64_t n = train.x.shape()[0];
  const auto pixels = train.x.to_vector<uint8_t>();
  const auto labels = ops::cast(train.y, DType::int64).to_vector<int64_t>();

  auto t0 = bench::Clock::now();
  {
    io::TFRecordWriter w(file, {.compression_type = compression});
    for (int64_t i = 0; i < n; ++i) {
      io::Example ex;
      ex.set_bytes_list("image", {std::string(reinterpret_cast<const char*>(pixels.data()) + i * 784, 784)});
      ex.set_int64_list("label", {labels[size_t(i)]});
      w.write(ex.serialize());
    }
  }
  const double write_s = bench::seconds_since(t0);

  const io::Features spec{{"image", io::FixedLenFeature{{}, DType::string}},
                          {"label", io::FixedLenFeature{{}, DType::int64}}};
  auto ds =
      data::TFRecordDataset(file, {.compression_type = compression}).batch(256).map([&](const keras::Tensor& records) {
        auto f = io::parse_example(records, spec);
        keras::Tensor x = ops::cast(io::decode_raw(f["image"], DType::uint8), DType::float32) / 255.0;
        return data::Element{x, f["label"]};
      });
  std::vector<double> rates;
  double checksum = 0;
  for (int e = 0; e < epochs; ++e) {
    t0 = bench::Clock::now();
    int64_t seen = 0;
    for (const data::Element& b : ds) {
      seen += b[0].shape()[0];
      checksum += b[1].to_vector<int64_t>()[0];
    }
    rates.push_back(double(seen) / bench::seconds_since(t0));
  }
  std::string runs = "[";
  for (double r : rates) runs += (runs.size() > 1 ? ", " : "") + std::to_string(int64_t(r));
  runs += "]";
  std::printf(
      "{\"bench\": \"tfrecord\", \"threads\": %d, \"examples\": %lld, \"compression\": \"%s\", "
      "\"write_examples_per_s\": "
      "%.0f, \"read_examples_per_s\": %.0f, \"read_runs\": %s, \"checksum\": %.0f}\n",
      threads, static_cast<long long>(n), compression.c_str(), double(n) / write_s, bench::median(rates), runs.c_str(),
      checksum);
}
