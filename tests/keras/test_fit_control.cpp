// test_fit_control.cpp - what steers fit(): EarlyStopping's min_delta, mode and baseline
// and ReduceLROnPlateau (against Keras 3: tests/keras/keras_reference/callbacks.py drives
// Keras's own callbacks with the same sequences and printed the expected results),
// stop_training, initial_epoch, validation_freq, overriding train_step and compute_loss,
// and weight constraints applied during training.
#include <cmath>
#include <string>
#include <vector>

#include "keras/keras.h"
#include "reference.h"

using namespace th;
namespace layers = keras::layers;
namespace cb = keras::callbacks;

namespace {

keras::Ref<keras::SequentialModel> compiled(double lr = 0.1) {
  auto m = keras::Sequential({layers::Dense(1, {.kernel_initializer = "zeros", .input_shape = {2}})});
  m->compile({.optimizer = keras::optimizers::SGD({.learning_rate = lr}), .loss = "mse"});
  return m;
}

// The epoch after which the callback set stop_training, or -1.
int stop_epoch(const cb::EarlyStoppingOptions& o, const std::vector<double>& seq) {
  auto m = compiled();
  cb::EarlyStopping es(o);
  es.set_model(m.get());
  es.on_train_begin({});
  for (size_t e = 0; e < seq.size(); ++e) {
    es.on_epoch_end(int(e), {{o.monitor, seq[e]}});
    if (m->stop_training) return int(e);
  }
  return -1;
}

// The learning rate after each epoch.
std::vector<double> lr_after(const cb::ReduceLROnPlateauOptions& o, const std::vector<double>& seq) {
  auto m = compiled(0.1);
  cb::ReduceLROnPlateau r(o);
  r.set_model(m.get());
  r.on_train_begin({});
  std::vector<double> out;
  for (size_t e = 0; e < seq.size(); ++e) {
    r.on_epoch_end(int(e), {{o.monitor, seq[e]}});
    out.push_back(m->optimizer()->learning_rate());
  }
  return out;
}

void check_close(const std::vector<double>& got, const std::vector<double>& want) {
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i) CHECK(got[i] == doctest::Approx(want[i]).epsilon(1e-6));
}

}  // namespace

TEST_CASE("EarlyStopping: min_delta, mode and baseline as Keras 3") {
  const std::vector<double> losses = {1.0, 0.95, 0.85, 0.8, 0.79, 0.7, 0.69, 0.68};
  CHECK(stop_epoch({.patience = 2}, losses) == -1);
  CHECK(stop_epoch({.min_delta = 0.1, .patience = 2}, losses) == 4);
  CHECK(stop_epoch({.min_delta = 0.1, .patience = 1}, losses) == 1);
  const std::vector<double> accs = {0.5, 0.6, 0.62, 0.61, 0.7, 0.69, 0.68, 0.69};
  CHECK(stop_epoch({.monitor = "val_accuracy", .patience = 2, .mode = "max"}, accs) == 6);
  CHECK(stop_epoch({.monitor = "val_accuracy", .min_delta = 0.05, .patience = 2, .mode = "max"}, accs) == 3);
  CHECK(stop_epoch({.monitor = "val_accuracy", .patience = 2, .mode = "min"}, accs) == 2);
  // mode "auto" maximizes an accuracy (README: decided by the name, where Keras 3 asks
  // the compiled metric): the same as "max".
  CHECK(stop_epoch({.monitor = "val_accuracy", .patience = 2}, accs) == 6);
  // A baseline: improvements that do not beat it do not reset the patience.
  const std::vector<double> slow = {0.9, 0.8, 0.85, 0.86, 0.6, 0.61, 0.62};
  CHECK(stop_epoch({.patience = 2}, slow) == 3);
  CHECK(stop_epoch({.patience = 2, .baseline = 0.55}, slow) == 2);
  CHECK(stop_epoch({.patience = 3, .baseline = 0.55}, {0.9, 0.5, 0.52, 0.53, 0.54, 0.55}) == 4);
  CHECK(stop_epoch({.monitor = "val_accuracy", .patience = 2, .mode = "max", .baseline = 0.65}, accs) == 3);
}

