// sequence_files.h - (keras::datasets-internal) what imdb and reuters share: reading their
// .npz files (pickled object arrays of word-id lists, and label arrays) and Keras's id
// rules (start_char, index_from, maxlen, num_words, skip_top, oov_char).
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "keras/datasets/sequences.h"

namespace keras::datasets::detail {

/// Samples as lists of ids, with their labels.
struct Sequences {
  std::vector<std::vector<int64_t>> x;
  core::Tensor y;  ///< (n,) labels
};

/// The options imdb and reuters share.
struct SequenceRules {
  std::optional<int64_t> num_words, maxlen, start_char, oov_char;
  int64_t skip_top = 0, index_from = 3;
};

/// The arrays `x_name` (an object array of id lists) and `y_name` of the .npz file at path.
std::vector<Sequences> read_sequence_npz(const std::string& path,
                                         const std::vector<std::pair<std::string, std::string>>& names,
                                         const std::string& who);

/// Rows of s in `order`.
Sequences reorder(const Sequences& s, const std::vector<int64_t>& order);

/// start_char and index_from, then (with maxlen) only the samples shorter than maxlen.
void shift_and_filter(Sequences& s, const SequenceRules& r);

/// num_words (unset: the largest id, itself excluded, as Keras), skip_top and oov_char over
/// all samples of every part; the parts become SequenceSplits (ids must fit int32).
std::vector<SequenceSplit> limit_words(std::vector<Sequences> parts, const SequenceRules& r, const std::string& who);

/// A word index file (JSON: word -> id).
std::map<std::string, int64_t> read_word_index(const std::string& path, const std::string& origin,
                                               const std::string& who);

}  // namespace keras::datasets::detail
