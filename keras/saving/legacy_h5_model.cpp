// legacy_h5_model.cpp - load_model of legacy HDF5 model files (legacy_h5_model.h): the
// architecture, the weights, the compile configuration and Keras 2's optimizer state.
#include "keras/saving/legacy_h5_model.h"

#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

#include "core/ops.h"
#include "keras/optimizers.h"
#include "keras/saving/file_config.h"
#include "keras/saving/format.h"
#include "keras/saving/keras_config.h"
#include "keras/saving/keras_file.h"
#include "keras/saving/legacy_h5.h"

namespace keras::saving::detail {
namespace {

using format::FormatError;

// Keras 2's names of an optimizer's per-variable state (tf_keras.optimizers and
// tf_keras.optimizers.legacy) and keras-cpp's (Keras 3's) for the same quantity.
const std::map<std::string, std::map<std::string, std::string>>& keras2_slot_kinds() {
  static const std::map<std::string, std::map<std::string, std::string>> kinds = {
      {"Adam", {{"m", "momentum"}, {"v", "velocity"}, {"vhat", "velocity_hat"}}},
      {"AdamW", {{"m", "momentum"}, {"v", "velocity"}, {"vhat", "velocity_hat"}}},
      {"SGD", {{"m", "momentum"}, {"momentum", "momentum"}}},
      {"RMSprop",
       {{"velocity", "velocity"},
        {"momentum", "momentum"},
        {"average_gradient", "average_gradient"},
        {"rms", "velocity"},
        {"mg", "average_gradient"}}},
      {"Adagrad", {{"accumulator", "accumulator"}}},
      {"Adadelta",
       {{"accumulated_grad", "accumulated_grad"},
        {"accumulated_delta_var", "accumulated_delta_var"},
        {"accum_grad", "accumulated_grad"},
        {"accum_var", "accumulated_delta_var"}}},
      {"Adamax", {{"m", "momentum"}, {"u", "norm"}, {"v", "norm"}}},
      {"Nadam", {{"m", "momentum"}, {"v", "velocity"}}},
      {"Ftrl",
       {{"accumulators", "accumulator"}, {"linears", "linear"}, {"accumulator", "accumulator"}, {"linear", "linear"}}},
      {"Lion", {{"m", "momentum"}}},
  };
  return kinds;
}

std::string strip_index(const std::string& name) {  // "dense/kernel:0" -> "dense/kernel"
  const size_t colon = name.rfind(':');
  return colon == std::string::npos ? name : name.substr(0, colon);
}

// Puts the `optimizer_weights` of a Keras 2 file into the compiled model's optimizer:
// "iteration:0" (or "<optimizer>/iter:0"), and each slot named "<optimizer>/<kind>/<variable>:0"
// (tf_keras.optimizers) or "<optimizer>/<variable>/<kind>:0" (its legacy optimizers), where
// <variable> is a weight's name in `model_weights` (`assigned`). Every slot keras-cpp's
// optimizer has must be found, and every saved value must find its slot, with its shape;
// otherwise nothing is set and a warning says training resumes with fresh optimizer state.
void restore_keras2_optimizer_state(const Model& model, const H5Contents& file,
                                    const std::vector<std::pair<Variable, std::string>>& assigned,
                                    const std::string& source) {
  const auto names = legacy_attribute(file, "optimizer_weights", "weight_names");
  if (!names || names->empty()) return;  // saved without it (include_optimizer=False, never trained)
  optimizers::Optimizer& opt = *model.optimizer();
  auto skip = [&](const std::string& why) {
    std::fprintf(stderr,
                 "UserWarning: %s: skipping the optimizer state of '%s' (%s); training resumes with fresh optimizer "
                 "variables\n",
                 source.c_str(), opt.name().c_str(), why.c_str());
  };
  const auto kinds_it = keras2_slot_kinds().find(opt.class_name());
  if (kinds_it == keras2_slot_kinds().end())
    return skip("keras-cpp does not read Keras 2's state of a " + opt.class_name());
  const std::map<std::string, std::string>& kinds = kinds_it->second;
  const std::vector<Variable> trainable = model.trainable_weights();
  opt.build_variables(trainable);
  const std::vector<Variable> all = opt.variables();  // [0]: iterations
  // Keras 2's variable name -> keras-cpp's trainable variable.
  std::map<std::string, Variable> by_name;
  for (const auto& [v, name] : assigned)
    for (const Variable& t : trainable)
      if (t.same_as(v)) by_name.emplace(strip_index(name), v);
  // keras-cpp's slot of `var` for `kind` (the first not yet taken, as names may repeat).
  std::vector<bool> taken(all.size(), false);
  taken[0] = true;
  auto slot_of = [&](const Variable& var, const std::string& kind) -> std::optional<size_t> {
    const std::string want = opt.name() + "/" + var.name() + "_" + kind;
    size_t rank = 0;  // how many earlier trainable variables have the same name
    for (const Variable& t : trainable) {
      if (t.same_as(var)) break;
      if (t.name() == var.name()) ++rank;
    }
    for (size_t i = 1; i < all.size(); ++i)
      if (all[i].name() == want && rank-- == 0) return i;
    return std::nullopt;
  };
  std::vector<std::pair<size_t, const Tensor*>> plan;
  for (const std::string& saved : *names) {
    const std::string path = "optimizer_weights/" + saved;
    auto data = file.datasets.find(path);
    if (data == file.datasets.end())
      throw FormatError(source + ": the optimizer weight '" + saved + "' has no dataset '" + path + "'");
    const std::string n = strip_index(saved);
    const size_t slash = n.find('/');
    if (n == "iteration" || (slash != std::string::npos && n.substr(slash + 1) == "iter")) {
      plan.emplace_back(0, &data->second);
      continue;
    }
    std::optional<size_t> slot;
    if (slash != std::string::npos) {
      const std::string rest = n.substr(slash + 1);  // after "<optimizer>/"
      const size_t first = rest.find('/'), last = rest.rfind('/');
      auto try_form = [&](const std::string& kind, const std::string& var) {
        auto k = kinds.find(kind);
        auto v = by_name.find(var);
        if (!slot && k != kinds.end() && v != by_name.end()) slot = slot_of(v->second, k->second);
      };
      if (first != std::string::npos) {
        try_form(rest.substr(0, first), rest.substr(first + 1));  // tf_keras.optimizers
        try_form(rest.substr(last + 1), rest.substr(0, last));    // tf_keras.optimizers.legacy
      }
      if (!slot)  // a variable of the optimizer itself (Nadam's u_product)
        for (size_t i = 1; i < all.size(); ++i)
          if (!taken[i] && all[i].name() == opt.name() + "/" + rest) slot = i;
    }
    if (!slot) return skip("its variable '" + saved + "' has no counterpart in keras-cpp's " + opt.class_name());
    if (taken[*slot]) return skip("two of its variables fill '" + all[*slot].name() + "'");
    taken[*slot] = true;
    plan.emplace_back(*slot, &data->second);
  }
  // tf_keras's Nadam keeps its u_product out of its variables; it is the product of the
  // momentum schedule over the steps taken, made again from the step count.
  std::optional<size_t> u_product;
  for (size_t i = 1; i < all.size(); ++i) {
    if (taken[i]) continue;
    if (opt.class_name() == "Nadam" && all[i].name() == opt.name() + "/u_product")
      u_product = i;
    else
      return skip("it has no value for '" + all[i].name() + "'");
  }
  for (const auto& [i, t] : plan)
    if (t->shape() != all[i].shape() && !(i == 0 && t->size() == 1))
      return skip("'" + all[i].name() + "' has shape " + all[i].shape().str() + ", the file's " + t->shape().str());
  for (const auto& [i, t] : plan) {
    Variable v = all[i];
    v.assign(core::ops::cast(core::ops::reshape(*t, v.shape().dims()), v.dtype()).to(v.value().device()));
  }
  if (u_product) {  // Keras's u_t = beta_1 (1 - 0.5 * 0.96^t), t = 1 .. iterations
    const double beta_1 = opt.get_config().at("beta_1").as_double();
    double product = 1.0;
    for (int64_t t = 1; t <= opt.iterations(); ++t) product *= beta_1 * (1.0 - 0.5 * std::pow(0.96, double(t)));
    Variable v = all[*u_product];
    v.assign(core::ops::fill({}, product, v.dtype()).to(v.value().device()));
  }
}

std::string root_string(const H5Contents& file, const char* name) {
  const auto a = legacy_attribute(file, "", name);
  if (!a || a->size() != 1) return "";
  return (*a)[0];
}

}  // namespace

bool is_legacy_h5_model(const H5Contents& file) { return legacy_attribute(file, "", "model_config").has_value(); }

std::shared_ptr<Model> load_legacy_h5_model(const H5Contents& file, const std::string& source, bool compile) {
  const auto config_text = legacy_attribute(file, "", "model_config");
  if (!config_text || config_text->size() != 1)
    throw FormatError(source + ": the attribute 'model_config' must be one JSON string");
  const std::string version = root_string(file, "keras_version");
  if (version.rfind("1.", 0) == 0 || version.rfind("0.", 0) == 0)
    throw std::invalid_argument(source + ": written by Keras " + version +
                                ", whose configs keras-cpp does not read (it reads the .h5 models of Keras 2 and 3; "
                                "Keras 3 reads no Keras 1 model either)");
  const bool keras2 = version.rfind("3.", 0) != 0;
  const Value keras_cfg = keras2_model_config(parse_json((*config_text)[0], source, "model_config"), keras2);
  std::shared_ptr<Model> model = model_from_keras_config(keras_cfg, file, source);
  check_honoured(keras_cfg, *model, source);
  std::vector<std::pair<Variable, std::string>> assigned;
  assign_legacy_weights(*model, file, source, &assigned);
  const std::string training = root_string(file, "training_config");
  if (!compile || training.empty()) return model;
  try {
    restore_compile(*model, keras2_compile_config(parse_json(training, source, "training_config"), *model));
  } catch (const FormatError&) {
    throw;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "UserWarning: %s: the model was not compiled (its training_config cannot be restored: %s)\n",
                 source.c_str(), e.what());
    return model;
  }
  if (root_string(file, "keras_version").rfind("3.", 0) == 0) {  // Keras 3's optimizer.variables, in order
    std::vector<const Tensor*> values;
    for (const std::string& name :
         legacy_attribute(file, "optimizer_weights", "weight_names").value_or(std::vector<std::string>{})) {
      auto it = file.datasets.find("optimizer_weights/" + name);
      if (it == file.datasets.end())
        throw FormatError(source + ": the optimizer weight '" + name + "' has no dataset 'optimizer_weights/" + name +
                          "'");
      values.push_back(&it->second);
    }
    restore_keras_optimizer_values(*model, values, source);
  } else {
    restore_keras2_optimizer_state(*model, file, assigned, source);
  }
  return model;
}

}  // namespace keras::saving::detail
