// legacy_h5.cpp - Keras 2's HDF5 weight layout, read by position as Keras 3's
// legacy_h5_format does (legacy_h5.h).
#include "keras/saving/legacy_h5.h"

#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

#include "core/ops.h"
#include "keras/saving/format.h"
#include "keras/saving/keras_weights.h"

namespace keras::saving::detail {
namespace {

using format::FormatError;

std::string join(const std::string& group, const std::string& name) { return group.empty() ? name : group + "/" + name; }

}  // namespace

std::optional<std::vector<std::string>> legacy_attribute(const H5Contents& file, const std::string& group,
                                                         const std::string& name) {
  const auto g = file.string_attributes.find(group);
  if (g == file.string_attributes.end()) return std::nullopt;
  if (auto a = g->second.find(name); a != g->second.end()) return a->second;
  std::vector<std::string> out;
  bool any = false;
  for (int chunk = 0;; ++chunk) {
    const auto a = g->second.find(name + std::to_string(chunk));
    if (a == g->second.end()) break;
    any = true;
    out.insert(out.end(), a->second.begin(), a->second.end());
  }
  if (!any) return std::nullopt;
  return out;
}

namespace {

std::string root_of(const H5Contents& file) {
  if (legacy_attribute(file, "", "layer_names")) return "";
  if (file.groups.count("model_weights") && legacy_attribute(file, "model_weights", "layer_names"))
    return "model_weights";
  return "-";
}

}  // namespace

bool is_legacy_h5(const H5Contents& file) { return root_of(file) != "-"; }

void assign_legacy_weights(Model& model, const H5Contents& file, const std::string& source,
                           std::vector<std::pair<Variable, std::string>>* assigned) {
  const std::string root = root_of(file);
  if (root == "-") throw FormatError(source + ": not Keras 2's weight layout (no 'layer_names' attribute)");
  const std::vector<std::string> names = *legacy_attribute(file, root, "layer_names");
  // The saved layers that have weights, with the paths of their weights.
  std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>> saved;  // (path, name)
  for (const std::string& name : names) {
    const std::string group = join(root, name);
    if (!file.groups.count(group)) throw FormatError(source + ": the layer '" + name + "' in 'layer_names' has no group '" + group + "'");
    const auto weight_names = legacy_attribute(file, group, "weight_names");
    if (!weight_names) throw FormatError(source + ": the group '" + group + "' has no 'weight_names' attribute");
    if (weight_names->empty()) continue;
    std::vector<std::pair<std::string, std::string>> paths;
    for (const std::string& w : *weight_names) {
      const std::string path = join(group, w);
      if (!file.datasets.count(path)) throw FormatError(source + ": the weight '" + w + "' of the layer '" + name + "' has no dataset '" + path + "'");
      paths.emplace_back(path, w);
    }
    saved.emplace_back(name, std::move(paths));
  }
  std::vector<LayerPtr> mine;
  const bool keras_graph = model.class_name() == "Functional" || model.class_name() == "Sequential";
  for (const LayerPtr& l : keras_graph ? keras_ordered_layers(model) : model.layers())
    if (!l->weights().empty()) mine.push_back(l);
  if (mine.size() != saved.size())
    throw std::invalid_argument(source + ": Layer count mismatch when loading weights from file. Model expected " +
                                std::to_string(mine.size()) + " layers, found " + std::to_string(saved.size()) +
                                " saved layers (with weights; " + std::to_string(names.size()) + " in all).");
  std::vector<std::pair<Variable, Tensor>> assignments;
  for (size_t k = 0; k < mine.size(); ++k) {
    const layers::Layer& layer = *mine[k];
    std::vector<Variable> targets = layer.trainable_weights();
    for (const Variable& v : layer.non_trainable_weights()) targets.push_back(v);
    const std::string who = "layer #" + std::to_string(k) + " (named '" + layer.name() + "' in the model, '" + saved[k].first +
                            "' in the file)";
    const auto& paths = saved[k].second;
    if (targets.size() != paths.size())
      throw std::invalid_argument(source + ": " + who + " expects " + std::to_string(targets.size()) + " weights, but the file has " +
                                  std::to_string(paths.size()));
    for (size_t i = 0; i < targets.size(); ++i) {
      Tensor t = file.datasets.at(paths[i].first);
      const Tensor& want = targets[i].value();
      const bool convertible = t.dtype() == want.dtype() || (core::is_floating(t.dtype()) && core::is_floating(want.dtype()));
      if (t.shape() != want.shape() || !convertible)
        throw std::invalid_argument(source + ": " + who + ", weight " + std::to_string(i) + " ('" + targets[i].name() +
                                    "'): expected shape " + want.shape().str() + " " + core::dtype_name(want.dtype()) +
                                    ", but the file's '" + paths[i].first + "' has shape " + t.shape().str() + " " +
                                    core::dtype_name(t.dtype()));
      if (t.dtype() != want.dtype()) t = core::ops::cast(t, want.dtype());
      assignments.emplace_back(targets[i], std::move(t));
      if (assigned) assigned->emplace_back(targets[i], paths[i].second);
    }
  }
  for (auto& [v, t] : assignments) v.assign(t.to(v.value().device()));
}

}  // namespace keras::saving::detail
