// training.cu - the fused optimizer updates on CUDA, one kernel each (launchers declared
// in gpu/kernels.h; formulas as core/cpu/simd/training.cpp, computed in the variable's
// dtype). The learning rate, the iteration and Nadam's u_product stay in device memory:
// the kernels read them and compute the step's constants with the CPU's functions
// (core/optimizer_math.h), once per block where they cost a pow.
#include <cstdint>

#include "gpu/context.cuh"
#include "gpu/kernels.h"

namespace keras::core::cuda {
namespace tr = training_rules;
namespace {

__device__ double load_lr(const StepScalars& s) {
  return s.lr_f64 ? *static_cast<const double*>(s.lr) : double(*static_cast<const float*>(s.lr));
}

template <class T>
__global__ void adam_kernel(T* w, const T* g, T* m, T* v, T* vh, int64_t n, StepScalars s, double b1, double b2,
                            T c1, T c2, T eps) {
  __shared__ T alpha_shared;
  if (threadIdx.x == 0) alpha_shared = T(tr::adam_alpha(load_lr(s), *s.iteration, b1, b2));
  __syncthreads();
  const T alpha = alpha_shared;
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    const T gi = g[i], m0 = m[i], v0 = v[i];
    const T mi = m0 + (gi - m0) * c1;
    T vi = v0 + (gi * gi - v0) * c2;
    m[i] = mi;
    v[i] = vi;
    if (vh) {
      vi = vh[i] > vi ? vh[i] : vi;
      vh[i] = vi;
    }
    w[i] = w[i] - alpha * mi / (sqrt(vi) + eps);
  }
}

template <class T>
__global__ void sgd_kernel(T* w, const T* g, T* m, int64_t n, StepScalars s, T mom, bool nesterov) {
  const T lr = T(load_lr(s));
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    const T lg = lr * g[i];
    if (!m) {
      w[i] = w[i] - lg;
      continue;
    }
    const T mi = mom * m[i] - lg;
    m[i] = mi;
    w[i] = w[i] + (nesterov ? mom * mi - lg : mi);
  }
}

template <class T>
__global__ void decay_kernel(T* w, int64_t n, StepScalars s, double wd) {
  const T k = T(tr::weight_decay_factor(sizeof(T) == sizeof(float), load_lr(s), wd));
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    w[i] = w[i] - w[i] * k;
}

}  // namespace

void adam(Dt dt, void* w, const void* g, void* m, void* v, void* vh, int64_t n, StepScalars s, double b1, double b2,
          double eps, int device) {
  if (n == 0) return;
  DeviceGuard guard(device);
  const cudaStream_t st = context(device).stream;
  if (dt == Dt::f32)
    adam_kernel<float><<<grid_for(n), kBlock, 0, st>>>(
        static_cast<float*>(w), static_cast<const float*>(g), static_cast<float*>(m), static_cast<float*>(v),
        static_cast<float*>(vh), n, s, b1, b2, float(1.0 - b1), float(1.0 - b2), float(eps));
  else
    adam_kernel<double><<<grid_for(n), kBlock, 0, st>>>(
        static_cast<double*>(w), static_cast<const double*>(g), static_cast<double*>(m), static_cast<double*>(v),
        static_cast<double*>(vh), n, s, b1, b2, 1.0 - b1, 1.0 - b2, eps);
  check_launch("apply_adam", device);
}

void sgd(Dt dt, void* w, const void* g, void* m, int64_t n, StepScalars s, double mom, bool nesterov, int device) {
  if (n == 0) return;
  DeviceGuard guard(device);
  const cudaStream_t st = context(device).stream;
  if (dt == Dt::f32)
    sgd_kernel<float><<<grid_for(n), kBlock, 0, st>>>(static_cast<float*>(w), static_cast<const float*>(g),
                                                      static_cast<float*>(m), n, s, float(mom), nesterov);
  else
    sgd_kernel<double><<<grid_for(n), kBlock, 0, st>>>(static_cast<double*>(w), static_cast<const double*>(g),
                                                       static_cast<double*>(m), n, s, mom, nesterov);
  check_launch("apply_sgd", device);
}

void decay(Dt dt, void* w, int64_t n, StepScalars s, double wd, int device) {
  if (n == 0) return;
  DeviceGuard guard(device);
  const cudaStream_t st = context(device).stream;
  if (dt == Dt::f32) decay_kernel<float><<<grid_for(n), kBlock, 0, st>>>(static_cast<float*>(w), n, s, wd);
  else decay_kernel<double><<<grid_for(n), kBlock, 0, st>>>(static_cast<double*>(w), n, s, wd);
  check_launch("apply_weight_decay", device);
}

}  // namespace keras::core::cuda

