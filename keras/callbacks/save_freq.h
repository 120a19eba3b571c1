// save_freq.h - SaveFreq: when a saving callback saves (Keras's `save_freq` argument):
// "epoch" (the default), or an integer number of batches.
//
//   ModelCheckpointOptions{.save_freq = "epoch"}    // at the end of every epoch
//   ModelCheckpointOptions{.save_freq = 100}        // every 100 batches
#pragma once
#include <cstdint>
#include <string>

namespace keras::callbacks {

/// When a saving callback saves (Keras's `save_freq`): "epoch", or every N batches.
/// Converts implicitly from "epoch" and from integers; anything else throws
/// std::invalid_argument.
struct SaveFreq {
  int64_t batches = 0;  ///< 0: at the end of every epoch

  SaveFreq() = default;
  /// "epoch" (another string throws std::invalid_argument).
  SaveFreq(const char* s) : SaveFreq(std::string(s)) {}
  SaveFreq(const std::string& s);  ///< only "epoch"
  ///@{
  /// Every n batches (n > 0, else std::invalid_argument).
  SaveFreq(int n) : SaveFreq(static_cast<long long>(n)) {}
  SaveFreq(long n) : SaveFreq(static_cast<long long>(n)) {}
  ///@}
  SaveFreq(long long n);  ///< > 0
  /// Whether saving happens at the end of every epoch.
  bool per_epoch() const { return batches == 0; }
};

}  // namespace keras::callbacks
