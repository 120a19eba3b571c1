// tensor_array.h - TensorArray (tf.TensorArray): a list of tensors of one dtype, written
// and read by index, stacked, gathered, scattered, concatenated and split.
//
//   core::TensorArray ta(DType::float32, {.size = 0, .dynamic_size = true});
//   for (int i = 0; i < 3; ++i) ta = ta.write(i, x * double(i));
//   Tensor all = ta.stack();  // (3, *x.shape)
//
// Eagerly it behaves as TensorFlow's eager TensorArray: a handle to shared state, so
// write() changes the array and returns it (`ta = ta.write(i, v)` reads as in
// TensorFlow); an index never written reads as zeros of the element shape. The stored
// tensors are the values written, and stack / gather / concat are the engine's ops on
// them, so a GradientTape differentiates through the array.
//
// Inside a traced while_loop (core/control_flow.h) the array travels as a loop variable:
// `flow()` is a dense (size, *element_shape) tensor holding the elements and
// `TensorArray::from_flow` rebuilds the array from it in the loop body, where
// `write(Tensor index, value)` and `read(Tensor index)` take traced int32 indices. That
// form needs a fixed size and a known element shape (TensorFlow's XLA rule).
//
// Not thread-safe: copies share one state, which no lock guards; use one array per
// thread (or a queue, core/queue.h, between threads).
//
// Errors are TensorFlow's: OutOfRangeError (core/errors.h) for indices outside the array
// ("Tried to read from index 5 but array size is: 2"), std::invalid_argument for a
// dtype or shape that does not match, a second read of a cleared element, or bad sizes.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "core/errors.h"
#include "core/tensor.h"

namespace keras::core {

/// The tf.TensorArray constructor's options (designated initializers: `{.size = 3}`).
struct TensorArrayOptions {
  /// Initial number of elements (TensorFlow `size`, default 0; < 0 raises
  /// std::invalid_argument).
  int64_t size = 0;
  bool dynamic_size = false;      ///< writes past the end grow the array
  bool clear_after_read = true;   ///< a second read of one index raises
  /// Shape every element must have (-1: unknown dimension; TensorFlow `element_shape`,
  /// default none: unknown).
  std::optional<std::vector<int64_t>> element_shape = std::nullopt;
  bool infer_shape = true;        ///< the first write fixes the element shape
};

/// tf.TensorArray: a list of tensors of one dtype, a handle to shared state; see the file
/// comment.
class TensorArray {
 public:
  TensorArray() = default;  ///< undefined; most uses raise std::invalid_argument
  /// An array of `options.size` unwritten elements of `dtype`.
  explicit TensorArray(DType dtype, const TensorArrayOptions& options = {});

  // ---- the list form --------------------------------------------------------------
  /// tf.TensorArray.write: stores value at index and returns the array. OutOfRangeError for
  /// a negative index or one past the end of a fixed-size array; std::invalid_argument for
  /// a mismatched dtype or shape.
  TensorArray write(int64_t index, const Tensor& value) const;
  /// tf.TensorArray.read: the element at index (zeros if never written, when the element
  /// shape is known). OutOfRangeError outside the array; std::invalid_argument for a
  /// cleared element.
  Tensor read(int64_t index) const;
  Tensor stack() const;                                 ///< (size, *element_shape)
  /// tf.TensorArray.gather: the elements at indices stacked along a new axis 0
  /// (OutOfRangeError outside the array).
  Tensor gather(const std::vector<int64_t>& indices) const;
  Tensor concat() const;                                ///< along the elements' axis 0
  TensorArray unstack(const Tensor& value) const;       ///< rows of value become elements 0..n-1
  /// tf.TensorArray.scatter: writes row i of value at indices[i] and returns the array.
  TensorArray scatter(const std::vector<int64_t>& indices, const Tensor& value) const;
  TensorArray split(const Tensor& value, const std::vector<int64_t>& lengths) const;  ///< concat's inverse

  /// Number of elements (including unwritten ones).
  int64_t size() const;
  /// The elements' dtype.
  DType dtype() const;
  /// Whether writes past the end grow the array (TensorArrayOptions::dynamic_size).
  bool dynamic_size() const;
  /// The known element shape (none while unknown).
  std::optional<std::vector<int64_t>> element_shape() const;

  // ---- the flow form (traced loops) ------------------------------------------------
  /// The elements as one dense (size, *element_shape) tensor; unwritten ones are zeros.
  Tensor flow() const;
  /// An array of flow.shape[0] elements of shape flow.shape[1:] held in `flow`.
  static TensorArray from_flow(const Tensor& flow, const TensorArrayOptions& options = {});
  /// Index tensors (int32/int64 scalars), also traced: the flow with row `index` replaced
  /// by value (a where over the rows: O(size) per write), and the row at `index`. Out of
  /// range indices raise where they run (eagerly at once; traced, at each run).
  TensorArray write(const Tensor& index, const Tensor& value) const;
  /// Reads the row at a scalar index tensor; see write(const Tensor&, const Tensor&).
  Tensor read(const Tensor& index) const;

  struct State;  ///< opaque (tensor_array.cpp)

 private:
  std::shared_ptr<State> state_;
  State& state(const char* op) const;
};

}  // namespace keras::core
