// custom_loss.cpp - a Huber loss written two ways, on the Boston house prices
// (scikit-learn's CSV; features standardized by a Normalization layer adapted on the
// training rows, a deterministic train/test split):
//   (a) a plain function (y_true, y_pred) -> per-sample losses, registered by name so a
//       saved model that uses it can be loaded;
//   (b) a Loss subclass with a `threshold` hyperparameter written by get_config(), so it
//       comes back from a saved model with its threshold.
// This is when you subclass instead of writing a function: a function made for another
// threshold (create_huber(2.0)) is saved as a name only and comes back with the
// registered function's threshold, while the subclass keeps its 2.0.
//   custom_loss [--short] [--epochs 100] [--data boston_house_prices.csv] [--threads N]
// The last line is machine-readable ("result: ..."), for tests/examples/test_examples.cpp.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include <keras/keras.h>
#include <keras/saving/saving.h>

#include "example_util.h"

namespace ops = keras::ops;
namespace layers = keras::layers;
using keras::Tensor;

// (a) The function: squared error below 1, linear beyond.
Tensor huber_fn(const Tensor& y_true, const Tensor& y_pred) {
  Tensor error = y_true - y_pred;
  Tensor is_small_error = ops::abs(error) < 1.0;
  Tensor squared_loss = ops::square(error) / 2.0;
  Tensor linear_loss = ops::abs(error) - 0.5;
  return ops::where(is_small_error, squared_loss, linear_loss);
}

// A function for another threshold: a closure, whose threshold no config records.
keras::losses::LossFunction create_huber(double threshold) {
  return [threshold](const Tensor& y_true, const Tensor& y_pred) {
    Tensor error = y_true - y_pred;
    return ops::where(ops::abs(error) < threshold, ops::square(error) / 2.0,
                      ops::abs(error) * threshold - threshold * threshold / 2.0);
  };
}

// (b) The subclass: the threshold is a hyperparameter, saved in the config.
class HuberLoss : public keras::losses::Loss {
 public:
  explicit HuberLoss(double threshold = 1.0, const keras::losses::LossOptions& options = {})
      : Loss(options), threshold_(threshold) {}
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override {
    Tensor error = y_true - y_pred;
    return ops::where(ops::abs(error) < threshold_, ops::square(error) / 2.0,
                      ops::abs(error) * threshold_ - threshold_ * threshold_ / 2.0);
  }
  std::string class_name() const override { return "HuberLoss"; }
  keras::Config get_config() const override {
    keras::Config c = Loss::get_config();
    c["threshold"] = threshold_;
    return c;
  }
  static std::shared_ptr<HuberLoss> from_config(const keras::Config& c) {
    return std::make_shared<HuberLoss>(c.at("threshold").as_double(), keras::losses::LossOptions::from_config(c));
  }
  double threshold() const { return threshold_; }

 private:
  double threshold_;
};

