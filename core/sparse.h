// sparse.h - SparseTensor (TensorFlow's tf.sparse.SparseTensor, COO format) and the
// tf.sparse ops on it, in keras::core::sparse (re-exported as keras::sparse).
//
//   keras::SparseTensor sp(keras::constant({{0, 0}, {1, 2}}, keras::DType::int64),
//                          keras::constant({1.0, 2.0}), {3, 4});
//   keras::Tensor d = keras::sparse::to_dense(sp);   // (3, 4) float32
//
// The index work (validation, ordering, merging) runs on the host in plain loops; the
// values move through dense ops (gather, segment sums, scatter), so a GradientTape gives
// the gradients of the values (and of a dense matmul operand) by autodiff.
#pragma once
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace keras::core {

class SparseTensor;
namespace sparse {
SparseTensor sparse_of(const Tensor& t);
}

/// A sparse tensor: N stored entries, indices (N, rank) int64, values (N,) of any dtype,
/// dense_shape (rank,) int64. Construction validates everything and raises
/// std::invalid_argument naming the first bad entry, as TensorFlow's ops do:
/// "SparseTensor: indices[1] = [0,7] is out of bounds: need 0 <= index < [4,5]".
/// Entries may be in any order and repeat (as in TensorFlow); ordered() says whether they
/// are in canonical (row-major, strictly increasing) order, which to_dense and the set ops
/// require (sparse::reorder sorts them).
class SparseTensor {
 public:
  SparseTensor() = default;  ///< undefined; ops raise on it
  /// tf.sparse.SparseTensor(indices, values, dense_shape): indices int64 (N, rank),
  /// values (N,), dense_shape int64 (rank,); validated (std::invalid_argument).
  SparseTensor(Tensor indices, Tensor values, Tensor dense_shape);
  /// The same with the dense shape given in C++.
  SparseTensor(Tensor indices, Tensor values, const std::vector<int64_t>& dense_shape);

  /// False for a default-constructed SparseTensor.
  bool defined() const { return values_.defined(); }
  /// Inside a traced function (keras::function): whether this is a graph value whose
  /// entries exist only when the graph runs (a sparse argument, or the result of a sparse
  /// op on one). Its dense shape and dtype are known; indices() and values() are graph
  /// values whose number of entries is open (as tf.function's (None,)), with_values()
  /// a graph node; nnz(), ordered() and host_indices() (C++ values) raise, naming the
  /// accessor. Sparse ops take it (each becomes one graph node) and as_tensor() returns
  /// its graph value.
  bool symbolic() const { return symbolic_; }
  /// Whether the last dimension of the dense shape is known only when the graph runs (a
  /// set operation's result inside a traced function; shape() holds a stand-in there).
  bool unknown_last_dim() const { return unknown_last_; }
  /// The coordinates of the stored entries: int64 (N, rank).
  const Tensor& indices() const { return symbolic_ ? symbolic_entries(false) : indices_; }
  /// The stored entries: (N,), in the order of indices().
  const Tensor& values() const { return symbolic_ ? symbolic_entries(true) : values_; }
  /// The dense shape as an int64 (rank,) tensor.
  const Tensor& dense_shape() const { return dense_shape_tensor_; }
  const std::vector<int64_t>& shape() const { return shape_; }  ///< dense_shape on the host
  /// The number of axes of the dense shape.
  int64_t rank() const { return static_cast<int64_t>(shape_.size()); }
  /// The number of stored entries, N.
  int64_t nnz() const { return symbolic_ ? (symbolic_access("nnz()"), 0) : nnz_; }
  /// The dtype of the values.
  DType dtype() const { return values_.dtype(); }
  /// Whether the indices are in canonical (row-major, strictly increasing) order.
  bool ordered() const { return symbolic_ ? (symbolic_access("ordered()"), false) : ordered_; }
  /// The same indices with other values (tf.SparseTensor.with_values): (N,) of any dtype.
  SparseTensor with_values(const Tensor& values) const;
  /// The indices on the host, row-major (N * rank); "SparseTensor(indices=..., ...)".
  std::vector<int64_t> host_indices() const;
  /// TensorFlow's repr: "SparseTensor(indices=..., values=..., dense_shape=...)".
  std::string str() const;
  /// A Tensor handle standing for this sparse tensor where the Keras API passes Tensors
  /// (keras::Input(shape, {.sparse = true}), model(x), fit/predict's x): it has the dense
  /// shape and the dtype but no elements. Dense ops on it raise std::invalid_argument
  /// naming the op, and so does reading its elements; layers that take sparse inputs
  /// (Dense) get it back with sparse::sparse_of. Printing it prints this SparseTensor.
  Tensor as_tensor() const;

  /// Engine-internal: a symbolic sparse tensor of this dense shape and dtype (see
  /// symbolic()); its as_tensor() is a fresh graph value for the tracer to bind.
  static SparseTensor symbolic_value(const std::vector<int64_t>& shape, DType dtype, Device device,
                                     bool unknown_last_dim = false);

 private:
  friend SparseTensor sparse::sparse_of(const Tensor& t);
  void validate();
  [[noreturn]] const Tensor& symbolic_access(const char* what) const;
  // A symbolic one's values or indices: a graph node reading them when the graph runs.
  const Tensor& symbolic_entries(bool values) const;
  Tensor indices_, values_, dense_shape_tensor_;
  mutable Tensor traced_entries_[2];  // symbolic_entries' latest nodes (indices, values)
  std::vector<int64_t> shape_;
  int64_t nnz_ = 0;
  bool ordered_ = true;
  bool symbolic_ = false, unknown_last_ = false;
  Tensor carrier_;  // a symbolic one's graph value
};

/// Prints sp.str().
std::ostream& operator<<(std::ostream& os, const SparseTensor& sp);

}  // namespace keras::core

