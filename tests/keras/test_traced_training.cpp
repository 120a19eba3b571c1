// test_traced_training.cpp - fit / evaluate / predict with traced steps (the default):
// the same results as run_eagerly, one trace per input signature, dynamic layers, custom
// train steps, and training state (learning rate, iterations, random seeds, constraints)
// read and changed by ops.
#include "helpers.h"
#include "keras/keras.h"

using namespace th;
namespace layers = keras::layers;

namespace {
std::pair<Tensor, Tensor> regression_data(int64_t n) {
  auto xv = uniform(n * 4, -1, 1, 11);
  std::vector<double> yv(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) yv[size_t(i)] = xv[size_t(4 * i)] - 2 * xv[size_t(4 * i + 1)] + 0.5;
  return {make(xv, Shape{n, 4}), make(yv, Shape{n, 1})};
}

keras::Ref<keras::SequentialModel> small_model(bool eager, uint64_t seed = 5) {
  ops::set_random_seed(seed);
  auto m = keras::Sequential({layers::Dense(8, {.activation = "relu", .input_shape = {4}}),
                              layers::Dropout(0.25, {.seed = 3}), layers::Dense(1)});
  m->compile({.optimizer = keras::optimizers::Adam({.learning_rate = 0.01}), .loss = "mse", .metrics = {"mae"},
              .run_eagerly = eager});
  return m;
}

// Counts its own train_step calls (a C++ side effect: once per trace when traced).
class CountingModel : public keras::Model {
 public:
  CountingModel() : keras::Model({}, "CountingModel") { dense = track(layers::Dense(1)); }
  Tensor call(const Tensor& x, bool training) override { return dense(x, training); }
  Tensor train_step(const std::vector<Tensor>& x, const std::vector<Tensor>& y, const Tensor& sw) override {
    ++steps;
    return keras::Model::train_step(x, y, sw);
  }
  keras::Ref<layers::DenseLayer> dense;
  int steps = 0;
};

// Scales its input by 1 / max|x|: C++ reads the value, so the layer is dynamic.
class MaxAbsScale : public layers::Layer {
 public:
  MaxAbsScale() : Layer("MaxAbsScale", {.dynamic = true}) {}
  Tensor call(const Tensor& x, bool) override {
    const float m = ops::max(ops::abs(x)).item<float>();
    return m > 0 ? ops::multiply(x, ops::scalar_like(x, 1.0 / m)) : x;
  }
};
}  // namespace

TEST_CASE("traced fit: the same weights, losses and metrics as run_eagerly, with one trace") {
  auto [x, y] = regression_data(96);
  auto traced = small_model(false), eager = small_model(true);
  keras::FitOptions o{.batch_size = 16, .epochs = 3, .verbose = 0, .validation_data = {x, y}, .seed = 2};
  auto ht = traced->fit(x, y, o);
  auto he = eager->fit(x, y, o);
  CHECK(same_bits(traced->get_weights(), eager->get_weights()));  // Dropout masks included
  CHECK(ht.history["loss"] == he.history["loss"]);
  CHECK(ht.history["val_mae"] == he.history["val_mae"]);
  REQUIRE(traced->train_function());
  CHECK(traced->train_function()->tracing_count() == 1);  // 6 full batches, 3 epochs
  CHECK(traced->test_function()->tracing_count() == 1);
  CHECK(!eager->train_function());
  CHECK(traced->traced_steps());
  CHECK(!eager->traced_steps());
  traced->fit(x, y, o);  // another fit: no new trace
  CHECK(traced->train_function()->tracing_count() == 1);
  CHECK(traced->optimizer()->iterations() == 36);
  check_values(traced->predict(x, {.batch_size = 32}), values(traced->predict(x, {.batch_size = 32, .steps = -1})), 0);
  // The graph holds the step's state changes: optimizer updates and the iteration count.
  const std::string g = traced->train_function()->graph_str();
  CHECK(g.find("apply_adam") != std::string::npos);
  CHECK(g.find("random_uniform") != std::string::npos);
  // Both Dense layers' forward passes are fused_matmul nodes (matmul + bias [+ relu]).
  size_t fused = 0;
  for (size_t p = g.find("fused_matmul("); p != std::string::npos; p = g.find("fused_matmul(", p + 1)) ++fused;
  CHECK(fused == 2);
}

