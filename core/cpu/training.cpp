// training.cpp - the fused optimizer kernels of core/training.h (CPU).
#include "core/training.h"

#include "core/dispatch.h"
#include "core/init.h"

#include <cmath>
#include <stdexcept>
#include <string>

#include "core/cpu/parallel.h"

namespace core::cpu {
namespace {

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
  parallel_for(n, kElementwiseGrain, [=](int64_t b, int64_t e) {
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
  parallel_for(n, kElementwiseGrain, [=](int64_t b, int64_t e) {
    adam_range(w + b, g + b, m + b, v + b, vh ? vh + b : nullptr, e - b, alpha, b1, b2, eps);
  });
}

template <class T>
void scale_range(T* w, int64_t n, T k) {
  for (int64_t i = 0; i < n; ++i) w[i] *= k;
}

template <class T>
T* data_of(const OpCall& c, size_t i) {
  if (i >= c.attrs.resources.size()) return nullptr;
  return Variable::from_resource(c.attrs.resources[i]).value_for_update().mutable_data<T>();
}

double scalar(const Tensor& t) {
  return t.dtype() == DType::float32 ? double(*t.data<float>()) : *t.data<double>();
}

void sgd_op(OpCall& c) {
  const Tensor& g = c.in(0);
  const double lr = scalar(c.in(1)), mom = c.attrs.alpha;
  const int64_t n = g.size();
  if (g.dtype() == DType::float32)
    sgd_kernel<float>(data_of<float>(c, 0), g.data<float>(), data_of<float>(c, 1), n, float(lr), float(mom), c.attrs.flag);
  else
    sgd_kernel<double>(data_of<double>(c, 0), g.data<double>(), data_of<double>(c, 1), n, lr, mom, c.attrs.flag);
}

void adam_op(OpCall& c) {
  const Tensor& g = c.in(0);
  const double lr = scalar(c.in(1)), b1 = c.attrs.alpha, b2 = c.attrs.beta, eps = c.attrs.gamma;
  const double t = double(*c.in(2).data<int64_t>() + 1);
  const double alpha = lr * std::sqrt(1.0 - std::pow(b2, t)) / (1.0 - std::pow(b1, t));
  const int64_t n = g.size();
  if (g.dtype() == DType::float32)
    adam_kernel<float>(data_of<float>(c, 0), g.data<float>(), data_of<float>(c, 1), data_of<float>(c, 2),
                       data_of<float>(c, 3), n, float(alpha), float(b1), float(b2), float(eps));
  else
    adam_kernel<double>(data_of<double>(c, 0), g.data<double>(), data_of<double>(c, 1), data_of<double>(c, 2),
                        data_of<double>(c, 3), n, alpha, b1, b2, eps);
}

void weight_decay_op(OpCall& c) {
  const double k = 1.0 - scalar(c.in(0)) * c.attrs.alpha;
  Variable var = Variable::from_resource(c.attrs.resources[0]);
  const int64_t n = var.shape().num_elements();
  if (var.dtype() == DType::float32) {
    float* w = data_of<float>(c, 0);
    const float kf = float(k);
    parallel_for(n, kElementwiseGrain, [=](int64_t b, int64_t e) { scale_range(w + b, e - b, kf); });
  } else {
    double* w = data_of<double>(c, 0);
    parallel_for(n, kElementwiseGrain, [=](int64_t b, int64_t e) { scale_range(w + b, e - b, k); });
  }
}

}  // namespace
}  // namespace core::cpu

namespace core {
void register_cpu_training_kernels() {
  using namespace cpu;
  register_kernel(OpId::ApplySgd, Device::Kind::CPU, sgd_op);
  register_kernel(OpId::ApplyAdam, Device::Kind::CPU, adam_op);
  register_kernel(OpId::ApplyWeightDecay, Device::Kind::CPU, weight_decay_op);
}

}  // namespace core
