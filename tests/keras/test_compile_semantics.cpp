// test_compile_semantics.cpp - Keras 3's compile() and callback semantics: metric names,
// weighted_metrics, per-output losses, compile() without a loss, EarlyStopping's
// restore at the end, learning_rate in the logs, CSVLogger's append, verbose=2,
// callbacks by value, and the threading contract of a model. The expected numbers come
// from Keras 3.15 on the same inputs.
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <limits>
#include <stdexcept>
#include <thread>

#include "files.h"
#include "helpers.h"
#include "keras/keras.h"

namespace layers = keras::layers;
namespace cb = keras::callbacks;
using keras::core::Shape;
using keras::core::Tensor;
using th::TempDir;

namespace {
// x = [[0, 1], [2, 3], [4, 5], [6, 7]], y = [1, 0, 2, 3]: a Dense(1) of ones predicts
// [1, 5, 9, 13].
Tensor data_x() { return keras::core::constant(std::vector<float>{0, 1, 2, 3, 4, 5, 6, 7}, Shape{4, 2}); }
Tensor data_y() { return keras::core::constant({{1.0f}, {0.0f}, {2.0f}, {3.0f}}); }
keras::ModelPtr ones_model() {
  return keras::Sequential({layers::Dense(1, {.kernel_initializer = "ones", .input_shape = {2}})});
}

std::string read_all(std::FILE* f) {
  std::rewind(f);
  std::string out;
  char buf[512];
  while (std::fgets(buf, sizeof buf, f)) out += buf;
  return out;
}
}  // namespace

TEST_CASE("compile: metrics keep the names given; weighted_metrics alone see sample weights (Keras numbers)") {
  auto m = ones_model();
  m->compile({.optimizer = "sgd", .loss = "mse", .metrics = {"mae", "MeanAbsoluteError"}, .weighted_metrics = {"mae"}});
  const Tensor w = keras::core::constant({1.0f, 0.0f, 0.0f, 0.0f});
  keras::Logs logs = m->evaluate(data_x(), data_y(), {.verbose = 0, .sample_weight = w});
  CHECK(logs.at("loss") == doctest::Approx(0.0));           // only the first sample, predicted exactly
  CHECK(logs.at("mae") == doctest::Approx(5.5));            // unweighted
  CHECK(logs.at("MeanAbsoluteError") == doctest::Approx(5.5));
  CHECK(logs.at("weighted_mae") == doctest::Approx(0.0));   // weighted, renamed next to "mae"
  CHECK(logs.count("mean_absolute_error") == 0);
  // The names reach the validation logs too, and a saved model keeps weighted_metrics.
  auto h = m->fit(data_x(), data_y(), {.epochs = 1, .verbose = 0, .validation_data = {data_x(), data_y()}, .seed = 1});
  for (const char* k : {"mae", "val_mae", "weighted_mae", "val_weighted_mae", "val_MeanAbsoluteError"})
    CHECK_MESSAGE(h.history.count(k) == 1, k);
  const TempDir dir;
  m->save(dir.file("m.kcpp"));
  auto loaded = keras::models::load_model(dir.file("m.kcpp"));
  CHECK(loaded->compile_options().weighted_metrics.size() == 1);
  // class_weight weights the weighted metrics only.
  auto c = ones_model();
  c->compile({.optimizer = keras::optimizers::SGD({.learning_rate = 0.0}), .loss = "mse", .metrics = {"mae"},
              .weighted_metrics = {"mae"}});
  const Tensor labels = keras::core::constant({{1.0f}, {0.0f}, {1.0f}, {1.0f}});
  auto hc = c->fit(data_x(), labels, {.batch_size = 4, .epochs = 1, .verbose = 0, .class_weight = {{0, 1.0}, {1, 0.0}}});
  CHECK(hc.history.at("mae")[0] == doctest::Approx((0 + 5 + 8 + 12) / 4.0));
  CHECK(hc.history.at("weighted_mae")[0] == doctest::Approx(5.0));  // only the class-0 sample
}

TEST_CASE("compile: a model with several outputs logs <output>_loss, unweighted (Keras numbers)") {
  auto in = keras::Input({2});
  auto a = layers::Dense(1, {.kernel_initializer = "ones", .name = "oa"})(in);
  auto b = layers::Dense(1, {.kernel_initializer = "ones", .name = "ob"})(in);
  auto m = keras::Functional({in}, {a, b});
  m->compile({.optimizer = "sgd", .loss = {"mse", "mae"}, .loss_weights = {0.5, 2.0}});
  keras::Logs logs = m->evaluate({data_x()}, {data_y(), data_y() * 2.0}, {.batch_size = 4, .verbose = 0});
  CHECK(logs.at("loss") == doctest::Approx(30.75));
  CHECK(logs.at("oa_loss") == doctest::Approx(43.5));
  CHECK(logs.at("ob_loss") == doctest::Approx(4.5));
}

