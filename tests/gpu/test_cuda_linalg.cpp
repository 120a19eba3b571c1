// The CUDA kernels of the linear-algebra ops (cuSOLVER and cuBLAS, gpu/linalg_*.cu)
// against the CPU ones (LAPACK): a table of cases, each run on CPU inputs and on their
// copies on GPU:0 (cuda_cases.h), with tolerances suited to each decomposition. Where a
// factor is unique only up to signs (QR's rows of R, singular vectors, eigenvectors),
// a case compares what does not depend on them: the reconstruction, Q^T Q, |R|,
// U^T A V (the singular values on a diagonal), V^T A V; eig's eigenvalues are compared
// sorted, its eigenvectors through |A v - lambda v| and their norms. Errors (singular matrices, not
// positive definite ones) must be identical. Without a GPU the comparisons report
// skipped; the CPU side of every case and `supports()` are checked everywhere.
#include <algorithm>
#include <cmath>
#include <complex>
#include <limits>
#include <string>
#include <vector>

#include "core/autodiff.h"
#include "core/cuda_backend.h"
#include "core/kernel_support.h"
#include "core/linalg.h"
#include "core/ops_complex.h"
#include "cuda_cases.h"
#include "helpers.h"
#include "skips.h"

using namespace th;
using core::Device;
using namespace cuda_cases;

namespace {
const double nan = std::numeric_limits<double>::quiet_NaN();

// A case with its normwise tolerances: |cpu - gpu| <= tol * max(1, max |cpu|) per output.
struct LinalgCase {
  std::string name;
  Fn fn;
  std::vector<Tensor> inputs;
  double tol32 = 1e-4, tol64 = 1e-10;
};

Tensor mT(const Tensor& x) {
  ops::Axes perm;
  for (int64_t i = 0; i < x.rank(); ++i) perm.push_back(i);
  std::swap(perm[perm.size() - 1], perm[perm.size() - 2]);
  return ops::transpose(x, perm);
}

Tensor random(const Shape& s, DType dt, uint32_t seed) { return make(uniform(s.num_elements(), -2, 2, seed), s, dt); }

// Well conditioned: random plus n on the diagonal.
Tensor dominant(const Shape& s, DType dt, uint32_t seed) {
  const int64_t n = s[s.rank() - 1];
  const Tensor x = random(s, dt, seed);
  return ops::add(x, ops::multiply(ops::eye(n, n, dt), ops::scalar_like(x, double(n))));
}

// Symmetric positive definite: x x^T + n I.
Tensor spd(const Shape& s, DType dt, uint32_t seed) {
  const Tensor x = random(s, dt, seed);
  const int64_t n = s[s.rank() - 1];
  return ops::add(ops::matmul(x, x, false, true), ops::multiply(ops::eye(n, n, dt), ops::scalar_like(x, double(n))));
}

Tensor symmetric(const Shape& s, DType dt, uint32_t seed) {
  const Tensor x = random(s, dt, seed);
  return ops::add(x, mT(x));
}

// The 4x4 Hilbert matrix (condition number about 1.6e4).
Tensor hilbert(DType dt) {
  std::vector<double> v;
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) v.push_back(1.0 / (i + j + 1));
  return make(v, Shape{4, 4}, dt);
}

// Values above the diagonal only (the op must not read them), zeros elsewhere.
Tensor strictly_upper(int64_t n, DType dt, uint32_t seed) {
  std::vector<double> v = uniform(n * n, 1, 9, seed);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j <= i; ++j) v[size_t(i * n + j)] = 0;
  return make(v, Shape{n, n}, dt);
}

// The sign-free views of the decompositions.
std::vector<Tensor> qr_views(const Tensor& a, const std::string& mode) {
  const auto [q, r] = ops::qr(a, mode);
  return {ops::matmul(q, r), ops::matmul(q, q, true, false), ops::abs(r)};
}
std::vector<Tensor> svd_views(const Tensor& a, bool full) {
  const auto d = ops::svd(a, full, true);
  return {d.s, ops::matmul(ops::matmul(d.u, a, true, false), d.vh, false, true), ops::matmul(d.u, d.u, true, false),
          ops::matmul(d.vh, d.vh, false, true)};
}
std::vector<Tensor> eigh_views(const Tensor& a) {
  const auto [w, v] = ops::eigh(a);
  return {w, ops::matmul(ops::matmul(v, a, true, false), v), ops::matmul(v, v, true, false)};
}

