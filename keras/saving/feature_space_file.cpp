// feature_space_file.cpp - a FeatureSpace in a Keras 3 `.keras` file (feature_space_file.h).
// Keras's layout: config.json holds {"module": "keras.utils", "class_name": "FeatureSpace",
// "config": {features: {name: Feature entry}, crosses: [Cross entries], options},
// "build_config": {name: the preprocessor's build config}}; the weight file holds each
// preprocessor's variables under "preprocessors/<snake_case class>[_N]/vars", named in
// the order of the config's features.
#include "keras/saving/feature_space_file.h"

#include <map>
#include <stdexcept>
#include <utility>
#include <vector>

#include "keras/layers/registry.h"
#include "keras/saving/file_config.h"
#include "keras/saving/format.h"
#include "keras/saving/h5_file.h"
#include "keras/saving/keras_config.h"
#include "keras/saving/keras_file.h"
#include "keras/saving/keras_weights.h"
#include "keras/saving/saving.h"
#include "keras/saving/zip_archive.h"

namespace keras::saving {

namespace detail {
// The loader's access to FeatureSpace's private state.
struct FeatureSpaceAccess {
  static void mark_adapted(utils::FeatureSpace& fs) { fs.mark_adapted(); }
};
}  // namespace detail

using format::FormatError;
using layers::LayerPtr;

namespace {
constexpr const char* kConfig = detail::kKerasConfig;
constexpr const char* kMetadata = detail::kKerasMetadata;
constexpr const char* kWeights = detail::kKerasWeights;
// Where Keras's Feature and Cross classes live (their entries' "module").
constexpr const char* kFeatureModule = "keras.src.layers.preprocessing.feature_space";

// Keras's name for the next object of a class in a container: the class in snake case,
// then _1, _2, ... for the following ones.
std::string container_name(const std::string& cls, std::map<std::string, int>& used) {
  std::string n = detail::snake_case(cls);
  const int k = used[n]++;
  if (k > 0) n.append(1, '_').append(std::to_string(k));
  return n;
}

// A Keras preprocessor entry as a layer: Keras's private TFDIdentity (the "float" type's)
// is an Identity.
LayerPtr preprocessor_from(const Value& e, const std::string& source, const std::string& feature) {
  Value le = e;
  if (detail::string_field(e, "class_name") == "TFDIdentity") {
    Config c = Config::object();
    c["name"] = detail::string_field(detail::field(e, "config"), "name", feature + "_preprocessor");
    le = detail::keras_entry("keras.layers", "Identity", c, Value());
  }
  try {
    return layers::deserialize(detail::keras_layer_to_cpp(le, source));
  } catch (const FormatError&) {
    throw;
  } catch (const std::exception& err) {
    throw std::invalid_argument(source + ": cannot rebuild the preprocessor of feature '" + feature + "': " +
                                err.what());
  }
}

ShapeSpec shape_from(const Value& v, const std::string& source, const std::string& feature) {
  ShapeSpec s;
  for (const Value& d : v.as_list()) {
    if (d.is_null()) s.push_back(-1);
    else if (d.type() == Value::Type::integer && d.as_int() >= 0) s.push_back(d.as_int());
    else throw FormatError(source + ": feature '" + feature + "': a build input_shape holds " + d.to_json());
  }
  return s;
}
}  // namespace

void save_feature_space(const utils::FeatureSpace& fs, const std::string& path) {
  const Config cfg = fs.get_config();
  Config features = Config::object();
  Config build = Config::object();
  std::vector<std::pair<std::string, LayerPtr>> slots;
  std::map<std::string, int> used;
  for (const auto& [name, f] : cfg.at("features").items()) {
    const LayerPtr p = fs.preprocessor(name);
    Config fc = Config::object();
    fc["dtype"] = f.at("dtype");
    fc["preprocessor"] = detail::keras_layer_entry(*p);
    fc["output_mode"] = f.at("output_mode");
    features[name] = detail::keras_entry(kFeatureModule, "Feature", fc, "Feature");
    // A preprocessor with variables is built for FeatureSpace's inputs, (batch, 1).
    Config b = Config::object();
    if (!p->weights().empty()) b["input_shape"] = Value(std::vector<Value>{Value(), Value(1)});
    build[name] = b;
    slots.emplace_back("preprocessors/" + container_name(p->class_name(), used), p);
  }
  std::vector<Value> crosses;
  for (const Value& x : cfg.at("crosses").as_list())
    crosses.push_back(detail::keras_entry(kFeatureModule, "Cross", x, "Cross"));
  Config c = Config::object();
  c["features"] = features;
  c["output_mode"] = cfg.at("output_mode");
  c["crosses"] = Value(crosses);
  for (const char* k : {"crossing_dim", "hashing_dim", "num_discretization_bins"}) c[k] = cfg.at(k);
  Value top = detail::keras_entry("keras.utils", "FeatureSpace", c, Value());
  top["build_config"] = build;
  const std::string weights = detail::keras_weights_file(slots, {{"vars", ""}, {"preprocessors", ""}});
  const std::string zip = detail::keras_archive(top, weights);
  write_file_atomically(path, [&](std::ostream& out) { out.write(zip.data(), std::streamsize(zip.size())); });
}

utils::FeatureSpace load_feature_space(const std::string& path) {
  return load_feature_space_from_memory(format::read_file(path), path);
}

utils::FeatureSpace load_feature_space_from_memory(std::string_view bytes, const std::string& path) {
  if (!detail::is_zip(bytes))
    throw FormatError(path + ": not a .keras file (a zip archive of " + kConfig + " and " + kWeights + ")");
  detail::ZipLimits limits;
  limits.member_bytes = {{kConfig, int64_t{64} << 20}, {kMetadata, int64_t{1} << 20}};
  auto members = detail::read_zip(bytes, {kConfig, kWeights}, path, limits);
  for (const char* m : {kConfig, kWeights})
    if (!members.count(m)) throw FormatError(path + ": the .keras archive has no " + m);
  const Config top = detail::parse_json(members[kConfig], path, kConfig);
  const std::string cls = detail::string_field(top, "class_name");
  if (cls != "FeatureSpace")
    throw std::invalid_argument(path + ": the file holds a " + (cls.empty() ? std::string("?") : cls) +
                                ", not a FeatureSpace (load a model with keras::saving::load_model)");
  detail::check_config_values(detail::keras_value_to_cpp(top), "FeatureSpace", path, kConfig);
  const detail::H5Contents h5 = detail::read_h5(members[kWeights], path + ": " + kWeights);
  members.clear();
  const Value& c = detail::field(top, "config");
  const Value& build = detail::field(top, "build_config");
  const Value& fv = detail::field(c, "features");
  if (!fv.is_object() || fv.items().empty())
    throw FormatError(path + ": " + kConfig + ": expected the FeatureSpace's \"features\" as a non-empty object");

  int64_t weight_bytes = 0;
  for (const auto& [p, t] : h5.datasets) weight_bytes += int64_t(t.nbytes());
  layers::WeightBudget budget(std::max(weight_bytes, int64_t{64} << 20),
                              "while loading " + path + " (as many as its weight file holds, at least 64 MiB)");
  std::map<std::string, utils::FeatureArg> features;
  std::vector<std::pair<std::string, LayerPtr>> slots;
  std::map<std::string, int> used;
  for (const auto& [name, fe] : fv.items()) {
    const Value& fc = detail::field(fe, "config");
    const Value& pe = detail::field(fc, "preprocessor");
    if (!pe.is_object()) throw FormatError(path + ": feature '" + name + "' has no preprocessor entry");
    LayerPtr p = preprocessor_from(pe, path, name);
    const Value& shape = detail::field(detail::field(build, name.c_str()), "input_shape");
    if (shape.type() == Value::Type::list && !p->built()) p->build(shape_from(shape, path, name));
    slots.emplace_back("preprocessors/" + container_name(detail::string_field(pe, "class_name"), used), p);
    DType dtype = DType::float32;
    try {
      dtype = core::dtype_from_name(detail::string_field(fc, "dtype", "float32"));
    } catch (const std::exception& e) {
      throw FormatError(path + ": feature '" + name + "': " + e.what());
    }
    const std::string mode = detail::string_field(fc, "output_mode", "float");
    features.emplace(name, utils::FeatureArg(utils::Feature{dtype, p, mode}));
  }
  detail::load_vocabulary_assets(slots, bytes, h5, path);
  detail::assign_keras_weights(slots, h5, path + ": " + kWeights, "the FeatureSpace");

  utils::FeatureSpaceOptions o;
  o.output_mode = detail::string_field(c, "output_mode", "concat");
  auto int_field = [&](const char* key, int64_t fallback) {
    const Value& v = detail::field(c, key);
    return v.type() == Value::Type::integer ? v.as_int() : fallback;
  };
  o.crossing_dim = int_field("crossing_dim", 32);
  o.hashing_dim = int_field("hashing_dim", 32);
  o.num_discretization_bins = int_field("num_discretization_bins", 32);
  const Value& xs = detail::field(c, "crosses");
  for (const Value& x : xs.type() == Value::Type::list ? xs.as_list() : std::vector<Value>{}) {
    const Value& xc = detail::field(x, "config");
    utils::Cross cross;
    const Value& names = detail::field(xc, "feature_names");
    if (names.type() != Value::Type::list) throw FormatError(path + ": a cross has no feature_names: " + x.to_json());
    for (const Value& n : names.as_list()) {
      if (n.type() != Value::Type::string) throw FormatError(path + ": a cross' feature name is " + n.to_json());
      cross.feature_names.push_back(n.as_string());
    }
    const Value& dim = detail::field(xc, "crossing_dim");
    cross.crossing_dim = dim.type() == Value::Type::integer ? dim.as_int() : o.crossing_dim;
    cross.output_mode = detail::string_field(xc, "output_mode", "one_hot");
    o.crosses.push_back(std::move(cross));
  }
  try {
    utils::FeatureSpace fs(features, o);
    detail::FeatureSpaceAccess::mark_adapted(fs);  // as Keras's build_from_config
    return fs;
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(path + ": " + e.what());
  }
}

}  // namespace keras::saving
