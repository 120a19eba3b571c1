// builtin.h - the built-in optimizers (keras.optimizers.SGD, Adam, ...): Keras 3's names,
// arguments, defaults and update formulas. Each options struct lists the optimizer's own
// arguments, then the base ones (KERAS_OPTIMIZER_BASE_OPTIONS, see optimizer.h).
#pragma once
#include "keras/optimizers/optimizer.h"

namespace keras::optimizers {
// ---- built-in optimizers (Keras 3 names, arguments and update formulas) ----------------
/// Options of SGD (keras.optimizers.SGD's arguments).
struct SGDOptions {
  /// A number or a schedule (Keras `learning_rate`, default 0.01).
  LearningRate learning_rate = 0.01;
  /// Momentum factor in [0, 1] (Keras `momentum`, default 0: plain SGD).
  double momentum = 0.0;
  /// Whether to use Nesterov momentum (Keras `nesterov`, default false).
  bool nesterov = false;
  /// Keras's weight_decay (see OptimizerOptions; none by default).
  std::optional<double> weight_decay{};
  /// The base options: clipping, EMA, loss scale, accumulation; name (empty: "sgd").
  KERAS_OPTIMIZER_BASE_OPTIONS
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
  /// Keras's weight_decay (see OptimizerOptions; none by default).
  std::optional<double> weight_decay{};
  /// The base options: clipping, EMA, loss scale, accumulation; name (empty: "adam").
  KERAS_OPTIMIZER_BASE_OPTIONS
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
  /// The base options: clipping, EMA, loss scale, accumulation; name (empty: "adam_w").
  KERAS_OPTIMIZER_BASE_OPTIONS
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
  /// Keras's weight_decay (see OptimizerOptions; none by default).
  std::optional<double> weight_decay{};
  /// The base options: clipping, EMA, loss scale, accumulation; name (empty: "rmsprop").
  KERAS_OPTIMIZER_BASE_OPTIONS
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
  /// Keras's weight_decay (see OptimizerOptions; none by default).
  std::optional<double> weight_decay{};
  /// The base options: clipping, EMA, loss scale, accumulation; name (empty: "nadam").
  KERAS_OPTIMIZER_BASE_OPTIONS
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
  /// Keras's weight_decay (see OptimizerOptions; none by default).
  std::optional<double> weight_decay{};
  /// The base options: clipping, EMA, loss scale, accumulation; name (empty: "adagrad").
  KERAS_OPTIMIZER_BASE_OPTIONS
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
  /// Keras's weight_decay (see OptimizerOptions; none by default).
  std::optional<double> weight_decay{};
  /// The base options: clipping, EMA, loss scale, accumulation; name (empty: "adadelta").
  KERAS_OPTIMIZER_BASE_OPTIONS
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
  /// Keras's weight_decay (see OptimizerOptions; none by default).
  std::optional<double> weight_decay{};
  /// The base options: clipping, EMA, loss scale, accumulation; name (empty: "adamax").
  KERAS_OPTIMIZER_BASE_OPTIONS
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
  /// Keras's weight_decay (see OptimizerOptions; none by default).
  std::optional<double> weight_decay{};
  /// The base options: clipping, EMA, loss scale, accumulation; name (empty: "ftrl").
  KERAS_OPTIMIZER_BASE_OPTIONS
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
  /// Keras's weight_decay (see OptimizerOptions; none by default).
  std::optional<double> weight_decay{};
  /// The base options: clipping, EMA, loss scale, accumulation; name (empty: "lion").
  KERAS_OPTIMIZER_BASE_OPTIONS
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

/// Lamb: Adam's moments, bias-corrected, and a layer-wise trust ratio:
/// update = m_hat / (sqrt(v_hat) + epsilon); var -= ratio * lr * update with
/// ratio = ||var|| / ||update|| (1 when either norm is 0).
struct LambOptions {
  /// A number or a schedule (Keras `learning_rate`, default 0.001).
  LearningRate learning_rate = 0.001;
  ///@{
  /// Decay rates of the first (0.9) and second (0.999) moment estimates, and the stability
  /// constant (1e-7).
  double beta_1 = 0.9, beta_2 = 0.999, epsilon = 1e-7;
  ///@}
  /// Keras's weight_decay (see OptimizerOptions; none by default).
  std::optional<double> weight_decay{};
  /// The base options: clipping, EMA, loss scale, accumulation; name (empty: "lamb").
  KERAS_OPTIMIZER_BASE_OPTIONS
};
/// keras.optimizers.Lamb (see LambOptions).
class LambOptimizer : public Optimizer {
 public:
  /// The optimizer with the given options; bad options throw std::invalid_argument.
  explicit LambOptimizer(const LambOptions& o = {});
  Config get_config() const override;

