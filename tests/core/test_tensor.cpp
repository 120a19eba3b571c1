#include <sstream>

#include "core/storage.h"
#include "helpers.h"

using namespace th;

TEST_CASE("constant: literal dtypes follow TensorFlow") {
  CHECK(core::constant(1.5).dtype() == DType::float32);
  CHECK(core::constant(3).dtype() == DType::int32);
  CHECK(core::constant(int64_t{3}).dtype() == DType::int64);
  CHECK(core::constant(true).dtype() == DType::bool_);
  CHECK(core::constant({1.0, 2.0}).dtype() == DType::float32);
  CHECK(core::constant({1, 2}).dtype() == DType::int32);
  CHECK(core::constant({int64_t{1}, int64_t{2}}).dtype() == DType::int64);
  CHECK(core::constant(std::vector<double>{1, 2}).dtype() == DType::float64);
  CHECK(core::constant(std::vector<int64_t>{1, 2}).dtype() == DType::int64);
  CHECK(core::constant({1, 2}, DType::float64).dtype() == DType::float64);
}

TEST_CASE("constant: shapes of nested lists") {
  Tensor s = core::constant(2.0);
  CHECK(s.shape() == Shape{});
  CHECK(s.item<double>() == 2.0);
  Tensor m = core::constant({{1, 2, 3}, {4, 5, 6}});
  CHECK(m.shape() == Shape{2, 3});
  CHECK(m.to_vector<int32_t>() == std::vector<int32_t>{1, 2, 3, 4, 5, 6});
  Tensor c = core::constant({{{1.0f}, {2.0f}}, {{3.0f}, {4.0f}}});
  CHECK(c.shape() == Shape{2, 2, 1});
  CHECK_THROWS_MSG(core::constant({{1, 2}, {3}}), std::invalid_argument, "rectangular");
  CHECK_THROWS_MSG(core::constant(std::vector<float>{1, 2, 3}, Shape{2, 2}),
                   std::invalid_argument, "3 values cannot fill shape (2, 2)");
}

TEST_CASE("shape: validation and overflow") {
  CHECK(Shape{2, 3}.num_elements() == 6);
  CHECK(Shape{}.num_elements() == 1);
  CHECK(Shape{4, 0}.num_elements() == 0);
  CHECK(Shape{5}.str() == "(5,)");
  CHECK(Shape{32, 100}.str() == "(32, 100)");
  CHECK_THROWS_AS(Shape({2, -1}), std::invalid_argument);
  CHECK_THROWS_AS(Shape({int64_t{1} << 40, int64_t{1} << 40}), std::overflow_error);
  CHECK(Shape({int64_t{1} << 40, int64_t{1} << 40, 0}).num_elements() == 0);
  CHECK_THROWS_AS(Shape{2}.dim(3), std::out_of_range);
  CHECK(Shape{2, 7}.dim(-1) == 7);
}

TEST_CASE("tensor: typed access checks the dtype") {
  Tensor t = core::constant({1.0f, 2.0f});
  CHECK(t.data<float>()[1] == 2.0f);
  CHECK_THROWS_MSG(t.data<double>(), std::invalid_argument, "has dtype float32");
  CHECK_THROWS_MSG(t.item<float>(), std::invalid_argument, "exactly one element");
  Tensor u;
  CHECK_FALSE(u.defined());
  CHECK_THROWS_MSG(u.shape(), std::invalid_argument, "undefined");
  CHECK_THROWS_MSG(ops::exp(u), std::invalid_argument, "undefined");
}

TEST_CASE("tensor: printing like TensorFlow") {
  CHECK(core::constant({{1.0, 2.0}, {3.0, 4.5}}).str() ==
        "tf.Tensor(\n[[1.  2. ]\n [3.  4.5]], shape=(2, 2), dtype=float32)");
  CHECK(core::constant(1.0).str() == "tf.Tensor(1.0, shape=(), dtype=float32)");
  CHECK(core::constant({1, 20, 3}).str() == "tf.Tensor([ 1 20  3], shape=(3,), dtype=int32)");
  CHECK(core::constant({true, false}).str() ==
        "tf.Tensor([ True False], shape=(2,), dtype=bool)");
  CHECK(core::constant({0.1, 0.25}).values_str() == "[0.1  0.25]");
  // NumPy switches to scientific notation below 1e-4 and pads the mantissas.
  CHECK(core::constant({1e-5, 1.0}).values_str() == "[1.e-05 1.e+00]");
  CHECK(core::constant({2.5e-5, 1.0}).values_str() == "[2.5e-05 1.0e+00]");
  CHECK(ops::zeros({2, 0}).values_str() == "[[]]");
  // Big tensors are abbreviated with "..." as NumPy does past 1000 elements.
  std::string big = ops::range(2000).values_str();
  CHECK(big == "[   0    1    2 ... 1997 1998 1999]");
  std::ostringstream os;
  os << core::constant(int64_t{7});
  CHECK(os.str() == "tf.Tensor(7, shape=(), dtype=int64)");
}

TEST_CASE("cast: every dtype pair, saturating float -> int") {
  Tensor f = core::constant({-1.7, 0.0, 2.9, 300.0});
  check_values(ops::cast(f, DType::int32), std::vector<int>{-1, 0, 2, 300});
  check_values(ops::cast(f, DType::uint8), std::vector<int>{0, 0, 2, 255});
  check_values(ops::cast(f, DType::bool_), std::vector<int>{1, 0, 1, 1});
  Tensor nan = core::constant({NAN, INFINITY, -INFINITY});
  check_values(ops::cast(nan, DType::int32),
               std::vector<double>{0, 2147483647.0, -2147483648.0});
  for (int a = 0; a < core::kNumDTypes; ++a)
    for (int b = 0; b < core::kNumDTypes; ++b) {
      auto da = static_cast<DType>(a), db = static_cast<DType>(b);
      if (da == DType::string || db == DType::string) continue;  // (test_string_tensor.cpp)
      Tensor x = ops::cast(core::constant({0, 1, 1}), da);
      Tensor y = ops::cast(x, db);
      CHECK(y.dtype() == db);
      check_values(y, std::vector<int>{0, 1, 1});
    }
}

TEST_CASE("host allocator reuses freed blocks") {
  { Tensor warm = ops::zeros({1 << 16}); }
  auto before = core::host_allocator_stats();
  for (int i = 0; i < 100; ++i) Tensor t = ops::zeros({1 << 16});
  auto after = core::host_allocator_stats();
  CHECK(after.system_allocations == before.system_allocations);
}

TEST_CASE("operators with scalars take the tensor's dtype") {
  Tensor x = core::constant({1, 2, 3});
  Tensor y = x * 2.0 + 1.0;
  CHECK(y.dtype() == DType::int32);
  check_values(y, std::vector<int>{3, 5, 7});
  check_values(-x, std::vector<int>{-1, -2, -3});
  check_values(x > 1.0, std::vector<int>{0, 1, 1});
  Tensor f = core::constant({1.0, 4.0});
  check_values(10.0 / f, std::vector<double>{10, 2.5});
  check_values((f < 2.0) || (f > 3.0), std::vector<int>{1, 1});
  check_values(!(f == f), std::vector<int>{0, 0});
}
