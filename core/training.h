// training.h - fused, in-place optimizer updates of variables (the hot loop of
// training): one pass over each parameter, no temporaries, nothing recorded on tapes.
// Each is an op that changes state (ApplySgd, ApplyAdam, ApplyWeightDecay, and ApplyRmsprop
// ... ApplyLion, core/ops/training_rules.cpp), so a traced train step keeps it and runs it
// in order. The learning rate and the iteration count
// are tensors, read when the op runs. keras/optimizers use them for their built-in
// rules; fused() says whether a kernel fits (device, dtype), else the caller uses ops.
#pragma once
#include <cstdint>

#include "core/autodiff.h"

namespace keras::core::training {

// Whether the fused update kernels run for this variable and gradient (and are enabled,
// see set_fused_enabled).
bool fused(const Variable& var, const Tensor& grad);

// Keras's SGD: with momentum m = momentum * m - lr * g; var += m (nesterov:
// var += momentum * m - lr * g); without momentum var -= lr * g. lr: a float scalar.
void apply_sgd(Variable& var, const Tensor& grad, const Tensor& lr, double momentum, bool nesterov,
               Variable* velocity);

// Keras's Adam at step t = iteration + 1 (iteration: the int64 count of earlier steps):
// m += (g - m)(1 - beta1); v += (g^2 - v)(1 - beta2); (amsgrad: vhat = max(vhat, v),
// used in place of v); var -= lr sqrt(1 - beta2^t) / (1 - beta1^t) * m / (sqrt(v) + epsilon).
void apply_adam(Variable& var, const Tensor& grad, Variable& m, Variable& v, Variable* vhat,
                const Tensor& lr, double beta1, double beta2, double epsilon, const Tensor& iteration);

// Decoupled weight decay: var -= var * (lr * wd), lr * wd rounded in the variable's dtype
// (bit for bit the composite ops' result on the CPU).
void apply_weight_decay(Variable& var, const Tensor& lr, double wd);

// The other built-in rules of keras/optimizers, one op each (apply_rmsprop ... apply_lion),
// each one pass over the parameter that computes what the optimizer's composite ops compute,
// in the same order and dtype (bit for bit on the CPU). Slots have the variable's shape and
// dtype; lr is a scalar of the variable's dtype; iteration is the int64 count of earlier
// steps. All read their tensors when the op runs.

/// Keras's RMSprop: velocity = rho velocity + (1 - rho) g^2; centered (average_grad given):
/// average_grad = rho average_grad + (1 - rho) g, denominator velocity - average_grad^2 +
/// epsilon, else velocity + epsilon; increment = lr g / sqrt(denominator); with momentum
/// (momentum_slot given, momentum > 0): momentum_slot = momentum momentum_slot + increment,
/// var -= momentum_slot; else var -= increment.
void apply_rmsprop(Variable& var, const Tensor& grad, Variable& velocity, Variable* momentum_slot,
                   Variable* average_grad, const Tensor& lr, double rho, double momentum, double epsilon);

/// Keras 3's Nadam at step t = iteration + 1, with u_t = beta1 (1 - 0.5 * 0.96^t) and
/// u_product the float64 product u_1 ... u_t: m += (g - m)(1 - beta1); v += (g^2 - v)(1 - beta2);
/// var -= lr (m u_{t+1} / (1 - u_product u_{t+1}) + g (1 - u_t) / (1 - u_product)) /
/// (sqrt(v / (1 - beta2^t)) + epsilon).
void apply_nadam(Variable& var, const Tensor& grad, Variable& m, Variable& v, const Tensor& lr, double beta1,
                 double beta2, double epsilon, const Tensor& iteration, const Tensor& u_product);

/// Keras's Adagrad: accumulator += g^2; var -= lr g / sqrt(accumulator + epsilon).
void apply_adagrad(Variable& var, const Tensor& grad, Variable& accumulator, const Tensor& lr, double epsilon);

/// Keras's Adadelta: accumulated_grad = rho accumulated_grad + (1 - rho) g^2; delta =
/// -sqrt(accumulated_delta + epsilon) g / sqrt(accumulated_grad + epsilon);
/// accumulated_delta = rho accumulated_delta + (1 - rho) delta^2; var += lr delta.
void apply_adadelta(Variable& var, const Tensor& grad, Variable& accumulated_grad, Variable& accumulated_delta,
                    const Tensor& lr, double rho, double epsilon);

/// Keras's Adamax at step t = iteration + 1: m += (g - m)(1 - beta1); u = max(beta2 u, |g|);
/// var -= lr / (1 - beta1^t) * m / (u + epsilon).
void apply_adamax(Variable& var, const Tensor& grad, Variable& m, Variable& u, const Tensor& lr, double beta1,
                  double beta2, double epsilon, const Tensor& iteration);

/// Ftrl's constants, as keras.optimizers.Ftrl names them.
struct FtrlParams {
  double learning_rate_power = -0.5;                  ///< <= 0
  double l1_regularization_strength = 0.0;            ///< >= 0
  double l2_regularization_strength = 0.0;            ///< >= 0
  double l2_shrinkage_regularization_strength = 0.0;  ///< >= 0
  double beta = 0.0;                                  ///< >= 0
};

/// Keras's Ftrl with p = -learning_rate_power: g' = g + 2 shrinkage var; n = accumulator + g^2;
/// linear += g' - (n^p - accumulator^p) / lr * var; var = (clip(linear, -l1, l1) - linear) /
/// (n^p / lr + 2 (l2 + beta / (2 lr))); accumulator = n.
void apply_ftrl(Variable& var, const Tensor& grad, Variable& accumulator, Variable& linear, const Tensor& lr,
                const FtrlParams& params);

/// Keras's Lion: var -= lr sign(beta1 m + (1 - beta1) g); m = beta2 m + (1 - beta2) g.
void apply_lion(Variable& var, const Tensor& grad, Variable& m, const Tensor& lr, double beta1, double beta2);

/// Turns the fused update ops off (false) or on (true, the default) for the whole process,
/// returning the previous setting: off, fused() is false and keras/optimizers run their
/// composite ops (tests compare both paths; benchmarks time both). A traced train step
/// keeps the path it was traced with.
bool set_fused_enabled(bool enabled);

}  // namespace keras::core::training
