#include <algorithm>
#include <cstring>
#include <functional>
#include <limits>

#include "helpers.h"

using namespace th;

namespace {

enum class Kind { Sum, Mean, Max, Min, Prod, All, Any };

// Naive reference: every input element is folded into the output element it maps to
// (reduced axes dropped), in double; integers truncate the mean.
std::vector<double> ref_reduce(const std::vector<double>& x, const Shape& s,
                               const std::vector<int64_t>& axes_in, Kind kind, bool integer,
                               double lowest, double highest) {
  const int64_t r = s.rank();
  std::vector<bool> red(static_cast<size_t>(r), axes_in.empty());
  for (int64_t a : axes_in) red[static_cast<size_t>(a < 0 ? a + r : a)] = true;
  int64_t out_n = 1, count = 1;
  for (int64_t i = 0; i < r; ++i) (red[static_cast<size_t>(i)] ? count : out_n) *= s[i];
  double init = 0;
  switch (kind) {
    case Kind::Sum: case Kind::Mean: case Kind::Any: init = 0; break;
    case Kind::Prod: case Kind::All: init = 1; break;
    case Kind::Max: init = lowest; break;
    case Kind::Min: init = highest; break;
  }
  std::vector<double> out(static_cast<size_t>(out_n), init);
  std::vector<int64_t> idx(static_cast<size_t>(r));
  for (int64_t n = 0; n < s.num_elements(); ++n) {
    int64_t rem = n;
    for (int64_t d = r - 1; d >= 0; --d) {
      idx[static_cast<size_t>(d)] = rem % s[d];
      rem /= s[d];
    }
    int64_t o = 0;
    for (int64_t d = 0; d < r; ++d)
      if (!red[static_cast<size_t>(d)]) o = o * s[d] + idx[static_cast<size_t>(d)];
    double& acc = out[static_cast<size_t>(o)];
    double v = x[static_cast<size_t>(n)];
    switch (kind) {
      case Kind::Sum: case Kind::Mean: acc += v; break;
      case Kind::Prod: acc *= v; break;
      case Kind::Max: acc = std::isnan(v) || std::isnan(acc) ? NAN : std::max(acc, v); break;
      case Kind::Min: acc = std::isnan(v) || std::isnan(acc) ? NAN : std::min(acc, v); break;
      case Kind::All: acc = (acc != 0 && v != 0) ? 1 : 0; break;
      case Kind::Any: acc = (acc != 0 || v != 0) ? 1 : 0; break;
    }
  }
  if (kind == Kind::Mean)
    for (double& v : out) v = integer ? (count == 0 ? 0.0 : std::trunc(v / double(count)))
                                      : v / double(count);
  return out;
}

Shape reduced_shape(const Shape& s, const std::vector<int64_t>& axes, bool keepdims) {
  std::vector<int64_t> d;
  for (int64_t i = 0; i < s.rank(); ++i) {
    bool red = axes.empty();
    for (int64_t a : axes) red = red || (a < 0 ? a + s.rank() : a) == i;
    if (!red) d.push_back(s[i]);
    else if (keepdims) d.push_back(1);
  }
  return Shape(d);
}

double lowest_of(DType dt) {
  switch (dt) {
    case DType::int32: return std::numeric_limits<int32_t>::lowest();
    case DType::int64: return static_cast<double>(std::numeric_limits<int64_t>::lowest());
    case DType::uint8: return 0;
    default: return -INFINITY;
  }
}
double highest_of(DType dt) {
  switch (dt) {
    case DType::int32: return std::numeric_limits<int32_t>::max();
    case DType::int64: return static_cast<double>(std::numeric_limits<int64_t>::max());
    case DType::uint8: return 255;
    default: return INFINITY;
  }
}

struct ShapeCase {
  Shape shape;
  std::vector<std::vector<int64_t>> axes;
};

std::vector<ShapeCase> shape_cases() {
  return {
      {Shape{}, {{}}},
      {Shape{5}, {{}, {0}, {-1}}},
      {Shape{3, 4}, {{}, {0}, {1}, {-1, 0}}},
      {Shape{2, 3, 4}, {{}, {1}, {0, 2}, {2, 0}, {0, 1}, {1, 2}, {-3}}},
      {Shape{4, 1, 3}, {{1}, {0, 1}, {0, 2}}},
      {Shape{3, 2, 5, 2}, {{0, 2}, {1, 3}, {0, 1, 3}, {3}}},
      {Shape{2, 0, 3}, {{}, {1}, {0}, {0, 2}}},
      {Shape{0}, {{}, {0}}},
      {Shape{300, 257}, {{}, {0}, {1}}},
      {Shape{3, 9000}, {{1}, {}}},  // rows longer than one block
      {Shape{9000, 3}, {{0}}},
  };
}

}  // namespace

