// training.h - fused, in-place optimizer updates of variables (the hot loop of
// training): one pass over each parameter, no temporaries, nothing recorded on tapes.
// Each is an op that changes state (ApplySgd, ApplyAdam, ApplyWeightDecay), so a traced
// train step keeps it and runs it in order. The learning rate and the iteration count
// are tensors, read when the op runs. keras/optimizers use them for their built-in
// rules; fused() says whether a kernel fits (device, dtype), else the caller uses ops.
#pragma once
#include <cstdint>

#include "core/autodiff.h"

namespace keras::core::training {

// Whether the fused update kernels run for this variable and gradient.
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

// Decoupled weight decay: var -= var * lr * wd.
void apply_weight_decay(Variable& var, const Tensor& lr, double wd);

}  // namespace keras::core::training
