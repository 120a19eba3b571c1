// test_autodiff.cpp - Variable and GradientTape semantics (TensorFlow's).
#include <fstream>
#include <string>

#include "helpers.h"

using namespace th;
using core::GradientTape;
using core::UnconnectedGradients;
using core::Variable;

TEST_CASE("Variable: assign, assign_add, assign_sub check shape and dtype") {
  Variable v(core::constant({1.0f, 2.0f}), "v");
  CHECK(v.name() == "v");
  CHECK(v.trainable());
  v.assign_add(core::constant({1.0f, 1.0f}));
  check_values(v.value(), std::vector<float>{2, 3});
  v.assign_sub(core::constant({0.5f, 0.5f}));
  check_values(v, std::vector<float>{1.5, 2.5});
  v.assign(core::constant({7.0f, 8.0f}));
  check_values(ops::multiply(v, v), std::vector<float>{49, 64});  // usable as a Tensor
  CHECK_THROWS_MSG(v.assign(core::constant({1.0f})), std::invalid_argument,
                   "Variable 'v'.assign: expected a value of shape (2,) and dtype float32, but "
                   "received shape (1,) and dtype float32");
  CHECK_THROWS_MSG(v.assign_add(core::constant({1.0, 2.0}, DType::float64)), std::invalid_argument,
                   "same dtype");
  Variable copy = v;  // a handle to the same variable
  copy.assign(core::constant({0.0f, 0.0f}));
  check_values(v, std::vector<float>{0, 0});
  CHECK(copy.same_as(v));
  Variable undefined;
  CHECK_THROWS_MSG(undefined.value(), std::invalid_argument, "undefined");
}

TEST_CASE("GradientTape: trainable variables are watched automatically") {
  Variable w(core::constant({{1.0, 2.0}, {3.0, 4.0}}, DType::float64), "w");
  Variable frozen(core::constant({1.0, 1.0}, DType::float64), "frozen", /*trainable=*/false);
  Tensor x = core::constant({{1.0, -1.0}}, DType::float64);
  GradientTape tape;
  Tensor y = ops::sum(ops::multiply(ops::matmul(x, w), frozen));
  auto g = tape.gradient(y, std::vector<Variable>{w, frozen});
  REQUIRE(g[0].defined());
  check_values(g[0], std::vector<double>{1, 1, -1, -1});
  CHECK_FALSE(g[1].defined());  // not trainable: not watched, None
  CHECK(tape.watched_variables().size() == 1);
}

TEST_CASE("GradientTape: watch() for constants; watch_accessed_variables off") {
  Tensor x = core::constant(3.0, DType::float64);
  {
    GradientTape tape;
    tape.watch(x);
    Tensor y = ops::multiply(x, x);
    check_values(tape.gradient(y, x), std::vector<double>{6});
  }
  {
    GradientTape tape;  // not watched: None
    Tensor y = ops::multiply(x, x);
    CHECK_FALSE(tape.gradient(y, x).defined());
  }
  {
    Variable v(x);
    GradientTape tape({.watch_accessed_variables = false});
    Tensor y = ops::multiply(v, v);
    CHECK_FALSE(tape.gradient(y, v).defined());
  }
}

TEST_CASE("GradientTape: non-persistent tapes compute once; persistent ones many times") {
  Tensor x = core::constant(2.0, DType::float64);
  GradientTape tape;
  tape.watch(x);
  Tensor y = ops::exp(x);
  tape.gradient(y, x);
  CHECK_THROWS_MSG(tape.gradient(y, x), std::runtime_error, "only once");

  GradientTape p({.persistent = true});
  p.watch(x);
  Tensor y2 = ops::square(x), y3 = ops::multiply(y2, x);
  check_values(p.gradient(y2, x), std::vector<double>{4});
  check_values(p.gradient(y3, x), std::vector<double>{12});
}

TEST_CASE("GradientTape: unconnected sources give None or zeros; non-scalar targets are summed") {
  Tensor x = core::constant({1.0, 2.0}, DType::float64), z = core::constant({5.0}, DType::float64);
  GradientTape tape({.persistent = true});
  tape.watch(x);
  tape.watch(z);
  Tensor y = ops::multiply(x, x);  // non-scalar: gradient of sum(y)
  auto g = tape.gradient(y, {x, z});
  check_values(g[0], std::vector<double>{2, 4});
  CHECK_FALSE(g[1].defined());
  auto g0 = tape.gradient(y, {z}, Tensor(), UnconnectedGradients::zero);
  check_values(g0[0], std::vector<double>{0});
  // output_gradients weight the target's elements.
  auto gw = tape.gradient(y, {x}, core::constant({10.0, 1.0}, DType::float64));
  check_values(gw[0], std::vector<double>{20, 4});
  CHECK_THROWS_MSG(tape.gradient(y, {x}, core::constant({1.0}, DType::float64)),
                   std::invalid_argument, "output_gradients of shape (2,)");
}

TEST_CASE("GradientTape: integer tensors are not differentiable") {
  Tensor i = core::constant({1, 2});
  GradientTape tape;
  tape.watch(i);
  Tensor y = ops::multiply(i, i);
  CHECK_FALSE(tape.gradient(y, i).defined());
  // A float function of an integer input: no gradient flows into the integer.
  Tensor f = core::constant({1.5, 2.5}, DType::float64);
  GradientTape t2;
  t2.watch(f);
  Tensor y2 = ops::multiply(f, ops::cast(i, DType::float64));
  auto g = t2.gradient(y2, {f, i});
  check_values(g[0], std::vector<double>{1, 2});
  CHECK_FALSE(g[1].defined());
}

