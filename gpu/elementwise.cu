// elementwise.cu - CUDA kernels of the elementwise ops: unary, binary with broadcasting,
// where, cast and fill (launchers declared in gpu/kernels.h). Formulas, NaN behaviour and
// integer rules are those of the CPU kernels (core/cpu/unary.cpp, binary.cpp,
// convert.cpp, simd/unary.cpp): sigmoid splits on the sign, relu-like ops let NaN
// through, maximum/minimum propagate NaN, integer ops wrap, float -> integer casts
// saturate with NaN -> 0.
#include <cstdint>
#include <limits>
#include <type_traits>

#include <cuda/std/limits>

#include "core/kernel_math.h"
#include "gpu/context.cuh"
#include "gpu/elementwise.cuh"
#include "gpu/kernels.h"

namespace keras::core::cuda {
namespace {

// ---- unary --------------------------------------------------------------------------
template <class T>
__device__ T sigmoid_of(T v) {
  const T e = exp(-fabs(v));  // in (0, 1]: no overflow
  return (v >= T(0) ? T(1) : e) / (T(1) + e);
}

template <class T>
__device__ T float_unary(UnOp op, T v, T alpha) {
  switch (op) {
    case UnOp::Exp: return exp(v);
    case UnOp::Expm1: return expm1(v);
    case UnOp::Log: return log(v);
    case UnOp::Log1p: return log1p(v);
    case UnOp::Sqrt: return sqrt(v);
    case UnOp::Rsqrt: return T(1) / sqrt(v);
    case UnOp::Reciprocal: return T(1) / v;
    case UnOp::Sin: return sin(v);
    case UnOp::Cos: return cos(v);
    case UnOp::Tanh: return tanh(v);
    case UnOp::Sigmoid: return sigmoid_of(v);
    case UnOp::LeakyRelu: return v > T(0) ? v : alpha * v;
    case UnOp::Elu: return v > T(0) ? v : alpha * expm1(v);
    case UnOp::Selu: {
      const T scale = T(1.0507009873554805), al = T(1.6732632423543772);
      return v > T(0) ? scale * v : scale * al * expm1(v);
    }
    case UnOp::GeluErf: return T(0.5) * v * (T(1) + erf(v * T(0.7071067811865476)));
    case UnOp::GeluTanh: {
      const T c = T(0.7978845608028654), k = T(0.044715);
      return T(0.5) * v * (T(1) + tanh(c * (v + k * v * v * v)));
    }
    case UnOp::Silu: return v * sigmoid_of(v);
    case UnOp::Softplus: return log1p(exp(-fabs(v))) + (v > T(0) ? v : T(0));
    case UnOp::Softsign: return v / (T(1) + fabs(v));
    case UnOp::Floor: return floor(v);
    case UnOp::Ceil: return ceil(v);
    case UnOp::Round: return rint(v);  // half to even, as nearbyint on the CPU
    default: break;
  }
  return v;
}

template <class T>
__device__ T signed_unary(UnOp op, T v) {
  switch (op) {
    case UnOp::Neg: return T(-v);
    case UnOp::Abs: return v < T(0) ? T(-v) : v;
    case UnOp::Sign:
      if constexpr (std::is_floating_point_v<T>)
        if (v != v) return v;
      return T((T(0) < v) - (v < T(0)));
    case UnOp::Square: return T(v * v);
    case UnOp::Relu: return v <= T(0) ? T(0) : v;  // NaN takes the branch that returns v
    case UnOp::Relu6: return v <= T(0) ? T(0) : (v >= T(6) ? T(6) : v);
    default: break;
  }
  return v;
}

bool is_signed_op(UnOp op) {
  return op == UnOp::Neg || op == UnOp::Abs || op == UnOp::Sign || op == UnOp::Square || op == UnOp::Relu ||
         op == UnOp::Relu6;
}

template <class T>
__global__ void unary_kernel(UnOp op, bool signed_op, const T* x, T* y, int64_t n, T alpha) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    if constexpr (std::is_floating_point_v<T>)
      y[i] = signed_op ? signed_unary(op, x[i]) : float_unary(op, x[i], alpha);
    else
      y[i] = signed_unary(op, x[i]);
  }
}

