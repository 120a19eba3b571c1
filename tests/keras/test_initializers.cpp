// test_initializers.cpp - keras::initializers: shapes and dtypes, sample statistics of
// 100k draws against Keras's formulas, truncation bounds, seeds, Orthogonal's QR,
// Identity, get()/serialize()/deserialize() and errors.
#include <algorithm>
#include <cmath>
#include <string>

#include "helpers.h"
#include "keras/initializers.h"

using namespace th;
namespace init = keras::initializers;

namespace {
struct Stats {
  double mean, std, min, max;
};
Stats stats(const Tensor& t) {
  std::vector<double> v = values(t);
  double m = 0;
  for (double x : v) m += x;
  m /= double(v.size());
  double var = 0;
  for (double x : v) var += (x - m) * (x - m);
  var /= double(v.size());
  auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  return {m, std::sqrt(var), *lo, *hi};
}

bool same_values(const Tensor& a, const Tensor& b) { return values(a) == values(b); }

// Every built-in class, configured away from its defaults where it has arguments.
std::vector<init::InitializerPtr> every_class() {
  return {std::make_shared<init::Zeros>(),
          std::make_shared<init::Ones>(),
          std::make_shared<init::Constant>(0.25),
          std::make_shared<init::Identity>(3.0),
          std::make_shared<init::RandomNormal>(init::RandomNormalOptions{.mean = 1, .stddev = 2, .seed = 3}),
          std::make_shared<init::RandomUniform>(init::RandomUniformOptions{.minval = -1, .maxval = 2, .seed = 4}),
          std::make_shared<init::TruncatedNormal>(init::TruncatedNormalOptions{.mean = 0.5, .stddev = 0.1}),
          std::make_shared<init::VarianceScaling>(init::VarianceScalingOptions{
              .scale = 0.5, .mode = "fan_out", .distribution = "uniform", .seed = 5}),
          std::make_shared<init::GlorotNormal>(6),
          std::make_shared<init::GlorotUniform>(),
          std::make_shared<init::HeNormal>(7),
          std::make_shared<init::HeUniform>(8),
          std::make_shared<init::LecunNormal>(),
          std::make_shared<init::LecunUniform>(9),
          std::make_shared<init::Orthogonal>(init::OrthogonalOptions{.gain = 1.5, .seed = 10})};
}

// Max |M - c I| for a square row-major matrix.
double max_dev_from_scaled_identity(const std::vector<double>& m, int64_t n, double c) {
  double worst = 0;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j)
      worst = std::max(worst, std::fabs(m[size_t(i * n + j)] - (i == j ? c : 0.0)));
  return worst;
}
}  // namespace

TEST_CASE("initializers: constants and shapes/dtypes of every class") {
  check_values(init::Zeros()({2, 3}), std::vector<double>(6, 0.0));
  check_values(init::Ones()({2, 2}, DType::int32), std::vector<double>(4, 1.0));
  CHECK(init::Ones()({2, 2}, DType::int32).dtype() == DType::int32);
  check_values(init::Constant(2.5)({3}, DType::float64), std::vector<double>(3, 2.5));
  check_values(init::Constant()({2}), std::vector<double>(2, 0.0));
  for (const auto& i : every_class())
    for (DType dt : {DType::float32, DType::float64}) {
      CAPTURE(i->class_name());
      CAPTURE(core::dtype_name(dt));
      Tensor t = (*i)({4, 3}, dt);
      CHECK(t.shape() == Shape{4, 3});
      CHECK(t.dtype() == dt);
      CHECK(t.device() == core::Device::cpu());
      for (double v : values(t)) CHECK(std::isfinite(v));
    }
  // The default dtype is float32; zero-size shapes work.
  CHECK(init::GlorotUniform()({3, 2}).dtype() == DType::float32);
  CHECK(init::HeNormal()({0, 5}).size() == 0);
  CHECK(init::Orthogonal()({0, 5}).shape() == Shape{0, 5});
}

TEST_CASE("initializers: compute_fans follows Keras (receptive field for rank > 2)") {
  auto f = init::compute_fans(Shape{});
  CHECK(f.fan_in == 1);
  CHECK(f.fan_out == 1);
  f = init::compute_fans(Shape{7});
  CHECK(f.fan_in == 7);
  CHECK(f.fan_out == 7);
  f = init::compute_fans(Shape{20, 30});
  CHECK(f.fan_in == 20);
  CHECK(f.fan_out == 30);
  f = init::compute_fans(Shape{3, 3, 16, 32});  // Conv2D kernel (kh, kw, in, out)
  CHECK(f.fan_in == 144);
  CHECK(f.fan_out == 288);
  f = init::compute_fans(Shape{5, 4, 6});  // Conv1D kernel
  CHECK(f.fan_in == 20);
  CHECK(f.fan_out == 30);
}

