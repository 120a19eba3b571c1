// optimizer_util.h - (internal) helpers shared by the optimizer sources.
#pragma once
#include <optional>
#include <string>

#include "core/autodiff.h"
#include "keras/config.h"

namespace keras::optimizers {
class Optimizer;
}

namespace keras::optimizers::detail {
// An optimizer as Keras serializes one inside another's config (MultiOptimizer's map,
// LossScaleOptimizer's inner_optimizer): {"module", "class_name", "config", "registered_name"}.
Config keras_entry(const Optimizer& o);

// A number in a config, or nothing when absent or null.
inline std::optional<double> opt_from(const Config& c, const char* key) {
  const Value* v = c.find(key);
  if (!v || v->is_null()) return std::nullopt;
  return v->as_double();
}
// An integer in a config, or nothing when absent or null.
inline std::optional<int64_t> opt_int_from(const Config& c, const char* key) {
  const Value* v = c.find(key);
  if (!v || v->is_null()) return std::nullopt;
  return v->as_int();
}

// Copies the base options after weight_decay (KERAS_OPTIMIZER_BASE_OPTIONS) between two
// options structs that list them.
template <class To, class From>
void copy_base_options(To& to, const From& from) {
  to.clipnorm = from.clipnorm;
  to.clipvalue = from.clipvalue;
  to.global_clipnorm = from.global_clipnorm;
  to.use_ema = from.use_ema;
  to.ema_momentum = from.ema_momentum;
  to.ema_overwrite_frequency = from.ema_overwrite_frequency;
  to.loss_scale_factor = from.loss_scale_factor;
  to.gradient_accumulation_steps = from.gradient_accumulation_steps;
  to.name = from.name;
}
// Throws "<optimizer>: expected <what>, but received <arg>=<v>" unless ok.
void expect(bool ok, const std::string& optimizer, const char* what, const char* arg, double v);

// Adam's rule on one variable (amsgrad with vhat): the fused kernel where one fits, else
// the same formulas as ops; `iterations` is the optimizer's count before this step (Adam
// and Muon's AdamW steps).
void adam_update(core::Variable& var, const core::Tensor& g, core::Variable& m, core::Variable& v, core::Variable* vhat,
                 const core::Tensor& lr, double beta_1, double beta_2, double epsilon, const core::Tensor& iterations);
}  // namespace keras::optimizers::detail
