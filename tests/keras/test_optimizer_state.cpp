// test_optimizer_state.cpp - the optimizer state of Keras 3.15's .keras files: each model
// of tests/data/optimizer_state (trained three steps by Keras with one optimizer, written
// by make_optimizer_state_fixtures.py) loads compiled with its optimizer's variables, and
// two more steps give Keras's weights.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "capture.h"
#include "files.h"
#include "helpers.h"
#include "json_fixtures.h"
#include "keras/keras.h"
#include "keras/saving/zip_archive.h"
#include "test_data_dir.h"

using namespace th;

TEST_CASE("Keras 3.15 .keras files: training resumes from their optimizer state") {
  const keras::Value& f = json_fixture("optimizer_state/state.json");
  const auto x = keras::core::constant(numbers(f.at("x")), {8, 3});
  const auto y = keras::core::constant(numbers(f.at("y")), {8, 2});
  int cases = 0;
  for (const auto& [name, c] : f.items()) {
    if (name == "x" || name == "y") continue;
    CAPTURE(name);
    ++cases;
    auto model = keras::models::load_model(std::string(KERAS_TEST_DATA_DIR) + "/optimizer_state/" + name + ".keras");
    REQUIRE(model->compiled());
    for (int i = 0; i < 2; ++i) model->train_on_batch({x}, {y});
    CHECK(model->optimizer()->iterations() == c.at("iterations").as_int());
    const auto w = model->get_weights();
    REQUIRE(w.size() == c.at("after").as_list().size());
    for (size_t i = 0; i < w.size(); ++i) check_values(w[i], numbers(c.at("after").as_list()[i]), 2e-5);
  }
  CHECK(cases == 18);
}

TEST_CASE("Keras 3.15 .keras files: an optimizer saved before training loads its iteration and learning rate") {
  // Keras writes an optimizer that has not built its slots with its iteration and learning
  // rate alone: they load, without a warning, and the slots start fresh. (Keras 3.15 warns
  // that it skips those two variables and ends in the same state: iteration 0, the
  // config's learning rate.)
  const std::string src = std::string(KERAS_TEST_DATA_DIR) + "/optimizer_state/adam_untrained.keras";
  keras::ModelPtr model;
  {
    Capture err(2);
    model = keras::models::load_model(src);
    CHECK(err.text().find("skipping the optimizer state") == std::string::npos);
  }
  REQUIRE(model->compiled());
  CHECK(model->optimizer()->iterations() == 0);
  CHECK(model->optimizer()->learning_rate() == doctest::Approx(0.02));
}

TEST_CASE("Keras 3.15 .keras files: an optimizer state that does not fit is skipped with a warning") {
  // adam_amsgrad.keras with amsgrad turned off in its compile config: Keras's 14 variables
  // do not fit the 10 of the optimizer it describes, so the state is left fresh.
  const std::string src = std::string(KERAS_TEST_DATA_DIR) + "/optimizer_state/adam_amsgrad.keras";
  auto members = keras::saving::detail::read_zip(read_bytes(src), {"config.json", "metadata.json", "model.weights.h5"}, src);
  std::string& config = members["config.json"];
  const std::string from = "\"amsgrad\": true";
  REQUIRE(config.find(from) != std::string::npos);
  config.replace(config.find(from), from.size(), "\"amsgrad\": false");
  TempDir dir;
  const std::string edited = (dir.path / "edited.keras").string();
  write_bytes(edited, keras::saving::detail::write_zip({{"metadata.json", members["metadata.json"]},
                                                        {"config.json", config},
                                                        {"model.weights.h5", members["model.weights.h5"]}}));
  auto model = keras::models::load_model(edited);
  REQUIRE(model->compiled());
  CHECK(model->optimizer()->iterations() == 0);  // fresh
  auto as_saved = keras::models::load_model(src);
  CHECK(as_saved->optimizer()->iterations() == 3);
}

