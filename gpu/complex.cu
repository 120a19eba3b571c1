// complex.cu - CUDA kernels on complex64 / complex128 tensors (launchers declared in
// gpu/complex_kernels.h): the elementwise arithmetic and comparisons with broadcasting,
// neg, exp, abs, real, imag, angle, complex(re, im), the casts to and from complex, and
// sum, mean and prod over any axes (one thread per output, in the CPU kernel's order).
// Values are cuda::std::complex, laid out as std::complex (two parts, real first), with
// the C++ library's formulas: Annex G recovery of infinities in products and quotients,
// exp's special values, abs = hypot, angle = atan2(imag, real) (signed zeros kept), as
// libstdc++'s std::complex in the CPU kernels (core/cpu/complex.cpp).
#include <cuda/std/complex>

#include <cstdint>
#include <type_traits>

#include "gpu/complex_kernels.h"
#include "gpu/context.cuh"
#include "gpu/elementwise.cuh"

namespace keras::core::cuda {
namespace {

template <class T>
using Cx = ::cuda::std::complex<T>;

#define KERAS_GRID_LOOP(i, n) \
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < (n); i += int64_t(gridDim.x) * blockDim.x)

template <class T>
__global__ void unary_cx_kernel(CxOp op, const Cx<T>* x, Cx<T>* y, int64_t n) {
  KERAS_GRID_LOOP(i, n) y[i] = op == CxOp::Neg ? -x[i] : ::cuda::std::exp(x[i]);
}

template <class T>
__global__ void unary_part_kernel(CxOp op, const Cx<T>* x, T* y, int64_t n) {
  KERAS_GRID_LOOP(i, n) {
    const Cx<T> v = x[i];
    switch (op) {
      case CxOp::Abs: y[i] = hypot(v.real(), v.imag()); break;
      case CxOp::Real: y[i] = v.real(); break;
      case CxOp::Imag: y[i] = v.imag(); break;
      default: y[i] = atan2(v.imag(), v.real()); break;
    }
  }
}

template <class T>
__global__ void binary_cx_kernel(CxOp op, const Cx<T>* a, const Cx<T>* b, Cx<T>* out, Strided s, int64_t n) {
  KERAS_GRID_LOOP(i, n) {
    const Offsets o = offsets_of(s, i, 2);
    const Cx<T> x = a[o.o[0]], y = b[o.o[1]];
    switch (op) {
      case CxOp::Add: out[i] = x + y; break;
      case CxOp::Sub: out[i] = x - y; break;
      case CxOp::Mul: out[i] = x * y; break;
      default: out[i] = x / y; break;
    }
  }
}

template <class T>
__global__ void compare_cx_kernel(bool equal, const Cx<T>* a, const Cx<T>* b, bool* out, Strided s, int64_t n) {
  KERAS_GRID_LOOP(i, n) {
    const Offsets o = offsets_of(s, i, 2);
    out[i] = (a[o.o[0]] == b[o.o[1]]) == equal;
  }
}

template <class T>
__global__ void make_kernel(const T* re, const T* im, Cx<T>* out, Strided s, int64_t n) {
  KERAS_GRID_LOOP(i, n) {
    const Offsets o = offsets_of(s, i, 2);
    out[i] = Cx<T>(re[o.o[0]], im[o.o[1]]);
  }
}

// Complex to complex: both parts converted.
template <class S, class D>
__global__ void cx_to_cx_kernel(const Cx<S>* x, Cx<D>* y, int64_t n) {
  KERAS_GRID_LOOP(i, n) y[i] = Cx<D>(static_cast<D>(x[i].real()), static_cast<D>(x[i].imag()));
}

// Complex to real: the real part (bool: the value is not 0 + 0i).
template <class S, class D>
__global__ void cx_to_real_kernel(const Cx<S>* x, D* y, int64_t n) {
  KERAS_GRID_LOOP(i, n) {
    if constexpr (std::is_same_v<D, bool>) y[i] = x[i].real() != S(0) || x[i].imag() != S(0);
    else y[i] = convert_one<D>(x[i].real());
  }
}

// Real to complex: (value converted to the part type, 0).
template <class S, class D>
__global__ void real_to_cx_kernel(const S* x, Cx<D>* y, int64_t n) {
  KERAS_GRID_LOOP(i, n) y[i] = Cx<D>(convert_one<D>(x[i]), D(0));
}

// One output per thread: its reduced elements in row-major order (the CPU kernel's).
template <class T>
__global__ void reduce_cx_kernel(RedOp op, const Cx<T>* x, Cx<T>* y, Reduction r) {
  KERAS_GRID_LOOP(o, r.kept) {
    int64_t base = 0;
    for (int64_t d = r.kept_rank - 1, rest = o; d >= 0; --d) {
      base += (rest % r.kept_dims[d]) * r.kept_strides[d];
      rest /= r.kept_dims[d];
    }
    Cx<double> acc(op == RedOp::Prod ? 1.0 : 0.0, 0.0);
    for (int64_t i = 0; i < r.count; ++i) {
      int64_t off = base;
      for (int64_t d = r.red_rank - 1, rest = i; d >= 0; --d) {
        off += (rest % r.red_dims[d]) * r.red_strides[d];
        rest /= r.red_dims[d];
      }
      const Cx<double> v(x[off].real(), x[off].imag());
      if (op == RedOp::Prod) acc *= v;
      else acc += v;
    }
    if (op == RedOp::Mean) acc /= double(r.count);
    y[o] = Cx<T>(static_cast<T>(acc.real()), static_cast<T>(acc.imag()));
  }
}

#undef KERAS_GRID_LOOP

// f(T{}) for the part type of a complex dtype.
template <class F>
void by_part(bool dbl, F f) {
  if (dbl) f(double{});
  else f(float{});
}

}  // namespace

