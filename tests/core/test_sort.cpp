// Tests of sort, argsort and top_k against std::stable_sort references.
#include <algorithm>
#include <numeric>

#include "helpers.h"

using namespace th;

namespace {

constexpr DType kNumeric[] = {DType::float32, DType::float64, DType::int32, DType::int64,
                              DType::uint8};

// Values with many ties (so stability matters) representable in every numeric dtype.
Tensor tied_sample(const Shape& s, DType dt, uint32_t seed = 5) {
  auto v = uniform(s.num_elements(), 0, 12, seed);
  for (auto& x : v) x = std::floor(x) * (core::is_floating(dt) ? 0.5 : 1.0);
  return make(v, s, dt);
}

// NumPy's order: ascending with NaN last; descending is its exact reverse (NaN first);
// ties keep their original order in both.
bool before(double a, double b, bool descending) {
  auto lt = [](double x, double y) { return std::isnan(y) ? !std::isnan(x) : x < y; };
  return descending ? lt(b, a) : lt(a, b);
}

// Reference sort / argsort of every line along `axis`.
void ref_sort(const std::vector<double>& x, const Shape& s, int64_t axis, bool descending,
              std::vector<double>& vals, std::vector<double>& idx) {
  int64_t outer = 1, inner = 1, n = s[axis];
  for (int64_t k = 0; k < axis; ++k) outer *= s[k];
  for (int64_t k = axis + 1; k < s.rank(); ++k) inner *= s[k];
  vals.assign(x.size(), 0);
  idx.assign(x.size(), 0);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      std::vector<int64_t> p(static_cast<size_t>(n));
      std::iota(p.begin(), p.end(), 0);
      auto at = [&](int64_t j) { return x[static_cast<size_t>((o * n + j) * inner + i)]; };
      std::stable_sort(p.begin(), p.end(),
                       [&](int64_t a, int64_t b) { return before(at(a), at(b), descending); });
      for (int64_t j = 0; j < n; ++j) {
        size_t dst = static_cast<size_t>((o * n + j) * inner + i);
        vals[dst] = at(p[static_cast<size_t>(j)]);
        idx[dst] = static_cast<double>(p[static_cast<size_t>(j)]);
      }
    }
}

}  // namespace

TEST_CASE("sort and argsort: any axis, both directions, every numeric dtype, stable") {
  std::vector<Shape> shapes = {Shape{1}, Shape{7}, Shape{4, 6}, Shape{3, 5, 4}, Shape{0, 3},
                               Shape{3, 0}, Shape{2, 1, 3}};
  for (DType dt : kNumeric)
    for (const Shape& s : shapes)
      for (int64_t axis = -s.rank(); axis < s.rank(); ++axis)
        for (bool desc : {false, true}) {
          CAPTURE(std::string(core::dtype_name(dt)));
          CAPTURE(s.str());
          CAPTURE(axis);
          CAPTURE(desc);
          Tensor x = tied_sample(s, dt);
          std::vector<double> rv, ri;
          const int64_t ax = axis < 0 ? axis + s.rank() : axis;
          ref_sort(values(x), s, ax, desc, rv, ri);
          Tensor y = ops::sort(x, axis, desc);
          CHECK(y.dtype() == dt);
          CHECK(y.shape() == s);
          check_values(y, rv, 0);
          Tensor a = ops::argsort(x, axis, desc);
          CHECK(a.dtype() == DType::int32);
          CHECK(a.shape() == s);
          check_values(a, ri, 0);
        }
}

TEST_CASE("sort: NaN sorts last ascending (first descending)") {
  for (DType dt : {DType::float32, DType::float64}) {
    Tensor x = make({3, NAN, 1, NAN, 2, -INFINITY, INFINITY}, Shape{7}, dt);
    check_values(ops::sort(x), std::vector<double>{-INFINITY, 1, 2, 3, INFINITY, NAN, NAN});
    check_values(ops::argsort(x), std::vector<int>{5, 2, 4, 0, 6, 1, 3});
    check_values(ops::sort(x, 0, true), std::vector<double>{NAN, NAN, INFINITY, 3, 2, 1, -INFINITY});
    check_values(ops::argsort(x, 0, true), std::vector<int>{1, 3, 6, 0, 4, 2, 5});
  }
}

