// convert.cpp - dtype conversion on the host, and the CPU kernel of `cast`.
#include "core/cpu/convert.h"

#include <cmath>
#include <complex>
#include <cstring>
#include <stdexcept>
#include <string>
#include <limits>
#include <type_traits>

#include "core/cpu/isa.h"
#include "core/cpu/parallel.h"
#include "core/dispatch.h"
#include "core/init.h"
#include "core/tensor.h"

namespace keras::core::cpu {
namespace {

template <class T> struct is_complex_t : std::false_type {};
template <class T> struct is_complex_t<std::complex<T>> : std::true_type {};
template <class T>
inline constexpr bool is_half_t = std::is_same_v<T, float16_t> || std::is_same_v<T, bfloat16_t>;

// A half value as float (exact).
inline float half_value(float16_t v) { return half_to_float(v); }
inline float half_value(bfloat16_t v) { return bfloat16_to_float(v); }
// A real value rounded once to half type H: float directly, other types through double
// (exact for every type but int64 above 2^53, whose double rounding is innocuous).
template <class H, class S>
H to_half(S v) {
  if constexpr (std::is_same_v<S, float>)
    return std::is_same_v<H, float16_t> ? H{float_to_half(v).bits} : H{float_to_bfloat16(v).bits};
  else if constexpr (std::is_same_v<H, float16_t>) return double_to_half(static_cast<double>(v));
  else return double_to_bfloat16(static_cast<double>(v));
}

// Float -> integer conversion saturates and maps NaN to 0, so no input is undefined
// behaviour. Complex -> real keeps the real part (tf.cast); real -> complex has imaginary
// part 0.
template <class D, class S>
D convert_one(S v) {
  if constexpr (is_half_t<S>) {  // through float, which holds every half value
    if constexpr (std::is_same_v<D, float>) return half_value(v);
    else return convert_one<D>(half_value(v));
  } else if constexpr (is_half_t<D> && is_complex_t<S>::value) {
    return to_half<D>(v.real());
  } else if constexpr (is_half_t<D>) {
    return to_half<D>(v);
  } else if constexpr (is_complex_t<S>::value && is_complex_t<D>::value) {
    return D(v);
  } else if constexpr (is_complex_t<S>::value) {
    if constexpr (std::is_same_v<D, bool>) return v != S(0);
    else return convert_one<D>(v.real());
  } else if constexpr (is_complex_t<D>::value) {
    return D(convert_one<typename D::value_type>(v), 0);
  } else if constexpr (std::is_same_v<D, bool>) {
    return v != S(0);
  } else if constexpr (std::is_floating_point_v<S> && std::is_integral_v<D>) {
    if (std::isnan(v)) return D(0);
    if (v <= static_cast<S>(std::numeric_limits<D>::lowest())) return std::numeric_limits<D>::lowest();
    if (v >= static_cast<S>(std::numeric_limits<D>::max())) return std::numeric_limits<D>::max();
    return static_cast<D>(v);
  } else {
    return static_cast<D>(v);
  }
}

template <class S, class D>
void convert_range(const S* src, D* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] = convert_one<D>(src[i]);
}

// The same dtype on both sides is a copy of bytes (bool excepted: its values are normalized
// to 0 and 1).
template <class S, class D>
void convert_typed(const S* src, D* dst, int64_t n) {
  if constexpr (std::is_same_v<S, float> && std::is_same_v<D, bfloat16_t>)  // (mixed_bfloat16's casts)
    parallel_for(n, kElementwiseGrain,
                 [=](int64_t b, int64_t e) { isa_kernels().to_bf16(src + b, &dst[b].bits, e - b); });
  else if constexpr (std::is_same_v<S, bfloat16_t> && std::is_same_v<D, float>)
    parallel_for(n, kElementwiseGrain,
                 [=](int64_t b, int64_t e) { isa_kernels().from_bf16(&src[b].bits, dst + b, e - b); });
  else if constexpr (std::is_floating_point_v<S> && std::is_same_v<D, int8_t>)  // (quantized layers' inputs)
    parallel_for(n, kElementwiseGrain, [=](int64_t b, int64_t e) { isa_kernels().of<S>().to_int8(src + b, dst + b, e - b); });
  else if constexpr (std::is_same_v<S, D> && !std::is_same_v<S, bool>)
    parallel_for(n, kElementwiseGrain,
                 [=](int64_t b, int64_t e) { std::memcpy(dst + b, src + b, size_t(e - b) * sizeof(S)); });
  else
    parallel_for(n, kElementwiseGrain,
                 [=](int64_t b, int64_t e) { convert_range(src + b, dst + b, e - b); });
}

// Strings have no numeric value (strings::to_number and strings::as_string convert).
[[noreturn]] void throw_string(DType other) {
  throw std::invalid_argument(std::string("cast: cannot convert between dtype string and dtype ") +
                              dtype_name(other) + " (use strings::to_number or strings::as_string)");
}

template <class S>
void convert_from(const S* src, void* dst, DType dd, int64_t n) {
  switch (dd) {
    case DType::float32: return convert_typed(src, static_cast<float*>(dst), n);
    case DType::float64: return convert_typed(src, static_cast<double*>(dst), n);
    case DType::int32: return convert_typed(src, static_cast<int32_t*>(dst), n);
    case DType::int64: return convert_typed(src, static_cast<int64_t*>(dst), n);
    case DType::uint8: return convert_typed(src, static_cast<uint8_t*>(dst), n);
    case DType::int8: return convert_typed(src, static_cast<int8_t*>(dst), n);
    case DType::int16: return convert_typed(src, static_cast<int16_t*>(dst), n);
    case DType::uint16: return convert_typed(src, static_cast<uint16_t*>(dst), n);
    case DType::uint32: return convert_typed(src, static_cast<uint32_t*>(dst), n);
    case DType::bool_: return convert_typed(src, static_cast<bool*>(dst), n);
    case DType::complex64: return convert_typed(src, static_cast<std::complex<float>*>(dst), n);
    case DType::complex128: return convert_typed(src, static_cast<std::complex<double>*>(dst), n);
    case DType::float16: return convert_typed(src, static_cast<float16_t*>(dst), n);
    case DType::bfloat16: return convert_typed(src, static_cast<bfloat16_t*>(dst), n);
    case DType::string: throw_string(dtype_of_v<S>);
  }
}

void cast_kernel(OpCall& c) {
  if (c.attrs.flag)  // cast_exact
    check_values_fit(c.in(0).raw_data(), c.in(0).dtype(), c.in(0).size(), c.out_dtype[0], "cast_exact");
  convert(c.in(0).raw_data(), c.in(0).dtype(), c.outputs[0].raw_mutable_data(), c.out_dtype[0],
          c.in(0).size());
}

}  // namespace

