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
#include "keras/distribute/cross_replica.h"

namespace keras::optimizers {
using core::Tensor;
using core::Variable;

// ---- learning-rate schedules ----------------------------------------------------------
/// The base of the learning-rate schedules
/// (keras.optimizers.schedules.LearningRateSchedule): the rate as a function of the
/// iteration count.
class LearningRateSchedule {
 public:
  virtual ~LearningRateSchedule();
  /// The learning rate at iteration `step` (0 for the first step).
  virtual double operator()(int64_t step) const = 0;
  /// The rate at `step` (an int64 scalar tensor) as a float64 scalar tensor, computed with
  /// ops so a traced train step follows the schedule. The built-in schedules override it;
  /// the default reads the step on the host and calls the number version (such a schedule
  /// cannot be traced: override this too).
  virtual Tensor operator()(const Tensor& step) const;
  /// The name serialize_schedule() writes and deserialize_schedule() looks up
  /// ("CosineDecay").
  virtual std::string class_name() const = 0;
  /// The constructor arguments (Keras's get_config()), "name" included.
  virtual Config get_config() const = 0;
};
/// A shared, immutable schedule, as LearningRate holds it.
using SchedulePtr = std::shared_ptr<const LearningRateSchedule>;

/// Keras 3's built-in schedules (keras.optimizers.schedules), evaluated at the optimizer's
/// iteration count (0 for the first step). Bad arguments throw std::invalid_argument.
namespace schedules {

/// initial_learning_rate * decay_rate ^ (step / decay_steps)  (staircase: floor of the ratio)
struct ExponentialDecayOptions {
  /// Whether the exponent step / decay_steps is floored (Keras `staircase`, default false).
  bool staircase = false;
  /// The schedule's name (Keras `name`).
  std::string name = "ExponentialDecay";
};
/// keras.optimizers.schedules.ExponentialDecay (see ExponentialDecayOptions).
class ExponentialDecay : public LearningRateSchedule {
 public:
  /// Needs decay_steps > 0 and finite arguments (else std::invalid_argument).
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
  /// The schedule's name (Keras `name`).
  std::string name = "PiecewiseConstant";
};
/// keras.optimizers.schedules.PiecewiseConstantDecay (see PiecewiseConstantDecayOptions).
class PiecewiseConstantDecay : public LearningRateSchedule {
 public:
  /// values has one more element than boundaries, which increase strictly; otherwise
  /// std::invalid_argument.
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
  /// The rate reached after decay_steps (Keras `end_learning_rate`, default 0.0001).
  double end_learning_rate = 0.0001;
  /// The exponent of the polynomial (Keras `power`, default 1: linear).
  double power = 1.0;
  /// Whether the decay restarts with a longer period after decay_steps (Keras `cycle`,
  /// default false).
  bool cycle = false;
  /// The schedule's name (Keras `name`).
  std::string name = "PolynomialDecay";
};
/// keras.optimizers.schedules.PolynomialDecay (see PolynomialDecayOptions).
class PolynomialDecay : public LearningRateSchedule {
 public:
  /// decay_steps > 0; bad arguments throw std::invalid_argument.
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
  /// Whether step / decay_steps is floored (Keras `staircase`, default false).
  bool staircase = false;
  /// The schedule's name (Keras `name`).
  std::string name = "InverseTimeDecay";
};
/// keras.optimizers.schedules.InverseTimeDecay (see InverseTimeDecayOptions).
class InverseTimeDecay : public LearningRateSchedule {
 public:
  /// decay_steps > 0; bad arguments throw std::invalid_argument.
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
  /// The final rate as a fraction of the initial one (Keras `alpha`, default 0).
  double alpha = 0.0;
  /// The rate the linear warmup reaches (Keras `warmup_target`; none: no warmup).
  std::optional<double> warmup_target{};
  /// The length of the warmup (Keras `warmup_steps`, default 0).
  double warmup_steps = 0;
  /// The schedule's name (Keras `name`).
  std::string name = "CosineDecay";
};
/// keras.optimizers.schedules.CosineDecay (see CosineDecayOptions).
class CosineDecay : public LearningRateSchedule {
 public:
  /// decay_steps > 0; bad arguments throw std::invalid_argument.
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
  /// The factor by which each period is longer than the previous one (Keras `t_mul`,
  /// default 2).
  double t_mul = 2.0;
  /// The factor of each restart's initial rate (Keras `m_mul`, default 1).
  double m_mul = 1.0;
  /// The final rate of each period as a fraction of its initial one (Keras `alpha`, default
  /// 0).
  double alpha = 0.0;
  /// The schedule's name (Keras `name`).
  std::string name = "SGDRDecay";
};
/// keras.optimizers.schedules.CosineDecayRestarts (see CosineDecayRestartsOptions).
class CosineDecayRestarts : public LearningRateSchedule {
 public:
  /// first_decay_steps > 0; bad arguments throw std::invalid_argument.
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
/// A schedule from serialize_schedule()'s form; an unknown class throws
/// std::invalid_argument.
SchedulePtr deserialize_schedule(const Config& c);
/// Builds a registered schedule class from its config.
using ScheduleFactory = std::function<SchedulePtr(const Config&)>;
/// Makes deserialize_schedule() build a user schedule class from its config.
void register_schedule(const std::string& class_name, ScheduleFactory f);

/// A learning rate: a number or a schedule of the iteration count.
struct LearningRate {
  /// The constant rate (used when no schedule is set; default 0.001).
  double value = 0.001;
  /// The schedule, if any (it takes precedence over value).
  SchedulePtr schedule{};
  LearningRate() = default;
  /// A constant rate.
  LearningRate(double v) : value(v) {}
  /// A schedule.
  LearningRate(SchedulePtr s) : schedule(std::move(s)) {}
  /// A schedule object (copied).
  template <class S, class = std::enable_if_t<std::is_base_of_v<LearningRateSchedule, S>>>
  LearningRate(const S& s) : schedule(std::make_shared<S>(s)) {}
  /// The rate at iteration `step`.
  double at(int64_t step) const { return schedule ? (*schedule)(step) : value; }
};

// ---- the base class ---------------------------------------------------------------------
/// The options every optimizer takes (Keras's base optimizer arguments).
struct OptimizerOptions {
  /// A number or a schedule (Keras `learning_rate`, default 0.001); negative numbers throw
  /// std::invalid_argument.
  LearningRate learning_rate = 0.001;
  ///@{
  /// Keras's weight_decay (var -= var * weight_decay * lr before the update), clipnorm
  /// (each gradient's norm), clipvalue (each element) and global_clipnorm (the norm of all
  /// gradients together); all >= 0, none by default; clipnorm and global_clipnorm exclude
  /// each other.
  std::optional<double> weight_decay{}, clipnorm{}, clipvalue{}, global_clipnorm{};
  ///@}
  /// The optimizer's name (empty: the snake_case class name, "adam").
  std::string name{};
};

/// The base of the optimizers (keras.optimizers.Optimizer; see above).
class Optimizer {
 public:
  /// class_name: what serialize() writes ("Adam"); bad options throw std::invalid_argument.
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
  /// The name (the options', or the snake_case class name).
  const std::string& name() const { return name_; }
  /// The name serialize() writes and deserialize() looks up ("Adam").
  const std::string& class_name() const { return class_name_; }
  /// The state to save: iterations, then every slot variable.
  std::vector<Variable> variables() const;
  /// Moves the iteration counter, the learning rate and every slot to `device`
  /// (Model::to does it with the model's weights).
  void to(core::Device device);
  /// Creates the slots of the variables not seen yet, as the first apply_gradients does
  /// (Keras's optimizer.build), so a saved state can be loaded before training.
  void build_variables(const std::vector<Variable>& vars);
  /// Restores the iteration count (loading a checkpoint); negative values raise.
  void set_iterations(int64_t iterations);
  /// The arguments (Keras's get_config()): "name", "learning_rate" (a number or a
  /// serialized schedule), the clipping and weight-decay options, plus each optimizer's
  /// own.
  virtual Config get_config() const;
  /// The replicas whose gradients apply_gradients sums before clipping and updating
  /// (null: not distributed). Set when the optimizer is created under a strategy's
  /// scope, or by compile() of a model created under one.
  const distribute::CrossReplicaPtr& replicas() const { return replicas_; }
  /// Sets (or, with null, clears) the replicas (see replicas()).
  virtual void set_replicas(distribute::CrossReplicaPtr replicas) { replicas_ = std::move(replicas); }

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
  /// The base options' config, for subclasses' get_config().
  Config base_config() const;
  /// The base options.
  const OptimizerOptions& options() const { return options_; }