TEST_CASE("sum, mean, max, min, prod match a naive reference on every numeric dtype") {
  struct OpCase {
    const char* name;
    Kind kind;
    std::function<Tensor(const Tensor&, const std::vector<int64_t>&, bool)> op;
  };
  std::vector<OpCase> cases = {
      {"sum", Kind::Sum, [](auto& x, auto& a, bool k) { return ops::sum(x, a, k); }},
      {"mean", Kind::Mean, [](auto& x, auto& a, bool k) { return ops::mean(x, a, k); }},
      {"max", Kind::Max, [](auto& x, auto& a, bool k) { return ops::max(x, a, k); }},
      {"min", Kind::Min, [](auto& x, auto& a, bool k) { return ops::min(x, a, k); }},
      {"prod", Kind::Prod, [](auto& x, auto& a, bool k) { return ops::prod(x, a, k); }},
  };
  for (const auto& c : cases)
    for (DType dt : {DType::float32, DType::float64, DType::int32, DType::int64, DType::uint8})
      for (const auto& sc : shape_cases())
        for (const auto& axes : sc.axes)
          for (bool keepdims : {false, true}) {
            CAPTURE(std::string(c.name));
            CAPTURE(std::string(core::dtype_name(dt)));
            CAPTURE(sc.shape.str());
            CAPTURE(Shape(axes).str());
            CAPTURE(keepdims);
            const int64_t n = sc.shape.num_elements();
            const bool integer = core::is_integer(dt);
            std::vector<double> v;
            if (c.kind == Kind::Prod) {  // keep products representable
              v = uniform(n, integer ? -1 : 0.9, integer ? 1 : 1.1, 3);
              if (integer)
                for (auto& e : v) e = dt == DType::uint8 ? 1.0 : (e < 0 ? -1.0 : 1.0);
            } else {
              v = uniform(n, dt == DType::uint8 ? 0 : -20, 20, 3);
              if (integer)
                for (auto& e : v) e = std::floor(e);
            }
            Tensor x = make(v, sc.shape, dt);
            Tensor y = c.op(x, axes, keepdims);
            CHECK(y.dtype() == dt);
            CHECK(y.shape() == reduced_shape(sc.shape, axes, keepdims));
            auto ref = ref_reduce(values(x), sc.shape, axes, c.kind, integer, lowest_of(dt),
                                  highest_of(dt));
            if (dt == DType::uint8 && c.kind == Kind::Sum)  // uint8 sums wrap modulo 256
              for (auto& e : ref) e = std::fmod(e, 256.0);
            check_values(y, ref, dt == DType::float32 ? 2e-6 : 1e-12);
          }
}

TEST_CASE("empty reductions give the identity") {
  Tensor xf = ops::sum(make({}, Shape{2, 0}), {1});
  check_values(xf, std::vector<double>{0, 0});
  check_values(ops::prod(make({}, Shape{2, 0}), {1}), std::vector<double>{1, 1});
  check_values(ops::max(make({}, Shape{0})), std::vector<double>{-INFINITY});
  check_values(ops::min(make({}, Shape{0}), {}, true), std::vector<double>{INFINITY});
  CHECK(ops::min(make({}, Shape{0}), {}, true).shape() == Shape{1});
  CHECK(std::isnan(ops::mean(make({}, Shape{0})).item<double>()));
  CHECK(ops::max(make({}, Shape{0}, DType::int32)).item<int64_t>() ==
        std::numeric_limits<int32_t>::lowest());
  CHECK(ops::min(make({}, Shape{0}, DType::int64)).to_vector<int64_t>()[0] ==
        std::numeric_limits<int64_t>::max());
  CHECK(ops::mean(make({}, Shape{0}, DType::int32)).item<int>() == 0);
  CHECK(ops::all(core::constant(std::vector<bool>{}, Shape{0})).item<int>() == 1);
  CHECK(ops::any(core::constant(std::vector<bool>{}, Shape{0})).item<int>() == 0);
  // An empty kept axis gives an empty result.
  CHECK(ops::sum(make({}, Shape{0, 3}), {1}).shape() == Shape{0});
}

