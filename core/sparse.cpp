// sparse.cpp - SparseTensor: construction and validation, and the tf.sparse ops that
// convert or reorder entries (reorder, to_dense, from_dense, retain).
#include "core/sparse.h"

#include <algorithm>
#include <numeric>
#include <optional>
#include <ostream>

#include "core/composite.h"
#include "core/function.h"
#include "core/ops.h"
#include "core/ops/sparse_util.h"
#include "core/tensor_impl.h"

namespace keras::core {

using sparse_util::fail;
using sparse_util::index_str;

SparseTensor::SparseTensor(Tensor indices, Tensor values, Tensor dense_shape)
    : indices_(std::move(indices)), values_(std::move(values)),
      dense_shape_tensor_(std::move(dense_shape)) {
  if (!dense_shape_tensor_.defined()) fail("SparseTensor: dense_shape is an undefined tensor");
  if (dense_shape_tensor_.dtype() != DType::int64 || dense_shape_tensor_.rank() != 1)
    fail("SparseTensor: expected dense_shape to be a 1-d int64 tensor, but received " +
         std::string(dtype_name(dense_shape_tensor_.dtype())) + " " +
         dense_shape_tensor_.shape().str());
  if (tracing::is_traced(dense_shape_tensor_))
    fail("SparseTensor: inside a traced function, dense_shape must be known at trace time (a constant or a C++ "
         "list), but it is a traced value");
  {
    std::optional<InitScope> now;  // a constant read inside a trace
    if (tracing::t_tracer) now.emplace();
    shape_ = dense_shape_tensor_.to_vector<int64_t>();
  }
  validate();
}

SparseTensor::SparseTensor(Tensor indices, Tensor values, const std::vector<int64_t>& dense_shape)
    : indices_(std::move(indices)), values_(std::move(values)), shape_(dense_shape) {
  dense_shape_tensor_ = constant(shape_, Shape{static_cast<int64_t>(shape_.size())});
  validate();
}

void SparseTensor::validate() {
  if (!indices_.defined()) fail("SparseTensor: indices is an undefined tensor");
  if (!values_.defined()) fail("SparseTensor: values is an undefined tensor");
  if (indices_.dtype() != DType::int64)
    fail("SparseTensor: expected indices of dtype int64, but received " +
         std::string(dtype_name(indices_.dtype())) + " (use ops::cast)");
  if (indices_.rank() != 2)
    fail("SparseTensor: expected indices of rank 2 (N, rank), but received shape " +
         indices_.shape().str());
  if (values_.rank() != 1)
    fail("SparseTensor: expected values of rank 1 (N,), but received shape " + values_.shape().str());
  const int64_t n = indices_.shape()[0], rank = indices_.shape()[1];
  if (values_.shape()[0] != n)
    fail("SparseTensor: expected one value per index, " + std::to_string(n) +
         ", but received values of shape " + values_.shape().str() + " for indices of shape " +
         indices_.shape().str());
  if (rank != static_cast<int64_t>(shape_.size()))
    fail("SparseTensor: indices of shape " + indices_.shape().str() + " address " +
         std::to_string(rank) + " dimensions, but dense_shape " + index_str(shape_) + " has " +
         std::to_string(shape_.size()));
  for (size_t j = 0; j < shape_.size(); ++j)
    if (shape_[j] < 0)
      fail("SparseTensor: expected a non-negative dense_shape, but received " + index_str(shape_) +
           " (dimension " + std::to_string(j) + ")");
  nnz_ = n;
  ordered_ = true;
  const std::vector<int64_t> idx = host_indices();
  for (int64_t i = 0; i < n; ++i) {
    const int64_t* p = idx.data() + i * rank;
    for (int64_t j = 0; j < rank; ++j)
      if (p[j] < 0 || p[j] >= shape_[static_cast<size_t>(j)])
        fail("SparseTensor: indices[" + std::to_string(i) + "] = " + index_str(p, rank) +
             " is out of bounds: need 0 <= index < " + index_str(shape_));
    if (i > 0 && ordered_ && sparse_util::lex_cmp(p - rank, p, rank) >= 0) ordered_ = false;
  }
}

std::vector<int64_t> SparseTensor::host_indices() const {
  if (symbolic_) symbolic_access("host_indices()");
  if (!indices_.defined()) return {};
  std::optional<InitScope> now;  // known at trace time (a constant): read it now
  if (tracing::t_tracer && !tracing::is_traced(indices_)) now.emplace();
  return indices_.to_vector<int64_t>();
}

const Tensor& SparseTensor::symbolic_access(const char* what) const {
  throw std::invalid_argument("SparseTensor." + std::string(what) + ": this sparse tensor (dense shape " +
                              index_str(shape_) + ", " + dtype_name(values_.dtype()) +
                              ") is a value of a traced function (keras::function): its entries exist only when "
                              "the graph runs; use sparse ops on it (sparse::to_dense, reduce_sum, ...), or "
                              "return it from the function");
}

const Tensor& SparseTensor::symbolic_entries(bool values) const {
  const char* what = values ? "values()" : "indices()";
  if (!tracing::t_tracer || !carrier_.defined()) symbolic_access(what);
  // The number of entries the trace sees is a stand-in's (core/composite.h): core::function
  // checks that the graph does not hold it.
  composite::count_made_up_size();
  Tensor& node = traced_entries_[values ? 1 : 0];
  node = composite::call1(std::string("SparseTensor.") + what, "", {carrier_}, [values](const std::vector<Tensor>& in) {
    const SparseTensor sp = sparse::sparse_of(in[0]);
    return std::vector<Tensor>{values ? sp.values() : sp.indices()};
  });
  return node;
}

SparseTensor SparseTensor::symbolic_value(const std::vector<int64_t>& shape, DType dtype, Device device,
                                          bool unknown_last_dim) {
  SparseTensor sp;
  sp.shape_ = shape;
  sp.dense_shape_tensor_ = constant(shape, Shape{static_cast<int64_t>(shape.size())});
  sp.values_ = placeholder(Shape{0}, dtype, device);  // carries the dtype and device only
  sp.symbolic_ = true;
  sp.unknown_last_ = unknown_last_dim;
  sp.ordered_ = false;
  return sp;
}

SparseTensor SparseTensor::with_values(const Tensor& values) const {
  sparse_util::check_defined(*this, "SparseTensor.with_values", "the sparse tensor");
  if (symbolic_) {
    if (!tracing::t_tracer || !carrier_.defined()) symbolic_access("with_values()");
    return sparse::sparse_of(composite::call1("SparseTensor.with_values", "", {carrier_, values},
                                              [](const std::vector<Tensor>& in) {
      const SparseTensor sp = sparse::sparse_of(in[0]);
      Tensor v = in[1];
      // At trace time the stand-in's entries need not number the values' stand-in's.
      if (composite::probing() && v.rank() == 1 && v.shape()[0] != sp.nnz()) v = ops::zeros(Shape{sp.nnz()}, v.dtype());
      return std::vector<Tensor>{sp.with_values(v).as_tensor()};
    }));
  }
  return SparseTensor(indices_, values, dense_shape_tensor_);
}

std::string SparseTensor::str() const {
  if (!defined()) return "SparseTensor(<undefined>)";
  if (symbolic_)
    return "SparseTensor(<traced>, dtype=" + std::string(dtype_name(values_.dtype())) + ", dense_shape=" +
           (unknown_last_ ? "<known when the graph runs>" : index_str(shape_)) + ")";
  return "SparseTensor(indices=" + indices_.str() + ", values=" + values_.str() +
         ", dense_shape=" + dense_shape_tensor_.str() + ")";
}

std::ostream& operator<<(std::ostream& os, const SparseTensor& sp) { return os << sp.str(); }

namespace {
// A handle from as_tensor() has an empty storage whose shared_ptr deleter holds the sparse
// tensor: std::get_deleter finds it again, and TensorImpl needs no field for it.
struct SparseCarrier {
  SparseTensor sp;
  void operator()(Storage* s) const { delete s; }
};
}  // namespace

Tensor SparseTensor::as_tensor() const {
  sparse_util::check_defined(*this, "SparseTensor.as_tensor", "the sparse tensor");
  if (carrier_.defined()) return carrier_;  // a symbolic one: its graph value
  const Shape shape(shape_);  // raises when the dense shape has more than 2^63 - 1 elements
  std::shared_ptr<Storage> storage(new Storage(0, values_.device()), SparseCarrier{*this});
  return Tensor(std::make_shared<TensorImpl>(std::move(storage), 0, shape, values_.dtype()));
}

bool sparse::is_sparse(const Tensor& t) {
  if (!t.defined()) return false;
  const std::shared_ptr<Storage>& st = t.impl()->storage();
  return st && st->nbytes() == 0 && std::get_deleter<SparseCarrier>(st) != nullptr;
}

SparseTensor sparse::sparse_of(const Tensor& t) {
  if (!is_sparse(t)) return {};
  SparseTensor sp = std::get_deleter<SparseCarrier>(t.impl()->storage())->sp;
  if (sp.symbolic_) sp.carrier_ = t;  // the graph value it stands for
  return sp;
}

void sparse_util::check_ordered(const SparseTensor& sp, const char* op) {
  if (sp.ordered()) return;
  const std::vector<int64_t> idx = sp.host_indices();
  const int64_t rank = sp.rank();
  for (int64_t i = 1; i < sp.nnz(); ++i) {
    const int64_t* p = idx.data() + i * rank;
    const int c = lex_cmp(p - rank, p, rank);
    if (c > 0)
      fail(std::string(op) + ": indices[" + std::to_string(i) + "] = " + index_str(p, rank) +
           " is out of order. Many sparse ops require sorted indices; use sparse::reorder to "
           "create a correctly ordered copy");
    if (c == 0)
      fail(std::string(op) + ": indices[" + std::to_string(i) + "] = " + index_str(p, rank) +
           " is repeated");
  }
}

}  // namespace keras::core