 private:
  std::string class_name_, name_;
  OptimizerOptions options_;
  Variable iterations_;
  Variable learning_rate_;  // a float64 scalar variable, unless the learning rate is a schedule
  std::vector<Variable> built_;  // the variables seen so far, in order
  std::vector<Variable> slots_;
  distribute::CrossReplicaPtr replicas_;
};
/// A shared optimizer, as compile() holds them.
using OptimizerPtr = std::shared_ptr<Optimizer>;

// ---- built-in optimizers (Keras 3 names, arguments and update formulas) ----------------
/// Options of SGD (keras.optimizers.SGD's arguments).
struct SGDOptions {
  /// A number or a schedule (Keras `learning_rate`, default 0.01).
  LearningRate learning_rate = 0.01;
  /// Momentum factor in [0, 1] (Keras `momentum`, default 0: plain SGD).
  double momentum = 0.0;
  /// Whether to use Nesterov momentum (Keras `nesterov`, default false).
  bool nesterov = false;
  ///@{
  /// See OptimizerOptions (none by default).
  std::optional<double> weight_decay{}, clipnorm{}, clipvalue{}, global_clipnorm{};
  ///@}
  /// The optimizer's name (empty: "sgd").
  std::string name{};
};
/// keras.optimizers.SGD: gradient descent with optional (Nesterov) momentum.
class SGDOptimizer : public Optimizer {
 public:
  /// The optimizer with the given options; bad options throw std::invalid_argument.
  explicit SGDOptimizer(const SGDOptions& o = {});
  Config get_config() const override;

