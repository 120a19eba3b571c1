// test_stateless.cpp - StatelessScope, Layer::stateless_call, Optimizer::stateless_apply and
// the metrics' stateless functions: values read from the scope, updates kept in it, the
// variables left unchanged, and the same numbers as the stateful calls they stand for.
#include <string>

#include "helpers.h"
#include "keras/keras.h"

using namespace th;
namespace layers = keras::layers;
namespace optimizers = keras::optimizers;
namespace metrics = keras::metrics;

TEST_CASE("StatelessScope: reads give the scope's values, assignments stay in the scope") {
  keras::Variable a(core::constant({1.0f, 2.0f}), "a");
  keras::Variable b(core::constant({10.0f}), "b");
  CHECK_FALSE(keras::in_stateless_scope());
  {
    keras::StatelessScope scope({{a, core::constant({5.0, 6.0})}});  // float64, cast to a's dtype
    CHECK(keras::in_stateless_scope());
    check_values(a.value(), std::vector<float>{5, 6});
    CHECK(a.value().dtype() == DType::float32);
    a.assign_add(core::constant({1.0f, 1.0f}));
    check_values(a.value(), std::vector<float>{6, 7});
    check_values(scope.get_current_value(a), std::vector<float>{6, 7});
    CHECK_FALSE(scope.get_current_value(b).defined());  // not mapped, not assigned
    b.assign(core::constant({11.0f}));                  // an unmapped variable: into the scope too
    check_values(scope.get_current_value(b), std::vector<float>{11});
    {
      keras::StatelessScope inner;
      check_values(a.value(), std::vector<float>{1, 2});  // the innermost scope alone, as Keras: a's own value
      a.assign(core::constant({0.0f, 0.0f}));
      check_values(a.value(), std::vector<float>{0, 0});
      check_values(inner.get_current_value(a), std::vector<float>{0, 0});
    }
    check_values(a.value(), std::vector<float>{6, 7});  // the inner scope's update left with it
    CHECK_THROWS_MSG(a.assign(core::constant({1.0f})), std::invalid_argument,
                     "Variable 'a'.assign: expected a value of shape (2,) and dtype float32");
    CHECK_THROWS_MSG(scope.add_update(a, core::constant({1.0f, 2.0f, 3.0f})), std::invalid_argument,
                     "StatelessScope.add_update: the value for variable 'a' has shape (3,), but the variable's shape is (2,)");
  }
  CHECK_FALSE(keras::in_stateless_scope());
  check_values(a.value(), std::vector<float>{1, 2});  // the variables kept their values
  check_values(b.value(), std::vector<float>{10});
  CHECK_THROWS_MSG(keras::StatelessScope({{a, core::constant({1.0f})}}), std::invalid_argument,
                   "StatelessScope: the value for variable 'a' has shape (1,), but the variable's shape is (2,)");

  // Gradients flow through a read to the tensor the scope maps.
  Tensor t = core::constant({3.0f, -1.0f});
  keras::GradientTape tape;
  tape.watch(t);
  Tensor y;
  {
    keras::StatelessScope scope({{a, t}});
    y = ops::sum(ops::multiply(a.value(), a.value()));
  }
  check_values(tape.gradient(y, t), std::vector<float>{6, -2});
}

TEST_CASE("StatelessScope: a traced function reads and assigns the scope's values when it runs in one") {
  keras::Variable a(core::constant({1.0f, 2.0f}), "a");
  keras::Variable count(core::constant(0.0f), "count");
  auto f = keras::function([&](const Tensor& x) {
    count.assign_add(ops::sum(x));
    return ops::multiply(x, a.value());
  });
  const Tensor x = core::constant({1.0f, 1.0f});
  check_values(f(x), std::vector<float>{1, 2});  // traced outside any scope
  {
    keras::StatelessScope scope({{a, core::constant({3.0f, 4.0f})}});
    check_values(f(x), std::vector<float>{3, 4});
    check_values(scope.get_current_value(count), std::vector<float>{4});  // 2 (first call) + 2
  }
  check_values(count.value(), std::vector<float>{2});  // only the call outside the scope counted
  CHECK(f.tracing_count() == 1);

  // An optimizer's update in place cannot be traced inside a scope.
  auto sgd = optimizers::SGD({.learning_rate = 0.1});
  auto step = keras::function([&](const Tensor& g) {
    sgd->apply_gradients({g}, {a});
    return a.value();
  });
  keras::StatelessScope scope;
  CHECK_THROWS_MSG(step(x), std::invalid_argument, "updates a variable in place, which cannot be traced inside a StatelessScope");
}

