#include <algorithm>
#include <string>

#include "helpers.h"

using namespace th;

namespace {

// Naive softmax along `axis` in double (row max subtracted).
std::vector<double> ref_softmax(const std::vector<double>& x, const Shape& s, int64_t axis,
                                bool log) {
  if (axis < 0) axis += s.rank();
  int64_t outer = 1, inner = 1, n = s[axis];
  for (int64_t i = 0; i < axis; ++i) outer *= s[i];
  for (int64_t i = axis + 1; i < s.rank(); ++i) inner *= s[i];
  std::vector<double> y(x.size());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      auto at = [&](int64_t k) { return static_cast<size_t>((o * n + k) * inner + i); };
      double m = -INFINITY, sum = 0;
      for (int64_t k = 0; k < n; ++k) m = std::max(m, x[at(k)]);
      for (int64_t k = 0; k < n; ++k) sum += std::exp(x[at(k)] - m);
      for (int64_t k = 0; k < n; ++k)
        y[at(k)] = log ? x[at(k)] - m - std::log(sum) : std::exp(x[at(k)] - m) / sum;
    }
  return y;
}

}  // namespace

TEST_CASE("softmax and log_softmax over any axis match a reference") {
  std::vector<Shape> shapes = {Shape{5}, Shape{3, 4}, Shape{2, 3, 4}, Shape{2, 1, 3},
                               Shape{4, 0}, Shape{0, 3}, Shape{3, 600}, Shape{600, 3},
                               Shape{2, 300, 5}};
  for (DType dt : {DType::float32, DType::float64})
    for (const Shape& s : shapes)
      for (int64_t axis = -s.rank(); axis < s.rank(); ++axis)
        for (bool lg : {false, true}) {
          CAPTURE(std::string(core::dtype_name(dt)));
          CAPTURE(s.str());
          CAPTURE(axis);
          CAPTURE(lg);
          Tensor x = make(uniform(s.num_elements(), -10, 10, 3), s, dt);
          Tensor y = lg ? ops::log_softmax(x, axis) : ops::softmax(x, axis);
          CHECK(y.shape() == s);
          CHECK(y.dtype() == dt);
          check_values(y, ref_softmax(values(x), s, axis, lg), dt == DType::float32 ? 2e-6 : 1e-12);
        }
}

TEST_CASE("softmax rows sum to 1 and stay finite for huge logits") {
  Tensor x = core::constant({{1000.0f, 1000.0f, -1000.0f}, {1e30f, 0.0f, -1e30f}, {-1000.0f, -1000.0f, -1000.0f}});
  Tensor y = ops::softmax(x);
  auto v = y.to_vector<float>();
  for (float e : v) CHECK(std::isfinite(e));
  check_values(y, std::vector<double>{0.5, 0.5, 0, 1, 0, 0, 1.0 / 3, 1.0 / 3, 1.0 / 3});
  Tensor s = ops::sum(y, {1});
  check_values(s, std::vector<double>{1, 1, 1}, 1e-6);
  Tensor l = ops::log_softmax(x);
  auto lv = l.to_vector<float>();
  CHECK(lv[0] == doctest::Approx(-std::log(2.0)).epsilon(1e-6));
  CHECK(std::isfinite(lv[2]));
  CHECK(lv[2] == doctest::Approx(-2000.0 - std::log(2.0)).epsilon(1e-6));
  // Over axis 0 too (the strided kernel).
  Tensor y0 = ops::softmax(x, 0);
  for (float e : y0.to_vector<float>()) CHECK(std::isfinite(e));
  check_values(ops::sum(y0, {0}), std::vector<double>{1, 1, 1}, 1e-6);
  // Many random rows.
  Tensor r = make(uniform(200 * 50, -500, 500, 4), Shape{200, 50});
  auto rs = ops::sum(ops::softmax(r), {1}).to_vector<float>();
  for (float e : rs) CHECK(e == doctest::Approx(1.0f).epsilon(1e-5));
}

