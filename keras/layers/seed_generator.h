// seed_generator.h - keras.random.SeedGenerator for layers: a layer seed and a count of
// draws, giving each call of a random layer (Dropout, GaussianNoise) its op seed. The
// count is the generator's state, which checkpoints save (BackupAndRestore).
#pragma once
#include <atomic>
#include <cstdint>

namespace keras::layers {

class SeedGenerator {
 public:
  // seed < 0: unseeded, every draw uses core's global generator.
  explicit SeedGenerator(int64_t seed) : seed_(seed) {}
  // The op seed of the next draw (-1 when unseeded): a reproducible sequence per seed.
  int64_t next() {
    const uint64_t counter = calls_.fetch_add(1);
    if (seed_ < 0) return -1;
    uint64_t z = static_cast<uint64_t>(seed_) * 0x9E3779B97F4A7C15ull + (counter + 1) * 0xD1B54A32D192ED03ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return static_cast<int64_t>(z >> 1);
  }
  uint64_t state() const { return calls_.load(); }
  void set_state(uint64_t state) { calls_.store(state); }

 private:
  int64_t seed_;
  std::atomic<uint64_t> calls_{0};
};

}  // namespace keras::layers