namespace {
keras::Ref<keras::SequentialModel> small_model(int seed) {
  ops::set_random_seed(seed);
  return keras::Sequential({layers::Dense(4, {.activation = "relu", .kernel_regularizer = "l2", .input_shape = {3}}),
                            layers::BatchNormalization(), layers::Dense(2)});
}
std::vector<Tensor> values_of(const std::vector<keras::Variable>& vs) {
  std::vector<Tensor> out;
  for (const auto& v : vs) out.push_back(v.value());
  return out;
}
}  // namespace

TEST_CASE("Layer::stateless_call: the call on given weights, the variables unchanged, their updates returned") {
  auto model = small_model(3);
  auto twin = small_model(4);  // other weights: what stateless_call is given
  const Tensor x = make(uniform(15, -1, 1, 2), Shape{5, 3});
  const std::vector<Tensor> before = model->get_weights();
  const std::vector<Tensor> tv = values_of(twin->trainable_weights()), ntv = values_of(twin->non_trainable_weights());

  keras::layers::StatelessCallResult r = model->stateless_call(tv, ntv, {x}, {.training = true}, /*return_losses=*/true);
  const Tensor want = (*twin)(x, true);  // the stateful call on those weights updates twin's statistics
  REQUIRE(r.outputs.size() == 1);
  check_values(r.outputs[0], values(want));
  REQUIRE(r.non_trainable_variables.size() == 2);  // the moving mean and variance, updated
  check_values(r.non_trainable_variables[0], values(twin->non_trainable_weights()[0].value()));
  check_values(r.non_trainable_variables[1], values(twin->non_trainable_weights()[1].value()));
  CHECK(values(r.non_trainable_variables[0]) != values(ntv[0]));
  const std::vector<Tensor> want_losses = twin->losses();
  REQUIRE(r.losses.size() == want_losses.size());
  for (size_t i = 0; i < r.losses.size(); ++i) check_values(r.losses[i], values(want_losses[i]));
  CHECK(same_bits(model->get_weights(), before));  // the model's own weights are untouched

  CHECK_THROWS_MSG(model->stateless_call({tv[0]}, ntv, {x}), std::invalid_argument,
                   "Argument `trainable_variables` must be a list of tensors corresponding 1:1 to "
                   "Sequential().trainable_variables. Received list with length 1, but expected 6 variables.");
  CHECK_THROWS_MSG(model->stateless_call(tv, {}, {x}), std::invalid_argument,
                   "Argument `non_trainable_variables` must be a list");
  auto unbuilt = layers::Dense(2);
  CHECK_THROWS_MSG(unbuilt->stateless_call({}, {}, {x}), std::invalid_argument,
                   "To call stateless_call, Dense must be built");
}

