// test_training.cpp - compile / fit / evaluate / predict, callbacks and the progress bar.
#include <cstdio>
#include <fstream>
#include <sstream>

#include "files.h"
#include "helpers.h"
#include "keras/keras.h"
#include "reference.h"

using namespace th;
namespace layers = keras::layers;
namespace cb = keras::callbacks;

namespace {
// y = 3 x0 - 2 x1 + 1 (+ tiny noise): a linear model must fit it.
std::pair<Tensor, Tensor> linear_data(int64_t n, uint32_t seed = 1) {
  auto xv = uniform(n * 2, -1, 1, seed);
  std::vector<double> yv(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) yv[size_t(i)] = 3 * xv[size_t(2 * i)] - 2 * xv[size_t(2 * i + 1)] + 1;
  return {make(xv, Shape{n, 2}), make(yv, Shape{n, 1})};
}

// Two Gaussian blobs, labels 0/1.
std::pair<Tensor, Tensor> blobs(int64_t n) {
  auto xv = uniform(n * 2, -1, 1, 3);
  std::vector<int> yv(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    yv[size_t(i)] = int(i % 2);
    xv[size_t(2 * i)] += yv[size_t(i)] ? 2.0 : -2.0;
  }
  return {make(xv, Shape{n, 2}), core::constant(yv)};
}
}  // namespace

TEST_CASE("fit: a linear regression converges; History records every epoch") {
  auto [x, y] = linear_data(256);
  auto model = keras::Sequential({layers::Dense(1, {.input_shape = {2}})});
  model->compile({.optimizer = keras::optimizers::SGD({.learning_rate = 0.1}), .loss = "mse", .metrics = {"mae"}});
  cb::History h = model->fit(x, y, {.batch_size = 16, .epochs = 30, .verbose = 0, .seed = 1});
  REQUIRE(h.history.count("loss"));
  REQUIRE(h.history["loss"].size() == 30);
  CHECK(h.history["loss"].back() < 1e-4);
  CHECK(h.history["loss"].back() < h.history["loss"].front());
  CHECK(h.history.count("mae") == 1);  // Keras logs a metric under the name it was given
  CHECK(h.history.count("mean_absolute_error") == 0);
  auto w = model->get_weights();
  check_values(w[0], std::vector<double>{3, -2}, 1e-2);
  check_values(w[1], std::vector<double>{1}, 1e-2);
  keras::Logs e = model->evaluate(x, y, {.verbose = 0});
  CHECK(e["loss"] < 1e-4);
  Tensor p = model->predict(x, {.batch_size = 100});
  CHECK(p.shape() == Shape{256, 1});
}

TEST_CASE("fit: classification with accuracy resolved from the loss; validation logs") {
  keras::ops::set_random_seed(1);  // the initial weights, whatever ran before
  auto [x, y] = blobs(400);
  auto model = keras::Sequential({layers::Dense(8, {.activation = "relu", .input_shape = {2}}),
                                  layers::Dense(2, {.activation = "softmax"})});
  model->compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy", .metrics = {"accuracy"}});
  auto h = model->fit(x, y, {.batch_size = 32, .epochs = 15, .verbose = 0, .validation_split = 0.25, .seed = 3});
  CHECK(h.history.count("val_loss") == 1);
  CHECK(h.history.count("val_accuracy") == 1);
  CHECK(h.history["accuracy"].back() > 0.95);
  CHECK(h.history["val_accuracy"].back() > 0.95);
  keras::Logs r = model->evaluate(x, y, {.verbose = 0});
  CHECK(r.count("accuracy") == 1);
  CHECK(r["accuracy"] > 0.95);
}

TEST_CASE("fit: the same seed gives the same weights") {
  auto run = [] {
    keras::ops::set_random_seed(7);
    auto [x, y] = linear_data(64, 2);
    auto model = keras::Sequential({layers::Dense(4, {.activation = "tanh", .input_shape = {2}}), layers::Dense(1)});
    model->compile({.optimizer = "adam", .loss = "mse"});
    model->fit(x, y, {.batch_size = 8, .epochs = 3, .verbose = 0, .seed = 5});
    return values(model->get_weights()[0]);
  };
  CHECK(run() == run());
}

