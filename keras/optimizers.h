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
  /// The rate at `step` (an int64 scalar tensor) as a float64 scalar tensor, computed with
  /// ops so a traced train step follows the schedule. The built-in schedules override it;
  /// the default reads the step on the host and calls the number version (such a schedule
  /// cannot be traced: override this too).
  virtual Tensor operator()(const Tensor& step) const;
  virtual std::string class_name() const = 0;
  virtual Config get_config() const = 0;
};
using SchedulePtr = std::shared_ptr<const LearningRateSchedule>;

/// Keras 3's built-in schedules (keras.optimizers.schedules), evaluated at the optimizer's
/// iteration count (0 for the first step). Bad arguments throw std::invalid_argument.
namespace schedules {

/// initial_learning_rate * decay_rate ^ (step / decay_steps)  (staircase: floor of the ratio)
struct ExponentialDecayOptions {
  bool staircase = false;
  std::string name = "ExponentialDecay";
};
class ExponentialDecay : public LearningRateSchedule {
 public:
  ExponentialDecay(double initial_learning_rate, double decay_steps, double decay_rate,
                   const ExponentialDecayOptions& o = {});
  double operator()(int64_t step) const override;
  Tensor operator()(const Tensor& step) const override;
  std::string class_name() const override { return "ExponentialDecay"; }
  Config get_config() const override;

 private:
  double initial_learning_rate_, decay_steps_, decay_rate_;
  ExponentialDecayOptions o_;
};

/// values[0] while step <= boundaries[0], values[i] while boundaries[i-1] < step <=
/// boundaries[i], values.back() once step > boundaries.back().
struct PiecewiseConstantDecayOptions {
  std::string name = "PiecewiseConstant";
};
class PiecewiseConstantDecay : public LearningRateSchedule {
 public:
  PiecewiseConstantDecay(std::vector<int64_t> boundaries, std::vector<double> values,
                         const PiecewiseConstantDecayOptions& o = {});
  double operator()(int64_t step) const override;
  Tensor operator()(const Tensor& step) const override;
  std::string class_name() const override { return "PiecewiseConstantDecay"; }
  Config get_config() const override;

 private:
  std::vector<int64_t> boundaries_;
  std::vector<double> values_;
  PiecewiseConstantDecayOptions o_;
};

/// (initial - end) * (1 - min(step, decay_steps) / decay_steps) ^ power + end;
/// cycle: decay_steps grows to the first multiple of itself >= step (1 at step 0).
struct PolynomialDecayOptions {
  double end_learning_rate = 0.0001;
  double power = 1.0;
  bool cycle = false;
  std::string name = "PolynomialDecay";
};
class PolynomialDecay : public LearningRateSchedule {
 public:
  PolynomialDecay(double initial_learning_rate, double decay_steps, const PolynomialDecayOptions& o = {});
  double operator()(int64_t step) const override;
  Tensor operator()(const Tensor& step) const override;
  std::string class_name() const override { return "PolynomialDecay"; }
  Config get_config() const override;

 private:
  double initial_learning_rate_, decay_steps_;
  PolynomialDecayOptions o_;
};

/// initial_learning_rate / (1 + decay_rate * step / decay_steps)  (staircase: floor of the ratio)
struct InverseTimeDecayOptions {
  bool staircase = false;
  std::string name = "InverseTimeDecay";
};
class InverseTimeDecay : public LearningRateSchedule {
 public:
  InverseTimeDecay(double initial_learning_rate, double decay_steps, double decay_rate,
                   const InverseTimeDecayOptions& o = {});
  double operator()(int64_t step) const override;
  Tensor operator()(const Tensor& step) const override;
  std::string class_name() const override { return "InverseTimeDecay"; }
  Config get_config() const override;

 private:
  double initial_learning_rate_, decay_steps_, decay_rate_;
  InverseTimeDecayOptions o_;
};

/// Without warmup_target: initial * ((1 - alpha) * 0.5 (1 + cos(pi min(step, decay_steps) /
/// decay_steps)) + alpha). With it: a linear ramp from initial to warmup_target over
/// warmup_steps, then the cosine decay from warmup_target over decay_steps.
struct CosineDecayOptions {
  double alpha = 0.0;
  std::optional<double> warmup_target{};
  double warmup_steps = 0;
  std::string name = "CosineDecay";
};
class CosineDecay : public LearningRateSchedule {
 public:
  CosineDecay(double initial_learning_rate, double decay_steps, const CosineDecayOptions& o = {});
  double operator()(int64_t step) const override;
  Tensor operator()(const Tensor& step) const override;
  std::string class_name() const override { return "CosineDecay"; }
  Config get_config() const override;