TEST_CASE("initializers: sample statistics of 100k draws match Keras's formulas") {
  const Shape s{200, 500};  // fan_in 200, fan_out 500, fan_avg 350
  struct Expect {
    init::InitializerPtr init;
    double std;    // expected standard deviation
    double bound;  // |x| <= bound (0: unbounded)
  };
  const double trunc = 0.87962566103423978;
  std::vector<Expect> cases = {
      {std::make_shared<init::GlorotUniform>(1), std::sqrt(2.0 / 700), std::sqrt(6.0 / 700)},
      {std::make_shared<init::GlorotNormal>(2), std::sqrt(2.0 / 700), 2 * std::sqrt(2.0 / 700) / trunc},
      {std::make_shared<init::HeNormal>(3), std::sqrt(2.0 / 200), 2 * std::sqrt(2.0 / 200) / trunc},
      {std::make_shared<init::HeUniform>(4), std::sqrt(2.0 / 200), std::sqrt(6.0 / 200)},
      {std::make_shared<init::LecunNormal>(5), std::sqrt(1.0 / 200), 2 * std::sqrt(1.0 / 200) / trunc},
      {std::make_shared<init::LecunUniform>(6), std::sqrt(1.0 / 200), std::sqrt(3.0 / 200)},
      {std::make_shared<init::VarianceScaling>(init::VarianceScalingOptions{
           .scale = 3, .mode = "fan_out", .distribution = "untruncated_normal", .seed = 7}),
       std::sqrt(3.0 / 500), 0},
      {std::make_shared<init::VarianceScaling>(init::VarianceScalingOptions{
           .scale = 0.5, .mode = "fan_avg", .distribution = "truncated_normal", .seed = 8}),
       std::sqrt(0.5 / 350), 2 * std::sqrt(0.5 / 350) / trunc},
      {std::make_shared<init::RandomNormal>(), 0.05, 0},
      {std::make_shared<init::RandomUniform>(), 0.1 / std::sqrt(12.0), 0.05},
      {std::make_shared<init::TruncatedNormal>(), 0.05 * trunc, 0.1},
  };
  for (const auto& c : cases) {
    CAPTURE(keras::initializers::serialize(*c.init).to_json());
    Stats st = stats((*c.init)(s, DType::float64));
    CHECK(std::fabs(st.mean) < 0.015 * c.std);
    CHECK(std::fabs(st.std / c.std - 1) < 0.01);
    if (c.bound > 0) {
      CHECK(st.max <= c.bound);
      CHECK(st.min >= -c.bound);
      CHECK(st.max > 0.95 * c.bound);  // the range is used up to the bound
      CHECK(st.min < -0.95 * c.bound);
    } else {
      CHECK(st.max > 3 * c.std);  // an untruncated normal passes 2 stddevs
    }
  }
  // A mean away from 0, and a uniform range away from 0.
  Stats n = stats(init::RandomNormal({.mean = 1, .stddev = 2, .seed = 11})(s));
  CHECK(n.mean == doctest::Approx(1).epsilon(0.01));
  CHECK(n.std == doctest::Approx(2).epsilon(0.01));
  Stats u = stats(init::RandomUniform({.minval = 2, .maxval = 5, .seed = 12})(s));
  CHECK(u.mean == doctest::Approx(3.5).epsilon(0.01));
  CHECK(u.std == doctest::Approx(3 / std::sqrt(12.0)).epsilon(0.01));
  CHECK(u.min >= 2);
  CHECK(u.max <= 5);
  Stats t = stats(init::TruncatedNormal({.mean = 0.5, .stddev = 0.3, .seed = 13})(s));
  CHECK(t.mean == doctest::Approx(0.5).epsilon(0.01));
  CHECK(t.std == doctest::Approx(0.3 * trunc).epsilon(0.01));
  CHECK(t.min >= 0.5 - 0.6);
  CHECK(t.max <= 0.5 + 0.6);
}

