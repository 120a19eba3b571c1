// ragged.h - RaggedTensor (tf.RaggedTensor): rows of varying length, nested to any depth.
//
// A RaggedTensor is a dense `flat_values` tensor plus one int64 `row_splits` vector per
// ragged dimension (outermost first), TensorFlow's encoding:
//
//   [[1, 2, 3], [], [4]]  ->  flat_values [1, 2, 3, 4], nested_row_splits {[0, 3, 3, 4]}
//
// Its shape is (nrows, None, ..., None, *flat_values.shape[1:]): ragged_rank() ragged
// dimensions after a uniform outer one. Ops work on the flat values through the engine's
// dense ops (gather, where, unsorted_segment_*), so a GradientTape differentiates results
// with respect to the flat values; the row partitions are int64 host data read eagerly.
// Inside a traced function (keras::function) a ragged argument is its parts as graph
// values, and the ops that read the partitions become graph nodes that run the eager op
// when the graph runs (core/ragged_function.h; see README "Ragged tensors").
//
// In C++ every result has one static type, so an op whose result has no ragged dimension
// left (reducing the last ragged axis, `values()` of a ragged_rank-1 tensor) returns a
// RaggedTensor of ragged_rank 0 that holds a dense tensor: `is_ragged()` is false and
// `to_tensor()` / `flat_values()` return it. The factories below never make one.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace keras::core {

/// tf.RaggedTensor: a dense flat_values tensor plus one int64 row_splits vector per ragged
/// dimension; see the file comment.
class RaggedTensor {
 public:
  RaggedTensor() = default;  ///< undefined; most uses raise std::invalid_argument

  // ---- factories (tf.RaggedTensor.from_*); bad partitions raise std::invalid_argument --
  /// row_splits: 1-d int32/int64, starting at 0, non-decreasing, ending at values' rows.
  static RaggedTensor from_row_splits(const Tensor& values, const Tensor& row_splits);
  /// As above, over a RaggedTensor's rows: adds an outer ragged dimension.
  static RaggedTensor from_row_splits(const RaggedTensor& values, const Tensor& row_splits);
  /// row_lengths: 1-d, non-negative, summing to values' rows.
  static RaggedTensor from_row_lengths(const Tensor& values, const Tensor& row_lengths);
  /// As above, over a RaggedTensor's rows: adds an outer ragged dimension.
  static RaggedTensor from_row_lengths(const RaggedTensor& values, const Tensor& row_lengths);
  /// value_rowids: 1-d, one non-decreasing row id per value row, in [0, nrows); nrows
  /// defaults to the last id + 1 (0 with no values).
  static RaggedTensor from_value_rowids(const Tensor& values, const Tensor& value_rowids,
                                        std::optional<int64_t> nrows = std::nullopt);
  /// As above, over a RaggedTensor's rows: adds an outer ragged dimension.
  static RaggedTensor from_value_rowids(const RaggedTensor& values, const Tensor& value_rowids,
                                        std::optional<int64_t> nrows = std::nullopt);
  /// One splits vector per ragged dimension, outermost first (at least one).
  static RaggedTensor from_nested_row_splits(const Tensor& flat_values,
                                             const std::vector<Tensor>& nested_row_splits);
  /// tf.RaggedTensor.from_nested_row_lengths: one lengths vector per ragged dimension,
  /// outermost first (at least one).
  static RaggedTensor from_nested_row_lengths(const Tensor& flat_values,
                                              const std::vector<Tensor>& nested_row_lengths);
  /// tf.RaggedTensor.from_tensor: the first ragged_rank + 1 axes of `tensor` (rank >=
  /// ragged_rank + 1) become rows. `lengths` (1-d, ragged_rank 1) keeps the first
  /// lengths[i] items of row i; `padding` (shape tensor.shape[ragged_rank + 1:], the dtype
  /// of tensor) drops each innermost row's trailing items equal to it. At most one of the two.
  struct FromTensorOptions {
    /// Row lengths (ragged_rank 1 only), each in [0, tensor.shape[1]]; undefined: none.
    Tensor lengths{};
    /// Padding value whose trailing repeats are dropped; undefined: none.
    Tensor padding{};
    /// Number of ragged dimensions, in [1, tensor.rank() - 1] (TensorFlow `ragged_rank`,
    /// default 1).
    int64_t ragged_rank = 1;
  };
  /// With `lengths`, `padding` or `ragged_rank`; std::invalid_argument for bad options.
  static RaggedTensor from_tensor(const Tensor& tensor, const FromTensorOptions& o);
  /// Every row of full length, ragged_rank 1.
  static RaggedTensor from_tensor(const Tensor& tensor) { return from_tensor(tensor, FromTensorOptions{}); }
  /// A dense tensor as a RaggedTensor of ragged_rank 0 (see above).
  static RaggedTensor from_dense(const Tensor& tensor);

