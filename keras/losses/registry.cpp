// registry.cpp - the loss names behind get() / serialize() / deserialize().
#include "keras/losses.h"
#include "keras/config_reader.h"
#include "keras/custom_object_scope.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>

#include "core/control_flow.h"
#include "core/function.h"
#include "core/ops.h"
#include "keras/losses/losses_internal.h"

namespace keras::losses {

namespace ops = core::ops;
using core::DType;
using core::Shape;
using namespace internal;

// ---- registry ------------------------------------------------------------------------------

namespace {

// A built-in loss's config reader: the class's keys `extra` and the base class's name,
// reduction and dtype ("dtype", which Keras writes, is accepted and ignored).
keras::detail::ConfigReader reader(const std::string& cls, const keras::Config& c, std::set<std::string> extra) {
  extra.insert({"name", "reduction", "dtype"});
  return keras::detail::ConfigReader("losses.deserialize", cls, c, std::move(extra));
}
LossOptions options(const keras::detail::ConfigReader& r) { return LossOptions::from_config(r.config()); }

using Table = std::map<std::string, Factory>;

template <class T>
Factory simple(const char* cls) {
  return [cls](const keras::Config& c) -> LossPtr {
    auto r = reader(cls, c, {});
    return std::make_shared<T>(options(r));
  };
}

const Table& builtin_classes() {
  static const Table table = [] {
    Table t;
    t["MeanSquaredError"] = simple<MeanSquaredError>("MeanSquaredError");
    t["MeanAbsoluteError"] = simple<MeanAbsoluteError>("MeanAbsoluteError");
    t["MeanAbsolutePercentageError"] =
        simple<MeanAbsolutePercentageError>("MeanAbsolutePercentageError");
    t["MeanSquaredLogarithmicError"] =
        simple<MeanSquaredLogarithmicError>("MeanSquaredLogarithmicError");
    t["LogCosh"] = simple<LogCosh>("LogCosh");
    t["KLDivergence"] = simple<KLDivergence>("KLDivergence");
    t["Poisson"] = simple<Poisson>("Poisson");
    t["Hinge"] = simple<Hinge>("Hinge");
    t["SquaredHinge"] = simple<SquaredHinge>("SquaredHinge");
    t["CategoricalHinge"] = simple<CategoricalHinge>("CategoricalHinge");
    t["Huber"] = [](const keras::Config& c) -> LossPtr {
      auto r = reader("Huber", c, {"delta"});
      LossOptions o = options(r);
      return std::make_shared<Huber>(
          HuberOptions{.delta = r.number("delta", 1.0), .name = o.name, .reduction = o.reduction});
    };
    t["CosineSimilarity"] = [](const keras::Config& c) -> LossPtr {
      auto r = reader("CosineSimilarity", c, {"axis"});
      LossOptions o = options(r);
      return std::make_shared<CosineSimilarity>(CosineSimilarityOptions{
          .axis = r.integer("axis", -1), .name = o.name, .reduction = o.reduction});
    };
    t["BinaryCrossentropy"] = [](const keras::Config& c) -> LossPtr {
      auto r = reader("BinaryCrossentropy", c, {"from_logits", "label_smoothing", "axis"});
      LossOptions o = options(r);
      return std::make_shared<BinaryCrossentropy>(BinaryCrossentropyOptions{
          .from_logits = r.boolean("from_logits", false),
          .label_smoothing = r.number("label_smoothing", 0.0),
          .axis = r.integer("axis", -1),
          .name = o.name,
          .reduction = o.reduction});
    };
    t["CategoricalCrossentropy"] = [](const keras::Config& c) -> LossPtr {
      auto r = reader("CategoricalCrossentropy", c, {"from_logits", "label_smoothing", "axis"});
      LossOptions o = options(r);
      return std::make_shared<CategoricalCrossentropy>(CategoricalCrossentropyOptions{
          .from_logits = r.boolean("from_logits", false),
          .label_smoothing = r.number("label_smoothing", 0.0),
          .axis = r.integer("axis", -1),
          .name = o.name,
          .reduction = o.reduction});
    };
    t["SparseCategoricalCrossentropy"] = [](const keras::Config& c) -> LossPtr {
      auto r = reader("SparseCategoricalCrossentropy", c, {"from_logits", "ignore_class"});
      LossOptions o = options(r);
      std::optional<int64_t> ignore;
      if (const keras::Value* v = r.find("ignore_class")) ignore = v->as_int();
      return std::make_shared<SparseCategoricalCrossentropy>(SparseCategoricalCrossentropyOptions{
          .from_logits = r.boolean("from_logits", false),
          .ignore_class = ignore,
          .name = o.name,
          .reduction = o.reduction});
    };
    t["BinaryFocalCrossentropy"] = [](const keras::Config& c) -> LossPtr {
      auto r = reader("BinaryFocalCrossentropy", c,
                     {"apply_class_balancing", "alpha", "gamma", "from_logits",
                      "label_smoothing", "axis"});
      LossOptions o = options(r);
      return std::make_shared<BinaryFocalCrossentropy>(BinaryFocalCrossentropyOptions{
          .apply_class_balancing = r.boolean("apply_class_balancing", false),
          .alpha = r.number("alpha", 0.25),
          .gamma = r.number("gamma", 2.0),
          .from_logits = r.boolean("from_logits", false),
          .label_smoothing = r.number("label_smoothing", 0.0),
          .axis = r.integer("axis", -1),
          .name = o.name,
          .reduction = o.reduction});
    };
    t["CategoricalFocalCrossentropy"] = [](const keras::Config& c) -> LossPtr {
      auto r = reader("CategoricalFocalCrossentropy", c, {"alpha", "gamma", "from_logits", "label_smoothing", "axis"});
      LossOptions o = options(r);
      return std::make_shared<CategoricalFocalCrossentropy>(CategoricalFocalCrossentropyOptions{
          .alpha = r.number("alpha", 0.25),
          .gamma = r.number("gamma", 2.0),
          .from_logits = r.boolean("from_logits", false),
          .label_smoothing = r.number("label_smoothing", 0.0),
          .axis = r.integer("axis", -1),
          .name = o.name,
          .reduction = o.reduction});
    };
    t["Dice"] = [](const keras::Config& c) -> LossPtr {
      auto r = reader("Dice", c, {"axis"});
      LossOptions o = options(r);
      return std::make_shared<Dice>(
          DiceOptions{.axis = axes_from_config(r.find("axis")), .name = o.name, .reduction = o.reduction});
    };
    t["Tversky"] = [](const keras::Config& c) -> LossPtr {
      auto r = reader("Tversky", c, {"alpha", "beta", "axis"});
      LossOptions o = options(r);
      return std::make_shared<Tversky>(TverskyOptions{.alpha = r.number("alpha", 0.5),
                                                      .beta = r.number("beta", 0.5),
                                                      .axis = axes_from_config(r.find("axis")),
                                                      .name = o.name,
                                                      .reduction = o.reduction});
    };
    t["CategoricalGeneralizedCrossEntropy"] = [](const keras::Config& c) -> LossPtr {
      auto r = reader("CategoricalGeneralizedCrossEntropy", c, {"q"});
      LossOptions o = options(r);
      return std::make_shared<CategoricalGeneralizedCrossEntropy>(CategoricalGeneralizedCrossEntropyOptions{
          .q = r.number("q", 0.5), .name = o.name, .reduction = o.reduction});
    };
    t["Circle"] = [](const keras::Config& c) -> LossPtr {
      auto r = reader("Circle", c, {"gamma", "margin", "remove_diagonal"});
      LossOptions o = options(r);
      return std::make_shared<Circle>(CircleOptions{.gamma = r.number("gamma", 80.0),
                                                    .margin = r.number("margin", 0.4),
                                                    .remove_diagonal = r.boolean("remove_diagonal", true),
                                                    .name = o.name,
                                                    .reduction = o.reduction});
    };
    t["CTC"] = simple<CTC>("CTC");
    return t;
  }();
  return table;
}

// Every name get() accepts for a built-in -> its class.
const std::map<std::string, std::string>& builtin_aliases() {
  static const std::map<std::string, std::string> aliases = [] {
    std::map<std::string, std::string> a;
    for (const auto& [cls, f] : builtin_classes()) a[cls] = cls;
    auto add = [&a](std::initializer_list<const char*> names, const char* cls) {
      for (const char* n : names) a[n] = cls;
    };
    add({"mean_squared_error", "mse", "MSE"}, "MeanSquaredError");
    add({"mean_absolute_error", "mae", "MAE"}, "MeanAbsoluteError");
    add({"mean_absolute_percentage_error", "mape", "MAPE"}, "MeanAbsolutePercentageError");
    add({"mean_squared_logarithmic_error", "msle", "MSLE"}, "MeanSquaredLogarithmicError");
    add({"huber", "huber_loss"}, "Huber");
    add({"log_cosh", "logcosh"}, "LogCosh");
    add({"kl_divergence", "kld", "KLD", "kullback_leibler_divergence"}, "KLDivergence");
    add({"poisson"}, "Poisson");
    add({"hinge"}, "Hinge");
    add({"squared_hinge"}, "SquaredHinge");
    add({"categorical_hinge"}, "CategoricalHinge");
    add({"cosine_similarity"}, "CosineSimilarity");
    add({"binary_crossentropy", "bce", "BCE"}, "BinaryCrossentropy");
    add({"categorical_crossentropy"}, "CategoricalCrossentropy");
    add({"sparse_categorical_crossentropy"}, "SparseCategoricalCrossentropy");
    add({"binary_focal_crossentropy"}, "BinaryFocalCrossentropy");
    add({"categorical_focal_crossentropy"}, "CategoricalFocalCrossentropy");
    add({"dice"}, "Dice");
    add({"tversky"}, "Tversky");
    add({"categorical_generalized_cross_entropy"}, "CategoricalGeneralizedCrossEntropy");
    add({"circle"}, "Circle");
    add({"ctc"}, "CTC");
    return a;
  }();
  return aliases;
}

// The functional forms by name (for a serialized LossFunctionWrapper's "fn").
const std::map<std::string, LossFunction>& builtin_functions() {
  static const std::map<std::string, LossFunction> fns = [] {
    std::map<std::string, LossFunction> f;
    auto add = [&f](auto fn) { f[fn.name] = LossFunction(fn); };
    add(mean_squared_error);
    add(mean_absolute_error);
    add(mean_absolute_percentage_error);
    add(mean_squared_logarithmic_error);
    add(huber);
    add(log_cosh);
    add(binary_crossentropy);
    add(categorical_crossentropy);
    add(sparse_categorical_crossentropy);
    add(binary_focal_crossentropy);
    add(kl_divergence);
    add(poisson);
    add(hinge);
    add(squared_hinge);
    add(categorical_hinge);
    add(cosine_similarity);
    add(categorical_focal_crossentropy);
    add(dice);
    add(tversky);
    add(circle);
    add(ctc);
    return f;
  }();
  return fns;
}

struct Custom {
  std::mutex mu;
  Table factories;
  std::map<std::string, LossFunction> functions;
};
Custom& custom() {
  static Custom c;
  return c;
}

Factory find_factory(const std::string& name) {
  if (auto scoped = keras::detail::scoped<LossPtr>(Family::loss, name)) return Factory(scoped);
  const auto& aliases = builtin_aliases();
  if (auto it = aliases.find(name); it != aliases.end()) return builtin_classes().at(it->second);
  Custom& c = custom();
  std::lock_guard<std::mutex> lock(c.mu);
  if (auto it = c.factories.find(name); it != c.factories.end()) return it->second;
  return {};
}

LossFunction find_function(const std::string& name) {
  {
    Custom& c = custom();
    std::lock_guard<std::mutex> lock(c.mu);
    if (auto it = c.functions.find(name); it != c.functions.end()) return it->second;
  }
  const auto& b = builtin_functions();
  if (auto it = b.find(name); it != b.end()) return it->second;
  return {};
}

std::string joined_names() {
  std::string s;
  for (const auto& n : names()) s += (s.empty() ? "" : ", ") + n;
  return s;
}

void check_new_name(const char* fn, const std::string& name) {
  if (name.empty()) fail(std::string("losses.") + fn + ": expected a non-empty name");
  if (builtin_aliases().count(name) || builtin_functions().count(name) ||
      name == "LossFunctionWrapper")
    fail(std::string("losses.") + fn + ": '" + name +
         "' is a built-in loss and cannot be replaced");
}

}  // namespace

std::vector<std::string> names() {
  std::set<std::string> out;
  for (const auto& [k, v] : builtin_aliases()) out.insert(k);
  {
    Custom& c = custom();
    std::lock_guard<std::mutex> lock(c.mu);
    for (const auto& [k, v] : c.factories) out.insert(k);
    for (const auto& [k, v] : c.functions) out.insert(k);
  }
  return {out.begin(), out.end()};
}

LossPtr get(const std::string& name) {
  if (Factory f = find_factory(name)) return f(keras::Config::object());
  {
    Custom& c = custom();
    std::unique_lock<std::mutex> lock(c.mu);
    if (auto it = c.functions.find(name); it != c.functions.end()) {
      LossFunction fn = it->second;
      lock.unlock();
      return std::make_shared<LossFunctionWrapper>(std::move(fn), name);
    }
  }
  fail("losses.get: unknown loss '" + name + "'; expected one of: " + joined_names());
}

LossPtr get(LossFunction fn, std::string name) {
  if (!fn) fail("losses.get: expected a callable, but received an empty function");
  return std::make_shared<LossFunctionWrapper>(std::move(fn), std::move(name));
}

keras::Config serialize(const Loss& loss) {
  keras::Config c = keras::Config::object();
  c["class_name"] = loss.class_name();
  c["config"] = loss.get_config();
  return c;
}

LossPtr deserialize(const keras::Config& config) {
  if (config.type() == keras::Value::Type::string) return get(config.as_string());
  if (!config.is_object() || !config.contains("class_name") ||
      config.at("class_name").type() != keras::Value::Type::string)
    fail("losses.deserialize: expected {\"class_name\": ..., \"config\": {...}} or a name, "
         "but received " + config.to_json());
  const std::string& cls = config.at("class_name").as_string();
  keras::Config inner = config.get("config", keras::Config::object());
  if (cls == "LossFunctionWrapper") {
    auto r = reader(cls, inner, {"fn"});
    const keras::Value* fn = r.find("fn");
    // Keras writes a function as {"class_name": "function", "config": name}.
    if (fn && fn->is_object()) fn = fn->find("config");
    if (!fn || fn->type() != keras::Value::Type::string)
      fail("losses.deserialize: expected the config of LossFunctionWrapper to name its "
           "function in \"fn\", but received " + inner.to_json());
    LossFunction f = find_function(fn->as_string());
    if (!f)
      fail("losses.deserialize: unknown loss function '" + fn->as_string() +
           "'; register it with register_loss(name, function)");
    return std::make_shared<LossFunctionWrapper>(std::move(f), fn->as_string(), options(r));
  }
  Factory f = find_factory(cls);
  if (!f)
    fail("losses.deserialize: unknown loss class '" + cls + "'; expected one of: " +
         joined_names());
  return f(inner);
}

void register_loss(const std::string& class_name, Factory factory) {
  check_new_name("register_loss", class_name);
  if (!factory)
    fail("losses.register_loss: expected a factory for '" + class_name +
         "', but received an empty function");
  Custom& c = custom();
  std::lock_guard<std::mutex> lock(c.mu);
  c.functions.erase(class_name);
  c.factories[class_name] = std::move(factory);
}

void register_loss(const std::string& name, LossFunction fn) {
  check_new_name("register_loss", name);
  if (!fn)
    fail("losses.register_loss: expected a callable for '" + name +
         "', but received an empty function");
  Custom& c = custom();
  std::lock_guard<std::mutex> lock(c.mu);
  c.factories.erase(name);
  c.functions[name] = std::move(fn);
}

}  // namespace keras::losses