TEST_CASE("stop_recording, reset, stop_gradient") {
  Tensor x = core::constant(3.0, DType::float64);
  GradientTape tape({.persistent = true});
  tape.watch(x);
  Tensor a = ops::square(x);
  Tensor b;
  {
    auto pause = tape.stop_recording();
    b = ops::square(x);  // not recorded
  }
  check_values(tape.gradient(a, x), std::vector<double>{6});
  CHECK_FALSE(tape.gradient(b, x).defined());
  Tensor c = ops::multiply(core::stop_gradient(ops::square(x)), x);  // d/dx = x^2
  check_values(tape.gradient(c, x), std::vector<double>{9});
  tape.reset();
  CHECK_FALSE(tape.gradient(a, x).defined());  // forgotten, x no longer watched
}

TEST_CASE("nested tapes: second derivative and Hessian-vector product") {
  Tensor x = core::constant({1.0, 2.0}, DType::float64);
  GradientTape outer;
  outer.watch(x);
  Tensor g;
  {
    GradientTape inner;
    inner.watch(x);
    Tensor y = ops::sum(ops::multiply(ops::multiply(x, x), x));  // sum x^3
    g = inner.gradient(y, x);                                     // 3 x^2
  }
  check_values(g, std::vector<double>{3, 12});
  Tensor h = outer.gradient(g, x);  // 6 x
  check_values(h, std::vector<double>{6, 12});
}

TEST_CASE("jacobian and batch_jacobian") {
  Tensor x = core::constant({1.0, 2.0, 3.0}, DType::float64);
  GradientTape tape({.persistent = true});
  tape.watch(x);
  Tensor y = ops::multiply(x, x);
  Tensor j = tape.jacobian(y, x);
  CHECK(j.shape() == Shape{3, 3});
  check_values(j, std::vector<double>{2, 0, 0, 0, 4, 0, 0, 0, 6});

  Tensor xb = core::constant({{1.0, 2.0}, {3.0, 4.0}}, DType::float64);
  Tensor w = core::constant({{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}}, DType::float64);
  tape.watch(xb);
  Tensor yb = ops::matmul(xb, w);  // (2, 3); each row depends on its own x row
  Tensor bj = tape.batch_jacobian(yb, xb);
  CHECK(bj.shape() == Shape{2, 3, 2});
  check_values(bj, std::vector<double>{1, 4, 2, 5, 3, 6, 1, 4, 2, 5, 3, 6});
  GradientTape once;
  CHECK_THROWS_MSG(once.jacobian(y, x), std::runtime_error, "persistent");
}

TEST_CASE("custom_gradient: a numerically stable softplus gradient") {
  // log(1 + exp(x)) computed naively overflows for large x and its automatic gradient
  // exp(x) / (1 + exp(x)) becomes inf / inf = NaN; the custom gradient stays finite.
  auto naive = [](const std::vector<Tensor>& in) {
    return ops::log(ops::add(ops::exp(in[0]), ops::scalar_like(in[0], 1.0)));
  };
  auto stable_grad = [](const std::vector<Tensor>& in, const Tensor&, const Tensor& up) {
    return std::vector<Tensor>{ops::multiply(up, ops::sigmoid(in[0]))};
  };
  Tensor x = core::constant({0.0f, 1000.0f});
  GradientTape tape({.persistent = true});
  tape.watch(x);
  Tensor y = core::custom_gradient({x}, naive, stable_grad);
  Tensor g = tape.gradient(y, x);
  check_values(g, std::vector<double>{0.5, 1.0});
  Tensor y_auto = naive({x});
  Tensor g_auto = tape.gradient(y_auto, x);
  CHECK(std::isnan(g_auto.to_vector<float>()[1]));  // what the custom gradient avoids
}

namespace {
long rss_kb() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

// AddressSanitizer keeps freed memory in quarantine, so the process's size says nothing
// about leaks there (LeakSanitizer checks those instead).
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif
}  // namespace

TEST_CASE("memory: 10,000 tape steps of an MLP forward/backward do not grow the process" *
          doctest::skip(kAddressSanitizer)) {
  ops::RandomOptions o;
  o.seed = 1;
  Variable w1(ops::random_normal({32, 64}, o), "w1");
  o.seed = 2;
  Variable w2(ops::random_normal({64, 10}, o), "w2");
  Variable b1(ops::zeros({64}), "b1");
  o.seed = 3;
  Tensor x = ops::random_normal({16, 32}, o);
  Tensor labels = ops::cast(ops::random_uniform({16}, {.minval = 0, .maxval = 10, .dtype = DType::int32, .seed = 4}),
                            DType::int32);
  auto step = [&] {
    GradientTape tape;
    Tensor h = ops::relu(ops::add(ops::matmul(x, w1), b1));
    Tensor loss = ops::mean(ops::sparse_softmax_cross_entropy_with_logits(labels, ops::matmul(h, w2)));
    auto g = tape.gradient(loss, std::vector<Variable>{w1, b1, w2});
    w1.assign_sub(ops::multiply(g[0], ops::scalar_like(g[0], 0.01)));
    b1.assign_sub(ops::multiply(g[1], ops::scalar_like(g[1], 0.01)));
    w2.assign_sub(ops::multiply(g[2], ops::scalar_like(g[2], 0.01)));
  };
  for (int i = 0; i < 200; ++i) step();
  long before = rss_kb();
  for (int i = 0; i < 10000; ++i) step();
  long after = rss_kb();
  CHECK(before > 0);
  CHECK(after - before < 2048);  // < 2 MB growth over 10,000 steps
}
