#include <algorithm>
#include <string>

#include "core/cpu/onednn.h"
#include "helpers.h"

using namespace th;

namespace {

// Naive batched matmul in double: a (..., M, K) or (..., K, M) when ta, b likewise;
// batch axes broadcast. Returns the values of the (batch..., M, N) result.
std::vector<double> ref_matmul(const std::vector<double>& a, const Shape& sa, bool ta,
                               const std::vector<double>& b, const Shape& sb, bool tb,
                               Shape* out_shape) {
  const int64_t ra = sa.rank(), rb = sb.rank();
  const int64_t m = ta ? sa[ra - 1] : sa[ra - 2], k = ta ? sa[ra - 2] : sa[ra - 1];
  const int64_t n = tb ? sb[rb - 2] : sb[rb - 1];
  const int64_t r = std::max(ra, rb) - 2;
  std::vector<int64_t> bd(static_cast<size_t>(r));
  for (int64_t i = 0; i < r; ++i) {
    int64_t da = i - (r - (ra - 2)) >= 0 ? sa[i - (r - (ra - 2))] : 1;
    int64_t db = i - (r - (rb - 2)) >= 0 ? sb[i - (r - (rb - 2))] : 1;
    bd[static_cast<size_t>(i)] = da == 1 ? db : da;
  }
  std::vector<int64_t> od = bd;
  od.push_back(m);
  od.push_back(n);
  *out_shape = Shape(od);
  int64_t nb = 1;
  for (int64_t d : bd) nb *= d;
  std::vector<double> out;
  for (int64_t bi = 0; bi < nb; ++bi) {
    // Batch multi-index, then each operand's batch offset (broadcast axes pinned to 0).
    std::vector<int64_t> idx(static_cast<size_t>(r));
    int64_t rem = bi;
    for (int64_t i = r - 1; i >= 0; --i) {
      idx[static_cast<size_t>(i)] = rem % bd[static_cast<size_t>(i)];
      rem /= bd[static_cast<size_t>(i)];
    }
    auto offset = [&](const Shape& s) {
      int64_t off = 0;
      for (int64_t i = 0; i < s.rank() - 2; ++i) {
        int64_t oi = i + (r - (s.rank() - 2));
        off = off * s[i] + (s[i] == 1 ? 0 : idx[static_cast<size_t>(oi)]);
      }
      return off;
    };
    const int64_t oa = offset(sa) * m * k, ob = offset(sb) * k * n;
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double acc = 0;
        for (int64_t q = 0; q < k; ++q) {
          double x = a[static_cast<size_t>(oa + (ta ? q * m + i : i * k + q))];
          double y = b[static_cast<size_t>(ob + (tb ? j * k + q : q * n + j))];
          acc += x * y;
        }
        out.push_back(acc);
      }
  }
  return out;
}

Shape mat_shape(std::vector<int64_t> batch, int64_t rows, int64_t cols, bool t) {
  batch.push_back(t ? cols : rows);
  batch.push_back(t ? rows : cols);
  return Shape(batch);
}

}  // namespace

namespace {
struct Case {
  std::vector<int64_t> ba, bb;
  int64_t m, k, n;
};

void check_against_naive(const std::vector<Case>& cases, std::vector<DType> dtypes) {
  for (DType dt : dtypes)
    for (const Case& c : cases)
      for (bool ta : {false, true})
        for (bool tb : {false, true}) {
          Shape sa = mat_shape(c.ba, c.m, c.k, ta), sb = mat_shape(c.bb, c.k, c.n, tb);
          CAPTURE(std::string(core::dtype_name(dt)));
          CAPTURE(sa.str());
          CAPTURE(sb.str());
          CAPTURE(ta);
          CAPTURE(tb);
          bool integer = core::is_integer(dt);
          auto va = uniform(sa.num_elements(), -5, 5, 1), vb = uniform(sb.num_elements(), -5, 5, 2);
          if (integer) {
            for (auto& v : va) v = std::floor(v);
            for (auto& v : vb) v = std::floor(v);
          }
          Tensor a = make(va, sa, dt), b = make(vb, sb, dt);
          Tensor y = ops::matmul(a, b, ta, tb);
          Shape so;
          auto ref = ref_matmul(values(a), sa, ta, values(b), sb, tb, &so);
          CHECK(y.dtype() == dt);
          CHECK(y.shape() == so);
          check_values(y, ref, dt == DType::float32 ? 1e-4 * std::max<double>(1, c.k / 16.0) : 1e-12);
        }
}

const std::vector<Case> kCases = {
    {{}, {}, 1, 1, 1},         {{}, {}, 3, 4, 5},       {{}, {}, 7, 1, 3},
    {{}, {}, 33, 17, 65},      {{2}, {2}, 3, 4, 5},     {{2, 3}, {}, 4, 5, 6},
    {{}, {3}, 4, 5, 2},        {{2, 1}, {1, 3}, 2, 3, 4}, {{4}, {1}, 3, 2, 3},
    {{}, {}, 3, 0, 4},         {{2}, {2}, 0, 3, 4},     {{}, {}, 3, 4, 0},
    {{0}, {}, 2, 3, 4},        {{2}, {}, 2, 0, 2},      {{3}, {}, 64, 70, 40},
    // Batches of their own operands: each product on the ISA table's small_gemm up to
    // cpu::kSmallGemm multiply-adds, above it on BLAS (70 x 60 x 70), K = 0 writes zeros.
    {{2}, {2}, 28, 16, 28},    {{2}, {2}, 70, 60, 70},  {{2}, {2}, 3, 0, 4},
};
}  // namespace

