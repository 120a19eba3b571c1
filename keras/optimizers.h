// optimizers.h - Optimizer (Keras 3's base: learning rate or schedule, weight decay,
// clipnorm / clipvalue / global_clipnorm, an iteration counter, slot variables per
// variable), the built-in optimizers and learning-rate schedules.
//
//   auto opt = keras::optimizers::Adam({.learning_rate = 1e-3});
//   opt->apply_gradients(grads, model->trainable_weights());
//
// A subclass writes only build() (its slots) and update_step() (one variable's rule).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/autodiff.h"
#include "keras/config.h"

namespace keras::optimizers {
using core::Tensor;
using core::Variable;

// ---- learning-rate schedules ----------------------------------------------------------
class LearningRateSchedule {
 public:
  virtual ~LearningRateSchedule();
  virtual double operator()(int64_t step) const = 0;
  virtual std::string class_name() const = 0;
  virtual Config get_config() const = 0;
};
using SchedulePtr = std::shared_ptr<const LearningRateSchedule>;

// A learning rate: a number or a schedule of the iteration count.
struct LearningRate {
  double value = 0.001;
  SchedulePtr schedule{};
  LearningRate() = default;
  LearningRate(double v) : value(v) {}
  LearningRate(SchedulePtr s) : schedule(std::move(s)) {}
  template <class S, class = std::enable_if_t<std::is_base_of_v<LearningRateSchedule, S>>>
  LearningRate(const S& s) : schedule(std::make_shared<S>(s)) {}
  double at(int64_t step) const { return schedule ? (*schedule)(step) : value; }
};

// ---- the base class ---------------------------------------------------------------------
struct OptimizerOptions {
  LearningRate learning_rate = 0.001;
  std::optional<double> weight_decay{}, clipnorm{}, clipvalue{}, global_clipnorm{};
  std::string name{};
};

class Optimizer {
 public:
  Optimizer(std::string class_name, const OptimizerOptions& options);
  virtual ~Optimizer();
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // One step: clips the gradients, applies weight decay, then update_step for each
  // (gradient, variable) pair; undefined gradients are skipped (all undefined raises).
  // Slots are built the first time a variable is seen. Increments iterations.
  void apply_gradients(const std::vector<Tensor>& grads, const std::vector<Variable>& vars);

  int64_t iterations() const;
  // The learning rate in use at the current iteration.
  double learning_rate() const;
  // Replaces the learning rate by a constant (ReduceLROnPlateau, LearningRateScheduler).
  void set_learning_rate(double lr);
  const std::string& name() const { return name_; }
  const std::string& class_name() const { return class_name_; }
  // The state to save: iterations, then every slot variable.
  std::vector<Variable> variables() const;
  virtual Config get_config() const;

 protected:
  // Creates the slots for `vars` (called once for each new variable list).
  virtual void build(const std::vector<Variable>& vars);
  // Updates one variable (the clipped gradient, the learning rate of this step).
  virtual void update_step(const Tensor& grad, Variable& var, double lr) = 0;
  // A zero slot shaped like `ref`, named "<optimizer>/<var>_<name>".
  Variable add_variable_from_reference(const Variable& ref, const std::string& name);
  // The position of `var` among the built variables (slots are stored per position).
  size_t index_of(const Variable& var) const;
  Config base_config() const;
  const OptimizerOptions& options() const { return options_; }

 private:
  std::string class_name_, name_;
  OptimizerOptions options_;
  Variable iterations_;
  std::vector<Variable> built_;  // the variables seen so far, in order
  std::vector<Variable> slots_;
};
using OptimizerPtr = std::shared_ptr<Optimizer>;

// ---- built-in optimizers (Keras 3 names, arguments and update formulas) ----------------
struct SGDOptions {
  LearningRate learning_rate = 0.01;
  double momentum = 0.0;
  bool nesterov = false;
  std::optional<double> weight_decay{}, clipnorm{}, clipvalue{}, global_clipnorm{};
  std::string name{};
};
class SGDOptimizer : public Optimizer {
 public:
  explicit SGDOptimizer(const SGDOptions& o = {});
  Config get_config() const override;

 protected:
  void build(const std::vector<Variable>& vars) override;
  void update_step(const Tensor& grad, Variable& var, double lr) override;

 private:
  SGDOptions o_;
  std::vector<Variable> momentums_;
};

struct AdamOptions {
  LearningRate learning_rate = 0.001;
  double beta_1 = 0.9, beta_2 = 0.999, epsilon = 1e-7;
  bool amsgrad = false;
  std::optional<double> weight_decay{}, clipnorm{}, clipvalue{}, global_clipnorm{};
  std::string name{};
};
class AdamOptimizer : public Optimizer {
 public:
  explicit AdamOptimizer(const AdamOptions& o = {}, std::string class_name = "Adam");
  Config get_config() const override;

 protected:
  void build(const std::vector<Variable>& vars) override;
  void update_step(const Tensor& grad, Variable& var, double lr) override;

 private:
  AdamOptions o_;
  std::vector<Variable> m_, v_, vhat_;
};

// AdamW: Adam with decoupled weight decay (default 0.004).
struct AdamWOptions {
  LearningRate learning_rate = 0.001;
  double weight_decay = 0.004;
  double beta_1 = 0.9, beta_2 = 0.999, epsilon = 1e-7;
  bool amsgrad = false;
  std::optional<double> clipnorm{}, clipvalue{}, global_clipnorm{};
  std::string name{};
};

std::shared_ptr<SGDOptimizer> SGD(const SGDOptions& o = {});
std::shared_ptr<AdamOptimizer> Adam(const AdamOptions& o = {});
std::shared_ptr<AdamOptimizer> AdamW(const AdamWOptions& o = {});

// By Keras's names ("sgd", "adam", "adamw", ... and the class names), default arguments.
OptimizerPtr get(const std::string& name);
Config serialize(const Optimizer& o);
OptimizerPtr deserialize(const Config& c);
using Factory = std::function<OptimizerPtr(const Config&)>;
void register_optimizer(const std::string& class_name, Factory f);

}  // namespace keras::optimizers
