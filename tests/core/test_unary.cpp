#include <cmath>
#include <functional>

#include "core/cpu/isa.h"
#include "helpers.h"

using namespace th;

namespace {
double ref_sigmoid(double v) { return 1.0 / (1.0 + std::exp(-v)); }

struct UnaryCase {
  const char* name;
  std::function<Tensor(const Tensor&)> op;
  std::function<double(double)> ref;
  double lo, hi;  // input domain
};

const std::vector<UnaryCase>& float_cases() {
  static const std::vector<UnaryCase> cases = {
      {"neg", [](auto& x) { return ops::neg(x); }, [](double v) { return -v; }, -3, 3},
      {"abs", [](auto& x) { return ops::abs(x); }, [](double v) { return std::fabs(v); }, -3, 3},
      {"sign", [](auto& x) { return ops::sign(x); }, [](double v) { return double((v > 0) - (v < 0)); }, -3, 3},
      {"exp", [](auto& x) { return ops::exp(x); }, [](double v) { return std::exp(v); }, -3, 3},
      {"expm1", [](auto& x) { return ops::expm1(x); }, [](double v) { return std::expm1(v); }, -3, 3},
      {"log", [](auto& x) { return ops::log(x); }, [](double v) { return std::log(v); }, 0.1, 5},
      {"log1p", [](auto& x) { return ops::log1p(x); }, [](double v) { return std::log1p(v); }, -0.5, 5},
      {"sqrt", [](auto& x) { return ops::sqrt(x); }, [](double v) { return std::sqrt(v); }, 0, 5},
      {"rsqrt", [](auto& x) { return ops::rsqrt(x); }, [](double v) { return 1 / std::sqrt(v); }, 0.1, 5},
      {"square", [](auto& x) { return ops::square(x); }, [](double v) { return v * v; }, -3, 3},
      {"reciprocal", [](auto& x) { return ops::reciprocal(x); }, [](double v) { return 1 / v; }, 0.2, 3},
      {"sin", [](auto& x) { return ops::sin(x); }, [](double v) { return std::sin(v); }, -3, 3},
      {"cos", [](auto& x) { return ops::cos(x); }, [](double v) { return std::cos(v); }, -3, 3},
      {"tanh", [](auto& x) { return ops::tanh(x); }, [](double v) { return std::tanh(v); }, -3, 3},
      {"sigmoid", [](auto& x) { return ops::sigmoid(x); }, ref_sigmoid, -8, 8},
      {"relu", [](auto& x) { return ops::relu(x); }, [](double v) { return v > 0 ? v : 0; }, -3, 3},
      {"relu6", [](auto& x) { return ops::relu6(x); }, [](double v) { return std::min(std::max(v, 0.0), 6.0); }, -3, 9},
      {"leaky_relu", [](auto& x) { return ops::leaky_relu(x, 0.1); }, [](double v) { return v > 0 ? v : 0.1 * v; }, -3, 3},
      {"elu", [](auto& x) { return ops::elu(x, 0.5); }, [](double v) { return v > 0 ? v : 0.5 * (std::exp(v) - 1); }, -3, 3},
      {"selu", [](auto& x) { return ops::selu(x); },
       [](double v) { return 1.0507009873554805 * (v > 0 ? v : 1.6732632423543772 * (std::exp(v) - 1)); }, -3, 3},
      {"gelu", [](auto& x) { return ops::gelu(x, false); }, [](double v) { return 0.5 * v * (1 + std::erf(v / std::sqrt(2.0))); }, -3, 3},
      {"gelu_tanh", [](auto& x) { return ops::gelu(x, true); },
       [](double v) { return 0.5 * v * (1 + std::tanh(std::sqrt(2 / M_PI) * (v + 0.044715 * v * v * v))); }, -3, 3},
      {"silu", [](auto& x) { return ops::silu(x); }, [](double v) { return v * ref_sigmoid(v); }, -5, 5},
      {"softplus", [](auto& x) { return ops::softplus(x); }, [](double v) { return std::log(1 + std::exp(v)); }, -5, 5},
      {"softsign", [](auto& x) { return ops::softsign(x); }, [](double v) { return v / (1 + std::fabs(v)); }, -5, 5},
      {"floor", [](auto& x) { return ops::floor(x); }, [](double v) { return std::floor(v); }, -3, 3},
      {"ceil", [](auto& x) { return ops::ceil(x); }, [](double v) { return std::ceil(v); }, -3, 3},
      {"round", [](auto& x) { return ops::round(x); }, [](double v) { return std::nearbyint(v); }, -3, 3},
  };
  return cases;
}
}  // namespace

TEST_CASE("unary float ops match std:: references on several shapes and both float dtypes") {
  for (const auto& c : float_cases()) {
    for (DType dt : {DType::float32, DType::float64}) {
      for (Shape s : {Shape{}, Shape{7}, Shape{3, 4}, Shape{0, 5}, Shape{70000}}) {
        CAPTURE(c.name);
        CAPTURE(core::dtype_name(dt));
        CAPTURE(s.str());
        auto in = uniform(s.num_elements(), c.lo, c.hi);
        Tensor x = make(in, s, dt);
        Tensor y = c.op(x);
        CHECK(y.shape() == s);
        CHECK(y.dtype() == dt);
        std::vector<double> expect;
        for (double v : values(x)) expect.push_back(c.ref(v));
        check_values(y, expect, dt == DType::float32 ? 2e-6 : 1e-12);
      }
    }
  }
}