TEST_CASE("initializers: VarianceScaling on a convolution kernel uses the receptive field") {
  // (3, 3, 16, 32): fan_in 144, fan_out 288, fan_avg 216.
  Tensor k = init::VarianceScaling({.mode = "fan_avg", .distribution = "uniform", .seed = 1})(
      {3, 3, 16, 32});
  Stats st = stats(k);
  double limit = std::sqrt(3.0 / 216);
  CHECK(st.max <= limit);
  CHECK(st.max > 0.99 * limit);
  CHECK(st.min >= -limit);
  Stats he = stats(init::HeUniform(2)({3, 3, 64, 64}));  // fan_in 576
  CHECK(he.max <= std::sqrt(6.0 / 576));
  CHECK(he.std == doctest::Approx(std::sqrt(2.0 / 576)).epsilon(0.03));
  // "normal" is Keras's legacy name for "truncated_normal".
  CHECK(init::VarianceScaling({.distribution = "normal"}).distribution() == "truncated_normal");
}

TEST_CASE("initializers: seeds - seeded calls repeat, unseeded calls differ") {
  init::GlorotUniform seeded(42);
  CHECK(same_values(seeded({30, 20}), seeded({30, 20})));
  CHECK(same_values(seeded({30, 20}), init::GlorotUniform(42)({30, 20})));
  CHECK_FALSE(same_values(seeded({30, 20}), init::GlorotUniform(43)({30, 20})));
  init::GlorotUniform unseeded;
  CHECK(unseeded.seed() == -1);
  CHECK_FALSE(same_values(unseeded({30, 20}), unseeded({30, 20})));
  // core::ops::set_random_seed makes unseeded initializers reproducible.
  init::RandomNormal rn;
  ops::set_random_seed(5);
  Tensor a = rn({10});
  ops::set_random_seed(5);
  Tensor b = rn({10});
  CHECK(same_values(a, b));
  for (const auto& i : every_class()) {
    CAPTURE(i->class_name());
    auto* r = dynamic_cast<const init::RandomInitializer*>(i.get());
    if (r && r->seed() < 0) continue;
    CHECK(same_values((*i)({6, 4}), (*i)({6, 4})));
  }
  Tensor o = init::Orthogonal({.seed = 3})({8, 8});
  CHECK(same_values(o, init::Orthogonal({.seed = 3})({8, 8})));
  CHECK_FALSE(same_values(o, init::Orthogonal()({8, 8})));
}

TEST_CASE("initializers: Orthogonal gives orthonormal columns or rows, times gain") {
  struct Case {
    Shape shape;
    double gain;
  };
  for (const Case& c : {Case{Shape{6, 4}, 1.0}, Case{Shape{4, 6}, 1.0}, Case{Shape{5, 5}, 2.0},
                        Case{Shape{3, 3, 4, 8}, 0.5}, Case{Shape{2, 3, 10}, 1.0},
                        Case{Shape{64, 256}, 1.0}, Case{Shape{1, 7}, 1.0}, Case{Shape{7, 1}, 3.0}})
    for (DType dt : {DType::float32, DType::float64}) {
      CAPTURE(c.shape.str());
      CAPTURE(core::dtype_name(dt));
      Tensor w = init::Orthogonal({.gain = c.gain, .seed = 17})(c.shape, dt);
      CHECK(w.shape() == c.shape);
      CHECK(w.dtype() == dt);
      const int64_t cols = c.shape[c.shape.rank() - 1], rows = c.shape.num_elements() / cols;
      Tensor m = ops::reshape(ops::cast(w, DType::float64), {rows, cols});
      const bool tall = rows >= cols;
      Tensor gram = tall ? ops::matmul(m, m, true, false) : ops::matmul(m, m, false, true);
      const double tol = dt == DType::float32 ? 2e-6 : 1e-12;
      CHECK(max_dev_from_scaled_identity(values(gram), std::min(rows, cols), c.gain * c.gain) <
            tol * c.gain * c.gain * double(std::max(rows, cols)));
    }
  // Square results are orthogonal both ways.
  Tensor q = init::Orthogonal({.seed = 2})({9, 9}, DType::float64);
  CHECK(max_dev_from_scaled_identity(values(ops::matmul(q, q, false, true)), 9, 1.0) < 1e-12);
  CHECK(max_dev_from_scaled_identity(values(ops::matmul(q, q, true, false)), 9, 1.0) < 1e-12);
  CHECK_THROWS_MSG(init::Orthogonal()({5}), std::invalid_argument,
                   "Orthogonal: expected a shape of rank >= 2, but received shape (5,) of rank 1");
}

