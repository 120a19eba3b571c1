// seed_generator.h - keras.random.SeedGenerator for layers: a layer seed and a count of
// draws, giving each call of a random layer (Dropout, GaussianNoise) its op seed. The
// count is a variable advanced by an op, so a traced train step draws new numbers at
// every step; it is the generator's state, which checkpoints save (BackupAndRestore).
#pragma once
#include <cstdint>
#include <stdexcept>
#include <utility>

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
    if (replay_) {  // keyed by the replay: no state change
      if (replay_->k >= kReplayDraws)
        throw std::logic_error("SeedGenerator: more than 64 draws under one Replay");
      const core::Tensor k = core::constant(replay_->k++);
      return {replay_->seed, core::ops::add(core::ops::multiply(replay_->base, core::constant(kReplayDraws)), k)};
    }
    core::Tensor c = counter_.value();
    counter_.assign_add(core::constant(int64_t{1}));
    return {seed_, c};
  }
  /// While a Replay lives, the generator's draws are keyed by its seed and base (an int64
  /// scalar tensor): draw k gets counter base * 64 + k, and the counter variable is left
  /// alone. A layer that applies another layer's transformation several times with the same
  /// numbers (RandAugment, AugMix) replays the same seed and base each time.
  class Replay {
   public:
    /// Keys `g`'s draws by seed and base until this object ends.
    Replay(SeedGenerator& g, int64_t seed, core::Tensor base) : g_(g), state_{seed, std::move(base), 0}, saved_(g.replay_) {
      g_.replay_ = &state_;
    }
    ~Replay() { g_.replay_ = saved_; }
    Replay(const Replay&) = delete;
    Replay& operator=(const Replay&) = delete;

   private:
    friend class SeedGenerator;
    struct State {
      int64_t seed;
      core::Tensor base;
      int64_t k;
    };
    SeedGenerator& g_;
    State state_;
    State* saved_;
  };
  /// The number of draws made (saved by checkpoints).
  uint64_t state() const { return static_cast<uint64_t>(counter_.value().item<int64_t>()); }
  /// Restores a number of draws (state() of an earlier run).
  void set_state(uint64_t state) { counter_.assign(core::constant(static_cast<int64_t>(state))); }
  /// The counter variable itself (Keras's `SeedGenerator.state`: an int64 scalar named
  /// "seed_generator_state", not trainable), listed in Layer::variables().
  const core::Variable& state_variable() const { return counter_; }

 private:
  static constexpr int64_t kReplayDraws = 64;
  int64_t seed_;
  core::Variable counter_;
  Replay::State* replay_ = nullptr;
};

}  // namespace keras::layers
