// Tests of the data-movement ops against naive index-by-index references.
#include <algorithm>
#include <functional>
#include <limits>

#include "helpers.h"

using namespace th;

namespace {

constexpr DType kAll[] = {DType::float32, DType::float64, DType::int32,
                          DType::int64,   DType::uint8,   DType::bool_};
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

using Index = std::vector<int64_t>;

Index unravel(int64_t f, const Shape& s) {
  Index idx(static_cast<size_t>(s.rank()));
  for (int64_t k = s.rank() - 1; k >= 0; --k) {
    idx[static_cast<size_t>(k)] = f % s[k];
    f /= s[k];
  }
  return idx;
}
int64_t ravel(const Index& idx, const Shape& s) {
  int64_t f = 0;
  for (int64_t k = 0; k < s.rank(); ++k) f = f * s[k] + idx[static_cast<size_t>(k)];
  return f;
}
// The reference output: element at multi-index i of `out` is f(i).
std::vector<double> gen(const Shape& out, const std::function<double(const Index&)>& f) {
  std::vector<double> v;
  for (int64_t n = 0; n < out.num_elements(); ++n) v.push_back(f(unravel(n, out)));
  return v;
}

// Distinct-ish values representable in every dtype (bool: a mix of true/false).
Tensor sample(const Shape& s, DType dt, uint32_t seed = 3) {
  auto v = uniform(s.num_elements(), -100, 100, seed);
  for (auto& x : v) {
    if (dt == DType::uint8) x = std::floor(std::fabs(x) * 2.5);
    else if (dt == DType::bool_) x = x > 0 ? 1 : 0;
    else if (core::is_integer(dt)) x = std::floor(x * 1000);
  }
  return make(v, s, dt);
}

Tensor ints(const std::vector<int64_t>& v, const Shape& s, DType dt = DType::int32) {
  std::vector<double> d(v.begin(), v.end());
  return make(d, s, dt);
}

}  // namespace

// ---- reshape -----------------------------------------------------------------------------

TEST_CASE("reshape: a view that resolves one -1") {
  for (DType dt : kAll) {
    CAPTURE(std::string(core::dtype_name(dt)));
    Tensor x = sample({2, 3, 4}, dt);
    Tensor y = ops::reshape(x, {4, -1});
    CHECK(y.shape() == Shape{4, 6});
    CHECK(y.dtype() == dt);
    CHECK(y.raw_data() == x.raw_data());  // shares storage, no copy
    check_values(y, values(x));
    CHECK(ops::reshape(x, {-1}).shape() == Shape{24});
    CHECK(ops::reshape(x, {2, -1, 3}).shape() == Shape{2, 4, 3});
  }
  Tensor s = core::constant(5.0f);
  Tensor s11 = ops::reshape(s, {1, 1});
  CHECK(s11.shape() == Shape{1, 1});
  CHECK(ops::reshape(s11, {}).shape() == Shape{});
  CHECK(ops::reshape(s, {-1}).shape() == Shape{1});
  Tensor e = ops::zeros({0, 3});
  CHECK(ops::reshape(e, {3, 0, 7}).shape() == Shape{3, 0, 7});
  CHECK(ops::reshape(e, {-1}).shape() == Shape{0});
  CHECK(ops::reshape(e, {5, -1}).shape() == Shape{5, 0});
}

TEST_CASE("reshape: errors") {
  Tensor x = ops::zeros({2, 3});
  CHECK_THROWS_MSG(ops::reshape(x, {4, -1}), std::invalid_argument,
                   "reshape: cannot reshape a tensor of shape (2, 3) with 6 elements into shape (4, -1)");
  CHECK_THROWS_MSG(ops::reshape(x, {7}), std::invalid_argument,
                   "cannot reshape a tensor of shape (2, 3) with 6 elements into shape (7,)");
  CHECK_THROWS_MSG(ops::reshape(x, {-1, -1}), std::invalid_argument,
                   "reshape: only one dimension can be -1, but received shape (-1, -1)");
  CHECK_THROWS_MSG(ops::reshape(x, {-2, -3}), std::invalid_argument,
                   "reshape: expected dimensions >= 0 or -1, but received shape (-2, -3)");
  CHECK_THROWS_MSG(ops::reshape(ops::zeros({0, 3}), {0, -1}), std::invalid_argument,
                   "into shape (0, -1)");
  CHECK_THROWS_MSG(ops::reshape(x, {int64_t{1} << 40, int64_t{1} << 40, 6}),
                   std::invalid_argument, "cannot reshape");
  CHECK_THROWS_MSG(ops::reshape(Tensor(), {1}), std::invalid_argument, "undefined");
}

// ---- transpose -----------------------------------------------------------------------------