TEST_CASE("fit: bad input gives clear errors") {
  auto model = keras::Sequential({layers::Dense(1, {.input_shape = {2}})});
  CHECK_THROWS_MSG(model->fit(ops::zeros({4, 2}), ops::zeros({4, 1})), std::invalid_argument,
                   "you must call compile() before fit()");
  model->compile({.optimizer = "sgd", .loss = "mse"});
  CHECK_THROWS_MSG(model->fit(ops::zeros({100, 2}), ops::zeros({99, 1}), {.verbose = 0}), std::invalid_argument,
                   "Data cardinality is ambiguous. Make sure all arrays contain the same number of samples. "
                   "'x' sizes: 100 'y' sizes: 99");
  CHECK_THROWS_MSG(model->fit(ops::zeros({0, 2}), ops::zeros({0, 1}), {.verbose = 0}), std::invalid_argument,
                   "the dataset is empty");
  CHECK_THROWS_MSG(model->fit(ops::zeros({4, 3}), ops::zeros({4, 1}), {.verbose = 0}), std::invalid_argument,
                   "expected axis -1 of input shape to have value 2");
  CHECK_THROWS_MSG(model->fit(ops::zeros({4, 2}), ops::zeros({4, 1}), {.batch_size = 0, .verbose = 0}),
                   std::invalid_argument, "expected batch_size > 0");
}

TEST_CASE("callbacks: EarlyStopping, LambdaCallback, TerminateOnNaN, CSVLogger, LearningRateScheduler") {
  auto [x, y] = linear_data(64);
  auto model = keras::Sequential({layers::Dense(1, {.input_shape = {2}})});
  model->compile({.optimizer = keras::optimizers::SGD({.learning_rate = 0.0}), .loss = "mse"});
  // A learning rate of 0 never improves: patience 2 stops after epoch 3.
  auto es = std::make_shared<cb::EarlyStopping>(cb::EarlyStoppingOptions{.monitor = "loss", .patience = 2});
  int batches = 0, epochs_seen = 0;
  auto counter = std::make_shared<cb::LambdaCallback>(cb::LambdaCallbackOptions{
      .on_epoch_end = [&](int, const keras::Logs&) { ++epochs_seen; },
      .on_train_batch_end = [&](int64_t, const keras::Logs&) { ++batches; }});
  auto h = model->fit(x, y, {.batch_size = 16, .epochs = 50, .verbose = 0, .callbacks = {es, counter}, .shuffle = false});
  CHECK(h.history["loss"].size() == 3);
  CHECK(epochs_seen == 3);
  CHECK(batches == 12);

  const TempDir dir;
  const std::string path = dir.file("log.csv");
  auto csv = std::make_shared<cb::CSVLogger>(path);
  auto sched = std::make_shared<cb::LearningRateScheduler>([](int epoch, double) { return 0.01 * (epoch + 1); });
  model->fit(x, y, {.batch_size = 16, .epochs = 2, .verbose = 0, .callbacks = {csv, sched}});
  CHECK(model->optimizer()->learning_rate() == doctest::Approx(0.02));
  std::ifstream f(path);
  std::string header, l1, l2;
  std::getline(f, header);
  std::getline(f, l1);
  std::getline(f, l2);
  CHECK(header == "epoch,loss,val_loss");  // Keras adds the val_ columns (NA) without validation data
  CHECK(l1.rfind("0,", 0) == 0);
  CHECK(l1.substr(l1.size() - 3) == ",NA");
  CHECK(l2.rfind("1,", 0) == 0);

  auto nan_model = keras::Sequential({layers::Dense(1, {.input_shape = {2}})});
  nan_model->compile({.optimizer = keras::optimizers::SGD({.learning_rate = 1e30}), .loss = "mse"});
  auto h2 = nan_model->fit(x, y, {.batch_size = 4, .epochs = 5, .verbose = 0,
                                  .callbacks = {std::make_shared<cb::TerminateOnNaN>()}});
  CHECK(h2.history["loss"].size() <= 1);
}