TEST_CASE("initializers: Orthogonal is the Q of the QR of its normal draw, with R's diagonal > 0") {
  // The construction: A (m x n, m >= n) holds random_normal((n, m), seed) read so that
  // A(i, j) = draw[j * m + i]; Q = A R^-1 with diag(R) > 0, so Q^T A = R is upper
  // triangular with a positive diagonal.
  const int64_t m = 7, n = 4;
  Tensor q = init::Orthogonal({.seed = 21})({m, n}, DType::float64);
  Tensor draw = ops::random_normal(Shape{n, m}, {.dtype = DType::float64, .seed = 21});
  Tensor a = ops::transpose(draw);  // (m, n) with a(i, j) = draw(j, i) = draw[j * m + i]
  std::vector<double> r = values(ops::matmul(q, a, true, false));  // (n, n)
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) {
      CAPTURE(i);
      CAPTURE(j);
      if (i > j) CHECK(std::fabs(r[size_t(i * n + j)]) < 1e-12);
      if (i == j) CHECK(r[size_t(i * n + j)] > 0);
    }
  // Wide shapes give the transpose of the tall result for the same seed.
  Tensor wide = init::Orthogonal({.seed = 21})({n, m}, DType::float64);
  CHECK(values(wide) == values(ops::transpose(q)));
}

TEST_CASE("initializers: Identity") {
  check_values(init::Identity()({3, 3}), std::vector<double>{1, 0, 0, 0, 1, 0, 0, 0, 1});
  check_values(init::Identity(2.0)({2, 3}, DType::float64), std::vector<double>{2, 0, 0, 0, 2, 0});
  check_values(init::Identity(-0.5)({3, 2}), std::vector<double>{-0.5, 0, 0, -0.5, 0, 0});
  CHECK(init::Identity()({2, 2}, DType::int32).dtype() == DType::int32);
  CHECK(init::get("identity")->class_name() == "Identity");
  CHECK_THROWS_MSG(init::Identity()({2, 3, 4}), std::invalid_argument,
                   "Identity: expected a 2-D shape, but received shape (2, 3, 4) of rank 3");
  CHECK_THROWS_MSG(init::Identity()({4}), std::invalid_argument, "of rank 1");
}

TEST_CASE("initializers: get() by Keras's names and class names") {
  struct Name {
    const char* name;
    const char* cls;
  };
  for (const Name& n : {Name{"zeros", "Zeros"}, Name{"zero", "Zeros"}, Name{"ones", "Ones"},
                        Name{"one", "Ones"}, Name{"constant", "Constant"},
                        Name{"identity", "Identity"}, Name{"IdentityInitializer", "Identity"},
                        Name{"random_normal", "RandomNormal"}, Name{"normal", "RandomNormal"},
                        Name{"random_uniform", "RandomUniform"}, Name{"uniform", "RandomUniform"},
                        Name{"truncated_normal", "TruncatedNormal"},
                        Name{"variance_scaling", "VarianceScaling"},
                        Name{"glorot_normal", "GlorotNormal"}, Name{"glorot_uniform", "GlorotUniform"},
                        Name{"GlorotUniform", "GlorotUniform"}, Name{"he_normal", "HeNormal"},
                        Name{"he_uniform", "HeUniform"}, Name{"lecun_normal", "LecunNormal"},
                        Name{"lecun_uniform", "LecunUniform"}, Name{"orthogonal", "Orthogonal"},
                        Name{"OrthogonalInitializer", "Orthogonal"}}) {
    CAPTURE(n.name);
    init::InitializerPtr p = init::get(n.name);
    REQUIRE(p);
    CHECK(p->class_name() == n.cls);
  }
  // Defaults are Keras's.
  auto rn = std::dynamic_pointer_cast<const init::RandomNormal>(init::get("random_normal"));
  REQUIRE(rn);
  CHECK(rn->mean() == 0);
  CHECK(rn->stddev() == 0.05);
  CHECK(rn->seed() == -1);
  auto ru = std::dynamic_pointer_cast<const init::RandomUniform>(init::get("random_uniform"));
  REQUIRE(ru);
  CHECK(ru->minval() == -0.05);
  CHECK(ru->maxval() == 0.05);
  auto vs = std::dynamic_pointer_cast<const init::VarianceScaling>(init::get("variance_scaling"));
  REQUIRE(vs);
  CHECK(vs->scale() == 1.0);
  CHECK(vs->mode() == "fan_in");
  CHECK(vs->distribution() == "truncated_normal");
  auto he = std::dynamic_pointer_cast<const init::VarianceScaling>(init::get("he_normal"));
  REQUIRE(he);
  CHECK(he->scale() == 2.0);
  CHECK(he->mode() == "fan_in");
  auto gu = std::dynamic_pointer_cast<const init::VarianceScaling>(init::get("glorot_uniform"));
  REQUIRE(gu);
  CHECK(gu->mode() == "fan_avg");
  CHECK(gu->distribution() == "uniform");
  CHECK_THROWS_MSG(init::get("glorot"), std::invalid_argument,
                   "initializers.get: unknown initializer 'glorot'; expected one of: ");
  CHECK_THROWS_MSG(init::get("glorot"), std::invalid_argument, "glorot_normal, glorot_uniform");
  auto all = init::names();
  CHECK(std::is_sorted(all.begin(), all.end()));
}