TEST_CASE("unary ops on integers: the integer-valid ops work, the float-only ops raise or compute in float32") {
  Tensor i = core::constant({-3, 0, 4, 9});
  check_values(ops::neg(i), std::vector<int>{3, 0, -4, -9});
  check_values(ops::abs(i), std::vector<int>{3, 0, 4, 9});
  check_values(ops::sign(i), std::vector<int>{-1, 0, 1, 1});
  check_values(ops::square(i), std::vector<int>{9, 0, 16, 81});
  check_values(ops::relu(i), std::vector<int>{0, 0, 4, 9});
  check_values(ops::relu6(i), std::vector<int>{0, 0, 4, 6});
  CHECK(ops::relu(i).dtype() == DType::int32);
  Tensor l = ops::cast(i, DType::int64);
  check_values(ops::neg(l), std::vector<int>{3, 0, -4, -9});
  // keras.ops: exp of an integer computes in float32 (tests/core/test_keras_int_unary.cpp);
  // the engine's float-only ops Keras refuses for integers raise.
  CHECK(ops::exp(i).dtype() == DType::float32);
  CHECK_THROWS_MSG(ops::reciprocal(i), std::invalid_argument,
                   "reciprocal: expected x to have dtype float32 or float64, but received dtype int32");
  CHECK_THROWS_MSG(ops::sigmoid(core::constant({true})), std::invalid_argument, "sigmoid");
  CHECK_THROWS_MSG(ops::neg(ops::cast(i, DType::uint8)), std::invalid_argument, "received dtype uint8");
}

TEST_CASE("round is half-to-even; predicates; logical_not") {
  check_values(ops::round(core::constant({0.5, 1.5, 2.5, -0.5, -1.5})),
               std::vector<double>{0, 2, 2, -0, -2});
  // Edges of the vectorized rounding (round, floor, ceil) and abs: the largest fractions,
  // signed zeros, subnormals, infinities, NaN, and random values against std::nearbyint,
  // std::floor, std::ceil and the sign rule of abs (-0 stays -0, as the engine has always
  // done), in both float dtypes, on every ISA this CPU runs (core/cpu/isa.h).
  const core::cpu::Isa saved_isa = core::cpu::isa_kernels().isa;
  for (core::cpu::Isa isa : {core::cpu::Isa::baseline, core::cpu::Isa::avx2, core::cpu::Isa::avx512}) {
    if (!core::cpu::set_isa(isa)) continue;
    const std::string isa_s = core::cpu::isa_name(isa);
    CAPTURE(isa_s);
    const std::vector<double> edge = {8388607.5, -8388607.5, 8388608.0, 8388609.0, 0.49999997, -0.49999997,
                                      -0.0,      0.0,        1e30,      -1e30,     INFINITY,   -INFINITY, NAN};
    std::vector<double> vals = edge;
    for (double v : uniform(2000, -1e4, 1e4)) vals.push_back(v);
    for (double v : uniform(2000, -3, 3)) vals.push_back(std::round(v * 2) / 2);  // exact halves
    for (double v : {-0.7, -0.3, -1e-45, 1e-45, 0.3, 0.7, -1.0, 1.0, -2.5, 2.5, 3.5, -3.5}) vals.push_back(v);
    for (DType d : {DType::float32, DType::float64})
      for (const char* op : {"round", "floor", "ceil", "abs"}) {
        const Tensor x = make(vals, {int64_t(vals.size())}, d);
        const std::string o = op;
        const auto got = values(o == "round"   ? ops::round(x)
                                : o == "floor" ? ops::floor(x)
                                : o == "ceil"  ? ops::ceil(x)
                                               : ops::abs(x));
        const auto in = values(x);
        auto ref = [&](double v) {
          if (o == "abs") return v < 0 ? -v : v;
          if (d == DType::float32) {
            const float f = float(v);
            return double(o == "round" ? std::nearbyint(f) : o == "floor" ? std::floor(f) : std::ceil(f));
          }
          return o == "round" ? std::nearbyint(v) : o == "floor" ? std::floor(v) : std::ceil(v);
        };
        for (size_t i = 0; i < in.size(); ++i) {
          const double want = ref(in[i]);
          if (std::isnan(want)) CHECK(std::isnan(got[i]));
          else CHECK_MESSAGE((got[i] == want && std::signbit(got[i]) == std::signbit(want)), o << " " << in[i] << " got " << got[i]);
        }
      }
    const Tensor big = make({4503599627370495.5, -4503599627370495.5}, {2}, DType::float64);
    check_values(ops::round(big), std::vector<double>{4503599627370496.0, -4503599627370496.0});
  }
  core::cpu::set_isa(saved_isa);
  // Integers round to themselves, in their dtype (tf.round, keras.ops.round).
  for (DType d : {DType::int8, DType::uint8, DType::int32, DType::int64}) {
    const Tensor n = ops::cast(core::constant({1, 7, 100}), d);
    CHECK(ops::round(n).dtype() == d);
    check_values(ops::round(n), std::vector<int>{1, 7, 100});
  }
  Tensor x = core::constant({1.0f, NAN, INFINITY, -INFINITY});
  check_values(ops::isnan(x), std::vector<int>{0, 1, 0, 0});
  check_values(ops::isfinite(x), std::vector<int>{1, 0, 0, 0});
  CHECK(ops::isnan(x).dtype() == DType::bool_);
  check_values(ops::logical_not(core::constant({true, false})), std::vector<int>{0, 1});
  CHECK_THROWS_MSG(ops::logical_not(core::constant({1})), std::invalid_argument, "bool");
}

TEST_CASE("numerically stable sigmoid and softplus at extremes") {
  Tensor x = core::constant({-1000.0, 1000.0});
  check_values(ops::sigmoid(x), std::vector<double>{0, 1});
  check_values(ops::softplus(x), std::vector<double>{0, 1000});
  check_values(ops::silu(x), std::vector<double>{0, 1000});
  CHECK(ops::sign(core::constant({NAN})).to_vector<float>()[0] != 0.0f);  // NaN stays NaN
}
