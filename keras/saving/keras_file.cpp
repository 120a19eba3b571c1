// keras_file.cpp - Keras 3's `.keras` and `.weights.h5` files (keras_file.h).
#include "keras/saving/keras_file.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <new>
#include <ostream>
#include <stdexcept>
#include <tuple>

#include "core/ops.h"
#include "keras/layers/integer_lookup.h"
#include "keras/layers/normalization.h"
#include "keras/layers/registry.h"
#include "keras/layers/string_lookup.h"
#include "keras/layers/text_vectorization.h"
#include "keras/losses.h"
#include "keras/metrics.h"
#include "keras/optimizers.h"
#include "keras/saving/file_config.h"
#include "keras/saving/format.h"
#include "keras/saving/h5_file.h"
#include "keras/saving/keras_config.h"
#include "keras/saving/keras_weights.h"
#include "keras/saving/legacy_h5.h"
#include "keras/saving/saving.h"
#include "keras/saving/zip_archive.h"

namespace keras::saving::detail {

using format::FormatError;

namespace {
constexpr const char* kConfig = kKerasConfig;
constexpr const char* kMetadata = kKerasMetadata;
constexpr const char* kWeights = kKerasWeights;
constexpr int64_t kMaxConfigBytes = int64_t{64} << 20;

std::string now_utc() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d@%H:%M:%S", &tm);
  return buf;
}

// A Keras list that may be null or one item (Keras's loss="mse"): a flat list of strings
// and configs; nested lists and dicts (per-output specs) are beyond what keras-cpp's
// compile takes.
std::vector<Value> flat_list(const Value& v, const char* what) {
  if (v.is_null()) return {};
  std::vector<Value> items = v.type() == Value::Type::list ? v.as_list() : std::vector<Value>{v};
  for (const Value& x : items)
    if (x.type() != Value::Type::string && !(x.is_object() && x.contains("class_name")))
      throw std::invalid_argument(std::string(what) + " given per output (" + v.to_json() +
                                  "); keras-cpp's compile applies one list to every output");
  return items;
}

bool is_metric_item(const Value& x) {
  return x.type() == Value::Type::string || (x.is_object() && x.contains("class_name"));
}

metrics::MetricArg metric_of(const Value& x) {
  return x.type() == Value::Type::string ? metrics::MetricArg(x.as_string()) : metrics::MetricArg(x);
}

// Keras's metrics value: none, one metric, a flat list, a list of one entry per output (each
// none, a metric or a list of them), or a dict by output name (`outputs`, in order).
void read_metrics(const Value& v, const std::vector<std::string>& outputs, std::vector<metrics::MetricArg>& flat,
                  std::vector<std::vector<metrics::MetricArg>>& per) {
  if (v.is_null()) return;
  if (is_metric_item(v)) return flat.push_back(metric_of(v));
  auto entry = [](const Value& e) {  // one output's metrics
    std::vector<metrics::MetricArg> out;
    if (e.is_null()) return out;
    for (const Value& x : e.type() == Value::Type::list ? e.as_list() : std::vector<Value>{e}) {
      if (!is_metric_item(x))
        throw std::invalid_argument("metrics nested deeper than one list per output: " + e.to_json());
      out.push_back(metric_of(x));
    }
    return out;
  };
  if (v.is_object()) {  // by output name
    for (const auto& [key, value] : v.items())
      if (std::find(outputs.begin(), outputs.end(), key) == outputs.end())
        throw std::invalid_argument("metrics given for an output named '" + key + "', which the model does not have");
    for (const std::string& name : outputs) per.push_back(entry(v.get(name, Value())));
    return;
  }
  const std::vector<Value>& items = v.as_list();
  if (std::all_of(items.begin(), items.end(), is_metric_item)) {
    for (const Value& x : items) flat.push_back(metric_of(x));
    return;
  }
  for (const Value& e : items) per.push_back(entry(e));
}

}  // namespace

