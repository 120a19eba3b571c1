// transformer_fashion.cpp - keras-cpp's side of bench/transformer_keras.py: a small
// pre-norm Transformer encoder on Fashion-MNIST, each image's 28 rows as 28 tokens:
// Dense(64), then 2 blocks of [LayerNormalization, MultiHeadAttention(4 heads, key_dim
// 16), residual add, LayerNormalization, Dense(128, gelu), Dense(64), residual add], then
// LayerNormalization, GlobalAveragePooling1D and Dense(10) on logits; trained and timed
// as bench_lstm_fashion (bench/fashion_rows.h: Adam(1e-3), cross-entropy on logits, fit()
// on the first 12,800 training images, the same JSON line).
// Usage: bench_transformer_fashion [--epochs 3] [--batch 64] [--threads 1] [--seed 42]
//                                  [--warmup-steps 20] [--device cpu|gpu] [--policy P]
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "fashion_rows.h"

namespace layers = keras::layers;
using keras::KerasTensor;

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
  return bench::run_fashion_rows("transformer2x64", flags, place, [] {
    KerasTensor in = keras::Input({28, 28});
    KerasTensor h = layers::Dense(64)(in);
    for (int b = 0; b < 2; ++b) h = encoder_block(h);
    h = layers::GlobalAveragePooling1D()(layers::LayerNormalization()(h));
    return keras::Functional({in}, {layers::Dense(10)(h)});
  });
}
