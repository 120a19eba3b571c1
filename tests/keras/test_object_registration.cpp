// test_object_registration.cpp - keras::saving's get_registered_name, get_registered_object,
// get_custom_objects, serialize_keras_object and deserialize_keras_object: Keras 3.15's
// entries (the JSON strings below are what keras.saving.serialize_keras_object printed for
// the same objects), round trips for every family, user classes under a package, errors.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "helpers.h"
#include "keras/keras.h"
#include "keras/saving/object_registration.h"

using namespace th;
namespace saving = keras::saving;
namespace layers = keras::layers;
using keras::Config;
using keras::Value;

namespace {
// `mine` has Keras's module, class and registered name, and the values of `keys` in its
// config that Keras's entry (JSON) has.
void check_entry(const Config& mine, const std::string& keras_json, const std::vector<std::string>& keys) {
  const Value k = Value::from_json(keras_json);
  INFO(mine.to_json());
  CHECK(mine.at("module") == k.at("module"));
  CHECK(mine.at("class_name") == k.at("class_name"));
  CHECK(mine.at("registered_name") == k.at("registered_name"));
  for (const std::string& key : keys) {
    INFO(key);
    REQUIRE(mine.at("config").contains(key));
    const Value& a = mine.at("config").at(key);
    const Value& b = k.at("config").at(key);
    if (a.is_object() && a.contains("module")) {  // a nested entry: its class
      CHECK(a.at("module") == b.at("module"));
      CHECK(a.at("class_name") == b.at("class_name"));
    } else if (b.type() == Value::Type::number || a.type() == Value::Type::number) {
      CHECK(a.as_double() == doctest::Approx(b.as_double()));
    } else {
      CHECK(a == b);
    }
  }
}

class MyScale : public layers::Layer {
 public:
  explicit MyScale(double factor, const keras::LayerOptions& o = {}) : Layer("MyScale", o), factor_(factor) {}
  Tensor call(const Tensor& x, bool) override { return ops::multiply(x, ops::scalar_like(x, factor_)); }
  Config get_config() const override {
    Config c = base_config();
    c["factor"] = factor_;
    return c;
  }
  static std::shared_ptr<MyScale> from_config(const Config& c) {
    return layers::make<MyScale>(c.at("factor").as_double(), layers::layer_options_from(c));
  }
  double factor() const { return factor_; }

 private:
  double factor_;
};
}  // namespace

