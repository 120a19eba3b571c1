// legacy_h5_write.cpp - save_model(model, "m.h5"): the legacy HDF5 model file as Keras 3's
// legacy_h5_format.save_model_to_hdf5 writes it (legacy_h5_model.h).
#include <cstdio>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "keras/saving/keras_config.h"
#include "keras/saving/keras_file.h"
#include "keras/saving/keras_weights.h"
#include "keras/saving/legacy_h5_model.h"
#include "keras/saving/saving.h"

namespace keras::saving::detail {

void save_legacy_h5_model(const Model& model, const std::string& path) {
  static std::once_flag warned;  // Python shows a warning once per place
  std::call_once(warned, [] {
    std::fprintf(stderr,
                 "UserWarning: You are saving your model as an HDF5 file via `model.save()` or "
                 "`keras.saving.save_model(model)`. This file format is considered legacy. We recommend using instead "
                 "the native Keras format, e.g. `model.save('my_model.keras')` or "
                 "`keras.saving.save_model(model, 'my_model.keras')`.\n");
  });
  std::unique_lock<std::recursive_mutex> lock = model.lock_state();  // a snapshot between steps
  const Value entry = cpp_to_keras(model);                           // a subclassed model raises
  Value model_config = Value::object();
  model_config["class_name"] = entry.at("class_name");
  model_config["config"] = entry.at("config");
  std::vector<std::pair<std::string, std::string>> groups = {{"model_weights", ""}};
  std::vector<std::pair<std::string, Tensor>> datasets;
  std::vector<H5StringAttribute> attributes = {{"", "keras_version", {kLegacyH5KerasVersion}, true},
                                               {"", "model_config", {model_config.to_json()}, true}};
  std::vector<std::string> layer_names;
  for (const LayerPtr& layer : keras_ordered_layers(model)) {
    const std::string group = "model_weights/" + layer->name();
    layer_names.push_back(layer->name());
    groups.emplace_back(group, "");
    std::vector<Variable> weights = layer->trainable_weights();
    for (const Variable& v : layer->non_trainable_weights()) weights.push_back(v);
    std::vector<std::string> names;
    std::set<std::string> seen;
    for (const Variable& v : weights) {
      const std::string name = v.path().empty() ? v.name() : v.path();
      if (!seen.insert(name).second)
        throw std::invalid_argument("save_model: the layer '" + layer->name() + "' has two weights at the path '" +
                                    name + "', which the .h5 format cannot tell apart (save as .keras)");
      names.push_back(name);
      datasets.emplace_back(group + "/" + name, v.value().cpu());
    }
    attributes.push_back({group, "weight_names", names, false});
  }
  groups.emplace_back("model_weights/top_level_model_weights", "");
  attributes.push_back({"model_weights/top_level_model_weights", "weight_names", {}, false});
  attributes.push_back({"model_weights", "layer_names", layer_names, false});
  attributes.push_back({"model_weights", "keras_version", {kLegacyH5KerasVersion}, true});
  if (model.compiled() && model.optimizer()) {
    Value training = Value::object();
    const Value cc = keras_compile_config(model);
    for (const auto& [k, v] : cc.items())
      if (k != "optimizer") training[k] = v;
    Value optimizer = Value::object();
    optimizer["class_name"] = cc.at("optimizer").at("class_name");
    optimizer["config"] = cc.at("optimizer").at("config");
    training["optimizer_config"] = optimizer;
    attributes.push_back({"", "training_config", {training.to_json()}, true});
    const auto state = keras_optimizer_values(model);
    if (!state.empty()) {
      groups.emplace_back("optimizer_weights", "");
      std::vector<std::string> names;
      for (const auto& [name, t] : state) {
        names.push_back(name);
        datasets.emplace_back("optimizer_weights/" + name, t.cpu());
      }
      attributes.push_back({"optimizer_weights", "weight_names", names, false});
    }
  }
  lock.unlock();
  const std::string bytes = write_h5(groups, datasets, attributes);
  write_file_atomically(path, [&](std::ostream& out) { out.write(bytes.data(), std::streamsize(bytes.size())); });
}

}  // namespace keras::saving::detail
