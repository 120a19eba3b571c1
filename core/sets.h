// sets.h - tf.sets in keras::core::sets (re-exported as keras::sets): set operations over
// the last dimension of dense or sparse integer tensors (int8 to int64, uint8 to uint32), with a
// sparse result, as TensorFlow computes them.
//
// Each position of the leading dimensions holds one set: the values along the last
// dimension of a dense tensor (repeats count once), or the values stored in that row of
// a sparse one. The result holds each row's elements in ascending order; its dense_shape
// is the inputs' leading dimensions followed by the largest set size. Inputs must have
// rank >= 2, the same dtype and the same leading dimensions; sparse inputs must be in
// canonical order when validate_indices is true (sparse::reorder).
#pragma once
#include "core/sparse.h"

namespace keras::core::sets {

/// A set operand: a dense Tensor or a SparseTensor (converts implicitly from either).
struct SetInput {
  /// A dense operand: sets along its last axis.
  SetInput(const Tensor& t) : dense(t) {}        // NOLINT(google-explicit-constructor)
  /// A sparse operand: sets along the last axis of its dense shape.
  SetInput(const SparseTensor& s) : sparse(s) {}  // NOLINT(google-explicit-constructor)
  Tensor dense;         ///< the dense operand (undefined for a sparse one)
  SparseTensor sparse;  ///< the sparse operand (undefined for a dense one)
};

/// tf.sets.size: the number of distinct elements of each set of a sparse tensor, int32 of
/// shape dense_shape[:-1] (TensorFlow takes only sparse tensors here).
Tensor size(const SparseTensor& a, bool validate_indices = true);
/// tf.sets.intersection, tf.sets.union, tf.sets.difference (a - b; aminusb = false: b - a).
SparseTensor intersection(const SetInput& a, const SetInput& b, bool validate_indices = true);
SparseTensor union_(const SetInput& a, const SetInput& b, bool validate_indices = true);
SparseTensor difference(const SetInput& a, const SetInput& b, bool aminusb = true,
                        bool validate_indices = true);

}  // namespace keras::core::sets