void restore_compile(Model& model, const Value& cc) {
  CompileOptions o;
  const Value opt = keras_value_to_cpp(cc.at("optimizer"));
  if (opt.type() == Value::Type::string) {
    o.optimizer = OptimizerArg(opt.as_string());
  } else {
    optimizers::OptimizerPtr made = optimizers::deserialize(opt);
    const std::string bad = unhonoured_option(opt.at("config"), keras_value_to_cpp(optimizers::serialize(*made)).at("config"));
    if (!bad.empty()) throw std::invalid_argument("the optimizer option " + bad + " is not supported");
    o.optimizer = OptimizerArg(made);
  }
  o.loss.clear();
  for (const Value& l : flat_list(keras_value_to_cpp(cc.get("loss", Value())), "losses"))
    o.loss.push_back(losses::LossArg(l));
  read_metrics(keras_value_to_cpp(cc.get("metrics", Value())), model.output_names(), o.metrics, o.metrics_per_output);
  read_metrics(keras_value_to_cpp(cc.get("weighted_metrics", Value())), model.output_names(), o.weighted_metrics,
               o.weighted_metrics_per_output);
  const Value lw = cc.get("loss_weights", Value());
  if (!lw.is_null()) {
    if (lw.type() != Value::Type::list) throw std::invalid_argument("loss_weights given by output name");
    for (const Value& w : lw.as_list()) o.loss_weights.push_back(w.as_double());
  }
  const Value eager = cc.get("run_eagerly", false);
  o.run_eagerly = eager.type() == Value::Type::boolean && eager.as_bool();
  const Value spe = cc.get("steps_per_execution", 1);
  if (spe != Value(1)) throw std::invalid_argument("steps_per_execution=" + spe.to_json() + " is not supported");
  model.compile(o);
}

namespace {

void write_bytes(const std::string& path, const std::string& bytes) {
  write_file_atomically(path, [&](std::ostream& out) { out.write(bytes.data(), std::streamsize(bytes.size())); });
}
}  // namespace

// Keras keeps an adapted StringLookup / IntegerLookup / TextVectorization vocabulary out of
// the config, in "assets/<layer path>/vocabulary.txt" (one token a line, special tokens
// first); a layer whose config had none gets it from there.
void load_vocabulary_assets(const std::vector<std::pair<std::string, LayerPtr>>& layers, std::string_view bytes,
                            const H5Contents& weights, const std::string& source) {
  for (const auto& [path, layer] : layers) {
    auto* sl = dynamic_cast<layers::StringLookupLayer*>(layer.get());
    auto* il = dynamic_cast<layers::IntegerLookupLayer*>(layer.get());
    auto* tv = dynamic_cast<layers::TextVectorizationLayer*>(layer.get());
    if (!sl && !il && !tv) continue;
    if ((sl && sl->has_vocabulary()) || (il && il->has_vocabulary()) || (tv && tv->vocabulary_size() > 2)) continue;
    const std::string member = "assets/" + path + "/vocabulary.txt";
    auto found = read_zip(bytes, {member}, source);
    auto it = found.find(member);
    if (it == found.end()) continue;  // never adapted: no vocabulary, as in Keras
    std::vector<std::string> tokens;
    size_t start = 0;
    const std::string& text = it->second;
    while (start <= text.size() && !text.empty()) {
      const size_t end = std::min(text.find('\n', start), text.size());
      tokens.push_back(text.substr(start, end - start));
      start = end + 1;
    }
    // tf_idf: the idf weights of every index, special tokens first, as the vocabulary file.
    std::vector<double> idf;
    if (layer->stores_named_tensor("vars/idf_weights")) {
      auto w = weights.datasets.find(path + "/vars/idf_weights");
      if (w == weights.datasets.end())
        throw FormatError(source + ": the tf_idf layer '" + layer->name() + "' has no idf weights ('" + path +
                          "/vars/idf_weights' in " + kKerasWeights + ")");
      if (w->second.rank() != 1 || w->second.shape()[0] < int64_t(tokens.size()) || !core::is_floating(w->second.dtype()))
        throw FormatError(source + ": '" + path + "/vars/idf_weights': expected a float vector of at least " +
                          std::to_string(tokens.size()) + " weights (one per vocabulary entry), but received " +
                          core::dtype_name(w->second.dtype()) + " " + w->second.shape().str());
      idf = core::ops::cast(w->second, DType::float64).to_vector<double>();
      idf.resize(tokens.size());
    }
    try {
      if (sl) sl->set_vocabulary(tokens, idf);
      if (tv) tv->set_vocabulary(tokens, idf);
      if (il) {
        std::vector<int64_t> ids;
        for (const std::string& t : tokens) ids.push_back(std::stoll(t));
        il->set_vocabulary(ids, idf);
      }
    } catch (const std::exception& e) {
      throw FormatError(source + ": " + member + ": cannot set the vocabulary of layer '" + layer->name() +
                        "': " + e.what());
    }
  }
}

