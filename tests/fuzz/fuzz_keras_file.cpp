// fuzz_keras_file.cpp - libFuzzer target for the readers of Keras 3's files: any bytes
// must load or raise a std::exception, never crash, read out of bounds or allocate
// without bound.
//
// - Bytes that start like a zip archive go to load_model_from_memory (libzip's reading of
//   the archive, config.json through the JSON reader and the config translation, the
//   weights through the HDF5 walker) and to load_feature_space_from_memory (a
//   FeatureSpace's config, preprocessors, weights and vocabulary assets); the seeds are
//   .keras files written by Keras 3 (operations.keras: a graph of layers and keras.ops calls).
// - Other bytes go to the JSON reader (keras::Value::from_json, nlohmann-json inside) and,
//   read as a recipe, describe an HDF5 weight file with hostile groups, names, ranks,
//   shapes and dtypes; the file is made with the HDF5 library and read back into a small
//   model (the walker's checks and the layout code, not HDF5's own parser, which is not
//   ours to fuzz); read as another recipe, they are Keras 2's layout (layer_names,
//   weight_names) given straight to its loader; and split at their first NUL byte, they
//   are the model_config and training_config attributes of a legacy .h5 model (the
//   Keras 2 config translation, the architecture, the compile configuration), its
//   weights those of a small Keras 2 Sequential model (seeds: legacy_config, a Sequential
//   model; legacy_tfops, tf_keras's TFOpLambda and SlicingOpLambda layers).
#include <cstdint>
#include <exception>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "keras/keras.h"
#include "keras/saving/feature_space_file.h"
#include "keras/saving/h5_file.h"
#include "keras/saving/keras_weights.h"
#include "keras/saving/legacy_h5.h"
#include "keras/saving/legacy_h5_model.h"
#include "keras/saving/saving.h"