TEST_CASE("matmul matches a naive triple loop: transposes, batches, broadcasting, K = 0") {
  check_against_naive(kCases, {DType::float32, DType::float64, DType::int32, DType::int64});
}

// float32 products run on OpenBLAS or oneDNN (core/cpu/onednn_gemm.cpp picks one); both
// are checked whatever this machine picks, at 1 and 2 threads, with shapes large enough
// for oneDNN's slices over the pool (rows or columns, with a ragged last slice).
TEST_CASE("float32 matmul is right on both GEMM libraries, sliced over threads") {
  const int saved_threads = core::get_num_threads();
  std::vector<Case> cases = kCases;
  cases.push_back({{}, {}, 32, 300, 100});
  cases.push_back({{}, {}, 40, 129, 331});
  cases.push_back({{}, {}, 300, 64, 33});
  cases.push_back({{2}, {}, 37, 100, 70});
  for (int lib : {0, 1})
    for (int threads : {1, 2}) {
      CAPTURE(lib);
      CAPTURE(threads);
      core::set_num_threads(threads);
      core::cpu::onednn::force_gemm_library(lib);
      check_against_naive(cases, {DType::float32});
    }
  core::cpu::onednn::force_gemm_library(-1);
  core::set_num_threads(saved_threads);
}

TEST_CASE("matmul with rank-1 operands follows NumPy") {
  Tensor v = core::constant({1.0f, 2.0f, 3.0f});
  Tensor m = core::constant({{1.0f, 2.0f}, {3.0f, 4.0f}, {5.0f, 6.0f}});  // (3, 2)
  Tensor row = ops::matmul(v, m);  // (3,) @ (3, 2) -> (2,)
  CHECK(row.shape() == Shape{2});
  check_values(row, std::vector<double>{22, 28});
  Tensor col = ops::matmul(m, core::constant({1.0f, -1.0f}));  // (3, 2) @ (2,) -> (3,)
  CHECK(col.shape() == Shape{3});
  check_values(col, std::vector<double>{-1, -1, -1});
  Tensor dot = ops::matmul(v, v);  // (3,) @ (3,) -> ()
  CHECK(dot.shape() == Shape{});
  CHECK(dot.item<float>() == 14.0f);
  // The transpose flag of a matrix still applies next to a vector.
  check_values(ops::matmul(core::constant({1.0f, 1.0f}), m, false, true),
               std::vector<double>{3, 7, 11});
  // A vector against a batch of matrices: (3,) @ (2, 3, 2) -> (2, 2).
  auto vb = uniform(12, -1, 1, 4);
  Tensor batch = make(vb, Shape{2, 3, 2});
  Tensor y = ops::matmul(v, batch);
  CHECK(y.shape() == Shape{2, 2});
  Shape so;
  check_values(y, ref_matmul(values(v), Shape{1, 3}, false, values(batch), batch.shape(), false, &so), 1e-6);
  // ((2, 3, 2) @ (2,)) @ (3,): (2, 3) @ (3,) -> (2,)
  Tensor z = ops::matmul(ops::matmul(batch, core::constant({1.0f, 0.0f})), v);
  CHECK(z.shape() == Shape{2});
  // (2, 2, 3) @ (3,) -> (2, 2)
  Tensor w = ops::matmul(make(vb, Shape{2, 2, 3}), v);
  CHECK(w.shape() == Shape{2, 2});
  check_values(w, ref_matmul(vb, Shape{2, 2, 3}, false, values(v), Shape{3, 1}, false, &so), 1e-6);
  // Integer vectors, and K = 0 vectors (an empty dot product is 0).
  check_values(ops::matmul(core::constant({1, 2}), core::constant({3, 4})), std::vector<int>{11});
  CHECK(ops::matmul(make({}, Shape{0}), make({}, Shape{0})).item<float>() == 0.0f);
}

