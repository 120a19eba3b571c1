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

/// The dataset's .npz file (`o.path`, else `file`, found as detail::locate does): for each
/// (x, y) pair of `names`, the object array x of id lists and the labels y, shuffled in
/// turn by one RandomState(o.seed), then start_char and index_from applied and (with
/// maxlen) only the samples shorter than maxlen kept, as Keras.
std::vector<Sequences> load_shuffled(const SequenceLoadOptions& o, const std::string& file,
                                     const std::vector<std::pair<std::string, std::string>>& names,
                                     const std::string& who);

/// Rows of s in `order`.
Sequences reorder(const Sequences& s, const std::vector<int64_t>& order);

/// num_words (unset: the largest id, itself excluded, as Keras), skip_top and oov_char over
/// all samples of every part; the parts become SequenceSplits (ids must fit int32).
std::vector<SequenceSplit> limit_words(std::vector<Sequences> parts, const SequenceLoadOptions& o,
                                       const std::string& who);

/// A word index file (JSON: word -> id), found as detail::locate does (its address: the
/// tf-keras-datasets file of the same name).
std::map<std::string, int64_t> read_word_index(const std::string& path, const std::string& who);

}  // namespace keras::datasets::detail