namespace {

// A temporary file, removed when the guard goes out of scope (also when loading throws).
struct TemporaryFile {
  std::string path;
  ~TemporaryFile() { std::filesystem::remove(path); }
};

keras::Ref<keras::SequentialModel> build_model(const Tensor& x_train) {
  auto normalization = layers::Normalization({.input_shape = {x_train.shape()[1]}});
  normalization->adapt(x_train);
  return keras::Sequential({normalization, layers::Dense(30, {.activation = "relu", .kernel_initializer = "he_normal"}),
                            layers::Dense(1)});
}

double mae(keras::Model& model, const Tensor& x, const Tensor& y) {
  return ops::mean(ops::abs(model.predict(x, {.batch_size = 256}) - y)).item<float>();
}

// The compiled loss of a model at one prediction error of 1.5 (between the two thresholds).
double loss_at_1_5(const keras::Model& model) {
  const keras::losses::LossPtr& loss = model.compile_options().loss.at(0).ptr();
  return (*loss)(keras::constant({{0.0}}), keras::constant({{1.5}})).item<float>();
}

int main_body(const example::Flags& flags) {
  const bool short_run = flags.short_run();
  const int epochs = int(flags.get_int("epochs", short_run ? 10 : 100));
  ops::set_random_seed(42);
  example::Regression data = example::load_boston_housing(flags.get_string("data", example::kBostonCsv));
  const double baseline = ops::mean(ops::abs(data.y_test - ops::mean(data.y_train))).item<float>();
  std::printf("%lld training and %lld test districts, %lld features; predicting the mean price: test MAE %.2f\n\n",
              static_cast<long long>(data.x_train.shape()[0]), static_cast<long long>(data.x_test.shape()[0]),
              static_cast<long long>(data.x_train.shape()[1]), baseline);
  const std::string dir = std::filesystem::temp_directory_path().string();
  const std::string tag = std::to_string(::getpid());
  const keras::FitOptions fit_options{.batch_size = 32, .epochs = epochs, .verbose = 0, .seed = 42};
  example::Result result;
  result.add("baseline_test_mae", baseline);

  // ---- (a) the function ----
  keras::losses::register_loss("huber_fn", huber_fn);  // so that load_model finds it
  auto model_a = build_model(data.x_train);
  model_a->compile({.optimizer = keras::optimizers::Adam({.learning_rate = 1e-2}), .loss = "huber_fn", .metrics = {"mae"}});
  keras::callbacks::History ha = model_a->fit(data.x_train, data.y_train, fit_options);
  const double a_mae = mae(*model_a, data.x_test, data.y_test);
  std::printf("(a) huber_fn: training loss %.3f -> %.3f, test MAE %.2f\n", ha.history.at("loss").front(),
              ha.history.at("loss").back(), a_mae);
  result.add("fn_first_loss", ha.history.at("loss").front())
      .add("fn_last_loss", ha.history.at("loss").back())
      .add("fn_test_mae", a_mae);

  // A function for threshold 2 is saved as the name "huber_fn" only...
  model_a->compile({.optimizer = model_a->optimizer(), .loss = keras::losses::get(create_huber(2.0), "huber_fn")});
  const TemporaryFile file_a{dir + "/custom_loss_fn_" + tag + ".kcpp"};
  const double closure_before = loss_at_1_5(*model_a);
  model_a->save(file_a.path);
  keras::ModelPtr loaded_a = keras::models::load_model(file_a.path);
  // ... and comes back as the registered huber_fn (threshold 1).
  const double closure_after = loss_at_1_5(*loaded_a);
  std::printf("    create_huber(2.0) saved and loaded: loss at an error of 1.5 was %.4f, is now %.4f (threshold lost)\n\n",
              closure_before, closure_after);
  result.add("closure_loss_before", closure_before).add("closure_loss_after", closure_after);

  // ---- (b) the subclass ----
  ops::set_random_seed(42);
  auto model_b = build_model(data.x_train);
  model_b->compile({.optimizer = keras::optimizers::Adam({.learning_rate = 1e-2}), .loss = HuberLoss(2.0), .metrics = {"mae"}});
  keras::callbacks::History hb = model_b->fit(data.x_train, data.y_train, fit_options);
  const double b_mae = mae(*model_b, data.x_test, data.y_test);
  std::printf("(b) HuberLoss(2.0): training loss %.3f -> %.3f, test MAE %.2f\n", hb.history.at("loss").front(),
              hb.history.at("loss").back(), b_mae);
  const TemporaryFile file_b{dir + "/custom_loss_class_" + tag + ".kcpp"};
  model_b->save(file_b.path);
  keras::ModelPtr loaded_b =
      keras::models::load_model(file_b.path, {.custom_objects = {{"HuberLoss", HuberLoss::from_config}}});
  auto loaded_loss = std::dynamic_pointer_cast<const HuberLoss>(loaded_b->compile_options().loss.at(0).ptr());
  const double loaded_threshold = loaded_loss ? loaded_loss->threshold() : -1.0;
  const double prediction_diff =
      ops::max(ops::abs(model_b->predict(data.x_test) - loaded_b->predict(data.x_test))).item<float>();
  const double loaded_mae = mae(*loaded_b, data.x_test, data.y_test);
  std::printf("    saved and loaded: threshold %.1f, loss at an error of 1.5: %.4f (was %.4f), test MAE %.2f\n",
              loaded_threshold, loss_at_1_5(*loaded_b), loss_at_1_5(*model_b), loaded_mae);
  result.add("class_first_loss", hb.history.at("loss").front())
      .add("class_last_loss", hb.history.at("loss").back())
      .add("class_test_mae", b_mae)
      .add("loaded_threshold", loaded_threshold)
      .add("class_loss_before", loss_at_1_5(*model_b))
      .add("class_loss_after", loss_at_1_5(*loaded_b))
      .add("loaded_prediction_diff", prediction_diff)
      .add("loaded_test_mae", loaded_mae);
  result.print();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return example::run(argc, argv, {"epochs", "data"},
                      "custom_loss [--short] [--epochs 100] [--data boston_house_prices.csv] [--threads N]", main_body);
}
