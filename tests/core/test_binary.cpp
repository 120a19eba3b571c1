#include <functional>

#include "helpers.h"

using namespace th;

namespace {
// Reference broadcasting: out element at multi-index i reads each input at i with
// broadcast axes pinned to 0.
std::vector<double> ref_broadcast(const std::vector<double>& a, const Shape& sa,
                                  const std::vector<double>& b, const Shape& sb, const Shape& so,
                                  const std::function<double(double, double)>& f) {
  std::vector<double> out;
  auto sta = core::contiguous_strides(sa), stb = core::contiguous_strides(sb);
  std::vector<int64_t> idx(static_cast<size_t>(so.rank()), 0);
  for (int64_t n = 0; n < so.num_elements(); ++n) {
    int64_t rem = n;
    for (int64_t d = so.rank() - 1; d >= 0; --d) {
      idx[static_cast<size_t>(d)] = rem % so[d];
      rem /= so[d];
    }
    int64_t oa = 0, ob = 0;
    for (int64_t d = 0; d < sa.rank(); ++d) {
      int64_t od = d + so.rank() - sa.rank();
      if (sa[d] != 1) oa += idx[static_cast<size_t>(od)] * sta[static_cast<size_t>(d)];
    }
    for (int64_t d = 0; d < sb.rank(); ++d) {
      int64_t od = d + so.rank() - sb.rank();
      if (sb[d] != 1) ob += idx[static_cast<size_t>(od)] * stb[static_cast<size_t>(d)];
    }
    out.push_back(f(a[static_cast<size_t>(oa)], b[static_cast<size_t>(ob)]));
  }
  return out;
}

struct BinCase {
  const char* name;
  std::function<Tensor(const Tensor&, const Tensor&)> op;
  std::function<double(double, double)> ref;
  bool ints;  // also valid on int32/int64
};
}  // namespace

TEST_CASE("binary ops broadcast like NumPy, on every numeric dtype they claim") {
  std::vector<BinCase> cases = {
      {"add", [](auto& a, auto& b) { return ops::add(a, b); }, std::plus<double>(), true},
      {"subtract", [](auto& a, auto& b) { return ops::subtract(a, b); }, std::minus<double>(), true},
      {"multiply", [](auto& a, auto& b) { return ops::multiply(a, b); }, std::multiplies<double>(), true},
      {"divide", [](auto& a, auto& b) { return ops::divide(a, b); }, std::divides<double>(), false},
      {"maximum", [](auto& a, auto& b) { return ops::maximum(a, b); }, [](double x, double y) { return std::max(x, y); }, true},
      {"minimum", [](auto& a, auto& b) { return ops::minimum(a, b); }, [](double x, double y) { return std::min(x, y); }, true},
      {"squared_difference", [](auto& a, auto& b) { return ops::squared_difference(a, b); },
       [](double x, double y) { return (x - y) * (x - y); }, true},
      {"floor_divide", [](auto& a, auto& b) { return ops::floor_divide(a, b); },
       [](double x, double y) { return std::floor(x / y); }, true},
      {"mod", [](auto& a, auto& b) { return ops::mod(a, b); },
       [](double x, double y) { return x - std::floor(x / y) * y; }, true},
      {"power", [](auto& a, auto& b) { return ops::power(a, b); }, [](double x, double y) { return std::pow(x, y); }, false},
  };
  std::vector<std::pair<Shape, Shape>> shapes = {
      {Shape{}, Shape{}},       {Shape{5}, Shape{5}},       {Shape{2, 3}, Shape{3}},
      {Shape{4, 1}, Shape{1, 3}}, {Shape{2, 1, 4}, Shape{3, 1}}, {Shape{3}, Shape{}},
      {Shape{}, Shape{2, 2}},   {Shape{0, 3}, Shape{3}},     {Shape{300, 257}, Shape{257}},
      {Shape{2, 3, 4}, Shape{2, 1, 4}}};
  for (const auto& c : cases)
    for (DType dt : {DType::float32, DType::float64, DType::int32, DType::int64}) {
      if (core::is_integer(dt) && !c.ints) continue;
      for (auto& [sa, sb] : shapes) {
        CAPTURE(c.name);
        CAPTURE(core::dtype_name(dt));
        CAPTURE(sa.str());
        CAPTURE(sb.str());
        bool integer = core::is_integer(dt);
        auto va = uniform(sa.num_elements(), integer ? -20 : 0.5, integer ? 20 : 3, 1);
        auto vb = uniform(sb.num_elements(), integer ? 1 : 0.5, integer ? 9 : 3, 2);
        if (integer) {
          for (auto& v : va) v = std::floor(v);
          for (auto& v : vb) v = std::floor(v);
          if (std::string(c.name) == "power")
            for (auto& v : vb) v = std::min(v, 3.0);
        }
        Tensor a = make(va, sa, dt), b = make(vb, sb, dt);
        Tensor y = c.op(a, b);
        Shape so = core::Shape(y.shape());
        CHECK(so == ops::add(ops::zeros(sa), ops::zeros(sb)).shape());
        check_values(y, ref_broadcast(values(a), sa, values(b), sb, so, c.ref),
                     dt == DType::float32 ? 3e-6 : 1e-12);
      }
    }
}