namespace keras::core::sparse {

/// Whether t is a handle made by SparseTensor::as_tensor(), and the sparse tensor it stands
/// for (undefined when t is dense or undefined).
bool is_sparse(const Tensor& t);
SparseTensor sparse_of(const Tensor& t);
/// The dense shape as an int64 (rank,) tensor; inside a traced function, for a symbolic
/// sparse tensor, a graph value read when the graph runs (one node), so a graph relaxed
/// over the batch size stays right.
Tensor shape_tensor(const SparseTensor& sp);

/// tf.sparse.reorder: the entries in canonical row-major order (a stable sort, so repeated
/// indices keep their relative order).
SparseTensor reorder(const SparseTensor& sp);
/// tf.sparse.to_dense: a dense tensor of sp's dtype and shape, default_value (exact in the
/// dtype) where nothing is stored. validate_indices: unordered or repeated indices raise,
/// as TensorFlow ("indices[1] = [0,1] is out of order..."); without it a repeated index
/// takes its last value (TensorFlow's kernel).
Tensor to_dense(const SparseTensor& sp, double default_value = 0.0, bool validate_indices = true);
/// tf.sparse.from_dense: the non-zero entries of x (NaN counts as non-zero), in order.
SparseTensor from_dense(const Tensor& x);
/// tf.sparse.retain: the entries where to_retain (bool, (N,)) is true.
SparseTensor retain(const SparseTensor& sp, const Tensor& to_retain);

/// tf.sparse.add of two sparse tensors of one shape and dtype: the union of the entries
/// (canonical order); where both hold an entry the sum is kept only if |sum| >= threshold
/// (TensorFlow applies the threshold to such pairs only).
SparseTensor add(const SparseTensor& a, const SparseTensor& b, double threshold = 0.0);
/// tf.sparse.add of a sparse and a dense tensor of the same shape (no broadcasting): dense.
Tensor add(const SparseTensor& a, const Tensor& b);
Tensor add(const Tensor& a, const SparseTensor& b);
/// tf.sparse.maximum / tf.sparse.minimum of two sparse tensors of one shape and dtype: the
/// union of the entries (canonical order), a missing entry read as 0.
SparseTensor maximum(const SparseTensor& a, const SparseTensor& b);
SparseTensor minimum(const SparseTensor& a, const SparseTensor& b);
/// The elementwise product of two sparse tensors of one shape and dtype: the intersection
/// of their entries (canonical order), as Keras's TensorFlow backend multiplies them.
SparseTensor multiply(const SparseTensor& a, const SparseTensor& b);
/// A sparse tensor times a dense one of the same shape (no broadcasting): the sparse
/// entries, each times the dense value at its index (tf.SparseTensor * Tensor).
SparseTensor multiply(const SparseTensor& a, const Tensor& b);
SparseTensor multiply(const Tensor& a, const SparseTensor& b);
/// tf.sparse.sparse_dense_matmul: a (M, K) sparse times b (K, N) dense, after the optional
/// transposes (adjoint_*: no complex dtypes, so a transpose). Repeated entries add up.
Tensor sparse_dense_matmul(const SparseTensor& a, const Tensor& b, bool adjoint_a = false,
                           bool adjoint_b = false);
/// A dense a (M, K) times a sparse b (K, N).
Tensor sparse_dense_matmul(const Tensor& a, const SparseTensor& b, bool adjoint_a = false,
                           bool adjoint_b = false);
/// tf.sparse.reduce_sum / reduce_max over `axis` (empty: all), a dense result. Only the
/// stored values take part: reduce_max of (-1, <empty>) is -1, and an output position with
/// no stored entry is 0 (TensorFlow's rule).
Tensor reduce_sum(const SparseTensor& sp, const std::vector<int64_t>& axis = {},
                  bool keepdims = false);
Tensor reduce_max(const SparseTensor& sp, const std::vector<int64_t>& axis = {},
                  bool keepdims = false);

/// tf.sparse.reshape: one -1 allowed; the entries keep their order.
SparseTensor reshape(const SparseTensor& sp, const std::vector<int64_t>& shape);
/// tf.sparse.slice: the entries in [start, start + size), shifted to start at 0; the
/// result's shape is clipped to sp's (a start past the end gives an empty dimension).
SparseTensor slice(const SparseTensor& sp, const std::vector<int64_t>& start,
                   const std::vector<int64_t>& size);
/// The rows (first indices) `rows` of sp, in that order, as one sparse tensor of
/// rows.size() rows (canonical order): what a shuffled batch of sparse samples takes
/// (tf.gather of a SparseTensor along axis 0; TensorFlow has no op of its own for it).
SparseTensor take_rows(const SparseTensor& sp, const std::vector<int64_t>& rows);
/// tf.sparse.concat along axis (negative counts from the end); the other dimensions must
/// match unless expand_nonconcat_dims (then the largest is taken). Canonical order.
SparseTensor concat(int64_t axis, const std::vector<SparseTensor>& sps,
                    bool expand_nonconcat_dims = false);
/// tf.sparse.transpose: perm empty reverses the axes; the result is in canonical order.
SparseTensor transpose(const SparseTensor& sp, const std::vector<int64_t>& perm = {});
/// tf.sparse.fill_empty_rows: every row (first index) with no entry gets one at
/// [row, 0, ..., 0] holding default_value (a scalar of sp's dtype); the result is ordered
/// by row, entries within a row keep their order. empty_row_indicator: bool (rows,).
struct FilledRows {
  SparseTensor output;         ///< sp with one default entry in each empty row
  Tensor empty_row_indicator;  ///< bool (rows,): true where a row was empty
};
FilledRows fill_empty_rows(const SparseTensor& sp, const Tensor& default_value);
FilledRows fill_empty_rows(const SparseTensor& sp, double default_value);

}  // namespace keras::core::sparse