 protected:
  void build(const std::vector<Variable>& vars) override;
  void update_step(const Tensor& grad, Variable& var, const Tensor& lr) override;

 private:
  SGDOptions o_;
  std::vector<Variable> momentums_;
};

/// Options of Adam (keras.optimizers.Adam's arguments).
struct AdamOptions {
  /// A number or a schedule (Keras `learning_rate`, default 0.001).
  LearningRate learning_rate = 0.001;
  ///@{
  /// Decay rates of the first (0.9) and second (0.999) moment estimates, and the stability
  /// constant (1e-7).
  double beta_1 = 0.9, beta_2 = 0.999, epsilon = 1e-7;
  ///@}
  /// Whether to use the AMSGrad variant (the running maximum of the second moments; default
  /// false).
  bool amsgrad = false;
  ///@{
  /// See OptimizerOptions (none by default).
  std::optional<double> weight_decay{}, clipnorm{}, clipvalue{}, global_clipnorm{};
  ///@}
  /// The optimizer's name (empty: "adam").
  std::string name{};
};
/// keras.optimizers.Adam (and AdamW, the same rule with decoupled weight decay).
class AdamOptimizer : public Optimizer {
 public:
  /// The optimizer with the given options; class_name is "Adam" or "AdamW".
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
  /// A number or a schedule (Keras `learning_rate`, default 0.001).
  LearningRate learning_rate = 0.001;
  /// The decoupled weight decay (Keras `weight_decay`, default 0.004).
  double weight_decay = 0.004;
  ///@{
  /// Decay rates of the first (0.9) and second (0.999) moment estimates, and the stability
  /// constant (1e-7).
  double beta_1 = 0.9, beta_2 = 0.999, epsilon = 1e-7;
  ///@}
  /// Whether to use the AMSGrad variant (default false).
  bool amsgrad = false;
  ///@{
  /// See OptimizerOptions (none by default).
  std::optional<double> clipnorm{}, clipvalue{}, global_clipnorm{};
  ///@}
  /// The optimizer's name (empty: "adam_w", the snake_case class name).
  std::string name{};
};

/// RMSprop: v = rho v + (1 - rho) g^2 (centered: a = rho a + (1 - rho) g, v - a^2 in the
/// denominator); step = lr g / sqrt(v + epsilon); momentum > 0: m = momentum m + step.
struct RMSpropOptions {
  /// A number or a schedule (Keras `learning_rate`, default 0.001).
  LearningRate learning_rate = 0.001;
  /// Decay rate of the squared-gradient average (Keras `rho`, default 0.9).
  double rho = 0.9;
  /// Momentum factor (Keras `momentum`, default 0).
  double momentum = 0.0;
  /// Stability constant (Keras `epsilon`, default 1e-7).
  double epsilon = 1e-7;
  /// Whether to normalize by the centered second moment (Keras `centered`, default false).
  bool centered = false;
  ///@{
  /// See OptimizerOptions (none by default).
  std::optional<double> weight_decay{}, clipnorm{}, clipvalue{}, global_clipnorm{};
  ///@}
  /// The optimizer's name (empty: "rmsprop").
  std::string name{};
};
/// keras.optimizers.RMSprop (see RMSpropOptions).
class RMSpropOptimizer : public Optimizer {
 public:
  /// The optimizer with the given options; bad options throw std::invalid_argument.
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
  /// A number or a schedule (Keras `learning_rate`, default 0.001).
  LearningRate learning_rate = 0.001;
  /// Decay rate of the first moment (Keras `beta_1`, default 0.9).
  double beta_1 = 0.9;
  /// Decay rate of the second moment (Keras `beta_2`, default 0.999).
  double beta_2 = 0.999;
  /// Stability constant (Keras `epsilon`, default 1e-7).
  double epsilon = 1e-7;
  ///@{
  /// See OptimizerOptions (none by default).
  std::optional<double> weight_decay{}, clipnorm{}, clipvalue{}, global_clipnorm{};
  ///@}
  /// The optimizer's name (empty: "nadam").
  std::string name{};
};
/// keras.optimizers.Nadam (see NadamOptions).
class NadamOptimizer : public Optimizer {
 public:
  /// The optimizer with the given options; bad options throw std::invalid_argument.
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
  /// A number or a schedule (Keras `learning_rate`, default 0.001).
  LearningRate learning_rate = 0.001;
  /// The accumulators' starting value (Keras `initial_accumulator_value`, default 0.1).
  double initial_accumulator_value = 0.1;
  /// Stability constant (Keras `epsilon`, default 1e-7).
  double epsilon = 1e-7;
  ///@{
  /// See OptimizerOptions (none by default).
  std::optional<double> weight_decay{}, clipnorm{}, clipvalue{}, global_clipnorm{};
  ///@}
  /// The optimizer's name (empty: "adagrad").
  std::string name{};
};
/// keras.optimizers.Adagrad (see AdagradOptions).
class AdagradOptimizer : public Optimizer {
 public:
  /// The optimizer with the given options; bad options throw std::invalid_argument.
  explicit AdagradOptimizer(const AdagradOptions& o = {});
  Config get_config() const override;

