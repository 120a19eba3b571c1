// test_regularizers_constraints.cpp - keras::regularizers and keras::constraints: values
// against hand-computed ones, gradients, get()/serialize()/deserialize(), errors.
#include <cmath>
#include <string>

#include "helpers.h"
#include "keras/constraints.h"
#include "keras/regularizers.h"

using namespace th;
namespace reg = keras::regularizers;
namespace cons = keras::constraints;

// ---- regularizers ------------------------------------------------------------------------

TEST_CASE("regularizers: L1, L2 and L1L2 penalties") {
  Tensor w = core::constant({{1.0, -2.0}, {3.0, -4.0}});  // sum|w| = 10, sum w^2 = 30
  Tensor l1 = reg::L1(0.1)(w);
  CHECK(l1.rank() == 0);
  CHECK(l1.dtype() == DType::float32);
  check_values(l1, std::vector<double>{1.0});
  check_values(reg::L1()(w), std::vector<double>{0.1});  // Keras's default l1 = 0.01
  check_values(reg::L2(0.5)(w), std::vector<double>{15.0});
  check_values(reg::L2()(w), std::vector<double>{0.3});
  check_values(reg::L1L2(0.1, 0.01)(w), std::vector<double>{1.3});
  check_values(reg::L1L2({.l1 = 0.1, .l2 = 0.01})(w), std::vector<double>{1.3});
  check_values(reg::L1L2({.l2 = 0.01})(w), std::vector<double>{0.3});
  Tensor zero = reg::L1L2()(w);  // Keras's defaults l1 = l2 = 0
  CHECK(zero.rank() == 0);
  CHECK(zero.dtype() == DType::float32);
  check_values(zero, std::vector<double>{0.0});
  Tensor w64 = ops::cast(w, DType::float64);
  Tensor p64 = reg::L1L2(0.1, 0.01)(w64);
  CHECK(p64.dtype() == DType::float64);
  check_values(p64, std::vector<double>{1.3}, 1e-14);
  CHECK(reg::L1L2(0.0, 0.0)(w64).dtype() == DType::float64);
}

TEST_CASE("regularizers: gradients are l1 * sign(w) + 2 * l2 * w") {
  core::Variable w(core::constant({{1.0, -2.0}, {3.0, -4.0}}, DType::float64), "w");
  core::GradientTape tape({.persistent = true});
  Tensor p1 = reg::L1(0.1)(w);
  Tensor p2 = reg::L2(0.01)(w);
  Tensor p12 = reg::L1L2(0.1, 0.01)(w);
  check_values(tape.gradient(p1, w), std::vector<double>{0.1, -0.1, 0.1, -0.1}, 1e-14);
  check_values(tape.gradient(p2, w), std::vector<double>{0.02, -0.04, 0.06, -0.08}, 1e-14);
  check_values(tape.gradient(p12, w), std::vector<double>{0.12, -0.14, 0.16, -0.18}, 1e-14);
  Tensor po = reg::OrthogonalRegularizer()(w);
  Tensor g = tape.gradient(po, w);
  REQUIRE(g.defined());
  CHECK(g.shape() == Shape{2, 2});
}

TEST_CASE("regularizers: OrthogonalRegularizer") {
  Tensor w = core::constant({{1.0, 2.0}, {3.0, 4.0}}, DType::float64);
  // rows (1, 2)/sqrt(5) and (3, 4)/5: cosine 11 / (5 sqrt(5)); one pair.
  double rows = 0.01 * 0.5 * 2 * 11 / (5 * std::sqrt(5.0));
  check_values(reg::OrthogonalRegularizer()(w), std::vector<double>{rows}, 1e-12);
  // columns (1, 3)/sqrt(10) and (2, 4)/sqrt(20): cosine 14 / sqrt(200).
  double cols = 0.1 * 0.5 * 2 * 14 / std::sqrt(200.0);
  check_values(reg::OrthogonalRegularizer({.factor = 0.1, .mode = "columns"})(w),
               std::vector<double>{cols}, 1e-12);
  // Orthogonal rows cost nothing; three rows have three pairs.
  check_values(reg::OrthogonalRegularizer()(core::constant({{2.0, 0.0}, {0.0, -3.0}})),
               std::vector<double>{0.0});
  Tensor w3 = core::constant({{1.0, 0.0}, {0.0, 1.0}, {1.0, 1.0}}, DType::float64);
  double c = 1 / std::sqrt(2.0);  // rows 0-2 and 1-2
  check_values(reg::OrthogonalRegularizer({.factor = 1})(w3),
               std::vector<double>{0.5 * 2 * (c + c) / 3}, 1e-12);
  CHECK_THROWS_MSG(reg::OrthogonalRegularizer()(core::constant({1.0, 2.0})), std::invalid_argument,
                   "OrthogonalRegularizer: expected a weight of rank 2, but received shape (2,)");
  CHECK_THROWS_MSG(reg::OrthogonalRegularizer({.mode = "diag"}), std::invalid_argument,
                   "OrthogonalRegularizer: expected mode to be 'rows' or 'columns', but received 'diag'");
}