TEST_CASE("integer division: floor semantics, division by zero raises") {
  Tensor a = core::constant({7, -7, 7, -7}), b = core::constant({2, 2, -2, -2});
  check_values(ops::floor_divide(a, b), std::vector<int>{3, -4, -4, 3});
  check_values(ops::mod(a, b), std::vector<int>{1, 1, -1, -1});
  CHECK_THROWS_MSG(ops::floor_divide(a, core::constant({1, 0, 1, 1})), std::invalid_argument,
                   "integer division by zero");
  CHECK_THROWS_MSG(ops::mod(a, core::constant(0)), std::invalid_argument, "division by zero");
  // True division of integers gives float64, as TensorFlow.
  Tensor q = ops::divide(core::constant({1, 3}), core::constant({2, 2}));
  CHECK(q.dtype() == DType::float64);
  check_values(q, std::vector<double>{0.5, 1.5});
  CHECK_THROWS_MSG(ops::power(core::constant({2}), core::constant({-1})), std::invalid_argument,
                   "negative integer powers");
  check_values(ops::power(core::constant({2, 3}), core::constant({10, 3})), std::vector<int>{1024, 27});
}

TEST_CASE("comparisons and logical ops give bool") {
  Tensor a = core::constant({1.0, 2.0, 3.0}), b = core::constant({2.0});
  check_values(ops::less(a, b), std::vector<int>{1, 0, 0});
  check_values(ops::less_equal(a, b), std::vector<int>{1, 1, 0});
  check_values(ops::greater(a, b), std::vector<int>{0, 0, 1});
  check_values(ops::greater_equal(a, b), std::vector<int>{0, 1, 1});
  check_values(ops::equal(a, b), std::vector<int>{0, 1, 0});
  check_values(ops::not_equal(a, b), std::vector<int>{1, 0, 1});
  CHECK(ops::equal(a, b).dtype() == DType::bool_);
  Tensor t = core::constant({true, true, false, false}), f = core::constant({true, false, true, false});
  check_values(ops::logical_and(t, f), std::vector<int>{1, 0, 0, 0});
  check_values(ops::logical_or(t, f), std::vector<int>{1, 1, 1, 0});
  check_values(ops::equal(t, f), std::vector<int>{1, 0, 0, 1});
  CHECK_THROWS_MSG(ops::less(t, f), std::invalid_argument, "received dtype bool");
  CHECK_THROWS_MSG(ops::logical_and(a, a), std::invalid_argument, "logical_and");
}

TEST_CASE("where broadcasts three ways; clip") {
  Tensor c = core::constant({{true}, {false}});
  Tensor y = ops::where(c, core::constant({1, 2, 3}), core::constant(0));
  CHECK(y.shape() == Shape{2, 3});
  check_values(y, std::vector<int>{1, 2, 3, 0, 0, 0});
  CHECK_THROWS_MSG(ops::where(core::constant({1}), core::constant({1}), core::constant({1})),
                   std::invalid_argument, "condition");
  check_values(ops::clip(core::constant({-2.0, 0.5, 9.0}), 0.0, 1.0), std::vector<double>{0, 0.5, 1});
  CHECK_THROWS_MSG(ops::clip(core::constant({1.0}), 2.0, 1.0), std::invalid_argument, "min_value <= max_value");
}

TEST_CASE("binary ops reject mismatched dtypes and incompatible shapes") {
  CHECK_THROWS_MSG(ops::add(core::constant({1.0f}), core::constant({1})), std::invalid_argument,
                   "add: expected both inputs to have the same dtype, but received float32 (1,) and int32 (1,)");
  CHECK_THROWS_MSG(ops::multiply(ops::zeros({2, 3}), ops::zeros({4})), std::invalid_argument,
                   "multiply: incompatible shapes for broadcasting: (2, 3) and (4,)");
  CHECK_THROWS_MSG(ops::add(core::constant({true}), core::constant({true})), std::invalid_argument,
                   "received dtype bool");
  CHECK_THROWS_MSG(ops::maximum(Tensor(), core::constant(1)), std::invalid_argument, "undefined");
}

TEST_CASE("NaN propagates through maximum and minimum") {
  Tensor a = core::constant({NAN, 1.0f}), b = core::constant({0.0f, NAN});
  auto mx = ops::maximum(a, b).to_vector<float>();
  CHECK(std::isnan(mx[0]));
  CHECK(std::isnan(mx[1]));
}