void convert(const void* src, DType sd, void* dst, DType dd, int64_t n) {
  if (n <= 0) return;
  switch (sd) {
    case DType::float32: return convert_from(static_cast<const float*>(src), dst, dd, n);
    case DType::float64: return convert_from(static_cast<const double*>(src), dst, dd, n);
    case DType::int32: return convert_from(static_cast<const int32_t*>(src), dst, dd, n);
    case DType::int64: return convert_from(static_cast<const int64_t*>(src), dst, dd, n);
    case DType::uint8: return convert_from(static_cast<const uint8_t*>(src), dst, dd, n);
    case DType::int8: return convert_from(static_cast<const int8_t*>(src), dst, dd, n);
    case DType::int16: return convert_from(static_cast<const int16_t*>(src), dst, dd, n);
    case DType::uint16: return convert_from(static_cast<const uint16_t*>(src), dst, dd, n);
    case DType::uint32: return convert_from(static_cast<const uint32_t*>(src), dst, dd, n);
    case DType::bool_: return convert_from(static_cast<const bool*>(src), dst, dd, n);
    case DType::complex64: return convert_from(static_cast<const std::complex<float>*>(src), dst, dd, n);
    case DType::complex128: return convert_from(static_cast<const std::complex<double>*>(src), dst, dd, n);
    case DType::float16: return convert_from(static_cast<const float16_t*>(src), dst, dd, n);
    case DType::bfloat16: return convert_from(static_cast<const bfloat16_t*>(src), dst, dd, n);
    case DType::string: throw_string(dd);
  }
}

}  // namespace keras::core::cpu

namespace keras::core {
void register_cpu_cast_kernel() { register_kernel(OpId::Cast, Device::Kind::CPU, cpu::cast_kernel); }
}  // namespace keras::core