TEST_CASE("progress bar: Keras 3's lines when the output is not a terminal") {
  auto [x, y] = linear_data(64);
  auto model = keras::Sequential({layers::Dense(1, {.input_shape = {2}})});
  model->compile({.optimizer = "sgd", .loss = "mse", .metrics = {"mae"}});
  std::FILE* f = std::tmpfile();
  REQUIRE(f);
  auto bar = std::make_shared<cb::ProgbarLogger>(1, f);
  model->fit(x, y, {.batch_size = 16, .epochs = 2, .verbose = 0, .callbacks = {bar}});
  std::rewind(f);
  std::string out;
  char buf[512];
  while (std::fgets(buf, sizeof buf, f)) out += buf;
  std::fclose(f);
  CHECK(out.find("Epoch 1/2\n4/4 ━━━━━━━━━━━━━━━━━━━━ ") != std::string::npos);
  CHECK(out.find("/step - loss: ") != std::string::npos);
  CHECK(out.find(" - mae: ") != std::string::npos);
  CHECK(out.find("Epoch 2/2\n") != std::string::npos);
}

TEST_CASE("multi-output functional model: one loss per output, loss weights, per-output metrics") {
  auto in = keras::Input({2});
  auto h = layers::Dense(8, {.activation = "relu"})(in);
  auto a = layers::Dense(1, {.name = "reg"})(h);
  auto b = layers::Dense(2, {.activation = "softmax", .name = "cls"})(h);
  auto model = keras::Functional({in}, {a, b});
  model->compile({.optimizer = "adam",
                  .loss = {"mse", "sparse_categorical_crossentropy"},
                  .metrics_per_output = {{}, {"accuracy"}},
                  .loss_weights = {1.0, 0.5}});
  auto [x, y] = blobs(64);
  Tensor yr = ops::cast(ops::reshape(y, {64, 1}), DType::float32);
  auto hist = model->fit({x}, {yr, y}, {.batch_size = 16, .epochs = 2, .verbose = 0});
  CHECK(hist.history.count("loss") == 1);
  CHECK(hist.history.count("cls_accuracy") == 1);
  auto preds = model->predict(std::vector<Tensor>{x});
  REQUIRE(preds.size() == 2);
  CHECK(preds[1].shape() == Shape{64, 2});
  CHECK_THROWS_MSG(model->fit(std::vector<Tensor>{x}, std::vector<Tensor>{yr}, {.verbose = 0}), std::invalid_argument,
                   "the model has 2 outputs, but received 1 target arrays");
}

TEST_CASE("train_on_batch, test_on_batch, predict_on_batch; regularization losses join the loss") {
  auto model = keras::Sequential({layers::Dense(1, {.kernel_initializer = "ones", .kernel_regularizer = "l2",
                                                    .input_shape = {2}})});
  model->compile({.optimizer = keras::optimizers::SGD({.learning_rate = 0.0}), .loss = "mse"});
  Tensor x = ops::zeros({4, 2}), y = ops::zeros({4, 1});
  keras::Logs l = model->test_on_batch({x}, {y});
  CHECK(l["loss"] == doctest::Approx(0.02));  // mse 0 + 0.01 * (1 + 1)
  l = model->train_on_batch({x}, {y});
  CHECK(l["loss"] == doctest::Approx(0.02));
  CHECK(model->predict_on_batch({x})[0].shape() == Shape{4, 1});
}