 protected:
  void build(const std::vector<Variable>& vars) override;
  void update_step(const Tensor& grad, Variable& var, const Tensor& lr) override;

 private:
  AdagradOptions o_;
  std::vector<Variable> accumulators_;
};

/// Adadelta: a = rho a + (1 - rho) g^2; d = -sqrt(D + eps) / sqrt(a + eps) g;
/// D = rho D + (1 - rho) d^2; var += lr d.
struct AdadeltaOptions {
  /// A number or a schedule (Keras `learning_rate`, default 0.001).
  LearningRate learning_rate = 0.001;
  /// Decay rate of the averages (Keras `rho`, default 0.95).
  double rho = 0.95;
  /// Stability constant (Keras `epsilon`, default 1e-7).
  double epsilon = 1e-7;
  ///@{
  /// See OptimizerOptions (none by default).
  std::optional<double> weight_decay{}, clipnorm{}, clipvalue{}, global_clipnorm{};
  ///@}
  /// The optimizer's name (empty: "adadelta").
  std::string name{};
};
/// keras.optimizers.Adadelta (see AdadeltaOptions).
class AdadeltaOptimizer : public Optimizer {
 public:
  /// The optimizer with the given options; bad options throw std::invalid_argument.
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
  /// A number or a schedule (Keras `learning_rate`, default 0.001).
  LearningRate learning_rate = 0.001;
  /// Decay rate of the first moment (Keras `beta_1`, default 0.9).
  double beta_1 = 0.9;
  /// Decay rate of the infinity norm (Keras `beta_2`, default 0.999).
  double beta_2 = 0.999;
  /// Stability constant (Keras `epsilon`, default 1e-7).
  double epsilon = 1e-7;
  ///@{
  /// See OptimizerOptions (none by default).
  std::optional<double> weight_decay{}, clipnorm{}, clipvalue{}, global_clipnorm{};
  ///@}
  /// The optimizer's name (empty: "adamax").
  std::string name{};
};
/// keras.optimizers.Adamax (see AdamaxOptions).
class AdamaxOptimizer : public Optimizer {
 public:
  /// The optimizer with the given options; bad options throw std::invalid_argument.
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
  /// A number or a schedule (Keras `learning_rate`, default 0.001).
  LearningRate learning_rate = 0.001;
  /// The power of the learning-rate decay, <= 0 (Keras `learning_rate_power`, default
  /// -0.5).
  double learning_rate_power = -0.5;
  /// The accumulators' starting value, >= 0 (Keras `initial_accumulator_value`, default
  /// 0.1).
  double initial_accumulator_value = 0.1;
  /// L1 regularization strength, >= 0 (default 0).
  double l1_regularization_strength = 0.0;
  /// L2 regularization strength, >= 0 (default 0).
  double l2_regularization_strength = 0.0;
  /// L2 shrinkage regularization strength, >= 0 (default 0).
  double l2_shrinkage_regularization_strength = 0.0;
  /// Added to the accumulators' root in the denominator (Keras `beta`, default 0).
  double beta = 0.0;
  ///@{
  /// See OptimizerOptions (none by default).
  std::optional<double> weight_decay{}, clipnorm{}, clipvalue{}, global_clipnorm{};
  ///@}
  /// The optimizer's name (empty: "ftrl").
  std::string name{};
};
/// keras.optimizers.Ftrl (see FtrlOptions).
class FtrlOptimizer : public Optimizer {
 public:
  /// The optimizer with the given options; bad options throw std::invalid_argument.
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
  /// A number or a schedule (Keras `learning_rate`, default 0.001).
  LearningRate learning_rate = 0.001;
  /// Interpolation between momentum and gradient for the update (Keras `beta_1`, default
  /// 0.9).
  double beta_1 = 0.9;
  /// Decay rate of the momentum (Keras `beta_2`, default 0.99).
  double beta_2 = 0.99;
  ///@{
  /// See OptimizerOptions (none by default).
  std::optional<double> weight_decay{}, clipnorm{}, clipvalue{}, global_clipnorm{};
  ///@}
  /// The optimizer's name (empty: "lion").
  std::string name{};
};
/// keras.optimizers.Lion (see LionOptions).
class LionOptimizer : public Optimizer {
 public:
  /// The optimizer with the given options; bad options throw std::invalid_argument.
  explicit LionOptimizer(const LionOptions& o = {});
  Config get_config() const override;

