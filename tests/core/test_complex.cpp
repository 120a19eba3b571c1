// test_complex.cpp - complex64/complex128 tensors (dtype, printing, npy, cast, the
// dispatch guard) and keras.ops real, imag, conj, angle, polar, view_as_complex,
// view_as_real, isreal and eig, against Keras 3 (tests/data/ops/make_complex_fixtures.py).
#include <algorithm>
#include <complex>
#include <filesystem>
#include <map>
#include <string>

#include "complex_fixture.h"
#include "core/dispatch.h"
#include "core/npy.h"
#include "ops_names.h"

using namespace th;
using cf = std::complex<float>;
using cd = std::complex<double>;

namespace {
Tensor z3() { return core::constant(std::vector<cf>{{1, 2}, {-3, -1}, {0, 0}}); }
}  // namespace

KERAS_OPS_NAME("real", (void)ops::real(z3()));
KERAS_OPS_NAME("imag", (void)ops::imag(z3()));
KERAS_OPS_NAME("conj", (void)ops::conj(z3()));
KERAS_OPS_NAME("conjugate", (void)ops::conjugate(z3()));
KERAS_OPS_NAME("angle", (void)ops::angle(z3()));
KERAS_OPS_NAME("polar", (void)ops::polar(ops::ones({2}), ops::zeros({2})));
KERAS_OPS_NAME("view_as_complex", (void)ops::view_as_complex(ops::ones({3, 2})));
KERAS_OPS_NAME("view_as_real", (void)ops::view_as_real(z3()));
KERAS_OPS_NAME("isreal", (void)ops::isreal(z3()));
KERAS_OPS_NAME("eig", (void)ops::eig(ops::ones({2, 2})));

TEST_CASE("complex dtypes: names, sizes, construction, printing") {
  CHECK(std::string(core::dtype_name(DType::complex64)) == "complex64");
  CHECK(core::dtype_from_name("complex128") == DType::complex128);
  CHECK(core::dtype_size(DType::complex64) == 8);
  CHECK(core::dtype_size(DType::complex128) == 16);
  Tensor z = z3();
  CHECK(z.dtype() == DType::complex64);
  CHECK(z.data<cf>()[1] == cf(-3, -1));
  CHECK(z.str() == "tf.Tensor([ 1.+2.j -3.-1.j  0.+0.j], shape=(3,), dtype=complex64)");
  CHECK(core::constant(std::vector<cd>{{1.5, -2}}, Shape{}).str() ==
        "tf.Tensor((1.5-2j), shape=(), dtype=complex128)");
  CHECK_THROWS_AS((void)core::constant(std::vector<cf>{{1, 2}}, Shape{}).item<double>(), core::ConversionError);
}

TEST_CASE("complex dtypes: cast, npy round trip, ops without a complex kernel raise") {
  Tensor z = z3();
  check_values(ops::cast(z, DType::float32), std::vector<double>{1, -3, 0});  // the real part
  Tensor back = ops::cast(ops::cast(core::constant({1.5, -2.0}), DType::complex128), DType::complex64);
  CHECK(back.data<cf>()[1] == cf(-2, 0));
  auto path = std::filesystem::temp_directory_path() / "keras_cpp_complex.npy";
  core::save_npy(path.string(), z);
  Tensor r = core::load_npy(path.string());
  std::filesystem::remove(path);
  REQUIRE(r.dtype() == DType::complex64);
  CHECK(r.data<cf>()[0] == cf(1, 2));
  // An op with no complex kernel names the op, the device and the dtype.
  for (auto f : {+[](const Tensor& x) { return ops::max(x); }, +[](const Tensor& x) { return ops::sqrt(x); },
                 +[](const Tensor& x) { return ops::transpose(x); }}) {
    try {
      (void)f(z);
      FAIL("expected an exception");
    } catch (const std::invalid_argument& e) {
      CHECK(std::string(e.what()).find("complex64") != std::string::npos);
    }
  }
  // Ops whose checks pass complex inputs reach dispatch's guard, never a float kernel.
  for (const std::string& msg : {error_of([&] { (void)ops::transpose(z); }),
                                 error_of([] { (void)ops::zeros({2}, DType::complex64); }),
                                 error_of([&] { (void)ops::concat({z, z}); })}) {
    CAPTURE(msg);
    CHECK(msg.find(": no kernel for device ") != std::string::npos);
    CHECK(msg.find("dtype complex64") != std::string::npos);
  }
  CHECK(ops::reshape(z, {3, 1}).shape() == Shape{3, 1});  // views work
}