TEST_CASE("ReduceLROnPlateau: factor, patience, min_delta, cooldown, min_lr and mode as Keras 3") {
  check_close(lr_after({.factor = 0.5, .patience = 2, .min_delta = 0.1, .cooldown = 1, .min_lr = 0.02},
                       {1.0, 0.95, 0.92, 0.91, 0.5, 0.55, 0.6, 0.7, 0.8, 0.9, 1.0}),
              {0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.025, 0.025, 0.02, 0.02, 0.02});
  check_close(lr_after({.factor = 0.5, .patience = 1}, {1.0, 0.99995, 0.9999, 0.99, 0.99, 0.99}),
              {0.1, 0.05, 0.025, 0.025, 0.0125, 0.00625});
  check_close(lr_after({.monitor = "val_accuracy", .factor = 0.1, .patience = 1, .mode = "max", .min_delta = 0.0},
                       {0.5, 0.6, 0.62, 0.61, 0.7, 0.69, 0.68, 0.69}),
              {0.1, 0.1, 0.1, 0.01, 0.01, 0.001, 0.0001, 1e-05});
  check_close(lr_after({.factor = 0.5, .patience = 1, .cooldown = 2}, std::vector<double>(9, 1.0)),
              {0.1, 0.05, 0.05, 0.025, 0.025, 0.0125, 0.0125, 0.00625, 0.00625});
  // In fit(): the optimizer's rate changes between epochs.
  auto m = compiled(0.1);
  std::vector<double> seen;
  auto rec = std::make_shared<cb::LambdaCallback>(cb::LambdaCallbackOptions{
      .on_epoch_begin = [&](int, const keras::Logs&) { seen.push_back(m->optimizer()->learning_rate()); }});
  auto r = std::make_shared<cb::ReduceLROnPlateau>(cb::ReduceLROnPlateauOptions{
      .monitor = "loss", .factor = 0.5, .patience = 1, .min_delta = 1e9});  // never improves enough
  auto x = make(uniform(8 * 2, -1, 1, 3), Shape{8, 2}), y = make(uniform(8, -1, 1, 4), Shape{8, 1});
  m->fit(x, y, {.batch_size = 8, .epochs = 4, .verbose = 0, .callbacks = {rec, r}});
  check_close(seen, {0.1, 0.1, 0.05, 0.025});
}

TEST_CASE("fit: stop_training set by a callback ends training after that batch or epoch") {
  auto x = make(uniform(32 * 2, -1, 1, 5), Shape{32, 2}), y = make(uniform(32, -1, 1, 6), Shape{32, 1});
  auto m = compiled();
  int epochs_run = 0;
  auto at_epoch = std::make_shared<cb::LambdaCallback>(cb::LambdaCallbackOptions{
      .on_epoch_end = [&](int e, const keras::Logs&) {
        ++epochs_run;
        if (e == 1) m->stop_training = true;
      }});
  auto h = m->fit(x, y, {.batch_size = 8, .epochs = 10, .verbose = 0, .callbacks = {at_epoch}});
  CHECK(epochs_run == 2);
  CHECK(h.history.at("loss").size() == 2);
  // Set during a batch: no further batch runs.
  auto n = compiled();
  int batches = 0;
  auto at_batch = std::make_shared<cb::LambdaCallback>(cb::LambdaCallbackOptions{
      .on_train_batch_end = [&](int64_t b, const keras::Logs&) {
        ++batches;
        if (b == 1) n->stop_training = true;
      }});
  n->fit(x, y, {.batch_size = 8, .epochs = 10, .verbose = 0, .callbacks = {at_batch}});
  CHECK(batches == 2);
}

