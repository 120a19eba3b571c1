// training_rules.h - (engine-internal) the fused update rules of core/training.h beyond SGD
// and Adam (RMSprop, Nadam, Adagrad, Adadelta, Adamax, Ftrl, Lion), as the CPU kernel
// (core/cpu/training.cpp) and the CUDA kernel (gpu/register.cpp) see them: one op per rule,
// one kernel entry for all, a rule number, up to three slot pointers and the step's
// constants. The constants are computed here once, in the variable's dtype and in the
// order the composite path (keras/optimizers/adaptive.cpp) computes them, so a kernel that
// applies them elementwise in the same order rounds as the composite ops do.
#pragma once
#include <array>
#include <cstdint>

#include "core/dispatch.h"
#include "core/optimizer_math.h"

namespace keras::core::training_rules {

// The rules, in the order of their ops in ops.def. The constants c[] of each (also the
// order of the elementwise formulas in core/cpu/simd/optimizers.cpp and gpu/training.cu):
//   RMSprop   slots {velocity, momentum?, average_gradient?}; c = {rho, 1 - rho, epsilon, lr,
//             momentum}
//   Nadam     slots {m, v}; c = {1 - b1, 1 - b2, c_m, c_g, c_v, lr, epsilon}
//   Adagrad   slots {accumulator}; c = {lr, epsilon}
//   Adadelta  slots {accumulated_grad, accumulated_delta}; c = {rho, 1 - rho, epsilon, lr}
//   Adamax    slots {m, u}; c = {1 - b1, b2, lr / (1 - b1^t), epsilon}
//   Ftrl      slots {accumulator, linear}; c = {2 shrinkage, -learning_rate_power, lr,
//             2 (l2 + beta / (2 lr)), -l1, l1}
//   Lion      slots {m}; c = {b1, 1 - b1, lr, b2, 1 - b2}
// (Rule, kMaxSlots, kMaxConstants, RuleParams and the constants' arithmetic live in
// core/optimizer_math.h, which the CUDA kernels share.)

// The rule an op runs (op must be one of ApplyRmsprop ... ApplyLion).
Rule rule_of(OpId op);
// The op of a rule.
OpId op_of(Rule rule);

// Index in c.attrs.resources of the rule's slot `slot` (0-based, after the variable), or -1
// where the options leave it out (RMSprop's momentum and average gradient).
int resource_of_slot(const OpCall& c, int slot);

// The rule options of a call's attributes (Ftrl's shrinkage and beta from the bit
// patterns in attrs.axes).
RuleParams params_of(const OpCall& c);

// One step's constants, computed in dtype dt (float32 or float64) and returned widened to
// double (exact). lr: the learning rate input's value; iteration: the iteration count
// input (Nadam, Adamax); u_product: Nadam's product of momentum factors, input 3.
std::array<double, kMaxConstants> constants(const OpCall& c, DType dt, double lr, int64_t iteration,
                                            double u_product);

// Defines the ops (called by define_training_ops).
void define_rule_ops();

}  // namespace keras::core::training_rules
