// math.cpp - CPU kernels of the elementwise math ops of core/ops_math.h (core/ops.def's
// "elementwise math" block): the vector kernels of the active ISA where xsimd has the
// function (erf, cbrt, the inverse trig and hyperbolic functions, ...; core/cpu/simd/
// math.cpp), scalar loops for erfinv, the Bessel functions and tan, signbit, and the binary
// float and integer (bitwise, gcd, lcm) ops. Raw pointers, split over the thread pool;
// binary ops read their operands through broadcast strides.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>
#include <type_traits>

#include "core/cpu/broadcast.h"
#include "core/cpu/isa.h"
#include "core/cpu/math_vec.h"
#include "core/cpu/parallel.h"
#include "core/dispatch.h"
#include "core/init.h"
#include "core/kernel_math.h"

namespace keras::core::cpu {
namespace {

template <class T, class R, class F>
void map_range(const T* x, R* y, int64_t n, F f) {
  for (int64_t i = 0; i < n; ++i) y[i] = f(x[i]);
}
template <class T, class R, class F>
void map(const T* x, R* y, int64_t n, F f) {
  parallel_for(n, kElementwiseGrain, [=](int64_t b, int64_t e) { map_range(x + b, y + b, e - b, f); });
}

// erfinv and the Bessel functions: core/kernel_math.h (the CUDA kernels run the same code).
double erfinv(double y) { return kmath::erfinv(y); }
double bessel_i0(double x) { return kmath::bessel_i(0, x); }
double bessel_i1(double x) { return kmath::bessel_i(1, x); }

// The vector kernels of the active ISA (core/cpu/simd/math.cpp), one table per ISA.
const MathVecKernels& math_vec() {
  auto make = [](void (*fill)(MathVecKernels&)) {
    MathVecKernels k;
    fill(k);
    return k;
  };
  switch (isa_kernels().isa) {
    case Isa::avx512: {
      static const MathVecKernels t = make(avx512::fill_math);
      return t;
    }
    case Isa::avx2: {
      static const MathVecKernels t = make(avx2::fill_math);
      return t;
    }
    case Isa::baseline: break;
  }
  static const MathVecKernels t = make(baseline::fill_math);
  return t;
}
int vec_op(OpId op) {
  switch (op) {
    case OpId::Erf: return int(MathVecOp::Erf);
    case OpId::Erfc: return int(MathVecOp::Erfc);
    case OpId::Exp2: return int(MathVecOp::Exp2);
    case OpId::Log2: return int(MathVecOp::Log2);
    case OpId::Log10: return int(MathVecOp::Log10);
    case OpId::Cbrt: return int(MathVecOp::Cbrt);
    case OpId::Sinh: return int(MathVecOp::Sinh);
    case OpId::Cosh: return int(MathVecOp::Cosh);
    case OpId::Arcsin: return int(MathVecOp::Arcsin);
    case OpId::Arccos: return int(MathVecOp::Arccos);
    case OpId::Arctan: return int(MathVecOp::Arctan);
    case OpId::Arcsinh: return int(MathVecOp::Arcsinh);
    case OpId::Arccosh: return int(MathVecOp::Arccosh);
    case OpId::Arctanh: return int(MathVecOp::Arctanh);
    case OpId::Trunc: return int(MathVecOp::Trunc);
    default: return -1;
  }
}

template <class T>
void float_kernel(OpId op, const T* x, T* y, int64_t n) {
  if (const int v = vec_op(op); v >= 0) {
    MathVecKernels::Fn<T> f;
    if constexpr (sizeof(T) == 4) f = math_vec().f32[v];
    else f = math_vec().f64[v];
    return parallel_for(n, kElementwiseGrain, [=](int64_t b, int64_t e) { f(x + b, y + b, e - b); });
  }
  switch (op) {
    case OpId::Erfinv: return map(x, y, n, [](T v) { return T(erfinv(double(v))); });
    case OpId::Tan: return map(x, y, n, [](T v) { return std::tan(v); });
    case OpId::I0: return map(x, y, n, [](T v) { return T(bessel_i0(double(v))); });
    case OpId::I1: return map(x, y, n, [](T v) { return T(bessel_i1(double(v))); });
    default: throw_invalid(std::string(op_name(op)) + ": no CPU kernel");
  }
}

void unary_kernel(OpCall& c) {
  const Tensor& x = c.in(0);
  if (x.dtype() == DType::float32)
    return float_kernel(c.op, x.data<float>(), c.outputs[0].mutable_data<float>(), x.size());
  if (x.dtype() == DType::float64)
    return float_kernel(c.op, x.data<double>(), c.outputs[0].mutable_data<double>(), x.size());
  throw_invalid(std::string(c.name()) + ": no CPU kernel for dtype " + dtype_name(x.dtype()));
}

template <class T>
void signbit_of(const Tensor& x, bool* y) {
  map(x.data<T>(), y, x.size(), [](T v) {
    if constexpr (std::is_floating_point_v<T>) return bool(std::signbit(v));
    else if constexpr (std::is_signed_v<T>) return v < T(0);
    else return false;
  });
}
void signbit_kernel(OpCall& c) {
  const Tensor& x = c.in(0);
  bool* y = static_cast<bool*>(c.outputs[0].raw_mutable_data());
  switch (x.dtype()) {
    case DType::float32: return signbit_of<float>(x, y);
    case DType::float64: return signbit_of<double>(x, y);
    case DType::int32: return signbit_of<int32_t>(x, y);
    case DType::int64: return signbit_of<int64_t>(x, y);
    case DType::uint8: return signbit_of<uint8_t>(x, y);
    case DType::int8: return signbit_of<int8_t>(x, y);
    case DType::int16: return signbit_of<int16_t>(x, y);
    case DType::uint16: return signbit_of<uint16_t>(x, y);
    case DType::uint32: return signbit_of<uint32_t>(x, y);
    case DType::bool_: return signbit_of<bool>(x, y);
  }
}

template <class T>
void invert_of(const Tensor& x, Tensor& y) {
  map(x.data<T>(), y.mutable_data<T>(), x.size(), [](T v) { return T(~v); });
}
void invert_kernel(OpCall& c) {
  const Tensor& x = c.in(0);
  switch (x.dtype()) {
    case DType::int32: return invert_of<int32_t>(x, c.outputs[0]);
    case DType::int64: return invert_of<int64_t>(x, c.outputs[0]);
    case DType::uint8: return invert_of<uint8_t>(x, c.outputs[0]);
    case DType::int8: return invert_of<int8_t>(x, c.outputs[0]);
    case DType::int16: return invert_of<int16_t>(x, c.outputs[0]);
    case DType::uint16: return invert_of<uint16_t>(x, c.outputs[0]);
    case DType::uint32: return invert_of<uint32_t>(x, c.outputs[0]);
    default: throw_invalid(std::string(c.name()) + ": no CPU kernel for dtype " + dtype_name(x.dtype()));
  }
}

// out = f(a, b) elementwise with broadcasting.
template <class T, class F>
void binary_map(OpCall& c, F f) {
  const T* a = static_cast<const T*>(c.in(0).raw_data());
  const T* b = static_cast<const T*>(c.in(1).raw_data());
  T* out = static_cast<T*>(c.outputs[0].raw_mutable_data());
  broadcast_rows<2>(c.outputs[0].shape(), {&c.in(0).shape(), &c.in(1).shape()},
                    [=](int64_t o, const std::array<int64_t, 2>& off, int64_t len,
                        const std::array<int64_t, 2>& st) {
                      const T* pa = a + off[0];
                      const T* pb = b + off[1];
                      // Contiguous rows and a scalar operand get loops the compiler
                      // vectorizes (int4 unpacking masks and shifts whole kernels).
                      if (st[0] == 1 && st[1] == 1) {
                        for (int64_t i = 0; i < len; ++i) out[o + i] = f(pa[i], pb[i]);
                      } else if (st[0] == 1 && st[1] == 0) {
                        const T y = pb[0];
                        for (int64_t i = 0; i < len; ++i) out[o + i] = f(pa[i], y);
                      } else if (st[0] == 0 && st[1] == 1) {
                        const T x = pa[0];
                        for (int64_t i = 0; i < len; ++i) out[o + i] = f(x, pb[i]);
                      } else {
                        for (int64_t i = 0; i < len; ++i) out[o + i] = f(pa[i * st[0]], pb[i * st[1]]);
                      }
                    });
}

template <class T>
bool any_zero(const Tensor& t) {
  const T* p = static_cast<const T*>(t.raw_data());
  for (int64_t i = 0, n = t.size(); i < n; ++i)
    if (p[i] == T(0)) return true;
  return false;
}

template <class T>
void float_binary(OpCall& c) {
  switch (c.op) {
    case OpId::Arctan2: return binary_map<T>(c, [](T a, T b) { return std::atan2(a, b); });
    case OpId::Hypot: return binary_map<T>(c, [](T a, T b) { return std::hypot(a, b); });
    case OpId::Fmod: return binary_map<T>(c, [](T a, T b) { return std::fmod(a, b); });
    case OpId::NextAfter: return binary_map<T>(c, [](T a, T b) { return std::nextafter(a, b); });
    default: throw_invalid(std::string(c.name()) + ": no CPU kernel for dtype " + dtype_name(c.in(0).dtype()));
  }
}

template <class T>
std::make_unsigned_t<T> magnitude(T v) {  // |v| without overflow (of INT_MIN)
  using U = std::make_unsigned_t<T>;
  if constexpr (std::is_signed_v<T>)
    if (v < T(0)) return U(U(0) - U(v));
  return U(v);
}

template <class T>
void int_binary(OpCall& c) {
  using U = std::make_unsigned_t<T>;
  constexpr int64_t bits = int64_t(sizeof(T) * 8);
  // TensorFlow clamps the shift to [0, bits - 1] (C++ leaves other shifts undefined).
  auto shift = [](T b) { return U(std::clamp<int64_t>(int64_t(b), 0, bits - 1)); };
  switch (c.op) {
    case OpId::BitwiseAnd: return binary_map<T>(c, [](T a, T b) { return T(a & b); });
    case OpId::BitwiseOr: return binary_map<T>(c, [](T a, T b) { return T(a | b); });
    case OpId::BitwiseXor: return binary_map<T>(c, [](T a, T b) { return T(a ^ b); });
    case OpId::LeftShift: return binary_map<T>(c, [=](T a, T b) { return T(U(a) << shift(b)); });
    case OpId::RightShift: return binary_map<T>(c, [=](T a, T b) { return T(a >> shift(b)); });
    // On magnitudes, in unsigned arithmetic: lcm wraps like a product instead of
    // overflowing (std::lcm leaves that undefined).
    case OpId::Gcd:
      return binary_map<T>(c, [](T a, T b) { return T(std::gcd(magnitude(a), magnitude(b))); });
    case OpId::Lcm:
      return binary_map<T>(c, [](T a, T b) {
        const U g = std::gcd(magnitude(a), magnitude(b));
        return g == 0 ? T(0) : T(U(magnitude(a) / g) * magnitude(b));
      });
    case OpId::Fmod:
      if (any_zero<T>(c.in(1))) throw_invalid("fmod: integer division by zero");
      return binary_map<T>(c, [](T a, T b) {
        if constexpr (std::is_signed_v<T>)
          if (b == T(-1)) return T(0);  // INT_MIN % -1 traps
        return T(a % b);
      });
    default: throw_invalid(std::string(c.name()) + ": no CPU kernel for dtype " + dtype_name(c.in(0).dtype()));
  }
}

void binary_kernel(OpCall& c) {
  switch (c.in(0).dtype()) {
    case DType::float32: return float_binary<float>(c);
    case DType::float64: return float_binary<double>(c);
    case DType::int32: return int_binary<int32_t>(c);
    case DType::int64: return int_binary<int64_t>(c);
    case DType::uint8: return int_binary<uint8_t>(c);
    case DType::int8: return int_binary<int8_t>(c);
    case DType::int16: return int_binary<int16_t>(c);
    case DType::uint16: return int_binary<uint16_t>(c);
    case DType::uint32: return int_binary<uint32_t>(c);
    default: throw_invalid(std::string(c.name()) + ": no CPU kernel for dtype bool");
  }
}

}  // namespace
}  // namespace keras::core::cpu

namespace keras::core {
void register_cpu_math_kernels() {
  for (int i = static_cast<int>(OpId::Erf); i <= static_cast<int>(OpId::Trunc); ++i)
    register_kernel(static_cast<OpId>(i), Device::Kind::CPU, cpu::unary_kernel);
  register_kernel(OpId::SignBit, Device::Kind::CPU, cpu::signbit_kernel);
  register_kernel(OpId::BitwiseInvert, Device::Kind::CPU, cpu::invert_kernel);
  for (int i = static_cast<int>(OpId::Arctan2); i <= static_cast<int>(OpId::Lcm); ++i)
    register_kernel(static_cast<OpId>(i), Device::Kind::CPU, cpu::binary_kernel);
}
}  // namespace keras::core