// Records the hooks evaluate and predict call, and the logs fit's on_train_end gets.
struct HookLog : keras::callbacks::Callback {
  std::vector<std::string> calls;
  keras::Logs train_end;
  void on_train_end(const keras::Logs& l) override { train_end = l; }
  void on_test_batch_begin(int64_t b, const keras::Logs&) override { calls.push_back("test_begin " + std::to_string(b)); }
  void on_test_batch_end(int64_t b, const keras::Logs&) override { calls.push_back("test_end " + std::to_string(b)); }
  void on_predict_batch_begin(int64_t b, const keras::Logs&) override { calls.push_back("predict_begin " + std::to_string(b)); }
  void on_predict_batch_end(int64_t b, const keras::Logs&) override { calls.push_back("predict_end " + std::to_string(b)); }
};

TEST_CASE("callbacks: on_train_end gets the last epoch's logs; evaluate and predict call the batch-begin hooks (Keras 3)") {
  auto x = make(uniform(16 * 2, -1, 1, 7), Shape{16, 2}), y = make(uniform(16, -1, 1, 8), Shape{16, 1});
  auto m = compiled();
  auto log = std::make_shared<HookLog>();
  auto h = m->fit(x, y, {.batch_size = 8, .epochs = 2, .verbose = 0, .callbacks = {log}, .validation_data = {x, y}});
  CHECK(log->train_end.at("loss") == h.history.at("loss").back());
  CHECK(log->train_end.at("val_loss") == h.history.at("val_loss").back());
  log->calls.clear();
  m->evaluate(x, y, {.batch_size = 8, .verbose = 0, .callbacks = {log}});
  CHECK(log->calls == std::vector<std::string>{"test_begin 0", "test_end 0", "test_begin 1", "test_end 1"});
  log->calls.clear();
  m->predict(x, {.batch_size = 8, .verbose = 0, .callbacks = {log}});
  CHECK(log->calls == std::vector<std::string>{"predict_begin 0", "predict_end 0", "predict_begin 1", "predict_end 1"});
}

TEST_CASE("fit: initial_epoch numbers the epochs; validation_freq picks the validated ones (Keras 3)") {
  auto x = make(uniform(16 * 2, -1, 1, 7), Shape{16, 2}), y = make(uniform(16, -1, 1, 8), Shape{16, 1});
  auto run = [&](int initial_epoch, int freq) {
    auto m = compiled();
    std::vector<int> epochs, validated;
    auto rec = std::make_shared<cb::LambdaCallback>(cb::LambdaCallbackOptions{
        .on_epoch_end = [&](int e, const keras::Logs& logs) {
          epochs.push_back(e);
          if (logs.count("val_loss")) validated.push_back(e);
        }});
    m->fit(x, y, {.batch_size = 8, .epochs = 6, .verbose = 0, .callbacks = {rec}, .validation_data = {x, y},
                  .initial_epoch = initial_epoch, .validation_freq = freq});
    return std::pair{epochs, validated};
  };
  auto [e0, v0] = run(0, 2);
  CHECK(e0 == std::vector<int>{0, 1, 2, 3, 4, 5});
  CHECK(v0 == std::vector<int>{1, 3, 5});  // Keras: (epoch + 1) % validation_freq == 0
  auto [e2, v2] = run(2, 3);
  CHECK(e2 == std::vector<int>{2, 3, 4, 5});  // epochs initial_epoch .. epochs - 1
  CHECK(v2 == std::vector<int>{2, 5});         // the epoch index counts from 0, not initial_epoch
}

namespace {
// A subclassed model with its own train_step (fits 2 y) or compute_loss (the loss
// times 3), as Keras's overrides.
class Overrides : public keras::Model {
 public:
  explicit Overrides(int which) : keras::Model({}, "Overrides"), which_(which) {
    dense = track(layers::Dense(1, {.kernel_initializer = "zeros"}));
  }
  Tensor call(const Tensor& x, bool training) override { return dense(x, training); }
  Tensor train_step(const std::vector<Tensor>& x, const std::vector<Tensor>& y, const Tensor& sw) override {
    if (which_ != 1) return keras::Model::train_step(x, y, sw);
    return keras::Model::train_step(x, {ops::multiply(y[0], ops::scalar_like(y[0], 2.0))}, sw);
  }
  Tensor compute_loss(const std::vector<Tensor>& y, const std::vector<Tensor>& y_pred, const Tensor& sw) override {
    Tensor l = keras::Model::compute_loss(y, y_pred, sw);
    return which_ == 2 ? ops::multiply(l, ops::scalar_like(l, 3.0)) : l;
  }
  keras::Ref<layers::DenseLayer> dense;

