// sparse_merge.h - private helper of keras/layers/merge.cpp: the merge layers on inputs
// some of which are SparseTensor handles (SparseTensor::as_tensor), as Keras 3's
// TensorFlow backend merges them. Not installed, not included by public headers.
#pragma once
#include <vector>

#include "keras/layers/merge.h"

namespace keras::layers::detail {

/// Whether any of xs is a SparseTensor handle.
bool any_sparse(const std::vector<Tensor>& xs);

/// The merge of xs (two at a time, left to right) where some are sparse: add and subtract
/// of two sparse operands give the union of their entries, with a dense one a dense sum;
/// multiply gives the intersection of two sparse operands' entries, a sparse one times a
/// dense one the sparse entries; maximum and minimum of two sparse operands the union
/// (a missing entry read as 0), with a dense one the dense result; average the sum over
/// the count (sparse when the sum is).
Tensor merge_sparse(MergeLayer::Kind kind, const std::vector<Tensor>& xs);

/// Concatenation along `axis` where some of xs are sparse: one sparse concatenation when
/// all are, else the sparse ones made dense (Keras's rule).
Tensor concat_sparse(const std::vector<Tensor>& xs, int64_t axis);

}  // namespace keras::layers::detail
