#include "core/tensor.h"

#include <cstring>
#include <ostream>
#include <stdexcept>

#include "core/cpu/convert.h"
#include "core/cuda_backend.h"
#include "core/dispatch.h"
#include "core/ops.h"
#include "core/tensor_impl.h"

namespace core {
namespace {
const TensorImpl& impl_of(const std::shared_ptr<TensorImpl>& p, const char* what) {
  if (!p) throw std::invalid_argument(std::string(what) + ": the tensor is undefined (empty handle)");
  return *p;
}
}  // namespace

DType Tensor::dtype() const { return impl_of(impl_, "dtype").dtype(); }
const Shape& Tensor::shape() const { return impl_of(impl_, "shape").shape(); }
Device Tensor::device() const { return impl_of(impl_, "device").device(); }
std::size_t Tensor::nbytes() const {
  return static_cast<std::size_t>(size()) * dtype_size(dtype());
}
const void* Tensor::raw_data() const { return impl_of(impl_, "raw_data").data(); }
void* Tensor::raw_mutable_data() { return impl_of(impl_, "raw_mutable_data").data(); }

void Tensor::check_access(DType want, const char* what) const {
  DType have = dtype();
  if (have != want)
    throw std::invalid_argument(std::string(what) + ": requested element type " +
                                dtype_name(want) + " but the tensor has dtype " +
                                dtype_name(have));
}

void Tensor::check_host_read(const char* what) const { tracing::check_not_tracing(what); }

Tensor Tensor::keras_mask() const { return impl_ ? Tensor(impl_->keras_mask) : Tensor(); }

void Tensor::set_keras_mask(const Tensor& mask) const {
  if (!impl_) throw std::invalid_argument("set_keras_mask: the tensor is undefined");
  if (mask.impl_.get() == impl_.get()) throw std::invalid_argument("set_keras_mask: a tensor cannot be its own mask");
  impl_->keras_mask = mask.impl_;
}

double Tensor::item_as_double() const {
  tracing::check_not_tracing("Tensor.item()");
  if (size() != 1)
    throw std::invalid_argument("item: expected a tensor with exactly one element, but "
                                "received shape " + shape().str());
  Tensor h = cpu();
  double v;
  cpu::convert(h.raw_data(), h.dtype(), &v, DType::float64, 1);
  return v;
}

Tensor Tensor::to(Device target) const {
  const TensorImpl& me = impl_of(impl_, "to");
  Device src = me.device();
  if (src == target) return *this;
  if (target.is_cuda() && (target.index < 0 || target.index >= cuda::device_count()))
    throw std::invalid_argument(
        "to: device " + target.str() + " does not exist (" +
        std::to_string(cuda::device_count()) + " CUDA devices visible" +
        (cuda::built_with_cuda() ? "" : "; this build of keras-cpp has no CUDA support") + ")");
  Tensor out = empty(me.shape(), me.dtype(), target);
  std::size_t n = nbytes();
  if (n == 0) return out;
  void* dst = out.raw_mutable_data();
  if (src.is_cpu())
    cuda::copy_host_to_device(dst, me.data(), n, target.index);
  else if (target.is_cpu())
    cuda::copy_device_to_host(dst, me.data(), n, src.index);
  else
    cuda::copy_device_to_device(dst, target.index, me.data(), src.index, n);
  return out;
}

Tensor placeholder(const Shape& shape, DType dtype, Device device) {
  return Tensor(std::make_shared<TensorImpl>(std::make_shared<Storage>(0, device), 0, shape, dtype));
}

Tensor empty(const Shape& shape, DType dtype, Device device) {
  std::size_t n = static_cast<std::size_t>(shape.num_elements());
  std::size_t es = dtype_size(dtype);
  if (n > (std::size_t(1) << 62) / es)
    throw std::overflow_error("empty: a tensor of shape " + shape.str() + " and dtype " +
                              dtype_name(dtype) + " is too large to allocate");
  auto st = std::make_shared<Storage>(n * es, device);
  return Tensor(std::make_shared<TensorImpl>(std::move(st), 0, shape, dtype));
}

Tensor view_as(const Tensor& t, const Shape& shape) {
  const TensorImpl& me = impl_of(t.impl(), "reshape");
  if (shape.num_elements() != me.shape().num_elements())
    throw std::invalid_argument("reshape: cannot view a tensor of shape " + me.shape().str() +
                                " as shape " + shape.str());
  return Tensor(std::make_shared<TensorImpl>(me.storage(), me.offset(), shape, me.dtype()));
}

Tensor from_buffer(const void* data, DType src_dtype, const Shape& shape, DType dtype) {
  Tensor out = empty(shape, dtype);
  if (shape.num_elements() > 0) {
    if (!data) throw std::invalid_argument("from_buffer: data is null but shape " +
                                           shape.str() + " has elements");
    cpu::convert(data, src_dtype, out.raw_mutable_data(), dtype, shape.num_elements());
  }
  return out;
}

void check_buffer_size(int64_t n, const Shape& shape) {
  if (n != shape.num_elements())
    throw std::invalid_argument("constant: " + std::to_string(n) +
                                " values cannot fill shape " + shape.str() + " (expected " +
                                std::to_string(shape.num_elements()) + " values)");
}

namespace detail {
void check_ragged(std::vector<int64_t>& dims, size_t level, int64_t got) {
  if (dims.size() <= level) {
    dims.push_back(got);
  } else if (dims[level] != got) {
    throw std::invalid_argument("constant: nested lists must be rectangular; at depth " +
                                std::to_string(level) + " expected " +
                                std::to_string(dims[level]) + " elements but received " +
                                std::to_string(got));
  }
}
}  // namespace detail

std::ostream& operator<<(std::ostream& os, const Tensor& t) { return os << t.str(); }

// ---- operators ----------------------------------------------------------------------
Tensor operator+(const Tensor& a, const Tensor& b) { return ops::add(a, b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return ops::subtract(a, b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return ops::multiply(a, b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return ops::divide(a, b); }
Tensor operator-(const Tensor& a) { return ops::neg(a); }
Tensor operator+(const Tensor& a, double b) { return ops::add(a, ops::scalar_like(a, b)); }
Tensor operator-(const Tensor& a, double b) { return ops::subtract(a, ops::scalar_like(a, b)); }
Tensor operator*(const Tensor& a, double b) { return ops::multiply(a, ops::scalar_like(a, b)); }
Tensor operator/(const Tensor& a, double b) { return ops::divide(a, ops::scalar_like(a, b)); }
Tensor operator+(double a, const Tensor& b) { return ops::add(ops::scalar_like(b, a), b); }
Tensor operator-(double a, const Tensor& b) { return ops::subtract(ops::scalar_like(b, a), b); }
Tensor operator*(double a, const Tensor& b) { return ops::multiply(ops::scalar_like(b, a), b); }
Tensor operator/(double a, const Tensor& b) { return ops::divide(ops::scalar_like(b, a), b); }
Tensor operator==(const Tensor& a, const Tensor& b) { return ops::equal(a, b); }
Tensor operator!=(const Tensor& a, const Tensor& b) { return ops::not_equal(a, b); }
Tensor operator<(const Tensor& a, const Tensor& b) { return ops::less(a, b); }
Tensor operator<=(const Tensor& a, const Tensor& b) { return ops::less_equal(a, b); }
Tensor operator>(const Tensor& a, const Tensor& b) { return ops::greater(a, b); }
Tensor operator>=(const Tensor& a, const Tensor& b) { return ops::greater_equal(a, b); }
Tensor operator<(const Tensor& a, double b) { return ops::less(a, ops::scalar_like(a, b)); }
Tensor operator<=(const Tensor& a, double b) { return ops::less_equal(a, ops::scalar_like(a, b)); }
Tensor operator>(const Tensor& a, double b) { return ops::greater(a, ops::scalar_like(a, b)); }
Tensor operator>=(const Tensor& a, double b) {
  return ops::greater_equal(a, ops::scalar_like(a, b));
}
Tensor operator&&(const Tensor& a, const Tensor& b) { return ops::logical_and(a, b); }
Tensor operator||(const Tensor& a, const Tensor& b) { return ops::logical_or(a, b); }
Tensor operator!(const Tensor& a) { return ops::logical_not(a); }

}  // namespace core