TEST_CASE("complex elementwise ops match keras.ops") {
  Tensor z = fx("z"), w = fx("w");
  REQUIRE(z.dtype() == DType::complex64);
  check_complex(ops::add(z, w), fx("add_zw"), 1e-6);
  check_complex(ops::subtract(z, w), fx("sub_zw"), 1e-6);
  check_complex(ops::multiply(z, w), fx("mul_zw"), 1e-6);
  check_complex(ops::divide(z, w), fx("div_zw"), 1e-5);
  check_complex(ops::neg(z), fx("neg_z"), 1e-6);
  check_complex(ops::exp(z), fx("exp_z"), 1e-5);
  check_complex(ops::conj(z), fx("conj_z"), 1e-6);
  check_real(ops::abs(z), fx("abs_z"), 1e-6);
  check_real(ops::real(z), fx("real_z"), 0);
  check_real(ops::imag(z), fx("imag_z"), 0);
  check_real(ops::angle(z), fx("angle_z"), 1e-6);
  check_real(ops::abs(ops::cast(z, DType::complex128)), fx("abs_z128"), 1e-7);
  check_real(ops::angle(ops::cast(z, DType::complex128)), fx("angle_z128"), 1e-6);
  check_real(ops::cast(z, DType::float32), fx("cast_z_f32"), 0);
  Tensor isr = ops::isreal(z);
  CHECK(isr.dtype() == DType::bool_);
  check_values(isr, values(fx("isreal_z")));
  check_values(ops::equal(z, z), std::vector<int>{1, 1, 1, 1, 1, 1});
  check_values(ops::not_equal(z, ops::conj(z)), values(ops::logical_not(fx("isreal_z"))));
}

TEST_CASE("real, imag, angle of real tensors keep keras.ops's dtypes") {
  Tensor xf = fx("xf"), xi = fx("xi");
  check_real(ops::angle(xf), fx("angle_xf"), 1e-6);  // NaN and -0.0 give 0, as TF
  check_real(ops::real(xf), fx("real_xf"), 0);
  check_real(ops::imag(xf), fx("imag_xf"), 0);
  check_real(ops::angle(xi), fx("angle_xi"), 1e-6);
  check_real(ops::imag(xi), fx("imag_xi"), 0);
  CHECK(ops::conj(xi).dtype() == DType::int32);
  CHECK(ops::angle(ops::cast(xf, DType::float64)).dtype() == DType::float64);
  check_values(ops::isreal(xf), std::vector<int>{1, 1, 1, 1, 1});
}

TEST_CASE("polar, view_as_complex, view_as_real match keras.ops") {
  check_complex(ops::polar(fx("polar_abs"), fx("polar_angle")), fx("polar"), 1e-6);
  Tensor vc = fx("vc");
  Tensor c = ops::view_as_complex(vc);
  CHECK(c.dtype() == DType::complex64);  // Keras casts to complex64 whatever the input
  check_complex(c, fx("view_as_complex"), 1e-6);
  check_real(ops::view_as_real(fx("z")), fx("view_as_real_z"), 0);
  CHECK(ops::view_as_real(c).shape() == vc.shape());
}

TEST_CASE("complex ops reject bad input with the op's name") {
  CHECK(error_of([] { (void)ops::view_as_complex(ops::ones({3, 3})); }).find("view_as_complex: expected") == 0);
  CHECK(error_of([] { (void)ops::view_as_real(ops::ones({3})); }).find("view_as_real: expected") == 0);
  CHECK(error_of([] { (void)ops::polar(ops::ones({2}), ops::zeros({2}, DType::float64)); }).find("polar:") == 0);
  CHECK(error_of([] { (void)ops::complex(ops::ones({2}), ops::zeros({2}, DType::int32)); }).find("complex:") == 0);
  CHECK(ops::angle(ops::cast(ops::ones({2}), DType::bool_)).dtype() == DType::float32);  // as Keras
  CHECK(error_of([] { (void)ops::add(z3(), ops::ones({3})); }).find("add") == 0);
}

