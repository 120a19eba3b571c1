// tensor.h - Tensor: an immutable, cheap-to-copy handle to typed n-d data on a device.
//
// Creation rules follow TensorFlow: C++ literals behave like Python literals
// (`constant(1.5)` and `constant({1.0, 2.0})` are float32, `constant(3)` is int32),
// while typed data keeps its type (`constant(std::vector<double>{...}, shape)` is
// float64, int64_t values give int64). Binary ops never mix dtypes silently;
// `ops::cast` converts explicitly.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <limits>
#include <memory>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "core/device.h"
#include "core/dtype.h"
#include "core/shape.h"

namespace keras::core {

class TensorImpl;
struct Index;  ///< an item of x[{...}] (defined below)

/// Memory for a tensor could not be had: the message names the tensor (or the op, or the
/// weight), its shape and dtype, the bytes requested and the device. A std::bad_alloc, so
/// code that catches that still does; raised too for a byte count beyond 2^62.
class OutOfMemoryError : public std::bad_alloc {
 public:
  /// An error whose what() is `msg`.
  explicit OutOfMemoryError(const std::string& msg) : msg_(msg) {}
  /// The message: the tensor, shape, dtype, bytes and device.
  const char* what() const noexcept override { return msg_.what(); }

 private:
  std::runtime_error msg_;  // holds the message (reference-counted: copies never throw)
};

/// An immutable n-d array of one dtype on one device (tf.Tensor): a cheap-to-copy handle,
/// so copies share the data. Made by constant(), from_buffer() and the ops; see keras::ops
/// for what can be done with it.
class Tensor {
 public:
  Tensor() = default;  ///< an undefined handle; most uses raise std::invalid_argument
  /// Engine-internal: wraps an implementation object.
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  /// False for a default-constructed (undefined) tensor.
  bool defined() const { return impl_ != nullptr; }
  /// The element type.
  DType dtype() const;
  /// The dimensions.
  const Shape& shape() const;
  /// The number of dimensions (0 for a scalar).
  int64_t rank() const { return shape().rank(); }
  int64_t size() const { return shape().num_elements(); }  ///< number of elements
  /// Where the data lives (CPU or a CUDA device).
  Device device() const;
  /// The size of the data in bytes (size() * dtype_size(dtype())).
  std::size_t nbytes() const;

  /// Pointer to the first element (a device pointer for CUDA tensors).
  const void* raw_data() const;
  /// Typed access; T must match dtype() exactly (std::invalid_argument otherwise).
  template <class T> const T* data() const {
    check_access(dtype_of_v<T>, "data");
    return static_cast<const T*>(raw_data());
  }
  /// Writable access, for filling a freshly created tensor (kernels, loaders). Tensors
  /// are values: writing into one that other handles share changes them all.
  void* raw_mutable_data();
  /// Typed writable access; T must match dtype() exactly (std::invalid_argument otherwise).
  template <class T> T* mutable_data() {
    check_access(dtype_of_v<T>, "mutable_data");
    return static_cast<T*>(raw_mutable_data());
  }

  /// The single element of a tensor with one element, converted to T exactly (int64
  /// values above 2^53 included). ConversionError when the value does not fit T: NaN or
  /// inf to an integer type, or a value outside T's range (300 to uint8_t, 1e300 to
  /// float). A float value read as an integer type is truncated toward zero, as Python's
  /// int(tensor) and static_cast do; an integer read as a float type rounds to nearest;
  /// bool is value != 0. A string tensor's element is read as item<std::string>() (any
  /// other T raises).
  template <class T> T item() const {
    static_assert(std::is_arithmetic_v<T> || std::is_same_v<T, std::string>,
                  "item<T>: T must be arithmetic or std::string");
    if constexpr (std::is_same_v<T, std::string>) {
      return item_string();
    } else if constexpr (std::is_same_v<T, bool>) {
      return item_bool();
    } else if constexpr (std::is_floating_point_v<T>) {
      return static_cast<T>(item_floating(sizeof(T) == sizeof(float)));
    } else if constexpr (std::is_signed_v<T>) {
      return static_cast<T>(item_signed(std::numeric_limits<T>::min(), std::numeric_limits<T>::max()));
    } else {
      return static_cast<T>(item_unsigned(std::numeric_limits<T>::max()));
    }
  }
  /// All elements in row-major order (copied to the host); T must match dtype()
  /// (std::string for a string tensor).
  template <class T> std::vector<T> to_vector() const {
    check_host_read("Tensor.to_vector()");
    Tensor h = cpu();
    const T* p = h.data<T>();
    return std::vector<T>(p, p + h.size());
  }

