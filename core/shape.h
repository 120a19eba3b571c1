// shape.h - a tensor's dimensions, with an overflow-checked element count.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace keras::core {

/// A tensor's dimensions (int64), with the element count computed once and checked for
/// overflow; as tf.TensorShape for fully known shapes.
class Shape {
 public:
  Shape() = default;
  /// Every dimension must be >= 0 and the element count must fit in int64
  /// (std::invalid_argument / std::overflow_error otherwise).
  Shape(std::initializer_list<int64_t> dims);
  /// The same checks as the initializer-list constructor.
  explicit Shape(std::vector<int64_t> dims);

  /// The number of dimensions (0 for a scalar).
  int64_t rank() const { return static_cast<int64_t>(dims_.size()); }
  /// Dimension i, unchecked (0 <= i < rank()); dim() checks and takes negative i.
  int64_t operator[](int64_t i) const { return dims_[static_cast<size_t>(i)]; }
  /// Dimension i, where negative i counts from the end; throws std::out_of_range.
  int64_t dim(int64_t i) const;
  /// The product of the dimensions (1 for a scalar).
  int64_t num_elements() const { return count_; }
  /// The dimensions, outermost first.
  const std::vector<int64_t>& dims() const { return dims_; }
  ///@{
  /// Same rank and same dimensions.
  bool operator==(const Shape& o) const { return dims_ == o.dims_; }
  bool operator!=(const Shape& o) const { return dims_ != o.dims_; }
  ///@}
  /// "(32, 100)", "()" for a scalar, "(5,)" for rank 1 - as Keras prints shapes.
  std::string str() const;

 private:
  void validate();
  std::vector<int64_t> dims_;
  int64_t count_ = 1;
};

/// A shape seen as (outer, dim, inner) around one (normalized) axis: the product of the
/// axes before it, its size, and the product of the axes after it.
struct AxisSplit {
  ///@{
  /// The products of the dimensions before the axis (`outer`) and after it (`inner`), and
  /// the axis' own size (`dim`).
  int64_t outer, dim, inner;
  ///@}
};
/// `s` split around `axis` (negative counts from the end; std::invalid_argument when out of
/// range).
AxisSplit split_at(const Shape& s, int64_t axis);

/// Row-major (C-order) element strides of a shape.
std::vector<int64_t> contiguous_strides(const Shape& s);
/// Normalizes axis (negative counts from the end) for a tensor of rank `rank`;
/// throws std::invalid_argument naming `op` when out of range.
int64_t normalize_axis(int64_t axis, int64_t rank, const char* op);

}  // namespace keras::core
