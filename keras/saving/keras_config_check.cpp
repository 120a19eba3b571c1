// keras_config_check.cpp - whether keras-cpp honours the options of a Keras config
// (keras_config.h: check_honoured, unhonoured_option).
#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>
#include <stdexcept>

#include "keras/saving/keras_config.h"
#include "keras/saving/legacy_h5_model.h"

namespace keras::saving::detail {

namespace {

// ---- honoured options ----------------------------------------------------------------------------
// Options Keras writes that change no prediction of a loaded model (or that keras-cpp
// fixes), accepted whatever their value.
const std::set<std::string> kInert = {"sparse", "ragged", "optional", "trainable", "renorm_momentum",
                                      "autocast", "build_config", "dtype", "seed",
                                      // GPTQConfig's and AWQConfig's calibration options (the layer keeps its
                                      // bits and groups)
                                      "num_samples", "per_channel", "sequence_length", "hessian_damping", "symmetric",
                                      "activation_order", "quantization_layer_structure", "shared_object_id",
                                      "gptq_unpacked_column_size", "num_grid_points"};

bool neutral(const Value& v) {
  switch (v.type()) {
    case Value::Type::null: return true;
    case Value::Type::boolean: return !v.as_bool();
    case Value::Type::list: return v.as_list().empty();
    case Value::Type::object: return v.items().empty();
    default: return false;
  }
}

// A DTypePolicy's serialized form as its name (Keras files hold either form; layers write
// the serialized one).
Value policy_name(const Value& v) {
  if (v.is_object() && v.contains("class_name") && v.contains("config") && v.at("class_name") == Value("DTypePolicy") &&
      v.at("config").is_object() && v.at("config").contains("name"))
    return v.at("config").at("name");
  return v;
}

bool same(const Value& keras_in, const Value& mine_in) {
  using T = Value::Type;
  const Value keras = policy_name(keras_in), mine = policy_name(mine_in);
  const bool kn = keras.type() == T::integer || keras.type() == T::number;
  const bool mn = mine.type() == T::integer || mine.type() == T::number;
  if (kn && mn) {
    const double a = keras.as_double(), b = mine.as_double();
    return a == b || std::fabs(a - b) <= 1e-6 * std::max(std::fabs(a), std::fabs(b)) || (std::isnan(a) && std::isnan(b));
  }
  // One number for every axis (Keras's (3,) or Dot's axes=1) and the list of it.
  auto all_are = [&](const Value& list, const Value& x) {
    if (list.as_list().empty()) return false;
    for (const Value& e : list.as_list())
      if (!same(e, x)) return false;
    return true;
  };
  if (keras.type() == T::list && mn) return all_are(keras, mine);
  if (mine.type() == T::list && kn) return all_are(mine, keras);
  if (keras.type() == T::list && mine.type() == T::list) {
    const auto& a = keras.as_list();
    const auto& b = mine.as_list();
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
      if (!same(a[i], b[i])) return false;
    return true;
  }
  if (keras.is_object() && mine.is_object()) {
    for (const auto& [k, x] : keras.items()) {
      const Value* y = mine.find(k);
      if (y ? !same(x, *y) : !(neutral(x) || kInert.count(k))) return false;
    }
    return true;
  }
  if (keras.type() == T::string && mine.type() == T::string) {
    std::string a = keras.as_string(), b = mine.as_string();
    for (std::string* s : {&a, &b})
      for (char& ch : *s) ch = char(std::tolower(static_cast<unsigned char>(ch)));
    return a == b;
  }
  return keras == mine || (neutral(keras) && neutral(mine));
}

// The first key of `kc` that `mine` does not honour, or nullptr.
const std::string* first_unhonoured(const Value& kc, const Value& mine) {
  for (const auto& [k, v] : kc.items()) {
    if (k == "name" || kInert.count(k)) continue;
    // A lookup layer's adapted vocabulary is an asset file, not in the config (read into
    // the layer by load_keras_model).
    if ((k == "vocabulary" || k == "idf_weights") && v.is_null()) continue;
    const Value* m = mine.find(k);
    if (!(m ? same(v, *m) : neutral(v))) return &k;
  }
  return nullptr;
}

void check_layer(const Value& kc_in, const layers::Layer& layer, const std::string& cls, const std::string& source) {
  const Config mine = layer.get_config();
  // A quantization_config on a layer that is not quantized is inert (Keras 3.15 gives one
  // to every layer model.quantize visits, the Embedding before a GPTQ model's blocks).
  Value kc = kc_in;
  if (layer.quantization_mode().empty() && kc.is_object() && kc.find("quantization_config")) {
    Config trimmed = Config::object();
    for (const auto& [key, v] : kc.items())
      if (key != "quantization_config") trimmed[key] = v;
    kc = trimmed;
  }
  const std::string* k = first_unhonoured(kc, mine);
  if (!k) return;
  const Value* m = mine.find(*k);
  throw std::invalid_argument(source + ": the " + cls + " layer '" + layer.name() + "' has " + *k + "=" +
                              kc.at(*k).to_json() + ", which keras-cpp cannot honour" +
                              (m ? " (it reads " + *k + "=" + m->to_json() + ")" : " (keras-cpp has no such option)"));
}
}  // namespace

std::string unhonoured_option(const Value& keras_config, const Value& mine) {
  if (!keras_config.is_object() || !mine.is_object()) return "";
  const std::string* k = first_unhonoured(keras_config, mine);
  return k ? *k + "=" + keras_config.at(*k).to_json() : "";
}

void check_honoured(const Value& keras_entry, const Model& model, const std::string& source) {
  const Value& ls = field(field(keras_entry, "config"), "layers");
  for (const Value& e : ls.type() == Value::Type::list ? ls.as_list() : std::vector<Value>{}) {
    const std::string cls = string_field(e, "class_name");
    if (cls == "InputLayer" || string_field(e, "module").rfind("keras.src.ops", 0) == 0) continue;
    const std::string name = string_field(e, "name", string_field(field(e, "config"), "name"));
    const LayerPtr layer = model.get_layer(name);
    if (cls == "Sequential" || cls == "Functional") {
      if (auto* m = dynamic_cast<const Model*>(layer.get())) check_honoured(e, *m, source);
      continue;
    }
    Value kc = keras_value_to_cpp(field(e, "config"));
    if (cls == "Lambda") kc = lambda_layer_config(kc);  // Python code: its C++ stand-in's name
    if (kc.is_object()) check_layer(kc, *layer, cls, source);
  }
}

}  // namespace keras::saving::detail
