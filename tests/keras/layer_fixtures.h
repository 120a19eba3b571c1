// layer_fixtures.h - reading the Keras 3 fixture files of the layer tests
// (tests/data/<dir>/<case>.npz, written by the scripts in tests/data/npz/): the input "x",
// the weights "w0", "w1", ... and Keras's outputs.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "helpers.h"
#include "keras/keras.h"
#include "test_data_dir.h"

namespace th {

inline std::string fixture_path(const std::string& dir, const std::string& file) {
  return std::string(KERAS_TEST_DATA_DIR) + "/" + dir + "/" + file;
}

// The arrays of tests/data/<dir>/<name>.npz by name.
inline std::map<std::string, Tensor> load_fixture(const std::string& dir, const std::string& name) {
  std::map<std::string, Tensor> a;
  for (auto& [k, v] : keras::core::load_npz(fixture_path(dir, name + ".npz"))) a[k] = v;
  return a;
}

// Builds the layer for the fixture's input "x" and gives it the fixture's weights.
inline void set_fixture_weights(keras::layers::Layer& layer, const std::map<std::string, Tensor>& a) {
  auto dims = a.at("x").shape().dims();
  // (through the list form, which layers with several inputs or states override)
  layer.build(std::vector<keras::ShapeSpec>{keras::ShapeSpec(dims.begin(), dims.end())});
  std::vector<Tensor> w;
  for (int i = 0; a.count("w" + std::to_string(i)); ++i) w.push_back(a.at("w" + std::to_string(i)));
  REQUIRE(layer.weights().size() == w.size());
  layer.set_weights(w);
}

}  // namespace th