TEST_CASE("mean of integers truncates; integer sums wrap") {
  check_values(ops::mean(core::constant({1, 2, 2})), std::vector<int>{1});
  check_values(ops::mean(core::constant({-1, -2, -2})), std::vector<int>{-1});
  check_values(ops::mean(core::constant({{1, 2}, {4, 7}}), {1}), std::vector<int>{1, 5});
  // uint8 sums wrap modulo 256 like TensorFlow; mean uses the exact sum.
  Tensor u = make({200, 100}, Shape{2}, DType::uint8);
  check_values(ops::sum(u), std::vector<int>{44});
  check_values(ops::mean(u), std::vector<int>{150});
  // int32 mean of large values does not overflow.
  Tensor big = core::constant({2000000000, 2000000000});
  check_values(ops::mean(big), std::vector<double>{2000000000});
}

TEST_CASE("max and min propagate NaN") {
  Tensor x = core::constant({{1.0f, NAN, 3.0f}, {4.0f, 5.0f, 6.0f}});
  auto mx = ops::max(x, {1}).to_vector<float>();
  CHECK(std::isnan(mx[0]));
  CHECK(mx[1] == 6.0f);
  auto mn = ops::min(x, {0}).to_vector<float>();
  CHECK(mn[0] == 1.0f);
  CHECK(std::isnan(mn[1]));
  CHECK(std::isnan(ops::max(x).item<float>()));
}

TEST_CASE("all and any reduce bool tensors") {
  std::vector<bool> b = {true, false, true, true, true, true, false, false, false, true, true, true};
  Tensor x = core::constant(b, Shape{2, 3, 2});
  std::vector<double> v(b.begin(), b.end());
  for (auto axes : std::vector<std::vector<int64_t>>{{}, {0}, {1}, {2}, {0, 2}, {-1, -2}}) {
    CAPTURE(Shape(axes).str());
    for (bool keep : {false, true}) {
      Tensor a = ops::all(x, axes, keep), o = ops::any(x, axes, keep);
      CHECK(a.dtype() == DType::bool_);
      CHECK(a.shape() == reduced_shape(x.shape(), axes, keep));
      check_values(a, ref_reduce(v, x.shape(), axes, Kind::All, false, 0, 0));
      check_values(o, ref_reduce(v, x.shape(), axes, Kind::Any, false, 0, 0));
    }
  }
  CHECK(ops::all(core::constant(true)).item<int>() == 1);
  CHECK(ops::any(core::constant(false)).item<int>() == 0);
}

TEST_CASE("argmax and argmin: first index on ties, chosen index dtype") {
  Tensor x = core::constant({{3, 1, 3}, {0, 0, -1}});
  check_values(ops::argmax(x), std::vector<int>{0, 0});
  check_values(ops::argmin(x), std::vector<int>{1, 2});
  check_values(ops::argmax(x, 0), std::vector<int>{0, 0, 0});
  check_values(ops::argmin(x, 0), std::vector<int>{1, 1, 1});
  CHECK(ops::argmax(x).dtype() == DType::int64);
  CHECK(ops::argmax(x, -1, DType::int32).dtype() == DType::int32);
  // NaN is the extreme for both (first NaN), as NumPy.
  Tensor f = core::constant({1.0f, NAN, 5.0f, NAN});
  CHECK(ops::argmax(f).item<int>() == 1);
  CHECK(ops::argmin(f).item<int>() == 1);
  // Against a naive reference on every dtype and axis.
  Shape s{3, 4, 5};
  for (DType dt : {DType::float32, DType::float64, DType::int32, DType::int64, DType::uint8})
    for (int64_t axis = -3; axis < 3; ++axis)
      for (DType id : {DType::int32, DType::int64}) {
        CAPTURE(std::string(core::dtype_name(dt)));
        CAPTURE(axis);
        auto v = uniform(s.num_elements(), 0, 6, 11);
        for (auto& e : v) e = std::floor(e);  // many ties
        Tensor t = make(v, s, dt);
        int64_t ax = axis < 0 ? axis + 3 : axis;
        std::vector<double> rmax, rmin;
        auto st = core::contiguous_strides(s);
        std::vector<int64_t> od;
        for (int64_t d = 0; d < 3; ++d) if (d != ax) od.push_back(d);
        for (int64_t i = 0; i < s[od[0]]; ++i)
          for (int64_t j = 0; j < s[od[1]]; ++j) {
            int64_t base = i * st[static_cast<size_t>(od[0])] + j * st[static_cast<size_t>(od[1])];
            int64_t bmx = 0, bmn = 0;
            for (int64_t k = 1; k < s[ax]; ++k) {
              double e = v[static_cast<size_t>(base + k * st[static_cast<size_t>(ax)])];
              if (e > v[static_cast<size_t>(base + bmx * st[static_cast<size_t>(ax)])]) bmx = k;
              if (e < v[static_cast<size_t>(base + bmn * st[static_cast<size_t>(ax)])]) bmn = k;
            }
            rmax.push_back(double(bmx));
            rmin.push_back(double(bmn));
          }
        Tensor am = ops::argmax(t, axis, id), an = ops::argmin(t, axis, id);
        CHECK(am.dtype() == id);
        check_values(am, rmax);
        check_values(an, rmin);
      }
  // A size-0 non-reduced axis gives an empty result.
  CHECK(ops::argmax(make({}, Shape{0, 3}), 1).shape() == Shape{0});
}