// eig's views, computed on the host: the eigenvalues sorted by (real, imaginary) part,
// max |A v - lambda v| and the norm of each column, and the outputs' dtype codes; placed
// back on the input's device.
std::vector<Tensor> eig_views(const Tensor& a) {
  using cd = std::complex<double>;
  const auto [ev, vec] = ops::eig(a);
  const auto e = values(ops::view_as_real(ev.cpu())), v = values(ops::view_as_real(vec.cpu())), av = values(a.cpu());
  const int64_t n = a.shape()[a.rank() - 1], batch = n == 0 ? 0 : a.size() / (n * n);
  std::vector<double> sorted, residual, norms;
  for (int64_t b = 0; b < batch; ++b) {
    std::vector<cd> w;
    auto z = [&](int64_t r, int64_t j) {
      const size_t i = size_t(2 * (b * n * n + r * n + j));
      return cd(v[i], v[i + 1]);
    };
    for (int64_t j = 0; j < n; ++j) w.emplace_back(e[size_t(2 * (b * n + j))], e[size_t(2 * (b * n + j) + 1)]);
    for (int64_t j = 0; j < n; ++j) {
      double worst = 0, norm = 0;
      for (int64_t r = 0; r < n; ++r) {
        cd s = 0;
        for (int64_t k = 0; k < n; ++k) s += av[size_t(b * n * n + r * n + k)] * z(k, j);
        worst = std::max(worst, std::abs(s - w[size_t(j)] * z(r, j)));
        norm += std::norm(z(r, j));
      }
      residual.push_back(worst);
      norms.push_back(std::sqrt(norm));
    }
    std::sort(w.begin(), w.end(),
              [](cd x, cd y) { return std::pair(x.real(), x.imag()) < std::pair(y.real(), y.imag()); });
    for (cd x : w) sorted.insert(sorted.end(), {x.real(), x.imag()});
  }
  const DType dt = a.dtype();
  return {make(sorted, Shape{batch, n, 2}, dt).to(a.device()), make(residual, Shape{batch, n}, dt).to(a.device()),
          make(norms, Shape{batch, n}, dt).to(a.device()),
          make({double(int(ev.dtype())), double(int(vec.dtype()))}, Shape{2}, dt).to(a.device())};
}