TEST_CASE("transpose: every dtype, several ranks, against a reference") {
  struct Case { Shape s; core::ops::Axes perm; };
  std::vector<Case> cases = {
      {Shape{}, {}},           {Shape{5}, {0}},           {Shape{3, 4}, {1, 0}},
      {Shape{2, 3, 4}, {2, 0, 1}}, {Shape{2, 3, 4}, {1, 0, 2}}, {Shape{2, 3, 4, 5}, {3, 1, 2, 0}},
      {Shape{0, 3}, {1, 0}},   {Shape{1, 7, 1}, {2, 0, 1}}, {Shape{2, 3, 4}, {-1, 0, -2}},
      {Shape{70, 45}, {1, 0}}, {Shape{3, 40, 50}, {0, 2, 1}}, {Shape{40, 3, 50}, {2, 1, 0}},
      // large enough for the tiled path, with partial tiles and outer axes
      {Shape{3, 100, 130}, {0, 2, 1}}, {Shape{100, 3, 130}, {2, 1, 0}}};
  for (DType dt : kAll)
    for (const auto& c : cases) {
      CAPTURE(std::string(core::dtype_name(dt)));
      CAPTURE(c.s.str());
      Tensor x = sample(c.s, dt);
      Tensor y = ops::transpose(x, c.perm);
      const int64_t r = c.s.rank();
      core::ops::Axes p = c.perm;
      for (auto& a : p) a = a < 0 ? a + r : a;
      std::vector<int64_t> od;
      for (int64_t a : p) od.push_back(c.s[a]);
      REQUIRE(y.shape() == Shape(od));
      CHECK(y.dtype() == dt);
      auto xv = values(x);
      check_values(y, gen(y.shape(), [&](const Index& i) {
                     Index xi(static_cast<size_t>(r));
                     for (int64_t k = 0; k < r; ++k) xi[static_cast<size_t>(p[static_cast<size_t>(k)])] = i[static_cast<size_t>(k)];
                     return xv[static_cast<size_t>(ravel(xi, c.s))];
                   }), 0);
    }
}

TEST_CASE("transpose: empty perm reverses the axes; large matrices (tiled, threaded)") {
  Tensor x = sample({2, 3, 4}, DType::float32);
  CHECK(ops::transpose(x).shape() == Shape{4, 3, 2});
  check_values(ops::transpose(x), values(ops::transpose(x, {2, 1, 0})), 0);
  const int saved = core::get_num_threads();
  for (int threads : {1, 2}) {
    core::set_num_threads(threads);
    for (DType dt : {DType::float32, DType::float64, DType::uint8}) {
      Tensor m = sample({513, 1000}, dt);
      Tensor t = ops::transpose(m);
      REQUIRE(t.shape() == Shape{1000, 513});
      auto mv = values(m), tv = values(t);
      bool ok = true;
      for (int64_t i = 0; i < 1000 && ok; ++i)
        for (int64_t j = 0; j < 513; ++j)
          if (tv[static_cast<size_t>(i * 513 + j)] != mv[static_cast<size_t>(j * 1000 + i)]) {
            ok = false;
            break;
          }
      CHECK(ok);
    }
  }
  core::set_num_threads(saved);
}

TEST_CASE("transpose: errors") {
  Tensor x = ops::zeros({2, 3});
  CHECK_THROWS_MSG(ops::transpose(x, {0, 0}), std::invalid_argument,
                   "transpose: expected perm to be a permutation of the 2 axes of the input with "
                   "shape (2, 3), but received perm (0, 0)");
  CHECK_THROWS_MSG(ops::transpose(x, {0}), std::invalid_argument, "received perm (0,)");
  CHECK_THROWS_MSG(ops::transpose(x, {0, 2}), std::invalid_argument, "received perm (0, 2)");
  CHECK_THROWS_MSG(ops::transpose(Tensor(), {}), std::invalid_argument, "undefined");
}

// ---- strided_slice, slice, reverse -------------------------------------------------------

