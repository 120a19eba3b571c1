// registry.cpp - the optimizer factories, get() by name, serialize / deserialize.
#include "keras/optimizers.h"
#include "keras/optimizers/loss_scale_optimizer.h"
#include "keras/custom_object_scope.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <stdexcept>

#include "core/ops.h"
#include "core/training.h"
#include "keras/optimizers/optimizer_util.h"

namespace keras::optimizers {
namespace ops = core::ops;
using core::DType;
using core::Shape;

std::shared_ptr<SGDOptimizer> SGD(const SGDOptions& o) { return std::make_shared<SGDOptimizer>(o); }
std::shared_ptr<AdamOptimizer> Adam(const AdamOptions& o) { return std::make_shared<AdamOptimizer>(o); }
std::shared_ptr<AdamOptimizer> AdamW(const AdamWOptions& o) {
  AdamOptions a{.learning_rate = o.learning_rate, .beta_1 = o.beta_1, .beta_2 = o.beta_2, .epsilon = o.epsilon,
                .amsgrad = o.amsgrad, .weight_decay = o.weight_decay};
  detail::copy_base_options(a, o);
  return std::make_shared<AdamOptimizer>(a, "AdamW");
}
std::shared_ptr<RMSpropOptimizer> RMSprop(const RMSpropOptions& o) { return std::make_shared<RMSpropOptimizer>(o); }
std::shared_ptr<NadamOptimizer> Nadam(const NadamOptions& o) { return std::make_shared<NadamOptimizer>(o); }
std::shared_ptr<AdagradOptimizer> Adagrad(const AdagradOptions& o) { return std::make_shared<AdagradOptimizer>(o); }
std::shared_ptr<AdadeltaOptimizer> Adadelta(const AdadeltaOptions& o) { return std::make_shared<AdadeltaOptimizer>(o); }
std::shared_ptr<AdamaxOptimizer> Adamax(const AdamaxOptions& o) { return std::make_shared<AdamaxOptimizer>(o); }
std::shared_ptr<FtrlOptimizer> Ftrl(const FtrlOptions& o) { return std::make_shared<FtrlOptimizer>(o); }
std::shared_ptr<LionOptimizer> Lion(const LionOptions& o) { return std::make_shared<LionOptimizer>(o); }
std::shared_ptr<LambOptimizer> Lamb(const LambOptions& o) { return std::make_shared<LambOptimizer>(o); }
std::shared_ptr<AdafactorOptimizer> Adafactor(const AdafactorOptions& o) { return std::make_shared<AdafactorOptimizer>(o); }
std::shared_ptr<MuonOptimizer> Muon(const MuonOptions& o) { return std::make_shared<MuonOptimizer>(o); }
std::shared_ptr<ScheduleFreeAdamWOptimizer> ScheduleFreeAdamW(const ScheduleFreeAdamWOptions& o) {
  return std::make_shared<ScheduleFreeAdamWOptimizer>(o);
}


// ---- registry ------------------------------------------------------------------------------
namespace {
LearningRate lr_from(const Config& c, const LearningRate& fallback);
template <class O>
O read_common(const Config& c, O o) {
  o.learning_rate = lr_from(c, o.learning_rate);
  if (c.find("weight_decay")) o.weight_decay = detail::opt_from(c, "weight_decay");  // (else the default)
  OptimizerOptions b;
  b.clipnorm = detail::opt_from(c, "clipnorm");
  b.clipvalue = detail::opt_from(c, "clipvalue");
  b.global_clipnorm = detail::opt_from(c, "global_clipnorm");
  b.use_ema = c.get("use_ema", false).as_bool();
  b.ema_momentum = c.get("ema_momentum", 0.99).as_double();
  b.ema_overwrite_frequency = detail::opt_int_from(c, "ema_overwrite_frequency");
  b.loss_scale_factor = detail::opt_from(c, "loss_scale_factor");
  b.gradient_accumulation_steps = detail::opt_int_from(c, "gradient_accumulation_steps");
  b.name = c.get("name", "").as_string();
  detail::copy_base_options(o, b);
  return o;
}
double num_or(const Config& c, const char* key, double fallback) { return c.get(key, fallback).as_double(); }

std::mutex g_mu;
std::map<std::string, Factory>& factories() {
  static auto* m = new std::map<std::string, Factory>();
  return *m;
}
void ensure_builtins() {
  static std::once_flag once;
  std::call_once(once, [] {
    auto& f = factories();
    f["LossScaleOptimizer"] = [](const Config& c) -> OptimizerPtr {  // Keras 3's config
      return std::make_shared<LossScaleOptimizer>(deserialize(c.at("inner_optimizer")),
                                                  c.get("initial_scale", 32768.0).as_double(),
                                                  c.get("dynamic_growth_steps", 2000).as_int(), c.get("name", "").as_string());
    };
    f["MultiOptimizer"] = [](const Config& c) -> OptimizerPtr {  // Keras 3.15's config
      const Value& map = c.at("optimizer_map");
      const Value& lsf = c.get("loss_scale_factor", Value());
      return std::make_shared<MultiOptimizer>(OptimizerMap::from_config(map.get("config", map)),
                                              lsf.is_null() ? std::nullopt : std::optional<double>(lsf.as_double()),
                                              c.get("name", "").as_string());
    };
    f["SGD"] = [](const Config& c) -> OptimizerPtr {
      SGDOptions o = read_common(c, SGDOptions{.learning_rate = 0.01});
      o.momentum = num_or(c, "momentum", o.momentum);
      o.nesterov = c.get("nesterov", false).as_bool();
      return SGD(o);
    };
    auto adam_like = [](const Config& c, const std::string& cls) -> OptimizerPtr {
      AdamOptions a = read_common(c, AdamOptions{});
      a.beta_1 = num_or(c, "beta_1", a.beta_1);
      a.beta_2 = num_or(c, "beta_2", a.beta_2);
      a.epsilon = num_or(c, "epsilon", a.epsilon);
      a.amsgrad = c.get("amsgrad", false).as_bool();
      return std::make_shared<AdamOptimizer>(a, cls);
    };
    f["Adam"] = [adam_like](const Config& c) { return adam_like(c, "Adam"); };
    f["AdamW"] = [adam_like](const Config& c) { return adam_like(c, "AdamW"); };
    f["RMSprop"] = [](const Config& c) -> OptimizerPtr {
      RMSpropOptions o = read_common(c, RMSpropOptions{});
      o.rho = num_or(c, "rho", o.rho);
      o.momentum = num_or(c, "momentum", o.momentum);
      o.epsilon = num_or(c, "epsilon", o.epsilon);
      o.centered = c.get("centered", o.centered).as_bool();
      return RMSprop(o);
    };
    f["Nadam"] = [](const Config& c) -> OptimizerPtr {
      NadamOptions o = read_common(c, NadamOptions{});
      o.beta_1 = num_or(c, "beta_1", o.beta_1);
      o.beta_2 = num_or(c, "beta_2", o.beta_2);
      o.epsilon = num_or(c, "epsilon", o.epsilon);
      return Nadam(o);
    };
    f["Adagrad"] = [](const Config& c) -> OptimizerPtr {
      AdagradOptions o = read_common(c, AdagradOptions{});
      o.initial_accumulator_value = num_or(c, "initial_accumulator_value", o.initial_accumulator_value);
      o.epsilon = num_or(c, "epsilon", o.epsilon);
      return Adagrad(o);
    };
    f["Adadelta"] = [](const Config& c) -> OptimizerPtr {
      AdadeltaOptions o = read_common(c, AdadeltaOptions{});
      o.rho = num_or(c, "rho", o.rho);
      o.epsilon = num_or(c, "epsilon", o.epsilon);
      return Adadelta(o);
    };
    f["Adamax"] = [](const Config& c) -> OptimizerPtr {
      AdamaxOptions o = read_common(c, AdamaxOptions{});
      o.beta_1 = num_or(c, "beta_1", o.beta_1);
      o.beta_2 = num_or(c, "beta_2", o.beta_2);
      o.epsilon = num_or(c, "epsilon", o.epsilon);
      return Adamax(o);
    };
    f["Ftrl"] = [](const Config& c) -> OptimizerPtr {
      FtrlOptions o = read_common(c, FtrlOptions{});
      o.learning_rate_power = num_or(c, "learning_rate_power", o.learning_rate_power);
      o.initial_accumulator_value = num_or(c, "initial_accumulator_value", o.initial_accumulator_value);
      o.l1_regularization_strength = num_or(c, "l1_regularization_strength", o.l1_regularization_strength);
      o.l2_regularization_strength = num_or(c, "l2_regularization_strength", o.l2_regularization_strength);
      o.l2_shrinkage_regularization_strength =
          num_or(c, "l2_shrinkage_regularization_strength", o.l2_shrinkage_regularization_strength);
      o.beta = num_or(c, "beta", o.beta);
      return Ftrl(o);
    };
    f["Lion"] = [](const Config& c) -> OptimizerPtr {
      LionOptions o = read_common(c, LionOptions{});
      o.beta_1 = num_or(c, "beta_1", o.beta_1);
      o.beta_2 = num_or(c, "beta_2", o.beta_2);
      return Lion(o);
    };
    f["Lamb"] = [](const Config& c) -> OptimizerPtr {
      LambOptions o = read_common(c, LambOptions{});
      o.beta_1 = num_or(c, "beta_1", o.beta_1);
      o.beta_2 = num_or(c, "beta_2", o.beta_2);
      o.epsilon = num_or(c, "epsilon", o.epsilon);
      return Lamb(o);
    };
    f["Adafactor"] = [](const Config& c) -> OptimizerPtr {
      AdafactorOptions o = read_common(c, AdafactorOptions{});
      o.beta_2_decay = num_or(c, "beta_2_decay", o.beta_2_decay);
      o.epsilon_1 = num_or(c, "epsilon_1", o.epsilon_1);
      o.epsilon_2 = num_or(c, "epsilon_2", o.epsilon_2);
      o.clip_threshold = num_or(c, "clip_threshold", o.clip_threshold);
      o.relative_step = c.get("relative_step", true).as_bool();
      return Adafactor(o);
    };
    f["Muon"] = [](const Config& c) -> OptimizerPtr {
      MuonOptions o = read_common(c, MuonOptions{});
      o.adam_beta_1 = num_or(c, "adam_beta_1", o.adam_beta_1);
      o.adam_beta_2 = num_or(c, "adam_beta_2", o.adam_beta_2);
      if (c.find("adam_weight_decay")) o.adam_weight_decay = detail::opt_from(c, "adam_weight_decay");
      o.epsilon = num_or(c, "epsilon", o.epsilon);
      if (const Value* l = c.find("exclude_layers"); l && !l->is_null())
        for (const Value& r : l->as_list()) o.exclude_layers.push_back(r.as_string());
      o.exclude_embeddings = c.get("exclude_embeddings", true).as_bool();
      o.muon_a = num_or(c, "muon_a", o.muon_a);
      o.muon_b = num_or(c, "muon_b", o.muon_b);
      o.muon_c = num_or(c, "muon_c", o.muon_c);
      o.adam_lr_ratio = num_or(c, "adam_lr_ratio", o.adam_lr_ratio);
      o.momentum = num_or(c, "momentum", o.momentum);
      o.ns_steps = c.get("ns_steps", o.ns_steps).as_int();
      o.nesterov = c.get("nesterov", true).as_bool();
      if (c.find("rms_rate")) o.rms_rate = detail::opt_from(c, "rms_rate");
      return Muon(o);
    };
    f["ScheduleFreeAdamW"] = [](const Config& c) -> OptimizerPtr {
      ScheduleFreeAdamWOptions o = read_common(c, ScheduleFreeAdamWOptions{});
      o.beta_1 = num_or(c, "beta_1", o.beta_1);
      o.beta_2 = num_or(c, "beta_2", o.beta_2);
      o.epsilon = num_or(c, "epsilon", o.epsilon);
      o.warmup_steps = c.get("warmup_steps", o.warmup_steps).as_int();
      return ScheduleFreeAdamW(o);
    };
  });
}

LearningRate lr_from(const Config& c, const LearningRate& fallback) {
  const Value* v = c.find("learning_rate");
  if (!v || v->is_null()) return fallback;
  if (v->is_object()) return LearningRate(deserialize_schedule(*v));
  return LearningRate(v->as_double());
}
}  // namespace

void register_optimizer(const std::string& class_name, Factory f) {
  ensure_builtins();
  std::lock_guard<std::mutex> lock(g_mu);
  factories()[class_name] = std::move(f);
}

OptimizerPtr deserialize(const Config& c) {
  ensure_builtins();
  const std::string cls = c.at("class_name").as_string();
  Factory f = keras::detail::scoped<OptimizerPtr>(Family::optimizer, cls);
  if (!f) {
    std::lock_guard<std::mutex> lock(g_mu);
    auto it = factories().find(cls);
    if (it == factories().end())
      throw std::invalid_argument("optimizers.deserialize: unknown optimizer class '" + cls +
                                  "'; register it with keras::optimizers::register_optimizer");
    f = it->second;
  }
  return f(c.get("config", Config::object()));
}

Config detail::keras_entry(const Optimizer& o) {
  Config c = Config::object();
  c["module"] = "keras.optimizers";
  c["class_name"] = o.class_name();
  c["config"] = o.get_config();
  c["registered_name"] = nullptr;
  return c;
}

Config serialize(const Optimizer& o) {
  Config c = Config::object();
  c["class_name"] = o.class_name();
  c["config"] = o.get_config();
  return c;
}

OptimizerPtr get(const std::string& name) {
  static const std::map<std::string, std::string> aliases = {
      {"sgd", "SGD"},         {"adam", "Adam"},       {"adamw", "AdamW"},   {"rmsprop", "RMSprop"},
      {"nadam", "Nadam"},     {"adagrad", "Adagrad"}, {"adadelta", "Adadelta"}, {"adamax", "Adamax"},
      {"ftrl", "Ftrl"},       {"lion", "Lion"},       {"lamb", "Lamb"},     {"adafactor", "Adafactor"},
      {"muon", "Muon"},       {"schedulefreeadamw", "ScheduleFreeAdamW"}};
  auto it = aliases.find(name);
  Config c = Config::object();
  c["class_name"] = it != aliases.end() ? it->second : name;
  c["config"] = Config::object();
  try {
    return deserialize(c);
  } catch (const std::invalid_argument&) {
    std::string known;
    ensure_builtins();
    for (auto& [k, f] : factories()) known += (known.empty() ? "" : ", ") + k;
    throw std::invalid_argument("optimizers.get: unknown optimizer '" + name + "' (known: " + known + ")");
  }
}

}  // namespace keras::optimizers