std::vector<LinalgCase> solve_cases() {
  std::vector<LinalgCase> cs;
  for (DType dt : {DType::float32, DType::float64}) {
    const std::string d = std::string(" ") + core::dtype_name(dt);
    const Tensor m1 = make({-3}, Shape{1, 1}, dt), sing = make({1, 2, 2, 4}, Shape{2, 2}, dt);
    cs.push_back({"cholesky batch, 1x1, empty" + d, [](auto& x) {
                    return std::vector{ops::cholesky(x[0]), ops::cholesky(x[1]), ops::cholesky(x[2]),
                                       ops::cholesky(x[3]), ops::cholesky(x[0], true)};
                  }, {spd({2, 3, 5, 5}, dt, 1), make({4}, Shape{1, 1}, dt), ops::zeros({0, 3, 3}, dt),
                      ops::zeros({2, 0, 0}, dt)}});
    cs.push_back({"cholesky of many small matrices (one potrfBatched call)" + d, [](auto& x) {
                    return std::vector{ops::cholesky(x[0])};
                  }, {spd({100, 4, 4}, dt, 9)}});
    cs.push_back({"cholesky reads the lower triangle only" + d, [](auto& x) {
                    return std::vector{ops::cholesky(ops::add(x[0], ops::multiply(x[1], ops::scalar_like(x[1], 7.0))))};
                  }, {spd({4, 4}, dt, 2), make({0, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0, nan, 0, 0, 0, 0}, Shape{4, 4}, dt)}});
    cs.push_back({"cholesky not positive definite (same error)" + d,
                  [](auto& x) { return std::vector{ops::cholesky(x[0])}; }, {make({1, 2, 2, 1}, Shape{2, 2}, dt)}});
    cs.push_back({"cholesky not positive definite in batch matrix 2 (same error)" + d,
                  [](auto& x) { return std::vector{ops::cholesky(x[0])}; },
                  {make({4, 0, 0, 4, 1, 0, 0, 1, 1, 0, 0, -1}, Shape{3, 2, 2}, dt)}});
    cs.push_back({"cholesky of a matrix holding NaN (same error)" + d,
                  [](auto& x) { return std::vector{ops::cholesky(x[0])}; },
                  {make({4, 1, 0, 1, 4, 0, nan, 0, 4}, Shape{3, 3}, dt)}});
    cs.push_back({"cholesky of a batch whose second matrix holds NaN (same error)" + d,
                  [](auto& x) { return std::vector{ops::cholesky(x[0])}; },
                  {make({4, 0, 0, 0, 4, 0, 0, 0, 4, 4, 1, 0, 1, 4, 0, nan, 0, 4}, Shape{2, 3, 3}, dt)}});
    cs.push_back({"lu_factor batch, 1x1, singular (a zero row, a zero column, zeros), empty" + d, [](auto& x) {
                    std::vector<Tensor> r;
                    for (const Tensor& t : x) {
                      const auto f = ops::lu_factor(t);
                      r.push_back(f.lu);
                      r.push_back(f.pivots);
                    }
                    return r;
                  }, {random({2, 6, 6}, dt, 3), m1, sing, make({0, 0, 0, 1, 2, 3, 4, 5, 7}, Shape{3, 3}, dt),
                      make({0, 1, 2, 0, 3, 4, 0, 5, 7}, Shape{3, 3}, dt), ops::zeros({2, 2}, dt),
                      ops::zeros({0, 0}, dt), ops::zeros({3, 0, 0}, dt)}});
    cs.push_back({"det and slogdet: batch, negative, singular, empty" + d, [](auto& x) {
                    std::vector<Tensor> r;
                    for (const Tensor& t : x) {
                      const auto s = ops::slogdet(t);
                      r.insert(r.end(), {ops::det(t), s.sign, s.logabsdet});
                    }
                    return r;
                  }, {random({3, 5, 5}, dt, 4), m1, sing, ops::zeros({3, 3}, dt), ops::zeros({2, 0, 0}, dt),
                      ops::zeros({0, 4, 4}, dt)}, 1e-4, 1e-10});
    cs.push_back({"inv batch, 1x1, empty" + d, [](auto& x) {
                    return std::vector{ops::inv(x[0]), ops::inv(x[1]), ops::inv(x[2])};
                  }, {dominant({2, 3, 6, 6}, dt, 5), m1, ops::zeros({0, 2, 2}, dt)}});
    cs.push_back({"inv ill-conditioned (Hilbert 4x4)" + d, [](auto& x) { return std::vector{ops::inv(x[0])}; },
                  {hilbert(dt)}, 5e-2, 1e-8});
    cs.push_back({"inv singular (same error)" + d, [](auto& x) { return std::vector{ops::inv(x[0])}; }, {sing}});
    cs.push_back({"inv singular in batch matrix 1 (same error)" + d,
                  [](auto& x) { return std::vector{ops::inv(x[0])}; },
                  {make({2, 0, 0, 2, 1, 1, 1, 1}, Shape{2, 2, 2}, dt)}});
    cs.push_back({"solve batch, vector right-hand side, no columns" + d, [](auto& x) {
                    return std::vector{ops::solve(x[0], x[1]), ops::solve(x[2], x[3]), ops::solve(x[2], x[4])};
                  }, {dominant({2, 5, 5}, dt, 6), random({2, 5, 3}, dt, 7), dominant({4, 4}, dt, 8),
                      random({4}, dt, 9), ops::zeros({4, 0}, dt)}});
    cs.push_back({"solve singular (same error)" + d, [](auto& x) { return std::vector{ops::solve(x[0], x[1])}; },
                  {sing, random({2, 3}, dt, 10)}});
    cs.push_back({"solve_triangular lower and upper, batch, 1x1" + d, [](auto& x) {
                    return std::vector{ops::solve_triangular(x[0], x[1], true),
                                       ops::solve_triangular(x[0], x[1], false),
                                       ops::solve_triangular(x[2], x[3], true)};
                  }, {dominant({2, 5, 5}, dt, 11), random({2, 5, 3}, dt, 12), m1, random({1, 2}, dt, 13)}});
    cs.push_back({"solve_triangular of many small systems (one trsmBatched call)" + d, [](auto& x) {
                    return std::vector{ops::solve_triangular(x[0], x[1], true), ops::solve_triangular(x[0], x[1], false)};
                  }, {dominant({64, 4, 4}, dt, 14), random({64, 4, 2}, dt, 15)}});
    // No singularity check (TensorFlow's rule): a zero on the diagonal's last place
    // makes the last row infinite, the others finite.
    cs.push_back({"solve_triangular with a zero on the diagonal" + d, [](auto& x) {
                    return std::vector{ops::solve_triangular(x[0], x[1], true)};
                  }, {make({2, 0, 0, 1, 3, 0, 1, 1, 0}, Shape{3, 3}, dt), make({1, 2, 3, 4, 5, 6}, Shape{3, 2}, dt)}});
  }
  return cs;
}