TEST_CASE("matmul of large float32 matrices goes through BLAS correctly") {
  const int64_t m = 260, k = 300, n = 270;
  auto va = uniform(m * k, -1, 1, 5), vb = uniform(k * n, -1, 1, 6);
  Tensor a = make(va, Shape{m, k}), b = make(vb, Shape{k, n});
  Shape so;
  check_values(ops::matmul(a, b), ref_matmul(values(a), a.shape(), false, values(b), b.shape(), false, &so),
               2e-5);
  // Folded batch path: (2, m, k) @ (k, n) is one product of (2m, k) @ (k, n).
  auto va3 = uniform(2 * 30 * k, -1, 1, 7);
  Tensor a3 = make(va3, Shape{2, 30, k});
  check_values(ops::matmul(a3, b), ref_matmul(values(a3), a3.shape(), false, values(b), b.shape(), false, &so),
               2e-5);
}

TEST_CASE("matmul rejects bad dtypes and shapes") {
  Tensor a = ops::cast(make(uniform(6), Shape{2, 3}), DType::float32);
  Tensor b = make(uniform(20), Shape{4, 5});
  CHECK_THROWS_MSG(ops::matmul(a, b), std::invalid_argument,
                   "matmul: expected axis -1 of a (shape (2, 3)) to equal axis -2 of b (shape "
                   "(4, 5)), but 3 != 4");
  CHECK_THROWS_MSG(ops::matmul(a, b, true, true), std::invalid_argument,
                   "matmul: expected axis -2 of a (shape (2, 3)) to equal axis -1 of b (shape "
                   "(4, 5)), but 2 != 5");
  CHECK_THROWS_MSG(ops::matmul(a, make(uniform(6), Shape{3, 2}, DType::float64)),
                   std::invalid_argument,
                   "matmul: expected both inputs to have the same dtype, but received float32 "
                   "(2, 3) and float64 (3, 2)");
  CHECK_THROWS_MSG(ops::matmul(make({1, 0}, Shape{1, 2}, DType::bool_),
                               make({1, 0}, Shape{2, 1}, DType::bool_)),
                   std::invalid_argument,
                   "matmul: expected a to have dtype float32, float64, float16, bfloat16, int8, int16, int32, "
                   "int64, uint8, uint16 or uint32, but received dtype bool (shape (1, 2))");
  // Integers multiply in their own dtype, wrapping as TensorFlow's MatMul (200 * 2 = 144 in uint8).
  check_values(ops::matmul(core::constant({{uint8_t(200), uint8_t(1)}}), core::constant({{uint8_t(2)}, {uint8_t(3)}})),
               std::vector<double>{147});
  CHECK_THROWS_MSG(ops::matmul(core::constant(1.0f), a), std::invalid_argument,
                   "matmul: expected a to have rank >= 1, but received shape ()");
  CHECK_THROWS_MSG(ops::matmul(a, core::constant(1.0f)), std::invalid_argument,
                   "matmul: expected b to have rank >= 1, but received shape ()");
  CHECK_THROWS_MSG(ops::matmul(core::constant({1.0f, 2.0f}), core::constant({1.0f, 2.0f, 3.0f})),
                   std::invalid_argument,
                   "matmul: expected axis 0 of a (shape (2,)) to equal axis 0 of b (shape (3,)), "
                   "but 2 != 3");
  CHECK_THROWS_MSG(ops::matmul(a, core::constant({1.0f, 2.0f})), std::invalid_argument,
                   "matmul: expected axis -1 of a (shape (2, 3)) to equal axis 0 of b (shape "
                   "(2,)), but 3 != 2");
  CHECK_THROWS_MSG(ops::matmul(make(uniform(24), Shape{2, 3, 4}), make(uniform(60), Shape{3, 4, 5})),
                   std::invalid_argument,
                   "matmul: the batch axes of a (shape (2, 3, 4)) and b (shape (3, 4, 5)) cannot "
                   "be broadcast together: 2 != 3");
  CHECK_THROWS_MSG(ops::matmul(Tensor(), a), std::invalid_argument, "matmul: input a is an undefined tensor");
}

