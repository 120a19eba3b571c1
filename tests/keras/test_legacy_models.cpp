// test_legacy_models.cpp - load_model of whole models in the legacy HDF5 format, as Keras 2
// (tf_keras 2.21) wrote them (tests/data/legacy_models/make_fixtures.py): the predictions
// Keras 2 made before saving (and Keras 3's load_model of the same files, where it loads
// them), the compile configuration, and one more training step from the restored
// optimizer state against Keras 2's own resumed step. Malformed files and configs raise
// naming what is wrong; a training configuration keras-cpp cannot honour leaves the model
// uncompiled with a warning.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "capture.h"
#include "error_of.h"
#include "files.h"
#include "keras/keras.h"
#include "keras/saving/format.h"
#include "npz_fixtures.h"
#include "test_data_dir.h"

using namespace th;
namespace ops = keras::core::ops;
using keras::Tensor;

namespace {

const char* const kExpected = "legacy_models/expected.npz";

std::string path_of(const std::string& name) {
  return std::string(KERAS_TEST_DATA_DIR) + "/legacy_models/" + name + ".h5";
}

struct Case {
  std::string name;
  int inputs = 1, outputs = 1;
  bool compiled = false, keras3_loads = false;
};

std::vector<Case> cases() {
  std::ifstream in(std::string(KERAS_TEST_DATA_DIR) + "/legacy_models/cases.txt");
  std::vector<Case> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream s(line);
    Case c;
    int compiled = 0;
    std::string k3;
    s >> c.name >> c.inputs >> c.outputs >> compiled >> k3;
    c.compiled = compiled != 0;
    c.keras3_loads = k3 == "loads";
    out.push_back(c);
  }
  REQUIRE(out.size() >= 7);
  return out;
}

std::vector<Tensor> arrays(const std::string& name, const std::string& what, int n) {
  std::vector<Tensor> out;
  for (int i = 0; i < n; ++i) out.push_back(npz_array(kExpected, name + "/" + what + std::to_string(i)));
  return out;
}

float max_diff(const Tensor& a, const Tensor& b) {
  REQUIRE(a.shape() == b.shape());
  return ops::max(ops::abs(ops::cast(a, keras::DType::float32) - ops::cast(b, keras::DType::float32))).item<float>();
}

std::vector<Tensor> predict(keras::Model& m, const std::vector<Tensor>& x) { return m.predict(x, {.verbose = 0}); }

// The file's bytes with `from` replaced by `to` (the same length, so the HDF5 structure
// stays valid): a hand-made variant of a fixture.
std::string edited(const std::string& name, const std::string& from, const std::string& to) {
  REQUIRE(from.size() == to.size());
  std::string bytes = read_bytes(path_of(name));
  const size_t at = bytes.find(from);
  REQUIRE_MESSAGE(at != std::string::npos, from);
  bytes.replace(at, from.size(), to);
  return bytes;
}

}  // namespace

TEST_CASE("load_model reads Keras 2's .h5 models: their predictions, also where Keras 3 cannot load them") {
  // lambda_layer.h5's Lambda (Python's lambda x: x * 2 + 1), in C++ under the layer's name.
  keras::layers::register_lambda("scale_shift", [](const Tensor& x) { return x * 2.0 + 1.0; });
  for (const Case& c : cases()) {
    CAPTURE(c.name);
    Capture err(2);
    keras::ModelPtr m = keras::models::load_model(path_of(c.name), {.compile = false});
    CHECK(m->name() == c.name);
    CHECK_FALSE(m->compiled());
    const std::vector<Tensor> x = arrays(c.name, "x", c.inputs);
    const std::vector<Tensor> got = predict(*m, x);
    REQUIRE(got.size() == size_t(c.outputs));
    for (int i = 0; i < c.outputs; ++i) {
      CHECK(max_diff(got[size_t(i)], npz_array(kExpected, c.name + "/pred" + std::to_string(i))) <= 2e-6f);
      if (c.keras3_loads)
        CHECK(max_diff(got[size_t(i)], npz_array(kExpected, c.name + "/keras3_pred" + std::to_string(i))) <= 2e-6f);
    }
    CHECK(err.text().find("UserWarning") == std::string::npos);  // (Keras 3's mask warnings may show)
  }
}

