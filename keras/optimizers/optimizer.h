// optimizer.h - Optimizer, Keras 3's base of the optimizers: learning rate or schedule,
// weight decay, clipnorm / clipvalue / global_clipnorm, an iteration counter, slot variables
// per variable, the moving average of the weights (use_ema), gradient accumulation and a
// fixed loss scale; MultiOptimizer; serialize / deserialize / get by name.
//
//   auto opt = keras::optimizers::Adam({.learning_rate = 1e-3, .use_ema = true});
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
#include "keras/optimizers/schedules.h"

namespace keras::optimizers {
// ---- the base class ---------------------------------------------------------------------
/// The options every optimizer takes after its own (Keras's base optimizer arguments,
/// in Keras's order): the built-in options structs list them through this macro, after
/// `weight_decay` (see OptimizerOptions for what each does).
#define KERAS_OPTIMIZER_BASE_OPTIONS                                                     \
  std::optional<double> clipnorm{}, clipvalue{}, global_clipnorm{};                      \
  bool use_ema = false;                                                                   \
  double ema_momentum = 0.99;                                                             \
  std::optional<int64_t> ema_overwrite_frequency{};                                       \
  std::optional<double> loss_scale_factor{};                                              \
  std::optional<int64_t> gradient_accumulation_steps{};                                   \
  std::string name{};

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
  /// Keras's use_ema: keep an exponential moving average of every variable the optimizer
  /// updates (average = m * average + (1 - m) * variable after each step, with m = 0 at the
  /// first iteration); finalize_variable_values() (which fit() calls at its end) copies the
  /// averages into the variables.
  bool use_ema = false;
  /// The averages' momentum m, in [0, 1] (Keras `ema_momentum`, default 0.99).
  double ema_momentum = 0.99;
  /// With use_ema: every this many iterations (>= 1) the variables are overwritten with
  /// their averages (Keras `ema_overwrite_frequency`; none by default).
  std::optional<int64_t> ema_overwrite_frequency{};
  /// A fixed loss scale (Keras `loss_scale_factor`): scale_loss() multiplies the loss by it
  /// and apply_gradients() divides the gradients by it first; none by default.
  std::optional<double> loss_scale_factor{};
  /// Keras's gradient_accumulation_steps (>= 2): the variables change every this many
  /// calls of apply_gradients, with the mean of the gradients since the last change
  /// (clipping and weight decay apply to that mean); iterations() counts those changes.
  std::optional<int64_t> gradient_accumulation_steps{};
  /// The optimizer's name (empty: the snake_case class name, "adam").
  std::string name{};
};

