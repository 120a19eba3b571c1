// ragged_batch.cpp - ragged_batch: rows of each component concatenated into flat values,
// their first-axis sizes as row lengths.
#include "keras/data/ragged_batch.h"

#include <stdexcept>

#include "core/ops.h"

namespace keras::data {

namespace ops = core::ops;
using core::RaggedTensor;

RaggedBatches ragged_batch(const Dataset& ds, int64_t batch_size, const BatchOptions& options) {
  if (batch_size < 1) {
    throw std::invalid_argument("ragged_batch: expected batch_size >= 1, but received " + std::to_string(batch_size));
  }
  return RaggedBatches(ds, batch_size, options.drop_remainder);
}

std::optional<RaggedElement> RaggedBatchIterator::next() {
  std::vector<Element> rows;
  while (static_cast<int64_t>(rows.size()) < batch_size_) {
    std::optional<Element> e = it_.next();
    if (!e) break;
    if (!rows.empty() && (e->size() != rows[0].size() || e->names() != rows[0].names())) {
      throw std::invalid_argument("ragged_batch: expected elements of one structure " + rows[0].spec() +
                                  ", but received " + e->spec());
    }
    rows.push_back(std::move(*e));
  }
  if (rows.empty() || (drop_remainder_ && static_cast<int64_t>(rows.size()) < batch_size_)) return std::nullopt;
  RaggedElement out;
  out.names = rows[0].names();
  for (size_t c = 0; c < rows[0].size(); ++c) {
    const Tensor& first = rows[0][c];
    std::vector<Tensor> parts;
    std::vector<int64_t> lengths;
    for (const Element& r : rows) {
      const Tensor& t = r[c];
      bool same_inner = t.dtype() == first.dtype() && t.rank() == first.rank();
      for (int64_t d = 1; same_inner && d < t.rank(); ++d) same_inner = t.shape()[d] == first.shape()[d];
      if (!same_inner) {
        throw std::invalid_argument("ragged_batch: expected component " + std::to_string(c) +
                                    " to have one dtype and the same sizes after the first axis in a batch, but "
                                    "received " + dtype_name(first.dtype()) + " " + first.shape().str() + " and " +
                                    dtype_name(t.dtype()) + " " + t.shape().str());
      }
      parts.push_back(t);
      if (t.rank() > 0) lengths.push_back(t.shape()[0]);
    }
    if (first.rank() == 0) {
      out.components.push_back(RaggedTensor::from_dense(ops::stack(parts, 0)));
    } else {
      out.components.push_back(
          RaggedTensor::from_row_splits(ops::concat(parts, 0), core::ragged::splits_from_lengths(lengths)));
    }
  }
  return out;
}

}  // namespace keras::data