TEST_CASE("softmax rejects bad input") {
  CHECK_THROWS_MSG(ops::softmax(core::constant({1, 2})), std::invalid_argument,
                   "softmax: expected logits to have dtype float32 or float64, but received "
                   "dtype int32 (shape (2,))");
  CHECK_THROWS_MSG(ops::log_softmax(core::constant({1, 2})), std::invalid_argument,
                   "log_softmax: expected logits to have dtype float32 or float64");
  CHECK_THROWS_MSG(ops::softmax(core::constant({{1.0f, 2.0f}}), 2), std::invalid_argument,
                   "softmax: axis 2 is out of bounds for a tensor of rank 2");
  CHECK_THROWS_MSG(ops::log_softmax(core::constant({{1.0f, 2.0f}}), -3), std::invalid_argument,
                   "log_softmax: axis -3 is out of bounds for a tensor of rank 2");
  CHECK_THROWS_MSG(ops::softmax(core::constant(1.0f)), std::invalid_argument,
                   "softmax: expected logits to have rank >= 1, but received shape ()");
}

TEST_CASE("sparse_softmax_cross_entropy_with_logits: fused, stable, checked labels") {
  for (DType dt : {DType::float32, DType::float64})
    for (DType lt : {DType::int32, DType::int64})
      for (Shape s : {Shape{6}, Shape{4, 6}, Shape{2, 3, 5}, Shape{0, 4}, Shape{3, 1}}) {
        CAPTURE(std::string(core::dtype_name(dt)));
        CAPTURE(std::string(core::dtype_name(lt)));
        CAPTURE(s.str());
        const int64_t classes = s[s.rank() - 1], rows = s.num_elements() / classes;
        Tensor logits = make(uniform(s.num_elements(), -8, 8, 5), s, dt);
        std::vector<double> lab;
        for (int64_t r = 0; r < rows; ++r) lab.push_back(double((r * 7 + 3) % classes));
        Shape ls(std::vector<int64_t>(s.dims().begin(), s.dims().end() - 1));
        Tensor labels = make(lab, ls, lt);
        Tensor loss = ops::sparse_softmax_cross_entropy_with_logits(labels, logits);
        CHECK(loss.shape() == ls);
        CHECK(loss.dtype() == dt);
        auto ls_ref = ref_softmax(values(logits), s, -1, true);
        std::vector<double> ref;
        for (int64_t r = 0; r < rows; ++r)
          ref.push_back(-ls_ref[static_cast<size_t>(r * classes + int64_t(lab[static_cast<size_t>(r)]))]);
        check_values(loss, ref, dt == DType::float32 ? 2e-6 : 1e-12);
      }
  // Huge logits stay finite.
  Tensor big = core::constant({{1000.0f, -1000.0f}, {1000.0f, 1000.0f}});
  Tensor l = ops::sparse_softmax_cross_entropy_with_logits(core::constant({1, 0}), big);
  check_values(l, std::vector<double>{2000.0, std::log(2.0)}, 1e-6);
  // Bad labels raise before computing, naming value, position and range.
  Tensor logits = make(uniform(12), Shape{2, 2, 3});
  CHECK_THROWS_MSG(ops::sparse_softmax_cross_entropy_with_logits(
                       core::constant({{0, 1}, {3, 2}}), logits),
                   std::invalid_argument,
                   "sparse_softmax_cross_entropy_with_logits: received label value 3 at position (1, 0) of labels "
                   "(shape (2, 2)), but labels must be in [0, 3) for logits of shape (2, 2, 3)");
  CHECK_THROWS_MSG(ops::sparse_softmax_cross_entropy_with_logits(
                       core::constant(std::vector<int64_t>{0, -1}), make(uniform(6), Shape{2, 3})),
                   std::invalid_argument, "received label value -1 at position (1,)");
  CHECK_THROWS_MSG(ops::sparse_softmax_cross_entropy_with_logits(core::constant(0),
                                                                 make({}, Shape{0})),
                   std::invalid_argument,
                   "received label value 0 at position () of labels (shape ()), but labels must "
                   "be in [0, 0)");
  CHECK_THROWS_MSG(ops::sparse_softmax_cross_entropy_with_logits(core::constant({0, 1, 2}), logits),
                   std::invalid_argument,
                   "sparse_softmax_cross_entropy_with_logits: expected labels to have shape (2, 2) (the shape of logits "
                   "(2, 2, 3) without the class axis), but received labels of shape (3,)");
  CHECK_THROWS_MSG(ops::sparse_softmax_cross_entropy_with_logits(
                       make({0, 1}, Shape{2}, DType::float32), make(uniform(6), Shape{2, 3})),
                   std::invalid_argument,
                   "sparse_softmax_cross_entropy_with_logits: expected labels to have dtype int32 or int64, but received "
                   "dtype float32 (shape (2,))");
  CHECK_THROWS_MSG(ops::sparse_softmax_cross_entropy_with_logits(
                       core::constant({0, 1}), make(uniform(6), Shape{2, 3}, DType::int32)),
                   std::invalid_argument, "expected logits to have dtype float32 or float64");
  CHECK_THROWS_MSG(ops::sparse_softmax_cross_entropy_with_logits(core::constant(0), core::constant(1.0f)),
                   std::invalid_argument, "expected logits to have rank >= 1, but received shape ()");
}