  /// Python's x[...] (keras.ops.get_item): x[{Slice(1, None), 0, NewAxis, Ellipsis}],
  /// x[2], x[mask] (a bool tensor: eager only), x[indices] (an int tensor, gathered along
  /// the first axis). See ops::get_item (core/ops_numpy.h).
  Tensor operator[](const Index& item) const;
  /// The several-item form: x[{Slice(1, None), 0}] is Python's x[1:, 0].
  Tensor operator[](std::initializer_list<Index> items) const;

  Tensor to(Device device) const;  ///< copy to another device (self if already there)
  /// A copy on the CPU (the tensor itself when already there).
  Tensor cpu() const { return to(Device::cpu()); }

  /// TensorFlow's repr: `tf.Tensor(<values>, shape=(2, 2), dtype=float32)`
  std::string str() const;
  /// Only the values, formatted like NumPy ("[[1. 2.]\n [3. 4.]]").
  std::string values_str() const;

  /// Keras's mask metadata (a tensor's _keras_mask): a boolean tensor that a layer
  /// producing or propagating a mask (Embedding(mask_zero), Masking, ...) attaches to its
  /// output, read by the next layer's call and by the losses. Undefined when none. It
  /// belongs to the value, so every handle of this tensor sees it.
  Tensor keras_mask() const;
  /// Attaches `mask` (a bool tensor, or an undefined one to remove it) as the tensor's
  /// Keras mask.
  void set_keras_mask(const Tensor& mask) const;

  /// Engine-internal: the implementation object.
  const std::shared_ptr<TensorImpl>& impl() const { return impl_; }