TEST_CASE("compile: metrics over several outputs follow Keras's structure; per-output lists save and load") {
  auto make = [] {
    auto in = keras::Input({2});
    auto a = layers::Dense(1, {.kernel_initializer = "ones", .name = "oa"})(in);
    auto b = layers::Dense(1, {.kernel_initializer = "ones", .name = "ob"})(in);
    return keras::Functional({in}, {a, b});
  };
  const std::vector<Tensor> y{data_y(), data_y() * 2.0};
  // A flat list of one metric per output: output i gets metrics[i] (Keras), so the metrics
  // equal the losses above.
  auto m = make();
  m->compile({.optimizer = "sgd", .loss = {"mse", "mae"}, .metrics = {"mse", "mae"}});
  keras::Logs logs = m->evaluate({data_x()}, y, {.batch_size = 4, .verbose = 0});
  CHECK(logs.at("oa_mse") == doctest::Approx(43.5));
  CHECK(logs.at("ob_mae") == doctest::Approx(4.5));
  CHECK(logs.count("oa_mae") == 0);
  CHECK(logs.count("ob_mse") == 0);
  // Per-output lists (Keras's metrics=[["mse", "mae"], []]).
  auto p = make();
  p->compile({.optimizer = "sgd", .loss = {"mse", "mae"}, .metrics_per_output = {{"mse", "mae"}, {}}});
  logs = p->evaluate({data_x()}, y, {.batch_size = 4, .verbose = 0});
  CHECK(logs.at("oa_mse") == doctest::Approx(43.5));
  CHECK(logs.count("oa_mae") == 1);
  CHECK(logs.count("ob_mae") == 0);
  th::TempDir dir;
  for (const char* file : {"per_output.keras", "per_output.kcpp"}) {
    CAPTURE(file);
    const std::string path = dir.file(file);
    p->save(path);
    auto loaded = keras::models::load_model(path);
    keras::Logs again = loaded->evaluate({data_x()}, y, {.batch_size = 4, .verbose = 0});
    CHECK(again.size() == logs.size());
    for (const auto& [key, value] : logs) CHECK(again.at(key) == doctest::Approx(value));
  }
  // Another number of metrics than outputs raises, naming both.
  auto bad = make();
  bad->compile({.optimizer = "sgd", .loss = "mse", .metrics = {"mae", "mse", "mape"}});
  CHECK_THROWS_WITH_AS(bad->evaluate({data_x()}, y, {.verbose = 0}),
                       doctest::Contains("`metrics` should be a list matching the model's 2 outputs (one metric per "
                                         "output, or per-output lists in metrics_per_output), but received 3 metrics"),
                       std::invalid_argument);
}

namespace {
// A model whose train_step needs no compiled loss.
class SelfSupervised : public keras::Model {
 public:
  SelfSupervised() { dense = track(layers::Dense(1, {.kernel_initializer = "ones"})); }
  Tensor call(const Tensor& x, bool) override { return (*dense)(x); }
  Tensor train_step(const std::vector<Tensor>& x, const std::vector<Tensor>&, const Tensor&) override {
    keras::core::GradientTape tape;
    Tensor loss = keras::ops::mean(keras::ops::square((*this)(x[0], true)));
    std::vector<keras::core::Variable> vars = trainable_weights();  // after the call that builds them
    optimizer()->apply_gradients(tape.gradient(loss, vars), vars);
    return loss;
  }
  layers::Ref<layers::DenseLayer> dense;
};
}  // namespace

TEST_CASE("compile() without a loss: fine for a custom train_step, a clear error otherwise") {
  auto m = layers::make<SelfSupervised>();
  m->compile({.optimizer = keras::optimizers::SGD({.learning_rate = 0.001})});
  auto h = m->fit(data_x(), data_y(), {.batch_size = 4, .epochs = 3, .verbose = 0});
  REQUIRE(h.history.at("loss").size() == 3);
  CHECK(h.history.at("loss")[2] < h.history.at("loss")[0]);
  auto plain = ones_model();
  plain->compile({.optimizer = "sgd"});
  CHECK_THROWS_WITH_AS(plain->fit(data_x(), data_y(), {.verbose = 0}), doctest::Contains("no loss to compute"),
                       std::invalid_argument);
}

namespace {
class Lazy : public keras::Model {  // built by its first call
 public:
  Lazy() { dense = track(layers::Dense(1)); }
  Tensor call(const Tensor& x, bool) override { return (*dense)(x); }
  layers::Ref<layers::DenseLayer> dense;
};
}  // namespace

