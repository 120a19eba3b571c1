#include "core/tensor.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <ostream>
#include <stdexcept>

#include "core/cpu/convert.h"
#include "core/cuda_backend.h"
#include "core/dispatch.h"
#include "core/ops.h"
#include "core/ragged.h"
#include "core/sparse.h"
#include "core/tensor_impl.h"

namespace keras::core {
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
namespace {
// A handle standing for a SparseTensor or a RaggedTensor (as_tensor()) has no elements to read.
void check_not_sparse(const Tensor& t, const char* what) {
  if (sparse::is_sparse(t))
    throw std::invalid_argument(std::string(what) + ": the tensor stands for a SparseTensor of dense shape " +
                                t.shape().str() + " and has no dense elements (use sparse::to_dense)");
  if (ragged::is_ragged(t))
    throw std::invalid_argument(std::string(what) + ": the tensor stands for a RaggedTensor of bounding shape " +
                                t.shape().str() + " and has no dense elements (use RaggedTensor::to_tensor)");
}
}  // namespace

const void* Tensor::raw_data() const {
  const void* p = impl_of(impl_, "raw_data").data();
  if (!p) check_not_sparse(*this, "raw_data");
  return p;
}
void* Tensor::raw_mutable_data() {
  void* p = impl_of(impl_, "raw_mutable_data").data();
  if (!p) check_not_sparse(*this, "raw_mutable_data");
  return p;
}

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

namespace {
// The single element of t on the host, exactly: integer and bool dtypes as int64 (`*i`),
// float dtypes as double (`*f`); returns whether the element is an integer.
bool read_item(const Tensor& t, int64_t* i, double* f) {
  tracing::check_not_tracing("Tensor.item()");
  if (t.size() != 1)
    throw std::invalid_argument("item: expected a tensor with exactly one element, but "
                                "received shape " + t.shape().str());
  Tensor h = t.cpu();
  if (h.dtype() == DType::string)
    throw ConversionError("item: a tensor of dtype string has no number value (read it with "
                          "item<std::string>(), or convert it with strings::to_number)");
  if (is_complex(h.dtype()))
    throw ConversionError("item: a tensor of dtype " + std::string(dtype_name(h.dtype())) +
                          " has no real C++ value (read it with data<std::complex<...>>() or "
                          "take ops::real first)");
  if (is_floating(h.dtype())) {
    cpu::convert(h.raw_data(), h.dtype(), f, DType::float64, 1);
    return false;
  }
  cpu::convert(h.raw_data(), h.dtype(), i, DType::int64, 1);
  return true;
}

[[noreturn]] void throw_item(const std::string& value, const Tensor& t, const std::string& why) {
  throw ConversionError("item: cannot convert the value " + value + " of a tensor of dtype " +
                        dtype_name(t.dtype()) + " to the requested C++ type (" + why + ")");
}

std::string range_str(const std::string& lo, const std::string& hi) {
  return "out of its range [" + lo + ", " + hi + "]";
}

// A float value as an integer (truncated toward zero); throws for NaN and inf.
double truncated(double f, const Tensor& t) {
  if (std::isnan(f)) throw_item("nan", t, "nan has no integer value");
  if (std::isinf(f)) throw_item(format_scalar(f), t, "infinity has no integer value");
  return std::trunc(f);
}
}  // namespace

std::string Tensor::item_string() const {
  tracing::check_not_tracing("Tensor.item()");
  if (size() != 1)
    throw std::invalid_argument("item: expected a tensor with exactly one element, but "
                                "received shape " + shape().str());
  if (dtype() != DType::string)
    throw ConversionError("item: a tensor of dtype " + std::string(dtype_name(dtype())) +
                          " has no string value (item<std::string>() reads string tensors; "
                          "strings::as_string converts numbers)");
  return *static_cast<const std::string*>(raw_data());
}

bool Tensor::item_bool() const {
  int64_t i = 0;
  double f = 0;
  return read_item(*this, &i, &f) ? i != 0 : f != 0.0;
}

double Tensor::item_floating(bool to_float32) const {
  int64_t i = 0;
  double f = 0;
  if (read_item(*this, &i, &f)) return static_cast<double>(i);
  if (to_float32 && std::isfinite(f) && std::fabs(f) > std::numeric_limits<float>::max())
    throw_item(format_scalar(f), *this, "out of the range of float");
  return f;
}

int64_t Tensor::item_signed(int64_t lo, int64_t hi) const {
  int64_t i = 0;
  double f = 0;
  if (read_item(*this, &i, &f)) {
    if (i < lo || i > hi) throw_item(std::to_string(i), *this, range_str(std::to_string(lo), std::to_string(hi)));
    return i;
  }
  const double t = truncated(f, *this);
  // lo is -2^k (exact in double); hi + 1 = 2^k rounds exactly too.
  if (t < static_cast<double>(lo) || t >= static_cast<double>(hi) + 1.0)
    throw_item(format_scalar(f), *this, range_str(std::to_string(lo), std::to_string(hi)));
  return static_cast<int64_t>(t);
}

uint64_t Tensor::item_unsigned(uint64_t hi) const {
  int64_t i = 0;
  double f = 0;
  if (read_item(*this, &i, &f)) {
    if (i < 0 || static_cast<uint64_t>(i) > hi)
      throw_item(std::to_string(i), *this, range_str("0", std::to_string(hi)));
    return static_cast<uint64_t>(i);
  }
  const double t = truncated(f, *this);
  if (t < 0.0 || t >= static_cast<double>(hi) + 1.0)
    throw_item(format_scalar(f), *this, range_str("0", std::to_string(hi)));
  return static_cast<uint64_t>(t);
}

Tensor Tensor::to(Device target) const {
  const TensorImpl& me = impl_of(impl_, "to");
  Device src = me.device();
  if (src == target) return *this;
  if (me.dtype() == DType::string)  // as TensorFlow, which keeps strings in host memory
    throw std::invalid_argument("to: string tensors live on the CPU; cannot copy a string tensor "
                                "of shape " + me.shape().str() + " to " + target.str());
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

namespace {
Tensor empty_strings(const Shape& shape, Device device) {
  if (!device.is_cpu())
    throw std::invalid_argument("string tensors live on the CPU; cannot create a string tensor "
                                "of shape " + shape.str() + " on " + device.str());
  const int64_t n = shape.num_elements();
  if (static_cast<uint64_t>(n) > (uint64_t(1) << 62) / sizeof(std::string))
    throw OutOfMemoryError("cannot allocate a tensor of shape " + shape.str() +
                           " and dtype string: " + std::to_string(n) + " elements");
  try {
    auto v = std::make_shared<std::vector<std::string>>(static_cast<std::size_t>(n));
    return Tensor(std::make_shared<TensorImpl>(std::move(v), 0, shape));
  } catch (const std::bad_alloc&) {
    throw OutOfMemoryError("out of memory allocating a tensor of shape " + shape.str() +
                           " and dtype string (" + std::to_string(n) + " elements)");
  }
}
}  // namespace

Tensor placeholder(const Shape& shape, DType dtype, Device device) {
  return Tensor(std::make_shared<TensorImpl>(std::make_shared<Storage>(0, device), 0, shape, dtype));
}

Tensor empty(const Shape& shape, DType dtype, Device device) {
  if (dtype == DType::string) return empty_strings(shape, device);
  std::size_t n = static_cast<std::size_t>(shape.num_elements());
  std::size_t es = dtype_size(dtype);
  const std::string what = "a tensor of shape " + (shape.rank() ? shape.str() : "()") +
                           " and dtype " + dtype_name(dtype);
  if (n > (std::size_t(1) << 62) / es)
    throw OutOfMemoryError("cannot allocate " + what + ": its size, " + std::to_string(n) +
                           " elements of " + std::to_string(es) + " bytes, exceeds 2^62 bytes");
  std::shared_ptr<Storage> st;
  try {
    st = std::make_shared<Storage>(n * es, device);
  } catch (const OutOfMemoryError&) {
    throw;
  } catch (const std::bad_alloc&) {
    std::string held;
    if (device.is_cuda()) {  // what the device's allocator holds (its cache was released first)
      const cuda::MemoryStats m = cuda::memory_stats(device.index);
      held = "; " + std::to_string(m.bytes_in_use) + " bytes are held by live tensors on " + device.str();
    }
    throw OutOfMemoryError("out of memory allocating " + what + " (" + std::to_string(n * es) +
                           " bytes) on " + device.str() + held);
  }
  return Tensor(std::make_shared<TensorImpl>(std::move(st), 0, shape, dtype));
}

Tensor view_as(const Tensor& t, const Shape& shape) {
  const TensorImpl& me = impl_of(t.impl(), "reshape");
  if (shape.num_elements() != me.shape().num_elements())
    throw std::invalid_argument("reshape: cannot view a tensor of shape " + me.shape().str() +
                                " as shape " + shape.str());
  if (me.strings()) return Tensor(std::make_shared<TensorImpl>(me.strings(), me.offset(), shape));
  return Tensor(std::make_shared<TensorImpl>(me.storage(), me.offset(), shape, me.dtype()));
}

Tensor from_buffer(const void* data, DType src_dtype, const Shape& shape, DType dtype) {
  if (src_dtype == DType::string || dtype == DType::string) {
    if (src_dtype != dtype)
      throw ConversionError(std::string("from_buffer: cannot convert dtype ") + dtype_name(src_dtype) +
                            " to dtype " + dtype_name(dtype) + " (use strings::to_number or "
                            "strings::as_string)");
    Tensor out = empty(shape, dtype);
    const int64_t n = shape.num_elements();
    if (n > 0 && !data)
      throw std::invalid_argument("from_buffer: data is null but shape " + shape.str() + " has elements");
    const auto* src = static_cast<const std::string*>(data);  // n std::string objects
    std::string* dst = out.mutable_data<std::string>();
    for (int64_t i = 0; i < n; ++i) dst[i] = src[i];
    return out;
  }
  Tensor out = empty(shape, dtype);
  if (shape.num_elements() > 0) {
    if (!data) throw std::invalid_argument("from_buffer: data is null but shape " +
                                           shape.str() + " has elements");
    cpu::convert(data, src_dtype, out.raw_mutable_data(), dtype, shape.num_elements());
  }
  return out;
}

void check_values_fit(const void* data, DType src, int64_t n, DType dtype, const char* what) {
  if (src == dtype || is_floating(dtype)) return;
  for (int64_t i = 0; i < n; ++i) {
    switch (src) {
      case DType::float32: check_scalar_fits(static_cast<const float*>(data)[i], dtype, what); break;
      case DType::float64: check_scalar_fits(static_cast<const double*>(data)[i], dtype, what); break;
      case DType::float16: check_scalar_fits(half_to_float(static_cast<const float16_t*>(data)[i]), dtype, what); break;
      case DType::bfloat16: check_scalar_fits(bfloat16_to_float(static_cast<const bfloat16_t*>(data)[i]), dtype, what); break;
      case DType::int32: check_integer_fits(static_cast<const int32_t*>(data)[i], dtype, what); break;
      case DType::int64: check_integer_fits(static_cast<const int64_t*>(data)[i], dtype, what); break;
      case DType::uint8:
      case DType::bool_: check_integer_fits(static_cast<const uint8_t*>(data)[i], dtype, what); break;
      case DType::int8: check_integer_fits(static_cast<const int8_t*>(data)[i], dtype, what); break;
      case DType::int16: check_integer_fits(static_cast<const int16_t*>(data)[i], dtype, what); break;
      case DType::uint16: check_integer_fits(static_cast<const uint16_t*>(data)[i], dtype, what); break;
      case DType::uint32: check_integer_fits(static_cast<const uint32_t*>(data)[i], dtype, what); break;
      case DType::string:
        if (dtype != DType::string)
          throw ConversionError(std::string(what) + ": cannot convert a string to dtype " +
                                dtype_name(dtype) + " (use strings::to_number)");
        return;
      case DType::complex64:
      case DType::complex128:  // only complex dtypes take complex values
        if (!is_complex(dtype))
          throw ConversionError(std::string(what) + ": cannot convert a complex value to dtype " +
                                dtype_name(dtype) + " (use ops::real or ops::cast)");
        return;
    }
  }
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

// ---- string constants ---------------------------------------------------------------
Tensor constant(const std::vector<std::string>& values, const Shape& shape) {
  check_buffer_size(static_cast<int64_t>(values.size()), shape);
  return from_buffer(values.data(), DType::string, shape, DType::string);
}
Tensor constant(const std::vector<std::string>& values) {
  return constant(values, Shape{static_cast<int64_t>(values.size())});
}
Tensor constant(const std::string& value) {
  return from_buffer(&value, DType::string, Shape{}, DType::string);
}
Tensor constant(const char* value) {
  if (!value) throw std::invalid_argument("constant: a null C string");
  return constant(std::string(value));
}
namespace detail {
Tensor string_rows(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::string> v;
  std::vector<int64_t> dims;
  check_ragged(dims, 0, static_cast<int64_t>(rows.size()));
  for (const auto& row : rows) {
    check_ragged(dims, 1, static_cast<int64_t>(row.size()));
    v.insert(v.end(), row.begin(), row.end());
  }
  if (dims.size() < 2) dims.push_back(0);  // {} has no rows: shape (0, 0)
  return constant(v, Shape(dims));
}
}  // namespace detail

std::ostream& operator<<(std::ostream& os, const Tensor& t) { return os << t.str(); }

// ---- operators ----------------------------------------------------------------------
Tensor operator+(const Tensor& a, const Tensor& b) { return ops::add(a, b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return ops::subtract(a, b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return ops::multiply(a, b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return ops::divide(a, b); }
Tensor operator-(const Tensor& a) { return ops::neg(a); }
Tensor operator+(const Tensor& a, double b) { return ops::add(a, ops::scalar_like(a, b, "operator+")); }
Tensor operator-(const Tensor& a, double b) { return ops::subtract(a, ops::scalar_like(a, b, "operator-")); }
Tensor operator*(const Tensor& a, double b) { return ops::multiply(a, ops::scalar_like(a, b, "operator*")); }
Tensor operator/(const Tensor& a, double b) { return ops::divide(a, ops::scalar_like(a, b, "operator/")); }
Tensor operator+(double a, const Tensor& b) { return ops::add(ops::scalar_like(b, a, "operator+"), b); }
Tensor operator-(double a, const Tensor& b) { return ops::subtract(ops::scalar_like(b, a, "operator-"), b); }
Tensor operator*(double a, const Tensor& b) { return ops::multiply(ops::scalar_like(b, a, "operator*"), b); }
Tensor operator/(double a, const Tensor& b) { return ops::divide(ops::scalar_like(b, a, "operator/"), b); }
Tensor operator==(const Tensor& a, const Tensor& b) { return ops::equal(a, b); }
Tensor operator!=(const Tensor& a, const Tensor& b) { return ops::not_equal(a, b); }
Tensor operator<(const Tensor& a, const Tensor& b) { return ops::less(a, b); }
Tensor operator<=(const Tensor& a, const Tensor& b) { return ops::less_equal(a, b); }
Tensor operator>(const Tensor& a, const Tensor& b) { return ops::greater(a, b); }
Tensor operator>=(const Tensor& a, const Tensor& b) { return ops::greater_equal(a, b); }
Tensor operator<(const Tensor& a, double b) { return ops::less(a, ops::scalar_like(a, b, "operator<")); }
Tensor operator<=(const Tensor& a, double b) { return ops::less_equal(a, ops::scalar_like(a, b, "operator<=")); }
Tensor operator>(const Tensor& a, double b) { return ops::greater(a, ops::scalar_like(a, b, "operator>")); }
Tensor operator>=(const Tensor& a, double b) {
  return ops::greater_equal(a, ops::scalar_like(a, b, "operator>="));
}
Tensor operator&&(const Tensor& a, const Tensor& b) { return ops::logical_and(a, b); }
Tensor operator||(const Tensor& a, const Tensor& b) { return ops::logical_or(a, b); }
Tensor operator!(const Tensor& a) { return ops::logical_not(a); }

}  // namespace keras::core