TEST_CASE("tensordot contracts the given axes") {
  // Reference: out[free_a..., free_b...] = sum over contracted index tuples.
  auto ref = [](const std::vector<double>& a, const Shape& sa, const std::vector<double>& b,
                const Shape& sb, std::vector<int64_t> ca, std::vector<int64_t> cb) {
    for (auto& x : ca) x = x < 0 ? x + sa.rank() : x;
    for (auto& x : cb) x = x < 0 ? x + sb.rank() : x;
    auto sta = core::contiguous_strides(sa), stb = core::contiguous_strides(sb);
    std::vector<int64_t> fa, fb;
    for (int64_t i = 0; i < sa.rank(); ++i)
      if (std::find(ca.begin(), ca.end(), i) == ca.end()) fa.push_back(i);
    for (int64_t i = 0; i < sb.rank(); ++i)
      if (std::find(cb.begin(), cb.end(), i) == cb.end()) fb.push_back(i);
    auto count = [](const Shape& s, const std::vector<int64_t>& ax) {
      int64_t p = 1;
      for (auto x : ax) p *= s[x];
      return p;
    };
    // Offset of the idx-th tuple over `axes` of shape s.
    auto off = [](const Shape& s, const std::vector<int64_t>& st, const std::vector<int64_t>& ax,
                  int64_t idx) {
      int64_t o = 0;
      for (size_t i = ax.size(); i-- > 0;) {
        o += (idx % s[ax[i]]) * st[static_cast<size_t>(ax[i])];
        idx /= s[ax[i]];
      }
      return o;
    };
    std::vector<double> out;
    for (int64_t i = 0; i < count(sa, fa); ++i)
      for (int64_t j = 0; j < count(sb, fb); ++j) {
        double acc = 0;
        for (int64_t q = 0; q < count(sa, ca); ++q) {
          // The q-th contracted tuple, read in a's and b's axis order.
          acc += a[static_cast<size_t>(off(sa, sta, fa, i) + off(sa, sta, ca, q))] *
                 b[static_cast<size_t>(off(sb, stb, fb, j) + off(sb, stb, cb, q))];
        }
        out.push_back(acc);
      }
    return out;
  };
  struct Case {
    Shape sa, sb;
    std::vector<int64_t> ca, cb;
    Shape out;
  };
  std::vector<Case> cases = {
      {Shape{3, 4}, Shape{4, 5}, {1}, {0}, Shape{3, 5}},
      {Shape{4, 3}, Shape{4, 5}, {0}, {0}, Shape{3, 5}},      // via transpose_a
      {Shape{3, 4}, Shape{5, 4}, {1}, {1}, Shape{3, 5}},      // via transpose_b
      {Shape{2, 3, 4}, Shape{4, 3, 5}, {1, 2}, {1, 0}, Shape{2, 5}},
      {Shape{2, 3, 4}, Shape{3, 5, 2}, {0, 1}, {2, 0}, Shape{4, 5}},
      {Shape{2, 3, 4}, Shape{5, 3}, {-2}, {-1}, Shape{2, 4, 5}},  // a needs a real transpose
      {Shape{3}, Shape{3}, {0}, {0}, Shape{}},
      {Shape{2, 3}, Shape{4}, {}, {}, Shape{2, 3, 4}},        // outer product
      {Shape{2, 0}, Shape{0, 3}, {1}, {0}, Shape{2, 3}},
  };
  for (DType dt : {DType::float32, DType::float64, DType::int32})
    for (const Case& c : cases) {
      CAPTURE(std::string(core::dtype_name(dt)));
      CAPTURE(c.sa.str());
      CAPTURE(c.sb.str());
      auto va = uniform(c.sa.num_elements(), -3, 3, 8), vb = uniform(c.sb.num_elements(), -3, 3, 9);
      for (auto& v : va) v = std::floor(v);
      for (auto& v : vb) v = std::floor(v);
      Tensor a = make(va, c.sa, dt), b = make(vb, c.sb, dt);
      Tensor y = ops::tensordot(a, b, c.ca, c.cb);
      CHECK(y.shape() == c.out);
      CHECK(y.dtype() == dt);
      check_values(y, ref(va, c.sa, vb, c.sb, c.ca, c.cb), 1e-6);
    }
  // The integer form: the last n axes of a with the first n of b.
  Tensor a = make(uniform(24, -1, 1, 3), Shape{2, 3, 4}), b = make(uniform(60, -1, 1, 4), Shape{3, 4, 5});
  Tensor y2 = ops::tensordot(a, b, 2);
  CHECK(y2.shape() == Shape{2, 5});
  check_values(y2, ref(values(a), a.shape(), values(b), b.shape(), {1, 2}, {0, 1}), 1e-5);
  CHECK(ops::tensordot(a, b, 0).shape() == Shape{2, 3, 4, 3, 4, 5});
  CHECK(ops::tensordot(make({}, Shape{0}), make({}, Shape{0}), 1).item<float>() == 0.0f);
  // Bad arguments.
  CHECK_THROWS_MSG(ops::tensordot(a, b, 4), std::invalid_argument,
                   "tensordot: expected 0 <= axes <= min(rank of a, rank of b), but received "
                   "axes = 4 for a of shape (2, 3, 4) and b of shape (3, 4, 5)");
  CHECK_THROWS_MSG(ops::tensordot(a, b, -1), std::invalid_argument, "but received axes = -1");
  CHECK_THROWS_MSG(ops::tensordot(a, b, {0}, {0}), std::invalid_argument,
                   "tensordot: expected axis 0 of a (shape (2, 3, 4)) to equal axis 0 of b "
                   "(shape (3, 4, 5)), but 2 != 3");
  CHECK_THROWS_MSG(ops::tensordot(a, b, {1, 2}, {0}), std::invalid_argument,
                   "tensordot: expected axes_a and axes_b to have the same length, but received "
                   "2 and 1 axes");
  CHECK_THROWS_MSG(ops::tensordot(a, b, {1, -2}, {0, 1}), std::invalid_argument,
                   "tensordot: duplicate axis -2 in axes_a for shape (2, 3, 4)");
  CHECK_THROWS_MSG(ops::tensordot(a, b, {3}, {0}), std::invalid_argument,
                   "tensordot: axis 3 is out of bounds for a tensor of rank 3");
  CHECK_THROWS_MSG(ops::tensordot(a, make(uniform(3), Shape{3}, DType::float64), {1}, {0}),
                   std::invalid_argument,
                   "tensordot: expected both inputs to have the same dtype, but received float32 "
                   "(2, 3, 4) and float64 (3,)");
}

