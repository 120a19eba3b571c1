// ops.h - the engine's operations (Keras 3's `keras.ops` / TensorFlow's tf.math & co).
// Every function checks its arguments and raises std::invalid_argument naming the op,
// what it expected and what it got (shapes, dtypes, indices).
#pragma once
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/tensor.h"

namespace keras::core::ops {

/// A list of axes (negative counts from the end); empty means every axis where the op says
/// so.
using Axes = std::vector<int64_t>;

// ---- creation -----------------------------------------------------------------------
/// A tensor of zeros (keras.ops.zeros).
Tensor zeros(const Shape& shape, DType dtype = DType::float32);
/// A tensor of ones (keras.ops.ones).
Tensor ones(const Shape& shape, DType dtype = DType::float32);
/// value must be exact in dtype (see scalar_like), else ConversionError.
Tensor fill(const Shape& shape, double value, DType dtype = DType::float32);
/// Zeros with t's shape and dtype.
Tensor zeros_like(const Tensor& t);
/// Ones with t's shape and dtype.
Tensor ones_like(const Tensor& t);
/// `value` with t's shape and dtype; ConversionError when not exact in it.
Tensor full_like(const Tensor& t, double value);
/// The number of elements of x (TensorFlow's tf.size), or the product of its dimensions
/// `axes`, as a scalar of `dtype` computed when the op runs: a traced graph that divides
/// by it serves every batch size.
Tensor size(const Tensor& x, DType dtype = DType::int32, const std::vector<int64_t>& axes = {});
/// range(limit) and range(start, limit, delta): int32 for integral arguments, float32
/// otherwise (TensorFlow's tf.range); or an explicit dtype.
Tensor range(int64_t limit);
/// Integers from start to limit (exclusive) by delta (int32); delta 0 raises
/// std::invalid_argument.
Tensor range(int64_t start, int64_t limit, int64_t delta = 1);
/// Floats from start to limit (exclusive) by delta, in `dtype`.
Tensor range(double start, double limit, double delta, DType dtype = DType::float32);
/// Integer arguments of any integral type (`range(2, 10, 3)`) take the int32 overload
/// instead of being ambiguous between the two above.
template <class A, class B, class C = int64_t>
  requires(std::is_integral_v<A> && std::is_integral_v<B> && std::is_integral_v<C>)
Tensor range(A start, B limit, C delta = 1) {
  return range(static_cast<int64_t>(start), static_cast<int64_t>(limit),
               static_cast<int64_t>(delta));
}
/// `num` evenly spaced values from start to stop inclusive (keras.ops.linspace).
Tensor linspace(double start, double stop, int64_t num, DType dtype = DType::float32);
/// The identity matrix (rows x cols, cols defaulting to rows), as keras.ops.eye.
Tensor eye(int64_t rows, std::optional<int64_t> cols = std::nullopt,
           DType dtype = DType::float32);
/// Options of one_hot (keras.ops.one_hot / tf.one_hot).
struct OneHotOptions {
  ///@{
  /// The values written at the index (on_value) and everywhere else (off_value).
  double on_value = 1.0, off_value = 0.0;
  ///@}
  /// Where the new axis of size depth goes (-1: last).
  int64_t axis = -1;
  /// The output's dtype.
  DType dtype = DType::float32;
};
/// Indices outside [0, depth) give an all-off row (TensorFlow's rule).
Tensor one_hot(const Tensor& indices, int64_t depth, const OneHotOptions& o = {});

// ---- random numbers (counter-based Philox: identical for any thread count) ---------
/// seed < 0 draws a fresh seed from the global generator (set_random_seed).
/// With a seed >= 0 and a `counter` (an int64 scalar tensor), the op's seed is derived
/// from (seed, counter) when the op runs (a stateless random op, as TensorFlow's
/// stateless_random_*): a layer that advances a counter variable gets new numbers at every
/// run of a traced graph, reproducibly.
struct RandomOptions {
  ///@{
  /// Bounds [minval, maxval) of random_uniform.
  double minval = 0.0, maxval = 1.0;  ///< uniform
  ///@}
  ///@{
  /// Mean and standard deviation of random_normal and truncated_normal.
  double mean = 0.0, stddev = 1.0;    ///< normal, truncated normal
  ///@}
  /// The output's dtype.
  DType dtype = DType::float32;
  /// The op's seed; < 0 draws one from the global generator.
  int64_t seed = -1;
  /// With a seed: an int64 scalar tensor mixed into the seed when the op runs (stateless
  /// random ops).
  Tensor counter{};
  /// With a counter: a tensor of the requested shape whose shape the op reads when it
  /// runs, so that a traced graph serves every batch size (layers pass their input).
  Tensor shape_like{};
};
/// Uniform values in [minval, maxval) (keras.random.uniform).
Tensor random_uniform(const Shape& shape, const RandomOptions& o = {});
/// Normal values of mean and stddev (keras.random.normal).
Tensor random_normal(const Shape& shape, const RandomOptions& o = {});
/// Values beyond two standard deviations are redrawn.
Tensor truncated_normal(const Shape& shape, const RandomOptions& o = {});
/// Seeds the global generator (keras.utils.set_random_seed / tf.random.set_seed): unseeded
/// random ops then give the same draws in every run.
void set_random_seed(uint64_t seed);
/// Forgets the global seed, as in a fresh process: unseeded random ops draw from the
/// system's entropy again (and raise while op determinism is on).
void unset_random_seed();
/// The global generator's state (seeding it first when unseeded):
/// set_random_seed(random_generator_state()) later resumes the same sequence of drawn
/// seeds (checkpoints that resume training save it).
uint64_t random_generator_state();

// ---- elementwise unary ---------------------------------------------------------------
///@{
/// Elementwise math, as keras.ops of the same names (neg is negative): float results for
/// float inputs; the activations (relu, gelu, ...) as keras.ops.nn / keras.activations with
/// Keras's default arguments.
Tensor neg(const Tensor& x);
Tensor abs(const Tensor& x);
Tensor sign(const Tensor& x);
Tensor exp(const Tensor& x);
Tensor expm1(const Tensor& x);
Tensor log(const Tensor& x);
Tensor log1p(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor rsqrt(const Tensor& x);
Tensor square(const Tensor& x);
Tensor reciprocal(const Tensor& x);
Tensor sin(const Tensor& x);
Tensor cos(const Tensor& x);
Tensor tanh(const Tensor& x);
Tensor sigmoid(const Tensor& x);
Tensor relu(const Tensor& x);
Tensor relu6(const Tensor& x);
Tensor leaky_relu(const Tensor& x, double negative_slope = 0.2);
Tensor elu(const Tensor& x, double alpha = 1.0);
Tensor selu(const Tensor& x);
Tensor gelu(const Tensor& x, bool approximate = true);
Tensor silu(const Tensor& x);
Tensor softplus(const Tensor& x);
Tensor softsign(const Tensor& x);
Tensor floor(const Tensor& x);
Tensor ceil(const Tensor& x);
///@}
Tensor round(const Tensor& x);  ///< half to even, as tf.round
/// bool: true where x is NaN.
Tensor isnan(const Tensor& x);
/// bool: true where x is neither NaN nor infinite.
Tensor isfinite(const Tensor& x);
/// Logical not of a bool tensor.
Tensor logical_not(const Tensor& x);
/// Converts to `dtype` (keras.ops.cast): float to integer saturates (NaN gives 0); bool is value != 0.
Tensor cast(const Tensor& x, DType dtype);
/// cast that raises ConversionError naming the first value dtype cannot hold exactly
/// (2.5, NaN or inf to an integer dtype, 300 to uint8) instead of truncating or wrapping.
/// Checked when the op runs, so it works inside traced functions (Embedding's ids).
Tensor cast_exact(const Tensor& x, DType dtype);

// ---- elementwise binary (NumPy broadcasting, equal dtypes) ---------------------------
///@{
/// Elementwise a + b, a - b, a * b with NumPy broadcasting; dtypes must be equal
/// (std::invalid_argument naming both otherwise).
Tensor add(const Tensor& a, const Tensor& b);
Tensor subtract(const Tensor& a, const Tensor& b);
Tensor multiply(const Tensor& a, const Tensor& b);
///@}
/// True division: integer inputs give float64 (int32/int64) or float32 (uint8), as TF.
Tensor divide(const Tensor& a, const Tensor& b);
Tensor floor_divide(const Tensor& a, const Tensor& b);  ///< integer division by 0 throws
Tensor mod(const Tensor& a, const Tensor& b);           ///< result has the divisor's sign
/// Elementwise a ** b (keras.ops.power).
Tensor power(const Tensor& a, const Tensor& b);
///@{
/// Elementwise larger / smaller of a and b.
Tensor maximum(const Tensor& a, const Tensor& b);
Tensor minimum(const Tensor& a, const Tensor& b);
///@}
/// (a - b)^2 elementwise (tf.math.squared_difference).
Tensor squared_difference(const Tensor& a, const Tensor& b);
///@{
/// Elementwise comparisons giving bool (keras.ops.equal, not_equal, less, less_equal,
/// greater, greater_equal); broadcasting, equal dtypes.
Tensor equal(const Tensor& a, const Tensor& b);
Tensor not_equal(const Tensor& a, const Tensor& b);
Tensor less(const Tensor& a, const Tensor& b);
Tensor less_equal(const Tensor& a, const Tensor& b);
Tensor greater(const Tensor& a, const Tensor& b);
Tensor greater_equal(const Tensor& a, const Tensor& b);
///@}
///@{
/// Elementwise logical and / or of bool tensors.
Tensor logical_and(const Tensor& a, const Tensor& b);
Tensor logical_or(const Tensor& a, const Tensor& b);
///@}
/// Elementwise choice: x where condition (bool) is true, else y; the three broadcast
/// together (keras.ops.where).
Tensor where(const Tensor& condition, const Tensor& x, const Tensor& y);
/// Bounds the dtype cannot hold exactly throw ConversionError (clip of int32 by 0.5). NaN
/// in x stays NaN.
Tensor clip(const Tensor& x, double min_value, double max_value);
/// A scalar tensor holding `value` in t's dtype (how scalar operands are converted).
/// A value the dtype cannot hold exactly (2.5 or NaN for int32, 300 for uint8) throws
/// ConversionError naming `what` (TensorFlow: "Cannot convert 2.5 to EagerTensor of dtype
/// int32"); integral values in range are accepted (x * 2.0 on int32).
Tensor scalar_like(const Tensor& t, double value, const char* what = "scalar_like");

// ---- reductions: axes empty = all axes; negative axes count from the end -------------
///@{
/// Reductions over `axes` (empty: all), as keras.ops.sum, mean, max, min, prod, all, any,
/// logsumexp, var, std; keepdims keeps the reduced axes with size 1. all and any take and
/// give bool.
Tensor sum(const Tensor& x, const Axes& axes = {}, bool keepdims = false);
Tensor mean(const Tensor& x, const Axes& axes = {}, bool keepdims = false);
Tensor max(const Tensor& x, const Axes& axes = {}, bool keepdims = false);
Tensor min(const Tensor& x, const Axes& axes = {}, bool keepdims = false);
Tensor prod(const Tensor& x, const Axes& axes = {}, bool keepdims = false);
Tensor all(const Tensor& x, const Axes& axes = {}, bool keepdims = false);
Tensor any(const Tensor& x, const Axes& axes = {}, bool keepdims = false);
Tensor logsumexp(const Tensor& x, const Axes& axes = {}, bool keepdims = false);
Tensor variance(const Tensor& x, const Axes& axes = {}, bool keepdims = false);
Tensor std(const Tensor& x, const Axes& axes = {}, bool keepdims = false);
///@}
///@{
/// Index of the largest / smallest value along `axis`, as
/// keras.ops.argmax / argmin.
Tensor argmax(const Tensor& x, int64_t axis = -1, DType index_dtype = DType::int64);
Tensor argmin(const Tensor& x, int64_t axis = -1, DType index_dtype = DType::int64);
///@}

// ---- linear algebra ------------------------------------------------------------------
/// a: (..., M, K), b: (..., K, N) (after the optional transposes of the last two axes);
/// batch axes broadcast. Rank-1 operands follow NumPy (a vector is a row / a column).
Tensor matmul(const Tensor& a, const Tensor& b, bool transpose_a = false,
              bool transpose_b = false);
/// Contracts a's axes_a with b's axes_b (tf.tensordot).
Tensor tensordot(const Tensor& a, const Tensor& b, const Axes& axes_a, const Axes& axes_b);
/// The last n_axes of a contracted with the first n_axes of b (tf.tensordot with an
/// integer).
Tensor tensordot(const Tensor& a, const Tensor& b, int64_t n_axes);
/// numpy.einsum / keras.ops.einsum: "ij,jk->ik", implicit output ("ij,jk"), '...'
/// broadcast axes ("...ij,...jk->...ik"), any number of operands; composed of transpose,
/// reshape and batched matmul (core/ops/einsum.cpp). A letter repeated within one operand
/// (a diagonal, "ii->i") raises std::invalid_argument: take ops::diagonal first.
Tensor einsum(const std::string& equation, const std::vector<Tensor>& operands);
/// The two-operand form.
Tensor einsum(const std::string& equation, const Tensor& a, const Tensor& b);
/// matmul(a, b) [+ bias] [then relu] in one kernel (TensorFlow's _FusedMatMul): a and b of
/// rank 2, bias (N,) or undefined. Traced functions make it from such chains themselves.
Tensor fused_matmul(const Tensor& a, const Tensor& b, const Tensor& bias = {}, bool relu = false,
                    bool transpose_a = false, bool transpose_b = false);

// ---- shapes and data movement ----------------------------------------------------------
Tensor reshape(const Tensor& x, const std::vector<int64_t>& shape);  ///< one -1 allowed
/// x with the shape `like` has when the op runs (same element count): in a traced graph it
/// follows the batch size, where reshape(x, like.shape().dims()) would freeze it.
Tensor reshape_like(const Tensor& x, const Tensor& like);
Tensor transpose(const Tensor& x, const Axes& perm = {});            ///< empty = reverse
/// Inserts an axis of size 1 at `axis` (a view).
Tensor expand_dims(const Tensor& x, int64_t axis);
Tensor squeeze(const Tensor& x, const Axes& axes = {});  ///< empty = every size-1 axis
/// Joins tensors along an existing axis (keras.ops.concatenate); dtypes and other
/// dimensions must match.
Tensor concat(const std::vector<Tensor>& xs, int64_t axis = 0);
/// Joins tensors along a new axis (keras.ops.stack); shapes must be equal.
Tensor stack(const std::vector<Tensor>& xs, int64_t axis = 0);
/// Splits x along `axis` into its slices (keras.ops.unstack).
std::vector<Tensor> unstack(const Tensor& x, int64_t axis = 0);
/// split and split_sizes: core/ops_numpy.h.
/// tf.slice: size -1 means "to the end".
Tensor slice(const Tensor& x, const std::vector<int64_t>& begin, const std::vector<int64_t>& size);
/// Python-style x[b0:e0:s0, ...]: negative indices count from the end, out-of-range
/// bounds are clamped, strides may be negative, missing trailing axes are taken whole.
Tensor strided_slice(const Tensor& x, const std::vector<int64_t>& begin,
                     const std::vector<int64_t>& end, const std::vector<int64_t>& strides = {});
/// tf.gather: out-of-range indices throw std::invalid_argument naming the index.
Tensor gather(const Tensor& params, const Tensor& indices, int64_t axis = 0);
/// numpy.take_along_axis (indices: x's shape except along axis); negative indices count
/// from the end, indices outside [-n, n) throw.
Tensor take_along_axis(const Tensor& x, const Tensor& indices, int64_t axis);
/// tf.math.unsorted_segment_sum for 1-d ids: out[s, ...] = sum of data[i, ...] over the
/// i with segment_ids[i] == s; out has num_segments rows. ids outside [0, num_segments)
/// raise. (The gradient of gather.)
Tensor unsorted_segment_sum(const Tensor& data, const Tensor& segment_ids, int64_t num_segments);
/// Repeats x `multiples[i]` times along axis i (keras.ops.tile).
Tensor tile(const Tensor& x, const std::vector<int64_t>& multiples);
/// x broadcast to `shape` (NumPy rules; std::invalid_argument when incompatible).
Tensor broadcast_to(const Tensor& x, const Shape& shape);
/// x broadcast to the shape `like` has when the op runs (see reshape_like).
Tensor broadcast_like(const Tensor& x, const Tensor& like);
/// paddings: one {before, after} pair per axis.
Tensor pad(const Tensor& x, const std::vector<std::pair<int64_t, int64_t>>& paddings,
           double constant_value = 0.0);
/// x with the order along `axes` reversed (keras.ops.flip).
Tensor reverse(const Tensor& x, const Axes& axes);
/// x sorted along `axis`.
Tensor sort(const Tensor& x, int64_t axis = -1, bool descending = false);
Tensor argsort(const Tensor& x, int64_t axis = -1, bool descending = false);  ///< int32, stable
/// What top_k returns: the k largest values and their int32 indices.
struct TopK { Tensor values, indices; };
/** @var TopK::values
    The k largest values along the last axis (sorted when asked).
    @var TopK::indices
    Their int32 indices along the last axis. */
TopK top_k(const Tensor& x, int64_t k, bool sorted = true);  ///< along the last axis

// ---- neural networks -------------------------------------------------------------------
/// softmax along `axis` (keras.ops.softmax), computed stably (max subtracted).
Tensor softmax(const Tensor& logits, int64_t axis = -1);
/// log(softmax) along `axis`, computed stably.
Tensor log_softmax(const Tensor& logits, int64_t axis = -1);
/// Per-example losses, shape = labels' shape. labels: int32/int64 class ids in
/// [0, classes) (others throw, naming the label); logits: (..., classes).
Tensor sparse_softmax_cross_entropy_with_logits(const Tensor& labels, const Tensor& logits);
/// labels: probabilities with logits' shape; the class axis is the last.
Tensor softmax_cross_entropy_with_logits(const Tensor& labels, const Tensor& logits);
/// The CTC loss per sample as Keras 3's keras.ops.ctc_loss, -log p(target |
/// softmax(output)), shape (batch,): target (batch, max_label) int32/int64, the first
/// target_length[i] of row i used (in [0, classes), not mask_index, the blank); output
/// (batch, steps, classes) float logits, of which the first output_length[i] steps of
/// sample i count; +inf where no alignment fits. Gradients are exact to second order
/// (core/ops/ctc.cpp).
Tensor ctc_loss(const Tensor& target, const Tensor& output, const Tensor& target_length,
                const Tensor& output_length, int64_t mask_index = 0);


// ---- convolution and pooling (core/ops/conv.cpp) ---------------------------------------
/// Keras 3's keras.ops.conv / max_pool / average_pool, channels_last only: inputs
/// (batch, *spatial, channels) with 1 to 3 spatial axes, kernels (*kernel_size,
/// in_channels / groups, filters) as Keras stores them; groups = channels / the kernel's
/// in_channels. padding: "valid", "same" (TensorFlow's split: the odd cell goes after) or
/// "causal" (1 spatial axis: everything before). float32 (oneDNN) and float64.
/// A spatial argument is one value for every spatial axis (2) or one per axis ({2, 1}).
struct SpatialArg {
  /// The values.
  std::vector<int64_t> v;
  ///@{
  /// Implicit from one value or a list of values.
  SpatialArg(int64_t x) : v{x} {}  // NOLINT: implicit, as Keras's ints
  SpatialArg(std::initializer_list<int64_t> xs) : v(xs) {}
  SpatialArg(std::vector<int64_t> xs) : v(std::move(xs)) {}  // NOLINT
  ///@}
};
/// keras.ops.conv: inputs (batch, *spatial, in_channels), kernel (*kernel_size, in_channels
/// / groups, filters); strides, padding, dilation_rate as Keras. data_format
/// "channels_first" takes and gives (batch, channels, *spatial) (the kernel's layout is the
/// same; the op runs between transposes), as the pools and the other convolutions.
Tensor conv(const Tensor& inputs, const Tensor& kernel, const SpatialArg& strides = 1,
            const std::string& padding = "valid", const std::string& data_format = "channels_last",
            const SpatialArg& dilation_rate = 1);
/// conv(inputs, kernel) [+ bias (filters,)] [then relu] in one kernel (TensorFlow's
/// _FusedConv2D; for float32 one oneDNN primitive with post-ops); the other arguments as
/// conv's. Traced functions make it from conv -> add(bias) -> relu chains themselves.
Tensor fused_conv(const Tensor& inputs, const Tensor& kernel, const Tensor& bias = {}, bool relu = false,
                  const SpatialArg& strides = 1, const std::string& padding = "valid",
                  const SpatialArg& dilation_rate = 1);
/// strides default to pool_size. Average pooling with "same" padding divides by the number
/// of cells inside the input (the padded cells are left out), as Keras.
Tensor max_pool(const Tensor& inputs, const SpatialArg& pool_size,
                const std::optional<SpatialArg>& strides = std::nullopt,
                const std::string& padding = "valid", const std::string& data_format = "channels_last");
/// keras.ops.average_pool (see max_pool for the arguments).
Tensor average_pool(const Tensor& inputs, const SpatialArg& pool_size,
                    const std::optional<SpatialArg>& strides = std::nullopt,
                    const std::string& padding = "valid",
                    const std::string& data_format = "channels_last");
/// Explicit geometry of a window op: one entry per spatial axis (the gradients' ops).
struct WindowGeometry {
  ///@{
  /// Strides, padding before and after, and dilation per spatial axis.
  std::vector<int64_t> strides, pad_before, pad_after, dilation;
  ///@}
};
/// The gradients of conv (TensorFlow's conv*_backprop_input / _filter): the gradient of the
/// inputs (of shape input_shape) from the outputs' gradient dy, and of the kernel.
Tensor conv_backprop_input(const Tensor& dy, const Tensor& kernel, const Shape& input_shape,
                           const WindowGeometry& g);
/// The kernel's gradient (of shape kernel_shape) from the inputs and dy.
Tensor conv_backprop_filter(const Tensor& inputs, const Tensor& dy, const Shape& kernel_shape,
                            const WindowGeometry& g);
/// The gradients of the pools (dilation unused): max_pool's goes to the first maximum of
/// each window (in row-major order); average_pool_grad spreads dy over each window's cells.
Tensor max_pool_grad(const Tensor& inputs, const Tensor& dy, const std::vector<int64_t>& pool_size,
                     const WindowGeometry& g);
/// average_pool's input gradient (of shape input_shape).
Tensor average_pool_grad(const Tensor& dy, const Shape& input_shape,
                         const std::vector<int64_t>& pool_size, const WindowGeometry& g);

}  // namespace keras::core::ops

namespace keras::core {
/// Threads: one intra-op pool for the engine; OpenBLAS is set to the same count.
/// 1 <= n <= kMaxThreads, else std::invalid_argument naming n; std::system_error naming n
/// when the system refuses to start that many threads (the count is then unchanged).
inline constexpr int kMaxThreads = 1024;
/// Sets the engine's thread count (tf.config.threading.set_intra_op_parallelism_threads).
void set_num_threads(int n);
/// The engine's thread count.
int get_num_threads();
}  // namespace keras::core

#include "core/linalg.h"  // linear algebra (keras.ops.linalg)
#include "core/ops_complex.h"  // complex dtypes, FFT, eig
#include "core/ops_nn.h"  // the rest of keras.ops.nn (losses, normalizations, attention, ...)
#include "core/functional_ops.h"  // scan, fori_loop, map, switch_, associative_scan, jvp, ...
#include "core/ops_numpy.h"  // creation, shape manipulation, indexing (keras.ops.numpy)
#include "core/ops_math.h"  // elementwise math and activations
#include "core/ops_reduce.h"  // reductions, scans, statistics, search/sets, segment and scatter ops
