// optimizer_math.h - (engine-internal) the per-step constants of the fused optimizer
// updates (core/training.h, core/training_rules.h), as host+device functions (the macro of
// core/kernel_math.h): the CPU kernels (core/cpu/training.cpp, core/ops/training_rules.cpp)
// call them on the host with the scalars they read, the CUDA kernels (gpu/training.cu)
// call them on the device with the scalars read from device memory, so a train step on the
// GPU never copies the learning rate or the iteration to the host. The arithmetic is the
// composite path's (keras/optimizers/), in its order and with its roundings; the only
// library calls are std::pow and std::sqrt, whose last bits may differ on the device
// (CUDA's double pow is within 2 ulp; its sqrt is correctly rounded), and products that a
// sum consumes go through mul_rn, which nvcc never fuses into an FMA.
#pragma once
#include <cmath>
#include <cstdint>

#include "core/kernel_math.h"

namespace keras::core::training_rules {

/// The fused rules beyond SGD and Adam, in the order of their ops in ops.def (also the rule
/// numbers of the CPU and CUDA kernels).
enum class Rule : int { RMSprop, Nadam, Adagrad, Adadelta, Adamax, Ftrl, Lion, Count };

inline constexpr int kMaxSlots = 3;
inline constexpr int kMaxConstants = 8;

/// A rule's options (the op's attributes, read on the host): alpha, beta, gamma as the op
/// takes them (core/ops/training_rules.cpp), and Ftrl's l2 shrinkage and beta.
struct RuleParams {
  double alpha = 0, beta = 0, gamma = 0, shrinkage = 0, ftrl_beta = 0;
};

/// a * b rounded once, never contracted with a following sum into an FMA.
KERAS_CPP_HD inline double mul_rn(double a, double b) {
#if defined(__CUDA_ARCH__)
  return __dmul_rn(a, b);
#else
  return a * b;
#endif
}

/// Adam's step size lr sqrt(1 - b2^t) / (1 - b1^t) at t = iteration + 1, in float64.
KERAS_CPP_HD inline double adam_alpha(double lr, int64_t iteration, double b1, double b2) {
  const double t = double(iteration + 1);
  return lr * std::sqrt(1.0 - std::pow(b2, t)) / (1.0 - std::pow(b1, t));
}

/// Decoupled weight decay's factor lr * wd, rounded in the variable's dtype (float32 when
/// f32: float(lr) * float(wd), as the composite ops), returned widened to double.
KERAS_CPP_HD inline double weight_decay_factor(bool f32, double lr, double wd) {
#if defined(__CUDA_ARCH__)
  return f32 ? double(__fmul_rn(float(lr), float(wd))) : __dmul_rn(lr, wd);
#else
  return f32 ? double(float(lr) * float(wd)) : lr * wd;
#endif
}

/// One step's constants of `rule` in T (float or double), written to out[0..kMaxConstants)
/// (unused ones zero), as core/training_rules.h lists them. lr: the learning rate;
/// iteration: the iteration count (Nadam, Adamax); u_product: Nadam's product of
/// momentum factors.
template <class T>
KERAS_CPP_HD inline void rule_constants(Rule rule, const RuleParams& a, T lr, int64_t iteration, double u_product,
                                        T* out) {
  auto k = [](double x) { return T(x); };  // ops::scalar_like
  for (int i = 0; i < kMaxConstants; ++i) out[i] = T(0);
  switch (rule) {
    case Rule::RMSprop:
      out[0] = k(a.alpha), out[1] = k(1 - a.alpha), out[2] = k(a.gamma), out[3] = lr, out[4] = k(a.beta);
      break;
    case Rule::Nadam: {
      // In float64 as NadamOptimizer::update_step, then cast to T.
      const double b1 = a.alpha, t = double(iteration + 1);
      const double u_t = b1 * (1 - mul_rn(0.5, std::pow(0.96, t)));
      const double u_t1 = b1 * (1 - mul_rn(0.5, std::pow(0.96, t + 1)));
      const double c_m = u_t1 / (1 - mul_rn(u_product, u_t1)), c_g = (1 - u_t) / (1 - u_product);
      const double c_v = 1 / (1 - std::pow(a.beta, t));
      out[0] = k(1 - b1), out[1] = k(1 - a.beta), out[2] = T(c_m), out[3] = T(c_g), out[4] = T(c_v);
      out[5] = lr, out[6] = k(a.gamma);
      break;
    }
    case Rule::Adagrad: out[0] = lr, out[1] = k(a.gamma); break;
    case Rule::Adadelta: out[0] = k(a.alpha), out[1] = k(1 - a.alpha), out[2] = k(a.gamma), out[3] = lr; break;
    case Rule::Adamax: {
      const T t = T(iteration + 1);  // step_count(dtype)
      const T scale = lr / T(k(1) - T(std::pow(k(a.alpha), t)));
      out[0] = k(1 - a.alpha), out[1] = k(a.beta), out[2] = scale, out[3] = k(a.gamma);
      break;
    }
    case Rule::Ftrl: {
      const T l2 = T(k(a.gamma) + T(k(a.ftrl_beta / 2.0) / lr));
      out[0] = k(2 * a.shrinkage), out[1] = k(-a.alpha), out[2] = lr, out[3] = T(k(2) * l2);
      out[4] = k(-a.beta), out[5] = k(a.beta);
      break;
    }
    case Rule::Lion:
      out[0] = k(a.alpha), out[1] = k(1 - a.alpha), out[2] = lr, out[3] = k(a.beta), out[4] = k(1 - a.beta);
      break;
    case Rule::Count: break;
  }
}

}  // namespace keras::core::training_rules