TEST_CASE("traced fit: a custom train_step is traced once; a dynamic layer keeps the model eager") {
  auto [x, y] = regression_data(64);
  auto m = keras::make<CountingModel>();
  m->compile({.optimizer = "sgd", .loss = "mse"});
  m->fit(x, y, {.batch_size = 16, .epochs = 2, .verbose = 0});
  CHECK(m->steps == 1);  // 8 steps ran the traced graph
  CHECK(m->train_function()->tracing_count() == 1);

  auto d = keras::Sequential({layers::Dense(4, {.input_shape = {4}}), keras::make<MaxAbsScale>(), layers::Dense(1)});
  d->compile({.optimizer = "sgd", .loss = "mse"});
  CHECK(!d->traced_steps());
  auto h = d->fit(x, y, {.batch_size = 16, .epochs = 1, .verbose = 0});
  CHECK(h.history["loss"].size() == 1);
  CHECK(!d->train_function());
}

TEST_CASE("keras::function: a dynamic layer inside runs as a host_function node at every call") {
  auto scale = keras::make<MaxAbsScale>();
  auto f = keras::function([&](const Tensor& x) { return (*scale)(x, false); });
  check_values(f(core::constant({{2.0f, -4.0f}})), std::vector<float>{0.5f, -1.0f});
  check_values(f(core::constant({{1.0f, 0.5f}})), std::vector<float>{1.0f, 0.5f});
  CHECK(f.tracing_count() == 1);
  CHECK(f.graph_str().find("host_function(") != std::string::npos);
}

TEST_CASE("traced fit: the learning rate is a variable the graph reads (set_learning_rate, no retrace)") {
  auto [x, y] = regression_data(32);
  auto m = small_model(false);
  m->fit(x, y, {.batch_size = 16, .epochs = 1, .verbose = 0});
  const std::vector<Tensor> before = m->get_weights();
  m->optimizer()->set_learning_rate(0.0);
  m->fit(x, y, {.batch_size = 16, .epochs = 1, .verbose = 0});
  CHECK(same_bits(m->get_weights(), before));  // Adam with lr 0 leaves the weights
  CHECK(m->train_function()->tracing_count() == 1);
  CHECK(m->optimizer()->learning_rate() == 0.0);
  // A schedule is evaluated from the iteration count inside the graph.
  auto sched = keras::optimizers::ExponentialDecay(0.1, 1, 0.5);
  auto opt = keras::optimizers::SGD({.learning_rate = sched});
  CHECK(opt->current_learning_rate().item<double>() == doctest::Approx(0.1));
  opt->set_iterations(3);
  CHECK(opt->current_learning_rate().item<double>() == doctest::Approx(0.0125));
  CHECK(opt->learning_rate() == doctest::Approx(0.0125));
}

TEST_CASE("apply_gradients applies the variables' constraints (custom training loops included)") {
  auto dense = layers::Dense(3, {.kernel_constraint = "non_neg", .input_shape = {2}});
  auto model = keras::Sequential({dense});
  model->build({-1, 2});
  auto opt = keras::optimizers::SGD({.learning_rate = 1.0});
  Tensor x = core::constant({{1.0f, 1.0f}});
  auto step = keras::function([&](const Tensor& in) {
    core::GradientTape tape;
    Tensor loss = ops::sum((*model)(in, true));  // d loss / d kernel = 1: SGD makes it negative
    auto grads = tape.gradient(loss, model->trainable_weights());
    opt->apply_gradients(grads, model->trainable_weights());
  });
  step(x);
  step(x);
  for (double w : values(dense->kernel.value())) CHECK(w >= 0.0);
  CHECK(opt->iterations() == 2);
}

TEST_CASE("compute_output_shape traces the layer symbolically: its state does not change") {
  struct Counting : layers::Layer {
    Counting() : Layer("Counting") {}
    void build(const layers::ShapeSpec&) override { calls = core::Variable(core::constant(0.0f), "calls", false); }
    Tensor call(const Tensor& x, bool) override {
      calls.assign_add(core::constant(1.0f));
      return ops::concat({x, x}, -1);
    }
    core::Variable calls;
  };
  auto layer = keras::make<Counting>();
  auto in = keras::Input({3});
  auto out = (*layer)(in);
  CHECK(out.shape() == layers::ShapeSpec{-1, 6});
  CHECK(layer->calls.value().item<float>() == 0.0f);  // the symbolic call ran nothing
  (*layer)(ops::ones({2, 3}), false);
  CHECK(layer->calls.value().item<float>() == 1.0f);
}