TEST_CASE("matmul: the same bits at 1, 2 and 3 threads for every dtype and GEMM library (blocks fixed by shape)") {
  const int saved = core::get_num_threads();
  struct Dims {
    int64_t m, k, n;
  };
  for (int lib : {0, 1})
    for (DType dt : {DType::float32, DType::float64, DType::complex64})
      for (Dims d : {Dims{384, 192, 24}, Dims{192, 384, 24}, Dims{24, 512, 700}, Dims{300, 70, 129}})
        for (bool ta : {false, true}) {
          CAPTURE(lib);
          CAPTURE(core::dtype_name(dt));
          CAPTURE(d.m);
          CAPTURE(d.n);
          CAPTURE(ta);
          core::cpu::onednn::force_gemm_library(lib);
          Tensor a = make(uniform(d.m * d.k, -1, 1, 3), ta ? Shape{d.k, d.m} : Shape{d.m, d.k}, dt);
          Tensor b = make(uniform(d.k * d.n, -1, 1, 4), Shape{d.k, d.n}, dt);
          std::vector<Tensor> runs;
          for (int threads : {1, 2, 3}) {
            core::set_num_threads(threads);
            runs.push_back(ops::matmul(a, b, ta, false));
          }
          for (size_t i = 1; i < runs.size(); ++i)
            CHECK(ops::all(ops::equal(runs[0], runs[i])).item<bool>());
        }
  core::cpu::onednn::force_gemm_library(-1);
  core::set_num_threads(saved);
}