TEST_CASE("serialize_keras_object: Keras 3's entries for each family") {
  check_entry(saving::serialize_keras_object(*layers::Dense(3, {.activation = "relu", .name = "d"})),
              R"({"module": "keras.layers", "class_name": "Dense", "config": {"name": "d", "trainable": true,
                  "units": 3, "activation": "relu", "use_bias": true, "kernel_initializer": {"module":
                  "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null}, "registered_name":
                  null}, "kernel_regularizer": null}, "registered_name": null})",
              {"name", "units", "activation", "use_bias", "kernel_initializer", "kernel_regularizer"});
  const keras::optimizers::ExponentialDecay schedule(0.1, 10, 0.9);
  check_entry(saving::serialize_keras_object(*keras::optimizers::SGD({.learning_rate = schedule, .momentum = 0.5})),
              R"({"module": "keras.optimizers", "class_name": "SGD", "config": {"name": "sgd", "learning_rate":
                  {"module": "keras.optimizers.schedules", "class_name": "ExponentialDecay", "config":
                  {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.9, "staircase": false, "name":
                  "ExponentialDecay"}, "registered_name": null}, "momentum": 0.5, "nesterov": false},
                  "registered_name": null})",
              {"name", "learning_rate", "momentum", "nesterov"});
  check_entry(saving::serialize_keras_object(schedule),
              R"({"module": "keras.optimizers.schedules", "class_name": "ExponentialDecay", "config":
                  {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.9, "staircase": false, "name":
                  "ExponentialDecay"}, "registered_name": null})",
              {"initial_learning_rate", "decay_steps", "decay_rate", "staircase"});
  check_entry(saving::serialize_keras_object(
                  keras::losses::BinaryCrossentropy({.from_logits = true, .label_smoothing = 0.1})),
              R"({"module": "keras.losses", "class_name": "BinaryCrossentropy", "config": {"name":
                  "binary_crossentropy", "reduction": "sum_over_batch_size", "from_logits": true, "label_smoothing":
                  0.1, "axis": -1}, "registered_name": null})",
              {"name", "reduction", "from_logits", "label_smoothing", "axis"});
  check_entry(saving::serialize_keras_object(keras::initializers::GlorotUniform(1)),
              R"({"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": 1, "input_axes":
                  null, "output_axes": null}, "registered_name": null})",
              {"seed"});
  check_entry(saving::serialize_keras_object(*keras::regularizers::get("l2")),
              R"({"module": "keras.regularizers", "class_name": "L2", "config": {"l2": 0.01},
                  "registered_name": null})",
              {"l2"});
  check_entry(saving::serialize_keras_object(keras::constraints::MaxNorm({.max_value = 2.0})),
              R"({"module": "keras.constraints", "class_name": "MaxNorm", "config": {"max_value": 2.0, "axis": 0},
                  "registered_name": null})",
              {"max_value", "axis"});
  check_entry(saving::serialize_keras_object(keras::metrics::AUC({.num_thresholds = 50})),
              R"({"module": "keras.metrics", "class_name": "AUC", "config": {"name": "auc", "dtype": "float32",
                  "num_thresholds": 50, "curve": "ROC", "summation_method": "interpolation", "multi_label": false,
                  "from_logits": false}, "registered_name": null})",
              {"name", "num_thresholds", "curve", "summation_method", "multi_label", "from_logits"});
}