 protected:
  void build(const std::vector<Variable>& vars) override;
  void update_step(const Tensor& grad, Variable& var, const Tensor& lr) override;

 private:
  LambOptions o_;
  std::vector<Variable> momentums_, velocities_;
};

/// Adafactor: second moments factored over the last two axes of variables of rank >= 2
/// (a row and a column average instead of a full matrix), a step size relative to the
/// variable's RMS, and updates clipped by their RMS (Keras 3's formulas).
struct AdafactorOptions {
  /// A number or a schedule (Keras `learning_rate`, default 0.001).
  LearningRate learning_rate = 0.001;
  /// The decay of the second moments: beta_2 at step t is 1 - t^beta_2_decay (Keras
  /// `beta_2_decay`, default -0.8).
  double beta_2_decay = -0.8;
  /// Added to the squared gradients (Keras `epsilon_1`, default 1e-30).
  double epsilon_1 = 1e-30;
  /// The least RMS the step size is relative to (Keras `epsilon_2`, default 1e-3).
  double epsilon_2 = 1e-3;
  /// Updates whose RMS exceeds it are scaled down to it (Keras `clip_threshold`, default 1).
  double clip_threshold = 1.0;
  /// With a constant learning rate: lr = min(lr, 1 / sqrt(step)) (Keras `relative_step`,
  /// default true).
  bool relative_step = true;
  /// Keras's weight_decay (see OptimizerOptions; none by default).
  std::optional<double> weight_decay{};
  /// The base options: clipping, EMA, loss scale, accumulation; name (empty: "adafactor").
  KERAS_OPTIMIZER_BASE_OPTIONS
};
/// keras.optimizers.Adafactor (see AdafactorOptions).
class AdafactorOptimizer : public Optimizer {
 public:
  /// The optimizer with the given options; bad options throw std::invalid_argument.
  explicit AdafactorOptimizer(const AdafactorOptions& o = {});
  Config get_config() const override;

 protected:
  void build(const std::vector<Variable>& vars) override;
  void update_step(const Tensor& grad, Variable& var, const Tensor& lr) override;

 private:
  AdafactorOptions o_;
  // Per built variable: the row and column averages (undefined below rank 2), the velocity.
  std::vector<Variable> r_, c_, v_;
};

/// Muon: 2-D variables step along the Newton-Schulz orthogonalization of their (Nesterov)
/// momentum, scaled by sqrt(max(rows, cols)) * rms_rate; the others (rank != 2, names
/// containing "embedding" with exclude_embeddings, names matching an exclude_layers
/// regex) take AdamW steps at learning_rate * adam_lr_ratio (Keras 3's formulas).
struct MuonOptions {
  /// A number or a schedule (Keras `learning_rate`, default 0.001).
  LearningRate learning_rate = 0.001;
  ///@{
  /// The AdamW steps' moment decay rates (Keras `adam_beta_1` 0.9, `adam_beta_2` 0.999).
  double adam_beta_1 = 0.9, adam_beta_2 = 0.999;
  ///@}
  /// The weight decay of the AdamW-stepped variables (Keras `adam_weight_decay`, 0.004;
  /// none: no decay for them).
  std::optional<double> adam_weight_decay = 0.004;
  /// The AdamW steps' stability constant (Keras `epsilon`, 1e-7).
  double epsilon = 1e-7;
  /// The weight decay of the Muon-stepped variables (Keras `weight_decay`, 0.004).
  std::optional<double> weight_decay = 0.004;
  /// The base options: clipping, EMA, loss scale, accumulation; name (empty: "muon").
  KERAS_OPTIMIZER_BASE_OPTIONS
  /// Regular expressions (searched in the variable's name) of variables stepped by AdamW
  /// (Keras `exclude_layers`).
  std::vector<std::string> exclude_layers{};
  /// Variables whose name contains "embedding" (any case) are stepped by AdamW (Keras
  /// `exclude_embeddings`, default true).
  bool exclude_embeddings = true;
  ///@{
  /// The quintic Newton-Schulz coefficients (Keras `muon_a`, `muon_b`, `muon_c`).
  double muon_a = 3.4445, muon_b = -4.7750, muon_c = 2.0315;
  ///@}
  /// The AdamW steps' learning rate factor (Keras `adam_lr_ratio`, default 1).
  double adam_lr_ratio = 1.0;
  /// The Muon momentum (Keras `momentum`, default 0.95).
  double momentum = 0.95;
  /// Newton-Schulz iterations (Keras `ns_steps`, default 5).
  int64_t ns_steps = 5;
  /// Nesterov momentum for the Muon steps (Keras `nesterov`, default true).
  bool nesterov = true;
  /// The update's RMS scale (Keras `rms_rate`, default 0.2; none: unscaled).
  std::optional<double> rms_rate = 0.2;
};
/// keras.optimizers.Muon (see MuonOptions).
class MuonOptimizer : public Optimizer {
 public:
  /// The optimizer with the given options; bad options throw std::invalid_argument.
  explicit MuonOptimizer(const MuonOptions& o = {});
  Config get_config() const override;
  /// Whether `var` takes AdamW steps (see MuonOptions).
  bool uses_adamw(const Variable& var) const;

