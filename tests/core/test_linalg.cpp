// test_linalg.cpp - keras::ops::linalg against Keras 3 (the fixture of
// tests/data/npz/make_linalg_fixtures.py), identities, batches, dtypes and bad input.
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string>

#include "core/npy.h"
#include "../error_of.h"
#include "helpers.h"
#include "test_data_dir.h"

using namespace th;

namespace {

const std::map<std::string, Tensor>& fixture() {
  static const std::map<std::string, Tensor> m = [] {
    std::map<std::string, Tensor> r;
    for (auto& [k, v] : core::load_npz(std::string(KERAS_TEST_DATA_DIR) + "/npz/linalg_keras.npz"))
      r[k] = v;
    return r;
  }();
  return m;
}
Tensor fx(const std::string& name) {
  auto it = fixture().find(name);
  REQUIRE_MESSAGE(it != fixture().end(), "fixture array " << name);
  return it->second;
}
Tensor fx(const std::string& name, DType dt) { return ops::cast(fx(name), dt); }

void check_close(const Tensor& got, const Tensor& want, double tol) {
  REQUIRE(got.shape() == want.shape());
  check_values(got, values(want), tol);
}

// Flips the sign of column j of `cols` (rows x k, row-major) and row j of `rows_of`
// (k x n) so that column j's entry of largest magnitude is positive: a canonical form
// for factors unique up to sign (QR, SVD, eigenvectors).
void normalize_signs(std::vector<double>& cols, int64_t nrows, int64_t k,
                     std::vector<double>* rows_of, int64_t n) {
  for (int64_t j = 0; j < k; ++j) {
    double big = 0;
    for (int64_t i = 0; i < nrows; ++i)
      if (std::fabs(cols[size_t(i * k + j)]) > std::fabs(big)) big = cols[size_t(i * k + j)];
    if (big >= 0) continue;
    for (int64_t i = 0; i < nrows; ++i) cols[size_t(i * k + j)] = -cols[size_t(i * k + j)];
    if (rows_of)
      for (int64_t c = 0; c < n; ++c) (*rows_of)[size_t(j * n + c)] = -(*rows_of)[size_t(j * n + c)];
  }
}

void check_factors(const Tensor& left, const Tensor& right, const Tensor& wl, const Tensor& wr,
                   int64_t compare_cols, double tol) {
  REQUIRE(left.shape() == wl.shape());
  REQUIRE(right.shape() == wr.shape());
  const int64_t m = left.shape()[0], k = left.shape()[1], n = right.shape()[1];
  std::vector<double> gl = values(left), gr = values(right), el = values(wl), er = values(wr);
  normalize_signs(gl, m, k, &gr, n);
  normalize_signs(el, m, k, &er, n);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < compare_cols; ++j)
      CHECK(std::fabs(gl[size_t(i * k + j)] - el[size_t(i * k + j)]) <= tol);
  for (int64_t i = 0; i < std::min(k, compare_cols); ++i)
    for (int64_t j = 0; j < n; ++j)
      CHECK(std::fabs(gr[size_t(i * n + j)] - er[size_t(i * n + j)]) <= tol);
}


}  // namespace

TEST_CASE("linalg: inv, det, solve, cholesky match Keras in float64 and float32") {
  for (DType dt : {DType::float64, DType::float32}) {
    CAPTURE(core::dtype_name(dt));
    const std::string s = dt == DType::float64 ? "_64" : "_32";
    const double tol = dt == DType::float64 ? 1e-12 : 2e-5;
    Tensor a = fx("in_a", dt), b = fx("in_b", dt), spd = fx("in_spd", dt);
    check_close(ops::inv(a), fx("inv" + s), tol);
    check_close(ops::det(a), fx("det" + s), tol);
    check_close(ops::solve(a, b), fx("solve" + s), tol);
    check_close(ops::cholesky(spd), fx("cholesky" + s), tol);
    check_close(ops::svd(fx("in_tall", dt), false).s, fx("svd_s" + s), tol);
    check_close(ops::eigh(spd).eigenvalues, fx("eigh_w" + s), tol);
    CHECK(ops::inv(a).dtype() == dt);
  }
  Tensor a = fx("in_a");
  auto sl = ops::slogdet(a);
  check_close(sl.sign, fx("slogdet_sign"), 0);
  check_close(sl.logabsdet, fx("slogdet_logabsdet"), 1e-12);
  check_close(ops::solve(a, fx("in_bv")), fx("solve_vec"), 1e-12);
  check_close(ops::cholesky(fx("in_spd"), true), fx("cholesky_upper"), 1e-12);
  check_close(ops::solve_triangular(a, fx("in_b"), true), fx("solve_triangular_lower"), 1e-12);
  check_close(ops::solve_triangular(a, fx("in_b")), fx("solve_triangular_upper"), 1e-12);
  auto lu = ops::lu_factor(ops::slice(a, {0, 0, 0}, {1, -1, -1}));
  check_close(ops::squeeze(lu.lu, {0}), fx("lu_factor_lu"), 1e-12);
  CHECK(lu.pivots.dtype() == DType::int32);
  check_close(ops::squeeze(lu.pivots, {0}), fx("lu_factor_pivots"), 0);
}

