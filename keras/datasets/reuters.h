// reuters.h - keras.datasets.reuters: 11,228 Reuters newswires labelled over 46 topics, as
// lists of word ids, from Keras's reuters.npz (read from Keras's cache or a path:
// keras-cpp downloads nothing).
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "keras/datasets/sequences.h"

namespace keras::datasets::reuters {

/// load_data's options (`path` empty: "reuters.npz").
using LoadDataOptions = SequenceLoadOptions;

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
