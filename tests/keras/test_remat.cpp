// test_remat.cpp - rematerialization: keras::remat and core::remat_call give the plain
// gradients (first and second order, eager and traced) while the tape keeps less (the host
// allocator's peak), the second run sees the first run's variables and random draws, and
// RematScope's modes pick the calls Keras 3's pick.
#include <optional>
#include <string>

#include "core/remat.h"
#include "helpers.h"
#include "keras/keras.h"

using namespace th;
namespace layers = keras::layers;

namespace {
// A chain of `n` elementwise steps on a large tensor: n intermediate values to keep.
Tensor chain(const Tensor& x, int n) {
  Tensor y = x;
  for (int i = 0; i < n; ++i) y = ops::sin(ops::multiply(y, ops::scalar_like(y, 1.01)));
  return y;
}

// The gradient of sum(chain^40(x)), the chain in `segments` rematerialized segments (0:
// plain).
Tensor segmented_gradient(const Tensor& x, int segments) {
  keras::GradientTape tape;
  tape.watch(x);
  Tensor y = x;
  if (segments == 0) {
    y = chain(y, 40);
  } else {
    for (int s = 0; s < segments; ++s)
      y = core::remat_call([&](const std::vector<Tensor>& in) { return std::vector<Tensor>{chain(in[0], 40 / segments)}; },
                           {y})[0];
  }
  return tape.gradient(ops::sum(y), x);
}

// segmented_gradient, and the host allocator's peak above what was in use before, in bytes.
std::pair<Tensor, size_t> chain_gradient(const Tensor& x, int segments) {
  keras::host::reset_peak_memory_stats();
  const size_t before = keras::host::memory_stats().bytes_in_use;
  Tensor g = segmented_gradient(x, segments);
  return {g, keras::host::memory_stats().peak_bytes_in_use - before};
}

// Counts its calls: y = x * w (one weight).
class Counting : public layers::Layer {
 public:
  explicit Counting(const std::string& name = "") : Layer("Counting", {.name = name}) {}
  int calls = 0;
  keras::Variable w;
  void build(const layers::ShapeSpec& s) override {
    w = add_weight("w", Shape{s.back()}, {.initializer = keras::initializers::get("ones")});
  }
  std::vector<layers::ShapeSpec> compute_output_shape(const std::vector<layers::ShapeSpec>& s) override { return s; }
  Tensor call(const Tensor& x, bool) override {
    ++calls;
    return ops::multiply(x, w.value());
  }
};

// A model whose steps touch state: batch statistics, a seeded dropout, a regularizer.
keras::Ref<keras::SequentialModel> stateful_model(int seed, bool seeded_dropout = true) {
  ops::set_random_seed(seed);
  return keras::Sequential({layers::Dense(16, {.activation = "gelu", .kernel_regularizer = "l2", .input_shape = {6}}),
                            layers::BatchNormalization(),
                            layers::Dropout(0.3, {.seed = seeded_dropout ? 5 : -1}),
                            layers::Dense(3, {.activation = "softmax"})});
}
}  // namespace

TEST_CASE("remat: the plain gradients, f run again once for them, and nothing extra without a tape") {
  keras::Variable w(make(uniform(12, -1, 1, 3), {3, 4}), "w");
  int runs = 0;
  auto f = [&](const Tensor& x) {
    ++runs;
    return ops::tanh(ops::matmul(ops::sin(x), w.value()));
  };
  auto block = keras::remat(f);
  const Tensor x = make(uniform(6, -1, 1, 4), {2, 3});

  Tensor plain_y;
  std::vector<Tensor> plain;
  {
    keras::GradientTape tape;
    tape.watch(x);
    plain_y = f(x);
    plain = tape.gradient(ops::sum(ops::square(plain_y)), std::vector<Tensor>{x, w.current()});
  }
  runs = 0;
  keras::GradientTape tape;
  tape.watch(x);
  const Tensor y = block(x);
  CHECK(runs == 1);
  check_values(y, values(plain_y));
  const Tensor loss = ops::sum(ops::square(y));
  auto dx = tape.gradient(loss, std::vector<Tensor>{x, w.current()});
  CHECK(runs == 2);  // once more, for the gradient
  check_values(dx[0], values(plain[0]), 1e-6);
  check_values(dx[1], values(plain[1]), 1e-6);

  runs = 0;
  check_values(block(x), values(plain_y));  // no tape: f once
  CHECK(runs == 1);

  // The gradient with respect to the variable itself (watched on read, as a plain read is).
  keras::GradientTape vt;
  Tensor gw = vt.gradient(ops::sum(ops::square(block(x))), w);
  check_values(gw, values(plain[1]), 1e-6);
}

