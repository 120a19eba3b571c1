// dtype.h - the element types of tensors (TensorFlow's names and rules).
#pragma once
#include <complex>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "core/half.h"

namespace keras::core {

/// complex64/complex128 (TensorFlow's): pairs of float32/float64 (real, imaginary), laid
/// out as std::complex. Only the ops that say so take them; any other op raises "no
/// kernel for device ... and dtype complex64" (core/ops_complex.h lists the ones that do).
/// string (TensorFlow's tf.string): variable-length byte strings, held as std::string on
/// the host; the ops that move elements (reshape, transpose, slicing, gather, concatenate,
/// tile, broadcast_to, where), equal/not_equal and keras::strings (core/string_ops.h) take
/// them; any other op raises "no kernel for device ... and dtype string".
/// float16/bfloat16 (mixed precision): 16-bit floats held as bit patterns (core/half.h).
/// The ops listed in core/half_ops.h take them (on the CPU by computing in float32 and
/// rounding each result once); any other op raises "no kernel for device ... and dtype
/// float16".
enum class DType : uint8_t {
  float32, float64, int32, int64, uint8, bool_, complex64, complex128, string, float16, bfloat16,
  int8, int16, uint16, uint32
};
/// The number of DType values.
inline constexpr int kNumDTypes = 15;

/// TensorFlow's name of `d`: "float32", "int64", "bool", "complex64", ...
const char* dtype_name(DType d);
/// Parses "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "uint16",
/// "uint32", "bool", "complex64", "complex128", "string", "float16", "bfloat16"; throws on
/// others.
DType dtype_from_name(std::string_view name);
/// Bytes per element of `d` (bool takes one byte); 0 for string (its elements have no fixed
/// size: code that copies elements as bytes must handle string tensors apart, or refuse them).
std::size_t dtype_size(DType d);
/// float32, float64, float16 or bfloat16 (complex dtypes are not floating).
inline bool is_floating(DType d) {
  return d == DType::float32 || d == DType::float64 || d == DType::float16 || d == DType::bfloat16;
}
/// float16 or bfloat16 (the half-precision dtypes of mixed precision).
inline bool is_half(DType d) { return d == DType::float16 || d == DType::bfloat16; }
/// int8, int16, int32, int64, uint8, uint16 or uint32.
inline bool is_integer(DType d) {
  return d == DType::int32 || d == DType::int64 || d == DType::uint8 || d == DType::int8 || d == DType::int16 ||
         d == DType::uint16 || d == DType::uint32;
}
/// uint8, uint16 or uint32.
inline bool is_unsigned(DType d) { return d == DType::uint8 || d == DType::uint16 || d == DType::uint32; }
/// complex64 or complex128.
inline bool is_complex(DType d) { return d == DType::complex64 || d == DType::complex128; }
/// Every dtype but bool and string.
inline bool is_numeric(DType d) { return d != DType::bool_ && d != DType::string; }
/// Whether `d` is string.
inline bool is_string(DType d) { return d == DType::string; }
/// The float dtype of a complex dtype's parts (complex64 -> float32), and back.
inline DType complex_part_dtype(DType d) {
  return d == DType::complex128 ? DType::float64 : DType::float32;
}
/// The complex dtype whose parts are `part` (float32 -> complex64, float64 -> complex128).
inline DType complex_dtype_of(DType part) {
  return part == DType::float64 ? DType::complex128 : DType::complex64;
}

/// A value that cannot be represented exactly where it is converted: a C++ scalar for a
/// tensor's dtype (2.5 or NaN for int32, 300 for uint8; TensorFlow raises TypeError
/// "Cannot convert 2.5 to EagerTensor of dtype int32"), or a tensor's value for the C++
/// type that item<T>() returns.
class ConversionError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// Throw ConversionError naming `what`, the value and the dtype unless `value` is exact in
/// `dtype`: integer dtypes take integral values in range (never NaN or inf); float dtypes
/// take any value (float32 rounds, as TF); bool any value, as value != 0 (cast, NumPy).
void check_scalar_fits(double value, DType dtype, const char* what);
/// The integer version of check_scalar_fits: raises ConversionError naming `what` unless
/// `value` is exact in `dtype` (300 does not fit uint8).
void check_integer_fits(int64_t value, DType dtype, const char* what);
/// The shortest decimal form of v that reads back as v ("2.5", "0.1", "nan").
std::string format_scalar(double v);

/// The dtype of C++ element type T; only the fifteen supported types compile.
template <class T> struct dtype_of;
/// float is float32.
template <> struct dtype_of<float> { static constexpr DType value = DType::float32;  /**< T's dtype. */ };
/// double is float64.
template <> struct dtype_of<double> { static constexpr DType value = DType::float64;  /**< T's dtype. */ };
/// int32_t is int32.
template <> struct dtype_of<int32_t> { static constexpr DType value = DType::int32;  /**< T's dtype. */ };
/// int64_t is int64.
template <> struct dtype_of<int64_t> { static constexpr DType value = DType::int64;  /**< T's dtype. */ };
/// uint8_t is uint8.
template <> struct dtype_of<uint8_t> { static constexpr DType value = DType::uint8;  /**< T's dtype. */ };
/// int8_t is int8.
template <> struct dtype_of<int8_t> { static constexpr DType value = DType::int8;  /**< T's dtype. */ };
/// int16_t is int16.
template <> struct dtype_of<int16_t> { static constexpr DType value = DType::int16;  /**< T's dtype. */ };
/// uint16_t is uint16.
template <> struct dtype_of<uint16_t> { static constexpr DType value = DType::uint16;  /**< T's dtype. */ };
/// uint32_t is uint32.
template <> struct dtype_of<uint32_t> { static constexpr DType value = DType::uint32;  /**< T's dtype. */ };
/// bool is bool.
template <> struct dtype_of<bool> { static constexpr DType value = DType::bool_;  /**< T's dtype. */ };
/// std::complex<float> is complex64.
template <> struct dtype_of<std::complex<float>> { static constexpr DType value = DType::complex64;  /**< T's dtype. */ };
/// std::complex<double> is complex128.
template <> struct dtype_of<std::complex<double>> { static constexpr DType value = DType::complex128;  /**< T's dtype. */ };
/// std::string is string.
template <> struct dtype_of<std::string> { static constexpr DType value = DType::string;  /**< T's dtype. */ };
/// float16_t is float16.
template <> struct dtype_of<float16_t> { static constexpr DType value = DType::float16;  /**< T's dtype. */ };
/// bfloat16_t is bfloat16.
template <> struct dtype_of<bfloat16_t> { static constexpr DType value = DType::bfloat16;  /**< T's dtype. */ };
/// dtype_of<T>::value: the DType of element type T (float -> float32, int64_t -> int64).
template <class T> inline constexpr DType dtype_of_v = dtype_of<T>::value;

}  // namespace keras::core
