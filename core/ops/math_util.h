// math_util.h - (engine-internal) keras.ops's dtype rules for the elementwise math of
// core/ops_math.h: which float dtype an integer or bool input computes in.
#pragma once
#include <string>

#include "core/dispatch.h"
#include "core/ops.h"

namespace keras::core::math {

// Keras's float dtype of an input: floats stay, int32/uint8/bool are float32, and int64 is
// float32, or float64 for the ops whose Keras code promotes it so (wide_int64).
inline DType float_dtype(DType d, bool wide_int64 = false) {
  if (is_floating(d)) return d;
  return d == DType::int64 && wide_int64 ? DType::float64 : DType::float32;
}
inline Tensor to_float(const Tensor& x, bool wide_int64 = false) {
  if (!x.defined()) throw_invalid("elementwise math: the tensor is undefined");
  return ops::cast(x, float_dtype(x.dtype(), wide_int64));
}
// The common float dtype of two operands (keras.ops promotes; a float32 and a float64
// operand compute in float64).
inline DType float_dtype2(const Tensor& a, const Tensor& b, bool wide_int64 = false) {
  DType da = float_dtype(a.dtype(), wide_int64), db = float_dtype(b.dtype(), wide_int64);
  return da == DType::float64 || db == DType::float64 ? DType::float64 : DType::float32;
}
// Throws std::invalid_argument naming op and both dtypes unless they are equal.
inline void expect_same(const char* op, const Tensor& a, const Tensor& b) {
  if (!a.defined() || !b.defined()) throw_invalid(std::string(op) + ": an operand is undefined");
  if (a.dtype() != b.dtype())
    throw_invalid(std::string(op) + ": expected operands of the same dtype, but received " +
                  dtype_name(a.dtype()) + " and " + dtype_name(b.dtype()));
}

}  // namespace keras::core::math
