// The scalar rules of the CUDA math, scan, search and segment kernels (gpu/math_scalar.cuh,
// host+device), run on the host against the CPU kernels: the very code the GPU runs, checked
// in every CUDA build, also without a GPU. Integer rules (shift clamping, gcd/lcm of the
// lowest value, fmod by -1), searchsorted's bisection (NaN, unsorted sequences) and the
// segment folds (in a shuffled order, as the atomics may apply them) must agree exactly;
// the float functions are the C library's here (CUDA's on a device), so they agree within
// the CPU/CUDA table's tolerances. Compiled by nvcc (tests/meson.build adds it to CUDA
// builds only).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "core/ops_math.h"
#include "core/ops_reduce.h"
#include "gpu/math_scalar.cuh"
#include "helpers.h"
#include "host_tensors.h"

using namespace th;
using host_tensors::dtype_of;
using host_tensors::tensor_of;
using keras::core::cuda::MathOp;
using keras::core::cuda::SegOp;
namespace kc = keras::core::cuda;

namespace {

bool close(double cpu, double emu, double tol) {
  if (std::isnan(cpu) || std::isnan(emu)) return std::isnan(cpu) && std::isnan(emu);
  return cpu == emu || std::fabs(cpu - emu) <= tol * std::max(1.0, std::fabs(cpu));
}

template <class T>
std::vector<T> int_values(uint64_t seed) {
  std::vector<T> v = {T(0), T(1), T(2), T(3), T(6), T(12), T(100), std::numeric_limits<T>::max(),
                      std::numeric_limits<T>::lowest()};
  if constexpr (std::is_signed_v<T>)
    for (T x : {T(-1), T(-2), T(-12), T(-100), T(std::numeric_limits<T>::lowest() + 1)}) v.push_back(x);
  std::mt19937_64 g(seed);
  for (int i = 0; i < 16; ++i) v.push_back(T(g()));
  for (int i = 0; i < 16; ++i) v.push_back(T(int64_t(g() % 140) - 70));
  return v;
}

template <class T>
void check_integer_ops() {
  CAPTURE(std::string(core::dtype_name(dtype_of<T>())));
  const std::vector<T> v = int_values<T>(1);
  std::vector<T> a, b;
  for (T x : v)
    for (T y : v) a.push_back(x), b.push_back(y);
  const Tensor ta = tensor_of(a), tb = tensor_of(b);
  using B = Tensor (*)(const Tensor&, const Tensor&);
  const std::vector<std::pair<MathOp, B>> table = {
      {MathOp::BitwiseAnd, ops::bitwise_and}, {MathOp::BitwiseOr, ops::bitwise_or},
      {MathOp::BitwiseXor, ops::bitwise_xor}, {MathOp::LeftShift, ops::bitwise_left_shift},
      {MathOp::RightShift, ops::bitwise_right_shift}, {MathOp::Gcd, ops::gcd}, {MathOp::Lcm, ops::lcm}};
  for (const auto& [op, f] : table) {
    CAPTURE(int(op));
    const auto cpu = f(ta, tb).template to_vector<T>();
    int bad = 0;
    for (size_t i = 0; i < a.size(); ++i) bad += cpu[i] != kc::int_binary(op, a[i], b[i]);
    CHECK(bad == 0);
  }
  std::vector<T> fa, fb;  // fmod: the divisor 0 raises before any kernel runs
  for (size_t i = 0; i < a.size(); ++i)
    if (b[i] != T(0)) fa.push_back(a[i]), fb.push_back(b[i]);
  const auto cpu = ops::fmod(tensor_of(fa), tensor_of(fb)).template to_vector<T>();
  int bad = 0;
  for (size_t i = 0; i < fa.size(); ++i) bad += cpu[i] != kc::int_binary(MathOp::Fmod, fa[i], fb[i]);
  CHECK(bad == 0);
}

std::vector<double> float_values() {
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  std::vector<double> v = {0,   -0.0, 1,    -1,   0.5,   -0.5,   0.999999, -0.9999999999, 2.5, -3,
                           29.9, 30.5, -45,  700,  -712,  720,    1e-300,   1e5,           1e100, -1e300,
                           nan,  inf,  -inf};
  std::mt19937_64 g(2);
  std::uniform_real_distribution<double> u(-4, 4);
  for (int i = 0; i < 40; ++i) v.push_back(u(g));
  return v;
}

template <class T>
void check_float_unary(double tol) {
  CAPTURE(std::string(core::dtype_name(dtype_of<T>())));
  const Tensor x = ops::cast(tensor_of(float_values()), dtype_of<T>());
  const auto xs = x.template to_vector<T>();
  using U = Tensor (*)(const Tensor&);
  const std::vector<std::pair<MathOp, U>> table = {
      {MathOp::Erf, ops::erf}, {MathOp::Erfc, ops::erfc}, {MathOp::Erfinv, ops::erfinv},
      {MathOp::Exp2, ops::exp2}, {MathOp::Log2, ops::log2}, {MathOp::Log10, ops::log10},
      {MathOp::Cbrt, ops::cbrt}, {MathOp::Tan, ops::tan}, {MathOp::Sinh, ops::sinh},
      {MathOp::Cosh, ops::cosh}, {MathOp::Arcsin, ops::arcsin}, {MathOp::Arccos, ops::arccos},
      {MathOp::Arctan, ops::arctan}, {MathOp::Arcsinh, ops::arcsinh}, {MathOp::Arccosh, ops::arccosh},
      {MathOp::Arctanh, ops::arctanh}, {MathOp::I0, ops::i0}, {MathOp::I1, ops::bessel_i1},
      {MathOp::Trunc, ops::trunc}};
  for (const auto& [op, f] : table) {
    CAPTURE(int(op));
    const auto cpu = f(x).template to_vector<T>();
    for (size_t i = 0; i < xs.size(); ++i) {
      CAPTURE(double(xs[i]));
      CHECK(close(double(cpu[i]), double(kc::float_math(op, xs[i])), tol));
    }
  }
}

}  // namespace