  // ---- structure --------------------------------------------------------------------
  /// False for a default-constructed (undefined) RaggedTensor.
  bool defined() const { return flat_values_.defined(); }
  /// Whether it has a ragged dimension (false for ragged_rank 0, see the file comment).
  bool is_ragged() const { return !splits_.empty(); }
  /// Number of ragged dimensions (row_splits vectors); 0 for a dense one.
  int64_t ragged_rank() const { return static_cast<int64_t>(splits_.size()); }
  int64_t rank() const;  ///< ragged_rank() + flat_values().rank()
  /// The flat values' dtype.
  DType dtype() const { return flat_values_.dtype(); }
  /// Static shape: -1 for each ragged dimension (TensorFlow's None).
  std::vector<int64_t> shape() const;
  /// The shape of to_tensor(): each ragged dimension's longest row.
  std::vector<int64_t> bounding_shape() const;
  int64_t nrows() const;  ///< the outer dimension

  /// The dense values of the innermost rows (tf.RaggedTensor.flat_values).
  const Tensor& flat_values() const { return flat_values_; }
  /// The int64 row_splits of each ragged dimension, outermost first.
  const std::vector<Tensor>& nested_row_splits() const { return splits_; }
  Tensor row_splits() const;  ///< the outermost splits (int64, nrows + 1)
  /// values: the rows' items, one ragged level less (ragged_rank 0 when this is 1).
  RaggedTensor values() const;
  Tensor row_lengths() const;   ///< int64 (nrows,)
  Tensor row_starts() const;    ///< row_splits[:-1]
  Tensor row_limits() const;    ///< row_splits[1:]
  Tensor value_rowids() const;  ///< int64, one per item of values()
  /// row_lengths() of each ragged dimension, outermost first.
  std::vector<Tensor> nested_row_lengths() const;
  /// value_rowids() of each ragged dimension, outermost first.
  std::vector<Tensor> nested_value_rowids() const;

  // ---- conversion -------------------------------------------------------------------
  /// Dense, padded with default_value; `shape` (each entry -1 or a size) truncates or pads
  /// each axis to a fixed size. A ragged_rank-0 tensor returns its values.
  Tensor to_tensor(double default_value = 0.0,
                   const std::vector<int64_t>& shape = {}) const;
  /// As above, with a scalar default_value of the tensor's dtype (std::invalid_argument
  /// otherwise).
  Tensor to_tensor(const Tensor& default_value, const std::vector<int64_t>& shape = {}) const;
  /// Same row partitions, other flat values (their first axis must keep its size).
  RaggedTensor with_flat_values(const Tensor& flat_values) const;
  /// Python's repr of the values: "<tf.RaggedTensor [[1, 2], [3]]>".
  std::string str() const;
  /// A Tensor handle standing for this ragged tensor where the API passes Tensors
  /// (Dataset elements, keras::Input(shape, {.ragged = true}), model(x), fit/predict's x,
  /// a layer's output), as SparseTensor::as_tensor: its shape is bounding_shape(), its
  /// dtype the flat values', and it has no elements. Dense ops on it raise
  /// std::invalid_argument naming the op, and so does reading its elements; code that
  /// takes ragged values gets it back with ragged::ragged_of. Printing it prints this
  /// RaggedTensor. A ragged_rank-0 tensor returns its dense values themselves.
  Tensor as_tensor() const;

 private:
  Tensor flat_values_;
  std::vector<Tensor> splits_;  // int64, outermost first
  friend struct RaggedAccess;
};

/// Writes str().
std::ostream& operator<<(std::ostream& os, const RaggedTensor& rt);

