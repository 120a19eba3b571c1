// seed_generator.h - keras.random.SeedGenerator for layers: a layer seed and a count of
// draws, giving each call of a random layer (Dropout, GaussianNoise) its op seed. The
// count is a variable advanced by an op, so a traced train step draws new numbers at
// every step; it is the generator's state, which checkpoints save (BackupAndRestore).
#pragma once
#include <cstdint>

#include "core/autodiff.h"
#include "core/ops.h"

namespace keras::layers {

/// A layer's random generator (keras.random.SeedGenerator): a seed and a counter of draws.
class SeedGenerator {
 public:
  /// seed < 0: unseeded, every draw uses core's global generator.
  explicit SeedGenerator(int64_t seed)
      : seed_(seed), counter_(core::ops::zeros({}, core::DType::int64), "seed_generator_state", false) {}
  /// The seed and counter of the next draw, for ops::RandomOptions (the random op derives
  /// its seed from both when it runs); advances the counter.
  struct Draw {
    /// The layer seed (< 0: unseeded).
    int64_t seed;
    /// The draw counter (an int64 scalar) at this draw.
    core::Tensor counter;
  };
  /// The next draw: the seed and the current counter; advances the counter.
  Draw next() {
    core::Tensor c = counter_.value();
    counter_.assign_add(core::constant(int64_t{1}));
    return {seed_, c};
  }
  /// The number of draws made (saved by checkpoints).
  uint64_t state() const { return static_cast<uint64_t>(counter_.value().item<int64_t>()); }
  /// Restores a number of draws (state() of an earlier run).
  void set_state(uint64_t state) { counter_.assign(core::constant(static_cast<int64_t>(state))); }

 private:
  int64_t seed_;
  core::Variable counter_;
};

}  // namespace keras::layers
