// ops_numpy.h - Keras 3's keras.ops NumPy surface for creation, shape manipulation,
// indexing and the tensor-introspection names (keras.ops.numpy / keras.ops.core).
// Included by core/ops.h. All of these are compositions of the engine's primitive ops
// (core/ops/numpy_*.cpp), so they differentiate (to any order) and trace.
//
// Dtypes follow keras.ops (TensorFlow backend): where two inputs meet (append,
// concatenate, the stacks, kron, dot, inner, vdot, cross, select) they are promoted to
// Keras's result type, bool < uint8 < int32 < int64 < float32 < float64 (so int64 with
// float32 gives float32, as keras.backend.result_type). Axes may be negative. Bad
// arguments raise std::invalid_argument naming the op, what it expected and what it got.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/autodiff.h"
#include "core/tensor.h"

namespace keras::core::ops {

/// keras.ops.stop_gradient / custom_gradient are the engine's (core/autodiff.h).
using core::custom_gradient;
using core::stop_gradient;
using core::Ellipsis;
using core::NewAxis;
using core::None;
using core::Slice;

/// Keras's result dtype of two dtypes (keras.backend.result_type over the six dtypes).
DType keras_result_type(DType a, DType b);
/// The dtype Keras's sum-like reductions (trace, nansum, nanprod) give for inputs of dtype d:
/// int32 for bool, int8 and int16; uint32 for uint8 and uint16; d otherwise.
DType keras_sum_dtype(DType d);

// ---- creation ------------------------------------------------------------------------
/// A number that remembers whether it was written as an integer (Python's 3 vs 3.0):
/// arange's dtype follows it.
struct Number {
  /// Implicit from any arithmetic value; integer types mark it integral.
  template <class T>
    requires std::is_arithmetic_v<T>
  Number(T v) : value(static_cast<double>(v)), integral(std::is_integral_v<T>) {}  // NOLINT
  /// The value.
  double value;
  /// Whether it was given as an integer type.
  bool integral;
};
/// keras.ops.arange(start, stop=None, step=1, dtype=None): arange(5) is [0, 5); int32 when
/// every argument is an integer, float32 otherwise, or `dtype`.
Tensor arange(Number start, std::optional<Number> stop = std::nullopt, Number step = 1,
              std::optional<DType> dtype = std::nullopt);
/// keras.ops.array / convert_to_tensor: a tensor of x's values, cast to dtype if given
/// (the same tensor when nothing changes: tensors are immutable values).
Tensor array(const Tensor& x, std::optional<DType> dtype = std::nullopt);
/// The same as array (keras.ops.convert_to_tensor).
Tensor convert_to_tensor(const Tensor& x, std::optional<DType> dtype = std::nullopt);
/// keras.ops.full(shape, fill_value, dtype=None): float32 unless dtype is given.
Tensor full(const Shape& shape, double fill_value, std::optional<DType> dtype = std::nullopt);
/// keras.ops.empty / empty_like: zero-filled (TensorFlow's backend does the same).
Tensor empty(const Shape& shape, std::optional<DType> dtype = std::nullopt);
/// Zeros with x's shape, in x's dtype or `dtype`.
Tensor empty_like(const Tensor& x, std::optional<DType> dtype = std::nullopt);
/// The same values (keras.ops.copy).
Tensor copy(const Tensor& x);
/// keras.ops.identity(n, dtype=None): the n x n identity matrix (float32).
Tensor identity(int64_t n, std::optional<DType> dtype = std::nullopt);
/// The options logspace and geomspace share.
struct SpaceOptions {
  /// Whether `stop` is the last sample.
  bool endpoint = true;
  /// The output's dtype.
  std::optional<DType> dtype = std::nullopt;
};
/// keras.ops.logspace(start, stop, num=50, endpoint=True, base=10, dtype=None) and
/// geomspace(start, stop, num=50, endpoint=True, dtype=None), with scalar bounds (Keras's
/// axis argument only places the samples of tensor bounds, which these do not take).
Tensor logspace(double start, double stop, int64_t num = 50, double base = 10.0,
                const SpaceOptions& o = {});
/// See logspace: samples spaced evenly on a log scale between start and stop themselves.
Tensor geomspace(double start, double stop, int64_t num = 50, const SpaceOptions& o = {});
/// tri(N, M=None, k=0, dtype=None): ones at and below diagonal k (float32).
Tensor tri(int64_t N, std::optional<int64_t> M = std::nullopt, int64_t k = 0,
           std::optional<DType> dtype = std::nullopt);
/// The lower / upper triangle (at and below / above diagonal k) of x's last two axes.
Tensor tril(const Tensor& x, int64_t k = 0);
/// The upper triangle (see tril).
Tensor triu(const Tensor& x, int64_t k = 0);
/// The square matrix with the flattened x on diagonal k.
Tensor diagflat(const Tensor& x, int64_t k = 0);
/// Columns x^(N-1), ..., x^0 of a 1-d x (increasing: x^0 first); N defaults to len(x).
Tensor vander(const Tensor& x, std::optional<int64_t> N = std::nullopt, bool increasing = false);
/// Window functions of length M (NumPy's formulas), float32 like keras.ops.
Tensor bartlett(int64_t M);
///@{
/// The Blackman, Hamming, Hann and Kaiser (shape beta) windows (see bartlett).
Tensor blackman(int64_t M);
Tensor hamming(int64_t M);
Tensor hanning(int64_t M);
Tensor kaiser(int64_t M, double beta);
///@}

// ---- shape manipulation ----------------------------------------------------------------
/// n-th discrete difference along axis (bool: not_equal, as NumPy's xor).
Tensor diff(const Tensor& a, int64_t n = 1, int64_t axis = -1);
/// Rolls elements by shift along axis; axis none: over the flattened tensor.
Tensor roll(const Tensor& x, int64_t shift, std::optional<int64_t> axis = std::nullopt);
/// Rolls by several shifts along several axes (one shift per axis).
Tensor roll(const Tensor& x, const std::vector<int64_t>& shift, const std::vector<int64_t>& axis);
/// Reverses axes (none: every axis).
Tensor flip(const Tensor& x);
/// Reverses one axis.
Tensor flip(const Tensor& x, int64_t axis);
/// Reverses the given axes.
Tensor flip(const Tensor& x, const std::vector<int64_t>& axis);
///@{
/// Reverses axis 1 (left-right) / axis 0 (up-down).
Tensor fliplr(const Tensor& x);
Tensor flipud(const Tensor& x);
///@}
/// Rotates by 90 degrees k times in the plane of axes (from the first toward the second).
Tensor rot90(const Tensor& array, int64_t k = 1, std::pair<int64_t, int64_t> axes = {0, 1});
/// Repeats each element `repeats` times along axis (none: of the flattened x), or element i
/// repeats[i] times.
Tensor repeat(const Tensor& x, int64_t repeats, std::optional<int64_t> axis = std::nullopt);
/// The per-element form: element i repeats repeats[i] times.
Tensor repeat(const Tensor& x, const std::vector<int64_t>& repeats,
              std::optional<int64_t> axis = std::nullopt);
/// Kronecker product (the ranks are aligned by leading ones).
Tensor kron(const Tensor& x1, const Tensor& x2);
/// Coordinate matrices of 1-d vectors; indexing "xy" (Cartesian: the first two outputs'
/// axes swapped) or "ij" (matrix).
std::vector<Tensor> meshgrid(const std::vector<Tensor>& x, const std::string& indexing = "xy");
/// Moves axes `source` to positions `destination` (keras.ops.moveaxis); the others keep
/// their order.
Tensor moveaxis(const Tensor& x, const std::vector<int64_t>& source,
                const std::vector<int64_t>& destination);
/// Moves one axis.
Tensor moveaxis(const Tensor& x, int64_t source, int64_t destination);
/// Swaps two axes (keras.ops.swapaxes).
Tensor swapaxes(const Tensor& x, int64_t axis1, int64_t axis2);
/// The flattened x (rank 1).
Tensor ravel(const Tensor& x);
/// keras.ops.split(x, indices_or_sections, axis=0): an int splits into that many equal
/// parts (it must divide the axis); a list gives the split points, increasing and within
/// the axis (Keras's TensorFlow backend; NumPy would also take unsorted points). (The
/// engine's former sizes form is ops::split_sizes, TensorFlow's tf.split.)
std::vector<Tensor> split(const Tensor& x, int64_t indices_or_sections, int64_t axis = 0);
/// Splits at the given increasing points along axis.
std::vector<Tensor> split(const Tensor& x, const std::vector<int64_t>& indices, int64_t axis = 0);
/// tf.split's form: parts of the given sizes (one may be -1: the rest).
std::vector<Tensor> split_sizes(const Tensor& x, const std::vector<int64_t>& sizes, int64_t axis = 0);
/// As split into sections, but they need not divide the axis (the first ones are one
/// longer). An int only, as Keras's TensorFlow backend.
std::vector<Tensor> array_split(const Tensor& x, int64_t indices_or_sections, int64_t axis = 0);
/// split along axis 1 (axis 0 for 1-d x), 0 and 2.
std::vector<Tensor> hsplit(const Tensor& x, int64_t indices_or_sections);
/// hsplit at the given points.
std::vector<Tensor> hsplit(const Tensor& x, const std::vector<int64_t>& indices);
///@{
/// vsplit: split along axis 0 (into sections, or at points).
std::vector<Tensor> vsplit(const Tensor& x, int64_t indices_or_sections);
std::vector<Tensor> vsplit(const Tensor& x, const std::vector<int64_t>& indices);
///@}
///@{
/// dsplit: split along axis 2 (into sections, or at points).
std::vector<Tensor> dsplit(const Tensor& x, int64_t indices_or_sections);
std::vector<Tensor> dsplit(const Tensor& x, const std::vector<int64_t>& indices);
///@}
/// keras.ops.concatenate(xs, axis=0): concat with Keras's dtype promotion.
Tensor concatenate(const std::vector<Tensor>& xs, int64_t axis = 0);
/// As Keras's TensorFlow backend: hstack concatenates along axis 1 (axis 0 when the first
/// input is 1-d), vstack along axis 0 (no atleast_2d, unlike NumPy), dstack along axis 2
/// after NumPy's atleast_3d.
Tensor hstack(const std::vector<Tensor>& xs);
/// vstack (see hstack).
Tensor vstack(const std::vector<Tensor>& xs);
/// dstack (see hstack).
Tensor dstack(const std::vector<Tensor>& xs);
/// append(x1, x2, axis=None): none flattens both.
Tensor append(const Tensor& x1, const Tensor& x2, std::optional<int64_t> axis = std::nullopt);
/// pad with mode "constant" (constant_values, default 0), "reflect" or "symmetric" (the
/// modes of Keras's TensorFlow backend), composed of slices and concatenations.
Tensor pad(const Tensor& x, const std::vector<std::pair<int64_t, int64_t>>& pad_width,
           const std::string& mode, std::optional<double> constant_values = std::nullopt);

// ---- indexing ------------------------------------------------------------------------
/// take(x, indices, axis=None): elements of the flattened x (axis none) or along axis;
/// negative indices count from the end; out-of-range ones raise.
Tensor take(const Tensor& x, const Tensor& indices, std::optional<int64_t> axis = std::nullopt);
/// select(condlist, choicelist, default=0): from the first true condition's choice.
Tensor select(const std::vector<Tensor>& condlist, const std::vector<Tensor>& choicelist,
              double default_ = 0.0);
/// unravel_index(indices, shape): one tensor of coordinates per axis of shape (indices'
/// dtype).
std::vector<Tensor> unravel_index(const Tensor& indices, const std::vector<int64_t>& shape);
/// Python's x[key] (keras.ops.get_item): integers (negative from the end; out of range
/// raises std::out_of_range), Slice, NewAxis / None, Ellipsis, at most one int tensor
/// (indices along its axis, gathered) or one bool tensor (a mask over as many axes as it
/// has, which become one axis of the selected elements; eager only, as the result's shape
/// depends on the mask's values: inside a traced function it raises).
Tensor get_item(const Tensor& x, const std::vector<Index>& key);
/// The braced form: get_item(x, {Slice(1, None), 0}).
Tensor get_item(const Tensor& x, std::initializer_list<Index> key);
/// One item: get_item(x, 2).
Tensor get_item(const Tensor& x, const Index& key);
/// einops's rearrange(tensor, pattern, **axes_lengths): "b h w c -> b (h w) c",
/// "b (h p) w -> b h p w" with axes_lengths {{"p", 2}}; composed of reshape and transpose.
Tensor rearrange(const Tensor& tensor, const std::string& pattern,
                 const std::vector<std::pair<std::string, int64_t>>& axes_lengths = {});

// ---- products ------------------------------------------------------------------------
Tensor inner(const Tensor& x1, const Tensor& x2);  ///< sums over the last axes
Tensor dot(const Tensor& x1, const Tensor& x2);    ///< numpy.dot
Tensor vdot(const Tensor& x1, const Tensor& x2);   ///< of the flattened inputs
/// Options of cross (numpy.cross's axis arguments).
struct CrossOptions {
  ///@{
  /// The vector axes of x1, x2 and the result (negative counts from the end).
  int64_t axisa = -1, axisb = -1, axisc = -1;
  ///@}
  std::optional<int64_t> axis = std::nullopt;  ///< overrides the three
};
/// Cross product of vectors of 3 (or 2: the z component) along the given axes.
Tensor cross(const Tensor& x1, const Tensor& x2, const CrossOptions& o = {});

// ---- tensors and dtypes ----------------------------------------------------------------
/// The number of dimensions (keras.ops.ndim).
int64_t ndim(const Tensor& x);
/// The dimensions (keras.ops.shape).
std::vector<int64_t> shape(const Tensor& x);
std::string dtype(const Tensor& x);  ///< "float32", ...
/// keras.ops.convert_to_numpy: C++ has no NumPy; the nearest is the values in row-major
/// order (Tensor::to_vector<T>(), T matching the dtype) with the shape beside them.
template <class T>
std::vector<T> convert_to_numpy(const Tensor& x) {
  return x.to_vector<T>();
}
/// Every keras::Tensor is a tensor (an undefined handle is not).
bool is_tensor(const Tensor& x);
/// A cast that clips values to the target dtype's range first (tf.dtypes.saturate_cast).
Tensor saturate_cast(const Tensor& x, DType dtype);
/// The same bits read as dtype (numpy view, tf.bitcast): the last axis is split or merged
/// by the ratio of the item sizes. Eager only.
Tensor view(const Tensor& x, DType dtype);

}  // namespace keras::core::ops