TEST_CASE("fit: a subclassed model built by its first (traced) step trains from that step on") {
  auto m = layers::make<Lazy>();
  m->compile({.optimizer = keras::optimizers::SGD({.learning_rate = 0.001}), .loss = "mse"});
  REQUIRE(m->traced_steps());
  m->fit(data_x(), data_y(), {.batch_size = 4, .epochs = 1, .verbose = 0});
  const std::vector<Tensor> first = m->get_weights();
  REQUIRE(first.size() == 2);
  m->fit(data_x(), data_y(), {.batch_size = 4, .epochs = 1, .verbose = 0});
  CHECK(m->get_weights()[0].to_vector<float>() != first[0].to_vector<float>());
}

TEST_CASE("EarlyStopping: restore_best_weights restores at the end even without stopping early") {
  auto m = ones_model();
  // A learning rate this large makes the loss grow: the best epoch is the first.
  m->compile({.optimizer = keras::optimizers::SGD({.learning_rate = 0.05}), .loss = "mse"});
  std::vector<Tensor> after_first;
  auto grab = std::make_shared<cb::LambdaCallback>(cb::LambdaCallbackOptions{
      .on_epoch_end = [&](int epoch, const keras::Logs&) {
        if (epoch == 0) after_first = m->get_weights();
      }});
  auto es = std::make_shared<cb::EarlyStopping>(
      cb::EarlyStoppingOptions{.monitor = "loss", .patience = 10, .restore_best_weights = true});
  auto h = m->fit(data_x(), data_y(), {.batch_size = 4, .epochs = 4, .verbose = 0, .callbacks = {grab, es}});
  REQUIRE(h.history.at("loss").size() == 4);  // never stopped
  REQUIRE(h.history.at("loss")[3] > h.history.at("loss")[0]);
  CHECK(es->stopped_epoch() == 0);
  CHECK(es->best_epoch() == 0);
  const std::vector<Tensor> now = m->get_weights();
  for (size_t i = 0; i < now.size(); ++i) CHECK(now[i].to_vector<float>() == after_first[i].to_vector<float>());
  // min_delta: improvements smaller than it do not count (a constant loss stops at patience).
  auto flat = ones_model();
  flat->compile({.optimizer = keras::optimizers::SGD({.learning_rate = 0.0}), .loss = "mse"});
  auto hf = flat->fit(data_x(), data_y(), {.epochs = 10, .verbose = 0,
                                           .callbacks = {cb::EarlyStopping({.monitor = "loss", .min_delta = 1.0,
                                                                            .patience = 1})}});
  CHECK(hf.history.at("loss").size() == 2);
}

