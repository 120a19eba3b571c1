// test_numerics.cpp - exact scalar conversion (TensorFlow's "Cannot convert 2.5 to
// EagerTensor of dtype int32"), checked item<T>(), and NaN through the max/min family.
#include <limits>

#include "helpers.h"

using namespace th;
using core::ConversionError;
using core::GradientTape;

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
}  // namespace

TEST_CASE("scalar conversion: non-integral, NaN and out-of-range scalars raise for integer tensors") {
  Tensor i = core::constant({1, 2});
  CHECK_THROWS_MSG(i * 2.5, ConversionError, "cannot convert 2.5 to dtype int32");
  CHECK_THROWS_MSG(2.5 * i, ConversionError, "operator*");
  CHECK_THROWS_MSG(i + 0.1, ConversionError, "0.1 to dtype int32");
  CHECK_THROWS_MSG(i < 3.5, ConversionError, "3.5");
  CHECK_THROWS_MSG(i >= kNaN, ConversionError, "nan");
  CHECK_THROWS_MSG(i - kInf, ConversionError, "inf");
  CHECK_THROWS_MSG(i * 2147483648.0, ConversionError, "out of range [-2147483648, 2147483647]");
  Tensor u = core::constant({1, 2}, DType::uint8);
  CHECK_THROWS_MSG(u * 300.0, ConversionError, "cannot convert 300.0 to dtype uint8");
  CHECK_THROWS_MSG(u + -1.0, ConversionError, "uint8");
  Tensor l = core::constant(std::vector<int64_t>{1, 2});
  CHECK_THROWS_MSG(l * 9223372036854775808.0, ConversionError, "int64");
  CHECK_THROWS_MSG(ops::clip(i, 0.5, 3.0), ConversionError, "clip: min_value");
  CHECK_THROWS_MSG(ops::clip(i, 0.0, 3.5), ConversionError, "clip: max_value");
  CHECK_THROWS_MSG(ops::fill({2}, 2.5, DType::int32), ConversionError, "fill");
  CHECK_THROWS_MSG(ops::full_like(u, 256.0), ConversionError, "uint8");
  CHECK_THROWS_MSG(core::constant(2.5, DType::int32), ConversionError, "constant");
  CHECK_THROWS_MSG(core::constant({1.0, 2.5}, DType::int64), ConversionError, "2.5");
  CHECK_THROWS_MSG(core::constant({1, 300}, DType::uint8), ConversionError, "300");
  CHECK_THROWS_MSG(ops::pad(i, {{1, 0}}, 0.5), ConversionError, "pad: constant_value");
  // std::invalid_argument is the family, as for other bad input.
  CHECK_THROWS_AS(i * 2.5, std::invalid_argument);
}

TEST_CASE("scalar conversion: integral values in range are accepted, floats take any value") {
  check_values(core::constant({1, 2}) * 2.0, std::vector<int>{2, 4});
  check_values(core::constant({1, 0}) * -2147483648.0, std::vector<double>{-2147483648.0, 0.0});
  check_values(core::constant({1, 2}, DType::uint8) * 100.0, std::vector<int>{100, 200});
  check_values(core::constant({1, 2}) < 2.0, std::vector<int>{1, 0});
  check_values(ops::clip(core::constant({-3, 5}), 0.0, 3.0), std::vector<int>{0, 3});
  check_values(core::constant({1.0f, 2.0f}) * 2.5, std::vector<double>{2.5, 5.0});
  check_values(core::constant({1.0f}) * kNaN, std::vector<double>{kNaN});
  check_values(core::constant({1.0f}) * 1e300, std::vector<double>{kInf});  // TF: inf
  check_values(core::constant({true, false}) == core::constant(1, DType::bool_),
               std::vector<int>{1, 0});
}

TEST_CASE("one_hot: on_value/off_value outside the dtype raise instead of wrapping") {
  Tensor idx = core::constant({0, 1});
  CHECK_THROWS_MSG(ops::one_hot(idx, 3, {.on_value = 300, .dtype = DType::uint8}), ConversionError,
                   "one_hot: on_value: cannot convert 300.0 to dtype uint8");
  CHECK_THROWS_MSG(ops::one_hot(idx, 3, {.off_value = -1, .dtype = DType::uint8}), ConversionError,
                   "off_value");
  CHECK_THROWS_MSG(ops::one_hot(idx, 3, {.on_value = 2.5, .dtype = DType::int32}), ConversionError,
                   "2.5");
  check_values(ops::one_hot(idx, 2, {.on_value = 255, .dtype = DType::uint8}),
               std::vector<int>{255, 0, 0, 255});
}

