// training.cpp - the fused optimizer kernels of core/training.h (CPU).
#include "core/training.h"

#include <cmath>
#include <stdexcept>
#include <string>

#include "core/cpu/parallel.h"

namespace core::training {
namespace {

bool fits(const Variable& var, const Tensor& grad) {
  const Tensor& v = var.value();
  return v.device().is_cpu() && grad.device().is_cpu() && is_floating(v.dtype()) &&
         grad.dtype() == v.dtype();
}

void check_grad(const Variable& var, const Tensor& grad) {
  if (!grad.defined() || grad.shape() != var.shape())
    throw std::invalid_argument("optimizer: the gradient for variable '" + var.name() + "' has shape " +
                                (grad.defined() ? grad.shape().str() : std::string("<undefined>")) +
                                ", expected " + var.shape().str());
}

// Loops over pointer parameters (not captured ones) so the compiler vectorizes them.
template <class T>
void sgd_range(T* w, const T* g, T* m, int64_t n, T lr, T mom, bool nesterov) {
  if (!m) {
    for (int64_t i = 0; i < n; ++i) w[i] -= lr * g[i];
  } else if (nesterov) {
    for (int64_t i = 0; i < n; ++i) {
      T mi = mom * m[i] - lr * g[i];
      m[i] = mi;
      w[i] += mom * mi - lr * g[i];
    }
  } else {
    for (int64_t i = 0; i < n; ++i) {
      T mi = mom * m[i] - lr * g[i];
      m[i] = mi;
      w[i] += mi;
    }
  }
}

template <class T>
void sgd_kernel(T* w, const T* g, T* m, int64_t n, T lr, T mom, bool nesterov) {
  cpu::parallel_for(n, cpu::kElementwiseGrain, [=](int64_t b, int64_t e) {
    sgd_range(w + b, g + b, m ? m + b : nullptr, e - b, lr, mom, nesterov);
  });
}

template <class T>
void adam_range(T* w, const T* g, T* m, T* v, T* vh, int64_t n, T alpha, T b1, T b2, T eps) {
  const T c1 = T(1) - b1, c2 = T(1) - b2;
  if (!vh) {  // two loops, so each vectorizes
    for (int64_t i = 0; i < n; ++i) {
      T gi = g[i];
      T mi = m[i] + (gi - m[i]) * c1;
      T vi = v[i] + (gi * gi - v[i]) * c2;
      m[i] = mi;
      v[i] = vi;
      w[i] -= alpha * mi / (std::sqrt(vi) + eps);
    }
    return;
  }
  for (int64_t i = 0; i < n; ++i) {
    T gi = g[i];
    T mi = m[i] + (gi - m[i]) * c1;
    T vi = v[i] + (gi * gi - v[i]) * c2;
    m[i] = mi;
    v[i] = vi;
    vi = vh[i] > vi ? vh[i] : vi;
    vh[i] = vi;
    w[i] -= alpha * mi / (std::sqrt(vi) + eps);
  }
}

template <class T>
void adam_kernel(T* w, const T* g, T* m, T* v, T* vh, int64_t n, T alpha, T b1, T b2, T eps) {
  cpu::parallel_for(n, cpu::kElementwiseGrain, [=](int64_t b, int64_t e) {
    adam_range(w + b, g + b, m + b, v + b, vh ? vh + b : nullptr, e - b, alpha, b1, b2, eps);
  });
}

template <class T>
void scale_range(T* w, int64_t n, T k) {
  for (int64_t i = 0; i < n; ++i) w[i] *= k;
}

template <class T>
T* data_of(Variable* v) {
  return v ? v->value_for_update().mutable_data<T>() : nullptr;
}

}  // namespace

bool apply_sgd(Variable& var, const Tensor& grad, double lr, double momentum, bool nesterov,
               Variable* velocity) {
  check_grad(var, grad);
  if (!fits(var, grad)) return false;
  const int64_t n = var.shape().num_elements();
  if (var.dtype() == DType::float32)
    sgd_kernel<float>(data_of<float>(&var), grad.data<float>(), momentum != 0 ? data_of<float>(velocity) : nullptr,
                      n, float(lr), float(momentum), nesterov);
  else
    sgd_kernel<double>(data_of<double>(&var), grad.data<double>(),
                       momentum != 0 ? data_of<double>(velocity) : nullptr, n, lr, momentum, nesterov);
  return true;
}

bool apply_adam(Variable& var, const Tensor& grad, Variable& m, Variable& v, Variable* vhat,
                double lr, double beta1, double beta2, double epsilon, int64_t t) {
  check_grad(var, grad);
  if (!fits(var, grad)) return false;
  const double alpha = lr * std::sqrt(1.0 - std::pow(beta2, double(t))) / (1.0 - std::pow(beta1, double(t)));
  const int64_t n = var.shape().num_elements();
  if (var.dtype() == DType::float32)
    adam_kernel<float>(data_of<float>(&var), grad.data<float>(), data_of<float>(&m), data_of<float>(&v),
                       data_of<float>(vhat), n, float(alpha), float(beta1), float(beta2), float(epsilon));
  else
    adam_kernel<double>(data_of<double>(&var), grad.data<double>(), data_of<double>(&m), data_of<double>(&v),
                        data_of<double>(vhat), n, alpha, beta1, beta2, epsilon);
  return true;
}

bool apply_weight_decay(Variable& var, double lr, double wd) {
  const Tensor& v = var.value();
  if (!v.device().is_cpu() || !is_floating(v.dtype())) return false;
  const int64_t n = v.size();
  if (v.dtype() == DType::float32) {
    float* w = data_of<float>(&var);
    const float k = float(1.0 - lr * wd);
    cpu::parallel_for(n, cpu::kElementwiseGrain, [=](int64_t b, int64_t e) { scale_range(w + b, e - b, k); });
  } else {
    double* w = data_of<double>(&var);
    const double k = 1.0 - lr * wd;
    cpu::parallel_for(n, cpu::kElementwiseGrain, [=](int64_t b, int64_t e) { scale_range(w + b, e - b, k); });
  }
  return true;
}

}  // namespace core::training
