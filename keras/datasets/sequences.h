// sequences.h - what keras.datasets.imdb and keras.datasets.reuters return: lists of word
// ids (Python's object arrays of lists), ready for keras::utils::pad_sequences.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace keras::datasets {

/// One split of a sequence dataset.
struct SequenceSplit {
  /// One list of word ids per sample (Keras's object array of lists); pad_sequences takes it.
  std::vector<std::vector<int32_t>> x;
  core::Tensor y;  ///< the labels, (n,), in the file's dtype (int64)
};

/// imdb's and reuters' load_data options: Keras's keyword arguments and defaults.
struct SequenceLoadOptions {
  /// The file: relative to Keras's dataset cache (then the working folder), or absolute;
  /// empty: the dataset's own ("imdb.npz", "reuters.npz").
  std::string path = "";
  /// Keep the ids below this (others become oov_char); unset (or 0): below the largest id.
  std::optional<int64_t> num_words = std::nullopt;
  int64_t skip_top = 0;  ///< ids below this become oov_char too (the most frequent words)
  /// Drop the samples of this many words or more (after start_char); unset (or 0): none.
  std::optional<int64_t> maxlen = std::nullopt;
  /// reuters: the last fraction of the shuffled samples is the test split (unset: 0.2).
  /// imdb has its file's two splits and refuses it, as Keras.
  std::optional<double> test_split = std::nullopt;
  int64_t seed = 113;                     ///< NumPy RandomState seed of the shuffle
  std::optional<int64_t> start_char = 1;  ///< put first in every sample; unset: none
  std::optional<int64_t> oov_char = 2;    ///< replaces dropped ids; unset: they are removed
  int64_t index_from = 3;                 ///< added to every id of the file
};

}  // namespace keras::datasets