TEST_CASE("fit with several optimizers: Wide & Deep, each path with its own optimizer") {
  auto wide_in = keras::Input({2});
  auto deep_in = keras::Input({2});
  auto wide = layers::Dense(1, {.name = "wide"});
  auto deep_h = layers::Dense(4, {.activation = "relu", .name = "deep_hidden"});
  auto deep_out = layers::Dense(1, {.name = "deep_out"});
  auto out = layers::Add()({wide(wide_in), deep_out(deep_h(deep_in))});
  auto model = keras::Functional({wide_in, deep_in}, {out});
  std::vector<core::Variable> deep_vars = deep_h->trainable_weights();
  for (auto& v : deep_out->trainable_weights()) deep_vars.push_back(v);
  // The wide path's optimizer has learning rate 0: its weights must not move.
  auto opt = keras::optimizers::make_multi_optimizer(
      {{keras::optimizers::SGD({.learning_rate = 0.0}), wide->trainable_weights()},
       {keras::optimizers::Adam({.learning_rate = 0.01}), deep_vars}});
  model->compile({.optimizer = opt, .loss = "mse"});
  // Different data on the two inputs: a model that swapped them would predict other values.
  auto [x, y] = linear_data(64);
  const std::vector<double> xw = values(x), xd = uniform(64 * 2, -1, 1, 77);
  Tensor x_deep = make(xd, Shape{64, 2});
  auto wide_before = values(wide->kernel.value());
  auto deep_before = values(deep_out->kernel.value());
  model->fit({x, x_deep}, {y}, {.batch_size = 16, .epochs = 2, .verbose = 0});
  CHECK(values(wide->kernel.value()) == wide_before);
  CHECK(values(deep_out->kernel.value()) != deep_before);
  // The outputs: wide(x) + deep_out(relu(deep_hidden(x_deep))), computed by hand.
  auto wide_y = dense_ref(xw, 64, wide->kernel.value(), wide->bias.value());
  auto deep_y = dense_ref(dense_ref(xd, 64, deep_h->kernel.value(), deep_h->bias.value(), true), 64,
                          deep_out->kernel.value(), deep_out->bias.value());
  for (size_t i = 0; i < wide_y.size(); ++i) wide_y[i] += deep_y[i];
  check_values(model->predict(std::vector<Tensor>{x, x_deep}, {.batch_size = 64})[0], wide_y, 1e-5);
  auto lonely = keras::optimizers::make_multi_optimizer({{keras::optimizers::SGD(), deep_vars}});
  CHECK_THROWS_MSG(lonely->apply_gradients({ops::zeros({2, 1})}, {wide->kernel}), std::invalid_argument,
                   "belongs to no optimizer group");
}

namespace {
// A model that tracks the mean of its outputs with a metric it updates in call().
class OutputMeanModel : public keras::Model {
 public:
  OutputMeanModel() : keras::Model({}, "OutputMeanModel") {
    dense = track(layers::Dense(1));
    output_mean = track_metric(std::make_shared<keras::metrics::Mean>("output_mean"));
  }
  Tensor call(const Tensor& x, bool training) override {
    Tensor y = dense(x, training);
    output_mean->update_state(y);
    return y;
  }
  keras::Ref<layers::DenseLayer> dense;
  std::shared_ptr<keras::metrics::Mean> output_mean;
};
}  // namespace

TEST_CASE("track_metric: a metric a subclassed model updates itself is logged and reset by fit/evaluate") {
  auto [x, y] = linear_data(64);
  auto model = keras::make<OutputMeanModel>();
  model->compile({.optimizer = keras::optimizers::SGD({.learning_rate = 0.05}), .loss = "mse"});
  cb::History h = model->fit(x, y, {.batch_size = 16, .epochs = 2, .verbose = 0, .validation_data = {x, y}, .seed = 1});
  REQUIRE(h.history.count("output_mean"));
  REQUIRE(h.history.count("val_output_mean"));
  CHECK(h.history["output_mean"].size() == 2);
  // evaluate() resets the metric, then reports the mean of the outputs it computed.
  keras::Logs logs = model->evaluate(x, y, {.batch_size = 64, .verbose = 0});
  REQUIRE(logs.count("output_mean"));
  const double expected = ops::mean(model->predict(x, {.batch_size = 64})).item<float>();
  CHECK(logs["output_mean"] == doctest::Approx(expected).epsilon(1e-5));
  CHECK(h.history["val_output_mean"].back() == doctest::Approx(expected).epsilon(1e-5));
  model->reset_metrics();
  CHECK(model->output_mean->result().item<float>() == 0.0f);
}