TEST_CASE("load_model compiles a Keras 2 .h5 model and resumes its training from the saved optimizer state") {
  for (const Case& c : cases()) {
    if (!c.compiled) continue;
    CAPTURE(c.name);
    Capture err(2);
    keras::ModelPtr m = keras::models::load_model(path_of(c.name));
    if (c.name == "legacy_nadam") {  // another algorithm than Keras 3's Nadam
      CHECK_FALSE(m->compiled());
      CHECK(err.text().find("legacy_nadam.h5: the model was not compiled (its training_config cannot be restored: the "
                            "legacy Nadam (its option decay=0.004") != std::string::npos);
      continue;
    }
    REQUIRE(m->compiled());
    // 2 epochs in batches of 4: the iterations Keras 2 counted.
    const int64_t n = npz_array(kExpected, c.name + "/x0").shape()[0];
    CHECK(m->optimizer()->iterations() == 2 * ((n + 3) / 4));
    const std::vector<Tensor> x = arrays(c.name, "x", c.inputs), y = arrays(c.name, "y", c.outputs);
    // evaluate() logs what Keras logged, by name and value.
    const auto evaluated = m->evaluate(x, y, {.verbose = 0});
    const std::string prefix = c.name + "/eval/";
    size_t keys = 0;
    for (const auto& [key, value] : npz_arrays(kExpected)) {
      if (key.rfind(prefix, 0) != 0) continue;
      ++keys;
      const std::string metric = key.substr(prefix.size());
      CAPTURE(metric);
      REQUIRE(evaluated.count(metric));
      const float want = value.item<float>(), got = float(evaluated.at(metric));
      if (std::isnan(want))
        CHECK(std::isnan(got));  // (poisson of negative predictions, in Keras too)
      else
        CHECK(std::abs(got - want) <= 2e-5f * std::max(1.0f, std::abs(want)));
    }
    CHECK(keys == evaluated.size());
    const auto logs = m->train_on_batch(x, y);
    const float want = npz_array(kExpected, c.name + "/step_loss").item<float>();
    CHECK(std::abs(float(logs.at("loss")) - want) <= 2e-5f * std::max(1.0f, std::abs(want)));
    // Keras 2's fused batch normalization (4-D inputs) moves the moving variance toward the
    // batch variance with Bessel's correction, n / (n - 1); Keras 3 and keras-cpp use the
    // batch variance itself: about 1e-4 apart in the cnn's predictions after one step.
    const float tolerance = c.name == "cnn" ? 2e-4f : 2e-5f;
    // tf_keras's Nadam under tf.function multiplies its u_product by the schedule once per
    // variable and step (5.8e-7 after 6 steps of this model where the algorithm, Keras 3's
    // and keras-cpp's, has 0.017): its next step is not the algorithm's; its loss is.
    if (c.name == "opt_nadam") continue;
    const std::vector<Tensor> after = predict(*m, x);
    for (int i = 0; i < c.outputs; ++i)
      CHECK(max_diff(after[size_t(i)], npz_array(kExpected, c.name + "/after" + std::to_string(i))) <= tolerance);
    CHECK(err.text().find("Warning") == std::string::npos);
  }
}

TEST_CASE("a Keras 2 .h5 model's training configuration: loss, loss weights and metrics as Keras 2 logged them") {
  keras::ModelPtr m = keras::models::load_model(path_of("two_heads"));
  REQUIRE(m->compiled());
  CHECK(m->optimizer()->class_name() == "RMSprop");
  CHECK(m->compile_options().loss_weights == std::vector<double>{0.5, 2.0});
  const std::vector<Tensor> x = arrays("two_heads", "x", 2), y = arrays("two_heads", "y", 2);
  const auto logs = m->evaluate(x, y, {.verbose = 0});
  std::vector<std::string> keys;
  for (const auto& [k, v] : logs) keys.push_back(k);
  CHECK(std::find(keys.begin(), keys.end(), "reg_mae") != keys.end());
  CHECK(std::find(keys.begin(), keys.end(), "cls_accuracy") != keys.end());
  keras::ModelPtr cnn = keras::models::load_model(path_of("cnn"));
  CHECK(cnn->optimizer()->get_config().at("nesterov").as_bool());
  const keras::Config loss = keras::losses::serialize(*cnn->compile_options().loss.at(0).ptr());
  CHECK(loss.at("config").at("from_logits").as_bool());
  CHECK(loss.at("config").at("label_smoothing").as_double() == doctest::Approx(0.1));
}