 protected:
  void build(const std::vector<Variable>& vars) override;
  void update_step(const Tensor& grad, Variable& var, const Tensor& lr) override;
  std::optional<double> weight_decay_of(const Variable& var) const override;

 private:
  Tensor orthogonalized(const Tensor& x) const;
  MuonOptions o_;
  std::vector<Variable> momentums_, velocities_;  // velocities undefined for Muon-stepped ones
};

/// ScheduleFreeAdamW: AdamW without a learning-rate schedule: the variable is an
/// interpolation (beta_1) between an iterate z stepped by Adam-normalized gradients and
/// the running average x of the z's (Keras 3's formulas; z is the "momentum" slot).
struct ScheduleFreeAdamWOptions {
  /// A number or a schedule (Keras `learning_rate`, default 0.0025).
  LearningRate learning_rate = 0.0025;
  ///@{
  /// The interpolation (0.9) and the second-moment decay (0.999) rates, and the stability
  /// constant (1e-8).
  double beta_1 = 0.9, beta_2 = 0.999, epsilon = 1e-8;
  ///@}
  /// The learning rate grows linearly over this many first steps (Keras `warmup_steps`,
  /// default 0).
  int64_t warmup_steps = 0;
  /// Keras's weight_decay (see OptimizerOptions; none by default).
  std::optional<double> weight_decay{};
  /// The base options: clipping, EMA, loss scale, accumulation; name (empty:
  /// "schedule_free_adam_w").
  KERAS_OPTIMIZER_BASE_OPTIONS
};
/// keras.optimizers.ScheduleFreeAdamW (see ScheduleFreeAdamWOptions).
class ScheduleFreeAdamWOptimizer : public Optimizer {
 public:
  /// The optimizer with the given options; bad options throw std::invalid_argument.
  explicit ScheduleFreeAdamWOptimizer(const ScheduleFreeAdamWOptions& o = {});
  Config get_config() const override;

 protected:
  void build(const std::vector<Variable>& vars) override;
  void update_step(const Tensor& grad, Variable& var, const Tensor& lr) override;

 private:
  ScheduleFreeAdamWOptions o_;
  std::vector<Variable> z_, velocities_;
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
/// keras.optimizers.Lamb(...): a new LambOptimizer.
std::shared_ptr<LambOptimizer> Lamb(const LambOptions& o = {});
/// keras.optimizers.Adafactor(...): a new AdafactorOptimizer.
std::shared_ptr<AdafactorOptimizer> Adafactor(const AdafactorOptions& o = {});
/// keras.optimizers.Muon(...): a new MuonOptimizer.
std::shared_ptr<MuonOptimizer> Muon(const MuonOptions& o = {});
/// keras.optimizers.ScheduleFreeAdamW(...): a new ScheduleFreeAdamWOptimizer.
std::shared_ptr<ScheduleFreeAdamWOptimizer> ScheduleFreeAdamW(const ScheduleFreeAdamWOptions& o = {});

}  // namespace keras::optimizers