TEST_CASE("sort: long lines and many lines agree for 1 and 2 threads") {
  Tensor big = make(uniform(100000, -1e3, 1e3, 9), Shape{100000}, DType::float32);
  Tensor many = tied_sample(Shape{2000, 37}, DType::int32);
  std::vector<double> r[2][3];
  const int saved = core::get_num_threads();
  for (int t = 0; t < 2; ++t) {
    core::set_num_threads(t + 1);
    r[t][0] = values(ops::sort(big));
    r[t][1] = values(ops::argsort(many, 0, true));
    r[t][2] = values(ops::top_k(many, 5).indices);
  }
  core::set_num_threads(saved);
  for (int k = 0; k < 3; ++k) CHECK(r[0][k] == r[1][k]);
  CHECK(std::is_sorted(r[0][0].begin(), r[0][0].end()));
  std::vector<double> rv, ri;
  ref_sort(values(many), many.shape(), 0, true, rv, ri);
  CHECK(r[0][1] == ri);
}

TEST_CASE("sort: errors") {
  CHECK_THROWS_MSG(ops::sort(core::constant({true, false})), std::invalid_argument,
                   "sort: expected x to have dtype float32, float64, int8, int16, int32, int64, uint8, uint16 or uint32, but "
                   "received dtype bool (shape (2,))");
  CHECK_THROWS_MSG(ops::argsort(core::constant({true})), std::invalid_argument,
                   "argsort: expected x to have dtype");
  CHECK_THROWS_MSG(ops::sort(core::constant(1.0)), std::invalid_argument,
                   "sort: axis -1 is out of bounds for a tensor of rank 0");
  CHECK_THROWS_MSG(ops::argsort(ops::zeros({2, 3}), 2), std::invalid_argument,
                   "argsort: axis 2 is out of bounds for a tensor of rank 2");
  CHECK_THROWS_MSG(ops::sort(Tensor()), std::invalid_argument, "undefined");
}

TEST_CASE("top_k: the k largest along the last axis, ties to the lower index") {
  Tensor x = core::constant({{1, 5, 3, 5, 2}, {4, 4, 4, 0, 9}});
  auto r = ops::top_k(x, 3);
  CHECK(r.values.shape() == Shape{2, 3});
  CHECK(r.values.dtype() == DType::int32);
  CHECK(r.indices.dtype() == DType::int32);
  check_values(r.values, std::vector<int>{5, 5, 3, 9, 4, 4});
  check_values(r.indices, std::vector<int>{1, 3, 2, 4, 0, 1});
  auto u = ops::top_k(x, 3, /*sorted=*/false);  // the same elements in index order
  check_values(u.values, std::vector<int>{5, 3, 5, 4, 4, 9});
  check_values(u.indices, std::vector<int>{1, 2, 3, 0, 1, 4});
  CHECK(ops::top_k(x, 0).values.shape() == Shape{2, 0});
  CHECK(ops::top_k(ops::zeros({0, 4}), 2).indices.shape() == Shape{0, 2});
  CHECK(ops::top_k(ops::zeros({3, 0}), 0).values.shape() == Shape{3, 0});
  Tensor f = core::constant({0.5f, NAN, 2.0f});
  auto fr = ops::top_k(f, 2);
  check_values(fr.values, std::vector<double>{NAN, 2.0});
  check_values(fr.indices, std::vector<int>{1, 2});

  // Against the descending argsort (same tie rule) on every dtype and several shapes.
  for (DType dt : kNumeric)
    for (const Shape& s : {Shape{9}, Shape{4, 9}, Shape{2, 3, 17}})
      for (int64_t k : {int64_t{0}, int64_t{1}, int64_t{4}, s[s.rank() - 1]}) {
        CAPTURE(std::string(core::dtype_name(dt)));
        CAPTURE(s.str());
        CAPTURE(k);
        Tensor t = tied_sample(s, dt, 11);
        auto tk = ops::top_k(t, k);
        std::vector<int64_t> b(static_cast<size_t>(s.rank()), 0), e = s.dims();
        e.back() = k;
        std::vector<int64_t> size = e;
        check_values(tk.values, values(ops::slice(ops::sort(t, -1, true), b, size)), 0);
        check_values(tk.indices, values(ops::slice(ops::argsort(t, -1, true), b, size)), 0);
      }
}

TEST_CASE("top_k: errors") {
  Tensor x = ops::zeros({2, 5});
  CHECK_THROWS_MSG(ops::top_k(x, 6), std::invalid_argument,
                   "top_k: expected 0 <= k <= 5 (the size of the last axis of x with shape (2, 5)), "
                   "but received k = 6");
  CHECK_THROWS_MSG(ops::top_k(x, -1), std::invalid_argument, "received k = -1");
  CHECK_THROWS_MSG(ops::top_k(core::constant(1.0), 1), std::invalid_argument,
                   "top_k: expected x to have rank >= 1, but received shape ()");
  CHECK_THROWS_MSG(ops::top_k(core::constant({true}), 1), std::invalid_argument,
                   "top_k: expected x to have dtype float32, float64, int8, int16, int32, int64, uint8, uint16 or uint32, but "
                   "received dtype bool");
}