bool is_zip(std::string_view bytes) { return bytes.substr(0, 4) == std::string_view("PK\3\4", 4); }
bool is_hdf5(std::string_view bytes) { return bytes.substr(0, 8) == std::string_view("\x89HDF\r\n\x1a\n", 8); }

std::shared_ptr<Model> model_from_keras_config(const Config& keras_cfg, const std::string& source) {
  if (!keras_cfg.is_object()) throw FormatError(where(source, kConfig) + ": expected a JSON object");
  const Config cfg = keras_to_cpp(keras_cfg, source);
  check_config_values(cfg, "model", source, kConfig);
  LayerPtr layer;
  try {
    layer = layers::deserialize(cfg);
  } catch (const std::bad_alloc&) {
    throw std::runtime_error(source + ": rebuilding the architecture ran out of memory (a corrupt or hostile config?)");
  } catch (const FormatError&) {
    throw;
  } catch (const std::exception& e) {
    throw std::invalid_argument(source + ": cannot rebuild the model: " + e.what());
  }
  auto model = std::dynamic_pointer_cast<Model>(std::shared_ptr<layers::Layer>(layer));
  if (!model) throw std::invalid_argument(source + ": the config did not rebuild a model");
  return model;
}

std::shared_ptr<Model> model_from_keras_config(const Config& keras_cfg, const H5Contents& weights,
                                               const std::string& source) {
  // The architecture may create no more weight bytes than the weight file holds (at
  // least 64 MiB), as for keras-cpp's own files.
  int64_t weight_bytes = 0;
  for (const auto& [p, t] : weights.datasets) weight_bytes += int64_t(t.nbytes());
  layers::WeightBudget budget(std::max(weight_bytes, int64_t{64} << 20),
                              "while loading " + source + " (as many as its weight file holds, at least 64 MiB)");
  return model_from_keras_config(keras_cfg, source);
}

void compile_from_keras_config(Model& model, const Config& keras_cfg, const std::string& source) {
  const Value* cc = keras_cfg.find("compile_config");
  if (!cc || !cc->is_object() || !cc->contains("optimizer")) return;
  try {
    restore_compile(model, *cc);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "UserWarning: %s: the model was not compiled (its compile_config cannot be restored: %s)\n",
                 source.c_str(), e.what());
  }
}

std::shared_ptr<Model> load_keras_model(std::string_view bytes, const std::string& source, bool compile) {
  ZipLimits limits;
  limits.member_bytes = {{kConfig, kMaxConfigBytes}, {kMetadata, int64_t{1} << 20}};
  auto members = read_zip(bytes, {kConfig, kMetadata, kWeights}, source, limits);
  for (const char* m : {kConfig, kWeights})
    if (!members.count(m))
      throw FormatError(source + ": the .keras archive has no " + m + " (a Keras 3 .keras file holds " + kConfig +
                        ", " + kMetadata + " and " + kWeights + ")");
  const Config keras_cfg = parse_json(members[kConfig], source, kConfig);
  const H5Contents weights = read_h5(members[kWeights], source + ": " + kWeights);
  members.clear();
  std::shared_ptr<Model> model = model_from_keras_config(keras_cfg, weights, source);
  load_vocabulary_assets(keras_layer_paths(*model), bytes, weights, source);
  check_honoured(keras_cfg, *model, source);
  assign_keras_weights(*model, weights, source + ": " + kWeights);
  if (compile) {
    compile_from_keras_config(*model, keras_cfg, source);
    restore_keras_optimizer_state(*model, weights, source + ": " + kWeights);
  }
  return model;
}