namespace {
namespace d = keras::saving::detail;

keras::ModelPtr small_model() {
  namespace layers = keras::layers;
  return keras::Sequential({layers::Dense(3, {.input_shape = {2}}), layers::BatchNormalization(), layers::Dense(1)});
}

struct Recipe {
  std::string_view in;
  size_t at = 0;
  bool more() const { return at < in.size(); }
  uint8_t next() { return at < in.size() ? uint8_t(in[at++]) : 0; }
};

void weights_from_recipe(std::string_view bytes) {
  static const char* const kPaths[] = {"layers/dense/vars/", "layers/dense_1/vars/", "layers/batch_normalization/vars/",
                                       "optimizer/vars/", "layers/dense/cell/vars/", "vars/", "layers/x/vars/"};
  static const keras::DType kTypes[] = {keras::DType::float32, keras::DType::float64, keras::DType::int32,
                                        keras::DType::int64, keras::DType::uint8};
  Recipe r{bytes};
  std::vector<std::pair<std::string, std::string>> groups;
  std::vector<std::pair<std::string, keras::Tensor>> datasets;
  while (r.more() && datasets.size() < 12) {
    const uint8_t op = r.next();
    std::string path = kPaths[op % 7] + std::to_string(r.next() % 5);
    if (op & 0x80) {
      groups.emplace_back(path, "");  // a group where a dataset is expected
      continue;
    }
    std::vector<int64_t> dims;
    const int rank = r.next() % 4;
    for (int i = 0; i < rank; ++i) dims.push_back(r.next() % 9);
    bool taken = false;
    for (const auto& [p, t] : datasets) taken = taken || p == path;
    for (const auto& [p, n] : groups) taken = taken || p == path;
    if (taken) continue;
    datasets.emplace_back(path, keras::ops::ones(keras::Shape(dims), kTypes[r.next() % 5]));
  }
  const std::string file = d::write_h5(groups, datasets);
  keras::ModelPtr m = small_model();
  d::assign_keras_weights(*m, d::read_h5(file, "fuzz"), "fuzz");
}

// Keras 2's layout (legacy_h5.cpp), its contents made directly from the recipe: layer
// names and weight names that point anywhere, missing groups and datasets, chunked
// attributes, shapes and dtypes that do or do not fit the model.
void legacy_from_recipe(std::string_view bytes) {
  static const char* const kNames[] = {"dense", "dense_1", "batch_normalization", "x", "", "dense/dense"};
  static const char* const kWeights[] = {"kernel:0", "bias:0", "gamma:0", "beta:0", "moving_mean:0", "moving_variance:0"};
  static const keras::DType kTypes[] = {keras::DType::float32, keras::DType::float64, keras::DType::int32};
  Recipe r{bytes};
  d::H5Contents c;
  const std::string root = r.next() & 1 ? "model_weights" : "";
  c.groups.insert("");
  c.groups.insert(root);
  std::vector<std::string> layer_names;
  while (r.more() && layer_names.size() < 8) {
    const uint8_t op = r.next();
    const std::string name = kNames[op % 6];
    layer_names.push_back(name);
    const std::string group = root.empty() ? name : root + "/" + name;
    if (op & 0x40) continue;  // no group
    c.groups.insert(group);
    if (op & 0x20) continue;  // no weight_names
    std::vector<std::string> weight_names;
    const int n = r.next() % 5;
    for (int i = 0; i < n; ++i) {
      const std::string w = name + "/" + kWeights[r.next() % 6];
      weight_names.push_back(w);
      if (r.next() & 0x80) continue;  // no dataset
      std::vector<int64_t> dims;
      const int rank = r.next() % 3;
      for (int k = 0; k < rank; ++k) dims.push_back(r.next() % 4);
      c.datasets[group + "/" + w] = keras::ops::ones(keras::Shape(dims), kTypes[r.next() % 3]);
    }
    c.string_attributes[group]["weight_names"] = weight_names;
  }
  if (r.next() & 1) {  // split in chunks, as Keras does past 64 KiB
    const size_t half = layer_names.size() / 2;
    c.string_attributes[root]["layer_names0"] = {layer_names.begin(), layer_names.begin() + long(half)};
    c.string_attributes[root]["layer_names1"] = {layer_names.begin() + long(half), layer_names.end()};
  } else {
    c.string_attributes[root]["layer_names"] = layer_names;
  }
  keras::ModelPtr m = small_model();
  if (d::is_legacy_h5(c)) d::assign_legacy_weights(*m, c, "fuzz");
}
// A legacy .h5 model (legacy_h5_model.cpp): model_config, then after a NUL byte the
// training_config; the weights are a Dense(3) -> Dense(1) model's, in Keras 2's layout.
void legacy_model_from_bytes(std::string_view bytes) {
  const size_t nul = bytes.find('\0');
  d::H5Contents c;
  c.groups = {"", "model_weights", "model_weights/dense", "model_weights/dense_1"};
  c.string_attributes[""]["model_config"] = {std::string(bytes.substr(0, nul))};
  if (nul != std::string_view::npos) c.string_attributes[""]["training_config"] = {std::string(bytes.substr(nul + 1))};
  c.string_attributes["model_weights"]["layer_names"] = {"dense", "dense_1"};
  for (const auto& [layer, in, out] : {std::tuple{"dense", 2, 3}, std::tuple{"dense_1", 3, 1}}) {
    const std::string group = std::string("model_weights/") + layer;
    c.string_attributes[group]["weight_names"] = {std::string(layer) + "/kernel:0", std::string(layer) + "/bias:0"};
    c.datasets[group + "/" + layer + "/kernel:0"] = keras::ops::ones(keras::Shape{in, out}, keras::DType::float32);
    c.datasets[group + "/" + layer + "/bias:0"] = keras::ops::zeros(keras::Shape{out}, keras::DType::float32);
  }
  if (d::is_legacy_h5_model(c)) d::load_legacy_h5_model(c, "fuzz.h5", true);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (bytes.substr(0, 2) == "PK") {
    try {
      keras::saving::load_model_from_memory(bytes, {}, "fuzz.keras");
    } catch (const std::exception&) {
    }
    try {
      keras::saving::load_feature_space_from_memory(bytes, "fuzz.keras");
    } catch (const std::exception&) {
    }
    return 0;
  }
  try {
    keras::Config::from_json(bytes);
  } catch (const std::exception&) {
  }
  try {
    weights_from_recipe(bytes);
  } catch (const std::exception&) {
  }
  try {
    legacy_from_recipe(bytes);
  } catch (const std::exception&) {
  }
  try {
    legacy_model_from_bytes(bytes);
  } catch (const std::exception&) {
  }
  return 0;
}