TEST_CASE("reductions reject bad dtypes, axes and arguments") {
  Tensor x = core::constant({{1.0f, 2.0f}, {3.0f, 4.0f}});
  Tensor b = core::constant(std::vector<bool>{true, false});
  CHECK_THROWS_MSG(ops::sum(b), std::invalid_argument,
                   "sum: expected x to have dtype float32, float64, int8, int16, int32, int64, uint8, uint16 or uint32, but "
                   "received dtype bool (shape (2,))");
  CHECK_THROWS_MSG(ops::mean(b), std::invalid_argument, "mean: expected x to have dtype");
  CHECK_THROWS_MSG(ops::all(x), std::invalid_argument,
                   "all: expected x to have dtype bool, but received dtype float32 (shape (2, 2))");
  CHECK_THROWS_MSG(ops::any(x), std::invalid_argument, "any: expected x to have dtype bool");
  CHECK_THROWS_MSG(ops::max(x, {2}), std::invalid_argument,
                   "max: axis 2 is out of bounds for a tensor of rank 2");
  CHECK_THROWS_MSG(ops::min(x, {-3}), std::invalid_argument, "min: axis -3 is out of bounds");
  CHECK_THROWS_MSG(ops::sum(core::constant(1.0f), {0}), std::invalid_argument,
                   "sum: axis 0 is out of bounds for a tensor of rank 0");
  CHECK_THROWS_MSG(ops::prod(x, {0, -2}), std::invalid_argument,
                   "prod: duplicate axis -2 in axes for x of shape (2, 2)");
  CHECK_THROWS_MSG(ops::sum(Tensor()), std::invalid_argument, "undefined");
  CHECK_THROWS_MSG(ops::argmax(x, 2), std::invalid_argument,
                   "argmax: axis 2 is out of bounds for a tensor of rank 2");
  CHECK_THROWS_MSG(ops::argmin(make({}, Shape{3, 0}), 1), std::invalid_argument,
                   "argmin: cannot take the argmin of an empty axis: axis 1 of x (shape (3, 0)) "
                   "has size 0");
  CHECK_THROWS_MSG(ops::argmax(x, -1, DType::float32), std::invalid_argument,
                   "argmax: expected the index dtype to be int32 or int64, but received float32");
  CHECK_THROWS_MSG(ops::argmax(core::constant(1.0f)), std::invalid_argument,
                   "argmax: expected x to have rank >= 1, but received shape ()");
  CHECK_THROWS_MSG(ops::argmax(b), std::invalid_argument,
                   "argmax: expected x to have dtype float32, float64, int8, int16, int32, int64, uint8, uint16 or uint32");
  CHECK_THROWS_MSG(ops::logsumexp(core::constant({1, 2})), std::invalid_argument,
                   "logsumexp: expected x to have dtype float32 or float64, but received dtype "
                   "int32 (shape (2,))");
  CHECK_THROWS_MSG(ops::variance(b), std::invalid_argument,
                   "variance: expected x to have dtype float32, float64, int8, int16, int32, int64, uint8, uint16 or uint32, "
                   "but received dtype bool");
  CHECK_THROWS_MSG(ops::std(b), std::invalid_argument, "std: expected x to have dtype");
  CHECK_THROWS_MSG(ops::variance(x, {5}), std::invalid_argument, "axis 5 is out of bounds");
}

