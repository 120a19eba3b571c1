// ragged_batch.h - tf.data's Dataset.ragged_batch: batches of elements whose components
// vary in length along their first axis, as RaggedTensors.
//
//   auto batches = keras::data::ragged_batch(ds, 32);  // ds yields (tokens (n,), label ())
//   auto it = batches.make_iterator();
//   while (auto b = it.next()) { keras::RaggedTensor tokens = (*b)[0]; ... }
//
// Dataset::ragged_batch is the dataset itself (its ragged components are
// RaggedTensor::as_tensor() handles, so shuffle, map, prefetch, fit... take it); this
// free function is a convenience over it whose iterator hands out each batch as
// RaggedTensors: scalars as RaggedTensors of ragged rank 0 holding the dense (batch,)
// tensor, components of rank >= 1 as RaggedTensors whose rows are the elements (their
// first axis may differ; the other axes must agree within a batch, else
// std::invalid_argument naming the component and both shapes).
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
  explicit RaggedBatchIterator(Iterator it) : it_(std::move(it)) {}
  Iterator it_;  // over Dataset::ragged_batch's batches
};

/// The result of ragged_batch: Dataset::ragged_batch's dataset (dataset()), iterated
/// with make_iterator() as RaggedTensors.
class RaggedBatches {
 public:
  /// A fresh pass over the dataset's batches.
  RaggedBatchIterator make_iterator() const { return RaggedBatchIterator(ds_.make_iterator()); }
  /// The batches as a Dataset (ragged components as RaggedTensor::as_tensor() handles).
  const Dataset& dataset() const { return ds_; }

 private:
  friend RaggedBatches ragged_batch(const Dataset& ds, int64_t batch_size, const BatchOptions& options);
  explicit RaggedBatches(Dataset ds) : ds_(std::move(ds)) {}
  Dataset ds_;
};

/// ds.ragged_batch(batch_size, options) read as RaggedTensors; batch_size >= 1
/// (std::invalid_argument otherwise).
RaggedBatches ragged_batch(const Dataset& ds, int64_t batch_size, const BatchOptions& options = {});

}  // namespace keras::data
