// saving.cpp - save_model / load_model, save_weights / load_weights, checkpoints, and the
// Model methods that forward to them (keras/saving/saving.h).
#include "keras/saving/saving.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <new>
#include <set>
#include <stdexcept>

#include "core/npy.h"
#include "core/ops.h"
#include "keras/optimizers/loss_scale_optimizer.h"
#include "keras/saving/compile_config.h"
#include "keras/saving/file_config.h"
#include "keras/saving/format.h"
#include "keras/saving/keras_file.h"
#include "keras/saving/legacy_h5_model.h"

namespace keras::saving {

namespace fmt = format;
using fmt::FileKind;
using fmt::FormatError;
using fmt::NamedTensor;
using detail::check_config_values;
using detail::check_config_version;
using detail::parse_json;
using detail::where;

namespace {

using detail::kRegisterHint;

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string describe(const std::string& name, const Tensor& t) {
  return "'" + name + "' with shape " + t.shape().str() + " " + core::dtype_name(t.dtype());
}

// "<layer>/<weight>" names of the model's weights, made unique ("#2", "#3", ...).
std::vector<NamedTensor> named_weights(const Model& model) {
  std::vector<NamedTensor> out;
  std::map<std::string, int> seen;
  for (const Variable& v : model.weights()) {
    std::string name = v.name().empty() ? "weight" : v.name();
    int n = ++seen[name];
    if (n > 1) name.append(1, '#').append(std::to_string(n));
    out.push_back({name, v.value()});
  }
  return out;
}

// The optimizer's state variables (iterations and slots; a MultiOptimizer's are its
// state_variables), building the slots for the model's trainable weights first when `build`.
std::vector<Variable> optimizer_state(const Model& model, bool build) {
  const optimizers::OptimizerPtr& opt = model.optimizer();
  std::vector<Variable> out;
  if (!opt) return out;
  const std::vector<Variable> trainable = model.trainable_weights();
  if (auto* multi = dynamic_cast<optimizers::MultiOptimizer*>(opt.get())) return multi->state_variables(trainable);
  if (build) opt->build_variables(trainable);
  out = opt->variables();
  // A LossScaleOptimizer's state includes its inner optimizer's (Keras 3's variables: its
  // own, then the inner optimizer's).
  if (auto* lso = dynamic_cast<const optimizers::LossScaleOptimizer*>(opt.get())) {
    if (build) lso->inner_optimizer()->build_variables(trainable);
    for (const Variable& v : lso->inner_optimizer()->variables()) out.push_back(v);
  }
  return out;
}

std::vector<NamedTensor> named_values(const std::vector<Variable>& vars) {
  std::vector<NamedTensor> out;
  std::map<std::string, int> seen;
  for (const Variable& v : vars) {
    std::string name = v.name().empty() ? "variable" : v.name();
    int n = ++seen[name];
    if (n > 1) name.append(1, '#').append(std::to_string(n));
    out.push_back({name, v.value()});
  }
  return out;
}

std::string list_tensors(const std::vector<std::pair<std::string, Tensor>>& ts) {
  std::string s;
  const size_t n = std::min<size_t>(ts.size(), 8);
  for (size_t i = 0; i < n; ++i) s += (i ? ", " : "") + ts[i].first + " " + ts[i].second.shape().str();
  if (ts.size() > n) s += ", ... (" + std::to_string(ts.size() - n) + " more)";
  return s.empty() ? "none" : s;
}

// Checks `found` against `targets` position by position (count, shapes, dtypes), then
// assigns all of them: nothing is changed when anything mismatches.
void assign_checked(const std::vector<Variable>& targets, const std::vector<std::pair<std::string, Tensor>>& found,
                    const std::string& source, const std::string& owner, const std::string& what,
                    bool assign = true) {
  if (targets.size() != found.size()) {
    std::vector<std::pair<std::string, Tensor>> mine;
    for (const Variable& v : targets) mine.emplace_back(v.name(), v.value());
    throw std::invalid_argument(source + ": " + owner + " has " + std::to_string(targets.size()) + " " + what +
                                ", but the file has " + std::to_string(found.size()) +
                                " (a different architecture or optimizer). Expected: " + list_tensors(mine) +
                                "; found: " + list_tensors(found) +
                                (targets.empty() ? ". The model has no weights yet: call it on data once (or give it "
                                                   "an input_shape) before loading"
                                                 : ""));
  }
  for (size_t i = 0; i < targets.size(); ++i) {
    const Tensor& t = found[i].second;
    if (t.shape() != targets[i].shape() || t.dtype() != targets[i].dtype())
      throw std::invalid_argument(source + ": " + what + " " + std::to_string(i) + " of " + owner + ": expected " +
                                  describe(targets[i].name(), targets[i].value()) + ", but the file has " +
                                  describe(found[i].first, t));
  }
  if (!assign) return;
  for (size_t i = 0; i < targets.size(); ++i) {
    Variable v = targets[i];
    v.assign(found[i].second.to(v.value().device()));
  }
}

std::vector<std::pair<std::string, Tensor>> as_pairs(std::vector<NamedTensor> ts) {
  std::vector<std::pair<std::string, Tensor>> out;
  out.reserve(ts.size());
  for (auto& t : ts) out.emplace_back(std::move(t.name), std::move(t.value));
  return out;
}

void write_sections(const std::string& path, FileKind kind, const std::vector<fmt::Section>& sections) {
  write_file_atomically(path, [&](std::ostream& out) { fmt::write_container(out, kind, sections); });
}

fmt::Section tensor_section(const char* name, const std::vector<NamedTensor>& ts) {
  return {name, fmt::encode_tensors(ts)};
}

// Restores (or with assign = false only checks) the optimizer state.
void restore_optimizer(Model& model, const std::vector<std::pair<std::string, Tensor>>& state,
                       const std::string& source, bool assign = true) {
  if (!model.optimizer())
    throw std::invalid_argument(source + ": the file holds optimizer state, but the model '" + model.name() +
                                "' is not compiled (compile it first)");
  std::vector<Variable> vars = optimizer_state(model, /*build=*/true);
  for (const auto& [name, t] : state)
    if (t.dtype() == DType::int64 && t.shape().rank() == 0 && t.item<int64_t>() < 0)
      throw FormatError(where(source, "optimizer") + ": negative iteration count in '" + name + "'");
  assign_checked(vars, state, source, "the optimizer '" + model.optimizer()->name() + "'", "state variables", assign);
}

ModelPtr rebuild(const Config& cfg, const std::string& source) {
  const Value* model_cfg = cfg.is_object() ? cfg.find("model") : nullptr;
  const std::string cls = cfg.is_object() && cfg.contains("class_name") && cfg.at("class_name").type() == Value::Type::string
                              ? cfg.at("class_name").as_string()
                              : "?";
  if (!model_cfg || model_cfg->is_null())
    throw std::invalid_argument(source + ": the model is an instance of the subclassed class '" + cls +
                                "', which was not registered when it was saved, so the file holds its weights only: "
                                "register the class with keras::saving::register_serializable<" + cls + ">(\"" + cls +
                                "\") (with get_config / from_config) and save again, or build the model in code and "
                                "call load_weights(\"" + source + "\")");
  if (!model_cfg->is_object() || !model_cfg->contains("class_name") ||
      model_cfg->at("class_name").type() != Value::Type::string)
    throw FormatError(where(source, "config") + ": expected 'model' to be {\"class_name\": ..., \"config\": {...}}");
  check_config_values(*model_cfg, "model", source);
  const std::string& name = model_cfg->at("class_name").as_string();
  if (!layers::is_registered(name))
    throw std::invalid_argument(source + ": the model class '" + name + "' is not registered: " + kRegisterHint);
  LayerPtr layer;
  try {
    layer = layers::deserialize(*model_cfg);
  } catch (const std::bad_alloc&) {
    throw std::runtime_error(source + ": rebuilding the architecture ran out of memory (its layer sizes are "
                             "larger than this machine can hold: a corrupt or hostile config?)");
  } catch (const std::exception& e) {
    throw std::invalid_argument(source + ": cannot rebuild the model: " + e.what() + " (for a user class, " +
                                kRegisterHint + ")");
  }
  auto model = std::dynamic_pointer_cast<Model>(std::shared_ptr<layers::Layer>(layer));
  if (!model)
    throw std::invalid_argument(source + ": the class '" + name + "' rebuilt a layer that is not a keras::Model");
  return model;
}

// A subclassed model creates its weights on its first call: build it on zeros of its
// declared input shape (unknown dimensions taken as 1).
void build_if_needed(Model& model, size_t file_weights) {
  if (model.built() || model.weights().size() >= file_weights) return;
  const ShapeSpec& shape = model.declared_input_shape();
  if (shape.empty()) return;
  std::vector<int64_t> dims = {1};
  for (int64_t d : shape) dims.push_back(d < 0 ? 1 : d);
  const core::Shape input(dims);  // overflow-checked
  if (input.num_elements() > (int64_t{1} << 24))
    throw FormatError("the declared input shape " + input.str() + " of the model '" + model.name() +
                      "' is too large to build it on (more than 2^24 elements)");
  model(core::ops::zeros(input), false);
}

}  // namespace

// ---- models -------------------------------------------------------------------------------------
namespace {
// A quantized layer inside a composite one (MultiHeadAttention's projections after
// Model::quantize): the composite's config cannot record it, so the file would not load
// (Keras 3 cannot load such a file either). Refused before anything is written.
void check_quantized_inside(const layers::Layer& l, const layers::Layer* composite) {
  if (composite && !l.quantization_mode().empty())
    throw std::invalid_argument("save: the " + l.class_name() + " layer '" + l.name() + "' inside the " +
                                composite->class_name() + " layer '" + composite->name() + "' is quantized (" +
                                l.dtype_policy().name() + "), which a saved config cannot record; save before "
                                "quantizing, or quantize with a filter that leaves '" + composite->name() + "' out");
  if (auto* m = dynamic_cast<const Model*>(&l)) {
    for (const auto& c : m->layers()) check_quantized_inside(*c, nullptr);
    return;
  }
  for (const auto& c : l.sublayers()) check_quantized_inside(*c, composite ? composite : &l);
}
}  // namespace

void save_model(const Model& model, const std::string& path) {
  check_quantized_inside(model, nullptr);
  if (ends_with(path, ".keras")) {  // Keras 3's format
    detail::save_keras_model(model, path);
    return;
  }
  if (ends_with(path, ".h5") && !ends_with(path, ".weights.h5")) {  // the legacy HDF5 format, as Keras 3 writes it
    detail::save_legacy_h5_model(model, path);
    return;
  }
  std::unique_lock<std::recursive_mutex> lock = model.lock_state();  // a snapshot between steps
  Config cfg = Config::object();
  cfg["format_version"] = static_cast<long long>(fmt::kVersion);
  cfg["class_name"] = model.class_name();
  const bool registered = layers::is_registered(model.class_name());
  cfg["model"] = registered ? layers::serialize(model) : Value();
  std::vector<fmt::Section> sections;
  sections.push_back({"config", cfg.to_json()});
  if (model.compiled() && model.optimizer()) {
    // The slots are built before saving (zeros for an optimizer that has not stepped yet),
    // so a file always holds the whole state that loading rebuilds.
    sections.push_back({"compile", detail::compile_config(model).to_json()});
    sections.push_back(tensor_section("optimizer", named_values(optimizer_state(model, /*build=*/true))));
  }
  sections.push_back(tensor_section("weights", named_weights(model)));
  lock.unlock();  // the bytes are taken: training may go on while the file is written
  write_sections(path, FileKind::model, sections);
}

ModelPtr load_model_from_memory(std::string_view bytes, const LoadOptions& options, const std::string& source) {
  const CustomObjectScope scope(options.custom_objects);  // known for this load only, as in Keras
  if (detail::is_zip(bytes)) return detail::load_keras_model(bytes, source, options.compile);
  if (detail::is_hdf5(bytes)) {
    const detail::H5Contents file = detail::read_h5(bytes, source);
    if (detail::is_legacy_h5_model(file)) return detail::load_legacy_h5_model(file, source, options.compile);
    throw std::invalid_argument(source +
                                ": this HDF5 file holds no model_config (a whole model saved with "
                                "model.save(\"x.h5\")): a weight file? Read it with load_weights into the same "
                                "model");
  }
  const fmt::Container c = fmt::read_container(bytes, source);
  if (c.kind != FileKind::model)
    throw std::invalid_argument(source + ": expected a model file (save_model), but this is a " +
                                fmt::kind_name(c.kind) + " file" +
                                (c.kind == FileKind::weights ? " (use load_weights)" : " (use load_checkpoint)"));
  const std::string_view* config_text = c.find("config");
  const std::string_view* weights = c.find("weights");
  if (!config_text || !weights) throw FormatError(source + ": a model file needs the sections 'config' and 'weights'");
  const Config cfg = parse_json(*config_text, source, "config");
  check_config_version(cfg, source);
  // Everything is read and verified before anything is built.
  auto values = as_pairs(fmt::decode_tensors(*weights, where(source, "weights")));
  std::vector<std::pair<std::string, Tensor>> state;
  const std::string_view* opt = c.find("optimizer");
  if (opt) state = as_pairs(fmt::decode_tensors(*opt, where(source, "optimizer")));
  Config compile_cfg;
  const std::string_view* compile_text = c.find("compile");
  if (compile_text) {
    compile_cfg = parse_json(*compile_text, source, "compile");
    check_config_values(compile_cfg, "compile", source, "compile");  // metrics size state too
  }
  // The architecture may create no more weight bytes than the file holds, or 64 MiB
  // (so a file with too few weights still gets the clearer count error below).
  int64_t weight_bytes = 0;
  for (const auto& [name, t] : values) weight_bytes += static_cast<int64_t>(t.nbytes());
  ModelPtr model;
  {
    layers::WeightBudget budget(std::max(weight_bytes, int64_t{64} << 20),
                                "while loading " + source +
                                    " (as many as its weights section holds, at least 64 MiB): a corrupt or "
                                    "hostile config?");
    model = rebuild(cfg, source);
    build_if_needed(*model, values.size());
  }
  assign_checked(model->weights(), values, source, "the model '" + model->name() + "'", "weights");
  if (options.compile && compile_text) {
    detail::compile_from(*model, compile_cfg, source);
    if (opt) restore_optimizer(*model, state, source);
  }
  return model;
}

ModelPtr load_model(const std::string& path, const LoadOptions& options) {
  const std::string bytes = fmt::read_file(path);
  return load_model_from_memory(bytes, options, path);
}

// ---- weights ------------------------------------------------------------------------------------
void save_weights(const Model& model, const std::string& path) {
  if (ends_with(path, ".weights.h5")) {  // Keras 3's format
    detail::save_keras_weights(model, path);
    return;
  }
  std::unique_lock<std::recursive_mutex> lock = model.lock_state();  // a snapshot between steps
  if (ends_with(path, ".npz")) {
    std::vector<std::pair<std::string, Tensor>> arrays;
    for (auto& t : named_weights(model)) arrays.emplace_back(std::move(t.name), t.value.cpu());
    lock.unlock();  // the arrays are handles an optimizer step copies before writing to
    core::save_npz(path, arrays);
    return;
  }
  std::vector<fmt::Section> sections{tensor_section("weights", named_weights(model))};
  lock.unlock();
  write_sections(path, FileKind::weights, sections);
}

void load_weights(Model& model, const std::string& path) {
  std::unique_lock<std::recursive_mutex> lock = model.lock_state();  // between steps
  const std::string owner = "the model '" + model.name() + "'";
  if (ends_with(path, ".npz")) {
    auto arrays = core::load_npz(path);
    build_if_needed(model, arrays.size());
    // By name when every weight of the model is in the archive; by position otherwise.
    std::map<std::string, size_t> index;
    for (size_t i = 0; i < arrays.size(); ++i) index[arrays[i].first] = i;
    const auto mine = named_weights(model);
    bool by_name = mine.size() == arrays.size();
    for (const auto& t : mine) by_name = by_name && index.count(t.name);
    if (by_name) {
      std::vector<std::pair<std::string, Tensor>> ordered;
      for (const auto& t : mine) ordered.push_back(arrays[index[t.name]]);
      arrays = std::move(ordered);
    }
    assign_checked(model.weights(), arrays, path, owner, "weights");
    return;
  }
  const std::string bytes = fmt::read_file(path);
  if (detail::is_hdf5(bytes) || detail::is_zip(bytes)) {  // Keras 3's .weights.h5 or .keras
    build_if_needed(model, 1);
    detail::load_keras_weights(model, bytes, path);
    return;
  }
  const fmt::Container c = fmt::read_container(bytes, path);
  const std::string_view* w = c.find("weights");
  if (!w) throw FormatError(path + ": the file has no 'weights' section");
  auto values = as_pairs(fmt::decode_tensors(*w, where(path, "weights")));
  build_if_needed(model, values.size());
  assign_checked(model.weights(), values, path, owner, "weights");
}

// ---- checkpoints --------------------------------------------------------------------------------
void save_checkpoint(const Model& model, const std::string& path, const Config& metadata) {
  if (!metadata.is_null() && !metadata.is_object())
    throw std::invalid_argument("save_checkpoint: expected the metadata to be a Config object, but received " +
                                std::string(metadata.type_name()));
  std::vector<fmt::Section> sections;
  sections.push_back({"metadata", (metadata.is_null() ? Config::object() : metadata).to_json()});
  sections.push_back(tensor_section("weights", named_weights(model)));
  if (model.optimizer()) sections.push_back(tensor_section("optimizer", named_values(optimizer_state(model, /*build=*/true))));
  write_sections(path, FileKind::checkpoint, sections);
}

Config load_checkpoint(Model& model, const std::string& path) {
  const std::string bytes = fmt::read_file(path);
  const fmt::Container c = fmt::read_container(bytes, path);
  if (c.kind != FileKind::checkpoint)
    throw std::invalid_argument(path + ": expected a checkpoint file (save_checkpoint), but this is a " +
                                fmt::kind_name(c.kind) + " file");
  const std::string_view* w = c.find("weights");
  if (!w) throw FormatError(path + ": the checkpoint has no 'weights' section");
  Config meta = Config::object();
  if (const std::string_view* m = c.find("metadata")) {
    meta = parse_json(*m, path, "metadata");
    if (!meta.is_object()) throw FormatError(where(path, "metadata") + ": expected a JSON object");
  }
  auto values = as_pairs(fmt::decode_tensors(*w, where(path, "weights")));
  std::vector<std::pair<std::string, Tensor>> state;
  const std::string_view* opt = c.find("optimizer");
  if (opt) state = as_pairs(fmt::decode_tensors(*opt, where(path, "optimizer")));
  build_if_needed(model, values.size());
  // Check both before changing either.
  const std::vector<Variable> weights = model.weights();
  assign_checked(weights, values, path, "the model '" + model.name() + "'", "weights", /*assign=*/false);
  if (opt) restore_optimizer(model, state, path, /*assign=*/false);
  assign_checked(weights, values, path, "the model '" + model.name() + "'", "weights");
  if (opt) restore_optimizer(model, state, path);
  return meta;
}

}  // namespace keras::saving

// ---- Model methods --------------------------------------------------------------------------------
namespace keras {
void Model::save(const std::string& path) const { saving::save_model(*this, path); }
void Model::save_weights(const std::string& path) const { saving::save_weights(*this, path); }
void Model::load_weights(const std::string& path) { saving::load_weights(*this, path); }
}  // namespace keras
