// loss_scale_optimizer.h - keras.optimizers.LossScaleOptimizer: dynamic loss scaling for
// mixed_float16 training.
#pragma once
#include <cstdint>
#include <string>

#include "keras/optimizers/optimizer.h"

namespace keras::optimizers {

/// Keras 3's LossScaleOptimizer: wraps an optimizer and scales the loss so that float16
/// gradients do not underflow. Multiply the loss by scale_loss() before differentiating;
/// apply_gradients() then checks the (scaled) gradients: when any is inf or NaN the step
/// is skipped, the scale halved and the growth count reset; otherwise they are divided by
/// the scale and applied by the inner optimizer, and after dynamic_growth_steps finite
/// steps in a row the scale doubles. iterations() is the inner optimizer's (skipped steps
/// do not count). apply_gradients is written with ops only (the finiteness check and the
/// skip / halve / grow decision are tensors), so it runs eagerly and traced into fit()'s
/// train step alike. compile() wraps the optimizer in one for a mixed_float16 model.
class LossScaleOptimizer : public Optimizer {
 public:
  /// Wraps `inner` (null raises); initial_scale > 0 (default 2^15), dynamic_growth_steps
  /// >= 1 (default 2000); name empty: "loss_scale_optimizer".
  explicit LossScaleOptimizer(OptimizerPtr inner, double initial_scale = 32768.0,
                              int64_t dynamic_growth_steps = 2000, std::string name = "");
  /// One step (see the class comment); grads are the scaled gradients.
  void apply_gradients(const std::vector<Tensor>& grads, const std::vector<Variable>& vars) override;
  /// loss * the current scale (in the loss's dtype).
  Tensor scale_loss(const Tensor& loss) const override;
  /// The inner optimizer's (EMA lives there).
  void finalize_variable_values(const std::vector<Variable>& vars) override;
  bool swap_ema_weights() override;
  void reset_ema_to_variables() override;
  bool uses_ema() const override;
  /// The current loss scale (read on the host).
  double dynamic_scale() const;
  /// The finite steps since the scale last changed (read on the host).
  int64_t step_counter() const;
  /// The wrapped optimizer.
  const OptimizerPtr& inner_optimizer() const { return inner_; }
  /// {"name", "inner_optimizer": serialize(inner), "initial_scale", "dynamic_growth_steps"}
  /// (Keras 3's).
  Config get_config() const override;
  /// Gives the replicas to the inner optimizer.
  void set_replicas(distribute::CrossReplicaPtr replicas) override;

 protected:
  void update_step(const Tensor& grad, Variable& var, const Tensor& lr) override;

 private:
  OptimizerPtr inner_;
  double initial_scale_;
  int64_t growth_steps_;
  Variable scale_, counter_;
};

/// keras.optimizers.LossScaleOptimizer(inner, ...): a new LossScaleOptimizer.
std::shared_ptr<LossScaleOptimizer> make_loss_scale_optimizer(OptimizerPtr inner, double initial_scale = 32768.0,
                                                              int64_t dynamic_growth_steps = 2000);

}  // namespace keras::optimizers