 protected:
  void build(const std::vector<Variable>& vars) override;
  void update_step(const Tensor& grad, Variable& var, const Tensor& lr) override;

 private:
  LionOptions o_;
  std::vector<Variable> momentums_;
};

/// keras.optimizers.SGD(...): a new SGDOptimizer.
std::shared_ptr<SGDOptimizer> SGD(const SGDOptions& o = {});
/// keras.optimizers.Adam(...): a new AdamOptimizer.
std::shared_ptr<AdamOptimizer> Adam(const AdamOptions& o = {});
/// keras.optimizers.AdamW(...): a new AdamOptimizer with class name "AdamW" and decoupled
/// weight decay.
std::shared_ptr<AdamOptimizer> AdamW(const AdamWOptions& o = {});
/// keras.optimizers.RMSprop(...): a new RMSpropOptimizer.
std::shared_ptr<RMSpropOptimizer> RMSprop(const RMSpropOptions& o = {});
/// keras.optimizers.Nadam(...): a new NadamOptimizer.
std::shared_ptr<NadamOptimizer> Nadam(const NadamOptions& o = {});
/// keras.optimizers.Adagrad(...): a new AdagradOptimizer.
std::shared_ptr<AdagradOptimizer> Adagrad(const AdagradOptions& o = {});
/// keras.optimizers.Adadelta(...): a new AdadeltaOptimizer.
std::shared_ptr<AdadeltaOptimizer> Adadelta(const AdadeltaOptions& o = {});
/// keras.optimizers.Adamax(...): a new AdamaxOptimizer.
std::shared_ptr<AdamaxOptimizer> Adamax(const AdamaxOptions& o = {});
/// keras.optimizers.Ftrl(...): a new FtrlOptimizer.
std::shared_ptr<FtrlOptimizer> Ftrl(const FtrlOptions& o = {});
/// keras.optimizers.Lion(...): a new LionOptimizer.
std::shared_ptr<LionOptimizer> Lion(const LionOptions& o = {});

/// Several optimizers on one model (Wide & Deep): each group of variables gets its own
/// optimizer; compile() takes it like any optimizer, so it works inside fit(). A variable
/// in no group raises. Its learning_rate() and iterations() are the first group's.
///   auto opt = MultiOptimizer({{SGD({.learning_rate = 0.01}), wide->trainable_weights()},
///                              {Adam(), deep->trainable_weights()}});
class MultiOptimizer : public Optimizer {
 public:
  /// One optimizer and the variables it updates.
  struct Group {
    /// The optimizer of this group.
    OptimizerPtr optimizer;
    /// The variables it updates.
    std::vector<Variable> variables;
  };
  /// The groups, each variable in exactly one (see above).
  explicit MultiOptimizer(std::vector<Group> groups, std::string name = "");
  void apply_gradients(const std::vector<Tensor>& grads, const std::vector<Variable>& vars) override;
  /// Gives the replicas to every group's optimizer (each all-reduces its own gradients).
  void set_replicas(distribute::CrossReplicaPtr replicas) override;
  /// The groups.
  const std::vector<Group>& groups() const { return groups_; }

 protected:
  void update_step(const Tensor& grad, Variable& var, const Tensor& lr) override;

 private:
  std::vector<Group> groups_;
};
/// A MultiOptimizer of these groups.
std::shared_ptr<MultiOptimizer> make_multi_optimizer(std::vector<MultiOptimizer::Group> groups);

/// By Keras's names (the class names, or lower-cased: "sgd", "rmsprop", "adam", "adamw",
/// "nadam", "adagrad", "adadelta", "adamax", "ftrl", "lion"), default arguments; unknown
/// names throw std::invalid_argument.
OptimizerPtr get(const std::string& name);
/// {"class_name": class_name(), "config": get_config()}.
Config serialize(const Optimizer& o);
/// From serialize()'s form (built-in or registered classes); an unknown class throws
/// std::invalid_argument.
OptimizerPtr deserialize(const Config& c);
/// Builds a registered optimizer class from its config.
using Factory = std::function<OptimizerPtr(const Config&)>;
/// Makes deserialize() build a user optimizer class from its config (Keras's
/// register_keras_serializable).
void register_optimizer(const std::string& class_name, Factory f);

}  // namespace keras::optimizers