 private:
  int which_;
};
}  // namespace

TEST_CASE("fit: overriding train_step or compute_loss changes the step (by hand: one SGD step from 0)") {
  const int64_t n = 8;
  const auto xv = uniform(n * 2, -1, 1, 9), yv = uniform(n, -1, 1, 10);
  Tensor x = make(xv, Shape{n, 2}), y = make(yv, Shape{n, 1});
  // At zero weights, mse's gradient for targets t is -2/n sum(t x) (kernel), -2/n sum(t).
  auto step = [&](double target_scale, double loss_scale) {
    std::vector<double> k = {0, 0, 0};
    double loss = 0;
    for (int64_t i = 0; i < n; ++i) {
      const double t = target_scale * yv[size_t(i)];
      loss += loss_scale * t * t / n;
      for (int j = 0; j < 2; ++j) k[size_t(j)] -= 0.1 * loss_scale * -2.0 * t * xv[size_t(i * 2 + j)] / n;
      k[2] -= 0.1 * loss_scale * -2.0 * t / n;
    }
    k.push_back(loss);
    return k;
  };
  for (int which : {1, 2}) {
    CAPTURE(which);
    auto m = keras::make<Overrides>(which);
    m->compile({.optimizer = keras::optimizers::SGD({.learning_rate = 0.1}), .loss = "mse"});
    auto h = m->fit(x, y, {.batch_size = n, .epochs = 1, .verbose = 0, .shuffle = false});
    auto want = which == 1 ? step(2.0, 1.0) : step(1.0, 3.0);
    check_values(m->dense->kernel.value(), std::vector<double>{want[0], want[1]}, 1e-5);
    check_values(m->dense->bias.value(), std::vector<double>{want[2]}, 1e-5);
    CHECK(h.history.at("loss")[0] == doctest::Approx(want[3]).epsilon(1e-5));
  }
}

TEST_CASE("fit: weight constraints are applied after each update (non_neg, max_norm; by hand)") {
  const int64_t n = 8;
  const auto xv = uniform(n * 2, -1, 1, 11), yv = uniform(n, -2, 2, 12);
  Tensor x = make(xv, Shape{n, 2}), y = make(yv, Shape{n, 1});
  double g[2] = {0, 0};  // mse gradient at zero weights
  for (int64_t i = 0; i < n; ++i)
    for (int j = 0; j < 2; ++j) g[j] += -2.0 * yv[size_t(i)] * xv[size_t(i * 2 + j)] / n;
  const double lr = 1.0, k0 = -lr * g[0], k1 = -lr * g[1];
  REQUIRE((k0 < 0 || k1 < 0));  // the data moves one weight below zero
  auto fit_with = [&](keras::constraints::ConstraintArg c) {
    auto m = keras::Sequential({layers::Dense(1, {.kernel_initializer = "zeros", .kernel_constraint = c,
                                                  .input_shape = {2}})});
    m->compile({.optimizer = keras::optimizers::SGD({.learning_rate = lr}), .loss = "mse"});
    m->fit(x, y, {.batch_size = n, .epochs = 1, .verbose = 0, .shuffle = false});
    return m->get_weights()[0];
  };
  check_values(fit_with("non_neg"), std::vector<double>{std::max(k0, 0.0), std::max(k1, 0.0)}, 1e-5);
  // max_norm(m) on a (2, 1) kernel: the column's norm is at most m (axis 0, Keras).
  const double norm = std::hypot(k0, k1), cap = norm / 2;
  const double s = cap / (1e-7 + norm);  // Keras: w * clip(norm, 0, m) / (epsilon + norm)
  check_values(fit_with(std::make_shared<keras::constraints::MaxNorm>(keras::constraints::MaxNormOptions{.max_value = cap})), std::vector<double>{k0 * s, k1 * s}, 1e-5);
}