 private:
  double initial_learning_rate_, decay_steps_;
  CosineDecayOptions o_;
};

/// SGDR: cosine decay over first_decay_steps, then restarts; period i lasts
/// first_decay_steps * t_mul^i steps and starts at initial * m_mul^i.
struct CosineDecayRestartsOptions {
  double t_mul = 2.0;
  double m_mul = 1.0;
  double alpha = 0.0;
  std::string name = "SGDRDecay";
};
class CosineDecayRestarts : public LearningRateSchedule {
 public:
  CosineDecayRestarts(double initial_learning_rate, double first_decay_steps,
                      const CosineDecayRestartsOptions& o = {});
  double operator()(int64_t step) const override;
  Tensor operator()(const Tensor& step) const override;
  std::string class_name() const override { return "CosineDecayRestarts"; }
  Config get_config() const override;

 private:
  double initial_learning_rate_, first_decay_steps_;
  CosineDecayRestartsOptions o_;
};

}  // namespace schedules
using schedules::CosineDecay;
using schedules::CosineDecayRestarts;
using schedules::ExponentialDecay;
using schedules::InverseTimeDecay;
using schedules::PiecewiseConstantDecay;
using schedules::PolynomialDecay;

/// {"class_name": ..., "config": ...}; deserialize_schedule rebuilds built-in schedules and
/// those registered with register_schedule (user subclasses).
Config serialize_schedule(const LearningRateSchedule& s);
SchedulePtr deserialize_schedule(const Config& c);
using ScheduleFactory = std::function<SchedulePtr(const Config&)>;
void register_schedule(const std::string& class_name, ScheduleFactory f);

/// A learning rate: a number or a schedule of the iteration count.
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

  /// One step: clips the gradients, applies weight decay, then update_step for each
  /// (gradient, variable) pair; undefined gradients are skipped (all undefined raises).
  /// Slots are built the first time a variable is seen. Increments iterations.
  virtual void apply_gradients(const std::vector<Tensor>& grads, const std::vector<Variable>& vars);

  int64_t iterations() const;  ///< reads the count on the host
  /// The learning rate in use at the current iteration (read on the host).
  double learning_rate() const;
  /// The same as a float scalar tensor, computed with ops (traceable): the learning-rate
  /// variable, or the schedule at the iteration count.
  Tensor current_learning_rate() const;
  /// Replaces the learning rate by a constant (ReduceLROnPlateau, LearningRateScheduler):
  /// an assignment of the learning-rate variable, which traced train steps read.
  void set_learning_rate(double lr);
  /// The iteration count (an int64 scalar variable; Keras's optimizer.iterations).
  const Variable& iterations_variable() const { return iterations_; }
  const std::string& name() const { return name_; }
  const std::string& class_name() const { return class_name_; }
  /// The state to save: iterations, then every slot variable.
  std::vector<Variable> variables() const;
  /// Creates the slots of the variables not seen yet, as the first apply_gradients does
  /// (Keras's optimizer.build), so a saved state can be loaded before training.
  void build_variables(const std::vector<Variable>& vars);
  /// Restores the iteration count (loading a checkpoint); negative values raise.
  void set_iterations(int64_t iterations);
  virtual Config get_config() const;

 protected:
  /// Creates the slots for `vars` (called once for each new variable list).
  virtual void build(const std::vector<Variable>& vars);
  /// Updates one variable (the clipped gradient; the learning rate of this step, a float
  /// scalar tensor of the variable's dtype). Written with ops and Variable::assign*, it is
  /// traced into fit()'s train step.
  virtual void update_step(const Tensor& grad, Variable& var, const Tensor& lr) = 0;
  /// Once per apply_gradients, before the variables' updates (state shared by all of them).
  virtual void prepare_step() {}
  /// iterations + 1 (the 1-based step being applied) as a scalar of `dtype`.
  Tensor step_count(core::DType dtype) const;
  /// A slot with this initial value, named "<optimizer>/<name>" (saved with the others).
  Variable add_variable(const Tensor& initial, const std::string& name);
  /// A zero slot shaped like `ref`, named "<optimizer>/<var>_<name>".
  Variable add_variable_from_reference(const Variable& ref, const std::string& name);
  /// The position of `var` among the built variables (slots are stored per position).
  size_t index_of(const Variable& var) const;
  Config base_config() const;
  const OptimizerOptions& options() const { return options_; }

 private:
  std::string class_name_, name_;
  OptimizerOptions options_;
  Variable iterations_;
  Variable learning_rate_;  // a float64 scalar variable, unless the learning rate is a schedule
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
  void update_step(const Tensor& grad, Variable& var, const Tensor& lr) override;

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
  void update_step(const Tensor& grad, Variable& var, const Tensor& lr) override;

 private:
  AdamOptions o_;
  std::vector<Variable> m_, v_, vhat_;
};