TEST_CASE("remat: several outputs, one unused; second-order gradients through the recomputation") {
  auto two = keras::remat([](const std::vector<Tensor>& in) {
    return std::vector<Tensor>{ops::multiply(in[0], in[1]), ops::exp(in[0])};
  });
  const Tensor a = core::constant({0.5, -1.0}), b = core::constant({2.0, 3.0});
  {
    keras::GradientTape tape;
    tape.watch(a);
    tape.watch(b);
    auto out = two({a, b});
    auto g = tape.gradient(ops::sum(out[0]), std::vector<Tensor>{a, b});  // exp(a) unused
    check_values(g[0], std::vector<double>{2, 3});
    check_values(g[1], std::vector<double>{0.5, -1});
  }
  // d2/dx2 of x^3 = 6x, with the cube rematerialized.
  auto cube = keras::remat([](const Tensor& x) { return ops::multiply(ops::multiply(x, x), x); });
  const Tensor x = core::constant({1.0, -2.0, 0.5});
  keras::GradientTape outer;
  outer.watch(x);
  Tensor g;
  {
    keras::GradientTape inner;
    inner.watch(x);
    g = inner.gradient(ops::sum(cube(x)), x);
  }
  check_values(g, std::vector<double>{3, 12, 0.75});
  check_values(outer.gradient(ops::sum(g), x), std::vector<double>{6, -12, 3});
}

TEST_CASE("remat: a chain in segments keeps less at its peak, eager and traced, with the same gradient") {
  const Tensor x = make(uniform(1 << 18, -1, 1, 9), {1 << 18});  // 1 MiB a value
  auto [plain, plain_peak] = chain_gradient(x, 0);
  auto [seg, seg_peak] = chain_gradient(x, 4);
  check_values(seg, values(plain), 1e-6);
  MESSAGE("eager peak: plain " << plain_peak << " bytes, 4 segments " << seg_peak);
  CHECK(seg_peak < plain_peak * 0.5);

  // Traced: the recomputation waits for the output gradient (optimization_barrier), so the
  // graph frees the forward values; without the barrier the graph would merge both runs.
  for (int segments : {0, 4}) {
    auto step = keras::function([segments](const Tensor& v) { return segmented_gradient(v, segments); });
    step(x);  // traced, then run
    keras::host::reset_peak_memory_stats();
    const size_t before = keras::host::memory_stats().bytes_in_use;
    Tensor g = step(x);
    const size_t peak = keras::host::memory_stats().peak_bytes_in_use - before;
    check_values(g, values(plain), 1e-6);
    MESSAGE("traced peak with " << segments << " segments: " << peak << " bytes");
    if (segments == 0) plain_peak = peak;
    else CHECK(peak < plain_peak * 0.5);
    if (segments == 4) CHECK(step.graph_str().find("optimization_barrier") != std::string::npos);
  }
}

TEST_CASE("remat: the second run sees the first run's variables and draws") {
  // An assignment in f is made once, and the second run reads the value f first read.
  keras::Variable count(core::constant(0.0f), "count");
  auto f = keras::remat([&](const Tensor& x) {
    Tensor y = ops::multiply(x, ops::add(count.value(), ops::scalar_like(x, 1.0)));
    count.assign_add(core::constant(1.0f));
    return y;
  });
  const Tensor x = core::constant({1.0f, 2.0f});
  keras::GradientTape tape;
  tape.watch(x);
  check_values(f(x), std::vector<float>{1, 2});
  check_values(tape.gradient(ops::sum(f(x)), x), std::vector<float>{2, 2});  // read 1 in both runs of the second call
  check_values(count.value(), std::vector<float>{2});                         // two calls, two assignments

  // Unseeded random draws: the gradient's zeros are the output's (the same mask twice).
  for (bool traced : {false, true}) {
    auto drop = layers::Dropout(0.5);
    auto grad_of = [&](const Tensor& v) {
      keras::GradientTape t;
      t.watch(v);
      Tensor y = keras::remat([&](const Tensor& in) { return (*drop)(in, true); })(v);
      return std::vector<Tensor>{y, t.gradient(ops::sum(y), v)};
    };
    const Tensor v = ops::ones({64});
    std::vector<Tensor> yg;
    if (traced) {
      auto fn = keras::function([&](const Tensor& in) { return grad_of(in); });
      yg = fn(v);
    } else {
      yg = grad_of(v);
    }
    check_values(yg[1], values(yg[0]));  // y = mask * 2 = dy/dx
    const auto ys = values(yg[0]);
    int zeros = 0;
    for (double e : ys) zeros += e == 0;
    CHECK(zeros > 10);
    CHECK(zeros < 54);
  }
}