TEST_CASE("stateless_call + stateless_apply: a functional training loop trains as fit's steps do") {
  auto model = small_model(5);
  auto twin = small_model(5);  // the same weights, trained statefully
  auto opt = optimizers::Adam({.learning_rate = 0.01});
  auto twin_opt = optimizers::Adam({.learning_rate = 0.01});
  opt->build_variables(model->trainable_weights());
  const Tensor x = make(uniform(24, -1, 1, 7), Shape{8, 3});
  const Tensor y = make(uniform(16, -1, 1, 8), Shape{8, 2});
  const std::vector<Tensor> before = model->get_weights();

  std::vector<Tensor> tv = values_of(model->trainable_weights()), ntv = values_of(model->non_trainable_weights());
  std::vector<Tensor> ov = values_of(opt->variables());
  for (int step = 0; step < 3; ++step) {
    keras::GradientTape tape;
    for (Tensor& t : tv) tape.watch(t);
    auto r = model->stateless_call(tv, ntv, {x}, {.training = true});
    Tensor loss = ops::mean(ops::square(ops::subtract(r.outputs[0], y)));
    std::vector<Tensor> grads = tape.gradient(loss, tv);
    auto [new_tv, new_ov] = opt->stateless_apply(ov, grads, tv);
    tv = new_tv;
    ov = new_ov;
    ntv = r.non_trainable_variables;

    keras::GradientTape t2;
    Tensor l2 = ops::mean(ops::square(ops::subtract((*twin)(x, true), y)));
    twin_opt->apply_gradients(t2.gradient(l2, twin->trainable_weights()), twin->trainable_weights());
  }
  const auto want_tv = values_of(twin->trainable_weights()), want_ntv = values_of(twin->non_trainable_weights());
  for (size_t i = 0; i < tv.size(); ++i) check_values(tv[i], values(want_tv[i]), 1e-5);
  for (size_t i = 0; i < ntv.size(); ++i) check_values(ntv[i], values(want_ntv[i]), 1e-5);
  check_values(ov[0], std::vector<double>{3});  // the iteration count
  const auto want_ov = values_of(twin_opt->variables());
  for (size_t i = 1; i < ov.size(); ++i) check_values(ov[i], values(want_ov[i]), 1e-5);
  CHECK(same_bits(model->get_weights(), before));  // nothing changed in place
  CHECK(opt->iterations() == 0);

  CHECK_THROWS_MSG(opt->stateless_apply({}, {}, tv), std::invalid_argument,
                   "Argument `optimizer_variables` must be a list of tensors corresponding 1:1 to Adam().variables");
  auto fresh = optimizers::SGD({.learning_rate = 0.1});
  CHECK_THROWS_MSG(fresh->stateless_apply({}, {}, {}), std::invalid_argument, "To call `stateless_apply`, SGD must be built");
}

TEST_CASE("stateless_apply threads use_ema's averages and the gradient accumulators") {
  // Keras's stateless_apply maps optimizer.variables, which hold both: the stateless steps
  // equal apply_gradients' on a twin, the averages and accumulators included.
  for (bool ema : {true, false}) {
    CAPTURE(ema);
    optimizers::SGDOptions o{.learning_rate = 0.1, .momentum = 0.5};
    if (ema) o.use_ema = true, o.ema_momentum = 0.9, o.ema_overwrite_frequency = 2;
    else o.gradient_accumulation_steps = 2;
    auto opt = optimizers::SGD(o), twin_opt = optimizers::SGD(o);
    keras::Variable w(make({1.0, -2.0, 0.5}, Shape{3}), "w"), twin(make({1.0, -2.0, 0.5}, Shape{3}), "w");
    opt->build_variables({w});
    std::vector<Tensor> tv = {w.value()}, ov = values_of(opt->variables());
    CHECK(ov.size() == 3);  // iteration, average or accumulator, momentum
    for (int step = 0; step < 5; ++step) {
      const Tensor g = make({0.3 * step - 0.5, 0.2, -0.1 * step}, Shape{3});
      auto r = opt->stateless_apply(ov, {g}, tv);
      tv = r.trainable_variables;
      ov = r.optimizer_variables;
      twin_opt->apply_gradients({g}, {twin});
    }
    check_values(tv[0], values(twin.value()), 1e-6);
    const auto want = values_of(twin_opt->variables());
    for (size_t i = 0; i < ov.size(); ++i) check_values(ov[i], values(want[i]), 1e-6);
    check_values(w.value(), std::vector<double>{1.0, -2.0, 0.5});  // nothing changed in place
    CHECK(opt->iterations() == 0);
  }
}