// ---- the other rules (core/training_rules.h: numbers, slots, constants) ------------------
namespace keras::core::cuda {
namespace tr = training_rules;
namespace {

template <class T>
__device__ T nan_max(T x, T y) {
  return (x != x || y != y) ? x + y : (x > y ? x : y);
}
template <class T>
__device__ T nan_min(T x, T y) {
  return (x != x || y != y) ? x + y : (x < y ? x : y);
}

// The rule numbers of training_rules::Rule.
enum : int { kRmsprop, kNadam, kAdagrad, kAdadelta, kAdamax, kFtrl, kLion, kNumRules };
static_assert(kLion == int(tr::Rule::Lion) && kNumRules == int(tr::Rule::Count));

template <class T>
struct RuleArgs {
  T* w;
  const T* g;
  T* s[tr::kMaxSlots];
  StepScalars sc;
  tr::RuleParams p;
};

// One element of rule R with the step's constants c, in the order of
// core/cpu/simd/optimizers.cpp.
template <class T, int R>
__device__ void rule_step(const RuleArgs<T>& a, const T* c, int64_t i) {
  const T g = a.g[i];
  if constexpr (R == kRmsprop) {
    const T v = a.s[0][i] * c[0] + (g * g) * c[1];
    a.s[0][i] = v;
    T den = v + c[2];
    if (a.s[2]) {
      const T avg = a.s[2][i] * c[0] + g * c[1];
      a.s[2][i] = avg;
      den = (v - avg * avg) + c[2];
    }
    const T inc = (g * c[3]) / sqrt(den);
    if (a.s[1]) {
      const T m = a.s[1][i] * c[4] + inc;
      a.s[1][i] = m;
      a.w[i] = a.w[i] - m;
    } else {
      a.w[i] = a.w[i] - inc;
    }
  } else if constexpr (R == kNadam) {
    const T m0 = a.s[0][i], v0 = a.s[1][i];
    const T m = m0 + (g - m0) * c[0], v = v0 + (g * g - v0) * c[1];
    a.s[0][i] = m;
    a.s[1][i] = v;
    a.w[i] = a.w[i] - ((m * c[2] + g * c[3]) * c[5]) / (sqrt(v * c[4]) + c[6]);
  } else if constexpr (R == kAdagrad) {
    const T acc = a.s[0][i] + g * g;
    a.s[0][i] = acc;
    a.w[i] = a.w[i] - (g * c[0]) / sqrt(acc + c[1]);
  } else if constexpr (R == kAdadelta) {
    const T ag = a.s[0][i] * c[0] + (g * g) * c[1];
    a.s[0][i] = ag;
    const T ad = a.s[1][i];
    const T delta = -((sqrt(ad + c[2]) * g) / sqrt(ag + c[2]));
    a.s[1][i] = ad * c[0] + (delta * delta) * c[1];
    a.w[i] = a.w[i] + delta * c[3];
  } else if constexpr (R == kAdamax) {
    const T m0 = a.s[0][i];
    const T m = m0 + (g - m0) * c[0];
    a.s[0][i] = m;
    const T u = nan_max(a.s[1][i] * c[1], g < T(0) ? -g : g);
    a.s[1][i] = u;
    a.w[i] = a.w[i] - (m * c[2]) / (u + c[3]);
  } else if constexpr (R == kFtrl) {
    const T w0 = a.w[i], acc = a.s[0][i];
    const T g_shrunk = g + w0 * c[0];
    const T new_acc = acc + g * g;
    const T new_acc_p = pow(new_acc, c[1]);
    const T sigma = (new_acc_p - pow(acc, c[1])) / c[2];
    const T lin = a.s[1][i] + (g_shrunk - sigma * w0);
    a.s[1][i] = lin;
    const T quadratic = new_acc_p / c[2] + c[3];
    a.w[i] = (nan_min(nan_max(lin, c[4]), c[5]) - lin) / quadratic;
    a.s[0][i] = new_acc;
  } else {  // Lion
    const T m0 = a.s[0][i];
    const T d = m0 * c[0] + g * c[1];
    const T sign = d > T(0) ? T(1) : d < T(0) ? T(-1) : d == d ? T(0) : d;
    a.w[i] = a.w[i] - sign * c[2];
    a.s[0][i] = m0 * c[3] + g * c[4];
  }
}

template <class T, int R>
__global__ void rule_kernel(RuleArgs<T> a, int64_t n) {
  __shared__ T c[tr::kMaxConstants];
  if (threadIdx.x == 0) {
    const int64_t it = a.sc.iteration ? *a.sc.iteration : 0;
    const double u_product = a.sc.u_product ? *a.sc.u_product : 1.0;
    tr::rule_constants<T>(tr::Rule(R), a.p, *static_cast<const T*>(a.sc.lr), it, u_product, c);
  }
  __syncthreads();
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    rule_step<T, R>(a, c, i);
}

template <class T, int R>
void launch_rule(const RuleArgs<T>& a, int64_t n, cudaStream_t st) {
  rule_kernel<T, R><<<grid_for(n), kBlock, 0, st>>>(a, n);
}

template <class T>
void run_rule(int rule, void* w, const void* g, void* const* s, int64_t n, StepScalars sc, const tr::RuleParams& p,
              cudaStream_t st) {
  RuleArgs<T> a{static_cast<T*>(w), static_cast<const T*>(g), {}, sc, p};
  for (int i = 0; i < tr::kMaxSlots; ++i) a.s[i] = static_cast<T*>(s[i]);
  switch (rule) {
    case kRmsprop: return launch_rule<T, kRmsprop>(a, n, st);
    case kNadam: return launch_rule<T, kNadam>(a, n, st);
    case kAdagrad: return launch_rule<T, kAdagrad>(a, n, st);
    case kAdadelta: return launch_rule<T, kAdadelta>(a, n, st);
    case kAdamax: return launch_rule<T, kAdamax>(a, n, st);
    case kFtrl: return launch_rule<T, kFtrl>(a, n, st);
    default: return launch_rule<T, kLion>(a, n, st);
  }
}

}  // namespace

void optimizer_rule(tr::Rule rule, Dt dt, void* w, const void* g, void* const* s, int64_t n, StepScalars sc,
                    const tr::RuleParams& p, int device) {
  if (n == 0) return;
  DeviceGuard guard(device);
  const cudaStream_t st = context(device).stream;
  if (dt == Dt::f32) run_rule<float>(int(rule), w, g, s, n, sc, p, st);
  else run_rule<double>(int(rule), w, g, s, n, sc, p, st);
  check_launch("optimizer rule", device);
}

}  // namespace keras::core::cuda