TEST_CASE("deserialize_keras_object: Keras's entries, keras-cpp's own form and names, for each family") {
  // Keras 3.15's entry for Dense(3, activation="relu", name="d"), as it printed it.
  const Value dense = Value::from_json(
      R"({"module": "keras.layers", "class_name": "Dense", "config": {"name": "d", "trainable": true, "dtype":
          {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
          "units": 3, "activation": "relu", "use_bias": true, "kernel_initializer": {"module": "keras.initializers",
          "class_name": "GlorotUniform", "config": {"seed": null, "input_axes": null, "output_axes": null},
          "registered_name": null}, "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros",
          "config": {}, "registered_name": null}, "kernel_regularizer": null, "bias_regularizer": null,
          "kernel_constraint": null, "bias_constraint": null, "quantization_config": null}, "registered_name": null})");
  keras::layers::LayerPtr d = saving::deserialize_keras_object<layers::Layer>(dense);
  CHECK(d->class_name() == "Dense");
  CHECK(d->name() == "d");
  CHECK(d->get_config().at("units") == Value(3));
  CHECK(d->get_config().at("activation") == Value("relu"));

  const Value sgd = Value::from_json(
      R"({"module": "keras.optimizers", "class_name": "SGD", "config": {"name": "sgd", "learning_rate": {"module":
          "keras.optimizers.schedules", "class_name": "ExponentialDecay", "config": {"initial_learning_rate": 0.1,
          "decay_steps": 10, "decay_rate": 0.9, "staircase": false, "name": "ExponentialDecay"}, "registered_name":
          null}, "weight_decay": null, "clipnorm": null, "global_clipnorm": null, "clipvalue": null, "use_ema": false,
          "ema_momentum": 0.99, "ema_overwrite_frequency": null, "loss_scale_factor": null,
          "gradient_accumulation_steps": null, "momentum": 0.5, "nesterov": false}, "registered_name": null})");
  keras::optimizers::OptimizerPtr opt = saving::deserialize_keras_object<keras::optimizers::Optimizer>(sgd);
  CHECK(opt->class_name() == "SGD");
  check_entry(saving::serialize_keras_object(*opt), sgd.to_json(), {"learning_rate", "momentum", "nesterov"});

  // Every family round-trips through its entry.
  auto loss = keras::losses::BinaryCrossentropy({.from_logits = true, .label_smoothing = 0.1});
  CHECK(saving::serialize_keras_object(*saving::deserialize_keras_object<keras::losses::Loss>(
            saving::serialize_keras_object(loss))) == saving::serialize_keras_object(loss));
  auto auc = keras::metrics::AUC({.num_thresholds = 50});
  CHECK(saving::serialize_keras_object(*saving::deserialize_keras_object<keras::metrics::Metric>(
            saving::serialize_keras_object(auc))) == saving::serialize_keras_object(auc));
  keras::optimizers::ExponentialDecay decay(0.1, 10, 0.9);
  CHECK(saving::serialize_keras_object(*saving::deserialize_keras_object<keras::optimizers::LearningRateSchedule>(
            saving::serialize_keras_object(decay))) == saving::serialize_keras_object(decay));
  keras::initializers::GlorotUniform init(1);
  CHECK(saving::serialize_keras_object(*saving::deserialize_keras_object<keras::initializers::Initializer>(
            saving::serialize_keras_object(init))) == saving::serialize_keras_object(init));
  auto reg = keras::regularizers::get("l1_l2");
  CHECK(saving::serialize_keras_object(*saving::deserialize_keras_object<keras::regularizers::Regularizer>(
            saving::serialize_keras_object(*reg))) == saving::serialize_keras_object(*reg));
  keras::constraints::MaxNorm maxnorm({.max_value = 2.0});
  CHECK(saving::serialize_keras_object(*saving::deserialize_keras_object<keras::constraints::Constraint>(
            saving::serialize_keras_object(maxnorm))) == saving::serialize_keras_object(maxnorm));

  // Names, as the families' get() takes them; keras-cpp's own {"class_name", "config"}.
  CHECK(saving::deserialize_keras_object<keras::losses::Loss>(Value("mse"))->class_name() == "MeanSquaredError");
  CHECK(saving::deserialize_keras_object<keras::initializers::Initializer>(Value("he_normal"))->class_name() ==
        "HeNormal");
  CHECK(saving::deserialize_keras_object<layers::Layer>(layers::serialize(*layers::Dense(2)))->class_name() == "Dense");

  // A model entry gives the model.
  auto model = keras::Sequential({layers::Dense(2, {.input_shape = {3}}), layers::Dense(1)});
  const Config m = saving::serialize_keras_object(*model);
  CHECK(m.at("class_name") == Value("Sequential"));
  CHECK(m.at("module") == Value("keras"));
  auto again = saving::deserialize_keras_object<layers::Layer>(m);
  REQUIRE(dynamic_cast<keras::SequentialModel*>(again.get()) != nullptr);
  CHECK(again->weights().size() == 4);

  CHECK_THROWS_MSG(saving::deserialize_keras_object<layers::Layer>(Value("relu")), std::invalid_argument,
                   "deserialize_keras_object: a layer is not made from a name ('relu')");
  CHECK_THROWS_MSG(saving::deserialize_keras_object<keras::losses::Loss>(Value::from_json(
                       R"({"module": "keras.losses", "class_name": "Nope", "config": {}, "registered_name": null})")),
                   std::invalid_argument, "Nope");
}

