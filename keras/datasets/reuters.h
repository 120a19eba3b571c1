// reuters.h - keras.datasets.reuters: 11,228 Reuters newswires labelled over 46 topics, as
// lists of word ids, from Keras's reuters.npz (read from Keras's cache or a path:
// keras-cpp downloads nothing).
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "keras/datasets/sequences.h"

namespace keras::datasets::reuters {

/// load_data's options: Keras's keyword arguments and defaults.
struct LoadDataOptions {
  /// The file: relative to Keras's dataset cache (then the working folder), or absolute.
  std::string path = "reuters.npz";
  /// Keep the ids below this (others become oov_char); unset (or 0): below the largest id.
  std::optional<int64_t> num_words = std::nullopt;
  int64_t skip_top = 0;  ///< ids below this become oov_char too (the most frequent words)
  /// Drop the samples of this many words or more (after start_char); unset (or 0): none.
  std::optional<int64_t> maxlen = std::nullopt;
  double test_split = 0.2;                ///< the last fraction of the shuffled samples is the test split
  int64_t seed = 113;                     ///< NumPy RandomState seed of the shuffle
  std::optional<int64_t> start_char = 1;  ///< put first in every sample; unset: none
  std::optional<int64_t> oov_char = 2;    ///< replaces dropped ids; unset: they are removed
  int64_t index_from = 3;                 ///< added to every id of the file
};

/// ((train.x, train.y), (test.x, test.y)) as Keras's load_data: the samples shuffled by
/// RandomState(seed), ids shifted and filtered as Keras does, the first
/// int(n * (1 - test_split)) for training. A missing file raises std::runtime_error naming
/// it and its address.
std::pair<SequenceSplit, SequenceSplit> load_data(const LoadDataOptions& options = {});

/// The word index (word -> id, before index_from), Keras's reuters_word_index.json.
std::map<std::string, int64_t> get_word_index(const std::string& path = "reuters_word_index.json");

/// The 46 topic names, index = label (Keras's get_label_names()).
const std::vector<std::string>& get_label_names();

}  // namespace keras::datasets::reuters