TEST_CASE("initializers: serialize/deserialize round trip for every class") {
  CHECK(init::serialize(init::GlorotUniform()).to_json() ==
        R"({"class_name": "GlorotUniform", "config": {"seed": null}})");
  CHECK(init::serialize(init::HeNormal(3)).to_json() ==
        R"({"class_name": "HeNormal", "config": {"seed": 3}})");
  CHECK(init::serialize(init::Zeros()).to_json() == R"({"class_name": "Zeros", "config": {}})");
  keras::Config rn = init::serialize(init::RandomNormal());
  CHECK(rn.at("config").at("mean").as_double() == 0.0);
  CHECK(rn.at("config").at("stddev").as_double() == 0.05);
  CHECK(rn.at("config").at("seed").is_null());
  keras::Config vs = init::serialize(init::VarianceScaling({.scale = 2, .mode = "fan_out", .seed = 1}));
  CHECK(vs.at("config").at("mode").as_string() == "fan_out");
  CHECK(vs.at("config").at("distribution").as_string() == "truncated_normal");
  CHECK(vs.at("config").at("scale").as_double() == 2.0);

  for (const auto& i : every_class()) {
    CAPTURE(i->class_name());
    keras::Config c = init::serialize(*i);
    std::string json = c.to_json();
    CAPTURE(json);
    init::InitializerPtr back = init::deserialize(keras::Value::from_json(json));
    REQUIRE(back);
    CHECK(back->class_name() == i->class_name());
    CHECK(init::serialize(*back) == c);
    auto* r = dynamic_cast<const init::RandomInitializer*>(i.get());
    if (!r || r->seed() >= 0) CHECK(same_values((*back)({5, 4}), (*i)({5, 4})));
  }
  // Names and Keras's full form (module, registered_name) are accepted too.
  CHECK(init::deserialize(keras::Value("he_uniform"))->class_name() == "HeUniform");
  keras::Config full = keras::Value::from_json(
      R"({"module": "keras.initializers", "class_name": "RandomUniform",
          "config": {"minval": -1, "maxval": 1, "seed": 7}, "registered_name": null})");
  auto ru = std::dynamic_pointer_cast<const init::RandomUniform>(init::deserialize(full));
  REQUIRE(ru);
  CHECK(ru->minval() == -1);
  CHECK(ru->seed() == 7);
  // A missing config means the defaults.
  CHECK(init::deserialize(keras::Value::from_json(R"({"class_name": "Orthogonal"})"))->class_name() ==
        "Orthogonal");
}

