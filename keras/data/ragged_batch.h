// ragged_batch.h - tf.data's Dataset.ragged_batch: batches of elements whose components
// vary in length along their first axis, as RaggedTensors.
//
//   auto batches = keras::data::ragged_batch(ds, 32);  // ds yields (tokens (n,), label ())
//   auto it = batches.make_iterator();
//   while (auto b = it.next()) { keras::RaggedTensor tokens = (*b)[0]; ... }
//
// A dataset element holds dense tensors only, so a ragged batch is its own kind of
// element (a list of RaggedTensors, with the element's names) from its own iterator,
// not a Dataset. Each component of the batch: scalars are stacked into a RaggedTensor of
// ragged rank 0 holding the dense (batch,) tensor; components of rank >= 1 become
// RaggedTensors of ragged rank 1 whose rows are the elements (their first axis may
// differ; the other axes must agree within a batch, else std::invalid_argument naming
// the component and both shapes). TensorFlow makes every axis of unknown size ragged;
// keras-cpp knows no static shapes, so only the first axis is.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/ragged.h"
#include "keras/data/dataset.h"

namespace keras::data {

/// One batch from ragged_batch: a RaggedTensor per component of the dataset's elements.
struct RaggedElement {
  /// The batched components, in the element's order (scalars as ragged_rank-0 tensors).
  std::vector<core::RaggedTensor> components;
  std::vector<std::string> names;  ///< the dataset element's names (empty for a tuple)
  /// Component i (std::out_of_range past the end).
  const core::RaggedTensor& operator[](size_t i) const { return components.at(i); }
  /// Number of components.
  size_t size() const { return components.size(); }
};

/// Iterates over the batches of a RaggedBatches (make_iterator()), one pass.
class RaggedBatchIterator {
 public:
  /// The next batch (the last may be smaller unless drop_remainder), or nullopt.
  std::optional<RaggedElement> next();

 private:
  friend class RaggedBatches;
  RaggedBatchIterator(Iterator it, int64_t batch_size, bool drop_remainder)
      : it_(std::move(it)), batch_size_(batch_size), drop_remainder_(drop_remainder) {}
  Iterator it_;
  int64_t batch_size_;
  bool drop_remainder_;
};

/// The result of ragged_batch (tf.data.Dataset.ragged_batch): iterated with
/// make_iterator(), not a Dataset.
class RaggedBatches {
 public:
  /// A fresh pass over the dataset's batches.
  RaggedBatchIterator make_iterator() const { return RaggedBatchIterator(ds_.make_iterator(), batch_size_, drop_); }

 private:
  friend RaggedBatches ragged_batch(const Dataset& ds, int64_t batch_size, const BatchOptions& options);
  RaggedBatches(Dataset ds, int64_t batch_size, bool drop) : ds_(std::move(ds)), batch_size_(batch_size), drop_(drop) {}
  Dataset ds_;
  int64_t batch_size_;
  bool drop_;
};

/// batch_size >= 1 (std::invalid_argument otherwise).
RaggedBatches ragged_batch(const Dataset& ds, int64_t batch_size, const BatchOptions& options = {});

}  // namespace keras::data
