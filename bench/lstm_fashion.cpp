// lstm_fashion.cpp - keras-cpp's side of bench/lstm_keras.py: the Fashion-MNIST LSTM of
// examples/fashion_mnist_lstm.cpp (each image's 28 rows as 28 timesteps into LSTM(128),
// then Dense(10) on logits), Adam(1e-3), cross-entropy on logits, trained with model->fit
// (traced train step, per-epoch shuffle and batch gather included, data loading
// excluded) on the first 12,800 training images (200 steps at batch 64). Prints one JSON
// line: train_samples_per_s (median over epochs) and the per-epoch values, step_ms
// (median train step), predict_samples_per_s (the 10k test images at batch 256, median
// of 3 passes), test_accuracy, peak_rss_mb.
// --use-cudnn auto (the layer's default: the fused lstm_sequence op, on cuDNN on a GPU) or
// false (the per-step composed cell), also in the JSON line.
// Usage: bench_lstm_fashion [--epochs 3] [--batch 64] [--threads 1] [--seed 42] [--warmup-steps 20]
//                           [--device cpu|gpu] [--policy P] [--use-cudnn auto|false]
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "fashion_rows.h"

namespace layers = keras::layers;

int main(int argc, char** argv) {
  std::vector<char*> args{argv[0]};  // the arguments parse_train_flags reads
  std::string use_cudnn = "auto";
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) != "--use-cudnn") {
      args.push_back(argv[i]);
      continue;
    }
    use_cudnn = i + 1 < argc ? argv[++i] : "";
    if (use_cudnn != "auto" && use_cudnn != "false") {
      std::fprintf(stderr, "--use-cudnn takes auto or false, not %s\n", use_cudnn.c_str());
      return 2;
    }
  }
  bench::TrainFlags flags;
  flags.epochs = 3;
  flags.batch = 64;
  flags.threads = 1;
  flags.warmup = 20;
  if (!bench::parse_train_flags(int(args.size()), args.data(), false, flags)) return 2;
  const bench::Placement place(flags);
  return bench::run_fashion_rows("lstm128", flags, place, [&] {
    layers::RecurrentOptions o{.input_shape = {28, 28}};
    if (use_cudnn == "false") o.use_cudnn = false;
    return keras::Sequential({layers::LSTM(128, o), layers::Dense(10)});
  }, ",\"use_cudnn\":\"" + use_cudnn + "\"");
}