TEST_CASE("initializers: errors name the class, what was expected and what was received") {
  CHECK_THROWS_MSG(init::deserialize(keras::Value::from_json(R"({"class_name": "Glorot", "config": {}})")),
                   std::invalid_argument,
                   "initializers.deserialize: unknown initializer class 'Glorot'");
  CHECK_THROWS_MSG(
      init::deserialize(keras::Value::from_json(R"({"class_name": "HeNormal", "config": {"scale": 2}})")),
      std::invalid_argument, "unexpected key 'scale' in the config of HeNormal (expected seed)");
  CHECK_THROWS_MSG(init::deserialize(keras::Value(3)), std::invalid_argument,
                   "initializers.deserialize: expected {\"class_name\"");
  CHECK_THROWS_MSG(
      init::deserialize(keras::Value::from_json(R"({"class_name": "HeNormal", "config": {"seed": "x"}})")),
      std::invalid_argument, "expected the seed of HeNormal to be an integer or null");
  CHECK_THROWS_MSG(init::GlorotUniform()({3, 3}, DType::int32), std::invalid_argument,
                   "GlorotUniform: expected a floating-point dtype (float32 or float64), but "
                   "received int32");
  CHECK_THROWS_MSG(init::RandomNormal()({3}, DType::bool_), std::invalid_argument,
                   "RandomNormal: expected a floating-point dtype");
  CHECK_THROWS_MSG(init::VarianceScaling({.mode = "fan_sum"}), std::invalid_argument,
                   "VarianceScaling: expected mode to be one of fan_in, fan_out, fan_avg, but "
                   "received 'fan_sum'");
  CHECK_THROWS_MSG(init::VarianceScaling({.distribution = "gamma"}), std::invalid_argument,
                   "expected distribution to be one of truncated_normal, untruncated_normal, "
                   "uniform, but received 'gamma'");
  CHECK_THROWS_MSG(init::VarianceScaling({.scale = 0}), std::invalid_argument,
                   "VarianceScaling: expected a positive, finite scale, but received 0");
  CHECK_THROWS_MSG(init::RandomUniform({.minval = 1, .maxval = 0}), std::invalid_argument,
                   "RandomUniform: expected minval <= maxval, but received minval=1");
  CHECK_THROWS_MSG(init::RandomNormal({.stddev = -1}), std::invalid_argument,
                   "RandomNormal: expected stddev >= 0, but received -1");
  CHECK_THROWS_MSG(init::TruncatedNormal({.stddev = -1}), std::invalid_argument,
                   "TruncatedNormal: expected stddev >= 0");
  // minval == maxval is a constant.
  check_values(init::RandomUniform({.minval = 0.5, .maxval = 0.5})({3}), std::vector<double>(3, 0.5));
}

TEST_CASE("initializers: callables, InitializerArg and registered classes") {
  init::InitializerPtr twos = init::get(
      [](const Shape& s, DType d) { return ops::fill(s, 2.0, d); }, "twos");
  CHECK(twos->class_name() == "twos");
  check_values((*twos)({2}), std::vector<double>{2, 2});
  init::InitializerPtr wrong = init::get([](const Shape&, DType) { return ops::zeros({1}); });
  CHECK_THROWS_MSG((*wrong)({2, 2}), std::invalid_argument,
                   "initializer 'custom': expected a tensor of shape (2, 2) and dtype float32, "
                   "but the callable returned shape (1,) and dtype float32");

  init::InitializerArg by_name = "he_normal";
  CHECK(by_name.ptr()->class_name() == "HeNormal");
  init::InitializerArg by_object = init::Orthogonal({.gain = 2});
  CHECK(by_object.ptr()->class_name() == "Orthogonal");
  init::InitializerArg by_ptr = std::make_shared<init::Ones>();
  CHECK(by_ptr.ptr()->class_name() == "Ones");
  init::InitializerArg by_lambda = [](const Shape& s, DType d) { return ops::zeros(s, d); };
  CHECK(by_lambda.ptr()->class_name() == "custom");
  init::InitializerArg by_config = keras::Value::from_json(R"({"class_name": "Constant", "config": {"value": 3}})");
  check_values((*by_config.ptr())({1}), std::vector<double>{3});
  init::InitializerArg none = nullptr;
  CHECK(!none);
  CHECK(none.value_or(by_ptr.ptr())->class_name() == "Ones");
  init::InitializerPtr as_ptr = by_name;
  CHECK(as_ptr == by_name.ptr());

  struct Halves : init::Initializer {
    double scale = 0.5;
    Tensor operator()(const Shape& s, DType d = DType::float32) const override {
      return ops::fill(s, scale, d);
    }
    std::string class_name() const override { return "TestHalves"; }
    keras::Config get_config() const override {
      keras::Config c = keras::Config::object();
      c["scale"] = scale;
      return c;
    }
  };
  init::register_initializer("TestHalves", [](const keras::Config& c) -> init::InitializerPtr {
    auto h = std::make_shared<Halves>();
    h->scale = c.at("scale").as_double();
    return h;
  });
  Halves h;
  h.scale = 0.25;
  init::InitializerPtr back = init::deserialize(keras::Value::from_json(init::serialize(h).to_json()));
  check_values((*back)({2}), std::vector<double>{0.25, 0.25});
  CHECK_THROWS_MSG(init::register_initializer("GlorotUniform", [](const keras::Config&) {
                     return init::InitializerPtr();
                   }),
                   std::invalid_argument, "'GlorotUniform' is a built-in initializer");
}
