// numpy_index.cpp - Python's x[key] (keras.ops.get_item, Tensor::operator[]): integers,
// Slice, NewAxis / None and Ellipsis lower onto one strided_slice and one reshape; an int
// tensor onto take (a gather), a bool mask onto a gather of the selected positions (read
// eagerly: the result's shape depends on the mask's values).
#include <limits>
#include <stdexcept>
#include <string>

#include "core/dispatch.h"
#include "core/ops.h"
#include "core/ops/shape_util.h"

namespace keras::core {
namespace ops {
using namespace shape_util;

namespace {

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

int64_t axes_used(const Index& it) {
  switch (it.kind) {
    case Index::Kind::integer:
    case Index::Kind::slice: return 1;
    case Index::Kind::tensor: return it.tensor.dtype() == DType::bool_ ? it.tensor.rank() : 1;
    default: return 0;
  }
}

// y[mask] for a bool mask over y's axes [p, p + mask.rank): those axes become one, of
// the selected positions in row-major order.
Tensor masked(const Tensor& y, const Tensor& mask, int64_t p) {
  for (int64_t k = 0; k < mask.rank(); ++k)
    if (mask.shape()[k] != y.shape()[p + k])
      throw_invalid("get_item: the boolean mask of shape " + mask.shape().str() + " does not match axes " + num(p) +
                    " to " + num(p + mask.rank() - 1) + " of the indexed tensor's shape " + y.shape().str());
  if (tracing::t_tracer)
    throw_invalid("get_item: boolean mask indexing gives a shape that depends on the mask's values, which a traced "
                  "function does not have; use ops::where, or index outside the function");
  const std::vector<bool> m = mask.to_vector<bool>();
  std::vector<int64_t> pos, dims;
  for (size_t i = 0; i < m.size(); ++i)
    if (m[i]) pos.push_back(static_cast<int64_t>(i));
  for (int64_t k = 0; k < p; ++k) dims.push_back(y.shape()[k]);
  dims.push_back(mask.size());
  for (int64_t k = p + mask.rank(); k < y.rank(); ++k) dims.push_back(y.shape()[k]);
  return gather(reshape(y, dims), constant(pos, Shape{static_cast<int64_t>(pos.size())}).to(y.device()), p);
}

}  // namespace

Tensor get_item(const Tensor& x, const std::vector<Index>& key) {
  check_defined(x, "get_item");
  const int64_t r = x.rank();
  int64_t used = 0, ellipses = 0, tensors = 0;
  for (const Index& it : key) {
    if (it.kind == Index::Kind::tensor) {
      check_defined(it.tensor, "get_item");
      if (it.tensor.dtype() != DType::bool_ && it.tensor.dtype() != DType::int32 && it.tensor.dtype() != DType::int64)
        throw_invalid("get_item: expected a tensor index of dtype bool, int32 or int64, but received dtype " +
                      std::string(dtype_name(it.tensor.dtype())));
      ++tensors;
    }
    used += axes_used(it);
    ellipses += it.kind == Index::Kind::ellipsis;
  }
  if (ellipses > 1) throw_invalid("get_item: an index can only have a single Ellipsis, but received " + num(ellipses));
  if (tensors > 1)
    throw_invalid("get_item: at most one tensor index is supported, but received " + num(tensors) +
                  " (index with one tensor at a time)");
  if (used > r)
    throw_invalid("get_item: too many indices for a tensor of shape " + x.shape().str() + ": " + num(r) +
                  " axes, but " + num(used) + " were indexed");
  std::vector<int64_t> begin, end, strides, dims;
  int64_t axis = 0, tensor_pos = -1;
  Tensor tensor_item;
  const auto whole = [&](int64_t n) {  // n axes taken whole, kept
    for (int64_t k = 0; k < n; ++k, ++axis) {
      begin.push_back(0), end.push_back(kMax), strides.push_back(1);
      dims.push_back(-2);  // kept: its size after the slice
    }
  };
  for (const Index& it : key) {
    switch (it.kind) {
      case Index::Kind::integer: {
        const int64_t d = x.shape()[axis];
        if (it.value < -d || it.value >= d)
          throw std::out_of_range("get_item: index " + num(it.value) + " is out of bounds for axis " + num(axis) +
                                  " with size " + num(d) + " (tensor shape " + x.shape().str() + ")");
        const int64_t i = it.value < 0 ? it.value + d : it.value;
        begin.push_back(i), end.push_back(i + 1), strides.push_back(1);
        ++axis;  // dropped
        break;
      }
      case Index::Kind::slice: {
        const int64_t step = it.slice.step.value_or(1);
        if (step == 0) throw_invalid("get_item: slice step cannot be zero");
        begin.push_back(it.slice.start.value_or(step > 0 ? 0 : kMax));
        end.push_back(it.slice.stop.value_or(step > 0 ? kMax : kMin));
        strides.push_back(step);
        dims.push_back(-2);
        ++axis;
        break;
      }
      case Index::Kind::new_axis: dims.push_back(1); break;
      case Index::Kind::ellipsis: whole(r - used); break;
      case Index::Kind::tensor:
        tensor_pos = static_cast<int64_t>(dims.size());
        tensor_item = it.tensor;
        whole(axes_used(it));
        break;
    }
  }
  whole(r - axis);
  Tensor y = strided_slice(x, begin, end, strides);
  std::vector<int64_t> shape = dims;  // -2: a kept axis, sized below
  // Fill the kept axes' sizes from y (y keeps every axis of x; integer-indexed axes have
  // size 1 and are left out of `shape`).
  {
    std::vector<int64_t> kept;
    size_t a = 0;
    for (const Index& it : key) {
      if (it.kind == Index::Kind::integer) {
        ++a;
      } else if (it.kind == Index::Kind::slice) {
        kept.push_back(y.shape()[int64_t(a++)]);
      } else if (it.kind == Index::Kind::ellipsis || it.kind == Index::Kind::tensor) {
        int64_t n = it.kind == Index::Kind::ellipsis ? r - used : axes_used(it);
        for (int64_t j = 0; j < n; ++j) kept.push_back(y.shape()[int64_t(a++)]);
      }
    }
    while (a < size_t(r)) kept.push_back(y.shape()[int64_t(a++)]);
    size_t j = 0;
    for (int64_t& s : shape)
      if (s == -2) s = kept[j++];
  }
  y = reshape(y, shape);
  if (!tensor_item.defined()) return y;
  if (tensor_item.dtype() == DType::bool_) return masked(y, tensor_item, tensor_pos);
  return take(y, tensor_item, tensor_pos);
}

Tensor get_item(const Tensor& x, std::initializer_list<Index> key) {
  return get_item(x, std::vector<Index>(key));
}
Tensor get_item(const Tensor& x, const Index& key) { return get_item(x, std::vector<Index>{key}); }

}  // namespace ops

Tensor Tensor::operator[](const Index& item) const { return ops::get_item(*this, item); }
Tensor Tensor::operator[](std::initializer_list<Index> items) const { return ops::get_item(*this, items); }

}  // namespace keras::core