TEST_CASE("traced fit: a label out of range raises the eager error, from a check node in the graph") {
  auto m = keras::Sequential({layers::Dense(3, {.input_shape = {2}})});
  const Tensor x = ops::ones({4, 2}), y = core::constant({0, 1, 7, 2});
  const char* msg = "sparse_categorical_crossentropy: expected class labels in [0, 3) for y_pred with 3 classes "
                    "(shape (4, 3)), but received label 7 at flat index 2 of y_true";
  for (bool eager : {true, false}) {
    CAPTURE(eager);
    m->compile({.optimizer = "sgd", .loss = "sparse_categorical_crossentropy", .metrics = {"accuracy"},
                .run_eagerly = eager});
    CHECK_THROWS_MSG(m->fit(x, y, {.batch_size = 4, .verbose = 0, .shuffle = false}), std::invalid_argument, msg);
  }
  m->fit(x, core::constant({0, 1, 2, 2}), {.batch_size = 4, .verbose = 0});  // good labels train
  CHECK(m->train_function()->graph_str().find("check_elements(") != std::string::npos);
}

TEST_CASE("traced fit: a partial last batch relaxes the batch size, and one graph serves every size") {
  auto [x, y] = regression_data(100);  // batches of 32, 32, 32 and 4
  auto traced = small_model(false), eager = small_model(true);
  keras::FitOptions o{.batch_size = 32, .epochs = 3, .verbose = 0, .validation_data = {x, y}, .seed = 2};
  auto ht = traced->fit(x, y, o);
  auto he = eager->fit(x, y, o);
  CHECK(same_bits(traced->get_weights(), eager->get_weights()));  // Dropout masks included
  CHECK(ht.history["loss"] == he.history["loss"]);
  CHECK(ht.history["val_mae"] == he.history["val_mae"]);
  // The partial batch traced once more; its graph equals the first one but for the batch
  // size, so a single relaxed graph now serves every size (TensorFlow's reduce_retracing).
  CHECK(traced->train_function()->tracing_count() == 2);
  CHECK(traced->train_function()->num_graphs() == 1);
  traced->fit(x, y, {.batch_size = 10, .epochs = 1, .verbose = 0});  // sizes 10 and 0 .. 10
  traced->evaluate(x, y, {.batch_size = 7, .verbose = 0});
  CHECK(traced->train_function()->tracing_count() == 2);
  CHECK(traced->test_function()->num_graphs() == 1);
  // Nothing in the step's graph holds the traced batch size: counts are size ops.
  CHECK(traced->train_function()->graph_str().find("size(") != std::string::npos);
}

TEST_CASE("keras::function: jit_compile true refuses a host_function, false keeps ops unfused") {
  auto body = [](const Tensor& x) { return ops::multiply(ops::exp(ops::neg(x)), ops::scalar_like(x, 2.0)); };
  Tensor x = core::constant({{1.0f, 2.0f}});
  auto fused = keras::function(body);
  auto plain = keras::function(body, {.jit_compile = false});
  auto jit = keras::function(body, {.jit_compile = true});
  check_values(plain(x), values(fused(x)), 0);
  check_values(jit(x), values(fused(x)), 0);
  CHECK(fused.graph_str().find("fused_elementwise") != std::string::npos);
  CHECK(jit.graph_str().find("fused_elementwise") != std::string::npos);
  CHECK(plain.graph_str().find("fused_elementwise") == std::string::npos);
  auto scale = keras::make<MaxAbsScale>();  // dynamic: runs as a host_function node
  auto host = keras::function([&](const Tensor& t) { return (*scale)(t, false); }, {.jit_compile = true});
  CHECK_THROWS_WITH_AS(host(x), doctest::Contains("host_function"), std::invalid_argument);
  // compile(jit_compile = false): the traced steps keep their ops apart.
  auto [xs, ys] = regression_data(32);
  auto m = keras::Sequential({layers::Dense(4, {.activation = "relu", .input_shape = {4}}), layers::Dense(1)});
  m->compile({.optimizer = "sgd", .loss = "mse", .jit_compile = false});
  m->fit(xs, ys, {.batch_size = 16, .epochs = 1, .verbose = 0});
  CHECK(m->train_function()->graph_str().find("fused_matmul") == std::string::npos);
}

TEST_CASE("traced fit: recurrent layers relax the batch size (their zero states follow the batch)") {
  Tensor x = make(uniform(30 * 5 * 3, -1, 1, 4), Shape{30, 5, 3});
  Tensor y = make(uniform(30, -1, 1, 5), Shape{30, 1});
  for (int kind = 0; kind < 3; ++kind) {
    keras::layers::RecurrentOptions o;
    o.input_shape = {5, 3};
    auto rnn = kind == 0 ? layers::LSTM(4, o) : kind == 1 ? layers::GRU(4, o) : layers::SimpleRNN(4, o);
    auto m = keras::Sequential({rnn, layers::Dense(1)});
    m->compile({.optimizer = "adam", .loss = "mse"});
    m->fit(x, y, {.batch_size = 8, .epochs = 2, .verbose = 0});  // 8, 8, 8 and 6
    CAPTURE(kind);
    CHECK(m->train_function()->tracing_count() == 2);
    CHECK(m->train_function()->num_graphs() == 1);
    // The cell's states for a batch size known in C++: zeros of (batch, units).
    check_values(keras::layers::LSTMCell(3)->get_initial_state(2, DType::float32)[1], std::vector<double>(6, 0.0));
  }
}