Value keras_compile_config(const Model& model) {
  const CompileOptions& o = model.compile_options();
  // keras-cpp's {"class_name", "config"} as a Keras entry of `module` (kept when it is one).
  auto entry = [](const char* module, const Config& c) {
    if (c.contains("module")) return Value(c);
    return keras_entry(module, c.at("class_name").as_string(), c.at("config"));
  };
  Config c = Config::object();
  c["optimizer"] = entry("keras.optimizers", optimizers::serialize(*model.optimizer()));
  std::vector<Value> loss;
  for (const auto& l : o.loss) loss.push_back(l.ptr() ? entry("keras.losses", losses::serialize(*l.ptr())) : Value());
  c["loss"] = loss.empty() ? Value() : loss.size() == 1 ? loss[0] : Value(loss);
  std::vector<Value> lw;
  for (double w : o.loss_weights) lw.emplace_back(w);
  c["loss_weights"] = lw.empty() ? Value() : Value(lw);
  auto metric_list = [&](const std::vector<metrics::MetricArg>& list) {
    std::vector<Value> metrics;
    for (const auto& m : list) {
      if (!m.identifier().empty())
        metrics.emplace_back(m.identifier());
      else if (m.ptr())
        metrics.push_back(entry("keras.metrics", metrics::serialize(*m.ptr())));
    }
    return metrics;
  };
  for (auto [key, list, per] : {std::tuple{"metrics", &o.metrics, &o.metrics_per_output},
                                std::tuple{"weighted_metrics", &o.weighted_metrics, &o.weighted_metrics_per_output}}) {
    if (!per->empty()) {  // one list per output, as Keras writes metrics=[[...], [...]]
      std::vector<Value> lists;
      for (const auto& l : *per) lists.emplace_back(metric_list(l));
      c[key] = Value(lists);
      continue;
    }
    const std::vector<Value> metrics = metric_list(*list);
    c[key] = metrics.empty() ? Value() : Value(metrics);
  }
  c["run_eagerly"] = o.run_eagerly;
  c["steps_per_execution"] = 1;
  c["jit_compile"] = o.jit_compile.value_or(false);
  return c;
}

void save_keras_model(const Model& model, const std::string& path) {
  std::unique_lock<std::recursive_mutex> lock = model.lock_state();  // a snapshot between steps
  Value cfg = cpp_to_keras(model);
  // Compiled: Keras's compile_config and the optimizer's state, so Keras (and keras-cpp)
  // load it compiled and training resumes where it stopped; without a state that fits
  // (LoRA factors merged, a LossScaleOptimizer), neither (it loads uncompiled).
  std::vector<std::pair<std::string, std::string>> groups;
  std::vector<std::pair<std::string, Tensor>> datasets;
  if (model.compiled() && model.optimizer()) {
    try {
      Value cc = keras_compile_config(model);
      if (keras_optimizer_datasets(model, groups, datasets)) cfg["compile_config"] = cc;
    } catch (const std::invalid_argument& e) {  // no Keras form (a MultiOptimizer of a selector)
      std::fprintf(stderr, "UserWarning: %s: saved without its compile configuration (%s)\n", path.c_str(), e.what());
    }
  }
  std::string weights = keras_weights_file(model, std::move(groups), datasets);
  lock.unlock();
  write_bytes(path, keras_archive(cfg, std::move(weights)));
}

std::string keras_archive(const Value& config, std::string weights) {
  Config meta = Config::object();
  meta["keras_version"] = "3.0.0";  // the format's version, as Keras reads it; not Keras's code
  meta["date_saved"] = now_utc();
  meta["saved_by"] = "keras-cpp";
  return write_zip({{kMetadata, meta.to_json()}, {kConfig, config.to_json()}, {kWeights, std::move(weights)}});
}

void load_keras_weights(Model& model, std::string_view bytes, const std::string& source) {
  if (is_zip(bytes)) {
    auto members = read_zip(bytes, {kWeights}, source);
    if (!members.count(kWeights)) throw FormatError(source + ": the .keras archive has no " + kWeights);
    const H5Contents file = read_h5(members[kWeights], source + ": " + kWeights);
    assign_keras_weights(model, file, source);
    restore_keras_optimizer_state(model, file, source);  // as Keras's load_weights, when compiled
  } else {
    const H5Contents file = read_h5(bytes, source);
    if (is_legacy_h5(file)) {
      assign_legacy_weights(model, file, source);  // Keras 2's layout
    } else {
      assign_keras_weights(model, file, source);
      restore_keras_optimizer_state(model, file, source);
    }
  }
}

void save_keras_weights(const Model& model, const std::string& path) {
  std::unique_lock<std::recursive_mutex> lock = model.lock_state();
  // Keras's save_weights also writes a compiled model's optimizer state.
  std::vector<std::pair<std::string, std::string>> groups;
  std::vector<std::pair<std::string, Tensor>> datasets;
  keras_optimizer_datasets(model, groups, datasets);
  std::string bytes = keras_weights_file(model, std::move(groups), datasets);
  lock.unlock();
  write_bytes(path, bytes);
}

}  // namespace keras::saving::detail