TEST_CASE("legacy .h5 models: what cannot be read raises or warns, naming it") {
  TempDir dir;
  // A weight file is not a model.
  throws_with<std::invalid_argument>(
      [] { keras::models::load_model(std::string(KERAS_TEST_DATA_DIR) + "/applications/legacy_keras2.h5"); },
      "legacy_keras2.h5: this HDF5 file holds no model_config");
  // A class keras-cpp lacks, an unknown activation.
  write_bytes(dir.file("class.h5"), edited("mlp", "\"class_name\": \"Dense\"", "\"class_name\": \"Dxnse\""));
  throws_with<std::invalid_argument>([&] { keras::models::load_model(dir.file("class.h5")); },
                                     "the layer 'dense' is a Keras Dxnse, a class keras-cpp does not have");
  // Bytes that are not JSON.
  write_bytes(dir.file("json.h5"), edited("mlp", "{\"class_name\": \"Sequential\"", "[\"class_name\": \"Sequential\""));
  CHECK_THROWS_AS(keras::models::load_model(dir.file("json.h5")), keras::saving::format::FormatError);
  // A truncated file.
  const std::string bytes = read_bytes(path_of("mlp"));
  write_bytes(dir.file("cut.h5"), bytes.substr(0, bytes.size() / 2));
  CHECK_THROWS_AS(keras::models::load_model(dir.file("cut.h5")), std::exception);
  // A metric function keras-cpp does not have: the model loads with its weights, uncompiled.
  write_bytes(dir.file("metric.h5"),
              edited("mlp", "\"fn\": \"sparse_categorical_accuracy\"", "\"fn\": \"sparse_categorical_accuracx\""));
  {
    Capture err(2);
    keras::ModelPtr m = keras::models::load_model(dir.file("metric.h5"));
    CHECK_FALSE(m->compiled());
    CHECK(err.text().find("metric.h5: the model was not compiled (its training_config cannot be restored: "
                          "metrics.get_function: unknown metric function 'sparse_categorical_accuracx'") !=
          std::string::npos);
    CHECK(max_diff(predict(*m, arrays("mlp", "x", 1))[0], npz_array(kExpected, "mlp/pred0")) <= 2e-6f);
  }
  // Keras 2's hard_sigmoid is not Keras 3's: it reads as keras2_hard_sigmoid (zoo_more's
  // ConvLSTM2D, whose Keras 2 default it is, predicts as Keras 2 did).
  write_bytes(dir.file("hard.h5"),
              edited("rnn", "\"activation\": \"tanh\", \"recurrent_activation\": \"sigmoid\", \"use_bias\": true",
                     "\"activation\":\"tanh\",\"recurrent_activation\":\"hard_sigmoid\",\"use_bias\":true"));
  {
    keras::ModelPtr m = keras::models::load_model(dir.file("hard.h5"), {.compile = false});
    CHECK(m->get_layer("lstm")->get_config().at("recurrent_activation") == keras::Value("keras2_hard_sigmoid"));
    const Tensor x = keras::core::constant(std::vector<float>{-3, -1, 0, 1, 3}, {5});
    CHECK(max_diff(keras::activations::get("keras2_hard_sigmoid")(x),
                   keras::core::constant(std::vector<float>{0, 0.3f, 0.5f, 0.7f, 1}, {5})) <= 1e-7f);
  }
  // A Lambda layer whose function no C++ function stands for.
  write_bytes(dir.file("lambda.h5"), edited("lambda_layer", "\"name\": \"scale_shift\"", "\"name\": \"scale_shifx\""));
  throws_with<std::invalid_argument>([&] { keras::models::load_model(dir.file("lambda.h5")); },
                                     "call keras::layers::register_lambda(\"scale_shifx\", fn) before loading");
  // A TensorFlow function keras-cpp does not map.
  write_bytes(dir.file("tfop.h5"), edited("tf_ops", "\"function\": \"nn.relu\"", "\"function\": \"nn.relx\""));
  throws_with<std::invalid_argument>([&] { keras::models::load_model(dir.file("tfop.h5")); },
                                     "the layer 'tf.nn.relu' calls TensorFlow's tf.nn.relx, which keras-cpp does not "
                                     "read");
  // Keras 1's configs are another language.
  write_bytes(dir.file("keras1.h5"), edited("first_layer_shape", "2.21.0", "1.21.0"));
  throws_with<std::invalid_argument>([&] { keras::models::load_model(dir.file("keras1.h5")); },
                                     "keras1.h5: written by Keras 1.21.0, whose configs keras-cpp does not read");
  // A legacy learning-rate decay has no Keras 3 form.
  write_bytes(dir.file("decay.h5"), edited("legacy_opt", "\"decay\": 0.0,", "\"decay\": 0.5,"));
  {
    Capture err(2);
    keras::ModelPtr m = keras::models::load_model(dir.file("decay.h5"));
    CHECK_FALSE(m->compiled());
    CHECK(err.text().find("the legacy optimizer option decay=0.5") != std::string::npos);
  }
}