TEST_CASE("linalg: qr, svd, eigh match Keras up to the signs of their vectors") {
  for (std::string name : {"tall", "wide"}) {
    Tensor x = fx("in_" + name);
    const int64_t m = x.shape()[0], n = x.shape()[1], k = std::min(m, n);
    for (std::string mode : {"reduced", "complete"}) {
      CAPTURE(name + " " + mode);
      auto [q, r] = ops::qr(x, mode);
      // Q's columns beyond k span the orthogonal complement (unique only as a space).
      check_factors(q, r, fx("qr_" + name + "_" + mode + "_q"), fx("qr_" + name + "_" + mode + "_r"), k, 1e-12);
      check_close(ops::matmul(q, r), x, 1e-12);
      check_close(ops::matmul(q, q, true), ops::eye(q.shape()[1], std::nullopt, DType::float64), 1e-12);
    }
    for (std::string tag : {"full", "reduced"}) {
      CAPTURE(name + " " + tag);
      auto d = ops::svd(x, tag == "full");
      const std::string p = "svd_" + name + "_" + tag + "_";
      check_close(d.s, fx(p + "s"), 1e-12);
      auto cols = [&](const Tensor& t) { return ops::slice(t, {0, 0}, {-1, k}); };
      auto rows = [&](const Tensor& t) { return ops::slice(t, {0, 0}, {k, -1}); };
      check_factors(cols(d.u), rows(d.vh), cols(fx(p + "u")), rows(fx(p + "vh")), k, 1e-12);
      Tensor us = ops::multiply(ops::slice(d.u, {0, 0}, {-1, k}), d.s);
      check_close(ops::matmul(us, ops::slice(d.vh, {0, 0}, {k, -1})), x, 1e-12);
      check_close(ops::matmul(d.vh, d.vh, false, true), ops::eye(d.vh.shape()[0], std::nullopt, DType::float64), 1e-12);
    }
  }
  check_close(ops::svd(fx("in_wide"), true, false).s, fx("svd_wide_s_only"), 1e-12);
  Tensor spd = fx("in_spd");
  auto e = ops::eigh(spd);
  check_close(e.eigenvalues, fx("eigh_w"), 1e-12);
  for (int64_t b = 0; b < 2; ++b) {
    auto pick = [&](const Tensor& t) { return ops::squeeze(ops::slice(t, {b, 0, 0}, {1, -1, -1}), {0}); };
    Tensor v = pick(e.eigenvectors), want = pick(fx("eigh_v"));
    std::vector<double> gv = values(v), ev = values(want);
    normalize_signs(gv, 3, 3, nullptr, 0);
    normalize_signs(ev, 3, 3, nullptr, 0);
    for (size_t i = 0; i < gv.size(); ++i) CHECK(std::fabs(gv[i] - ev[i]) <= 1e-12);
  }
}