TEST_CASE("keras-cpp writes compiled .keras files with their optimizer state, which Keras and keras-cpp resume") {
  // KERAS_CPP_KERAS_FILES_OUT=<folder> keeps them (with inputs and outputs as .npy files)
  // for tests/keras_files/check_in_keras.py, which loads them compiled (failing when Keras
  // skips their optimizer state), trains them two more steps and compares the weights.
  TempDir tmp;
  const char* keep = std::getenv("KERAS_CPP_KERAS_FILES_OUT");
  const std::string dir = keep ? keep : tmp.path.string();
  std::filesystem::create_directories(dir);
  const keras::Value& f = json_fixture("optimizer_state/state.json");
  const auto x = keras::core::constant(numbers(f.at("x")), {8, 3});
  const auto y = keras::core::constant(numbers(f.at("y")), {8, 2});
  namespace opt = keras::optimizers;
  const std::vector<std::pair<std::string, std::function<opt::OptimizerPtr()>>> cases = {
      {"adam_amsgrad", [] { return opt::Adam({.learning_rate = 0.01, .amsgrad = true}); }},
      {"rmsprop_centered", [] { return opt::RMSprop({.learning_rate = 0.01, .momentum = 0.5, .centered = true}); }},
      {"nadam", [] { return opt::Nadam({.learning_rate = 0.01}); }},
      {"adafactor", [] { return opt::Adafactor({.learning_rate = 0.01}); }},
      {"sgd_ema", [] { return opt::SGD({.learning_rate = 0.05, .momentum = 0.9, .use_ema = true}); }},
      {"loss_scale", [] { return std::make_shared<opt::LossScaleOptimizer>(opt::Adam({.learning_rate = 0.01}), 1024.0, 2); }},
      {"multi", [] {
         return std::make_shared<opt::MultiOptimizer>(opt::OptimizerMap(
             opt::SGD({.learning_rate = 0.05, .momentum = 0.9}), {{"enc/.*", opt::Adam({.learning_rate = 0.01})}}));
       }},
  };
  for (const auto& [name, make] : cases) {
    CAPTURE(name);
    auto in = keras::Input({3}, {.name = "x"});
    auto h = keras::layers::Dense(4, {.activation = "tanh", .name = "enc"})(in);
    auto model = keras::Functional({in}, {keras::layers::Dense(2, {.name = "head"})(h)});
    model->compile({.optimizer = make(), .loss = "mse"});
    for (int i = 0; i < 3; ++i) model->train_on_batch({x}, {y});
    const std::string path = dir + "/cpp_state_" + name + ".keras";
    model->save(path);
    keras::core::save_npy(dir + "/cpp_state_" + name + ".in0.npy", x);
    keras::core::save_npy(dir + "/cpp_state_" + name + ".out0.npy", (*model)(x, false));
    auto back = keras::models::load_model(path);
    REQUIRE(back->compiled());
    CHECK(back->optimizer()->iterations() == 3);
    // save_weights holds the state too (as Keras's): a model compiled alike resumes from it.
    model->save_weights(dir + "/cpp_state_" + name + ".weights.h5");
    auto twin = keras::models::load_model(path, {.compile = false});
    twin->compile({.optimizer = make(), .loss = "mse"});
    twin->load_weights(dir + "/cpp_state_" + name + ".weights.h5");
    CHECK(twin->optimizer()->iterations() == 3);
    twin->train_on_batch({x}, {y});
    for (int i = 0; i < 2; ++i) {
      model->train_on_batch({x}, {y});
      back->train_on_batch({x}, {y});
    }
    twin->train_on_batch({x}, {y});
    const auto a = model->get_weights(), b = back->get_weights(), c = twin->get_weights();
    for (size_t i = 0; i < a.size(); ++i) {
      check_values(b[i], values(a[i]), 1e-6);
      check_values(c[i], values(a[i]), 1e-6);
    }
    // For check_in_keras.py: the data, and the weights after the two further steps.
    keras::core::save_npy(dir + "/cpp_state_" + name + ".resume_x.npy", x);
    keras::core::save_npy(dir + "/cpp_state_" + name + ".resume_y.npy", y);
    for (size_t i = 0; i < a.size(); ++i)
      keras::core::save_npy(dir + "/cpp_state_" + name + ".resumed" + std::to_string(i) + ".npy", a[i]);
  }
}