TEST_CASE("regularizers: get, serialize/deserialize round trips, errors") {
  auto l1 = std::dynamic_pointer_cast<const reg::L1>(reg::get("l1"));
  REQUIRE(l1);
  CHECK(l1->l1() == 0.01);
  auto l2 = std::dynamic_pointer_cast<const reg::L2>(reg::get("l2"));
  REQUIRE(l2);
  CHECK(l2->l2() == 0.01);
  for (const char* n : {"l1_l2", "L1L2", "l1l2"}) {
    CAPTURE(n);
    auto l12 = std::dynamic_pointer_cast<const reg::L1L2>(reg::get(n));
    REQUIRE(l12);
    CHECK(l12->l1() == 0.0);
    CHECK(l12->l2() == 0.0);
  }
  CHECK(reg::get("orthogonal_regularizer")->class_name() == "OrthogonalRegularizer");
  CHECK(reg::get("L2")->class_name() == "L2");

  CHECK(reg::serialize(reg::L2(0.5)).to_json() == R"({"class_name": "L2", "config": {"l2": 0.5}})");
  CHECK(reg::serialize(reg::L1L2(0.25, 0.5)).to_json() ==
        R"({"class_name": "L1L2", "config": {"l1": 0.25, "l2": 0.5}})");
  Tensor w = core::constant({{0.5, -1.5}, {2.0, 1.0}}, DType::float64);
  std::vector<reg::RegularizerPtr> all = {
      std::make_shared<reg::L1>(0.3), std::make_shared<reg::L2>(0.2),
      std::make_shared<reg::L1L2>(0.1, 0.4),
      std::make_shared<reg::OrthogonalRegularizer>(reg::OrthogonalRegularizerOptions{.factor = 0.2, .mode = "columns"})};
  for (const auto& r : all) {
    CAPTURE(r->class_name());
    keras::Config c = reg::serialize(*r);
    reg::RegularizerPtr back = reg::deserialize(keras::Value::from_json(c.to_json()));
    REQUIRE(back);
    CHECK(back->class_name() == r->class_name());
    CHECK(reg::serialize(*back) == c);
    CHECK(values((*back)(w)) == values((*r)(w)));
  }
  CHECK(reg::deserialize(keras::Value("l2"))->class_name() == "L2");

  CHECK_THROWS_MSG(reg::L1(-1), std::invalid_argument,
                   "L1: expected l1 to be a non-negative finite number, but received l1=-1");
  CHECK_THROWS_MSG(reg::L2(std::nan("")), std::invalid_argument, "L2: expected l2 to be a non-negative");
  CHECK_THROWS_MSG(reg::L1L2(0.1, -2), std::invalid_argument, "L1L2: expected l2");
  CHECK_THROWS_MSG(reg::get("l3"), std::invalid_argument,
                   "regularizers.get: unknown regularizer 'l3'; expected one of: ");
  CHECK_THROWS_MSG(reg::get("l3"), std::invalid_argument, "l1, l1_l2");
  CHECK_THROWS_MSG(reg::deserialize(keras::Value::from_json(R"({"class_name": "L3", "config": {}})")),
                   std::invalid_argument, "regularizers.deserialize: unknown regularizer class 'L3'");
  CHECK_THROWS_MSG(
      reg::deserialize(keras::Value::from_json(R"({"class_name": "L1", "config": {"l2": 1}})")),
      std::invalid_argument, "unexpected key 'l2' in the config of L1 (expected l1)");
  CHECK_THROWS_MSG(reg::L2()(core::constant({1, 2})), std::invalid_argument,
                   "L2: expected a floating-point weight (float32 or float64), but received dtype int32");
}

