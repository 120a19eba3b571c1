// test_optimizer_state.cpp - the optimizer state of Keras 3.15's .keras files: each model
// of tests/data/optimizer_state (trained three steps by Keras with one optimizer, written
// by make_optimizer_state_fixtures.py) loads compiled with its optimizer's variables, and
// two more steps give Keras's weights.
#include <doctest/doctest.h>

#include <string>
#include <vector>

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
  CHECK(cases == 16);
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