namespace keras::core::sparse {

using sparse_util::fail;

using sparse_util::sp_of;

SparseTensor reorder(const SparseTensor& sp) {
  sparse_util::check_defined(sp, "sparse.reorder");
  if (composite::needed({&sp}))
    return sparse_util::traced_sparse("sparse.reorder", "", {composite::graph_value(sp)},
                                      [](const std::vector<Tensor>& v) { return reorder(sp_of(v[0])); });
  if (sp.ordered()) return sp;
  const std::vector<int64_t> idx = sp.host_indices();
  const int64_t rank = sp.rank();
  std::vector<int64_t> perm(static_cast<size_t>(sp.nnz()));
  std::iota(perm.begin(), perm.end(), 0);
  std::stable_sort(perm.begin(), perm.end(), [&](int64_t a, int64_t b) {
    return sparse_util::lex_cmp(idx.data() + a * rank, idx.data() + b * rank, rank) < 0;
  });
  std::vector<int64_t> out(idx.size());
  for (size_t i = 0; i < perm.size(); ++i)
    std::copy_n(idx.begin() + perm[i] * rank, rank, out.begin() + static_cast<int64_t>(i) * rank);
  return sparse_util::make(out, sparse_util::take(sp.values(), perm), sp.shape());
}

Tensor to_dense(const SparseTensor& sp, double default_value, bool validate_indices) {
  sparse_util::check_defined(sp, "sparse.to_dense");
  if (composite::needed({&sp}))
    return sparse_util::traced_dense("sparse.to_dense", sparse_util::num(default_value) + (validate_indices ? ",1" : ",0"),
                                     {composite::graph_value(sp)}, [=](const std::vector<Tensor>& v) {
                                       return to_dense(sp_of(v[0]), default_value, validate_indices);
                                     });
  if (validate_indices) sparse_util::check_ordered(sp, "sparse.to_dense");
  const Tensor fill = ops::scalar_like(sp.values(), default_value, "sparse.to_dense default_value");
  Shape shape(sp.shape());  // raises when the dense tensor cannot exist
  if (sp.rank() == 0)  // a repeated index takes its last value, as TensorFlow's kernel
    return sp.nnz() ? ops::reshape(sparse_util::take(sp.values(), {sp.nnz() - 1}), {}) : fill;
  if (!sp.ordered())  // unvalidated: repeats may occur, and the last one wins
    return ops::scatter_update(ops::broadcast_to(fill, shape), sp.indices(), sp.values());
  Tensor dense = ops::scatter(sp.indices(), sp.values(), sp.shape());
  if (default_value == 0.0) return dense;
  std::vector<uint8_t> hit(static_cast<size_t>(shape.num_elements()), 0);
  const std::vector<int64_t> idx = sp.host_indices();
  const int64_t rank = sp.rank();
  for (int64_t i = 0; i < sp.nnz(); ++i) {
    int64_t lin = 0;
    for (int64_t j = 0; j < rank; ++j) lin = lin * sp.shape()[j] + idx[i * rank + j];
    hit[static_cast<size_t>(lin)] = 1;
  }
  Tensor mask = from_buffer(hit.data(), shape, DType::bool_);
  if (sp.values().device() != Device::cpu()) mask = mask.to(sp.values().device());
  return ops::where(mask, dense, ops::broadcast_to(fill, shape));
}

SparseTensor from_dense(const Tensor& x) {
  if (!x.defined()) fail("sparse.from_dense: the input is an undefined tensor");
  if (composite::needed({}, {&x}))
    return sparse_util::traced_sparse("sparse.from_dense", "", {x},
                                      [](const std::vector<Tensor>& v) { return from_dense(v[0]); });
  const Tensor nz = ops::cast(ops::not_equal(x, ops::zeros_like(x)), DType::uint8);
  const std::vector<uint8_t> flags = nz.to_vector<uint8_t>();
  const std::vector<int64_t>& dims = x.shape().dims();
  const int64_t rank = x.rank();
  std::vector<int64_t> pos, idx;
  for (size_t lin = 0; lin < flags.size(); ++lin) {
    if (!flags[lin]) continue;
    pos.push_back(static_cast<int64_t>(lin));
    std::vector<int64_t> at(static_cast<size_t>(rank));
    int64_t rest = static_cast<int64_t>(lin);
    for (int64_t j = rank - 1; j >= 0; --j) {
      at[j] = rest % dims[j];
      rest /= dims[j];
    }
    idx.insert(idx.end(), at.begin(), at.end());
  }
  return sparse_util::make(idx, sparse_util::take(ops::reshape(x, {-1}), pos), dims);
}

SparseTensor retain(const SparseTensor& sp, const Tensor& to_retain) {
  sparse_util::check_defined(sp, "sparse.retain");
  if (!to_retain.defined()) fail("sparse.retain: to_retain is an undefined tensor");
  if (composite::needed({&sp}, {&to_retain}))
    return sparse_util::traced_sparse("sparse.retain", "", {composite::graph_value(sp), to_retain},
                                      [](const std::vector<Tensor>& v) { return retain(sp_of(v[0]), v[1]); });
  if (to_retain.dtype() != DType::bool_ || to_retain.shape() != Shape{sp.nnz()})
    fail("sparse.retain: expected to_retain of dtype bool and shape (" + std::to_string(sp.nnz()) +
         ",) (one flag per entry), but received " + dtype_name(to_retain.dtype()) + " " +
         to_retain.shape().str());
  const std::vector<uint8_t> keep = ops::cast(to_retain, DType::uint8).to_vector<uint8_t>();
  const std::vector<int64_t> idx = sp.host_indices();
  const int64_t rank = sp.rank();
  std::vector<int64_t> pos, out;
  for (int64_t i = 0; i < sp.nnz(); ++i) {
    if (!keep[static_cast<size_t>(i)]) continue;
    pos.push_back(i);
    out.insert(out.end(), idx.begin() + i * rank, idx.begin() + (i + 1) * rank);
  }
  return sparse_util::make(out, sparse_util::take(sp.values(), pos), sp.shape());
}

}  // namespace keras::core::sparse

namespace keras::core::sparse {

Tensor shape_tensor(const SparseTensor& sp) {
  sparse_util::check_defined(sp, "sparse.shape_tensor");
  if (!sp.symbolic()) return sp.dense_shape();
  return sparse_util::traced_dense("sparse.dense_shape", "", {sp.as_tensor()},
                                   [](const std::vector<Tensor>& v) { return sp_of(v[0]).dense_shape(); });
}

}  // namespace keras::core::sparse
