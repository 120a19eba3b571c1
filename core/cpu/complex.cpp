// complex.cpp - CPU kernels on complex64/complex128 tensors: the elementwise arithmetic
// registered as the complex implementation of add, sub, mul, div, neg, abs, exp, equal,
// not_equal, cast, sum, mean and prod (dispatch picks them for complex inputs), and real,
// imag, complex.
// Checks and shapes: core/ops/complex.cpp.
#include <algorithm>
#include <complex>
#include <cstring>
#include <vector>

#include "core/cpu/broadcast.h"
#include "core/cpu/convert.h"
#include "core/dispatch.h"
#include "core/ops/complex_util.h"

namespace keras::core::cpu {
namespace {

template <class T>
const T* in_ptr(const OpCall& c, size_t i) {
  return static_cast<const T*>(c.in(i).raw_data());
}
template <class T>
T* out_ptr(OpCall& c, size_t i = 0) {
  return static_cast<T*>(c.outputs[i].raw_mutable_data());
}

// out = f(a, b) over the broadcast shape; A, B, R are the element types.
template <class A, class B, class R, class F>
void broadcast2(OpCall& c, F f) {
  const A* a = in_ptr<A>(c, 0);
  const B* b = in_ptr<B>(c, 1);
  R* o = out_ptr<R>(c);
  std::array<const Shape*, 2> ins{&c.in(0).shape(), &c.in(1).shape()};
  broadcast_rows<2>(c.out_shape[0], ins,
                    [&](int64_t out, const std::array<int64_t, 2>& off, int64_t len,
                        const std::array<int64_t, 2>& st) {
                      for (int64_t i = 0; i < len; ++i)
                        o[out + i] = f(a[off[0] + i * st[0]], b[off[1] + i * st[1]]);
                    });
}

template <class T>
void binary_typed(OpCall& c) {
  switch (c.op) {
    case OpId::Add: return broadcast2<T, T, T>(c, [](T x, T y) { return x + y; });
    case OpId::Sub: return broadcast2<T, T, T>(c, [](T x, T y) { return x - y; });
    case OpId::Mul: return broadcast2<T, T, T>(c, [](T x, T y) { return x * y; });
    case OpId::Div: return broadcast2<T, T, T>(c, [](T x, T y) { return x / y; });
    case OpId::Equal: return broadcast2<T, T, bool>(c, [](T x, T y) { return x == y; });
    case OpId::NotEqual: return broadcast2<T, T, bool>(c, [](T x, T y) { return x != y; });
    default: throw_invalid(std::string(c.name()) + ": no complex kernel");
  }
}

template <class T>
void unary_typed(OpCall& c) {
  using R = typename T::value_type;
  const T* x = in_ptr<T>(c, 0);
  const int64_t n = c.in(0).size();
  auto each = [&](auto f, auto* o) {
    parallel_for(n, kElementwiseGrain, [=](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) o[i] = f(x[i]);
    });
  };
  switch (c.op) {
    case OpId::Neg: return each([](T v) { return -v; }, out_ptr<T>(c));
    case OpId::Exp: return each([](T v) { return std::exp(v); }, out_ptr<T>(c));
    case OpId::Abs: return each([](T v) { return std::abs(v); }, out_ptr<R>(c));
    case OpId::Real: return each([](T v) { return v.real(); }, out_ptr<R>(c));
    case OpId::Imag: return each([](T v) { return v.imag(); }, out_ptr<R>(c));
    case OpId::Angle: return each([](T v) { return std::arg(v); }, out_ptr<R>(c));
    default: throw_invalid(std::string(c.name()) + ": no complex kernel");
  }
}

// sum, mean, prod over attrs.axes (empty: all): each output folds its reduced elements in
// row-major order in complex<double> (complex64 too, as float sums accumulate in double),
// then rounds once; mean divides the sum by the count (0 / 0: NaN for an empty axis).
template <class T>
void reduce_typed(OpCall& c) {
  const Shape& s = c.in(0).shape();
  const int64_t r = s.rank();
  std::vector<bool> red(static_cast<size_t>(r), c.attrs.axes.empty());
  for (int64_t a : c.attrs.axes) red[static_cast<size_t>(a < 0 ? a + r : a)] = true;
  std::vector<int64_t> kept_dims, kept_st, red_dims, red_st;
  int64_t stride = 1, count = 1;
  for (int64_t d = r - 1; d >= 0; --d) {  // row-major strides, split by role (innermost first)
    (red[static_cast<size_t>(d)] ? red_dims : kept_dims).push_back(s[d]);
    (red[static_cast<size_t>(d)] ? red_st : kept_st).push_back(stride);
    if (red[static_cast<size_t>(d)]) count *= s[d];
    stride *= s[d];
  }
  const T* x = in_ptr<T>(c, 0);
  T* y = out_ptr<T>(c);
  const OpId op = c.op;
  auto offset = [](int64_t i, const std::vector<int64_t>& dims, const std::vector<int64_t>& st) {
    int64_t o = 0;
    for (size_t d = 0; d < dims.size(); ++d) {
      o += (i % dims[d]) * st[d];
      i /= dims[d];
    }
    return o;
  };
  parallel_for(c.outputs[0].size(), std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(1, count)),
               [&](int64_t b, int64_t e) {
                 for (int64_t o = b; o < e; ++o) {
                   const T* base = x + offset(o, kept_dims, kept_st);
                   std::complex<double> acc(op == OpId::Prod ? 1.0 : 0.0, 0.0);
                   for (int64_t i = 0; i < count; ++i) {
                     const T v = base[offset(i, red_dims, red_st)];
                     const std::complex<double> w(v.real(), v.imag());
                     if (op == OpId::Prod) acc *= w;
                     else acc += w;
                   }
                   if (op == OpId::Mean) acc /= double(count);
                   y[o] = T(acc);
                 }
               });
}