template <class T>
__global__ void predicate_kernel(bool is_nan, const T* x, bool* y, int64_t n) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    y[i] = is_nan ? isnan(x[i]) : isfinite(x[i]);
}

__global__ void not_kernel(const bool* x, bool* y, int64_t n) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    y[i] = !x[i];
}

// ---- binary ---------------------------------------------------------------------------
template <class T>
__device__ T arith(BinOp op, T x, T y) {
  switch (op) {
    case BinOp::Add: return T(x + y);
    case BinOp::Sub: return T(x - y);
    case BinOp::Mul: return T(x * y);
    case BinOp::Div: return T(x / y);
    case BinOp::SquaredDifference: return T((x - y) * (x - y));
    case BinOp::Maximum:
      if constexpr (std::is_floating_point_v<T>)
        if (x != x || y != y) return x + y;  // NaN propagates
      return x > y ? x : y;
    case BinOp::Minimum:
      if constexpr (std::is_floating_point_v<T>)
        if (x != x || y != y) return x + y;
      return x < y ? x : y;
    case BinOp::FloorDiv:
      if constexpr (std::is_floating_point_v<T>) {
        return floor(x / y);
      } else {
        return kmath::floor_div(x, y);
      }
    case BinOp::Mod:
      if constexpr (std::is_floating_point_v<T>) {
        T r = fmod(x, y);
        if (r != T(0) && ((r < 0) != (y < 0))) r += y;
        return r;
      } else {
        return kmath::floor_mod(x, y);
      }
    case BinOp::Pow:
      if constexpr (std::is_floating_point_v<T>) {
        return pow(x, y);
      } else {
        return kmath::int_pow(x, y);
      }
    default: break;
  }
  return x;
}

template <class T>
__device__ bool compare(BinOp op, T x, T y) {
  switch (op) {
    case BinOp::Equal: return x == y;
    case BinOp::NotEqual: return x != y;
    case BinOp::Less: return x < y;
    case BinOp::LessEqual: return x <= y;
    case BinOp::Greater: return x > y;
    case BinOp::GreaterEqual: return x >= y;
    case BinOp::LogicalAnd: return x && y;
    case BinOp::LogicalOr: return x || y;
    default: break;
  }
  return false;
}

template <class T, class R>
__global__ void binary_kernel(BinOp op, const T* a, const T* b, R* out, Strided s, int64_t n) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    const Offsets o = offsets_of(s, i, 2);
    if constexpr (std::is_same_v<R, bool>) out[i] = compare(op, a[o.o[0]], b[o.o[1]]);
    else out[i] = arith(op, a[o.o[0]], b[o.o[1]]);
  }
}

template <class T>
__global__ void where_kernel(const bool* c, const T* x, const T* y, T* out, Strided s, int64_t n) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    const Offsets o = offsets_of(s, i, 3);
    out[i] = c[o.o[0]] ? x[o.o[1]] : y[o.o[2]];
  }
}

// ---- cast and fill --------------------------------------------------------------------
template <class S, class D>
__global__ void cast_kernel(const S* x, D* y, int64_t n) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    y[i] = convert_one<D>(x[i]);
}

template <class T>
__global__ void fill_kernel(T* y, int64_t n, T v) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    y[i] = v;
}

// The host-side conversion of a fill value (the CPU's rule, evaluated once).
template <class D>
D host_convert(double v) {
  if constexpr (std::is_same_v<D, bool>) {
    return v != 0.0;
  } else if constexpr (std::is_integral_v<D>) {
    if (v != v) return D(0);
    if (v <= double(std::numeric_limits<D>::lowest())) return std::numeric_limits<D>::lowest();
    if (v >= double(std::numeric_limits<D>::max())) return std::numeric_limits<D>::max();
    return static_cast<D>(v);
  } else {
    return static_cast<D>(v);
  }
}

}  // namespace