std::vector<LinalgCase> decomposition_cases() {
  std::vector<LinalgCase> cs;
  for (DType dt : {DType::float32, DType::float64}) {
    const std::string d = std::string(" ") + core::dtype_name(dt);
    for (const char* mode : {"reduced", "complete"})
      cs.push_back({std::string("qr ") + mode + ": tall, wide, batch, 1x1, empty" + d, [mode](auto& x) {
                      std::vector<Tensor> r;
                      for (const Tensor& t : x)
                        for (const Tensor& v : qr_views(t, mode)) r.push_back(v);
                      return r;
                    }, {random({7, 4}, dt, 20), random({3, 6}, dt, 21), random({2, 3, 5, 5}, dt, 22),
                        make({-2}, Shape{1, 1}, dt), ops::zeros({0, 3}, dt), ops::zeros({3, 0}, dt),
                        ops::zeros({2, 0, 0}, dt)}});
    for (bool full : {true, false})
      cs.push_back({std::string("svd full_matrices=") + (full ? "true" : "false") +
                        ": tall, wide, batch, rank-deficient, 1x1, empty" + d,
                    [full](auto& x) {
                      std::vector<Tensor> r;
                      for (const Tensor& t : x)
                        for (const Tensor& v : svd_views(t, full)) r.push_back(v);
                      return r;
                    }, {random({7, 4}, dt, 23), random({3, 6}, dt, 24), random({2, 3, 5, 5}, dt, 25),
                        make({1, 2, 3, 2, 4, 6, -1, -2, -3, 0, 0, 0}, Shape{4, 3}, dt), make({-2}, Shape{1, 1}, dt),
                        ops::zeros({0, 3}, dt), ops::zeros({3, 0}, dt), ops::zeros({2, 0, 0}, dt)}});
    cs.push_back({"svd compute_uv=false, ill-conditioned" + d, [](auto& x) {
                    return std::vector{ops::svd(x[0], true, false).s, ops::svd(x[1], false, false).s,
                                       ops::svd(x[2], true, false).s};
                  }, {random({2, 6, 4}, dt, 26), hilbert(dt), ops::zeros({0, 2}, dt)}});
    cs.push_back({"eigh batch, repeated eigenvalues, 1x1, empty" + d, [](auto& x) {
                    std::vector<Tensor> r;
                    for (const Tensor& t : x)
                      for (const Tensor& v : eigh_views(t)) r.push_back(v);
                    return r;
                  }, {symmetric({2, 3, 6, 6}, dt, 27), make({2, 0, 0, 0, 2, 0, 0, 0, 5}, Shape{3, 3}, dt),
                      make({-3}, Shape{1, 1}, dt), ops::zeros({0, 0}, dt), ops::zeros({2, 0, 0}, dt)}});
    cs.push_back({"eigh reads the lower triangle only" + d, [](auto& x) {
                    const auto [w, v] = ops::eigh(ops::add(x[0], x[1]));
                    return std::vector{w, ops::matmul(ops::matmul(v, x[0], true, false), v)};
                  }, {symmetric({5, 5}, dt, 28), strictly_upper(5, dt, 29)}});
    cs.push_back({"eig batch, complex pairs, 1x1, triangular, empty" + d, [](auto& x) {
                    std::vector<Tensor> r;
                    for (const Tensor& t : x)
                      for (const Tensor& v : eig_views(t)) r.push_back(v);
                    return r;
                  }, {random({2, 5, 5}, dt, 35), make({0, -1, 1, 0}, Shape{2, 2}, dt), make({-3}, Shape{1, 1}, dt),
                      make({1, 2, 3, 0, 4, 5, 0, 0, -6}, Shape{3, 3}, dt), ops::zeros({0, 0}, dt),
                      ops::zeros({2, 0, 0}, dt)}, 1e-4, 1e-10});
  }
  return cs;
}