/// AdamW: Adam with decoupled weight decay (default 0.004).
struct AdamWOptions {
  LearningRate learning_rate = 0.001;
  double weight_decay = 0.004;
  double beta_1 = 0.9, beta_2 = 0.999, epsilon = 1e-7;
  bool amsgrad = false;
  std::optional<double> clipnorm{}, clipvalue{}, global_clipnorm{};
  std::string name{};
};

/// RMSprop: v = rho v + (1 - rho) g^2 (centered: a = rho a + (1 - rho) g, v - a^2 in the
/// denominator); step = lr g / sqrt(v + epsilon); momentum > 0: m = momentum m + step.
struct RMSpropOptions {
  LearningRate learning_rate = 0.001;
  double rho = 0.9;
  double momentum = 0.0;
  double epsilon = 1e-7;
  bool centered = false;
  std::optional<double> weight_decay{}, clipnorm{}, clipvalue{}, global_clipnorm{};
  std::string name{};
};
class RMSpropOptimizer : public Optimizer {
 public:
  explicit RMSpropOptimizer(const RMSpropOptions& o = {});
  Config get_config() const override;

 protected:
  void build(const std::vector<Variable>& vars) override;
  void update_step(const Tensor& grad, Variable& var, const Tensor& lr) override;

 private:
  RMSpropOptions o_;
  std::vector<Variable> velocities_, momentums_, average_grads_;
};

/// Nadam: Adam with Nesterov momentum and Keras 3's momentum schedule
/// u_t = beta_1 (1 - 0.5 * 0.96^t).
struct NadamOptions {
  LearningRate learning_rate = 0.001;
  double beta_1 = 0.9;
  double beta_2 = 0.999;
  double epsilon = 1e-7;
  std::optional<double> weight_decay{}, clipnorm{}, clipvalue{}, global_clipnorm{};
  std::string name{};
};
class NadamOptimizer : public Optimizer {
 public:
  explicit NadamOptimizer(const NadamOptions& o = {});
  Config get_config() const override;

 protected:
  void build(const std::vector<Variable>& vars) override;
  void update_step(const Tensor& grad, Variable& var, const Tensor& lr) override;

 private:
  NadamOptions o_;
  std::vector<Variable> m_, v_;
  void prepare_step() override;
  Variable u_product_;  // prod_{s=1..t} u_s (Keras's _u_product), one per optimizer
};

/// Adagrad: acc += g^2 (acc starts at initial_accumulator_value); var -= lr g / sqrt(acc + eps).
struct AdagradOptions {
  LearningRate learning_rate = 0.001;
  double initial_accumulator_value = 0.1;
  double epsilon = 1e-7;
  std::optional<double> weight_decay{}, clipnorm{}, clipvalue{}, global_clipnorm{};
  std::string name{};
};
class AdagradOptimizer : public Optimizer {
 public:
  explicit AdagradOptimizer(const AdagradOptions& o = {});
  Config get_config() const override;

 protected:
  void build(const std::vector<Variable>& vars) override;
  void update_step(const Tensor& grad, Variable& var, const Tensor& lr) override;

 private:
  AdagradOptions o_;
  std::vector<Variable> accumulators_;
};

// Adadelta: a = rho a + (1 - rho) g^2; d = -sqrt(D + eps) / sqrt(a + eps) g;
// D = rho D + (1 - rho) d^2; var += lr d.
struct AdadeltaOptions {
  LearningRate learning_rate = 0.001;
  double rho = 0.95;
  double epsilon = 1e-7;
  std::optional<double> weight_decay{}, clipnorm{}, clipvalue{}, global_clipnorm{};
  std::string name{};
};
class AdadeltaOptimizer : public Optimizer {
 public:
  explicit AdadeltaOptimizer(const AdadeltaOptions& o = {});
  Config get_config() const override;

 protected:
  void build(const std::vector<Variable>& vars) override;
  void update_step(const Tensor& grad, Variable& var, const Tensor& lr) override;

 private:
  AdadeltaOptions o_;
  std::vector<Variable> accumulated_grads_, accumulated_deltas_;
};

/// Adamax: m += (g - m)(1 - beta_1); u = max(beta_2 u, |g|);
/// var -= lr m / ((1 - beta_1^t)(u + epsilon)).
struct AdamaxOptions {
  LearningRate learning_rate = 0.001;
  double beta_1 = 0.9;
  double beta_2 = 0.999;
  double epsilon = 1e-7;
  std::optional<double> weight_decay{}, clipnorm{}, clipvalue{}, global_clipnorm{};
  std::string name{};
};
class AdamaxOptimizer : public Optimizer {
 public:
  explicit AdamaxOptimizer(const AdamaxOptions& o = {});
  Config get_config() const override;

