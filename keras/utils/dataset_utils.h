// dataset_utils.h - keras.utils' dataset builders over arrays:
// timeseries_dataset_from_array (sliding windows over a series, with their targets) and
// split_dataset (two datasets from one, by counts or fractions), with Keras 3's
// arguments and defaults.
//
//   auto ds = keras::utils::timeseries_dataset_from_array(series, targets, 48, {.batch_size = 64});
//   auto [train, val] = keras::utils::split_dataset(ds, {.left_size = 0.8});
#pragma once
#include <cstdint>
#include <optional>
#include <utility>

#include "keras/data/dataset.h"

namespace keras::utils {
using core::Tensor;

/// timeseries_dataset_from_array's options: Keras 3's keyword arguments and defaults.
struct TimeseriesOptions {
  int64_t sequence_stride = 1;  ///< steps between the starts of consecutive windows
  int64_t sampling_rate = 1;    ///< steps between the rows of one window
  /// Windows per batch; unset: unbatched windows.
  std::optional<int64_t> batch_size = 128;
  /// Windows in a random order: a seeded permutation of the starts, then a shuffle buffer
  /// of 8 batches reshuffled at each iteration (Keras's two stages).
  bool shuffle = false;
  int64_t seed = -1;  ///< -1: drawn from core's global generator (ops::set_random_seed)
  std::optional<int64_t> start_index = std::nullopt;  ///< first row used (default 0)
  std::optional<int64_t> end_index = std::nullopt;    ///< rows from end_index on are not used (default: all)
};
/// keras.utils.timeseries_dataset_from_array: window i holds the rows start + p_i +
/// j * sampling_rate of `data` (j < sequence_length; p_i = i * sequence_stride) and, when
/// `targets` is defined, is paired with targets[start + p_i]. Elements are (window) or
/// (window, target), batched unless batch_size is unset. Arguments outside Keras's ranges
/// raise std::invalid_argument with Keras's message.
data::Dataset timeseries_dataset_from_array(const Tensor& data, const Tensor& targets, int64_t sequence_length,
                                            const TimeseriesOptions& options = {});

/// A split size as Keras takes it: unset (None), a count of elements (an integer) or a
/// fraction of them (a floating number in (0, 1)).
class SplitSize {
 public:
  SplitSize() = default;  ///< None: the rest
  /// A count of elements (Keras's int).
  SplitSize(int count) : count_(count) {}  // NOLINT: implicit, as Keras's int
  /// A count of elements (Keras's int).
  SplitSize(int64_t count) : count_(count) {}  // NOLINT: implicit, as Keras's int
  /// A fraction of the elements (Keras's float).
  SplitSize(double fraction) : fraction_(fraction) {}  // NOLINT: implicit, as Keras's float
  bool is_none() const { return !count_ && !fraction_; }        ///< whether unset
  std::optional<int64_t> count() const { return count_; }       ///< the count, if one
  std::optional<double> fraction() const { return fraction_; }  ///< the fraction, if one

 private:
  std::optional<int64_t> count_;
  std::optional<double> fraction_;
};

/// split_dataset's options: Keras 3's keyword arguments and defaults.
struct SplitDatasetOptions {
  SplitSize left_size{};   ///< the first split's size (unset: what right_size leaves)
  SplitSize right_size{};  ///< the second split's size (unset: what left_size leaves)
  bool shuffle = false;    ///< shuffle the elements (once) before splitting
  int64_t seed = -1;       ///< -1: drawn from core's global generator
};
/// keras.utils.split_dataset: the dataset's elements (read once, into memory, as Keras
/// does) split into the first left_size and the last right_size (elements in between,
/// when both are given and leave some, are in neither). A dataset ending in batch() (or
/// batch() then prefetch()) is split by its rows, and both splits are batched again with
/// its batch size, as Keras does. Sizes outside Keras's ranges raise
/// std::invalid_argument with Keras's message; an infinite dataset raises too.
std::pair<data::Dataset, data::Dataset> split_dataset(const data::Dataset& dataset,
                                                      const SplitDatasetOptions& options);
/// The same for arrays split along their first axis (Keras's NumPy arrays, or a tuple
/// or dict of them): an Element of tensors with one first dimension.
std::pair<data::Dataset, data::Dataset> split_dataset(const data::Element& arrays, const SplitDatasetOptions& options);

}  // namespace keras::utils