TEST_CASE("softmax_cross_entropy_with_logits matches -sum(labels * log_softmax)") {
  for (DType dt : {DType::float32, DType::float64})
    for (Shape s : {Shape{5}, Shape{4, 5}, Shape{2, 3, 4}, Shape{0, 3}, Shape{3, 0}}) {
      CAPTURE(std::string(core::dtype_name(dt)));
      CAPTURE(s.str());
      const int64_t classes = s[s.rank() - 1];
      const int64_t rows = classes == 0 ? s.num_elements() : s.num_elements() / classes;
      Tensor logits = make(uniform(s.num_elements(), -8, 8, 6), s, dt);
      Tensor labels = ops::softmax(make(uniform(s.num_elements(), -2, 2, 7), s, dt));
      Tensor loss = ops::softmax_cross_entropy_with_logits(labels, logits);
      Shape bs(std::vector<int64_t>(s.dims().begin(), s.dims().end() - 1));
      CHECK(loss.shape() == bs);
      auto lsm = ref_softmax(values(logits), s, -1, true);
      auto lv = values(labels);
      std::vector<double> ref;
      for (int64_t r = 0; r < bs.num_elements() && classes > 0; ++r) {
        double acc = 0;
        for (int64_t j = 0; j < classes; ++j)
          acc -= lv[static_cast<size_t>(r * classes + j)] * lsm[static_cast<size_t>(r * classes + j)];
        ref.push_back(acc);
      }
      if (classes == 0) ref.assign(static_cast<size_t>(bs.num_elements()), 0.0);
      (void)rows;
      check_values(loss, ref, dt == DType::float32 ? 2e-6 : 1e-12);
    }
  // One-hot labels equal the sparse loss; a zero label next to a -inf logit adds nothing.
  Tensor logits = core::constant({{2.0f, -INFINITY, 0.5f}});
  Tensor dense = ops::softmax_cross_entropy_with_logits(core::constant({{1.0f, 0.0f, 0.0f}}), logits);
  Tensor sparse = ops::sparse_softmax_cross_entropy_with_logits(core::constant({0}), logits);
  CHECK(std::isfinite(dense.to_vector<float>()[0]));
  check_values(dense, values(sparse), 1e-6);
  // Errors.
  CHECK_THROWS_MSG(ops::softmax_cross_entropy_with_logits(make(uniform(6), Shape{3, 2}),
                                                          make(uniform(6), Shape{2, 3})),
                   std::invalid_argument,
                   "softmax_cross_entropy_with_logits: expected labels to have the shape of logits (2, 3), but "
                   "received labels of shape (3, 2)");
  CHECK_THROWS_MSG(ops::softmax_cross_entropy_with_logits(make(uniform(6), Shape{2, 3}, DType::float64),
                                                          make(uniform(6), Shape{2, 3})),
                   std::invalid_argument,
                   "softmax_cross_entropy_with_logits: expected both inputs to have the same dtype, but received "
                   "float64 (2, 3) and float32 (2, 3)");
  CHECK_THROWS_MSG(ops::softmax_cross_entropy_with_logits(core::constant({0, 1}), core::constant({0, 1})),
                   std::invalid_argument,
                   "softmax_cross_entropy_with_logits: expected logits to have dtype float32 or float64, but "
                   "received dtype int32 (shape (2,))");
}