 private:
  void check_access(DType want, const char* what) const;
  void check_host_read(const char* what) const;  // raises inside a traced function
  bool item_bool() const;
  std::string item_string() const;
  double item_floating(bool to_float32) const;
  int64_t item_signed(int64_t lo, int64_t hi) const;
  uint64_t item_unsigned(uint64_t hi) const;
  std::shared_ptr<TensorImpl> impl_;
};

/// Writes str(): TensorFlow's repr with shape, dtype and values.
std::ostream& operator<<(std::ostream& os, const Tensor& t);

// ---- indexing items (Python's slice, None / newaxis, Ellipsis) --------------------
/// None stands for Python's None: an open slice bound, or (as an index) a new axis.
inline constexpr std::nullopt_t None = std::nullopt;
/// Python's slice(): Slice(stop), Slice(start, stop), Slice(start, stop, step); an
/// omitted or None bound is open. Slice() is `:`.
struct Slice {
  ///@{
  /// The bounds and step; none (std::nullopt) is open, as in Python (a step of none is 1).
  std::optional<int64_t> start, stop, step;
  ///@}
  Slice() = default;
  /// Python's slice(stop).
  explicit Slice(std::optional<int64_t> stop_) : stop(stop_) {}
  /// Python's slice(start, stop, step).
  Slice(std::optional<int64_t> start_, std::optional<int64_t> stop_,
        std::optional<int64_t> step_ = std::nullopt)
      : start(start_), stop(stop_), step(step_) {}
};
struct NewAxisT {};
/// Python's None / np.newaxis as an index: a new axis of size 1.
inline constexpr NewAxisT NewAxis{};
struct EllipsisT {};
/// Python's `...` as an index: as many full slices as needed.
inline constexpr EllipsisT Ellipsis{};
/// One item of a subscript x[{...}]: an integer, a Slice, NewAxis (or None), Ellipsis, or a
/// tensor (bool mask or int indices); implicit constructors make `x[{1, Slice(), NewAxis}]`
/// read like Python.
struct Index {
  /// Which kind of item this is.
  enum class Kind { integer, slice, new_axis, ellipsis, tensor };
  ///@{
  /// Implicit conversions from each kind of item (an integer of any type, a Slice, NewAxis
  /// or None, Ellipsis, a tensor).
  template <class T>
    requires(std::is_integral_v<T> && !std::is_same_v<T, bool>)
  Index(T i) : kind(Kind::integer), value(static_cast<int64_t>(i)) {}  // NOLINT
  Index(Slice s) : kind(Kind::slice), slice(s) {}                      // NOLINT
  Index(NewAxisT) : kind(Kind::new_axis) {}                            // NOLINT
  Index(std::nullopt_t) : kind(Kind::new_axis) {}                      // NOLINT
  Index(EllipsisT) : kind(Kind::ellipsis) {}                           // NOLINT
  Index(Tensor t) : kind(Kind::tensor), tensor(std::move(t)) {}        // NOLINT
  ///@}
  /// The kind of item (selects which of the fields below is meant).
  Kind kind;
  /// The integer index (negative counts from the end), for Kind::integer.
  int64_t value = 0;
  /// The slice, for Kind::slice.
  Slice slice;
  /// The bool mask or int indices, for Kind::tensor.
  Tensor tensor;
};

/// The shape and dtype a tensor must have (tf.TensorSpec); where allowed, a dimension of
/// -1 accepts any size (the batch axis of an exported function's signature).
struct TensorSpec {
  /// The dimensions; -1 accepts any size where allowed.
  std::vector<int64_t> shape;
  /// The element type.
  DType dtype = DType::float32;
};

// ---- creation from data -----------------------------------------------------------
/// A tensor of `dtype` and `shape` whose elements are read from `data`, which holds
/// shape.num_elements() values of `src_dtype` (converted when the dtypes differ).
Tensor from_buffer(const void* data, DType src_dtype, const Shape& shape, DType dtype);
/// The same without conversion: `data` holds values of `dtype`.
inline Tensor from_buffer(const void* data, const Shape& shape, DType dtype) {
  return from_buffer(data, dtype, shape, dtype);
}

/// Throws ConversionError naming `what` unless each of the n values of src_dtype at data
/// is exact in dtype (see check_scalar_fits; used where C++ values become a tensor).
void check_values_fit(const void* data, DType src_dtype, int64_t n, DType dtype,
                      const char* what);

/// Throws std::invalid_argument unless n == shape.num_elements().
void check_buffer_size(int64_t n, const Shape& shape);

namespace detail {
/// Whether T is one of the narrow integer types with a dtype of their own (uint8_t,
/// int8_t, int16_t, uint16_t, uint32_t).
template <class T> inline constexpr bool is_narrow_int_v =
    std::is_same_v<T, uint8_t> || std::is_same_v<T, int8_t> || std::is_same_v<T, int16_t> ||
    std::is_same_v<T, uint16_t> || std::is_same_v<T, uint32_t>;
/// Literal typing: double and float literals -> float32, int -> int32, typed 64-bit
/// integers -> int64, bool -> bool, uint8_t / int8_t / int16_t / uint16_t / uint32_t ->
/// uint8 / int8 / int16 / uint16 / uint32.
template <class T> constexpr DType literal_dtype() {
  if constexpr (std::is_same_v<T, bool>) return DType::bool_;
  else if constexpr (std::is_floating_point_v<T>) return DType::float32;
  else if constexpr (is_narrow_int_v<T>) return dtype_of_v<T>;
  else if constexpr (sizeof(T) == 8) return DType::int64;
  else return DType::int32;
}
/// (bool is held as uint8_t: std::vector<bool> has no data().)
template <class T> using storage_t = std::conditional_t<
    std::is_same_v<T, bool>, uint8_t,
    std::conditional_t<std::is_floating_point_v<T>, double,
                       std::conditional_t<is_narrow_int_v<T>, T,
                                          std::conditional_t<sizeof(T) == 8, int64_t, int32_t>>>>;

template <class T>
void flatten(std::initializer_list<T> l, std::vector<storage_t<T>>& out,
             std::vector<int64_t>& dims, size_t level) {
  if (dims.size() <= level) dims.push_back(static_cast<int64_t>(l.size()));
  for (const T& v : l) out.push_back(static_cast<storage_t<T>>(v));
}
template <class T>
void flatten(std::initializer_list<std::initializer_list<T>> l, std::vector<storage_t<T>>& out,
             std::vector<int64_t>& dims, size_t level);
template <class T>
void flatten(std::initializer_list<std::initializer_list<std::initializer_list<T>>> l,
             std::vector<storage_t<T>>& out, std::vector<int64_t>& dims, size_t level);

void check_ragged(std::vector<int64_t>& dims, size_t level, int64_t got);

template <class T>
void flatten(std::initializer_list<std::initializer_list<T>> l, std::vector<storage_t<T>>& out,
             std::vector<int64_t>& dims, size_t level) {
  check_ragged(dims, level, static_cast<int64_t>(l.size()));
  for (auto& sub : l) {
    check_ragged(dims, level + 1, static_cast<int64_t>(sub.size()));
    flatten(sub, out, dims, level + 1);
  }
}
template <class T>
void flatten(std::initializer_list<std::initializer_list<std::initializer_list<T>>> l,
             std::vector<storage_t<T>>& out, std::vector<int64_t>& dims, size_t level) {
  check_ragged(dims, level, static_cast<int64_t>(l.size()));
  for (auto& sub : l) flatten(sub, out, dims, level + 1);
}
template <class L, class T>
Tensor from_list(L l, DType dtype) {
  std::vector<storage_t<T>> flat;
  std::vector<int64_t> dims;
  flatten(l, flat, dims, 0);
  check_values_fit(flat.data(), dtype_of_v<storage_t<T>>, static_cast<int64_t>(flat.size()), dtype,
                   "constant");
  return from_buffer(flat.data(), dtype_of_v<storage_t<T>>, Shape(dims), dtype);
}
}  // namespace detail

/// Scalars.
template <class T, class = std::enable_if_t<std::is_arithmetic_v<T>>>
Tensor constant(T value) {
  detail::storage_t<T> v = static_cast<detail::storage_t<T>>(value);
  return from_buffer(&v, dtype_of_v<detail::storage_t<T>>, Shape{}, detail::literal_dtype<T>());
}
/// A scalar of an explicit dtype; ConversionError when `value` is not exact in it (2.5 as
/// int32).
template <class T, class = std::enable_if_t<std::is_arithmetic_v<T>>>
Tensor constant(T value, DType dtype) {
  detail::storage_t<T> v = static_cast<detail::storage_t<T>>(value);
  check_values_fit(&v, dtype_of_v<detail::storage_t<T>>, 1, dtype, "constant");
  return from_buffer(&v, dtype_of_v<detail::storage_t<T>>, Shape{}, dtype);
}
/// Nested initializer lists, up to rank 3 (rectangular; ragged lists throw).
template <class T>
  requires(std::is_arithmetic_v<T>)
Tensor constant(std::initializer_list<T> l, DType dtype = detail::literal_dtype<T>()) {
  return detail::from_list<std::initializer_list<T>, T>(l, dtype);
}
/// Rank 2 from nested initializer lists (rows of equal length).
template <class T>
  requires(std::is_arithmetic_v<T>)
Tensor constant(std::initializer_list<std::initializer_list<T>> l,
                DType dtype = detail::literal_dtype<T>()) {
  return detail::from_list<decltype(l), T>(l, dtype);
}
/// Rank 3 from nested initializer lists.
template <class T>
  requires(std::is_arithmetic_v<T>)
Tensor constant(std::initializer_list<std::initializer_list<std::initializer_list<T>>> l,
                DType dtype = detail::literal_dtype<T>()) {
  return detail::from_list<decltype(l), T>(l, dtype);
}
/// Typed data keeps its dtype: std::vector<double> gives float64, int64_t gives int64.
/// values.size() must equal shape.num_elements().
template <class T>
Tensor constant(const std::vector<T>& values, const Shape& shape) {
  check_buffer_size(static_cast<int64_t>(values.size()), shape);
  if constexpr (std::is_same_v<T, bool>) {
    std::vector<uint8_t> b(values.begin(), values.end());
    return from_buffer(b.data(), DType::bool_, shape, DType::bool_);
  } else {
    return from_buffer(values.data(), dtype_of_v<T>, shape, dtype_of_v<T>);
  }
}
/// A rank-1 tensor of typed data (dtype from T).
template <class T>
Tensor constant(const std::vector<T>& values) {
  return constant(values, Shape{static_cast<int64_t>(values.size())});
}
/// String tensors (dtype string): a C++ string literal or std::string is a string scalar,
/// a list of them a string vector (TensorFlow: tf.constant([b"a", b"bc"])); the bytes are
/// kept as they are (no encoding is assumed).
Tensor constant(const std::string& value);
/// A string scalar from a C string (nullptr raises).
Tensor constant(const char* value);
/// A string tensor of `shape` from its elements in row-major order (their count must match).
Tensor constant(const std::vector<std::string>& values, const Shape& shape);
/// A string vector.
Tensor constant(const std::vector<std::string>& values);
/// Lists of const char* or std::string, up to rank 2 (a null const char* raises).
namespace detail {
template <class S>
inline constexpr bool is_string_like_v = std::is_same_v<S, const char*> || std::is_same_v<S, std::string>;
Tensor string_rows(const std::vector<std::vector<std::string>>& rows);
template <class S>
std::string string_of(const S& s) {
  if constexpr (std::is_pointer_v<S>) {
    if (!s) throw std::invalid_argument("constant: a null C string in the list");
  }
  return std::string(s);
}
}  // namespace detail
/// A string vector from a braced list: constant({"a", "bc"}).
template <class S>
  requires(detail::is_string_like_v<S>)
Tensor constant(std::initializer_list<S> values) {
  std::vector<std::string> v;
  for (const S& s : values) v.push_back(detail::string_of(s));
  return constant(v);
}
/// A rank-2 string tensor from braced rows of equal length: constant({{"a", "b"}, {"c", "d"}}).
template <class S>
  requires(detail::is_string_like_v<S>)
Tensor constant(std::initializer_list<std::initializer_list<S>> rows) {
  std::vector<std::vector<std::string>> v;
  for (const auto& row : rows) {
    v.emplace_back();
    for (const S& s : row) v.back().push_back(detail::string_of(s));
  }
  return detail::string_rows(v);
}

// ---- C++ operators (elementwise, NumPy broadcasting; dtypes must match) -----------
///@{
/// Elementwise arithmetic and comparisons, as ops::add, subtract, multiply, divide,
/// negative, equal, not_equal, less, less_equal, greater, greater_equal: NumPy
/// broadcasting, equal dtypes (std::invalid_argument naming both otherwise); comparisons
/// give bool. A scalar operand takes the tensor's dtype, as Python scalars do in
/// TensorFlow (ConversionError when it is not exact in it: `ints * 2.5`).
Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a);
Tensor operator+(const Tensor& a, double b);
Tensor operator-(const Tensor& a, double b);
Tensor operator*(const Tensor& a, double b);
Tensor operator/(const Tensor& a, double b);
Tensor operator+(double a, const Tensor& b);
Tensor operator-(double a, const Tensor& b);
Tensor operator*(double a, const Tensor& b);
Tensor operator/(double a, const Tensor& b);
Tensor operator==(const Tensor& a, const Tensor& b);
Tensor operator!=(const Tensor& a, const Tensor& b);
Tensor operator<(const Tensor& a, const Tensor& b);
Tensor operator<=(const Tensor& a, const Tensor& b);
Tensor operator>(const Tensor& a, const Tensor& b);
Tensor operator>=(const Tensor& a, const Tensor& b);
Tensor operator<(const Tensor& a, double b);
Tensor operator<=(const Tensor& a, double b);
Tensor operator>(const Tensor& a, double b);
Tensor operator>=(const Tensor& a, double b);
///@}
Tensor operator&&(const Tensor& a, const Tensor& b);  ///< logical_and (bool)
Tensor operator||(const Tensor& a, const Tensor& b);  ///< logical_or (bool)
Tensor operator!(const Tensor& a);                    ///< logical_not (bool)

}  // namespace keras::core