TEST_CASE("regularizers: callables, RegularizerArg and registered classes") {
  reg::RegularizerPtr f = reg::get([](const Tensor& w) { return ops::sum(w); }, "total");
  CHECK(f->class_name() == "total");
  check_values((*f)(core::constant({1.0, 2.0})), std::vector<double>{3});
  reg::RegularizerArg by_name = "l2";
  CHECK(by_name.ptr()->class_name() == "L2");
  reg::RegularizerArg by_object = reg::L1(0.5);
  check_values((*by_object.ptr())(core::constant({-2.0})), std::vector<double>{1});
  reg::RegularizerArg by_lambda = [](const Tensor& w) { return ops::max(w); };
  CHECK(by_lambda.ptr()->class_name() == "custom");
  reg::RegularizerArg none;
  CHECK(!none);
  reg::RegularizerPtr p = by_object;
  CHECK(p == by_object.ptr());

  reg::register_regularizer("TestSumAbs", [](const keras::Config&) {
    return reg::get([](const Tensor& w) { return ops::sum(ops::abs(w)); }, "TestSumAbs");
  });
  reg::RegularizerPtr back = reg::deserialize(keras::Value::from_json(R"({"class_name": "TestSumAbs"})"));
  check_values((*back)(core::constant({-1.0, 2.0})), std::vector<double>{3});
  CHECK_THROWS_MSG(reg::register_regularizer("l1", [](const keras::Config&) { return reg::RegularizerPtr(); }),
                   std::invalid_argument, "'l1' is a built-in regularizer");
}

// ---- constraints ---------------------------------------------------------------------------

TEST_CASE("constraints: MaxNorm") {
  // Column norms 5 and sqrt(0.5); row norms sqrt(9.25) and sqrt(16.25).
  Tensor w = core::constant({{3.0, 0.5}, {4.0, 0.5}}, DType::float64);
  const double eps = 1e-7, n1 = std::sqrt(0.5);
  double k0 = 2.0 / (5.0 + eps), k1 = n1 / (n1 + eps);
  check_values(cons::MaxNorm()(w), std::vector<double>{3 * k0, 0.5 * k1, 4 * k0, 0.5 * k1}, 1e-14);
  double r0 = std::sqrt(9.25), r1 = std::sqrt(16.25);
  check_values(cons::MaxNorm({.max_value = 3.5, .axis = 1})(w),
               std::vector<double>{3 * r0 / (r0 + eps), 0.5 * r0 / (r0 + eps),  // under 3.5
                                   4 * 3.5 / (r1 + eps), 0.5 * 3.5 / (r1 + eps)},
               1e-14);
  // All axes: the whole tensor's norm sqrt(25.5).
  double all = std::sqrt(25.5);
  check_values(cons::MaxNorm({.max_value = 1, .axis = {0, 1}})(w),
               std::vector<double>{3 / (all + eps), 0.5 / (all + eps), 4 / (all + eps),
                                   0.5 / (all + eps)},
               1e-14);
  // A convolution kernel (kh, kw, in, out): each output filter's norm ends at most max_value.
  Tensor k = ops::random_normal(Shape{3, 3, 4, 5}, {.stddev = 3.0, .dtype = DType::float64, .seed = 1});
  Tensor kc = cons::MaxNorm({.max_value = 2, .axis = {0, 1, 2}})(k);
  for (double n : values(ops::sqrt(ops::sum(ops::square(kc), {0, 1, 2}))))
    CHECK(n == doctest::Approx(2.0).epsilon(1e-6));
  // float32 stays float32.
  CHECK(cons::MaxNorm()(core::constant({{1.0f}})).dtype() == DType::float32);
  CHECK_THROWS_MSG(cons::MaxNorm({.axis = 2})(w), std::invalid_argument,
                   "MaxNorm: expected axis in [-2, 2) for a weight of shape (2, 2), but received axis 2");
  CHECK_THROWS_MSG(cons::MaxNorm({.max_value = -1}), std::invalid_argument,
                   "MaxNorm: expected max_value >= 0, but received -1");
}

