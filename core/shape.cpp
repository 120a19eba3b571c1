#include "core/shape.h"

#include <stdexcept>

namespace keras::core {

Shape::Shape(std::initializer_list<int64_t> dims) : dims_(dims) { validate(); }
Shape::Shape(std::vector<int64_t> dims) : dims_(std::move(dims)) { validate(); }

void Shape::validate() {
  count_ = 1;
  bool overflow = false;
  for (int64_t d : dims_) {
    if (d < 0)
      throw std::invalid_argument("shape: dimensions must be >= 0, but received " + str());
    if (!overflow && __builtin_mul_overflow(count_, d, &count_)) overflow = true;
  }
  // A zero dimension makes the count 0 even after an overflowing prefix.
  for (int64_t d : dims_)
    if (d == 0) return void(count_ = 0);
  if (overflow)
    throw std::overflow_error("shape: the number of elements of " + str() +
                              " overflows int64");
}

int64_t Shape::dim(int64_t i) const {
  int64_t r = rank();
  if (i < -r || i >= r)
    throw std::out_of_range("shape: axis " + std::to_string(i) + " is out of range for " +
                            str() + " of rank " + std::to_string(r));
  return dims_[static_cast<size_t>(i < 0 ? i + r : i)];
}

std::string Shape::str() const {
  std::string s = "(";
  for (size_t i = 0; i < dims_.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(dims_[i]);
  }
  if (dims_.size() == 1) s += ",";
  return s + ")";
}

AxisSplit split_at(const Shape& s, int64_t axis) {
  AxisSplit r{1, s[axis], 1};
  for (int64_t i = 0; i < axis; ++i) r.outer *= s[i];
  for (int64_t i = axis + 1; i < s.rank(); ++i) r.inner *= s[i];
  return r;
}

std::vector<int64_t> contiguous_strides(const Shape& s) {
  std::vector<int64_t> st(static_cast<size_t>(s.rank()));
  int64_t acc = 1;
  for (int64_t i = s.rank() - 1; i >= 0; --i) {
    st[static_cast<size_t>(i)] = acc;
    acc *= s[i];
  }
  return st;
}

int64_t normalize_axis(int64_t axis, int64_t rank, const char* op) {
  if (axis < -rank || axis >= rank)
    throw std::invalid_argument(std::string(op) + ": axis " + std::to_string(axis) +
                                " is out of bounds for a tensor of rank " +
                                std::to_string(rank) + " (expected -" + std::to_string(rank) +
                                " <= axis < " + std::to_string(rank) + ")");
  return axis < 0 ? axis + rank : axis;
}

}  // namespace keras::core
