// sparse_util.h - (private to core/sparse.cpp, core/sets.cpp and core/ops/sparse_*.cpp)
// host-side helpers of the sparse ops: reading indices, formatting entries, building
// index tensors, moving values with differentiable gathers.
#pragma once
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/ops.h"
#include "core/sparse.h"

namespace keras::core::sparse_util {

[[noreturn]] inline void fail(const std::string& msg) { throw std::invalid_argument(msg); }

inline void check_defined(const SparseTensor& sp, const char* op, const char* arg = "sp_input") {
  if (!sp.defined()) fail(std::string(op) + ": " + arg + " is an undefined SparseTensor");
}

// "[0,7]": an index as TensorFlow's messages print it.
inline std::string index_str(const int64_t* p, int64_t rank) {
  std::string s = "[";
  for (int64_t j = 0; j < rank; ++j) {
    if (j) s += ',';
    s += std::to_string(p[j]);
  }
  s += ']';
  return s;
}
inline std::string index_str(const std::vector<int64_t>& v) {
  return index_str(v.data(), static_cast<int64_t>(v.size()));
}

// Lexicographic comparison of two indices of `rank` entries: -1, 0, 1.
inline int lex_cmp(const int64_t* a, const int64_t* b, int64_t rank) {
  for (int64_t j = 0; j < rank; ++j) {
    if (a[j] < b[j]) return -1;
    if (a[j] > b[j]) return 1;
  }
  return 0;
}

// An int64 tensor of the given shape from host data, on `device`.
inline Tensor i64_tensor(const std::vector<int64_t>& v, const Shape& shape, Device device) {
  Tensor t = constant(v, shape);
  return device == Device::cpu() ? t : t.to(device);
}

// values[pos[0]], values[pos[1]], ...: a gather, so gradients flow back to values.
inline Tensor take(const Tensor& values, const std::vector<int64_t>& pos) {
  return ops::gather(values, i64_tensor(pos, Shape{static_cast<int64_t>(pos.size())},
                                        values.device()), 0);
}

// A SparseTensor from host indices (n * rank) and values already computed.
inline SparseTensor make(const std::vector<int64_t>& idx, const Tensor& values,
                         const std::vector<int64_t>& shape) {
  const int64_t rank = static_cast<int64_t>(shape.size());
  const int64_t n = values.shape()[0];
  return SparseTensor(i64_tensor(idx, Shape{n, rank}, Device::cpu()), values, shape);
}

// The product of dims, raising (naming op) when it overflows int64.
inline int64_t checked_count(const std::vector<int64_t>& dims, const char* op) {
  int64_t n = 1;
  for (int64_t d : dims) {
    if (d != 0 && n > INT64_MAX / d)
      fail(std::string(op) + ": the dense shape " + index_str(dims) +
           " has more than 2^63 - 1 elements");
    n *= d;
  }
  return n;
}

// Axis in [-rank, rank) made non-negative, else an error naming op.
inline int64_t norm_axis(int64_t axis, int64_t rank, const char* op) {
  if (axis < -rank || axis >= rank)
    fail(std::string(op) + ": expected an axis in [" + std::to_string(-rank) + ", " +
         std::to_string(rank) + "), but received " + std::to_string(axis));
  return axis < 0 ? axis + rank : axis;
}

// Raises unless sp's indices are in canonical order (TensorFlow's messages).
void check_ordered(const SparseTensor& sp, const char* op);

}  // namespace keras::core::sparse_util

#include "core/composite.h"

namespace keras::core::sparse_util {

// A number as an exact key part (hexadecimal float).
inline std::string num(double v) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%a", v);
  return buf;
}

// The entries of two sparse tensors of one rank grouped by index in canonical order: the
// union's indices (groups * rank), and for each entry of a and of b its group
// (core/ops/sparse_elementwise.cpp).
struct Merged {
  std::vector<int64_t> indices, seg_a, seg_b;
  int64_t groups = 0;
};
Merged merge(const SparseTensor& a, const SparseTensor& b);

// Inside a trace, a sparse op on graph values as one Composite node (core/composite.h):
// f maps the inputs' values (sparse ones as carriers) to the op's dense or sparse result.
template <class F>
Tensor traced_dense(const std::string& name, const std::string& args, const std::vector<Tensor>& in, F f) {
  return composite::call1(name, args, in, [f](const std::vector<Tensor>& v) { return std::vector<Tensor>{f(v)}; });
}
template <class F>
SparseTensor traced_sparse(const std::string& name, const std::string& args, const std::vector<Tensor>& in, F f) {
  return sparse::sparse_of(composite::call1(
      name, args, in, [f](const std::vector<Tensor>& v) { return std::vector<Tensor>{f(v).as_tensor()}; }));
}
inline SparseTensor sp_of(const Tensor& t) { return sparse::sparse_of(t); }

}  // namespace keras::core::sparse_util