// Gradients through every differentiable op, with losses that do not depend on the
// decompositions' signs.
std::vector<LinalgCase> gradient_cases() {
  std::vector<LinalgCase> cs;
  for (DType dt : {DType::float32, DType::float64}) {
    const std::string d = std::string(" ") + core::dtype_name(dt);
    cs.push_back({"gradients of inv, det, slogdet, solve, solve_triangular" + d, [](auto& x) {
                    core::GradientTape tape;
                    tape.watch(x[0]);
                    tape.watch(x[1]);
                    const Tensor l = ops::add(
                        ops::add(ops::sum(ops::inv(x[0])), ops::sum(ops::det(x[0]))),
                        ops::add(ops::add(ops::sum(ops::slogdet(x[0]).logabsdet), ops::sum(ops::solve(x[0], x[1]))),
                                 ops::sum(ops::solve_triangular(x[0], x[1], true))));
                    return tape.gradient(l, {x[0], x[1]});
                  }, {dominant({2, 4, 4}, dt, 30), random({2, 4, 3}, dt, 31)}, 1e-3, 1e-9});
    cs.push_back({"gradients of cholesky, qr, svd, eigh" + d, [](auto& x) {
                    core::GradientTape tape;
                    tape.watch(x[0]);
                    tape.watch(x[1]);
                    tape.watch(x[2]);
                    const auto [q, r] = ops::qr(x[1]);
                    const Tensor l = ops::add(
                        ops::add(ops::sum(ops::cholesky(x[0])), ops::sum(ops::square(r))),
                        ops::add(ops::sum(ops::svd(x[1], false, true).s),
                                 ops::sum(ops::square(ops::eigh(x[2]).eigenvalues))));
                    return tape.gradient(l, {x[0], x[1], x[2]});
                  }, {spd({2, 4, 4}, dt, 32), random({5, 3}, dt, 33), symmetric({4, 4}, dt, 34)}, 1e-3, 1e-9});
  }
  return cs;
}

std::vector<LinalgCase> all_cases() {
  std::vector<LinalgCase> all = solve_cases();
  for (auto* f : {decomposition_cases, gradient_cases})
    for (LinalgCase& c : f()) all.push_back(std::move(c));
  return all;
}

void compare_within(const Tensor& cpu, const Tensor& gpu, double tol) {
  CHECK(gpu.device() == Device::cuda(0));
  CHECK(gpu.dtype() == cpu.dtype());
  CHECK(gpu.shape() == cpu.shape());
  if (gpu.dtype() != cpu.dtype() || gpu.shape() != cpu.shape()) return;
  const auto a = values(cpu), b = values(gpu.cpu());
  double scale = 1.0;
  for (double v : a)
    if (std::isfinite(v)) scale = std::max(scale, std::fabs(v));
  if (!core::is_floating(cpu.dtype())) tol = 0.0;  // pivots: exactly
  for (size_t i = 0; i < a.size(); ++i) {
    CAPTURE(i);
    if (std::isnan(a[i])) CHECK(std::isnan(b[i]));
    else if (std::isinf(a[i])) CHECK(a[i] == b[i]);
    else CHECK(std::fabs(a[i] - b[i]) <= tol * scale);
  }
}

void run_linalg_case(const LinalgCase& c) {
  run_on_both(c.name, c.fn, c.inputs, [&c](const Tensor& cpu, const Tensor& gpu) {
    compare_within(cpu, gpu, cpu.dtype() == DType::float32 ? c.tol32 : c.tol64);
  });
}

const char* const kOps[] = {"cholesky", "lu_factor", "det", "slogdet", "inv", "solve", "solve_triangular",
                            "qr", "svd", "eigh"};
}  // namespace