/// OptimizerOptions from an options struct that has its fields (the built-in optimizers'),
/// with `default_name` for an empty name.
template <class O>
OptimizerOptions base_options(const O& o, const std::string& default_name = "") {
  return OptimizerOptions{.learning_rate = o.learning_rate,
                          .weight_decay = o.weight_decay,
                          .clipnorm = o.clipnorm,
                          .clipvalue = o.clipvalue,
                          .global_clipnorm = o.global_clipnorm,
                          .use_ema = o.use_ema,
                          .ema_momentum = o.ema_momentum,
                          .ema_overwrite_frequency = o.ema_overwrite_frequency,
                          .loss_scale_factor = o.loss_scale_factor,
                          .gradient_accumulation_steps = o.gradient_accumulation_steps,
                          .name = o.name.empty() ? default_name : o.name};
}

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

  /// Keras's iterations: the steps applied (read on the host); with
  /// gradient_accumulation_steps, the calls of apply_gradients divided by it.
  int64_t iterations() const;
  /// The loss to differentiate for this optimizer: loss * loss_scale_factor when set (a
  /// LossScaleOptimizer multiplies by its dynamic scale), else the loss (Keras's
  /// scale_loss; train steps call it).
  virtual Tensor scale_loss(const Tensor& loss) const;
  /// Replaces loss_scale_factor (a MultiOptimizer sets its own on the optimizers it holds).
  void set_loss_scale_factor(std::optional<double> factor);
  /// With use_ema, copies each variable's moving average into it (Keras's
  /// finalize_variable_values; fit() calls it after its last epoch); otherwise nothing.
  /// Variables the optimizer has not built are skipped.
  virtual void finalize_variable_values(const std::vector<Variable>& vars);
  /// With use_ema, swaps every built variable's value with its moving average (what
  /// keras.callbacks.SwapEMAWeights does around evaluation); returns false, changing
  /// nothing, without use_ema. A MultiOptimizer swaps in every group that uses EMA.
  virtual bool swap_ema_weights();
  /// With use_ema, sets every built variable's moving average to the variable's value.
  virtual void reset_ema_to_variables();
  /// Whether this optimizer (or, for a MultiOptimizer, any group) keeps moving averages.
  virtual bool uses_ema() const { return options_.use_ema; }
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
  /// The state to save (Keras's order without its learning-rate variable): iterations,
  /// then use_ema's moving averages, the gradient accumulators and the optimizer's own
  /// slots, in the order they were built.
  std::vector<Variable> variables() const;
  /// Moves the iteration counter, the learning rate and every slot to `device`
  /// (Model::to does it with the model's weights).
  void to(core::Device device);
  /// Creates the slots of the variables not seen yet, as the first apply_gradients does
  /// (Keras's optimizer.build), so a saved state can be loaded before training.
  void build_variables(const std::vector<Variable>& vars);
  /// The variables the optimizer has built slots for, in order (Keras's
  /// optimizer._trainable_variables).
  const std::vector<Variable>& built_variables() const { return built_; }
  /// What stateless_apply returns.
  struct StatelessApplyResult {
    std::vector<Tensor> trainable_variables;  ///< 1:1 with built_variables()
    std::vector<Tensor> optimizer_variables;  ///< 1:1 with variables()
  };
  /// Keras's stateless_apply: one apply_gradients step on built_variables() with those
  /// variables read as `trainable_variables` and variables() as `optimizer_variables`,
  /// inside a StatelessScope: returns their new values and changes none of the
  /// variables (use_ema's averages and the gradient accumulators are in variables(), so
  /// they thread through too). Raises std::invalid_argument when the optimizer is not
  /// built, a list's length differs, or inside a traced function (the updates are in place).
  StatelessApplyResult stateless_apply(const std::vector<Tensor>& optimizer_variables,
                                       const std::vector<Tensor>& grads,
                                       const std::vector<Tensor>& trainable_variables);
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
  /// The weight decay applied to `var` before its update (the option's, unless a
  /// subclass decays some variables differently, as Muon does).
  virtual std::optional<double> weight_decay_of(const Variable& var) const;
  /// iterations() + 1 (the 1-based step being applied) as a scalar of `dtype`, with ops.
  Tensor step_count(core::DType dtype) const;
  /// iterations() as an int64 scalar tensor, with ops (traceable).
  Tensor iterations_tensor() const;
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
  std::vector<Variable> averages_, accumulators_;  // per built variable (use_ema, accumulation)
  // One step of the subclass's rule on (already unscaled) gradients: clipping, weight decay,
  // update_step and nothing else.
  void update_variables(std::vector<Tensor> g, std::vector<Variable>& v);
  // Assigns their gradients to the variables with overwrite_with_gradient and removes
  // them from (g, v).
  void overwrite_with_gradients(std::vector<Tensor>& g, std::vector<Variable>& v);
  // The moving averages' step (use_ema), after the variables' updates.
  void update_averages();
  distribute::CrossReplicaPtr replicas_;
};
/// A shared optimizer, as compile() holds them.
using OptimizerPtr = std::shared_ptr<Optimizer>;

/// Keras 3's OptimizerMap: variable paths (Variable::path, "encoder/dense/kernel") ->
/// optimizers, for a MultiOptimizer. A key is an exact path or a regular expression
/// (ECMAScript) that must match a whole path ("encoder/.*"); unmatched variables take the
/// default optimizer.
///   OptimizerMap map(SGD(), {{"encoder/.*", Adam()}});
class OptimizerMap {
 public:
  /// std::invalid_argument for a null default or a bad entry (see set()).
  explicit OptimizerMap(OptimizerPtr default_optimizer,
                        const std::vector<std::pair<std::string, OptimizerPtr>>& optimizer_map = {});
  /// The optimizer of unmatched paths.
  const OptimizerPtr& default_optimizer() const { return default_; }
  /// The optimizer of `path`: an exact key's, else the one key matching it as a regular
  /// expression, else the default; std::invalid_argument when several keys match.
  const OptimizerPtr& operator[](const std::string& path) const;
  /// The optimizer of a variable (by its path).
  const OptimizerPtr& operator()(const Variable& variable) const { return (*this)[variable.path()]; }
  /// Adds `key`; std::invalid_argument when it is already there, when `key` is not a valid
  /// regular expression, or when `optimizer` is null, a LossScaleOptimizer or a
  /// MultiOptimizer (as Keras).
  void set(const std::string& key, OptimizerPtr optimizer);
  /// Removes `key`; returns whether it was there.
  bool erase(const std::string& key);
  /// Whether `key` is one of the keys (no pattern matching).
  bool contains(const std::string& key) const;
  /// The number of keys.
  size_t size() const { return entries_.size(); }
  /// The keys and their optimizers, in the order they were set.
  const std::vector<std::pair<std::string, OptimizerPtr>>& entries() const { return entries_; }
  /// Keras's config: {"default_optimizer": (an optimizer), "optimizer_map": {key: (an optimizer)}},
  /// each optimizer in Keras's serialized form (module, class_name, config).
  Config get_config() const;
  /// The map of get_config()'s form (optimizers in Keras's or serialize()'s form).
  static OptimizerMap from_config(const Config& config);

