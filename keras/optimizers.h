// optimizers.h - the optimizers (keras.optimizers): the Optimizer base and MultiOptimizer
// (keras/optimizers/optimizer.h), the learning-rate schedules (schedules.h), the built-in
// optimizers (builtin.h) and LossScaleOptimizer (loss_scale_optimizer.h).
//
//   auto opt = keras::optimizers::Adam({.learning_rate = 1e-3});
//   opt->apply_gradients(grads, model->trainable_weights());
#pragma once
#include "keras/optimizers/builtin.h"
#include "keras/optimizers/optimizer.h"
#include "keras/optimizers/schedules.h"
#include "keras/optimizers/loss_scale_optimizer.h"