template <template <class> class K>
void by_complex_dtype(OpCall& c, DType d) {
  if (d == DType::complex64) K<std::complex<float>>::run(c);
  else if (d == DType::complex128) K<std::complex<double>>::run(c);
  else throw_invalid(std::string(c.name()) + ": the complex kernel expected a complex64 or complex128 input, but received " +
                     dtype_name(d));
}
template <class T> struct BinaryK { static void run(OpCall& c) { binary_typed<T>(c); } };
template <class T> struct UnaryK { static void run(OpCall& c) { unary_typed<T>(c); } };
template <class T> struct ReduceK { static void run(OpCall& c) { reduce_typed<T>(c); } };

void binary_kernel(OpCall& c) {
  if (c.in(1).dtype() != c.in(0).dtype())
    throw_invalid(std::string(c.name()) + ": expected two complex tensors of one dtype, but received " +
                  dtype_name(c.in(0).dtype()) + " and " + dtype_name(c.in(1).dtype()));
  by_complex_dtype<BinaryK>(c, c.in(0).dtype());
}
void unary_kernel(OpCall& c) { by_complex_dtype<UnaryK>(c, c.in(0).dtype()); }
void reduce_kernel(OpCall& c) { by_complex_dtype<ReduceK>(c, c.in(0).dtype()); }

void cast_kernel(OpCall& c) {
  if (c.attrs.flag)
    throw_invalid("cast_exact: complex dtypes are not supported (received " +
                  std::string(dtype_name(c.in(0).dtype())) + " to " + dtype_name(c.out_dtype[0]) + ")");
  convert(c.in(0).raw_data(), c.in(0).dtype(), c.outputs[0].raw_mutable_data(), c.out_dtype[0],
          c.in(0).size());
}

// complex(re, im): float parts, broadcast.
void complex_kernel(OpCall& c) {
  if (c.in(0).dtype() == DType::float32)
    broadcast2<float, float, std::complex<float>>(c, [](float r, float i) { return std::complex<float>(r, i); });
  else
    broadcast2<double, double, std::complex<double>>(c, [](double r, double i) { return std::complex<double>(r, i); });
}

}  // namespace

void register_complex_elementwise_kernels() {
  const auto cpu = Device::Kind::CPU;
  for (OpId op : {OpId::Add, OpId::Sub, OpId::Mul, OpId::Div})
    register_complex_kernel(op, cpu, binary_kernel, complex_binary_infer());
  for (OpId op : {OpId::Equal, OpId::NotEqual}) register_complex_kernel(op, cpu, binary_kernel);
  for (OpId op : {OpId::Neg, OpId::Exp}) register_complex_kernel(op, cpu, unary_kernel, complex_unary_infer());
  for (OpId op : {OpId::Real, OpId::Imag, OpId::Angle}) register_complex_kernel(op, cpu, unary_kernel);
  register_complex_kernel(OpId::Abs, cpu, unary_kernel, infer_complex_abs);
  register_complex_kernel(OpId::Cast, cpu, cast_kernel);
  register_complex_kernel(OpId::Complex, cpu, complex_kernel);  // its output is complex
  for (OpId op : {OpId::Sum, OpId::Mean, OpId::Prod}) register_complex_kernel(op, cpu, reduce_kernel, infer_complex_reduce);
}

}  // namespace keras::core::cpu

namespace keras::core {
void register_cpu_complex_kernels() {
  cpu::register_complex_elementwise_kernels();
  cpu::register_fft_kernels();
  cpu::register_eig_kernels();
}
}  // namespace keras::core
