// imdb.h - keras.datasets.imdb: 25,000 training and 25,000 test movie reviews labelled by
// sentiment, as lists of word ids, from Keras's imdb.npz (read from Keras's cache or a
// path: keras-cpp downloads nothing).
//
//   auto [train, test] = keras::datasets::imdb::load_data({.num_words = 10000});
//   keras::Tensor x = keras::utils::pad_sequences(train.x, {.maxlen = 200});
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "keras/datasets/sequences.h"

namespace keras::datasets::imdb {

/// load_data's options (`path` empty: "imdb.npz").
using LoadDataOptions = SequenceLoadOptions;

/// ((train.x, train.y), (test.x, test.y)) as Keras's load_data: each split shuffled by
/// RandomState(seed) (one generator, train first), the ids shifted and filtered as Keras
/// does. A missing file raises std::runtime_error naming it and its address; maxlen that
/// keeps no sample raises std::invalid_argument (Keras's message).
std::pair<SequenceSplit, SequenceSplit> load_data(const LoadDataOptions& options = {});

/// The word index (word -> id, before index_from), Keras's imdb_word_index.json.
std::map<std::string, int64_t> get_word_index(const std::string& path = "imdb_word_index.json");

}  // namespace keras::datasets::imdb