TEST_CASE("linalg: lstsq, pinv, norm, trace, diagonal, diag, outer match Keras") {
  Tensor tall = fx("in_tall"), rhs = fx("in_rhs"), a = fx("in_a");
  check_close(ops::lstsq(tall, rhs), fx("lstsq"), 1e-12);
  check_close(ops::lstsq(tall, ops::reshape(ops::slice(rhs, {0, 0}, {-1, 1}), {-1})), fx("lstsq_vec"), 1e-12);
  check_close(ops::pinv(tall), fx("pinv_tall"), 1e-12);
  check_close(ops::pinv(a), fx("pinv_batch"), 1e-12);
  Tensor spd = fx("in_spd");
  check_close(ops::linalg::cholesky_inverse(ops::cholesky(spd)), fx("cholesky_inverse"), 1e-12);
  check_close(ops::cholesky_inverse(ops::cholesky(spd, true), true), fx("cholesky_inverse_upper"), 1e-12);
  check_close(ops::matmul(ops::cholesky_inverse(ops::cholesky(spd)), spd),
              ops::broadcast_to(ops::eye(3, std::nullopt, DType::float64), spd.shape()), 1e-12);
  CHECK(ops::linalg::matrix_rank(fx("in_deficient")).dtype() == DType::int32);
  check_close(ops::matrix_rank(fx("in_deficient")), fx("matrix_rank"), 0);
  check_close(ops::matrix_rank(fx("in_deficient"), 0.5), fx("matrix_rank_tol"), 0);
  const double inf = std::numeric_limits<double>::infinity();
  Tensor v = fx("in_v"), sq4 = fx("in_sq4");
  std::vector<std::pair<std::string, ops::NormOrd>> vec = {
      {"None", {}}, {"1", 1}, {"-1", -1}, {"0", 0}, {"3", 3}, {"inf", inf}, {"-inf", -inf}};
  for (auto& [name, ord] : vec) {
    CAPTURE(name);
    check_close(ops::norm(v, ord), fx("norm_vec_" + name), 1e-12);
  }
  std::vector<std::pair<std::string, ops::NormOrd>> mat = {
      {"None", {}}, {"fro", "fro"}, {"nuc", "nuc"}, {"1", 1}, {"-1", -1}, {"2", 2},
      {"-2", -2},   {"inf", inf},   {"-inf", -inf}};
  for (auto& [name, ord] : mat) {
    CAPTURE(name);
    check_close(ops::norm(sq4, ord), fx("norm_mat_" + name), 1e-12);
    check_close(ops::norm(a, ord, {2, 0}), fx("norm_batch_" + name), 1e-12);
    check_close(ops::norm(a, ord, {0, 2}, true), fx("norm_keep_" + name), 1e-12);
  }
  check_close(ops::norm(a, {}, {1}), fx("norm_axis1"), 1e-12);
  check_close(ops::trace(a, 1, 1, 2), fx("trace"), 1e-12);
  check_close(ops::trace(a), fx("trace_default"), 1e-12);
  check_close(ops::diagonal(a, -1, 0, 2), fx("diagonal"), 0);
  check_close(ops::diagonal(a, 0, -2, -1), fx("diagonal_last"), 0);
  check_close(ops::diag(v, 1), fx("diag_vec"), 0);
  check_close(ops::diag(fx("in_w"), -2), fx("diag_vec_neg"), 0);
  check_close(ops::diag(sq4, -1), fx("diag_mat"), 0);
  check_close(ops::outer(v, fx("in_w")), fx("outer"), 0);
  CHECK(ops::norm(core::constant({3, 4})).dtype() == DType::float32);
  CHECK(ops::norm(core::constant({3, 4})).item<float>() == 5.0f);
  CHECK(ops::trace(core::constant({{true, false}, {true, true}}), 0, 0, 1).item<int32_t>() == 2);
  CHECK(ops::diagonal(a, 5, 1, 2).shape() == Shape{2, 0});
}

TEST_CASE("linalg: batches of any rank, empty matrices, identities") {
  Tensor x = make(uniform(2 * 3 * 4 * 4, -1, 1, 3), Shape{2, 3, 4, 4}, DType::float64);
  x = ops::add(x, ops::multiply(ops::eye(4, std::nullopt, DType::float64), ops::scalar_like(x, 4.0)));
  Tensor eye = ops::broadcast_to(ops::eye(4, std::nullopt, DType::float64), x.shape());
  check_close(ops::matmul(x, ops::inv(x)), eye, 1e-12);
  check_close(ops::det(ops::inv(x)), ops::reciprocal(ops::det(x)), 1e-12);
  Tensor b = make(uniform(2 * 3 * 4 * 5, -1, 1, 4), Shape{2, 3, 4, 5}, DType::float64);
  check_close(ops::matmul(x, ops::solve(x, b)), b, 1e-12);
  Tensor spd = ops::add(ops::matmul(x, x, false, true), eye);
  Tensor l = ops::cholesky(spd);
  check_close(ops::matmul(l, l, false, true), spd, 1e-12);
  auto e = ops::eigh(spd);
  check_close(ops::matmul(ops::multiply(e.eigenvectors, ops::expand_dims(e.eigenvalues, -2)), e.eigenvectors, false, true),
              spd, 1e-11);
  // A large batch of small matrices runs on the pool; results do not depend on the thread count.
  Tensor many = make(uniform(500 * 9, -1, 1, 5), Shape{500, 3, 3}, DType::float64);
  core::set_num_threads(1);
  std::vector<double> one = values(ops::inv(many)), sv1 = values(ops::svd(many).s);
  core::set_num_threads(2);
  CHECK(values(ops::inv(many)) == one);
  CHECK(values(ops::svd(many).s) == sv1);
  // Empty matrices: det 1, inv empty, svd of a (0, 3) matrix has no singular values.
  CHECK(ops::det(ops::zeros({0, 0}, DType::float64)).item<double>() == 1.0);
  CHECK(ops::inv(ops::zeros({2, 0, 0})).shape() == Shape{2, 0, 0});
  CHECK(ops::svd(ops::zeros({0, 3})).s.shape() == Shape{0});
  CHECK(ops::qr(ops::zeros({3, 0}), "complete").q.shape() == Shape{3, 3});
  // A singular matrix: det 0, slogdet (0, -inf).
  Tensor sing = core::constant({{1.0, 2.0}, {2.0, 4.0}});
  CHECK(ops::det(sing).item<float>() == 0.0f);
  CHECK(ops::slogdet(sing).sign.item<float>() == 0.0f);
  CHECK(ops::slogdet(sing).logabsdet.item<float>() == -std::numeric_limits<float>::infinity());
}