TEST_CASE("keras-cpp writes legacy .h5 models (model.save(\"m.h5\")) that keras-cpp and Keras 3 load and resume") {
  // KERAS_CPP_KERAS_FILES_OUT=<folder> keeps the files (with inputs and outputs as .npy
  // files) for tests/keras_files/check_in_keras.py. (Keras 3.15 trains no model it loaded
  // compiled from a legacy .h5 file holding optimizer state, its own files included: its
  // loader builds the optimizer for none of the model's variables, "Unknown variable" at
  // the first step; so Keras's resumption is not checked there.)
  TempDir tmp;
  const char* keep = std::getenv("KERAS_CPP_KERAS_FILES_OUT");
  const std::string dir = keep ? keep : tmp.path.string();
  std::filesystem::create_directories(dir);
  namespace layers = keras::layers;
  namespace opt = keras::optimizers;
  const std::vector<Tensor> mlp_x = arrays("mlp", "x", 1), mlp_y = arrays("mlp", "y", 1);
  const std::vector<Tensor> two_x = arrays("two_heads", "x", 2), two_y = arrays("two_heads", "y", 2);
  struct Made {
    keras::ModelPtr model;
    std::vector<Tensor> x, y;
  };
  const std::vector<std::pair<std::string, std::function<Made()>>> made = {
      {"mlp",
       [&] {
         auto m = keras::Sequential({layers::Dense(8, {.activation = "relu", .input_shape = {6}}),
                                     layers::BatchNormalization(), layers::Dense(3, {.activation = "softmax"})});
         m->compile({.optimizer = opt::Adam({.learning_rate = 0.01}),
                     .loss = "sparse_categorical_crossentropy",
                     .metrics = {"accuracy"}});
         return Made{m, mlp_x, mlp_y};
       }},
      {"two_heads",
       [&] {
         auto a = keras::Input({5}, {.name = "a"});
         auto b = keras::Input({3}, {.name = "b"});
         auto c = layers::Concatenate()({layers::Dense(6, {.activation = "relu"})(a), layers::Dense(4)(b)});
         auto reg = layers::Dense(1, {.name = "reg"})(c);
         auto cls = layers::Dense(3, {.activation = "softmax", .name = "cls"})(c);
         auto m = keras::Functional({a, b}, {reg, cls});
         keras::CompileOptions o;
         o.optimizer = opt::RMSprop({.learning_rate = 0.005, .momentum = 0.5});
         o.loss = {"mse", "categorical_crossentropy"};
         o.loss_weights = {0.5, 2.0};
         o.metrics_per_output = {{"mae"}, {"accuracy"}};
         m->compile(o);
         return Made{m, two_x, two_y};
       }},
      {"functional",
       [&] {
         auto in = keras::Input({6});
         auto h = layers::BatchNormalization()(layers::Dense(8, {.activation = "relu"})(in));
         auto m = keras::Functional({in}, {layers::Dense(3, {.activation = "softmax"})(h)});
         m->compile({.optimizer = opt::Adam({.learning_rate = 0.01, .amsgrad = true}),
                     .loss = "sparse_categorical_crossentropy",
                     .metrics = {"accuracy"}});
         return Made{m, mlp_x, mlp_y};
       }},
      {"deep",  // a model_config past 64 KiB (70 KB) in one attribute
       [&] {
         std::vector<keras::LayerPtr> stack = {layers::Dense(3, {.activation = "tanh", .input_shape = {6}})};
         for (int i = 0; i < 120; ++i) stack.push_back(layers::Dense(3, {.activation = "tanh"}));
         return Made{keras::Sequential(stack), mlp_x, {}};
       }},
      {"uncompiled",
       [&] {
         auto m = keras::Sequential({layers::Dense(4, {.activation = "tanh", .input_shape = {6}}), layers::Dense(2)});
         return Made{m, mlp_x, {}};
       }},
  };
  int warnings = 0;  // Keras's legacy-format warning, once per process (no other test saves .h5 models)
  for (const auto& entry : made) {
    const std::string& name = entry.first;
    CAPTURE(name);
    Made m = entry.second();
    if (!m.y.empty())
      for (int i = 0; i < 3; ++i) m.model->train_on_batch(m.x, m.y);
    const std::string base = dir + "/cpp_h5_" + name;
    {
      Capture err(2);
      m.model->save(base + ".h5");
      if (err.text().find("UserWarning: You are saving your model as an HDF5 file") != std::string::npos) ++warnings;
    }
    const std::vector<Tensor> out = predict(*m.model, m.x);
    for (size_t i = 0; i < m.x.size(); ++i) keras::core::save_npy(base + ".in" + std::to_string(i) + ".npy", m.x[i]);
    for (size_t i = 0; i < out.size(); ++i) keras::core::save_npy(base + ".out" + std::to_string(i) + ".npy", out[i]);
    Capture err(2);
    keras::ModelPtr back = keras::models::load_model(base + ".h5");
    CHECK(err.text().find("Warning") == std::string::npos);
    const std::vector<Tensor> again = predict(*back, m.x);
    for (size_t i = 0; i < out.size(); ++i) CHECK(max_diff(again[i], out[i]) == 0.0f);
    CHECK(back->compiled() == !m.y.empty());
    if (m.y.empty()) continue;
    CHECK(back->optimizer()->iterations() == 3);
    for (int i = 0; i < 2; ++i) {
      m.model->train_on_batch(m.x, m.y);
      back->train_on_batch(m.x, m.y);
    }
    const auto a = m.model->get_weights(), b = back->get_weights();
    REQUIRE(a.size() == b.size());
    for (size_t i = 0; i < a.size(); ++i) CHECK(max_diff(a[i], b[i]) <= 1e-6f);
  }
  CHECK(warnings == 1);
}