TEST_CASE("RematScope: the mode at a layer's construction; nesting; None; bad modes") {
  CHECK_FALSE(keras::get_current_remat_mode().has_value());
  auto outside = layers::Dense(2);
  CHECK(outside->remat_mode() == nullptr);
  {
    keras::RematScope full;
    REQUIRE(keras::get_current_remat_mode().has_value());
    CHECK(*keras::get_current_remat_mode()->mode == "full");
    auto inside = layers::Dense(2);
    REQUIRE(inside->remat_mode() != nullptr);
    CHECK(*inside->remat_mode()->mode == "full");
    {
      keras::RematScope larger("larger_than", 512);
      CHECK(keras::get_current_remat_mode()->output_size_threshold == 512);
      {
        keras::RematScope none(std::nullopt);
        CHECK_FALSE(keras::get_current_remat_mode()->mode.has_value());
        CHECK(layers::Dense(2)->remat_mode() == nullptr);  // None: no rematerialization
      }
    }
    CHECK(*keras::get_current_remat_mode()->mode == "full");
  }
  CHECK_FALSE(keras::get_current_remat_mode().has_value());
  CHECK_THROWS_MSG(keras::RematScope("all"), std::invalid_argument,
                   "RematScope: invalid mode 'all'; supported modes are 'full', 'activations', 'larger_than', "
                   "'list_of_layers', or std::nullopt (None)");
}

TEST_CASE("RematScope: which calls each mode rematerializes") {
  const Tensor x = ops::ones({4, 8});
  // Runs layer(x) under a tape and takes the gradient; returns how often call() ran.
  auto calls_with_gradient = [&](keras::Ref<Counting> layer) {
    layer->calls = 0;
    keras::GradientTape tape;
    tape.watch(x);
    Tensor y = (*layer)(x);
    tape.gradient(ops::sum(y), x);
    return layer->calls;
  };
  {
    keras::RematScope scope("full");
    auto a = layers::make<Counting>();
    CHECK(calls_with_gradient(a) == 2);
    a->calls = 0;
    (*a)(x);  // no tape: plain
    CHECK(a->calls == 1);
  }
  {
    keras::RematScope scope("list_of_layers", 1024, {"picked"});
    auto picked = layers::make<Counting>("picked");
    auto other = layers::make<Counting>("other");
    CHECK(calls_with_gradient(picked) == 2);
    CHECK(calls_with_gradient(other) == 1);
  }
  {
    // A layer that lives only for the call: the tape's node keeps it for the recomputation.
    keras::RematScope scope("full");
    keras::GradientTape tape;
    tape.watch(x);
    const Tensor y = (*layers::make<Counting>())(x);
    check_values(tape.gradient(ops::sum(y), x), std::vector<float>(32, 1.0f));
  }
  {
    keras::RematScope scope("larger_than", 31);  // x: 32 elements
    auto big = layers::make<Counting>();
    CHECK(calls_with_gradient(big) == 2);
  }
  {
    keras::RematScope scope("larger_than", 32);
    auto small = layers::make<Counting>();
    CHECK(calls_with_gradient(small) == 1);
  }
  {
    // "activations": the activation of a layer that has one runs again, the layer's call not.
    int activation_runs = 0;
    keras::activations::Activation counted("counted", [&](const Tensor& v) {
      ++activation_runs;
      return ops::tanh(v);
    });
    keras::RematScope scope("activations");
    auto dense = layers::Dense(3, {.activation = counted});
    auto counting = layers::make<Counting>();
    keras::GradientTape tape;
    tape.watch(x);
    Tensor y = (*dense)(x);
    tape.gradient(ops::sum(y), x);
    CHECK(activation_runs == 2);
    CHECK(calls_with_gradient(counting) == 1);  // no activation: plain
  }
}

