// test_math_isa.cpp - the vector kernels of core/ops_math.h's float functions
// (core/cpu/simd/math.cpp) on every ISA this CPU runs: within a few ulps of the C library
// on random values over each function's domain (odd sizes, so tails run too), the same
// NaN and infinities, and results that do not depend on the thread count.
#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "core/cpu/isa.h"
#include "helpers.h"

using namespace th;
using core::cpu::Isa;

namespace {

struct Fn {
  std::string name;
  std::function<Tensor(const Tensor&)> op;
  double (*ref)(double);
  double lo, hi;
};

const std::vector<Fn>& fns() {
  static const std::vector<Fn> f = {
      {"erf", [](auto& x) { return ops::erf(x); }, [](double v) { return std::erf(v); }, -6, 6},
      {"erfc", [](auto& x) { return ops::erfc(x); }, [](double v) { return std::erfc(v); }, -6, 6},
      {"exp2", [](auto& x) { return ops::exp2(x); }, [](double v) { return std::exp2(v); }, -60, 60},
      {"log2", [](auto& x) { return ops::log2(x); }, [](double v) { return std::log2(v); }, 1e-3, 1e6},
      {"log10", [](auto& x) { return ops::log10(x); }, [](double v) { return std::log10(v); }, 1e-3, 1e6},
      {"cbrt", [](auto& x) { return ops::cbrt(x); }, [](double v) { return std::cbrt(v); }, -1e3, 1e3},
      {"sinh", [](auto& x) { return ops::sinh(x); }, [](double v) { return std::sinh(v); }, -20, 20},
      {"cosh", [](auto& x) { return ops::cosh(x); }, [](double v) { return std::cosh(v); }, -20, 20},
      {"arcsin", [](auto& x) { return ops::arcsin(x); }, [](double v) { return std::asin(v); }, -1, 1},
      {"arccos", [](auto& x) { return ops::arccos(x); }, [](double v) { return std::acos(v); }, -1, 1},
      {"arctan", [](auto& x) { return ops::arctan(x); }, [](double v) { return std::atan(v); }, -50, 50},
      {"arcsinh", [](auto& x) { return ops::arcsinh(x); }, [](double v) { return std::asinh(v); }, -50, 50},
      {"arccosh", [](auto& x) { return ops::arccosh(x); }, [](double v) { return std::acosh(v); }, 1, 50},
      {"arctanh", [](auto& x) { return ops::arctanh(x); }, [](double v) { return std::atanh(v); }, -1, 1},
      {"trunc", [](auto& x) { return ops::trunc(x); }, [](double v) { return std::trunc(v); }, -50, 50},
  };
  return f;
}

}  // namespace

TEST_CASE("math isa: the vector kernels of every ISA match the C library, NaN and infinities included") {
  const Isa saved = core::cpu::isa_kernels().isa;
  const int threads = core::get_num_threads();
  const double inf = std::numeric_limits<double>::infinity();
  for (Isa isa : {Isa::baseline, Isa::avx2, Isa::avx512}) {
    if (int(isa) > int(core::cpu::best_isa())) continue;
    REQUIRE(core::cpu::set_isa(isa));
    CAPTURE(core::cpu::isa_name(isa));
    for (const Fn& f : fns()) {
      CAPTURE(f.name);
      std::vector<double> v = uniform(1003, f.lo, f.hi, 9);
      v[0] = std::nan("");
      v[1] = inf;
      v[2] = -inf;
      v[3] = 0.0;
      v[4] = f.lo;
      v[5] = f.hi;
      std::vector<double> want(v.size());
      for (size_t i = 0; i < v.size(); ++i) want[i] = f.ref(v[i]);
      const Tensor x64 = make(v, Shape{int64_t(v.size())}, DType::float64);
      check_values(f.op(x64), want, 1e-14);
      std::vector<double> want32(v.size());
      std::vector<double> v32 = values(ops::cast(x64, DType::float32));
      for (size_t i = 0; i < v.size(); ++i) want32[i] = double(float(f.ref(v32[i])));
      check_values(f.op(ops::cast(x64, DType::float32)), want32, 1e-6);
      // the same bits for one thread and two
      const Tensor big = make(uniform(100003, f.lo, f.hi, 3), Shape{100003}, DType::float32);
      core::set_num_threads(1);
      std::vector<float> one = f.op(big).to_vector<float>();
      core::set_num_threads(2);
      CHECK(one == f.op(big).to_vector<float>());
      core::set_num_threads(threads);
    }
  }
  core::cpu::set_isa(saved);
}