TEST_CASE("a Lambda layer of a Keras 3 .keras file runs the C++ function registered under its name") {
  keras::layers::register_lambda("scale_shift", [](const Tensor& x) { return x * 2.0 + 1.0; });
  keras::ModelPtr m =
      keras::models::load_model(std::string(KERAS_TEST_DATA_DIR) + "/legacy_models/keras3_lambda.keras");
  CHECK(max_diff(predict(*m, arrays("keras3_lambda", "x", 1))[0], npz_array(kExpected, "keras3_lambda/pred0")) <=
        2e-6f);
  CHECK(m->layers().at(0)->get_config().at("function").as_string() == "scale_shift");
}

TEST_CASE("model_from_json reads Keras 2's model.to_json(); load_weights takes the .h5 file's weights") {
  for (const std::string name : {"two_heads", "zoo_sequence", "zoo_image"}) {
    CAPTURE(name);
    const std::string json = read_bytes(std::string(KERAS_TEST_DATA_DIR) + "/legacy_models/" + name + ".json");
    keras::ModelPtr m = keras::models::model_from_json(json);
    CHECK(m->name() == name);
    m->load_weights(path_of(name));
    const int inputs = name == "two_heads" ? 2 : 1, outputs = name == "two_heads" ? 2 : 1;
    const std::vector<Tensor> got = predict(*m, arrays(name, "x", inputs));
    REQUIRE(got.size() == size_t(outputs));
    for (int i = 0; i < outputs; ++i)
      CHECK(max_diff(got[size_t(i)], npz_array(kExpected, name + "/pred" + std::to_string(i))) <= 2e-6f);
  }
}