void complex_unary(CxOp op, bool dbl, const void* x, void* y, int64_t n, int device) {
  if (n == 0) return;
  DeviceGuard guard(device);
  const cudaStream_t st = context(device).stream;
  by_part(dbl, [&](auto tag) {
    using T = decltype(tag);
    const auto* xs = static_cast<const Cx<T>*>(x);
    if (op == CxOp::Neg || op == CxOp::Exp)
      unary_cx_kernel<T><<<grid_for(n), kBlock, 0, st>>>(op, xs, static_cast<Cx<T>*>(y), n);
    else
      unary_part_kernel<T><<<grid_for(n), kBlock, 0, st>>>(op, xs, static_cast<T*>(y), n);
  });
  check_launch("complex_unary", device);
}

void complex_binary(CxOp op, bool dbl, const void* a, const void* b, void* out, const Strided& s, int device) {
  const int64_t n = count_of(s);
  if (n == 0) return;
  DeviceGuard guard(device);
  const cudaStream_t st = context(device).stream;
  by_part(dbl, [&](auto tag) {
    using T = decltype(tag);
    const auto *as = static_cast<const Cx<T>*>(a), *bs = static_cast<const Cx<T>*>(b);
    if (op == CxOp::Equal || op == CxOp::NotEqual)
      compare_cx_kernel<T><<<grid_for(n), kBlock, 0, st>>>(op == CxOp::Equal, as, bs, static_cast<bool*>(out), s, n);
    else
      binary_cx_kernel<T><<<grid_for(n), kBlock, 0, st>>>(op, as, bs, static_cast<Cx<T>*>(out), s, n);
  });
  check_launch("complex_binary", device);
}

void complex_reduce(RedOp op, bool dbl, const void* x, void* y, const Reduction& r, int device) {
  if (r.kept == 0) return;
  DeviceGuard guard(device);
  const cudaStream_t st = context(device).stream;
  by_part(dbl, [&](auto tag) {
    using T = decltype(tag);
    reduce_cx_kernel<T><<<grid_for(r.kept), kBlock, 0, st>>>(op, static_cast<const Cx<T>*>(x), static_cast<Cx<T>*>(y), r);
  });
  check_launch("complex reduction", device);
}

void complex_make(bool dbl, const void* re, const void* im, void* out, const Strided& s, int device) {
  const int64_t n = count_of(s);
  if (n == 0) return;
  DeviceGuard guard(device);
  const cudaStream_t st = context(device).stream;
  by_part(dbl, [&](auto tag) {
    using T = decltype(tag);
    make_kernel<T><<<grid_for(n), kBlock, 0, st>>>(static_cast<const T*>(re), static_cast<const T*>(im),
                                                   static_cast<Cx<T>*>(out), s, n);
  });
  check_launch("complex", device);
}

void complex_cast(CxType from, const void* x, CxType to, void* y, int64_t n, int device) {
  if (n == 0) return;
  DeviceGuard guard(device);
  const cudaStream_t st = context(device).stream;
  const unsigned g = grid_for(n);
  if (from.complex && to.complex) {
    by_part(from.dbl, [&](auto s) {
      by_part(to.dbl, [&](auto d) {
        using S = decltype(s);
        using D = decltype(d);
        cx_to_cx_kernel<S, D><<<g, kBlock, 0, st>>>(static_cast<const Cx<S>*>(x), static_cast<Cx<D>*>(y), n);
      });
    });
  } else if (from.complex) {
    by_part(from.dbl, [&](auto s) {
      by_dt(to.dt, [&](auto d) {
        using S = decltype(s);
        using D = decltype(d);
        cx_to_real_kernel<S, D><<<g, kBlock, 0, st>>>(static_cast<const Cx<S>*>(x), static_cast<D*>(y), n);
      });
    });
  } else {
    by_dt(from.dt, [&](auto s) {
      by_part(to.dbl, [&](auto d) {
        using S = decltype(s);
        using D = decltype(d);
        real_to_cx_kernel<S, D><<<g, kBlock, 0, st>>>(static_cast<const S*>(x), static_cast<Cx<D>*>(y), n);
      });
    });
  }
  check_launch("cast", device);
}

}  // namespace keras::core::cuda
