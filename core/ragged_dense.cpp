// ragged_dense.cpp - RaggedTensor.to_tensor (a gather of the flat values and a where
// with the padding), printing, and the Tensor handle that carries a RaggedTensor.
#include <algorithm>
#include <charconv>
#include <functional>
#include <limits>
#include <ostream>
#include <sstream>
#include <stdexcept>

#include "core/ops.h"
#include "core/ragged.h"
#include "core/composite.h"
#include "core/dispatch.h"
#include "core/ragged_impl.h"
#include "core/tensor_impl.h"

namespace keras::core {

using ragged_detail::host_splits;
using ragged_detail::int64_tensor;

// ---- to_tensor ------------------------------------------------------------------------
Tensor RaggedTensor::to_tensor(double default_value, const std::vector<int64_t>& shape) const {
  ragged_detail::check_defined(*this, "RaggedTensor.to_tensor");
  return to_tensor(ops::scalar_like(flat_values_, default_value, "RaggedTensor.to_tensor"), shape);
}

Tensor RaggedTensor::to_tensor(const Tensor& default_value, const std::vector<int64_t>& shape) const {
  const char* op = "RaggedTensor.to_tensor";
  ragged_detail::check_defined(*this, op);
  if (!is_ragged()) return flat_values_;
  if (!default_value.defined() || default_value.dtype() != dtype()) {
    throw std::invalid_argument(std::string(op) + ": expected default_value of dtype " + dtype_name(dtype()) +
                                ", but received " + (default_value.defined() ? dtype_name(default_value.dtype()) : "none"));
  }
  if (ragged_detail::traced({this}, {&default_value}))
    return ragged_detail::traced_call(op, composite::key(shape), {*this}, {default_value},
                                      [shape](const auto& r, const auto& d) { return from_dense(r[0].to_tensor(d[0], shape)); })
        .flat_values();
  std::vector<int64_t> B = bounding_shape();
  if (!shape.empty()) {
    if (static_cast<int64_t>(shape.size()) != rank()) {
      throw std::invalid_argument(std::string(op) + ": expected shape of rank " + std::to_string(rank()) +
                                  ", but received rank " + std::to_string(shape.size()));
    }
    for (size_t i = 0; i < shape.size(); ++i) {
      if (shape[i] < -1) throw std::invalid_argument(std::string(op) + ": expected sizes >= 0 or -1 in shape, but received " + std::to_string(shape[i]));
      if (shape[i] >= 0 && static_cast<int64_t>(i) > ragged_rank() && shape[i] != B[i]) {
        throw std::invalid_argument(std::string(op) + ": expected uniform axis " + std::to_string(i) + " of shape to be " +
                                    std::to_string(B[i]) + " or -1, but received " + std::to_string(shape[i]));
      }
      if (shape[i] >= 0) B[i] = shape[i];
    }
  }
  const size_t R = splits_.size();
  std::vector<int64_t> inner(B.begin() + static_cast<std::ptrdiff_t>(R) + 1, B.end());
  int64_t cells = 1;
  for (size_t i = 0; i <= R; ++i) cells *= B[i];
  auto hs = host_splits(*this);
  std::vector<int64_t> idx(static_cast<size_t>(cells), -1);
  // Fill each output cell with the flat row it shows (or -1), level by level.
  std::vector<std::pair<int64_t, int64_t>> cur;  // (item at this level, output offset)
  for (int64_t i = 0; i < std::min(B[0], nrows()); ++i) cur.push_back({i, i});
  for (size_t l = 0; l < R; ++l) {
    std::vector<std::pair<int64_t, int64_t>> next;
    for (auto [item, off] : cur) {
      int64_t start = hs[l][item], len = hs[l][item + 1] - start;
      for (int64_t j = 0; j < std::min(len, B[l + 1]); ++j) next.push_back({start + j, off * B[l + 1] + j});
    }
    cur = std::move(next);
  }
  bool any = false;
  for (auto [item, off] : cur) idx[static_cast<size_t>(off)] = item, any = true;
  std::vector<int64_t> out_shape(B.begin(), B.end());
  std::vector<int64_t> cell_shape{cells};
  cell_shape.insert(cell_shape.end(), inner.begin(), inner.end());
  Tensor filler = ops::broadcast_to(default_value, Shape(cell_shape));
  if (!any) return ops::reshape(filler, out_shape);
  std::vector<int64_t> clamped(idx), mask_shape{cells};
  std::vector<uint8_t> present(static_cast<size_t>(cells));
  for (size_t i = 0; i < idx.size(); ++i) present[i] = idx[i] >= 0, clamped[i] = std::max<int64_t>(idx[i], 0);
  for (size_t i = 0; i < inner.size(); ++i) mask_shape.push_back(1);
  Tensor mask = from_buffer(present.data(), DType::bool_, Shape(mask_shape), DType::bool_);
  Tensor gathered = ops::gather(flat_values_, int64_tensor(clamped));
  return ops::reshape(ops::where(mask, gathered, filler), out_shape);
}

// ---- printing -------------------------------------------------------------------------
namespace {
void put_scalar(std::ostream& os, const Tensor& flat, int64_t i) {
  char buf[64];
  switch (flat.dtype()) {
    case DType::float32:
    case DType::float64: {
      double v = flat.dtype() == DType::float32 ? flat.data<float>()[i] : flat.data<double>()[i];
      if (v != v) { os << "nan"; return; }
      if (v == std::numeric_limits<double>::infinity()) { os << "inf"; return; }
      if (v == -std::numeric_limits<double>::infinity()) { os << "-inf"; return; }
      auto r = std::to_chars(buf, buf + sizeof buf, v);
      std::string s(buf, r.ptr);
      if (s.find_first_of(".e") == std::string::npos) s += ".0";
      os << s;
      return;
    }
    case DType::int32: os << flat.data<int32_t>()[i]; return;
    case DType::int64: os << flat.data<int64_t>()[i]; return;
    case DType::uint8: os << int(flat.data<uint8_t>()[i]); return;
    case DType::int8: os << int(flat.data<int8_t>()[i]); return;
    case DType::int16: os << int(flat.data<int16_t>()[i]); return;
    case DType::uint16: os << int(flat.data<uint16_t>()[i]); return;
    case DType::uint32: os << int(flat.data<uint32_t>()[i]); return;
    case DType::bool_: os << (static_cast<const uint8_t*>(flat.raw_data())[i] ? "True" : "False"); return;
    default: os << "?"; return;
  }
}
// Prints the block of inner dims [dim:] starting at element `offset` as nested lists.
void put_block(std::ostream& os, const Tensor& elems, int64_t offset, const std::vector<int64_t>& inner,
               size_t dim) {
  if (dim == inner.size()) {
    put_scalar(os, elems, offset);
    return;
  }
  int64_t stride = 1;
  for (size_t d = dim + 1; d < inner.size(); ++d) stride *= inner[d];
  os << "[";
  for (int64_t k = 0; k < inner[dim]; ++k) {
    if (k) os << ", ";
    put_block(os, elems, offset + k * stride, inner, dim + 1);
  }
  os << "]";
}
}  // namespace

std::string RaggedTensor::str() const {
  if (!defined()) return "<tf.RaggedTensor (undefined)>";
  if (!is_ragged()) return flat_values_.str();
  if (ragged_detail::traced({this}))  // inside a trace: no values yet, only its ragged shape
    return "<tf.RaggedTensor (traced) shape=" + ragged_detail::shape_str(*this) + ", dtype=" + dtype_name(dtype()) + ">";
  Tensor flat = flat_values_.cpu();
  // Print through a rank-1 view: each flat row's elements as a nested list.
  std::vector<int64_t> inner(flat.shape().dims().begin() + 1, flat.shape().dims().end());
  int64_t row_size = 1;
  for (int64_t d : inner) row_size *= d;
  Tensor elems = ops::reshape(flat, {flat.shape()[0] * row_size});
  auto hs = host_splits(*this);
  std::ostringstream os;
  os << "<tf.RaggedTensor ";
  std::function<void(size_t, int64_t, int64_t)> level = [&](size_t l, int64_t b, int64_t e) {
    os << "[";
    for (int64_t i = b; i < e; ++i) {
      if (i > b) os << ", ";
      if (l + 1 == hs.size()) {
        os << "[";
        for (int64_t r = hs[l][i]; r < hs[l][i + 1]; ++r) {
          if (r > hs[l][i]) os << ", ";
          put_block(os, elems, r * row_size, inner, 0);
        }
        os << "]";
      } else {
        level(l + 1, hs[l][i], hs[l][i + 1]);
      }
    }
    os << "]";
  };
  level(0, 0, nrows());
  os << ">";
  return os.str();
}

std::ostream& operator<<(std::ostream& os, const RaggedTensor& rt) { return os << rt.str(); }

namespace {
// A handle from as_tensor() has an empty storage whose shared_ptr deleter holds the ragged
// tensor (the scheme of SparseTensor::as_tensor): std::get_deleter finds it again.
struct RaggedCarrier {
  RaggedTensor rt;
  void operator()(Storage* s) const { delete s; }
};
}  // namespace

Tensor RaggedTensor::as_tensor() const {
  if (!defined()) throw std::invalid_argument("RaggedTensor.as_tensor: the ragged tensor is undefined");
  if (!is_ragged()) return flat_values_;
  // Inside a trace the row lengths are not known: a traced one's ragged dimensions are 0.
  std::vector<int64_t> dims = shape();
  for (int64_t& d : dims) d = std::max<int64_t>(d, 0);
  const Shape shape(ragged_detail::traced({this}) ? dims : bounding_shape());
  std::shared_ptr<Storage> storage(new Storage(0, flat_values_.device()), RaggedCarrier{*this});
  return Tensor(std::make_shared<TensorImpl>(std::move(storage), 0, shape, flat_values_.dtype()));
}

bool ragged::is_ragged(const Tensor& t) {
  if (!t.defined()) return false;
  const std::shared_ptr<Storage>& st = t.impl()->storage();
  return st && st->nbytes() == 0 && std::get_deleter<RaggedCarrier>(st) != nullptr;
}

RaggedTensor ragged::ragged_of(const Tensor& t) {
  if (!is_ragged(t)) return {};
  return std::get_deleter<RaggedCarrier>(t.impl()->storage())->rt;
}

}  // namespace keras::core
