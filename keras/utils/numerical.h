// numerical.h - keras.utils' array helpers: to_categorical (class ids to one-hot rows),
// normalize (unit-norm rows) and pad_sequences (variable-length sequences to one padded
// 2-D array), with Keras 3's arguments and defaults.
//
//   Tensor y = keras::utils::to_categorical(labels, 10);          // (n,) -> (n, 10)
//   Tensor x = keras::utils::pad_sequences(token_lists, {.maxlen = 200});
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace keras::utils {
using core::DType;
using core::Tensor;

/// keras.utils.to_categorical: class ids (an integer tensor, or a floating one holding
/// whole numbers) to one-hot rows along a new last axis, float32. A trailing axis of size
/// 1 is dropped first, as Keras does ((n, 1) -> (n, num_classes)). num_classes defaults to
/// max(x) + 1. An id that is negative or not below num_classes, or a fractional one,
/// raises std::invalid_argument naming it (Keras's NumPy path raises there too).
Tensor to_categorical(const Tensor& x, std::optional<int64_t> num_classes = std::nullopt);

/// keras.utils.normalize: x divided by its `order`-norm along `axis` (any order NumPy's
/// vector norm takes: 1, 2, 3.5, infinity); a zero norm divides by 1, as Keras's NumPy
/// path. Floating x; the result keeps its dtype.
Tensor normalize(const Tensor& x, int64_t axis = -1, double order = 2);

/// pad_sequences' options: Keras 3's keyword arguments and defaults.
struct PadSequencesOptions {
  /// The output length; unset: the longest sequence.
  std::optional<int64_t> maxlen = std::nullopt;
  DType dtype = DType::int32;    ///< the output dtype (values are cast, as NumPy's astype)
  std::string padding = "pre";     ///< "pre" or "post": where the padding goes
  std::string truncating = "pre";  ///< "pre" or "post": which end of a longer sequence is cut
  double value = 0.0;              ///< the padding value (must be exact in dtype)
};
/// keras.utils.pad_sequences: n sequences (tensors of shape (length, ...), every one with
/// the same trailing shape; an empty one is all padding) to one tensor (n, maxlen, ...).
/// Bad options, a rank-0 sequence or a mismatched trailing shape raise
/// std::invalid_argument naming the sequence and the shapes.
Tensor pad_sequences(const std::vector<Tensor>& sequences, const PadSequencesOptions& options = {});
/// The same for sequences of C++ numbers (token ids, usually).
template <class T>
Tensor pad_sequences(const std::vector<std::vector<T>>& sequences, const PadSequencesOptions& options = {}) {
  std::vector<Tensor> tensors;
  tensors.reserve(sequences.size());
  for (const auto& s : sequences) tensors.push_back(core::constant(s));
  return pad_sequences(tensors, options);
}

}  // namespace keras::utils