void unary(UnOp op, Dt dt, const void* x, void* y, int64_t n, double alpha, int device) {
  if (n == 0) return;
  DeviceGuard guard(device);
  const cudaStream_t st = context(device).stream;
  if (op == UnOp::IsNan || op == UnOp::IsFinite) {
    if (dt == Dt::f32)
      predicate_kernel<<<grid_for(n), kBlock, 0, st>>>(op == UnOp::IsNan, static_cast<const float*>(x),
                                                       static_cast<bool*>(y), n);
    else
      predicate_kernel<<<grid_for(n), kBlock, 0, st>>>(op == UnOp::IsNan, static_cast<const double*>(x),
                                                       static_cast<bool*>(y), n);
  } else if (op == UnOp::LogicalNot) {
    not_kernel<<<grid_for(n), kBlock, 0, st>>>(static_cast<const bool*>(x), static_cast<bool*>(y), n);
  } else {
    by_dt(dt, [&](auto tag) {
      using T = decltype(tag);
      if constexpr (!std::is_same_v<T, bool> && !std::is_same_v<T, uint8_t>)
        unary_kernel<T><<<grid_for(n), kBlock, 0, st>>>(op, is_signed_op(op), static_cast<const T*>(x),
                                                         static_cast<T*>(y), n, T(alpha));
    });
  }
  check_launch("unary", device);
}

void binary(BinOp op, Dt dt, const void* a, const void* b, void* out, const Strided& s, int device) {
  const int64_t n = count_of(s);
  if (n == 0) return;
  DeviceGuard guard(device);
  const cudaStream_t st = context(device).stream;
  const bool boolean = op >= BinOp::Equal;
  by_dt(dt, [&](auto tag) {
    using T = decltype(tag);
    if (boolean)
      binary_kernel<T, bool><<<grid_for(n), kBlock, 0, st>>>(op, static_cast<const T*>(a), static_cast<const T*>(b),
                                                             static_cast<bool*>(out), s, n);
    else if constexpr (!std::is_same_v<T, bool>)
      binary_kernel<T, T><<<grid_for(n), kBlock, 0, st>>>(op, static_cast<const T*>(a), static_cast<const T*>(b),
                                                          static_cast<T*>(out), s, n);
  });
  check_launch("binary", device);
}

void where(Dt dt, const void* cond, const void* x, const void* y, void* out, const Strided& s, int device) {
  const int64_t n = count_of(s);
  if (n == 0) return;
  DeviceGuard guard(device);
  const cudaStream_t st = context(device).stream;
  by_dt(dt, [&](auto tag) {
    using T = decltype(tag);
    where_kernel<T><<<grid_for(n), kBlock, 0, st>>>(static_cast<const bool*>(cond), static_cast<const T*>(x),
                                                    static_cast<const T*>(y), static_cast<T*>(out), s, n);
  });
  check_launch("where", device);
}

void cast(Dt from, const void* x, Dt to, void* y, int64_t n, int device) {
  if (n == 0) return;
  DeviceGuard guard(device);
  const cudaStream_t st = context(device).stream;
  by_dt(from, [&](auto s_tag) {
    using S = decltype(s_tag);
    by_dt(to, [&](auto d_tag) {
      using D = decltype(d_tag);
      cast_kernel<S, D><<<grid_for(n), kBlock, 0, st>>>(static_cast<const S*>(x), static_cast<D*>(y), n);
    });
  });
  check_launch("cast", device);
}

void fill(Dt dt, void* y, int64_t n, double value, int device) {
  if (n == 0) return;
  DeviceGuard guard(device);
  const cudaStream_t st = context(device).stream;
  by_dt(dt, [&](auto tag) {
    using T = decltype(tag);
    fill_kernel<T><<<grid_for(n), kBlock, 0, st>>>(static_cast<T*>(y), n, host_convert<T>(value));
  });
  check_launch("fill", device);
}

}  // namespace keras::core::cuda