TEST_CASE("strided_slice: Python slicing semantics") {
  Tensor r = ops::range(10);
  auto sl = [&](int64_t b, int64_t e, int64_t s) { return ops::strided_slice(r, {b}, {e}, {s}); };
  check_values(sl(2, 8, 2), std::vector<int>{2, 4, 6});
  check_values(sl(2, 9, 2), std::vector<int>{2, 4, 6, 8});
  check_values(sl(-3, kMax, 1), std::vector<int>{7, 8, 9});
  check_values(sl(8, 2, -2), std::vector<int>{8, 6, 4});
  check_values(sl(-1, kMin, -1), std::vector<int>{9, 8, 7, 6, 5, 4, 3, 2, 1, 0});
  check_values(sl(-1, -11, -1), std::vector<int>{9, 8, 7, 6, 5, 4, 3, 2, 1, 0});
  check_values(sl(-1, -10, -1), std::vector<int>{9, 8, 7, 6, 5, 4, 3, 2, 1});
  check_values(sl(-100, 100, 1), std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  check_values(sl(100, 0, -3), std::vector<int>{9, 6, 3});
  check_values(sl(kMin, kMax, 4), std::vector<int>{0, 4, 8});
  CHECK(sl(5, 2, 1).shape() == Shape{0});
  CHECK(sl(2, 5, -1).shape() == Shape{0});
  CHECK(sl(20, 30, 1).shape() == Shape{0});
  CHECK(ops::strided_slice(r, {3}, {5}).shape() == Shape{2});  // strides default to 1

  // Missing trailing axes are taken whole; several axes, negative strides, all dtypes.
  for (DType dt : kAll) {
    CAPTURE(std::string(core::dtype_name(dt)));
    Tensor x = sample({3, 4, 5}, dt);
    auto xv = values(x);
    Tensor a = ops::strided_slice(x, {1}, {3});
    REQUIRE(a.shape() == Shape{2, 4, 5});
    check_values(a, gen(a.shape(), [&](const Index& i) {
                   return xv[static_cast<size_t>(ravel({i[0] + 1, i[1], i[2]}, x.shape()))];
                 }), 0);
    Tensor b = ops::strided_slice(x, {0, -1, 1}, {3, -5, 5}, {2, -1, 3});
    REQUIRE(b.shape() == Shape{2, 4, 2});
    check_values(b, gen(b.shape(), [&](const Index& i) {
                   return xv[static_cast<size_t>(ravel({2 * i[0], 3 - i[1], 1 + 3 * i[2]}, x.shape()))];
                 }), 0);
  }
  // A 0-d tensor with no bounds is copied whole.
  check_values(ops::strided_slice(core::constant(4.0), {}, {}), std::vector<double>{4});
  CHECK(ops::strided_slice(ops::zeros({0, 3}), {0, 1}, {5, 3}).shape() == Shape{0, 2});
}

TEST_CASE("strided_slice: errors") {
  Tensor x = ops::zeros({3, 4});
  CHECK_THROWS_MSG(ops::strided_slice(x, {0, 0}, {3, 4}, {1, 0}), std::invalid_argument,
                   "strided_slice: strides must be non-zero, but received strides (1, 0)");
  CHECK_THROWS_MSG(ops::strided_slice(x, {0, 0}, {3}), std::invalid_argument,
                   "strided_slice: expected begin, end and strides of equal length, but received "
                   "begin (0, 0), end (3,) and strides ()");
  CHECK_THROWS_MSG(ops::strided_slice(x, {0, 0, 0}, {1, 1, 1}), std::invalid_argument,
                   "strided_slice: received 3 slice bounds for a tensor of shape (3, 4)");
}

TEST_CASE("slice: tf.slice with size -1 and bounds checks") {
  for (DType dt : kAll) {
    CAPTURE(std::string(core::dtype_name(dt)));
    Tensor x = sample({4, 5}, dt);
    auto xv = values(x);
    Tensor y = ops::slice(x, {1, 2}, {2, -1});
    REQUIRE(y.shape() == Shape{2, 3});
    check_values(y, gen(y.shape(), [&](const Index& i) {
                   return xv[static_cast<size_t>((i[0] + 1) * 5 + i[1] + 2)];
                 }), 0);
  }
  Tensor x = ops::zeros({4, 5});
  CHECK(ops::slice(x, {4, 0}, {-1, 0}).shape() == Shape{0, 0});
  CHECK(ops::slice(core::constant(1), {}, {}).shape() == Shape{});
  CHECK_THROWS_MSG(ops::slice(x, {1, 2}, {4, 1}), std::invalid_argument,
                   "slice: size 4 from begin 1 exceeds axis 0 of the input with shape (4, 5)");
  CHECK_THROWS_MSG(ops::slice(x, {-1, 0}, {1, 1}), std::invalid_argument,
                   "slice: begin -1 is out of range for axis 0 of the input with shape (4, 5)");
  CHECK_THROWS_MSG(ops::slice(x, {0, 6}, {1, -1}), std::invalid_argument,
                   "begin 6 is out of range for axis 1");
  CHECK_THROWS_MSG(ops::slice(x, {0}, {1, 1}), std::invalid_argument,
                   "slice: expected begin and size with one entry per axis (2 for input shape (4, 5))");
  CHECK_THROWS_MSG(ops::slice(x, {0, 0}, {1, -2}), std::invalid_argument, "size -2");
}

TEST_CASE("reverse: any set of axes") {
  for (DType dt : kAll) {
    CAPTURE(std::string(core::dtype_name(dt)));
    Tensor x = sample({3, 4, 5}, dt);
    auto xv = values(x);
    Tensor y = ops::reverse(x, {0, -1});
    check_values(y, gen(x.shape(), [&](const Index& i) {
                   return xv[static_cast<size_t>(ravel({2 - i[0], i[1], 4 - i[2]}, x.shape()))];
                 }), 0);
    check_values(ops::reverse(x, {}), xv, 0);
  }
  check_values(ops::reverse(ops::range(5), {0}), std::vector<int>{4, 3, 2, 1, 0});
  CHECK(ops::reverse(ops::zeros({0, 2}), {0}).shape() == Shape{0, 2});
  check_values(ops::reverse(core::constant(3), {}), std::vector<int>{3});
  CHECK_THROWS_MSG(ops::reverse(ops::zeros({2, 2}), {1, -1}), std::invalid_argument,
                   "reverse: axis 1 appears more than once in axes (1, -1)");
  CHECK_THROWS_MSG(ops::reverse(ops::zeros({2, 2}), {2}), std::invalid_argument,
                   "reverse: axis 2 is out of bounds for a tensor of rank 2");
}

// ---- broadcast_to, tile, pad -------------------------------------------------------------

TEST_CASE("broadcast_to: NumPy rules") {
  std::vector<std::pair<Shape, Shape>> cases = {
      {Shape{}, Shape{2, 3}}, {Shape{3}, Shape{4, 3}}, {Shape{4, 1}, Shape{4, 5}},
      {Shape{1, 3, 1}, Shape{2, 3, 4}}, {Shape{2, 3}, Shape{2, 3}}, {Shape{1}, Shape{0}},
      {Shape{3, 1}, Shape{2, 0, 3, 7}}, {Shape{}, Shape{}}};
  for (DType dt : kAll)
    for (auto& [s, t] : cases) {
      CAPTURE(std::string(core::dtype_name(dt)));
      CAPTURE(s.str());
      CAPTURE(t.str());
      Tensor x = sample(s, dt);
      auto xv = values(x);
      Tensor y = ops::broadcast_to(x, t);
      REQUIRE(y.shape() == t);
      check_values(y, gen(t, [&](const Index& i) {
                     Index xi;
                     for (int64_t k = 0; k < s.rank(); ++k) {
                       int64_t ok = k + t.rank() - s.rank();
                       xi.push_back(s[k] == 1 ? 0 : i[static_cast<size_t>(ok)]);
                     }
                     return xv[static_cast<size_t>(ravel(xi, s))];
                   }), 0);
    }
  CHECK_THROWS_MSG(ops::broadcast_to(ops::zeros({2, 3}), Shape{4, 3}), std::invalid_argument,
                   "broadcast_to: cannot broadcast a tensor of shape (2, 3) to shape (4, 3)");
  CHECK_THROWS_MSG(ops::broadcast_to(ops::zeros({2, 3}), Shape{3}), std::invalid_argument,
                   "cannot broadcast a tensor of shape (2, 3) to shape (3,)");
}

TEST_CASE("tile: repeats every axis") {
  struct Case { Shape s; std::vector<int64_t> m; };
  std::vector<Case> cases = {{Shape{3}, {4}},       {Shape{2, 3}, {2, 3}}, {Shape{2, 3}, {1, 1}},
                             {Shape{2, 1, 3}, {3, 4, 1}}, {Shape{2, 3}, {0, 2}}, {Shape{}, {}},
                             {Shape{0, 2}, {3, 3}}};
  for (DType dt : kAll)
    for (const auto& c : cases) {
      CAPTURE(std::string(core::dtype_name(dt)));
      CAPTURE(c.s.str());
      Tensor x = sample(c.s, dt);
      auto xv = values(x);
      Tensor y = ops::tile(x, c.m);
      std::vector<int64_t> od;
      for (int64_t k = 0; k < c.s.rank(); ++k) od.push_back(c.s[k] * c.m[static_cast<size_t>(k)]);
      REQUIRE(y.shape() == Shape(od));
      check_values(y, gen(y.shape(), [&](const Index& i) {
                     Index xi;
                     for (int64_t k = 0; k < c.s.rank(); ++k) xi.push_back(i[static_cast<size_t>(k)] % c.s[k]);
                     return xv[static_cast<size_t>(ravel(xi, c.s))];
                   }), 0);
    }
  CHECK_THROWS_MSG(ops::tile(ops::zeros({2, 3}), {2}), std::invalid_argument,
                   "tile: expected one multiple per axis of the input with shape (2, 3) (2), but "
                   "received multiples (2,)");
  CHECK_THROWS_MSG(ops::tile(ops::zeros({2, 3}), {2, -1}), std::invalid_argument,
                   "tile: expected multiples >= 0, but received multiples (2, -1)");
}

TEST_CASE("pad: constant padding before and after each axis") {
  struct Case { Shape s; std::vector<std::pair<int64_t, int64_t>> p; };
  std::vector<Case> cases = {{Shape{3}, {{2, 1}}},          {Shape{2, 3}, {{1, 0}, {0, 2}}},
                             {Shape{2, 3}, {{0, 0}, {0, 0}}},  {Shape{2, 1, 3}, {{1, 1}, {2, 0}, {1, 3}}},
                             {Shape{0, 2}, {{1, 1}, {1, 0}}},  {Shape{}, {}}};
  for (DType dt : kAll)
    for (const auto& c : cases)
      for (double cv : {0.0, 7.0}) {
        CAPTURE(std::string(core::dtype_name(dt)));
        CAPTURE(c.s.str());
        Tensor x = sample(c.s, dt);
        auto xv = values(x);
        Tensor y = ops::pad(x, c.p, cv);
        std::vector<int64_t> od;
        for (int64_t k = 0; k < c.s.rank(); ++k)
          od.push_back(c.s[k] + c.p[static_cast<size_t>(k)].first + c.p[static_cast<size_t>(k)].second);
        REQUIRE(y.shape() == Shape(od));
        const double fillv = dt == DType::bool_ ? (cv != 0) : cv;
        check_values(y, gen(y.shape(), [&](const Index& i) {
                       Index xi;
                       for (int64_t k = 0; k < c.s.rank(); ++k) {
                         int64_t v = i[static_cast<size_t>(k)] - c.p[static_cast<size_t>(k)].first;
                         if (v < 0 || v >= c.s[k]) return fillv;
                         xi.push_back(v);
                       }
                       return xv[static_cast<size_t>(ravel(xi, c.s))];
                     }), 0);
      }
  CHECK_THROWS_MSG(ops::pad(ops::zeros({2, 3}), {{1, 1}}), std::invalid_argument,
                   "pad: expected one (before, after) pair per axis of the input with shape (2, 3) (2), "
                   "but received 1 before and 1 after values");
  CHECK_THROWS_MSG(ops::pad(ops::zeros({2, 3}), {{1, 1}, {0, -1}}), std::invalid_argument,
                   "pad: expected paddings >= 0, but received (0, -1) for axis 1");
}

// ---- concatenate, stack, unstack, split, expand_dims, squeeze ----------------------------

TEST_CASE("concat: along any axis, every dtype") {
  for (DType dt : kAll)
    for (int64_t axis : {0, 1, 2, -1}) {
      CAPTURE(std::string(core::dtype_name(dt)));
      CAPTURE(axis);
      const int64_t ax = axis < 0 ? axis + 3 : axis;
      std::vector<Tensor> xs;
      std::vector<std::vector<double>> xv;
      for (int64_t n : {2, 0, 3, 1}) {
        std::vector<int64_t> d = {2, 3, 4};
        d[static_cast<size_t>(ax)] = n;
        xs.push_back(sample(Shape(d), dt, static_cast<uint32_t>(n + 10)));
        xv.push_back(values(xs.back()));
      }
      Tensor y = ops::concat(xs, axis);
      std::vector<int64_t> od = {2, 3, 4};
      od[static_cast<size_t>(ax)] = 6;
      REQUIRE(y.shape() == Shape(od));
      check_values(y, gen(y.shape(), [&](const Index& i) {
                     Index xi = i;
                     size_t k = 0;
                     while (xi[static_cast<size_t>(ax)] >= xs[k].shape()[ax]) xi[static_cast<size_t>(ax)] -= xs[k++].shape()[ax];
                     return xv[k][static_cast<size_t>(ravel(xi, xs[k].shape()))];
                   }), 0);
    }
  check_values(ops::concat({ops::range(3)}), std::vector<int>{0, 1, 2});
}

TEST_CASE("concat: errors name the mismatching input") {
  Tensor a = ops::zeros({2, 3}), b = ops::zeros({2, 4}), c = ops::zeros({3, 3});
  CHECK_THROWS_MSG(ops::concat({a, b, c}, 1), std::invalid_argument,
                   "concatenate: expected all input dimensions except axis 1 to match, but input 0 "
                   "has shape (2, 3) and input 2 has shape (3, 3)");
  CHECK_THROWS_MSG(ops::concat({a, ops::zeros({2, 3}, DType::int32)}, 0), std::invalid_argument,
                   "concatenate: expected all inputs to have the same dtype, but input 0 has dtype "
                   "float32 and input 1 has dtype int32");
  CHECK_THROWS_MSG(ops::concat({a, ops::zeros({6})}), std::invalid_argument,
                   "concatenate: expected all inputs to have the same rank, but input 0 has shape "
                   "(2, 3) and input 1 has shape (6,)");
  CHECK_THROWS_MSG(ops::concat({}), std::invalid_argument, "concatenate: expected at least one tensor");
  CHECK_THROWS_MSG(ops::concat({a, a}, 2), std::invalid_argument,
                   "concatenate: axis 2 is out of bounds for a tensor of rank 2");
  CHECK_THROWS_MSG(ops::concat({core::constant(1), core::constant(2)}), std::invalid_argument,
                   "cannot concatenate scalars");
}

TEST_CASE("stack and unstack are inverses") {
  for (DType dt : kAll) {
    CAPTURE(std::string(core::dtype_name(dt)));
    std::vector<Tensor> xs = {sample({2, 3}, dt, 1), sample({2, 3}, dt, 2), sample({2, 3}, dt, 3)};
    for (int64_t axis : {0, 1, 2, -1, -3}) {
      CAPTURE(axis);
      Tensor y = ops::stack(xs, axis);
      const int64_t ax = axis < 0 ? axis + 3 : axis;
      std::vector<int64_t> od = {2, 3};
      od.insert(od.begin() + ax, 3);
      REQUIRE(y.shape() == Shape(od));
      check_values(y, gen(y.shape(), [&](const Index& i) {
                     Index xi = i;
                     int64_t k = xi[static_cast<size_t>(ax)];
                     xi.erase(xi.begin() + ax);
                     return values(xs[static_cast<size_t>(k)])[static_cast<size_t>(ravel(xi, Shape{2, 3}))];
                   }), 0);
      auto back = ops::unstack(y, axis);
      REQUIRE(back.size() == 3);
      for (size_t k = 0; k < 3; ++k) {
        CHECK(back[k].shape() == Shape{2, 3});
        check_values(back[k], values(xs[k]), 0);
      }
    }
  }
  Tensor s = ops::stack({core::constant(1), core::constant(2)});
  CHECK(s.shape() == Shape{2});
  check_values(s, std::vector<int>{1, 2});
  CHECK(ops::unstack(ops::zeros({0, 2})).empty());
  CHECK_THROWS_MSG(ops::stack({ops::zeros({2}), ops::zeros({3})}), std::invalid_argument,
                   "stack: expected all inputs to have the same shape, but input 0 has shape (2,) "
                   "and input 1 has shape (3,)");
  CHECK_THROWS_MSG(ops::stack({ops::zeros({2}), ops::zeros({2}, DType::int64)}),
                   std::invalid_argument, "input 1 has dtype int64");
  CHECK_THROWS_MSG(ops::stack({}), std::invalid_argument, "stack: expected at least one tensor");
  CHECK_THROWS_MSG(ops::stack({ops::zeros({2})}, 2), std::invalid_argument,
                   "stack: axis 2 is out of bounds for inputs of rank 1 (expected -2 <= axis <= 1)");
  CHECK_THROWS_MSG(ops::unstack(core::constant(1.0)), std::invalid_argument,
                   "unstack: cannot unstack a scalar");
}

TEST_CASE("split and split_sizes: equal parts or given sizes") {
  for (DType dt : kAll) {
    CAPTURE(std::string(core::dtype_name(dt)));
    Tensor x = sample({6, 4}, dt);
    auto xv = values(x);
    auto parts = ops::split(x, 3, 0);
    REQUIRE(parts.size() == 3);
    for (int64_t k = 0; k < 3; ++k) {
      CHECK(parts[static_cast<size_t>(k)].shape() == Shape{2, 4});
      check_values(parts[static_cast<size_t>(k)], gen(Shape{2, 4}, [&](const Index& i) {
                     return xv[static_cast<size_t>((i[0] + 2 * k) * 4 + i[1])];
                   }), 0);
    }
    auto by = ops::split_sizes(x, std::vector<int64_t>{1, -1, 0}, -1);
    REQUIRE(by.size() == 3);
    CHECK(by[0].shape() == Shape{6, 1});
    CHECK(by[1].shape() == Shape{6, 3});
    CHECK(by[2].shape() == Shape{6, 0});
    check_values(by[1], gen(Shape{6, 3}, [&](const Index& i) {
                   return xv[static_cast<size_t>(i[0] * 4 + i[1] + 1)];
                 }), 0);
    check_values(ops::concat(by, 1), xv, 0);
  }
  Tensor x = ops::zeros({7, 2});
  CHECK_THROWS_MSG(ops::split(x, 3), std::invalid_argument,
                   "split: cannot split axis 0 of size 7 into 3 equal parts (input shape (7, 2))");
  CHECK_THROWS_MSG(ops::split(x, 0), std::invalid_argument,
                   "split: expected the number of splits to be >= 1, but received 0");
  CHECK_THROWS_MSG(ops::split_sizes(x, std::vector<int64_t>{2, 3}), std::invalid_argument,
                   "split_sizes: expected sizes (2, 3) to sum to 7, the size of axis 0 of the input with "
                   "shape (7, 2)");
  CHECK_THROWS_MSG(ops::split_sizes(x, std::vector<int64_t>{-1, -1}), std::invalid_argument,
                   "split_sizes: only one size can be -1, but received sizes (-1, -1)");
  CHECK_THROWS_MSG(ops::split_sizes(x, std::vector<int64_t>{8, -1}), std::invalid_argument,
                   "to sum to 7");
  CHECK_THROWS_MSG(ops::split_sizes(x, std::vector<int64_t>{9, -2}), std::invalid_argument,
                   "split_sizes: expected sizes >= 0 or -1");
  CHECK_THROWS_MSG(ops::split(x, 1, 2), std::invalid_argument, "split: axis 2 is out of bounds");
}

TEST_CASE("expand_dims and squeeze") {
  Tensor x = sample({2, 3}, DType::int64);
  CHECK(ops::expand_dims(x, 0).shape() == Shape{1, 2, 3});
  CHECK(ops::expand_dims(x, 2).shape() == Shape{2, 3, 1});
  CHECK(ops::expand_dims(x, -1).shape() == Shape{2, 3, 1});
  CHECK(ops::expand_dims(x, -3).shape() == Shape{1, 2, 3});
  CHECK(ops::expand_dims(core::constant(1), 0).shape() == Shape{1});
  CHECK(ops::expand_dims(x, 1).raw_data() == x.raw_data());
  check_values(ops::expand_dims(x, 1), values(x), 0);
  CHECK_THROWS_MSG(ops::expand_dims(x, 3), std::invalid_argument,
                   "expand_dims: axis 3 is out of bounds for a tensor of rank 2 (expected -3 <= axis <= 2)");
  CHECK_THROWS_MSG(ops::expand_dims(x, -4), std::invalid_argument, "axis -4 is out of bounds");

  Tensor y = ops::zeros({1, 3, 1, 2});
  CHECK(ops::squeeze(y).shape() == Shape{3, 2});
  CHECK(ops::squeeze(y, {0}).shape() == Shape{3, 1, 2});
  CHECK(ops::squeeze(y, {-2, 0}).shape() == Shape{3, 2});
  CHECK(ops::squeeze(ops::zeros({1, 1})).shape() == Shape{});
  CHECK(ops::squeeze(ops::zeros({0, 2})).shape() == Shape{0, 2});
  CHECK_THROWS_MSG(ops::squeeze(y, {1}), std::invalid_argument,
                   "squeeze: cannot squeeze axis 1 of a tensor with shape (1, 3, 1, 2) because its "
                   "size is 3, not 1");
  CHECK_THROWS_MSG(ops::squeeze(y, {0, -4}), std::invalid_argument,
                   "squeeze: axis 0 appears more than once in axes (0, -4)");
  CHECK_THROWS_MSG(ops::squeeze(y, {4}), std::invalid_argument, "squeeze: axis 4 is out of bounds");
}

// ---- gather, take_along_axis ----------------------------------------------------------------

TEST_CASE("gather: params[:axis] + indices.shape + params[axis+1:]") {
  struct Case { Shape ps; int64_t axis; Shape is; };
  std::vector<Case> cases = {{Shape{5}, 0, Shape{3}},       {Shape{5, 3}, 0, Shape{2, 2}},
                             {Shape{4, 5, 3}, 1, Shape{4}},  {Shape{4, 5, 3}, -1, Shape{}},
                             {Shape{4, 5, 3}, 2, Shape{2, 3}}, {Shape{4, 5}, 1, Shape{0}},
                             {Shape{0, 5}, 1, Shape{2}}};
  for (DType dt : kAll)
    for (DType it : {DType::int32, DType::int64})
      for (const auto& c : cases) {
        CAPTURE(std::string(core::dtype_name(dt)));
        CAPTURE(c.ps.str());
        CAPTURE(c.is.str());
        const int64_t ax = c.axis < 0 ? c.axis + c.ps.rank() : c.axis;
        const int64_t n = c.ps[ax];
        std::vector<int64_t> iv;
        for (int64_t k = 0; k < c.is.num_elements(); ++k) iv.push_back((k * 7 + 3) % n);
        Tensor p = sample(c.ps, dt), idx = ints(iv, c.is, it);
        auto pv = values(p);
        Tensor y = ops::gather(p, idx, c.axis);
        std::vector<int64_t> od(c.ps.dims().begin(), c.ps.dims().begin() + ax);
        for (int64_t d : c.is.dims()) od.push_back(d);
        for (int64_t k = ax + 1; k < c.ps.rank(); ++k) od.push_back(c.ps[k]);
        REQUIRE(y.shape() == Shape(od));
        CHECK(y.dtype() == dt);
        check_values(y, gen(y.shape(), [&](const Index& i) {
                       Index pi(i.begin(), i.begin() + ax);
                       Index ii(i.begin() + ax, i.begin() + ax + c.is.rank());
                       pi.push_back(iv[static_cast<size_t>(ravel(ii, c.is))]);
                       for (size_t k = static_cast<size_t>(ax + c.is.rank()); k < i.size(); ++k) pi.push_back(i[k]);
                       return pv[static_cast<size_t>(ravel(pi, c.ps))];
                     }), 0);
      }
}

TEST_CASE("gather: out-of-range indices raise before anything is written") {
  Tensor p = ops::zeros({5, 3});
  CHECK_THROWS_MSG(ops::gather(p, ints({0, 1, 2, 7}, Shape{2, 2})), std::invalid_argument,
                   "gather: indices[1, 1] = 7 is out of range for axis 0 of params with shape "
                   "(5, 3) (expected 0 <= index < 5)");
  CHECK_THROWS_MSG(ops::gather(p, ints({-1}, Shape{1}, DType::int64), 1), std::invalid_argument,
                   "gather: indices[0] = -1 is out of range for axis 1 of params with shape (5, 3) "
                   "(expected 0 <= index < 3)");
  CHECK_THROWS_MSG(ops::gather(ops::zeros({0, 3}), ints({0}, Shape{})), std::invalid_argument,
                   "indices[] = 0 is out of range");
  CHECK_THROWS_MSG(ops::gather(p, ops::zeros({2})), std::invalid_argument,
                   "gather: expected indices to have dtype int32 or int64, but received dtype float32");
  CHECK_THROWS_MSG(ops::gather(core::constant(1.0), ints({0}, Shape{1})), std::invalid_argument,
                   "gather: expected params to have rank >= 1, but received shape ()");
  CHECK_THROWS_MSG(ops::gather(p, ints({0}, Shape{1}), 2), std::invalid_argument,
                   "gather: axis 2 is out of bounds");
}

TEST_CASE("take_along_axis: NumPy semantics, negative indices count from the end") {
  for (DType dt : kAll)
    for (DType it : {DType::int32, DType::int64})
      for (int64_t axis : {0, 1, -1}) {
        CAPTURE(std::string(core::dtype_name(dt)));
        CAPTURE(axis);
        const int64_t ax = axis < 0 ? axis + 2 : axis;
        Shape xs{4, 5};
        std::vector<int64_t> id = {4, 5};
        id[static_cast<size_t>(ax)] = 3;
        Shape is(id);
        const int64_t n = xs[ax];
        std::vector<int64_t> iv;
        for (int64_t k = 0; k < is.num_elements(); ++k) iv.push_back((k * 5 + 1) % (2 * n) - n);
        Tensor x = sample(xs, dt), idx = ints(iv, is, it);
        auto xv = values(x);
        Tensor y = ops::take_along_axis(x, idx, axis);
        REQUIRE(y.shape() == is);
        check_values(y, gen(is, [&](const Index& i) {
                       Index xi = i;
                       int64_t v = iv[static_cast<size_t>(ravel(i, is))];
                       xi[static_cast<size_t>(ax)] = v < 0 ? v + n : v;
                       return xv[static_cast<size_t>(ravel(xi, xs))];
                     }), 0);
      }
  // The argsort / take_along_axis idiom.
  Tensor x = core::constant({{3.0f, 1.0f, 2.0f}, {0.5f, 9.0f, -1.0f}});
  check_values(ops::take_along_axis(x, ops::argsort(x, 1), 1),
               std::vector<float>{1, 2, 3, -1, 0.5f, 9});
  CHECK(ops::take_along_axis(x, ints({}, Shape{2, 0}), 1).shape() == Shape{2, 0});
}

TEST_CASE("take_along_axis: errors") {
  Tensor x = ops::zeros({2, 4});
  CHECK_THROWS_MSG(ops::take_along_axis(x, ints({0, 1, 4, 0}, Shape{2, 2}), 1),
                   std::invalid_argument,
                   "take_along_axis: indices[1, 0] = 4 is out of range for axis 1 of x with shape "
                   "(2, 4) (expected -4 <= index < 4)");
  CHECK_THROWS_MSG(ops::take_along_axis(x, ints({-5, 0}, Shape{2, 1}), 1), std::invalid_argument,
                   "indices[0, 0] = -5 is out of range");
  CHECK_THROWS_MSG(ops::take_along_axis(x, ints({0, 0, 0}, Shape{3, 1}), 1), std::invalid_argument,
                   "take_along_axis: expected indices to have the rank and dimensions of x (2, 4) "
                   "except along axis 1, but received indices with shape (3, 1)");
  CHECK_THROWS_MSG(ops::take_along_axis(x, ints({0, 0}, Shape{2}), 1), std::invalid_argument,
                   "received indices with shape (2,)");
  CHECK_THROWS_MSG(ops::take_along_axis(x, ops::zeros({2, 1}), 1), std::invalid_argument,
                   "take_along_axis: expected indices to have dtype int32 or int64");
}

TEST_CASE("data movement gives the same result for 1 and 2 threads") {
  Tensor x = sample({64, 33, 40}, DType::float32);
  std::vector<std::vector<double>> r[2];
  const int saved = core::get_num_threads();
  for (int t = 0; t < 2; ++t) {
    core::set_num_threads(t + 1);
    r[t].push_back(values(ops::transpose(x, {2, 0, 1})));
    r[t].push_back(values(ops::tile(x, {2, 1, 3})));
    r[t].push_back(values(ops::pad(x, {{1, 2}, {0, 1}, {3, 0}}, 1.5)));
    r[t].push_back(values(ops::broadcast_to(ops::reshape(x, {64, 1, 33, 40}), Shape{64, 3, 33, 40})));
    r[t].push_back(values(ops::reverse(x, {1, 2})));
    r[t].push_back(values(ops::gather(x, ints({5, 1, 5}, Shape{3}), 1)));
  }
  core::set_num_threads(saved);
  for (size_t k = 0; k < r[0].size(); ++k) CHECK(r[0][k] == r[1][k]);
  // and tile / broadcast agree with each other
  check_values(ops::tile(ops::reshape(x, {64, 1, 33, 40}), {1, 3, 1, 1}),
               r[1][3], 0);
}
