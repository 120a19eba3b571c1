// ops_reduce.h - reductions, scans, statistics, search and sets, segment and scatter ops
// of Keras 3's keras.ops (TensorFlow backend semantics). Included by core/ops.h.
//
// Axes: `axis` empty = every axis (Keras's axis=None); negative axes count from the end.
// Dtypes follow keras.ops (checked against Keras 3.15 on TensorFlow): the statistics
// (var, average, nanmean, quantile, ...) give float32 for integer input and keep float64;
// index results (nanargmax, searchsorted, digitize, nonzero, ...) are int32.
// Bad input raises std::invalid_argument naming the op, what it expected and what it got.
// Ops marked "eager only" have an output shape that depends on the values; inside a
// traced function (core::function) they raise std::invalid_argument.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/tensor.h"

namespace keras::core::ops {

// ---- reductions (core/ops/reduce_nan.cpp) --------------------------------------------
///@{
/// Largest / smallest value over axis (empty: all), as keras.ops.amax / amin.
Tensor amax(const Tensor& x, const std::vector<int64_t>& axis = {}, bool keepdims = false);
Tensor amin(const Tensor& x, const std::vector<int64_t>& axis = {}, bool keepdims = false);
///@}
/// max - min, in x's dtype.
Tensor ptp(const Tensor& x, const std::vector<int64_t>& axis = {}, bool keepdims = false);
/// Population variance, float32 for integer x (keras.ops.var).
Tensor var(const Tensor& x, const std::vector<int64_t>& axis = {}, bool keepdims = false);
/// sum(x * w) / sum(w) over axis; weights of x's shape, or 1-d along a single axis.
Tensor average(const Tensor& x, const std::vector<int64_t>& axis = {}, const Tensor& weights = {});
Tensor count_nonzero(const Tensor& x, const std::vector<int64_t>& axis = {});  ///< int32
/// The nan* reductions ignore NaN (integer x has none). nansum of uint8 gives uint8 (Keras:
/// uint32, a dtype the engine lacks); nanmax/nanmin of an all-NaN slice give NaN.
Tensor nansum(const Tensor& x, const std::vector<int64_t>& axis = {}, bool keepdims = false);
///@{
/// Product, mean, variance and standard deviation over axis, ignoring NaN (see nansum).
Tensor nanprod(const Tensor& x, const std::vector<int64_t>& axis = {}, bool keepdims = false);
Tensor nanmean(const Tensor& x, const std::vector<int64_t>& axis = {}, bool keepdims = false);
Tensor nanvar(const Tensor& x, const std::vector<int64_t>& axis = {}, bool keepdims = false);
Tensor nanstd(const Tensor& x, const std::vector<int64_t>& axis = {}, bool keepdims = false);
///@}
///@{
/// Largest / smallest non-NaN value over axis.
Tensor nanmax(const Tensor& x, const std::vector<int64_t>& axis = {}, bool keepdims = false);
Tensor nanmin(const Tensor& x, const std::vector<int64_t>& axis = {}, bool keepdims = false);
///@}
/// int32 index of the extreme non-NaN value; -1 for an all-NaN slice. No axis: of the
/// flattened x.
Tensor nanargmax(const Tensor& x, std::optional<int64_t> axis = std::nullopt, bool keepdims = false);
/// As nanargmax, for the smallest value.
Tensor nanargmin(const Tensor& x, std::optional<int64_t> axis = std::nullopt, bool keepdims = false);

// ---- scans (core/ops/scan.cpp; kernels core/cpu/scan.cpp) -----------------------------
/// No axis: over the flattened x. dtype: x is cast to it first; bool counts as int32.
Tensor cumsum(const Tensor& x, std::optional<int64_t> axis = std::nullopt,
              std::optional<DType> dtype = std::nullopt);
/// Cumulative product along axis (see cumsum).
Tensor cumprod(const Tensor& x, std::optional<int64_t> axis = std::nullopt,
               std::optional<DType> dtype = std::nullopt);
/// NaN counts as 0 (nancumsum) or 1 (nancumprod); infinities stay (Keras also replaces them
/// by the dtype's largest finite value, NumPy does not: the engine follows NumPy).
Tensor nancumsum(const Tensor& x, std::optional<int64_t> axis = std::nullopt,
                 std::optional<DType> dtype = std::nullopt);
/// Cumulative product with NaN counted as 1.
Tensor nancumprod(const Tensor& x, std::optional<int64_t> axis = std::nullopt,
                  std::optional<DType> dtype = std::nullopt);

// ---- quantiles (core/ops/quantile.cpp) -------------------------------------------------
/// q: a scalar or 1-d tensor (or a double) in [0, 1] (percentile: [0, 100]); the result has
/// q's shape in front of the reduced shape. method: "linear", "lower", "higher",
/// "midpoint", "nearest". NaN in a slice gives NaN (the nan* forms skip NaN; an all-NaN
/// slice gives NaN).
Tensor quantile(const Tensor& x, const Tensor& q, const std::vector<int64_t>& axis = {},
                const std::string& method = "linear", bool keepdims = false);
/// The single-q form (a double q): the q's axis is left out.
Tensor quantile(const Tensor& x, double q, const std::vector<int64_t>& axis = {},
                const std::string& method = "linear", bool keepdims = false);
/// quantile ignoring NaN, with a tensor q.
Tensor nanquantile(const Tensor& x, const Tensor& q, const std::vector<int64_t>& axis = {},
                   const std::string& method = "linear", bool keepdims = false);
/// quantile ignoring NaN, with a double q.
Tensor nanquantile(const Tensor& x, double q, const std::vector<int64_t>& axis = {},
                   const std::string& method = "linear", bool keepdims = false);
///@{
/// quantile with q in percent, [0, 100] (keras.ops.percentile).
Tensor percentile(const Tensor& x, const Tensor& q, const std::vector<int64_t>& axis = {},
                  const std::string& method = "linear", bool keepdims = false);
Tensor percentile(const Tensor& x, double q, const std::vector<int64_t>& axis = {},
                  const std::string& method = "linear", bool keepdims = false);
///@}
///@{
/// percentile ignoring NaN.
Tensor nanpercentile(const Tensor& x, const Tensor& q, const std::vector<int64_t>& axis = {},
                     const std::string& method = "linear", bool keepdims = false);
Tensor nanpercentile(const Tensor& x, double q, const std::vector<int64_t>& axis = {},
                     const std::string& method = "linear", bool keepdims = false);
///@}
///@{
/// The 50th percentile (linear), plain and ignoring NaN.
Tensor median(const Tensor& x, const std::vector<int64_t>& axis = {}, bool keepdims = false);
Tensor nanmedian(const Tensor& x, const std::vector<int64_t>& axis = {}, bool keepdims = false);
///@}
/// int32 indices along axis: the kth + 1 smallest first (ascending), then the rest (largest
/// first), as Keras's TensorFlow backend orders them. No axis: of the flattened x.
Tensor argpartition(const Tensor& x, int64_t kth, std::optional<int64_t> axis = -1);

// ---- segment and scatter ops (core/ops/segment.cpp; kernels core/cpu/segment.cpp) -------
/// segment_ids: 1-d int32/int64, one per row of data, in [0, num_segments). No
/// num_segments: max(segment_ids) + 1, read from the values (eager only). Empty segments
/// get 0 (sum), 1 (prod), the dtype's lowest / highest finite value (max / min); with
/// sorted = true (ids must be non-decreasing), empty max / min segments get 0 (tf.math).
Tensor segment_sum(const Tensor& data, const Tensor& segment_ids,
                   std::optional<int64_t> num_segments = std::nullopt, bool sorted = false);
///@{
/// The largest, smallest and product of each segment (see segment_sum for the ids and empty
/// segments).
Tensor segment_max(const Tensor& data, const Tensor& segment_ids,
                   std::optional<int64_t> num_segments = std::nullopt, bool sorted = false);
Tensor segment_min(const Tensor& data, const Tensor& segment_ids,
                   std::optional<int64_t> num_segments = std::nullopt, bool sorted = false);
Tensor segment_prod(const Tensor& data, const Tensor& segment_ids,
                    std::optional<int64_t> num_segments = std::nullopt, bool sorted = false);
///@}
/// tf.scatter_nd: indices (..., k) int32/int64 address the first k axes of `shape`;
/// values (..., *shape[k:]); duplicates add up.
Tensor scatter(const Tensor& indices, const Tensor& values, const std::vector<int64_t>& shape);
/// tf.tensor_scatter_nd_update (duplicates: the last update wins) or, with reduction
/// "add", "max", "min", "mul", the tensor_scatter_nd_* form.
Tensor scatter_update(const Tensor& inputs, const Tensor& indices, const Tensor& updates,
                      const std::string& reduction = "");
/// inputs with updates written at start_indices (one per axis; clamped so that updates
/// fit, as XLA's dynamic_update_slice).
Tensor slice_update(const Tensor& inputs, const std::vector<int64_t>& start_indices,
                    const Tensor& updates);

// ---- search and sets (core/ops/search.cpp) ----------------------------------------------
/// int32 positions in a 1-d sorted_sequence where values would be inserted.
Tensor searchsorted(const Tensor& sorted_sequence, const Tensor& values,
                    const std::string& side = "left");
/// int32 bucket of each x among increasing bins: i with bins[i-1] <= x < bins[i].
Tensor digitize(const Tensor& x, const std::vector<double>& bins);
/// bool: whether each element of x1 is in x2 (invert: is not).
Tensor isin(const Tensor& x1, const Tensor& x2, bool assume_unique = false, bool invert = false);
/// Options of unique (keras.ops.unique / numpy.unique).
struct UniqueOptions {
  bool sorted = true;  ///< false: in order of first appearance
  ///@{
  /// Which of Unique's index, inverse and counts tensors to compute.
  bool return_index = false, return_inverse = false, return_counts = false;
  ///@}
  std::optional<int64_t> axis = std::nullopt;  ///< unique slices along axis; none: flattened
  std::optional<int64_t> size = std::nullopt;  ///< pad (fill_value) or cut to this length
  /// The value padding up to `size`.
  double fill_value = 0.0;
};
/// What unique returns.
struct Unique {
  Tensor values, indices, inverse, counts;  ///< the last three when asked for (int32)
};
/** @var Unique::values
    The unique values (sorted unless UniqueOptions::sorted is false).
    @var Unique::indices
    The index in x of each unique value's first occurrence (return_index).
    @var Unique::inverse
    For each element of x, the index of its value in `values` (return_inverse). */
Unique unique(const Tensor& x, const UniqueOptions& o = {});  ///< eager only
/// Counts of each value of x (rank 1, or rank 2 counted per row) of non-negative integers;
/// length max(max(x) + 1, minlength) (eager only). int32, or weights' dtype when given.
Tensor bincount(const Tensor& x, const Tensor& weights = {}, int64_t minlength = 0,
                bool sparse = false);
/// What histogram returns: bins counts and bins + 1 edges.
struct Histogram {
  Tensor counts, bin_edges;  ///< in x's dtype, as Keras
};
/** @var Histogram::counts
    The number of values in each bin. */
/// range: (min, max); values outside are not counted. Default: x's min and max.
Histogram histogram(const Tensor& x, int64_t bins = 10,
                    std::optional<std::pair<double, double>> range = std::nullopt);
/// The int32 indices of the non-zero elements, one tensor per axis (eager only).
std::vector<Tensor> nonzero(const Tensor& x);

// ---- statistics and signals (core/ops/stats.cpp) -----------------------------------------
/// The trapezoid rule along axis, with sample points x (y's length along axis) or spacing dx.
Tensor trapezoid(const Tensor& y, const Tensor& x = {}, double dx = 1.0, int64_t axis = -1);
/// Pearson correlation coefficients of the rows of a 1-d or 2-d x, clipped to [-1, 1].
Tensor corrcoef(const Tensor& x);
/// Cross-correlation of two 1-d tensors; mode "valid", "same" or "full".
Tensor correlate(const Tensor& x1, const Tensor& x2, const std::string& mode = "valid");
/// Euclidean distances between the rows of x (..., M, D) and y (..., N, D): (..., M, N).
Tensor cdist(const Tensor& x, const Tensor& y);
/// log(det(x)) of a positive-definite x (..., M, M), through its Cholesky factor.
Tensor logdet(const Tensor& x);

}  // namespace keras::core::ops