TEST_CASE("linalg: bad input raises std::invalid_argument naming expected and received") {
  Tensor sq = core::constant({{2.0, 1.0}, {1.0, 3.0}}), rect = ops::ones({2, 3});
  CHECK(error_of([&] { ops::inv(rect); }) ==
        "inv: expected a to be a square matrix (or a batch of them: shape (..., M, M)), but "
        "received shape (2, 3)");
  CHECK(error_of([&] { ops::det(ops::ones({3})); }) ==
        "det: expected a to have rank >= 2, but received shape (3,)");
  CHECK(error_of([&] { ops::inv(core::constant({{1, 2}, {3, 4}})); }) ==
        "inv: expected a to have dtype float32 or float64, but received dtype int32 (shape (2, 2))");
  CHECK(error_of([&] { ops::solve(ops::ones({2, 2, 2}), ops::ones({3, 2, 1})); }) ==
        "solve: expected b to have shape (..., 2, K) with the batch axes of a (shape (2, 2, 2)), "
        "but received b of shape (3, 2, 1)");
  CHECK(error_of([&] { ops::solve(sq, ops::ones({2, 2}, DType::float64)); })
            .find("solve: expected both inputs to have the same dtype") == 0);
  Tensor sing = core::constant({{1.0, 2.0}, {2.0, 4.0}});
  CHECK(error_of([&] { ops::inv(sing); }) ==
        "inv: the input matrix is not invertible (singular: U[1, 1] of its LU factorization is "
        "exactly zero); received shape (2, 2)");
  CHECK(error_of([&] { ops::solve(ops::stack({sq, sing}), ops::ones({2, 2, 1})); }).find(
            "solve: the input matrix is not invertible") == 0);
  CHECK(error_of([&] { ops::solve(ops::stack({sq, sing}), ops::ones({2, 2, 1})); }).find("(batch matrix 1)") !=
        std::string::npos);
  CHECK(error_of([&] { ops::cholesky(core::constant({{1.0, 2.0}, {2.0, 1.0}})); }) ==
        "cholesky: the input matrix is not positive definite (its leading minor of order 2 is "
        "not positive); received shape (2, 2)");
  const double nan = std::numeric_limits<double>::quiet_NaN();
  CHECK(error_of([&] { ops::svd(core::constant({{1.0, nan}, {0.0, 1.0}})); }).find(
            "svd: the LAPACK algorithm did not converge") == 0);
  CHECK(error_of([&] { ops::cholesky(core::constant({{nan, 0.0}, {0.0, 1.0}})); }).find(
            "cholesky: the input matrix is not positive definite") == 0);
  CHECK(std::isnan(ops::det(core::constant({{nan, 0.0}, {0.0, 1.0}})).item<float>()));
  CHECK(error_of([&] { ops::qr(sq, "full"); }) ==
        "qr: expected mode to be one of {'reduced', 'complete'}, but received mode='full'");
  CHECK(error_of([&] { ops::norm(rect, "nuc", {0}); }) ==
        "norm: invalid ord for a vector norm: 'nuc' (expected a number)");
  CHECK(error_of([&] { ops::norm(rect, 3); }).find("norm: invalid ord for a matrix norm") == 0);
  CHECK(error_of([&] { ops::norm(ops::ones({2, 2, 2})); }).find("norm: expected axis to name 1 axis") == 0);
  CHECK(error_of([&] { ops::lstsq(ops::ones({2, 2, 2}), ops::ones({2})); }).find("lstsq: expected a of shape (M, N)") == 0);
  CHECK(error_of([&] { ops::diag(ops::ones({2, 2, 2})); }) ==
        "diag: expected x to be 1-d or 2-d, but received shape (2, 2, 2)");
  CHECK(error_of([&] { ops::trace(ops::ones({2, 2}), 0, 1, -1); }).find("trace: expected axis1 and axis2 to differ") == 0);
}
