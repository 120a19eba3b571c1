// sequences.h - what keras.datasets.imdb and keras.datasets.reuters return: lists of word
// ids (Python's object arrays of lists), ready for keras::utils::pad_sequences.
#pragma once
#include <cstdint>
#include <vector>

#include "core/tensor.h"

namespace keras::datasets {

/// One split of a sequence dataset.
struct SequenceSplit {
  /// One list of word ids per sample (Keras's object array of lists); pad_sequences takes it.
  std::vector<std::vector<int32_t>> x;
  core::Tensor y;  ///< the labels, (n,), in the file's dtype (int64)
};

}  // namespace keras::datasets