TEST_CASE("register_serializable with a package: the registered name, the object, the entry, the custom objects") {
  saving::register_serializable<MyScale>("MyScale", "my_pkg");
  auto s = layers::make<MyScale>(3.0, keras::LayerOptions{.name = "m"});
  CHECK(saving::get_registered_name(*s) == "my_pkg>MyScale");
  CHECK(saving::get_registered_name(*layers::Dense(2)) == "Dense");  // a built-in: its class name
  CHECK(saving::get_registered_name(keras::losses::MeanSquaredError()) == "MeanSquaredError");

  // Keras 3.15 printed {"module": null, "class_name": "MyLayer", "config": {...}, "registered_name":
  // "my_pkg>MyLayer"} for a class registered under package "my_pkg".
  const Config e = saving::serialize_keras_object(*s);
  CHECK(e.at("module").is_null());
  CHECK(e.at("class_name") == Value("MyScale"));
  CHECK(e.at("registered_name") == Value("my_pkg>MyScale"));
  CHECK(e.at("config").at("factor") == Value(3.0));
  auto back = saving::deserialize_keras_object<layers::Layer>(e);
  REQUIRE(dynamic_cast<MyScale*>(back.get()) != nullptr);
  CHECK(dynamic_cast<MyScale*>(back.get())->factor() == 3.0);

  std::optional<saving::CustomObject> o = saving::get_registered_object("my_pkg>MyScale");
  REQUIRE(o);
  CHECK(o->family() == keras::Family::layer);
  CHECK(saving::get_custom_objects().count("my_pkg>MyScale") == 1);
  CHECK_FALSE(saving::get_registered_object("Dense"));  // built-ins are not registered objects (Keras: None)
  CHECK_FALSE(saving::get_registered_object("Elsewhere"));
  CHECK(saving::get_registered_object("Elsewhere", {{"Elsewhere", MyScale::from_config}}));  // custom_objects
  {
    saving::CustomObjectScope scope({{"Scoped", MyScale::from_config}});
    CHECK(saving::get_registered_object("Scoped"));
  }
  CHECK_FALSE(saving::get_registered_object("Scoped"));
  CHECK(saving::get_custom_objects().count("Scoped") == 0);
}

TEST_CASE("keras-cpp writes serialize_keras_object entries (KERAS_CPP_KERAS_FILES_OUT: for Keras to read)") {
  // One entry per line in serialized.jsonl; tests/keras_files/check_in_keras.py gives each
  // to keras.saving.deserialize_keras_object and compares the options of what Keras
  // serializes back.
  const keras::optimizers::ExponentialDecay schedule(0.1, 10, 0.9);
  const std::vector<Config> entries = {
      saving::serialize_keras_object(*layers::Dense(
          3, {.activation = "relu", .kernel_regularizer = "l2", .kernel_constraint = "max_norm", .name = "d"})),
      saving::serialize_keras_object(*keras::optimizers::SGD({.learning_rate = schedule, .momentum = 0.5})),
      saving::serialize_keras_object(*keras::optimizers::Adam({.learning_rate = 0.01, .amsgrad = true})),
      saving::serialize_keras_object(keras::losses::BinaryCrossentropy({.from_logits = true, .label_smoothing = 0.1})),
      saving::serialize_keras_object(keras::metrics::AUC({.num_thresholds = 50})),
      saving::serialize_keras_object(keras::initializers::GlorotUniform(1)),
      saving::serialize_keras_object(*keras::regularizers::get("l1_l2")),
      saving::serialize_keras_object(keras::constraints::MaxNorm({.max_value = 2.0})),
      saving::serialize_keras_object(schedule),
      saving::serialize_keras_object(
          *keras::Sequential({layers::Dense(2, {.input_shape = {3}}), layers::Dropout(0.5), layers::Dense(1)}))};
  for (const Config& e : entries) {  // each reads back in keras-cpp as what it was
    const std::string cls = e.at("class_name").as_string();
    INFO(cls);
    if (cls == "Dense" || cls == "Sequential")
      CHECK(saving::serialize_keras_object(*saving::deserialize_keras_object<layers::Layer>(e)).at("class_name") ==
            e.at("class_name"));
  }
  if (const char* keep = std::getenv("KERAS_CPP_KERAS_FILES_OUT")) {
    std::filesystem::create_directories(keep);
    std::ofstream out(std::string(keep) + "/serialized.jsonl");
    for (const Config& e : entries) out << e.to_json() << "\n";
  }
}
