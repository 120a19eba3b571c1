// unary.cpp - CPU kernels of the elementwise unary ops (raw pointers, one loop each).
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "core/cpu/isa.h"
#include "core/cpu/parallel.h"
#include "core/dispatch.h"
#include "core/kernel_math.h"
#include "core/init.h"

namespace keras::core::cpu {
namespace {

// The loop takes its pointers as parameters: a lambda capturing them by reference
// would make the compiler reload them every iteration and not vectorize.
template <class T, class R, class F>
void map_range(const T* x, R* y, int64_t n, F f) {
  for (int64_t i = 0; i < n; ++i) y[i] = f(x[i]);
}

template <class T, class R, class F>
void map(const T* x, R* y, int64_t n, F f) {
  parallel_for(n, kElementwiseGrain, [=](int64_t b, int64_t e) { map_range(x + b, y + b, e - b, f); });
}

// Ops valid for every signed numeric type.
template <class T>
void signed_kernel(OpId op, const T* x, T* y, int64_t n) {
  switch (op) {
    case OpId::Neg:
      if constexpr (std::is_integral_v<T>) return map(x, y, n, [](T v) { return kmath::wrap_sub(T(0), v); });
      else return map(x, y, n, [](T v) { return T(-v); });
    case OpId::Abs:
      if constexpr (std::is_integral_v<T>) return map(x, y, n, [](T v) { return v < T(0) ? kmath::wrap_sub(T(0), v) : v; });
      else return map(x, y, n, [](T v) { return v < T(0) ? T(-v) : v; });
    case OpId::Sign:
      return map(x, y, n, [](T v) {
        if constexpr (std::is_floating_point_v<T>)  // NaN stays; written so that it vectorizes
          return v > T(0) ? T(1) : v < T(0) ? T(-1) : v == v ? T(0) : v;
        else
          return T((T(0) < v) - (v < T(0)));
      });
    case OpId::Square:
      if constexpr (std::is_integral_v<T>) return map(x, y, n, [](T v) { return kmath::wrap_mul(v, v); });
      else return map(x, y, n, [](T v) { return T(v * v); });
    // NaN propagates (TensorFlow, NumPy): every comparison with NaN is false, so NaN
    // takes the branch that returns v.
    case OpId::Relu: return map(x, y, n, [](T v) { return v <= T(0) ? T(0) : v; });
    case OpId::Relu6:
      return map(x, y, n, [](T v) { return v <= T(0) ? T(0) : (v >= T(6) ? T(6) : v); });
    default: break;
  }
}

// The transcendental ops, abs and the roundings (round half to even, floor, ceil) run the
// vector kernels of the active ISA (core/cpu/isa.h).
template <class T>
void float_kernel(OpId op, const Attrs& a, const T* x, T* y, int64_t n) {
  if (auto f = vec_unary<T>(op, a.flag)) {
    const T alpha = static_cast<T>(a.alpha);
    return parallel_for(n, kElementwiseGrain, [=](int64_t b, int64_t e) { f(x + b, y + b, e - b, alpha); });
  }
  switch (op) {
    case OpId::Sin: return map(x, y, n, [](T v) { return std::sin(v); });
    case OpId::Cos: return map(x, y, n, [](T v) { return std::cos(v); });
    default: return signed_kernel(op, x, y, n);
  }
}

template <class T>
void predicate_kernel(OpId op, const T* x, bool* y, int64_t n) {
  if (op == OpId::IsNan) return map(x, y, n, [](T v) { return std::isnan(v); });
  return map(x, y, n, [](T v) { return std::isfinite(v); });
}

void unary_kernel(OpCall& c) {
  const Tensor& x = c.in(0);
  Tensor& y = c.outputs[0];
  int64_t n = x.size();
  if (c.op == OpId::IsNan || c.op == OpId::IsFinite) {
    bool* out = static_cast<bool*>(y.raw_mutable_data());
    if (x.dtype() == DType::float32) return predicate_kernel(c.op, x.data<float>(), out, n);
    return predicate_kernel(c.op, x.data<double>(), out, n);
  }
  if (c.op == OpId::LogicalNot)
    return map(x.data<bool>(), static_cast<bool*>(y.raw_mutable_data()), n,
               [](bool v) { return !v; });
  switch (x.dtype()) {
    case DType::float32: return float_kernel(c.op, c.attrs, x.data<float>(), y.mutable_data<float>(), n);
    case DType::float64: return float_kernel(c.op, c.attrs, x.data<double>(), y.mutable_data<double>(), n);
    case DType::int32: return signed_kernel(c.op, x.data<int32_t>(), y.mutable_data<int32_t>(), n);
    case DType::int64: return signed_kernel(c.op, x.data<int64_t>(), y.mutable_data<int64_t>(), n);
    case DType::int8: return signed_kernel(c.op, x.data<int8_t>(), y.mutable_data<int8_t>(), n);
    case DType::int16: return signed_kernel(c.op, x.data<int16_t>(), y.mutable_data<int16_t>(), n);
    default:
      throw_invalid(std::string(c.name()) + ": no CPU kernel for dtype " + dtype_name(x.dtype()));
  }
}

}  // namespace
}  // namespace keras::core::cpu

namespace keras::core {
void register_cpu_unary_kernels() {
  for (int i = static_cast<int>(OpId::Neg); i <= static_cast<int>(OpId::LogicalNot); ++i)
    register_kernel(static_cast<OpId>(i), Device::Kind::CPU, cpu::unary_kernel);
}
}  // namespace keras::core
