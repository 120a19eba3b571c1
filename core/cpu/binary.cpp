// binary.cpp - CPU kernels of the elementwise binary ops and `where`.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>

#include "core/cpu/broadcast.h"
#include "core/cpu/isa.h"
#include "core/dispatch.h"
#include "core/init.h"
#include "core/kernel_math.h"

namespace keras::core::cpu {
namespace {

// The float arithmetic's vector kernel of the active ISA (core/cpu/simd/binary.cpp), for
// rows whose strides are 0 or 1; null for the other ops and dtypes.
template <class T, class R>
using VecRow = void (*)(const T*, int64_t, const T*, int64_t, R*, int64_t);

// out[i] = f(a[i*sa], b[i*sb]) for i < n; the common stride patterns get their own
// loop so the compiler vectorizes them.
template <class T, class R, class F>
inline void row_loop(const T* a, int64_t sa, const T* b, int64_t sb, R* out, int64_t n, F f,
                     VecRow<T, R> vec = nullptr) {
  if (vec && (sa == 0 || sa == 1) && (sb == 0 || sb == 1))
    vec(a, sa, b, sb, out, n);
  else if (sa == 1 && sb == 1)
    for (int64_t i = 0; i < n; ++i) out[i] = f(a[i], b[i]);
  else if (sa == 1 && sb == 0) {
    const T bv = *b;
    for (int64_t i = 0; i < n; ++i) out[i] = f(a[i], bv);
  } else if (sa == 0 && sb == 1) {
    const T av = *a;
    for (int64_t i = 0; i < n; ++i) out[i] = f(av, b[i]);
  } else {
    for (int64_t i = 0; i < n; ++i) out[i] = f(a[i * sa], b[i * sb]);
  }
}

template <class T, class R, class F>
void apply(const Tensor& ta, const Tensor& tb, Tensor& to, F f, VecRow<T, R> vec = nullptr) {
  const T* a = static_cast<const T*>(ta.raw_data());
  const T* b = static_cast<const T*>(tb.raw_data());
  R* out = static_cast<R*>(to.raw_mutable_data());
  const int64_t n = to.size();
  if (ta.size() == n && tb.size() == n) {  // same shape (up to size-1 axes)
    parallel_for(n, kElementwiseGrain, [&](int64_t s, int64_t e) {
      row_loop(a + s, 1, b + s, 1, out + s, e - s, f, vec);
    });
    return;
  }
  if (tb.size() == 1 || ta.size() == 1) {
    int64_t sa = ta.size() == 1 ? 0 : 1, sb = tb.size() == 1 ? 0 : 1;
    parallel_for(n, kElementwiseGrain, [&](int64_t s, int64_t e) {
      row_loop(a + s * sa, sa, b + s * sb, sb, out + s, e - s, f, vec);
    });
    return;
  }
  broadcast_rows<2>(to.shape(), {&ta.shape(), &tb.shape()},
                    [&](int64_t o, const std::array<int64_t, 2>& off, int64_t len,
                        const std::array<int64_t, 2>& st) {
                      row_loop(a + off[0], st[0], b + off[1], st[1], out + o, len, f, vec);
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
void arith(OpCall& c) {
  const Tensor &a = c.in(0), &b = c.in(1);
  Tensor& o = c.outputs[0];
  VecRow<T, T> vec = nullptr;
  if constexpr (std::is_floating_point_v<T>) vec = vec_binary<T>(c.op);
  switch (c.op) {
    // (integers wrap, as TensorFlow's, through unsigned arithmetic: kmath::wrap_*)
    case OpId::Add:
      if constexpr (std::is_integral_v<T>) return apply<T, T>(a, b, o, [](T x, T y) { return kmath::wrap_add(x, y); });
      else return apply<T, T>(a, b, o, [](T x, T y) { return T(x + y); }, vec);
    case OpId::Sub:
      if constexpr (std::is_integral_v<T>) return apply<T, T>(a, b, o, [](T x, T y) { return kmath::wrap_sub(x, y); });
      else return apply<T, T>(a, b, o, [](T x, T y) { return T(x - y); }, vec);
    case OpId::Mul:
      if constexpr (std::is_integral_v<T>) return apply<T, T>(a, b, o, [](T x, T y) { return kmath::wrap_mul(x, y); });
      else return apply<T, T>(a, b, o, [](T x, T y) { return T(x * y); }, vec);
    case OpId::Div: return apply<T, T>(a, b, o, [](T x, T y) { return T(x / y); }, vec);
    case OpId::Maximum:
      return apply<T, T>(a, b, o, [](T x, T y) {
        if constexpr (std::is_floating_point_v<T>)
          if (std::isnan(x) || std::isnan(y)) return x + y;  // NaN propagates
        return x > y ? x : y;
      }, vec);
    case OpId::Minimum:
      return apply<T, T>(a, b, o, [](T x, T y) {
        if constexpr (std::is_floating_point_v<T>)
          if (std::isnan(x) || std::isnan(y)) return x + y;
        return x < y ? x : y;
      }, vec);
    case OpId::SquaredDifference:
      if constexpr (std::is_integral_v<T>)
        return apply<T, T>(a, b, o, [](T x, T y) { return kmath::wrap_mul(kmath::wrap_sub(x, y), kmath::wrap_sub(x, y)); });
      else return apply<T, T>(a, b, o, [](T x, T y) { return T((x - y) * (x - y)); }, vec);
    case OpId::FloorDiv:
      if constexpr (std::is_floating_point_v<T>) {
        return apply<T, T>(a, b, o, [](T x, T y) { return std::floor(x / y); });
      } else {
        if (any_zero<T>(b)) throw_invalid("floor_divide: integer division by zero");
        return apply<T, T>(a, b, o, [](T x, T y) { return kmath::floor_div(x, y); });
      }
    case OpId::Mod:
      if constexpr (std::is_floating_point_v<T>) {
        return apply<T, T>(a, b, o, [](T x, T y) {
          T r = std::fmod(x, y);
          if (r != T(0) && ((r < 0) != (y < 0))) r += y;
          return r;
        });
      } else {
        if (any_zero<T>(b)) throw_invalid("mod: integer division by zero");
        return apply<T, T>(a, b, o, [](T x, T y) { return kmath::floor_mod(x, y); });
      }
    case OpId::Pow:
      if constexpr (std::is_floating_point_v<T>) {
        return apply<T, T>(a, b, o, [](T x, T y) { return std::pow(x, y); });
      } else {
        if constexpr (std::is_signed_v<T>) {
          const T* p = static_cast<const T*>(b.raw_data());
          for (int64_t i = 0; i < b.size(); ++i)
            if (p[i] < 0)
              throw_invalid("power: integers to negative integer powers are not allowed "
                            "(received exponent " + std::to_string(p[i]) + ")");
        }
        return apply<T, T>(a, b, o, [](T x, T y) { return kmath::int_pow(x, y); });
      }
    default: break;
  }
}

template <class T>
void compare(OpCall& c) {
  const Tensor &a = c.in(0), &b = c.in(1);
  Tensor& o = c.outputs[0];
  switch (c.op) {
    case OpId::Equal: return apply<T, bool>(a, b, o, [](T x, T y) { return x == y; });
    case OpId::NotEqual: return apply<T, bool>(a, b, o, [](T x, T y) { return x != y; });
    case OpId::Less: return apply<T, bool>(a, b, o, [](T x, T y) { return x < y; });
    case OpId::LessEqual: return apply<T, bool>(a, b, o, [](T x, T y) { return x <= y; });
    case OpId::Greater: return apply<T, bool>(a, b, o, [](T x, T y) { return x > y; });
    case OpId::GreaterEqual: return apply<T, bool>(a, b, o, [](T x, T y) { return x >= y; });
    case OpId::LogicalAnd: return apply<T, bool>(a, b, o, [](T x, T y) { return x && y; });
    case OpId::LogicalOr: return apply<T, bool>(a, b, o, [](T x, T y) { return x || y; });
    default: break;
  }
}

template <template <class> class K>
void by_dtype(OpCall& c, DType dt) {
  switch (dt) {
    case DType::float32: return K<float>::run(c);
    case DType::float64: return K<double>::run(c);
    case DType::int32: return K<int32_t>::run(c);
    case DType::int64: return K<int64_t>::run(c);
    case DType::uint8: return K<uint8_t>::run(c);
    case DType::int8: return K<int8_t>::run(c);
    case DType::int16: return K<int16_t>::run(c);
    case DType::uint16: return K<uint16_t>::run(c);
    case DType::uint32: return K<uint32_t>::run(c);
    case DType::bool_: return K<bool>::run(c);
    case DType::string: break;  // never here: dispatch runs string tensors in string_kernels.cpp
  }
}

template <class T> struct ArithK {
  static void run(OpCall& c) {
    if constexpr (std::is_same_v<T, bool>) throw_invalid(std::string(c.name()) + ": bool inputs are not supported");
    else arith<T>(c);
  }
};
template <class T> struct CompareK { static void run(OpCall& c) { compare<T>(c); } };

// c ? a : b without a branch (the condition is often random: dropout masks), as a bit
// select for element sizes of 1, 2, 4 and 8 bytes, which vectorizes.
template <class T>
inline T select(bool c, T a, T b) {
  if constexpr (std::is_trivially_copyable_v<T> && (sizeof(T) == 1 || sizeof(T) == 2 || sizeof(T) == 4 ||
                                                    sizeof(T) == 8)) {
    using U = std::conditional_t<sizeof(T) == 1, uint8_t,
                                 std::conditional_t<sizeof(T) == 2, uint16_t,
                                                    std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>>>;
    U ua, ub;
    std::memcpy(&ua, &a, sizeof(T));
    std::memcpy(&ub, &b, sizeof(T));
    const U m = U(0) - U(c);
    const U r = (ua & m) | (ub & ~m);
    T out;
    std::memcpy(&out, &r, sizeof(T));
    return out;
  } else {
    return c ? a : b;
  }
}

template <class T> struct WhereK {
  static void run(OpCall& c) {
    const bool* cond = c.in(0).data<bool>();
    const T* x = static_cast<const T*>(c.in(1).raw_data());
    const T* y = static_cast<const T*>(c.in(2).raw_data());
    T* out = static_cast<T*>(c.outputs[0].raw_mutable_data());
    broadcast_rows<3>(c.outputs[0].shape(), {&c.in(0).shape(), &c.in(1).shape(), &c.in(2).shape()},
                      [&](int64_t o, const std::array<int64_t, 3>& off, int64_t len,
                          const std::array<int64_t, 3>& st) {
                        const bool* cr = cond + off[0];
                        const T *xr = x + off[1], *yr = y + off[2];
                        T* orow = out + o;
                        // Contiguous rows, and rows against a scalar (Dropout's zeros),
                        // as plain loops the compiler vectorizes.
                        if (st[0] == 1 && st[1] == 1 && st[2] == 1) {
                          for (int64_t i = 0; i < len; ++i) orow[i] = select(cr[i], xr[i], yr[i]);
                        } else if (st[0] == 1 && st[1] == 1 && st[2] == 0) {
                          const T yv = *yr;
                          for (int64_t i = 0; i < len; ++i) orow[i] = select(cr[i], xr[i], yv);
                        } else if (st[0] == 1 && st[1] == 0 && st[2] == 1) {
                          const T xv = *xr;
                          for (int64_t i = 0; i < len; ++i) orow[i] = select(cr[i], xv, yr[i]);
                        } else {
                          for (int64_t i = 0; i < len; ++i)
                            orow[i] = cr[i * st[0]] ? xr[i * st[1]] : yr[i * st[2]];
                        }
                      });
  }
};

void arith_kernel(OpCall& c) { by_dtype<ArithK>(c, c.in(0).dtype()); }
void compare_kernel(OpCall& c) { by_dtype<CompareK>(c, c.in(0).dtype()); }
void where_kernel(OpCall& c) { by_dtype<WhereK>(c, c.in(1).dtype()); }

}  // namespace
}  // namespace keras::core::cpu

namespace keras::core {
void register_cpu_binary_kernels() {
  for (OpId op : {OpId::Add, OpId::Sub, OpId::Mul, OpId::Div, OpId::FloorDiv, OpId::Mod,
                  OpId::Pow, OpId::Maximum, OpId::Minimum, OpId::SquaredDifference})
    register_kernel(op, Device::Kind::CPU, cpu::arith_kernel);
  for (OpId op : {OpId::Equal, OpId::NotEqual, OpId::Less, OpId::LessEqual, OpId::Greater,
                  OpId::GreaterEqual, OpId::LogicalAnd, OpId::LogicalOr})
    register_kernel(op, Device::Kind::CPU, cpu::compare_kernel);
  register_kernel(OpId::Where, Device::Kind::CPU, cpu::where_kernel);
}
}  // namespace keras::core