TEST_CASE("cuda scalar rules, on the host: integer bitwise ops, shifts, gcd, lcm and fmod equal the CPU's") {
  check_integer_ops<int32_t>();
  check_integer_ops<int64_t>();
  check_integer_ops<uint8_t>();
}

TEST_CASE("cuda scalar rules, on the host: the float functions equal the CPU's within the table's tolerance") {
  check_float_unary<double>(1e-12);
  check_float_unary<float>(2e-5);
  const std::vector<double> v = float_values();
  std::vector<double> a, b;
  for (double x : v)
    for (double y : v) a.push_back(x), b.push_back(y);
  using B = Tensor (*)(const Tensor&, const Tensor&);
  for (const auto& [op, f] : std::vector<std::pair<MathOp, B>>{{MathOp::Arctan2, ops::arctan2},
                                                               {MathOp::Hypot, ops::hypot},
                                                               {MathOp::Fmod, ops::fmod},
                                                               {MathOp::NextAfter, ops::nextafter}}) {
    CAPTURE(int(op));
    const auto cpu = f(tensor_of(a), tensor_of(b)).to_vector<double>();
    int bad = 0;
    for (size_t i = 0; i < a.size(); ++i) bad += !close(cpu[i], kc::float_binary(op, a[i], b[i]), 1e-12);
    CHECK(bad == 0);
  }
}

TEST_CASE("cuda scalar rules, on the host: searchsorted's bisection gives the CPU's positions, NaN and unsorted too") {
  std::mt19937_64 g(3);
  std::uniform_real_distribution<double> u(-5, 5);
  for (int trial = 0; trial < 200; ++trial) {
    const int64_t n = int64_t(g() % 12);
    std::vector<double> s(static_cast<size_t>(n)), q(20);
    for (auto& x : s) x = g() % 5 == 0 ? std::numeric_limits<double>::quiet_NaN() : std::round(u(g));
    if (trial % 2) std::sort(s.begin(), s.end());  // NaNs make even this unsorted
    for (auto& x : q) x = g() % 7 == 0 ? std::numeric_limits<double>::quiet_NaN() : std::round(u(g));
    for (bool right : {false, true}) {
      const auto cpu = ops::searchsorted(tensor_of(s), tensor_of(q), right ? "right" : "left").to_vector<int32_t>();
      int bad = 0;
      for (size_t i = 0; i < q.size(); ++i) bad += cpu[i] != kc::search_position(s.data(), n, q[i], right);
      CHECK(bad == 0);
    }
  }
}

namespace {
template <class T>
void check_segments() {
  CAPTURE(std::string(core::dtype_name(dtype_of<T>())));
  std::mt19937_64 g(4);
  for (int trial = 0; trial < 60; ++trial) {
    const int n = int(g() % 10), segs = 1 + int(g() % 4);
    std::vector<T> d(static_cast<size_t>(n));
    std::vector<int32_t> ids(static_cast<size_t>(n));
    for (auto& x : d) {
      if constexpr (std::is_floating_point_v<T>)
        x = g() % 6 == 0 ? std::numeric_limits<T>::quiet_NaN() : T(int64_t(g() % 9) - 4);
      else
        x = T(g());
    }
    for (auto& x : ids) x = int32_t(g() % uint64_t(segs));
    using S = Tensor (*)(const Tensor&, const Tensor&, std::optional<int64_t>, bool);
    for (const auto& [op, f] : std::vector<std::pair<SegOp, S>>{
             {SegOp::Max, ops::segment_max}, {SegOp::Min, ops::segment_min}, {SegOp::Prod, ops::segment_prod}}) {
      CAPTURE(int(op));
      const auto cpu = f(tensor_of(d), tensor_of(ids), segs, false).template to_vector<T>();
      // The kernel's identity, then the folds in a shuffled order (as the atomics may land).
      std::vector<T> y(size_t(segs), op == SegOp::Max   ? std::numeric_limits<T>::lowest()
                                     : op == SegOp::Min ? std::numeric_limits<T>::max()
                                                        : T(1));
      std::vector<int> order(static_cast<size_t>(n));
      for (int i = 0; i < n; ++i) order[size_t(i)] = i;
      std::shuffle(order.begin(), order.end(), g);
      for (int i : order) y[size_t(ids[size_t(i)])] = kc::segment_fold(op, y[size_t(ids[size_t(i)])], d[size_t(i)]);
      for (int s = 0; s < segs; ++s) CHECK(close(double(cpu[size_t(s)]), double(y[size_t(s)]), 0));
    }
    const auto sum = ops::cumsum(tensor_of(d)).template to_vector<T>();
    const auto prod = ops::cumprod(tensor_of(d)).template to_vector<T>();
    T acc_s = n ? d[0] : T(0), acc_p = acc_s;
    for (int i = 0; i < n; ++i) {
      if (i > 0) acc_s = kc::scan_step(false, acc_s, d[size_t(i)]), acc_p = kc::scan_step(true, acc_p, d[size_t(i)]);
      CHECK(close(double(sum[size_t(i)]), double(acc_s), 0));
      CHECK(close(double(prod[size_t(i)]), double(acc_p), 0));
    }
  }
}
}  // namespace

TEST_CASE("cuda scalar rules, on the host: segment max / min / prod folds in any order and the scan steps equal the CPU's") {
  check_segments<double>();
  check_segments<float>();
  check_segments<int32_t>();
  check_segments<int64_t>();
  check_segments<uint8_t>();
}