TEST_CASE("eig matches keras.ops (eigenvalues as a set; A v = lambda v)") {
  for (auto [a_name, vals_name, tol] : {std::tuple{"eig_a", "eig_vals", 1e-10},
                                        std::tuple{"eig_ab", "eig_b_vals", 2e-5}}) {
    Tensor a = fx(a_name);
    auto [ev, vec] = ops::eig(a);
    CHECK(ev.dtype() == core::complex_dtype_of(a.dtype()));
    REQUIRE(ev.shape() == fx(vals_name).shape());
    std::vector<cd> got = complex_values(ev), want = complex_values(fx(vals_name));
    const int64_t n = a.shape()[a.rank() - 1], batch = a.size() / (n * n);
    auto by_parts = [](cd x, cd y) { return std::pair(x.real(), x.imag()) < std::pair(y.real(), y.imag()); };
    for (int64_t b = 0; b < batch; ++b) {
      std::sort(got.begin() + b * n, got.begin() + (b + 1) * n, by_parts);
      std::sort(want.begin() + b * n, want.begin() + (b + 1) * n, by_parts);
    }
    for (size_t i = 0; i < got.size(); ++i) CHECK(std::abs(got[i] - want[i]) <= tol * 10);
    // Every column is a unit eigenvector.
    std::vector<double> av = values(a);
    std::vector<cd> v = complex_values(vec), e = complex_values(ev);
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t j = 0; j < n; ++j) {
        double norm = 0;
        for (int64_t r = 0; r < n; ++r) {
          cd s = 0;
          for (int64_t k = 0; k < n; ++k) s += av[size_t(b * n * n + r * n + k)] * v[size_t(b * n * n + k * n + j)];
          CHECK(std::abs(s - e[size_t(b * n + j)] * v[size_t(b * n * n + r * n + j)]) <= tol * 100);
          norm += std::norm(v[size_t(b * n * n + r * n + j)]);
        }
        CHECK(std::fabs(norm - 1) <= tol * 10);
      }
  }
  CHECK(error_of([] { (void)ops::eig(ops::ones({2, 3})); }).find("eig: expected square") == 0);
  CHECK(error_of([] { (void)ops::eig(ops::ones({2, 2}, DType::int32)); }).find("eig: expected a") == 0);
  CHECK(ops::eig(ops::zeros({0, 0})).eigenvalues.shape() == Shape{0});
}

// matmul of complex tensors (tf.matmul's: the transposes do not conjugate) against its
// definition through real products: (Ar + i Ai)(Br + i Bi) = (Ar Br - Ai Bi) + i (Ar Bi + Ai Br).
TEST_CASE("complex matmul: cgemm/zgemm against real products, transposes, batches, vectors, empty") {
  struct M {
    Shape a, b;
    bool ta, tb;
  };
  for (DType part : {DType::float32, DType::float64})
    for (const M& m : {M{{3, 4}, {4, 5}, false, false}, M{{4, 3}, {5, 4}, true, true}, M{{4, 3}, {4, 2}, true, false},
                       M{{2, 1, 3, 4}, {1, 3, 4, 2}, false, false}, M{{2, 3, 4}, {4, 5}, false, false},
                       M{{3, 0}, {0, 2}, false, false}}) {
      CAPTURE(m.a.str());
      const Tensor ar = make(uniform(m.a.num_elements(), -2, 2, 1), m.a, part);
      const Tensor ai = make(uniform(m.a.num_elements(), -2, 2, 2), m.a, part);
      const Tensor br = make(uniform(m.b.num_elements(), -2, 2, 3), m.b, part);
      const Tensor bi = make(uniform(m.b.num_elements(), -2, 2, 4), m.b, part);
      auto mm = [&](const Tensor& x, const Tensor& y) { return ops::matmul(x, y, m.ta, m.tb); };
      const Tensor z = mm(ops::complex(ar, ai), ops::complex(br, bi));
      CHECK(z.dtype() == (part == DType::float32 ? DType::complex64 : DType::complex128));
      const double tol = part == DType::float32 ? 1e-5 : 1e-12;
      check_values(ops::real(z), values(ops::subtract(mm(ar, br), mm(ai, bi))), tol);
      check_values(ops::imag(z), values(ops::add(mm(ar, bi), mm(ai, br))), tol);
    }
  const Tensor v = core::constant(std::vector<cf>{{1, 1}, {0, 2}});
  const Tensor w = ops::matmul(v, v);  // vectors: (1 + i)^2 + (2i)^2 = 2i - 4
  CHECK(w.shape() == Shape{});
  CHECK(w.data<cf>()[0] == cf(-4, 2));
  CHECK_THROWS_MSG(ops::matmul(ops::reshape(v, {1, 2}), ops::ones({2, 1})), std::invalid_argument,
                   "same dtype");
  CHECK_THROWS_MSG(ops::matmul(ops::reshape(v, {1, 2}), ops::reshape(v, {1, 2})), std::invalid_argument,
                   "to equal axis -2 of b");
}

