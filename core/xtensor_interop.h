// xtensor_interop.h - opt-in bridge between core::Tensor and xtensor containers.
//
// Include this header only where xtensor is wanted: it pulls in xtensor, which the
// rest of the public API never does (DESIGN.md, rule 1). Every function copies the
// elements (row-major); the Tensor and the container never share memory.
//
//   xt::xarray<float> a = {{1, 2}, {3, 4}};
//   core::Tensor t = core::from_xarray(a);                    // float32, shape (2, 2)
//   xt::xarray<float> b = core::to_xarray<float>(t);
//   xt::xtensor<float, 2> c = core::to_xtensor<float, 2>(t);  // rank checked
//
// Element types: float, double, int32_t, int64_t, uint8_t, bool (the tensor dtypes
// float32, float64, int32, int64, uint8, bool). Tensors on a GPU are copied to the host
// first. A mismatched dtype or rank raises std::invalid_argument naming what was
// expected and what was received.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

// g++ 12 reports a false -Warray-bounds inside xtensor's xstorage.hpp; silence it for
// xtensor's own code only.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Warray-bounds"
#include <xtensor/xarray.hpp>
#include <xtensor/xtensor.hpp>
#pragma GCC diagnostic pop

#include "core/device.h"
#include "core/dtype.h"
#include "core/shape.h"
#include "core/tensor.h"

namespace keras::core {

namespace interop_detail {

template <class T>
inline constexpr bool is_element_v =
    std::is_same_v<T, float> || std::is_same_v<T, double> || std::is_same_v<T, int32_t> ||
    std::is_same_v<T, int64_t> || std::is_same_v<T, uint8_t> || std::is_same_v<T, bool>;

template <class T>
constexpr void check_element() {
  static_assert(is_element_v<T>,
                "xtensor interop: the element type must be float, double, int32_t, int64_t, "
                "uint8_t or bool (the tensor dtypes float32, float64, int32, int64, uint8, bool)");
}

/// An xtensor shape as a core::Shape (throws std::overflow_error past int64).
template <class S>
Shape to_core_shape(const S& shape, const char* what) {
  std::vector<int64_t> dims;
  dims.reserve(shape.size());
  for (auto d : shape) {
    if (static_cast<std::size_t>(d) > static_cast<std::size_t>(std::numeric_limits<int64_t>::max()))
      throw std::overflow_error(std::string(what) + ": a dimension of the xtensor shape does "
                                "not fit in int64");
    dims.push_back(static_cast<int64_t>(d));
  }
  return Shape(std::move(dims));
}

/// A Tensor holding a copy of a container's elements in row-major order.
template <class T, class C>
Tensor from_container(const C& c, Device device, const char* what) {
  check_element<T>();
  Shape shape = to_core_shape(c.shape(), what);
  Tensor out;
  if (c.layout() == xt::layout_type::row_major) {
    out = from_buffer(c.size() ? c.data() : nullptr, shape, dtype_of_v<T>);
  } else {  // column-major or dynamic layout: let xtensor reorder the elements
    xt::xarray<T, xt::layout_type::row_major> row_major = c;
    out = from_buffer(row_major.size() ? row_major.data() : nullptr, shape, dtype_of_v<T>);
  }
  return device.is_cpu() ? out : out.to(device);
}

template <class T>
void check_dtype(const Tensor& t, const char* what, const char* container) {
  check_element<T>();
  if (t.dtype() != dtype_of_v<T>)
    throw std::invalid_argument(std::string(what) + ": expected a tensor of dtype " +
                                dtype_name(dtype_of_v<T>) + " (the element type of " +
                                container + ") but received dtype " + dtype_name(t.dtype()) +
                                " with shape " + t.shape().str());
}

/// Copies a host tensor's elements into a freshly shaped row-major container.
template <class T, class C>
void copy_into(const Tensor& host, C& c) {
  std::size_t n = static_cast<std::size_t>(host.size());
  if (n > 0) std::memcpy(c.data(), host.data<T>(), n * sizeof(T));
}

}  // namespace interop_detail

// ---- xtensor -> Tensor --------------------------------------------------------------

/// A tensor with a copy of `a` (dtype from T, shape from a), on `device` (CPU default).
template <class T, xt::layout_type L>
Tensor from_xarray(const xt::xarray<T, L>& a, Device device = Device::cpu()) {
  return interop_detail::from_container<T>(a, device, "from_xarray");
}

/// A tensor with a copy of `a` (dtype from T, shape from a), on `device` (CPU default).
template <class T, std::size_t N, xt::layout_type L>
Tensor from_xtensor(const xt::xtensor<T, N, L>& a, Device device = Device::cpu()) {
  return interop_detail::from_container<T>(a, device, "from_xtensor");
}

/// Any xtensor expression (views, lazy arithmetic), evaluated first.
template <class E>
Tensor from_xexpression(const xt::xexpression<E>& e, Device device = Device::cpu()) {
  using T = typename E::value_type;
  xt::xarray<T, xt::layout_type::row_major> a = e.derived_cast();
  return interop_detail::from_container<T>(a, device, "from_xexpression");
}

// ---- Tensor -> xtensor --------------------------------------------------------------

/// A row-major xt::xarray<T> with a copy of t's elements. T must match t.dtype().
template <class T>
xt::xarray<T> to_xarray(const Tensor& t) {
  interop_detail::check_dtype<T>(t, "to_xarray", "xt::xarray<T>");
  Tensor host = t.cpu();
  std::vector<std::size_t> shape(host.shape().dims().begin(), host.shape().dims().end());
  xt::xarray<T> out = xt::xarray<T>::from_shape(shape);
  interop_detail::copy_into<T>(host, out);
  return out;
}

/// A row-major xt::xtensor<T, N> with a copy of t's elements. T must match t.dtype() and
/// N must equal t.rank().
template <class T, std::size_t N>
xt::xtensor<T, N> to_xtensor(const Tensor& t) {
  interop_detail::check_dtype<T>(t, "to_xtensor", "xt::xtensor<T, N>");
  if (t.rank() != static_cast<int64_t>(N))
    throw std::invalid_argument("to_xtensor: expected a tensor of rank " + std::to_string(N) +
                                " (xt::xtensor<T, " + std::to_string(N) +
                                ">) but received shape " + t.shape().str() + " (rank " +
                                std::to_string(t.rank()) + ")");
  Tensor host = t.cpu();
  std::array<std::size_t, N> shape{};
  for (std::size_t i = 0; i < N; ++i) shape[i] = static_cast<std::size_t>(host.shape()[static_cast<int64_t>(i)]);
  xt::xtensor<T, N> out = xt::xtensor<T, N>::from_shape(shape);
  interop_detail::copy_into<T>(host, out);
  return out;
}

}  // namespace keras::core