TEST_CASE("supports: the linear-algebra kernels on CUDA") {
  const bool cuda = core::cuda::built_with_cuda();
  for (const char* op : kOps) {
    CAPTURE(op);
    CHECK(core::supports(op, Device::cuda(0), DType::float32) == cuda);
    CHECK(core::supports(op, Device::cuda(0), DType::float64) == cuda);
    CHECK_FALSE(core::supports(op, Device::cuda(0), DType::int32));
    CHECK_FALSE(core::supports(op, Device::cuda(0), DType::float16));
  }
  CHECK(core::supports("eig", Device::cuda(0), DType::float32) == cuda);  // the input's dtype; complex outputs
  CHECK(core::supports("eig", Device::cuda(0), DType::float64) == cuda);
  CHECK_FALSE(core::supports("eig", Device::cuda(0), DType::int32));
}

TEST_CASE("cuda linalg: the table itself: every case runs on the CPU, and the error cases raise there") {
  std::vector<Case> all;
  for (const LinalgCase& c : all_cases()) all.push_back({c.name, c.fn, c.inputs});
  CHECK(run_table_on_cpu(all) == 14);
  MESSAGE(all.size() << " CPU/CUDA linear-algebra cases");
}

TEST_CASE("cuda linalg: the views the comparison uses are sign-free and hold the decompositions' values") {
  // What the GPU comparison relies on: a valid decomposition with other signs has the
  // same views (checked on the CPU by flipping columns of u / v and rows of vh / r).
  const Tensor a = random({5, 3}, DType::float64, 40);
  const auto d = ops::svd(a, false, true);
  const Tensor flip = make({-1, 1, -1}, Shape{3}, DType::float64);
  const Tensor u2 = ops::multiply(d.u, flip), vh2 = ops::multiply(d.vh, ops::expand_dims(flip, -1));
  const Tensor sigma = ops::matmul(ops::matmul(d.u, a, true, false), d.vh, false, true);
  const Tensor sigma2 = ops::matmul(ops::matmul(u2, a, true, false), vh2, false, true);
  CHECK(ops::all(ops::less(ops::abs(ops::subtract(sigma, sigma2)), ops::scalar_like(a, 1e-12)))
            .item<bool>());
  // ... and they are what the comparison expects: u^T a vh^T = diag(s), v^T a v = diag(w).
  auto near = [&](const Tensor& x, const Tensor& y) {
    return ops::all(ops::less(ops::abs(ops::subtract(x, y)), ops::scalar_like(x, 1e-12))).item<bool>();
  };
  CHECK(near(sigma, ops::multiply(ops::expand_dims(d.s, -1), ops::eye(3, 3, DType::float64))));
  const Tensor sym = symmetric({4, 4}, DType::float64, 41);
  const auto [w, v] = ops::eigh(ops::add(sym, strictly_upper(4, DType::float64, 42)));
  CHECK(near(ops::matmul(ops::matmul(v, sym, true, false), v),
             ops::multiply(ops::expand_dims(w, -1), ops::eye(4, 4, DType::float64))));
  const auto ev = eig_views(random({2, 5, 5}, DType::float64, 43));
  CHECK(ops::all(ops::less(ev[1], ops::scalar_like(ev[1], 1e-12))).item<bool>());
  CHECK(near(ev[2], ops::ones_like(ev[2])));
  CHECK(values(ev[3]) == std::vector<double>{double(int(DType::complex128)), double(int(DType::complex128))});
  const auto [q, r] = ops::qr(a);
  const Tensor q2 = ops::multiply(q, flip), r2 = ops::multiply(r, ops::expand_dims(flip, -1));
  CHECK(ops::all(ops::less(ops::abs(ops::subtract(ops::matmul(q, r), ops::matmul(q2, r2))),
                           ops::scalar_like(a, 1e-12)))
            .item<bool>());
}

TEST_CASE("cuda linalg: cholesky, lu_factor, det, inv, solve and solve_triangular equal the CPU" *
          doctest::skip(no_gpu())) {
  for (const LinalgCase& c : solve_cases()) run_linalg_case(c);
}

TEST_CASE("cuda linalg: qr, svd, eigh and eig equal the CPU up to the factors' signs and order" *
          doctest::skip(no_gpu())) {
  for (const LinalgCase& c : decomposition_cases()) run_linalg_case(c);
}

TEST_CASE("cuda linalg: gradients equal the CPU's" * doctest::skip(no_gpu())) {
  for (const LinalgCase& c : gradient_cases()) run_linalg_case(c);
}