// sum, mean and prod of complex tensors (tf.reduce_sum / reduce_mean / reduce_prod).
TEST_CASE("complex reductions: sum, mean and prod over axes, against their definitions") {
  const Shape s{2, 3, 4};
  for (DType part : {DType::float32, DType::float64}) {
    const Tensor re = make(uniform(24, -2, 2, 5), s, part), im = make(uniform(24, -2, 2, 6), s, part);
    const Tensor z = ops::complex(re, im);
    const double tol = part == DType::float32 ? 1e-5 : 1e-12;
    for (const ops::Axes& axes : {ops::Axes{}, ops::Axes{1}, ops::Axes{0, 2}, ops::Axes{-1}}) {
      CAPTURE(axes.size());
      for (bool keep : {false, true}) {
        check_values(ops::real(ops::sum(z, axes, keep)), values(ops::sum(re, axes, keep)), tol);
        check_values(ops::imag(ops::mean(z, axes, keep)), values(ops::mean(im, axes, keep)), tol);
        CHECK(ops::prod(z, axes, keep).shape() == ops::sum(re, axes, keep).shape());
      }
    }
    // prod along the last axis, against a product in std::complex<double>.
    const Tensor p = ops::cast(ops::prod(z, {-1}), DType::complex128);
    const auto vr = values(re), vi = values(im);
    for (int64_t row = 0; row < 6; ++row) {
      cd acc(1, 0);
      for (int64_t k = 0; k < 4; ++k) acc *= cd(vr[size_t(row * 4 + k)], vi[size_t(row * 4 + k)]);
      const cd got = p.data<cd>()[row];
      CHECK(std::abs(got - acc) <= tol * std::max(1.0, std::abs(acc)));
    }
  }
  const Tensor e = ops::complex(ops::zeros({3, 0}), ops::zeros({3, 0}));
  CHECK(ops::sum(e, {1}).data<cf>()[0] == cf(0, 0));
  CHECK(ops::prod(e, {1}).data<cf>()[0] == cf(1, 0));
  CHECK(std::isnan(ops::mean(e, {1}).data<cf>()[0].real()));
  CHECK_THROWS_MSG(ops::max(z3()), std::invalid_argument, "complex64");
}

TEST_CASE("complex matmul and reductions match keras.ops") {
  const Tensor a = fx("mm_a"), b = fx("mm_b");
  check_complex(ops::matmul(a, b), fx("matmul_ab"), 1e-5);  // a batch of 2 against one matrix
  check_complex(ops::sum(a, {1}), fx("sum_a_1"), 1e-6);
  check_complex(ops::sum(a), fx("sum_a_all"), 1e-6);
  check_complex(ops::mean(a, {0, 2}), fx("mean_a_02"), 1e-6);
  check_complex(ops::mean(a, {-1}, true), fx("mean_a_keep"), 1e-6);
  check_complex(ops::prod(a, {2}), fx("prod_a_2"), 1e-5);
  // (complex128: keras.ops returns complex64 there, its result_type's rule; the engine
  // keeps complex128 as tf.matmul and tf.reduce_prod do: the test above checks those.)
  CHECK(ops::matmul(ops::cast(a, DType::complex128), ops::cast(b, DType::complex128)).dtype() == DType::complex128);
}

// A graph file may carry any attrs.dtype on any node: a complex one on an add of float
// tensors leaves the float kernel in charge, and the complex kernels refuse inputs that
// are not complex (a hostile file once ran the complex128 add over float32 buffers).
TEST_CASE("complex (and string) kernels run only on complex (string) inputs") {
  core::Attrs odd;
  odd.dtype = DType::complex128;
  const Tensor a = ops::ones({2, 2}), b = ops::ones({2});
  const Tensor s = core::dispatch(core::OpId::Add, {a, b}, odd);
  CHECK(s.dtype() == DType::float32);
  CHECK(values(s) == std::vector<double>(4, 2.0));
  const Tensor z = ops::complex(ops::ones({2}), ops::zeros({2}));
  CHECK_THROWS_MSG(core::dispatch(core::OpId::Equal, {z, ops::ones({2})}, core::Attrs{}), std::invalid_argument, "float32");
  CHECK_THROWS_AS(core::dispatch(core::OpId::Add, {z, ops::ones({2})}, core::Attrs{}), std::invalid_argument);
  core::Attrs text;  // the same for a string attrs.dtype
  text.dtype = DType::string;
  const Tensor e = core::dispatch(core::OpId::Equal, {a, b}, text);
  CHECK(e.dtype() == DType::bool_);
  CHECK(ops::all(e).item<bool>());
}
