// test_settings.cpp - keras::config (keras/settings.h): epsilon, floatx and the debugging
// caps max_epochs / max_steps_per_epoch change what
// Keras 3 says they change (numbers from Keras 3.15 with the same settings), and bad
// values raise. (image_data_format: tests/keras/test_channels_first.cpp.)
#include <stdexcept>

#include "helpers.h"
#include "keras/keras.h"

using namespace th;
namespace layers = keras::layers;

namespace {
// Restores the defaults when a test ends, however it ends.
struct Defaults {
  ~Defaults() {
    keras::config::set_epsilon(1e-7);
    keras::config::set_floatx("float32");
    keras::mixed_precision::clear_global_policy();
    keras::config::set_max_epochs(0);
    keras::config::set_max_steps_per_epoch(0);
  }
};
float loss_value(const keras::losses::LossPtr& loss, const Tensor& y, const Tensor& p) {
  return (*loss)(y, p).item<float>();
}
}  // namespace

TEST_CASE("keras::config::set_epsilon: the losses' clipping and guards use it, as Keras's") {
  Defaults restore;
  const Tensor y = core::constant(std::vector<float>{1, 0, 1}, Shape{1, 3});
  const Tensor p = core::constant(std::vector<float>{0, 1, 0.5f}, Shape{1, 3});
  CHECK(keras::config::epsilon() == doctest::Approx(1e-7));
  CHECK(loss_value(keras::losses::get("binary_crossentropy"), y, p) == doctest::Approx(10.917874336).epsilon(1e-5));
  keras::config::set_epsilon(1e-3);
  CHECK(keras::config::epsilon() == doctest::Approx(1e-3));
  CHECK(loss_value(keras::losses::get("binary_crossentropy"), y, p) == doctest::Approx(4.836223602).epsilon(1e-5));
  CHECK(loss_value(keras::losses::get("categorical_crossentropy"), core::constant(std::vector<float>{0, 1, 0}, Shape{1, 3}),
                   core::constant(std::vector<float>{1, 0, 0}, Shape{1, 3})) == doctest::Approx(6.907755374).epsilon(1e-5));
  CHECK(loss_value(keras::losses::get("mean_absolute_percentage_error"), core::constant(std::vector<float>{0, 2}, Shape{1, 2}),
                   core::constant(std::vector<float>{1, 1}, Shape{1, 2})) == doctest::Approx(50024.996).epsilon(1e-5));
  CHECK_THROWS_WITH_AS(keras::config::set_epsilon(0), doctest::Contains("finite positive"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(keras::config::set_epsilon(std::nan("")), doctest::Contains("finite positive"),
                       std::invalid_argument);
  CHECK(keras::config::epsilon() == doctest::Approx(1e-3));
}

TEST_CASE("keras::config::set_floatx: the default dtype policy of layers, until a policy is set") {
  Defaults restore;
  CHECK(keras::config::floatx() == "float32");
  keras::mixed_precision::clear_global_policy();  // (other tests set one)
  keras::config::set_floatx("float64");
  CHECK(keras::config::floatx() == "float64");
  CHECK(keras::mixed_precision::global_policy().name() == "float64");
  auto dense = layers::Dense(2);
  (*dense)(ops::ones({1, 3}));
  CHECK(dense->kernel.value().dtype() == DType::float64);
  CHECK(dense->dtype_policy().compute_dtype() == DType::float64);
  // An explicit global policy wins over floatx, as Keras's set_dtype_policy.
  keras::mixed_precision::set_global_policy("mixed_float16");
  CHECK(keras::mixed_precision::global_policy().name() == "mixed_float16");
  keras::mixed_precision::clear_global_policy();
  CHECK(keras::mixed_precision::global_policy().name() == "float64");
  CHECK_THROWS_WITH_AS(keras::config::set_floatx("int32"),
                       doctest::Contains("Unknown `floatx` value: int32"), std::invalid_argument);
  CHECK(keras::config::floatx() == "float64");
}

TEST_CASE("keras::config::set_max_epochs / set_max_steps_per_epoch cap fit, evaluate and predict, as Keras's") {
  Defaults restore;
  CHECK(keras::config::max_epochs() == 0);
  CHECK(keras::config::max_steps_per_epoch() == 0);
  auto model = keras::Sequential({layers::Dense(1, {.input_shape = {2}})});
  model->compile({.optimizer = "sgd", .loss = "mse"});
  const Tensor x = ops::ones({40, 2}), y = ops::zeros({40, 1});
  struct Counter : keras::callbacks::Callback {
    int train = 0, test = 0, predict = 0;
    void on_train_batch_end(int64_t, const keras::Logs&) override { ++train; }
    void on_test_batch_end(int64_t, const keras::Logs&) override { ++test; }
    void on_predict_batch_end(int64_t, const keras::Logs&) override { ++predict; }
  };
  auto cb = std::make_shared<Counter>();
  int& train_batches = cb->train;
  int& test_batches = cb->test;
  int& predict_batches = cb->predict;
  keras::config::set_max_epochs(2);
  keras::config::set_max_steps_per_epoch(3);
  // 40 samples in batches of 4 are 10 steps; 5 epochs asked; validation on the same arrays.
  const auto history = model->fit(x, y, {.batch_size = 4, .epochs = 5, .verbose = 0, .callbacks = {cb},
                                         .validation_data = {{x, y}}});
  CHECK(history.history.at("loss").size() == 2);
  CHECK(train_batches == 2 * 3);
  CHECK(test_batches == 2 * 3);
  (void)model->predict(x, {.batch_size = 4, .verbose = 0, .callbacks = {cb}});
  CHECK(predict_batches == 3);
  // A smaller steps option stays; 0 lifts the caps.
  train_batches = 0;
  model->fit(x, y, {.batch_size = 4, .epochs = 1, .verbose = 0, .callbacks = {cb}, .steps_per_epoch = 2});
  CHECK(train_batches == 2);
  keras::config::set_max_epochs(0);
  keras::config::set_max_steps_per_epoch(0);
  train_batches = 0;
  model->fit(x, y, {.batch_size = 4, .epochs = 3, .verbose = 0, .callbacks = {cb}});
  CHECK(train_batches == 30);
  CHECK_THROWS_MSG(keras::config::set_max_epochs(-1), std::invalid_argument,
                   "set_max_epochs: expected a non-negative integer (0: no limit), but received -1");
  CHECK_THROWS_AS(keras::config::set_max_steps_per_epoch(-2), std::invalid_argument);
}