TEST_CASE("item: exact for int64 beyond 2^53 and checked against the requested type") {
  const int64_t big = (int64_t{1} << 53) + 1;
  CHECK(core::constant(big).item<int64_t>() == big);
  CHECK(core::constant(std::numeric_limits<int64_t>::max()).item<int64_t>() ==
        std::numeric_limits<int64_t>::max());
  CHECK(core::constant(std::numeric_limits<int64_t>::min()).item<int64_t>() ==
        std::numeric_limits<int64_t>::min());
  CHECK(core::constant(std::numeric_limits<int64_t>::max()).item<uint64_t>() ==
        uint64_t(std::numeric_limits<int64_t>::max()));
  CHECK_THROWS_MSG(core::constant(kNaN).item<int>(), ConversionError, "nan has no integer value");
  CHECK_THROWS_MSG(core::constant(kInf).item<int64_t>(), ConversionError, "infinity");
  CHECK_THROWS_MSG(core::constant(int64_t{3000000000}).item<int32_t>(), ConversionError,
                   "3000000000");
  CHECK_THROWS_MSG(core::constant(300).item<uint8_t>(), ConversionError, "[0, 255]");
  CHECK_THROWS_MSG(core::constant(-1).item<unsigned>(), ConversionError, "-1");
  CHECK_THROWS_MSG(core::constant(1e300, DType::float64).item<float>(), ConversionError, "float");
  CHECK_THROWS_MSG(core::constant(9.3e18, DType::float64).item<int64_t>(), ConversionError, "out of its range");
  // Floats read as integers truncate toward zero (Python's int(tensor)).
  CHECK(core::constant(2.7).item<int>() == 2);
  CHECK(core::constant(-2.7).item<int>() == -2);
  CHECK(core::constant(-0.5).item<unsigned>() == 0u);
  CHECK(std::isnan(core::constant(kNaN).item<double>()));
  CHECK(std::isinf(core::constant(kInf, DType::float64).item<float>()));
  CHECK(core::constant(2.5).item<float>() == 2.5f);
  CHECK(core::constant(7).item<double>() == 7.0);
  CHECK(core::constant(true).item<bool>());
  CHECK(core::constant(0.0).item<bool>() == false);
}

TEST_CASE("NaN propagates through relu, relu6 and the max/min family") {
  Tensor x = core::constant({kNaN, -1.0, 0.0, 2.0, 7.0, kInf, -kInf});
  check_values(ops::relu(x), std::vector<double>{kNaN, 0, 0, 2, 7, kInf, 0});
  check_values(ops::relu6(x), std::vector<double>{kNaN, 0, 0, 2, 6, 6, 0});
  check_values(ops::leaky_relu(x, 0.2), std::vector<double>{kNaN, -0.2, 0, 2, 7, kInf, -kInf});
  check_values(ops::elu(x), std::vector<double>{kNaN, std::expm1(-1.0), 0, 2, 7, kInf, -1});
  check_values(ops::softplus(x), std::vector<double>{kNaN, std::log1p(std::exp(-1.0)),
                                                     std::log(2.0), 2 + std::log1p(std::exp(-2.0)),
                                                     7 + std::log1p(std::exp(-7.0)), kInf, 0});
  check_values(ops::maximum(x, ops::scalar_like(x, 0.0)), std::vector<double>{kNaN, 0, 0, 2, 7, kInf, 0});
  check_values(ops::minimum(x, ops::scalar_like(x, 0.0)), std::vector<double>{kNaN, -1, 0, 0, 0, 0, -kInf});
  check_values(ops::clip(x, 0.0, 1.0), std::vector<double>{kNaN, 0, 0, 1, 1, 1, 0});
  check_values(ops::max(x), std::vector<double>{kNaN});
  check_values(ops::min(x), std::vector<double>{kNaN});
  // Inside a traced function the fused elementwise kernel keeps NaN too.
  auto f = core::function([](const Tensor& v) { return ops::multiply(ops::relu(ops::neg(v)), ops::scalar_like(v, 2.0)); });
  check_values(f(x), std::vector<double>{kNaN, 2, 0, 0, 0, 0, kInf});
}

TEST_CASE("NaN inputs get NaN gradients through relu, relu6, leaky_relu, elu and max/min") {
  Tensor x = core::constant({kNaN, -1.0, 0.0, 2.0, 7.0, kInf, -kInf}, DType::float64);
  auto grad = [&](auto fn) {
    GradientTape tape;
    tape.watch(x);
    Tensor y = ops::sum(fn(x));
    return tape.gradient(y, x);
  };
  check_values(grad([](const Tensor& v) { return ops::relu(v); }), std::vector<double>{kNaN, 0, 0, 1, 1, 1, 0});
  check_values(grad([](const Tensor& v) { return ops::relu6(v); }), std::vector<double>{kNaN, 0, 0, 1, 0, 0, 0});
  check_values(grad([](const Tensor& v) { return ops::leaky_relu(v, 0.2); }),
               std::vector<double>{kNaN, 0.2, 0.2, 1, 1, 1, 0.2});
  check_values(grad([](const Tensor& v) { return ops::elu(v); }),
               std::vector<double>{kNaN, std::exp(-1.0), 1, 1, 1, 1, 0});
  check_values(grad([](const Tensor& v) { return ops::softplus(v); }),
               std::vector<double>{kNaN, 1 / (1 + std::exp(1.0)), 0.5, 1 / (1 + std::exp(-2.0)),
                                   1 / (1 + std::exp(-7.0)), 1, 0});
  check_values(grad([](const Tensor& v) { return ops::maximum(v, ops::scalar_like(v, 0.0)); }),
               std::vector<double>{kNaN, 0, 1, 1, 1, 1, 0});
  check_values(grad([](const Tensor& v) { return ops::clip(v, 0.0, 1.0); }),
               std::vector<double>{kNaN, 0, 1, 0, 0, 0, 0});
  // A NaN flowing in from above stays NaN (never masked to 0).
  GradientTape tape;
  tape.watch(x);
  Tensor y = ops::sum(ops::multiply(ops::relu(x), ops::scalar_like(x, kNaN)));
  check_values(tape.gradient(y, x), std::vector<double>{kNaN, kNaN, kNaN, kNaN, kNaN, kNaN, kNaN});
}
