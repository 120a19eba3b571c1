// training.h - fused, in-place optimizer updates of variables (the hot loop of
// training): one pass over each parameter, no temporaries, nothing recorded on tapes.
// keras/optimizers use them for their built-in update rules; they return false when no
// fused kernel fits (another device or dtype), and the caller falls back to ops.
#pragma once
#include <cstdint>

#include "core/autodiff.h"

namespace core::training {

// Keras's SGD: with momentum m = momentum * m - lr * g; var += m (nesterov:
// var += momentum * m - lr * g); without momentum var -= lr * g.
bool apply_sgd(Variable& var, const Tensor& grad, double lr, double momentum, bool nesterov,
               Variable* velocity);

// Keras's Adam at step t (1-based): m += (g - m)(1 - beta1); v += (g^2 - v)(1 - beta2);
// (amsgrad: vhat = max(vhat, v), used in place of v);
// var -= lr sqrt(1 - beta2^t) / (1 - beta1^t) * m / (sqrt(v) + epsilon).
bool apply_adam(Variable& var, const Tensor& grad, Variable& m, Variable& v, Variable* vhat,
                double lr, double beta1, double beta2, double epsilon, int64_t t);

// Decoupled weight decay: var -= var * lr * wd.
bool apply_weight_decay(Variable& var, double lr, double wd);

}  // namespace core::training