TEST_CASE("one_hot: axes, dtypes, values, out-of-range indices") {
  Tensor idx = core::constant({0, 2, -1, 3});
  Tensor y = ops::one_hot(idx, 3);
  CHECK(y.shape() == Shape{4, 3});
  CHECK(y.dtype() == DType::float32);
  check_values(y, std::vector<double>{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0});
  Tensor y0 = ops::one_hot(idx, 3, {.axis = 0});
  CHECK(y0.shape() == Shape{3, 4});
  check_values(y0, std::vector<double>{1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0});
  Tensor yv = ops::one_hot(idx, 3, {.on_value = 5, .off_value = -1, .dtype = DType::int64});
  CHECK(yv.dtype() == DType::int64);
  check_values(yv, std::vector<double>{5, -1, -1, -1, -1, 5, -1, -1, -1, -1, -1, -1});
  // Against a reference for every index dtype, output dtype and axis of a 2-d input.
  Shape s{2, 3};
  std::vector<double> iv = {0, 3, 1, 2, 5, 1};
  for (DType it : {DType::int32, DType::int64, DType::uint8})
    for (DType ot : {DType::float32, DType::float64, DType::int32, DType::int64, DType::uint8,
                     DType::bool_})
      for (int64_t axis : {-1, 0, 1, 2}) {
        CAPTURE(std::string(core::dtype_name(it)));
        CAPTURE(std::string(core::dtype_name(ot)));
        CAPTURE(axis);
        const int64_t depth = 4;
        Tensor t = ops::one_hot(make(iv, s, it), depth, {.on_value = 1, .off_value = 0, .axis = axis, .dtype = ot});
        const int64_t ax = axis == -1 ? 2 : axis;
        std::vector<int64_t> od = s.dims();
        od.insert(od.begin() + ax, depth);
        CHECK(t.shape() == Shape(od));
        CHECK(t.dtype() == ot);
        std::vector<double> ref;
        for (int64_t a = 0; a < od[0]; ++a)
          for (int64_t b = 0; b < od[1]; ++b)
            for (int64_t c = 0; c < od[2]; ++c) {
              int64_t o[3] = {a, b, c};
              int64_t d = o[ax];
              int64_t p[2], q = 0;
              for (int64_t k = 0; k < 3; ++k) if (k != ax) p[q++] = o[k];
              ref.push_back(iv[static_cast<size_t>(p[0] * 3 + p[1])] == double(d) ? 1.0 : 0.0);
            }
        check_values(t, ref);
      }
  // 0-d indices, depth 0, empty indices.
  check_values(ops::one_hot(core::constant(1), 3), std::vector<double>{0, 1, 0});
  CHECK(ops::one_hot(core::constant(1), 3).shape() == Shape{3});
  CHECK(ops::one_hot(idx, 0).shape() == Shape{4, 0});
  CHECK(ops::one_hot(make({}, Shape{0}, DType::int32), 5).shape() == Shape{0, 5});
  // Errors.
  CHECK_THROWS_MSG(ops::one_hot(idx, -1), std::invalid_argument,
                   "one_hot: expected depth >= 0, but received depth -1");
  CHECK_THROWS_MSG(ops::one_hot(idx, 3, {.axis = 2}), std::invalid_argument,
                   "one_hot: expected axis to be -1 or in [0, 1] for indices of shape (4,), but "
                   "received axis 2");
  CHECK_THROWS_MSG(ops::one_hot(idx, 3, {.axis = -2}), std::invalid_argument, "received axis -2");
  CHECK_THROWS_MSG(ops::one_hot(core::constant({1.0f}), 3), std::invalid_argument,
                   "one_hot: expected indices to have dtype int8, int16, int32, int64, uint8, uint16 or uint32, but received "
                   "dtype float32 (shape (1,))");
}