 protected:
  void build(const std::vector<Variable>& vars) override;
  void update_step(const Tensor& grad, Variable& var, const Tensor& lr) override;

 private:
  AdamaxOptions o_;
  std::vector<Variable> m_, u_;
};

/// FTRL-proximal (McMahan et al., 2013) with online L1/L2, L2 shrinkage and beta.
struct FtrlOptions {
  LearningRate learning_rate = 0.001;
  double learning_rate_power = -0.5;
  double initial_accumulator_value = 0.1;
  double l1_regularization_strength = 0.0;
  double l2_regularization_strength = 0.0;
  double l2_shrinkage_regularization_strength = 0.0;
  double beta = 0.0;
  std::optional<double> weight_decay{}, clipnorm{}, clipvalue{}, global_clipnorm{};
  std::string name{};
};
class FtrlOptimizer : public Optimizer {
 public:
  explicit FtrlOptimizer(const FtrlOptions& o = {});
  Config get_config() const override;

 protected:
  void build(const std::vector<Variable>& vars) override;
  void update_step(const Tensor& grad, Variable& var, const Tensor& lr) override;

 private:
  FtrlOptions o_;
  std::vector<Variable> accumulators_, linears_;
};

/// Lion: var -= lr sign(beta_1 m + (1 - beta_1) g); m = beta_2 m + (1 - beta_2) g.
struct LionOptions {
  LearningRate learning_rate = 0.001;
  double beta_1 = 0.9;
  double beta_2 = 0.99;
  std::optional<double> weight_decay{}, clipnorm{}, clipvalue{}, global_clipnorm{};
  std::string name{};
};
class LionOptimizer : public Optimizer {
 public:
  explicit LionOptimizer(const LionOptions& o = {});
  Config get_config() const override;

 protected:
  void build(const std::vector<Variable>& vars) override;
  void update_step(const Tensor& grad, Variable& var, const Tensor& lr) override;

 private:
  LionOptions o_;
  std::vector<Variable> momentums_;
};

std::shared_ptr<SGDOptimizer> SGD(const SGDOptions& o = {});
std::shared_ptr<AdamOptimizer> Adam(const AdamOptions& o = {});
std::shared_ptr<AdamOptimizer> AdamW(const AdamWOptions& o = {});
std::shared_ptr<RMSpropOptimizer> RMSprop(const RMSpropOptions& o = {});
std::shared_ptr<NadamOptimizer> Nadam(const NadamOptions& o = {});
std::shared_ptr<AdagradOptimizer> Adagrad(const AdagradOptions& o = {});
std::shared_ptr<AdadeltaOptimizer> Adadelta(const AdadeltaOptions& o = {});
std::shared_ptr<AdamaxOptimizer> Adamax(const AdamaxOptions& o = {});
std::shared_ptr<FtrlOptimizer> Ftrl(const FtrlOptions& o = {});
std::shared_ptr<LionOptimizer> Lion(const LionOptions& o = {});

/// By Keras's names (the class names, or lower-cased: "sgd", "rmsprop", "adam", "adamw",
/// "nadam", "adagrad", "adadelta", "adamax", "ftrl", "lion"), default arguments.
/// Several optimizers on one model (Wide & Deep): each group of variables gets its own
/// optimizer; compile() takes it like any optimizer, so it works inside fit(). A variable
/// in no group raises. Its learning_rate() and iterations() are the first group's.
///   auto opt = MultiOptimizer({{SGD({.learning_rate = 0.01}), wide->trainable_weights()},
///                              {Adam(), deep->trainable_weights()}});
class MultiOptimizer : public Optimizer {
 public:
  struct Group {
    OptimizerPtr optimizer;
    std::vector<Variable> variables;
  };
  explicit MultiOptimizer(std::vector<Group> groups, std::string name = "");
  void apply_gradients(const std::vector<Tensor>& grads, const std::vector<Variable>& vars) override;
  const std::vector<Group>& groups() const { return groups_; }

 protected:
  void update_step(const Tensor& grad, Variable& var, const Tensor& lr) override;

 private:
  std::vector<Group> groups_;
};
std::shared_ptr<MultiOptimizer> make_multi_optimizer(std::vector<MultiOptimizer::Group> groups);

OptimizerPtr get(const std::string& name);
Config serialize(const Optimizer& o);
OptimizerPtr deserialize(const Config& c);
using Factory = std::function<OptimizerPtr(const Config&)>;
void register_optimizer(const std::string& class_name, Factory f);

}  // namespace keras::optimizers