 private:
  OptimizerPtr default_;
  std::vector<std::pair<std::string, OptimizerPtr>> entries_;
};

/// Several optimizers on one model (Keras 3's MultiOptimizer; Wide & Deep): each variable
/// is updated by the optimizer an OptimizerMap or a selector gives it (chosen when the
/// variable is first seen), or by the group that lists it. compile() takes it like any
/// optimizer, so it works inside fit(); a model compiled with one made from an
/// OptimizerMap saves and loads (its config is Keras's). iterations() counts its own steps.
///   auto opt = MultiOptimizer(OptimizerMap(SGD(), {{"deep/.*", Adam()}}));
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
  /// What a selector is: the optimizer of a variable.
  using Selector = std::function<OptimizerPtr(const Variable&)>;
  /// The groups, each variable in exactly one (a variable in none raises when it is
  /// applied). Its saved state is the groups' optimizers' states, in order.
  explicit MultiOptimizer(std::vector<Group> groups, std::string name = "");
  /// Keras's MultiOptimizer(optimizer_map, loss_scale_factor, name): the map's optimizers
  /// (then its default) in optimizers(), each given `loss_scale_factor` when set. Its saved
  /// state is its iteration count, then each optimizer's state, as Keras's variables.
  explicit MultiOptimizer(OptimizerMap map, std::optional<double> loss_scale_factor = std::nullopt,
                          std::string name = "");
  /// Keras's MultiOptimizer(callable): `selector` gives each variable's optimizer (not
  /// serializable: saving the model's compile config raises).
  explicit MultiOptimizer(Selector selector, std::optional<double> loss_scale_factor = std::nullopt,
                          std::string name = "");
  void apply_gradients(const std::vector<Tensor>& grads, const std::vector<Variable>& vars) override;
  /// Gives the replicas to every optimizer (each all-reduces its own gradients).
  void set_replicas(distribute::CrossReplicaPtr replicas) override;
  /// Each optimizer's finalize_variable_values on its own variables.
  void finalize_variable_values(const std::vector<Variable>& vars) override;
  /// Swaps in every optimizer that uses EMA; false when none does.
  bool swap_ema_weights() override;
  void reset_ema_to_variables() override;
  /// Whether any optimizer uses EMA.
  bool uses_ema() const override;
  /// Keras's config: {"optimizer_map": (an OptimizerMap entry), "loss_scale_factor", "name"};
  /// std::invalid_argument for groups or a selector, which have no config.
  Config get_config() const override;
  /// The optimizers, in Keras's order (an OptimizerMap's entries, its default, then any
  /// other a selector returned).
  const std::vector<OptimizerPtr>& optimizers() const { return optimizers_; }
  /// The groups (empty unless made from groups).
  const std::vector<Group>& groups() const { return groups_; }
  /// The OptimizerMap it was made from, or null.
  const OptimizerMap* optimizer_map() const { return map_ ? &*map_ : nullptr; }
  /// Assigns `vars` to their optimizers and builds their slots; returns the saved state
  /// (see the constructors) with `vars` assigned.
  std::vector<Variable> state_variables(const std::vector<Variable>& vars);

 protected:
  void update_step(const Tensor& grad, Variable& var, const Tensor& lr) override;

 private:
  size_t optimizer_index(const Variable& var);  // the optimizer of `var` (assigned once)
  void add_optimizer(const OptimizerPtr& opt);
  std::vector<Group> groups_;
  std::optional<OptimizerMap> map_;
  Selector selector_;
  std::vector<OptimizerPtr> optimizers_;
  std::vector<std::pair<Variable, size_t>> assigned_;
};
/// A MultiOptimizer of these groups.
std::shared_ptr<MultiOptimizer> make_multi_optimizer(std::vector<MultiOptimizer::Group> groups);

/// By Keras's names (the class names, or lower-cased: "sgd", "rmsprop", "adam", "adamw",
/// "nadam", "adagrad", "adadelta", "adamax", "ftrl", "lion", "lamb", "adafactor", "muon",
/// "schedulefreeadamw"), default arguments; unknown names throw std::invalid_argument.
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