TEST_CASE("Layer::variables: the weights and the generators' states in Keras's order; stateless_call threads them") {
  // Keras 3: [dense/kernel, dense/bias, seed_generator_state, gamma, beta, moving_mean,
  // moving_variance, seed_generator_state]; the unseeded Dropout has a generator too.
  auto model = keras::Sequential({layers::Dense(3, {.input_shape = {4}}), layers::Dropout(0.5, {.seed = 1}),
                                  layers::BatchNormalization(), layers::Dropout(0.3)});
  auto names = [](const std::vector<keras::Variable>& vs) {
    std::vector<std::string> out;
    for (const auto& v : vs) out.push_back(v.name().substr(v.name().rfind('/') + 1));  // Keras's name: no layer
    return out;
  };
  CHECK(names(model->variables()) == std::vector<std::string>{"kernel", "bias", "seed_generator_state", "gamma", "beta",
                                                              "moving_mean", "moving_variance", "seed_generator_state"});
  CHECK(model->weights().size() == 6);  // weights leave the generators out
  CHECK(names(model->non_trainable_variables()) ==
        std::vector<std::string>{"seed_generator_state", "moving_mean", "moving_variance", "seed_generator_state"});
  CHECK(names(model->trainable_variables()) == names(model->trainable_weights()));
  model->layers()[0]->set_trainable(false);
  CHECK(names(model->trainable_variables()) == std::vector<std::string>{"gamma", "beta"});
  CHECK(model->non_trainable_variables().size() == 6);

  // A seeded Dropout: the same state gives the same mask, the returned state the next one,
  // and the layer's own generator does not move.
  auto d = layers::Dropout(0.5, {.seed = 3});
  const Tensor x = ops::ones({4, 8});
  (*d)(x);  // builds
  REQUIRE(d->non_trainable_variables().size() == 1);
  const std::vector<Tensor> state = values_of(d->non_trainable_variables());
  auto r1 = d->stateless_call({}, state, {x}, {.training = true});
  auto r2 = d->stateless_call({}, state, {x}, {.training = true});
  auto r3 = d->stateless_call({}, r1.non_trainable_variables, {x}, {.training = true});
  CHECK(same_bits({r1.outputs[0]}, {r2.outputs[0]}));
  CHECK_FALSE(same_bits({r1.outputs[0]}, {r3.outputs[0]}));
  check_values(r1.non_trainable_variables[0], std::vector<double>{1});
  check_values(r3.non_trainable_variables[0], std::vector<double>{2});
  CHECK(d->seed_generator_state() == 0);
  // The stateful calls draw the same masks, in the same order.
  check_values((*d)(x, true), values(r1.outputs[0]));
  check_values((*d)(x, true), values(r3.outputs[0]));
  CHECK_THROWS_MSG(d->stateless_call({}, {}, {x}), std::invalid_argument,
                   "Argument `non_trainable_variables` must be a list of tensors corresponding 1:1 to "
                   "Dropout().non_trainable_variables. Received list with length 0, but expected 1 variables.");
}

TEST_CASE("Metric: stateless_update_state, stateless_result and stateless_reset_state") {
  metrics::Accuracy acc;
  metrics::Accuracy twin;
  const Tensor t1 = core::constant({1.0f, 2.0f, 3.0f, 4.0f}), p1 = core::constant({1.0f, 2.0f, 0.0f, 4.0f});
  const Tensor t2 = core::constant({1.0f, 1.0f}), p2 = core::constant({0.0f, 1.0f});
  std::vector<Tensor> state = values_of(acc.variables());
  state = acc.stateless_update_state(state, t1, p1);
  state = acc.stateless_update_state(state, t2, p2);
  twin.update_state(t1, p1);
  twin.update_state(t2, p2);
  check_values(acc.stateless_result(state), values(twin.result()));  // 4 of 6
  check_values(acc.stateless_result(state), std::vector<double>{4.0 / 6.0});
  check_values(acc.result(), std::vector<float>{0});  // the metric's own state is untouched
  for (const Tensor& v : acc.stateless_reset_state()) check_values(v, std::vector<float>{0});
  twin.stateless_reset_state();
  check_values(twin.result(), std::vector<double>{4.0 / 6.0});  // not reset
  CHECK_THROWS_MSG(acc.stateless_update_state({}, t1, p1), std::invalid_argument,
                   "Argument `metric_variables` must be a list of tensors corresponding 1:1 to Accuracy().variables. "
                   "Received list with length 0, but expected 2 variables.");
}