TEST_CASE("a large sum is accurate and bit-identical for any thread count") {
  const int64_t n = (1 << 22) + 37;
  std::vector<float> v(static_cast<size_t>(n), 0.1f);
  Tensor x = core::constant(v, Shape{n});
  const int saved = core::get_num_threads();
  core::set_num_threads(1);
  float s1 = ops::sum(x).item<float>();
  Tensor r1 = ops::sum(make(uniform(4096 * 300, -1, 1, 5), Shape{300, 4096}), {1});
  Tensor c1 = ops::sum(make(uniform(3 * 200000, -1, 1, 6), Shape{200000, 3}), {0});
  core::set_num_threads(2);
  float s2 = ops::sum(x).item<float>();
  Tensor r2 = ops::sum(make(uniform(4096 * 300, -1, 1, 5), Shape{300, 4096}), {1});
  Tensor c2 = ops::sum(make(uniform(3 * 200000, -1, 1, 6), Shape{200000, 3}), {0});
  core::set_num_threads(saved);
  CHECK(std::memcmp(&s1, &s2, sizeof s1) == 0);
  auto v1 = r1.to_vector<float>(), v2 = r2.to_vector<float>();
  CHECK(std::memcmp(v1.data(), v2.data(), v1.size() * sizeof(float)) == 0);
  auto w1 = c1.to_vector<float>(), w2 = c2.to_vector<float>();
  CHECK(std::memcmp(w1.data(), w2.data(), w1.size() * sizeof(float)) == 0);
  // Accumulating in double keeps the error at float rounding of the result.
  double expected = double(n) * double(0.1f);
  CHECK(std::fabs(double(s1) - expected) <= 1e-6 * expected);
  CHECK(ops::mean(x).item<float>() == doctest::Approx(0.1f).epsilon(1e-6));
}

TEST_CASE("logsumexp is stable; variance and std are population statistics") {
  Tensor x = make({1.0, 2.0, 3.0, 1000.0, 1000.0, -INFINITY}, Shape{2, 3}, DType::float64);
  Tensor l = ops::logsumexp(x, {1});
  CHECK(l.shape() == Shape{2});
  check_values(l, std::vector<double>{std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0)),
                                      1000.0 + std::log(2.0)},
               1e-12);
  CHECK(ops::logsumexp(x, {1}, true).shape() == Shape{2, 1});
  // A slice of all -inf gives -inf, not NaN; an empty reduction gives -inf too.
  Tensor ninf = core::constant({{-INFINITY, -INFINITY}, {0.0f, 0.0f}});
  check_values(ops::logsumexp(ninf, {-1}), std::vector<double>{-INFINITY, std::log(2.0)});
  check_values(ops::logsumexp(make({}, Shape{0})), std::vector<double>{-INFINITY});
  // float32, all axes, against a reference.
  Shape s{4, 5, 6};
  auto v = uniform(s.num_elements(), -30, 30, 9);
  Tensor xf = make(v, s);
  double m = *std::max_element(v.begin(), v.end()), acc = 0;
  for (double e : values(xf)) acc += std::exp(e - m);
  check_values(ops::logsumexp(xf), std::vector<double>{m + std::log(acc)}, 1e-6);
  for (auto axes : std::vector<std::vector<int64_t>>{{0, 2}, {1}}) {
    Tensor got = ops::logsumexp(xf, axes);
    auto mx = ref_reduce(values(xf), s, axes, Kind::Max, false, -INFINITY, INFINITY);
    // exp(x - max of its slice), summed through the reference.
    Tensor mxk = ops::max(xf, axes, true);
    auto shift = values(ops::subtract(xf, mxk));
    for (auto& t : shift) t = std::exp(t);
    auto sm = ref_reduce(shift, s, axes, Kind::Sum, false, 0, 0);
    for (size_t i = 0; i < sm.size(); ++i) sm[i] = mx[i] + std::log(sm[i]);
    check_values(got, sm, 1e-6);
  }

  Tensor y = make({1, 2, 3, 4, 2, 2, 2, 2}, Shape{2, 4}, DType::float64);
  check_values(ops::variance(y, {1}), std::vector<double>{1.25, 0.0}, 1e-12);
  check_values(ops::std(y, {1}), std::vector<double>{std::sqrt(1.25), 0.0}, 1e-12);
  check_values(ops::variance(y), std::vector<double>{0.6875}, 1e-12);
  CHECK(ops::variance(y, {0}, true).shape() == Shape{1, 4});
  check_values(ops::variance(y, {0}), std::vector<double>{0.25, 0, 0.25, 1}, 1e-12);
  // Integers compute in float64 (uint8 in float32).
  Tensor yi = ops::variance(core::constant({1, 2, 3, 4}));
  CHECK(yi.dtype() == DType::float64);
  check_values(yi, std::vector<double>{1.25});
  CHECK(ops::std(make({0, 2}, Shape{2}, DType::uint8)).dtype() == DType::float32);
  check_values(ops::std(make({0, 2}, Shape{2}, DType::uint8)), std::vector<double>{1.0});
  // A large offset does not cancel catastrophically (two-pass).
  Tensor off = core::constant(std::vector<double>{1e8 + 1, 1e8 + 2, 1e8 + 3});
  check_values(ops::variance(off), std::vector<double>{2.0 / 3.0}, 1e-9);
}