TEST_CASE("constraints: MinMaxNorm") {
  Tensor w = core::constant({{3.0, 0.5}, {4.0, 0.5}}, DType::float64);
  const double eps = 1e-7, n1 = std::sqrt(0.5);
  // rate 0.5, [1, 2]: desired = 0.5 * clip(n, 1, 2) + 0.5 * n -> 3.5 and 0.5 + n1 / 2.
  double d0 = 3.5, d1 = 0.5 + 0.5 * n1;
  double k0 = d0 / (5 + eps), k1 = d1 / (n1 + eps);
  check_values(cons::MinMaxNorm({.min_value = 1, .max_value = 2, .rate = 0.5})(w),
               std::vector<double>{3 * k0, 0.5 * k1, 4 * k0, 0.5 * k1}, 1e-14);
  // Keras's defaults (0, 1, rate 1): the columns end with norm at most 1.
  check_values(cons::MinMaxNorm()(w),
               std::vector<double>{3 / (5 + eps), 0.5 * n1 / (n1 + eps), 4 / (5 + eps),
                                   0.5 * n1 / (n1 + eps)},
               1e-14);
  CHECK_THROWS_MSG(cons::MinMaxNorm({.min_value = 2, .max_value = 1}), std::invalid_argument,
                   "MinMaxNorm: expected min_value <= max_value, but received min_value=2");
}

TEST_CASE("constraints: NonNeg and UnitNorm") {
  check_values(cons::NonNeg()(core::constant({-1.5, 0.0, 2.0, -0.0})), std::vector<double>{0, 0, 2, 0});
  CHECK(cons::NonNeg()(core::constant({-1.5}, DType::float64)).dtype() == DType::float64);
  Tensor w = core::constant({{3.0, 0.0}, {4.0, 2.0}}, DType::float64);
  const double eps = 1e-7;
  check_values(cons::UnitNorm()(w),
               std::vector<double>{3 / (5 + eps), 0, 4 / (5 + eps), 2 / (2 + eps)}, 1e-14);
  double r1 = std::sqrt(20.0);
  check_values(cons::UnitNorm({.axis = -1})(w),
               std::vector<double>{3 / (3 + eps), 0, 4 / (r1 + eps), 2 / (r1 + eps)}, 1e-14);
  // A zero column stays zero (the epsilon keeps it finite).
  check_values(cons::UnitNorm()(core::constant({{0.0, 1.0}, {0.0, 0.0}}, DType::float64)),
               std::vector<double>{0, 1 / (1 + eps), 0, 0}, 1e-12);
  CHECK_THROWS_MSG(cons::UnitNorm()(core::constant({1, 2})), std::invalid_argument,
                   "UnitNorm: expected a floating-point weight");
}