TEST_CASE("callbacks: learning_rate in the logs, negative rates refused, callbacks by value, null refused") {
  auto m = ones_model();
  m->compile({.optimizer = "sgd", .loss = "mse"});
  auto h = m->fit(data_x(), data_y(), {.epochs = 2, .verbose = 0,
                                       .callbacks = {cb::LearningRateScheduler([](int e, double) { return 0.01 * (e + 1); })}});
  REQUIRE(h.history.count("learning_rate") == 1);
  CHECK(h.history.at("learning_rate")[0] == doctest::Approx(0.01));
  CHECK(h.history.at("learning_rate")[1] == doctest::Approx(0.02));
  auto hr = m->fit(data_x(), data_y(), {.epochs = 1, .verbose = 0,
                                        .callbacks = {cb::ReduceLROnPlateau({.monitor = "loss"})}});
  CHECK(hr.history.at("learning_rate")[0] == doctest::Approx(0.02));
  CHECK_THROWS_WITH_AS(m->fit(data_x(), data_y(), {.epochs = 1, .verbose = 0,
                                                   .callbacks = {cb::LearningRateScheduler([](int, double) { return -0.1; })}}),
                       doctest::Contains("learning rate >= 0"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(m->fit(data_x(), data_y(), {.verbose = 0, .callbacks = {std::shared_ptr<cb::History>()}}),
                       doctest::Contains("callbacks[0] is null"), std::invalid_argument);
  // EarlyStopping on a value that is not logged: training runs on (Keras warns).
  auto hm = m->fit(data_x(), data_y(), {.epochs = 3, .verbose = 0,
                                        .callbacks = {cb::EarlyStopping({.monitor = "val_nothing"})}});
  CHECK(hm.history.at("loss").size() == 3);
  // A batch size beyond the data (or int64's range) is the whole data: one step per epoch.
  int64_t batches = 0;
  m->fit(data_x(), data_y(), {.batch_size = std::numeric_limits<int64_t>::max(), .epochs = 1, .verbose = 0,
                              .callbacks = {cb::LambdaCallback({.on_train_batch_end = [&](int64_t, const keras::Logs&) {
                                ++batches;
                              }})}});
  CHECK(batches == 1);
}

TEST_CASE("CSVLogger: val_ columns without validation data; append writes the header once") {
  const TempDir dir;
  const std::string path = dir.file("log.csv");
  auto m = ones_model();
  m->compile({.optimizer = "sgd", .loss = "mse"});
  m->fit(data_x(), data_y(), {.epochs = 1, .verbose = 0, .callbacks = {cb::CSVLogger(path)}});
  m->fit(data_x(), data_y(), {.epochs = 2, .verbose = 0, .callbacks = {cb::CSVLogger(path, ',', true)}});
  std::ifstream f(path);
  std::vector<std::string> lines;
  for (std::string l; std::getline(f, l);) lines.push_back(l);
  REQUIRE(lines.size() == 4);
  CHECK(lines[0] == "epoch,loss,val_loss");
  CHECK(lines[1].rfind("0,", 0) == 0);
  CHECK(lines[1].substr(lines[1].size() - 3) == ",NA");
  CHECK(lines[2].rfind("0,", 0) == 0);  // the appended run: no second header
  CHECK(lines[3].rfind("1,", 0) == 0);
}

TEST_CASE("progress: verbose=2 prints Keras's one line per epoch; no 'Epoch 1/1'") {
  auto m = ones_model();
  m->compile({.optimizer = "sgd", .loss = "mse", .metrics = {"mae"}});
  std::FILE* f = std::tmpfile();
  REQUIRE(f);
  m->fit(data_x(), data_y(), {.batch_size = 2, .epochs = 2, .verbose = 0, .callbacks = {cb::ProgbarLogger(2, f)}});
  const std::string two = read_all(f);
  std::fclose(f);
  CHECK(two.find("Epoch 1/2\n2/2 - ") != std::string::npos);
  CHECK(two.find("s/step - loss: ") != std::string::npos);
  CHECK(two.find(" - mae: ") != std::string::npos);
  CHECK(two.find("━") == std::string::npos);  // no bar
  std::FILE* g = std::tmpfile();
  REQUIRE(g);
  m->fit(data_x(), data_y(), {.batch_size = 2, .epochs = 1, .verbose = 0, .callbacks = {cb::ProgbarLogger(1, g)}});
  const std::string one = read_all(g);
  std::fclose(g);
  CHECK(one.find("Epoch") == std::string::npos);
}

TEST_CASE("threads: a second fit or evaluate raises; get_weights, save and predict work between steps" *
          doctest::test_suite("threads")) {
  auto [x, y] = std::pair{data_x(), data_y()};
  auto m = ones_model();
  m->compile({.optimizer = keras::optimizers::SGD({.learning_rate = 0.001}), .loss = "mse"});
  const TempDir dir;
  std::atomic<int> refused{0}, served{0};
  // During the first epoch (on the fit thread, between steps) another thread tries
  // everything; fit waits for it.
  auto probe = cb::LambdaCallback({.on_train_batch_end = [&](int64_t batch, const keras::Logs&) {
    if (batch != 0 || served.load() > 0) return;
    std::thread other([&] {
      try {
        m->fit(x, y, {.verbose = 0});
      } catch (const std::runtime_error& e) {
        if (std::string(e.what()).find("another thread") != std::string::npos) ++refused;
      }
      try {
        m->evaluate(x, y, {.verbose = 0});
      } catch (const std::runtime_error&) {
        ++refused;
      }
      if (m->get_weights().size() == 2) ++served;
      m->save_weights(dir.file("w.weights"));
      m->save(dir.file("m.kcpp"));
      if (m->predict(x).shape() == Shape{4, 1}) ++served;
    });
    other.join();
  }});
  m->fit(x, y, {.batch_size = 2, .epochs = 2, .verbose = 0, .callbacks = {std::move(probe)}});
  CHECK(refused.load() == 2);
  CHECK(served.load() == 2);
  CHECK(keras::models::load_model(dir.file("m.kcpp"))->get_weights().size() == 2);
  // Readers racing a fit: every snapshot is whole (no torn or freed tensors).
  std::atomic<bool> done{false};
  std::atomic<int> reads{0};
  std::thread reader([&] {
    while (!done.load()) {
      for (const Tensor& t : m->get_weights()) CHECK(std::isfinite(keras::ops::sum(t).item<double>()));
      ++reads;
    }
  });
  while (reads.load() == 0) std::this_thread::yield();
  m->fit(x, y, {.batch_size = 1, .epochs = 20, .verbose = 0});
  done = true;
  reader.join();
  CHECK(reads.load() > 0);
}
