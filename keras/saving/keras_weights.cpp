// keras_weights.cpp - the layout of Keras 3's HDF5 weight files (keras_weights.h).
#include "keras/saving/keras_weights.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <stdexcept>

#include "keras/layers/operation.h"
#include "keras/layers/rnn.h"
#include "keras/layers/spectral_normalization.h"
#include "keras/layers/stacked_rnn_cells.h"
#include "keras/saving/format.h"
#include "keras/saving/keras_config.h"

namespace keras::saving::detail {

std::string snake_case(const std::string& class_name) {
  std::string s;
  for (char c : class_name)
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') s += c;
  auto up = [](char c) { return std::isupper(static_cast<unsigned char>(c)) != 0; };
  auto low = [](char c) { return std::islower(static_cast<unsigned char>(c)) != 0; };
  // (.)([A-Z][a-z]+) -> \1_\2, non-overlapping, left to right.
  std::string a;
  for (size_t i = 0; i < s.size();) {
    if (i > 0 && up(s[i]) && i + 1 < s.size() && low(s[i + 1]) && !a.empty()) {
      size_t j = i + 1;
      while (j < s.size() && low(s[j])) ++j;
      a += '_';
      a.append(s, i, j - i);
      i = j;
      continue;
    }
    a += s[i++];
  }
  // ([a-z])([A-Z]) -> \1_\2, then lower case.
  std::string b;
  for (size_t i = 0; i < a.size(); ++i) {
    b += a[i];
    if (low(a[i]) && i + 1 < a.size() && up(a[i + 1])) b += '_';
  }
  for (char& c : b) c = char(std::tolower(static_cast<unsigned char>(c)));
  return b;
}

using format::FormatError;

namespace {
// A layer that holds weights, and its group in the file.
struct Slot {
  std::string path;
  LayerPtr layer;
};

}  // namespace

std::vector<LayerPtr> keras_ordered_layers(const Model& model) {
  std::vector<LayerPtr> ls;
  if (const auto* f = dynamic_cast<const FunctionalModel*>(&model)) {
    // keras.ops calls are operations, not layers: Keras's files hold no group for them.
    std::map<std::string, LayerPtr> by_name;
    for (const LayerPtr& l : f->operations()) by_name[l->name()] = l;
    for (const std::string& name : keras_layer_order(model.get_config()))
      if (!dynamic_cast<const layers::OperationLayer*>(by_name.at(name).get())) ls.push_back(by_name.at(name));
  } else if (model.class_name() == "Sequential") {
    ls = model.layers();
  } else {
    throw std::invalid_argument("the model '" + model.name() + "' is a subclassed " + model.class_name() +
                                ": keras-cpp lays out Keras weight files for Sequential and Functional models only");
  }
  return ls;
}

namespace {
// The layers' groups, as Keras's saving_lib names them (a counter per class name).
void plan(const Model& model, const std::string& prefix, std::vector<Slot>& out,
          std::vector<std::pair<std::string, std::string>>* groups) {
  if (groups) {
    groups->emplace_back(prefix + "vars", model.name());
    groups->emplace_back(prefix + "layers", "");
  }
  const std::vector<LayerPtr> ls = keras_ordered_layers(model);
  std::map<std::string, int> used;
  for (const LayerPtr& l : ls) {
    // The group is named after the layer's Python class (GroupQueryAttention's is
    // GroupedQueryAttention).
    const std::string& cls = l->class_name();
    std::string name = snake_case(cls == "GroupQueryAttention" ? "GroupedQueryAttention" : cls);
    const int n = used[name]++;
    if (n > 0) name.append(1, '_').append(std::to_string(n));
    const std::string path = prefix + "layers/" + name;
    if (auto* m = dynamic_cast<const Model*>(l.get())) {
      plan(*m, path + "/", out, groups);
      continue;
    }
    out.push_back({path, l});
  }
}

}  // namespace

std::vector<std::pair<std::string, LayerPtr>> keras_layer_paths(const Model& model) {
  std::vector<Slot> slots;
  plan(model, "", slots, nullptr);
  std::vector<std::pair<std::string, LayerPtr>> out;
  for (Slot& s : slots) out.emplace_back(std::move(s.path), std::move(s.layer));
  return out;
}

namespace {
// The sublayer groups that hold a layer's weights, in keras-cpp's weight order (an empty
// list: the layer's own "vars").
// An RNN over StackedRNNCells: its cells, else none.
const std::vector<layers::RNNCellPtr>* stacked_cells(const layers::Layer& layer) {
  const auto* rnn = dynamic_cast<const layers::RNNLayer*>(&layer);
  const auto* stack = rnn ? dynamic_cast<const layers::StackedRNNCellsLayer*>(rnn->cell().get()) : nullptr;
  return stack ? &stack->cells() : nullptr;
}

std::vector<std::string> children_of(const layers::Layer& layer) {
  const std::string& cls = layer.class_name();
  if (const auto* cells = stacked_cells(layer)) {  // cell/cells/<class in snake_case>[_N]
    std::vector<std::string> out;
    std::map<std::string, int> used;
    for (const layers::RNNCellPtr& c : *cells) {
      std::string n = snake_case(c->class_name());
      const int k = used[n]++;
      if (k > 0) n.append(1, '_').append(std::to_string(k));
      out.push_back("cell/cells/" + n);
    }
    return out;
  }
  if (cls == "LSTM" || cls == "GRU" || cls == "SimpleRNN" || cls == "RNN" || cls.rfind("ConvLSTM", 0) == 0)
    return {"cell"};
  if (cls == "Bidirectional") return {"forward_layer/cell", "backward_layer/cell"};
  if (cls == "TimeDistributed" || cls == "SpectralNormalization") return {"layer"};
  if (cls == "MultiHeadAttention" || cls == "GroupQueryAttention") {
    // Keras's attribute names: MultiHeadAttention's projections are properties, its gate
    // and GroupQueryAttention's sublayers private ("_").
    const std::string p = cls == "MultiHeadAttention" ? "" : "_";
    std::vector<std::string> c = {p + "query_dense", p + "key_dense"};
    if (layer.get_config().get("use_gate", false).as_bool()) c.push_back("_gate_dense");
    for (const char* n : {"value_dense", "output_dense"}) c.push_back(p + n);
    return c;
  }
  return {};
}

// "<group>/vars/0", "/1", ... while they exist.
void read_vars(const H5Contents& file, const std::string& group, std::vector<std::pair<std::string, Tensor>>& out) {
  for (int i = 0;; ++i) {
    const std::string p = group + "/vars/" + std::to_string(i);
    auto it = file.datasets.find(p);
    if (it == file.datasets.end()) return;
    out.emplace_back(p, it->second);
  }
}

bool under(const std::string& path, const std::string& group) {
  return path.size() > group.size() && path.compare(0, group.size(), group) == 0 && path[group.size()] == '/';
}

std::string describe(const std::string& name, const Tensor& t) {
  return "'" + name + "' with shape " + t.shape().str() + " " + core::dtype_name(t.dtype());
}
}  // namespace

namespace {
// Layer::stored_weights_loaded on a layer and everything under it (the projections of a
// MultiHeadAttention).
void loaded(layers::Layer& l) {
  l.stored_weights_loaded();
  for (const auto& c : l.sublayers()) loaded(*c);
}

std::vector<Slot> slots_of(const std::vector<std::pair<std::string, LayerPtr>>& layers) {
  std::vector<Slot> slots;
  for (const auto& [path, layer] : layers) slots.push_back({path, layer});
  return slots;
}

void assign_slots(const std::vector<Slot>& slots, const H5Contents& file, const std::string& source,
                  const std::string& owner) {
  std::vector<std::pair<Variable, Tensor>> assignments;
  std::vector<std::pair<const Slot*, std::vector<std::pair<std::string, Tensor>>>> named;  // by path in the group
  std::set<std::string> used;
  for (const Slot& s : slots) {
    std::vector<std::pair<std::string, Tensor>> found;
    read_vars(file, s.path, found);
    // Keras's SpectralNormalization also stores the wrapped kernel among its own vars
    // (vars/0, then vector_u): the wrapped layer's group holds it too.
    std::string duplicate;
    if (s.layer->class_name() == "SpectralNormalization" && found.size() == 2) {
      duplicate = found[0].first;
      used.insert(duplicate);
      found.erase(found.begin());
    }
    for (const std::string& c : children_of(*s.layer)) read_vars(file, s.path + "/" + c, found);
    named.push_back({&s, {}});
    for (const auto& dataset : file.datasets) {
      const std::string& p = dataset.first;
      if (!under(p, s.path) || p == duplicate ||
          std::any_of(found.begin(), found.end(), [&](const auto& f) { return f.first == p; }))
        continue;
      if (s.layer->stores_named_tensor(p.substr(s.path.size() + 1))) {  // Keras's named entries (idf_weights)
        named.back().second.emplace_back(p.substr(s.path.size() + 1), dataset.second);
        used.insert(p);
        continue;
      }
      throw FormatError(source + ": the weight file has '" + p + "', which the " + s.layer->class_name() +
                        " layer '" + s.layer->name() + "' (group '" + s.path + "') does not hold");
    }
    std::vector<Variable> targets;  // (Keras's load_own_variables: a LoRA layer's merged kernel)
    for (const auto& w : s.layer->stored_weights()) targets.push_back(w.variable);
    if (targets.size() != found.size())
      throw std::invalid_argument(source + ": the " + s.layer->class_name() + " layer '" + s.layer->name() + "' has " +
                                  std::to_string(targets.size()) + " weights, but the file's group '" + s.path +
                                  "' holds " + std::to_string(found.size()) +
                                  ((s.layer->quantization_mode() == "gptq" || s.layer->quantization_mode() == "awq") &&
                                           found.size() + 1 == targets.size()
                                       ? " (Keras 3.15 saves a GPTQ or AWQ layer without its zero points, kernel_zero, and "
                                         "cannot load such a file either; quantize the float model again)"
                                       : " (a different architecture?)"));
    for (size_t i = 0; i < targets.size(); ++i) {
      const Tensor& t = found[i].second;
      if (t.shape() != targets[i].shape() || t.dtype() != targets[i].dtype())
        throw std::invalid_argument(source + ": weight " + std::to_string(i) + " of the layer '" + s.layer->name() +
                                    "': expected " + describe(targets[i].name(), targets[i].value()) +
                                    ", but the file has " + describe(found[i].first, t));
      assignments.emplace_back(targets[i], t);
      used.insert(found[i].first);
    }
  }
  for (const auto& [p, t] : file.datasets)
    if (!used.count(p) && p.compare(0, 10, "optimizer/") != 0)
      throw FormatError(source + ": the weight file has '" + p + "', which belongs to no layer of " + owner +
                        " (a different architecture?)");
  for (const auto& [slot, entries] : named) {
    if (entries.empty()) continue;
    try {
      slot->layer->load_stored_named_tensors(entries);
    } catch (const std::invalid_argument& e) {
      throw FormatError(source + ": group '" + slot->path + "': " + e.what());
    }
  }
  for (auto& [v, t] : assignments) v.assign(t.to(v.value().device()));
  for (const Slot& s : slots) loaded(*s.layer);
}

std::string weights_file(const std::vector<Slot>& slots, std::vector<std::pair<std::string, std::string>> groups,
                         std::vector<std::pair<std::string, Tensor>> datasets = {}) {
  for (const Slot& s : slots) {
    groups.emplace_back(s.path + "/vars", s.layer->name());
    for (auto& [rel, t] : s.layer->stored_named_tensors()) datasets.emplace_back(s.path + "/" + rel, t);
    // Keras's save_own_variables, layer by layer (a LoRA layer's merged kernel).
    const std::vector<layers::Layer::StoredWeight> ws = s.layer->stored_weights();
    const std::vector<std::string> children = children_of(*s.layer);
    if (auto* sn = dynamic_cast<const layers::SpectralNormalizationLayer*>(s.layer.get())) {
      // As Keras: its own vars hold the wrapped kernel and vector_u; "layer" the wrapped
      // layer's weights.
      datasets.emplace_back(s.path + "/vars/0", sn->kernel.value());
      datasets.emplace_back(s.path + "/vars/1", sn->vector_u.value());
      groups.emplace_back(s.path + "/layer/vars", "");
      const std::vector<Variable> inner = sn->layer()->weights();
      for (size_t i = 0; i < inner.size(); ++i)
        datasets.emplace_back(s.path + "/layer/vars/" + std::to_string(i), inner[i].value());
      continue;
    }
    if (children.empty()) {
      for (size_t i = 0; i < ws.size(); ++i) datasets.emplace_back(s.path + "/vars/" + std::to_string(i), ws[i].value);
      continue;
    }
    // The sublayers are alike (a cell, two directions, four projections): equal shares;
    // stacked cells: each cell's own.
    std::vector<size_t> counts;
    if (const auto* cells = stacked_cells(*s.layer))
      for (const layers::RNNCellPtr& c : *cells) counts.push_back(c->weights().size());
    // One sublayer per child group, as many stored weights as it has (MultiHeadAttention
    // with a LoRA projection: fewer than its weights).
    if (counts.empty() && s.layer->sublayers().size() == children.size()) {
      size_t total = 0;
      for (const auto& c : s.layer->sublayers()) total += c->stored_weights().size();
      if (total == ws.size())
        for (const auto& c : s.layer->sublayers()) counts.push_back(c->stored_weights().size());
    }
    if (counts.empty() && ws.size() % children.size() != 0)
      throw std::invalid_argument("save: the " + s.layer->class_name() + " layer '" + s.layer->name() + "' has " +
                                  std::to_string(ws.size()) + " weights, which do not split over its " +
                                  std::to_string(children.size()) + " sublayers");
    if (counts.empty()) counts.assign(children.size(), ws.size() / children.size());
    size_t at = 0;
    for (size_t c = 0; c < children.size(); ++c) {
      const std::string group = s.path + "/" + children[c];
      const size_t slash = children[c].find('/');
      const std::pair<std::string, std::string> parent{s.path + "/" + children[c].substr(0, slash) + "/vars", ""};
      if (slash != std::string::npos && std::find(groups.begin(), groups.end(), parent) == groups.end())
        groups.push_back(parent);
      groups.emplace_back(group + "/vars", "");
      for (size_t i = 0; i < counts[c]; ++i, ++at)
        datasets.emplace_back(group + "/vars/" + std::to_string(i), ws[at].value);
    }
  }
  return write_h5(groups, datasets);
}
}  // namespace

void assign_keras_weights(Model& model, const H5Contents& file, const std::string& source) {
  std::vector<Slot> slots;
  plan(model, "", slots, nullptr);
  assign_slots(slots, file, source, "the model '" + model.name() + "'");
}

void assign_keras_weights(const std::vector<std::pair<std::string, LayerPtr>>& layers, const H5Contents& file,
                          const std::string& source, const std::string& owner) {
  assign_slots(slots_of(layers), file, source, owner);
}

std::string keras_weights_file(const Model& model, std::vector<std::pair<std::string, std::string>> extra_groups,
                               const std::vector<std::pair<std::string, Tensor>>& extra_datasets) {
  std::vector<Slot> slots;
  std::vector<std::pair<std::string, std::string>> groups;
  plan(model, "", slots, &groups);
  groups.insert(groups.end(), extra_groups.begin(), extra_groups.end());
  return weights_file(slots, std::move(groups), extra_datasets);
}

std::string keras_weights_file(const std::vector<std::pair<std::string, LayerPtr>>& layers,
                               std::vector<std::pair<std::string, std::string>> groups) {
  return weights_file(slots_of(layers), std::move(groups));
}

}  // namespace keras::saving::detail