namespace ragged {

/// Whether t is a handle made by RaggedTensor::as_tensor() (of a tensor with a ragged
/// dimension).
bool is_ragged(const Tensor& t);
/// The ragged tensor a handle from as_tensor() stands for; undefined when t is dense or
/// undefined.
RaggedTensor ragged_of(const Tensor& t);

/// tf.ragged.constant from nested std::vectors (ragged rank 1 or 2), typed as C++
/// literals are (double -> float32, int -> int32, int64_t -> int64, bool -> bool).
template <class T>
RaggedTensor constant(const std::vector<std::vector<T>>& rows);
template <class T>
RaggedTensor constant(const std::vector<std::vector<std::vector<T>>>& rows);

/// tf.ragged.map_flat_values: f(flat_values) must keep the first axis's size.
RaggedTensor map_flat_values(const std::function<Tensor(const Tensor&)>& f, const RaggedTensor& rt);

/// Elementwise binary ops on the flat values. Two ragged operands must have equal row
/// partitions; a dense operand must be a scalar or broadcast against the flat values'
/// inner dimensions (shape flat_values.shape[1:] or a suffix of it).
RaggedTensor elementwise(const std::function<Tensor(const Tensor&, const Tensor&)>& op,
                         const RaggedTensor& a, const RaggedTensor& b, const char* name);
RaggedTensor elementwise(const std::function<Tensor(const Tensor&, const Tensor&)>& op,
                         const RaggedTensor& a, const Tensor& b, const char* name);

/// Reductions (tf.reduce_sum(rt, axis), ...), over any axis in [-rank, rank), as
/// TensorFlow's ragged_reduce_aggregate: reducing a ragged axis combines rows position by
/// position (a result row is as long as the longest row combined into it). Empty rows give
/// 0 (sum), 1 (prod), NaN (mean: sum / count with truediv, so integers give float64), the
/// dtype's lowest / highest value (max / min), as tf.math.unsorted_segment_*. Without
/// axis: a scalar over all values.
RaggedTensor reduce_sum(const RaggedTensor& rt, int64_t axis);
RaggedTensor reduce_prod(const RaggedTensor& rt, int64_t axis);
RaggedTensor reduce_max(const RaggedTensor& rt, int64_t axis);
RaggedTensor reduce_min(const RaggedTensor& rt, int64_t axis);
RaggedTensor reduce_mean(const RaggedTensor& rt, int64_t axis);
Tensor reduce_sum(const RaggedTensor& rt);
Tensor reduce_max(const RaggedTensor& rt);
Tensor reduce_min(const RaggedTensor& rt);
Tensor reduce_mean(const RaggedTensor& rt);

/// tf.gather(rt, indices): rows of rt (1-d int32/int64 indices, negative raise).
RaggedTensor gather(const RaggedTensor& rt, const Tensor& indices);
/// tf.concat(rts, axis): axis 0 stacks rows; axis 1 joins row i of each (same nrows).
/// All inputs need equal dtypes, ragged ranks and inner shapes.
RaggedTensor concat(const std::vector<RaggedTensor>& rts, int64_t axis = 0);
/// tf.ragged.boolean_mask: a dense 1-d bool mask keeps rows; a ragged bool mask with
/// rt's row partitions keeps items of the innermost ragged dimension.
RaggedTensor boolean_mask(const RaggedTensor& rt, const Tensor& mask);
RaggedTensor boolean_mask(const RaggedTensor& rt, const RaggedTensor& mask);

/// A 1-d int64 row_splits vector from row lengths (validated).
Tensor splits_from_lengths(const std::vector<int64_t>& lengths);

}  // namespace ragged

///@{
/// Elementwise on the flat values (tf.math.add, subtract, multiply, divide); see
/// ragged::elementwise for the operand rules. A double is a scalar of the flat values'
/// dtype.
RaggedTensor operator+(const RaggedTensor& a, const RaggedTensor& b);
RaggedTensor operator-(const RaggedTensor& a, const RaggedTensor& b);
RaggedTensor operator*(const RaggedTensor& a, const RaggedTensor& b);
RaggedTensor operator/(const RaggedTensor& a, const RaggedTensor& b);
RaggedTensor operator+(const RaggedTensor& a, const Tensor& b);
RaggedTensor operator-(const RaggedTensor& a, const Tensor& b);
RaggedTensor operator*(const RaggedTensor& a, const Tensor& b);
RaggedTensor operator/(const RaggedTensor& a, const Tensor& b);
RaggedTensor operator+(const RaggedTensor& a, double b);
RaggedTensor operator-(const RaggedTensor& a, double b);
RaggedTensor operator*(const RaggedTensor& a, double b);
RaggedTensor operator/(const RaggedTensor& a, double b);
///@}
/// Elementwise negation of the flat values (tf.math.negative).
RaggedTensor operator-(const RaggedTensor& a);

// ---- template definitions ---------------------------------------------------------
namespace ragged {
template <class T>
RaggedTensor constant(const std::vector<std::vector<T>>& rows) {
  using S = detail::storage_t<T>;
  std::vector<S> flat;
  std::vector<int64_t> lengths;
  for (const auto& r : rows) {
    lengths.push_back(static_cast<int64_t>(r.size()));
    for (const T& v : r) flat.push_back(static_cast<S>(v));
  }
  Tensor values = from_buffer(flat.data(), dtype_of_v<S>, Shape{static_cast<int64_t>(flat.size())},
                              detail::literal_dtype<T>());
  return RaggedTensor::from_row_splits(values, splits_from_lengths(lengths));
}
template <class T>
RaggedTensor constant(const std::vector<std::vector<std::vector<T>>>& rows) {
  using S = detail::storage_t<T>;
  std::vector<S> flat;
  std::vector<int64_t> outer, inner;
  for (const auto& r : rows) {
    outer.push_back(static_cast<int64_t>(r.size()));
    for (const auto& rr : r) {
      inner.push_back(static_cast<int64_t>(rr.size()));
      for (const T& v : rr) flat.push_back(static_cast<S>(v));
    }
  }
  Tensor values = from_buffer(flat.data(), dtype_of_v<S>, Shape{static_cast<int64_t>(flat.size())},
                              detail::literal_dtype<T>());
  return RaggedTensor::from_nested_row_splits(
      values, {splits_from_lengths(outer), splits_from_lengths(inner)});
}
}  // namespace ragged

}  // namespace keras::core