TEST_CASE("traced fit: classifiers with BatchNormalization or convolutions relax the batch size too") {
  auto xv = uniform(50 * 8 * 8 * 2, -1, 1, 3);
  Tensor x = make(xv, Shape{50, 8, 8, 2});
  std::vector<double> yv(50);
  for (int i = 0; i < 50; ++i) yv[size_t(i)] = i % 3;
  Tensor y = ops::cast(make(yv, Shape{50}), DType::int64);
  auto a = keras::Sequential({layers::Flatten({.input_shape = {8, 8, 2}}), layers::Dense(8), layers::BatchNormalization(), layers::Dense(3, {.activation = "softmax"})});
  a->compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy", .metrics = {"accuracy"}});
  a->fit(x, y, {.batch_size = 16, .epochs = 2, .verbose = 0});
  CHECK(a->train_function()->tracing_count() == 2);  // batches of 16, then the partial 2
  CHECK(a->train_function()->num_graphs() == 1);
  auto c = keras::Sequential({layers::Conv2D(4, {3, 3}, {.activation = "relu", .input_shape = {8, 8, 2}}), layers::MaxPooling2D({2, 2}), layers::Flatten(), layers::Dense(3)});
  c->compile({.optimizer = "adam", .loss = keras::losses::SparseCategoricalCrossentropy({.from_logits = true}), .metrics = {"accuracy"}});
  c->fit(x, y, {.batch_size = 16, .epochs = 2, .verbose = 0});
  CHECK(c->train_function()->tracing_count() == 2);
  CHECK(c->train_function()->num_graphs() == 1);
  // The label check follows the batch too: a bad label in a batch of another size still
  // raises, naming that batch's shape.
  Tensor bad = ops::cast(make(std::vector<double>{0, 1, 7, 2, 1}, Shape{5}), DType::int64);
  CHECK_THROWS_WITH_AS(c->train_on_batch({ops::slice(x, {0, 0, 0, 0}, {5, 8, 8, 2})}, {bad}),
                       doctest::Contains("3 classes (shape (5, 3)), but received label 7 at flat index 2 of y_true"), std::invalid_argument);
}

TEST_CASE("traced fit: a CNN's conv + bias + relu run as fused_conv nodes and train as the unfused graph") {
  auto cnn = [](bool fuse) {
    ops::set_random_seed(7);
    auto m = keras::Sequential(
        {layers::Conv2D(4, {3, 3}, {.padding = "same", .activation = "relu", .input_shape = {6, 6, 2}}),
         layers::MaxPooling2D({2, 2}), layers::Conv2D(3, {2, 2}, {.activation = "relu"}), layers::Flatten(),
         layers::Dense(2)});
    m->compile({.optimizer = keras::optimizers::Adam({.learning_rate = 0.01}), .loss = "mse", .jit_compile = fuse});
    return m;
  };
  Tensor x = make(uniform(32 * 6 * 6 * 2, -1, 1, 21), Shape{32, 6, 6, 2}, DType::float32);
  Tensor y = make(uniform(32 * 2, -1, 1, 22), Shape{32, 2}, DType::float32);
  // Each model is built (its weights drawn) by its first fit, right after its seed.
  auto fused = cnn(true);
  auto hf = fused->fit(x, y, {.batch_size = 16, .epochs = 3, .verbose = 0});
  auto plain = cnn(false);
  auto hp = plain->fit(x, y, {.batch_size = 16, .epochs = 3, .verbose = 0});
  REQUIRE(hf.history["loss"].size() == 3);
  for (size_t e = 0; e < 3; ++e) CHECK(hf.history["loss"][e] == doctest::Approx(hp.history["loss"][e]).epsilon(1e-4));
  check_values(fused->predict(x), values(plain->predict(x)), 1e-4);
  const std::string g = fused->train_function()->graph_str();
  size_t n = 0;
  for (size_t p = g.find("fused_conv("); p != std::string::npos; p = g.find("fused_conv(", p + 1)) ++n;
  CHECK(n == 2);  // both Conv2D layers
  CHECK(g.find("= conv(") == std::string::npos);
  CHECK(plain->train_function()->graph_str().find("fused_conv(") == std::string::npos);
}