TEST_CASE("constraints: get, serialize/deserialize round trips, errors") {
  for (auto [n, cls] : std::vector<std::pair<std::string, std::string>>{
           {"max_norm", "MaxNorm"}, {"MaxNorm", "MaxNorm"}, {"min_max_norm", "MinMaxNorm"},
           {"non_neg", "NonNeg"}, {"NonNeg", "NonNeg"}, {"unit_norm", "UnitNorm"}}) {
    CAPTURE(n);
    CHECK(cons::get(n)->class_name() == cls);
  }
  auto mm = std::dynamic_pointer_cast<const cons::MinMaxNorm>(cons::get("min_max_norm"));
  REQUIRE(mm);
  CHECK(mm->min_value() == 0.0);
  CHECK(mm->max_value() == 1.0);
  CHECK(mm->rate() == 1.0);
  CHECK(mm->axis().axes == std::vector<int64_t>{0});
  auto mx = std::dynamic_pointer_cast<const cons::MaxNorm>(cons::get("max_norm"));
  REQUIRE(mx);
  CHECK(mx->max_value() == 2.0);

  CHECK(cons::serialize(cons::MaxNorm()).to_json() ==
        R"({"class_name": "MaxNorm", "config": {"max_value": 2.0, "axis": 0}})");
  CHECK(cons::serialize(cons::UnitNorm({.axis = {0, 1}})).to_json() ==
        R"({"class_name": "UnitNorm", "config": {"axis": [0, 1]}})");
  CHECK(cons::serialize(cons::NonNeg()).to_json() == R"({"class_name": "NonNeg", "config": {}})");

  Tensor w = core::constant({{3.0, -0.5}, {4.0, 0.5}, {-1.0, 2.0}}, DType::float64);
  std::vector<cons::ConstraintPtr> all = {
      std::make_shared<cons::MaxNorm>(cons::MaxNormOptions{.max_value = 1.5, .axis = 1}),
      std::make_shared<cons::MinMaxNorm>(
          cons::MinMaxNormOptions{.min_value = 0.5, .max_value = 3, .rate = 0.7, .axis = {0, 1}}),
      std::make_shared<cons::NonNeg>(),
      std::make_shared<cons::UnitNorm>(cons::UnitNormOptions{.axis = -1})};
  for (const auto& c : all) {
    CAPTURE(c->class_name());
    keras::Config cfg = cons::serialize(*c);
    cons::ConstraintPtr back = cons::deserialize(keras::Value::from_json(cfg.to_json()));
    REQUIRE(back);
    CHECK(back->class_name() == c->class_name());
    CHECK(cons::serialize(*back) == cfg);
    CHECK(values((*back)(w)) == values((*c)(w)));
  }
  CHECK(cons::deserialize(keras::Value("unit_norm"))->class_name() == "UnitNorm");

  CHECK_THROWS_MSG(cons::get("positive"), std::invalid_argument,
                   "constraints.get: unknown constraint 'positive'; expected one of: ");
  CHECK_THROWS_MSG(cons::get("positive"), std::invalid_argument, "max_norm, min_max_norm");
  CHECK_THROWS_MSG(cons::deserialize(keras::Value::from_json(R"({"class_name": "Positive"})")),
                   std::invalid_argument, "constraints.deserialize: unknown constraint class 'Positive'");
  CHECK_THROWS_MSG(
      cons::deserialize(keras::Value::from_json(R"({"class_name": "MaxNorm", "config": {"axis": "x"}})")),
      std::invalid_argument, "expected axis to be an integer or a list of integers, but received \"x\"");
  CHECK_THROWS_MSG(
      cons::deserialize(keras::Value::from_json(R"({"class_name": "NonNeg", "config": {"axis": 0}})")),
      std::invalid_argument, "unexpected key 'axis' in the config of NonNeg (expected no keys)");
}

TEST_CASE("constraints: callables, ConstraintArg and registered classes") {
  cons::ConstraintPtr clip = cons::get([](const Tensor& w) { return ops::clip(w, -1, 1); }, "clip");
  CHECK(clip->class_name() == "clip");
  check_values((*clip)(core::constant({-3.0, 0.5})), std::vector<double>{-1, 0.5});
  cons::ConstraintArg by_name = "non_neg";
  CHECK(by_name.ptr()->class_name() == "NonNeg");
  cons::ConstraintArg by_object = cons::MaxNorm({.max_value = 3});
  auto mx = std::dynamic_pointer_cast<const cons::MaxNorm>(by_object.ptr());
  REQUIRE(mx);
  CHECK(mx->max_value() == 3);
  cons::ConstraintArg by_ptr = std::make_shared<cons::UnitNorm>();
  CHECK(by_ptr.ptr()->class_name() == "UnitNorm");
  cons::ConstraintArg by_lambda = [](const Tensor& w) { return ops::abs(w); };
  CHECK(by_lambda.ptr()->class_name() == "custom");
  cons::ConstraintArg none = nullptr;
  CHECK(!none);

  cons::register_constraint("TestAbs", [](const keras::Config&) {
    return cons::get([](const Tensor& w) { return ops::abs(w); }, "TestAbs");
  });
  cons::ConstraintPtr back = cons::deserialize(keras::Value("TestAbs"));
  check_values((*back)(core::constant({-2.0})), std::vector<double>{2});
  CHECK_THROWS_MSG(cons::register_constraint("UnitNorm", [](const keras::Config&) { return cons::ConstraintPtr(); }),
                   std::invalid_argument, "'UnitNorm' is a built-in constraint");
}