TEST_CASE("RematScope(\"full\"): fit trains to the plain model's weights, eager and traced") {
  auto [x, y] = classes(64);
  for (bool eager : {true, false}) {
    CAPTURE(eager);
    auto plain = stateful_model(3);
    keras::Ref<keras::SequentialModel> remat;
    {
      keras::RematScope scope("full");
      remat = stateful_model(3);
    }
    for (auto& m : {plain, remat}) {
      m->compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy", .run_eagerly = eager});
      m->fit(x, y, {.batch_size = 16, .epochs = 2, .verbose = 0, .shuffle = false});
    }
    const auto a = plain->get_weights(), b = remat->get_weights();
    REQUIRE(a.size() == b.size());
    for (size_t i = 0; i < a.size(); ++i) check_values(b[i], values(a[i]), 1e-5);  // moving statistics too
  }
  // An unseeded dropout under remat still trains (its masks are its own, drawn once a step).
  keras::RematScope scope("full");
  auto m = stateful_model(4, /*seeded_dropout=*/false);
  m->compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy"});
  auto h = m->fit(x, y, {.batch_size = 16, .epochs = 3, .verbose = 0});
  CHECK(h.history.at("loss").back() < h.history.at("loss").front());
}

TEST_CASE("remat: a mixed-precision layer recomputes with its float32 weights cast as in the first run") {
  const Tensor x = make(uniform(24, -1, 1, 5), {4, 6});
  std::vector<std::vector<Tensor>> grads;
  for (bool remat : {false, true}) {
    ops::set_random_seed(2);
    std::optional<keras::RematScope> scope;
    if (remat) scope.emplace("full");
    auto dense = layers::Dense(5, {.activation = "gelu", .dtype = keras::mixed_precision::DTypePolicy("mixed_bfloat16")});
    scope.reset();
    keras::GradientTape tape;
    Tensor y = (*dense)(x);
    CHECK(y.dtype() == DType::bfloat16);
    grads.push_back(tape.gradient(ops::sum(ops::cast(y, DType::float32)), dense->trainable_weights()));
  }
  REQUIRE(grads[1].size() == 2);
  for (size_t i = 0; i < 2; ++i) {
    CHECK(grads[1][i].dtype() == DType::float32);
    check_values(grads[1][i], values(grads[0][i]));
  }
}

TEST_CASE("remat: inside stateless_call, the gradients with respect to the given weights are the plain ones") {
  auto [x, y] = classes(16);
  std::vector<std::vector<Tensor>> grads;
  for (bool remat : {false, true}) {
    std::optional<keras::RematScope> scope;
    if (remat) scope.emplace("full");
    auto m = stateful_model(7);
    scope.reset();
    (*m)(x);  // built
    std::vector<Tensor> tv, ntv;
    for (const auto& v : m->trainable_weights()) tv.push_back(ops::multiply(v.value(), ops::scalar_like(v.value(), 0.5)));
    for (const auto& v : m->non_trainable_variables()) ntv.push_back(v.value());
    keras::GradientTape tape;
    for (const Tensor& t : tv) tape.watch(t);
    auto r = m->stateless_call(tv, ntv, {x}, {.training = false});
    grads.push_back(tape.gradient(ops::sum(ops::square(r.outputs[0])), tv));
  }
  REQUIRE(grads[0].size() == grads[1].size());
  for (size_t i = 0; i < grads[0].size(); ++i) {
    REQUIRE(grads[1][i].defined());
    check_values(grads[1][i], values(grads[0][i]), 1e-6);
  }
}

TEST_CASE("remat: a traced function called inside reads and assigns as the call's own code would") {
  keras::Variable w(make(uniform(12, -1, 1, 8), {3, 4}), "w");
  keras::Variable calls(core::constant(0.0f), "calls", /*trainable=*/false);
  auto inner = keras::function([&](const Tensor& x) {
    calls.assign_add(core::constant(1.0f));
    return ops::tanh(ops::matmul(x, ops::multiply(w.value(), ops::add(calls.value(), ops::scalar_like(w.value(), 0.0)))));
  });
  const Tensor x = make(uniform(6, -1, 1, 2), {2, 3});
  inner(x);  // traced (calls = 1)
  Tensor plain;
  {
    calls.assign(core::constant(1.0f));
    keras::GradientTape tape;
    plain = tape.gradient(ops::sum(inner(x)), w);  // calls = 2 in the graph
  }
  calls.assign(core::constant(1.0f));
  auto f = keras::remat([&](const Tensor& v) { return inner(v); });
  keras::GradientTape tape;
  Tensor g = tape.gradient(ops::sum(f(x)), w);
  REQUIRE(g.defined());
  check_values(g, values(plain), 1e-6);
  check_values(calls.value(), std::vector<float>{2});  // assigned once: the second run's assignment dropped
}
