// isa.cpp - picks the vector kernels' ISA at first use (core/cpu/isa.h) and reports it
// (core/cpu_features.h).
#include "core/cpu/isa.h"

#include <atomic>
#include <cstdlib>
#include <string>

#include "core/cpu_features.h"
#include "core/dispatch.h"

namespace keras::core::cpu {
namespace {

bool cpu_has(Isa isa) {
#if defined(__x86_64__) || defined(__i386__)
  switch (isa) {
    case Isa::baseline: return true;
    case Isa::avx2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case Isa::avx512:
      return cpu_has(Isa::avx2) && __builtin_cpu_supports("avx512f") &&
             __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
             __builtin_cpu_supports("avx512cd") && __builtin_cpu_supports("avx512vl");
  }
#endif
  return isa == Isa::baseline;
}

template <void (*... Fill)(IsaKernels&)>
IsaKernels make(Isa isa) {
  IsaKernels k;
  k.isa = isa;
  (Fill(k), ...);
  return k;
}

// Filled at the first use of each ISA, which is one the CPU runs: the fillers are
// compiled for their ISA too (their stores may use its instructions).
const IsaKernels& table(Isa isa) {
  switch (isa) {
    case Isa::avx512: {
      static const IsaKernels t = make<avx512::fill_unary, avx512::fill_binary, avx512::fill_nn,
                                       avx512::fill_training, avx512::fill_reduce, avx512::fill_random>(isa);
      return t;
    }
    case Isa::avx2: {
      static const IsaKernels t = make<avx2::fill_unary, avx2::fill_binary, avx2::fill_nn,
                                       avx2::fill_training, avx2::fill_reduce, avx2::fill_random>(isa);
      return t;
    }
    case Isa::baseline: break;
  }
  static const IsaKernels t = make<baseline::fill_unary, baseline::fill_binary, baseline::fill_nn,
                                   baseline::fill_training, baseline::fill_reduce, baseline::fill_random>(Isa::baseline);
  return t;
}

// The ISA of the environment variable, capped at what the CPU has; else the best.
Isa initial_isa() {
  Isa isa = best_isa();
  const char* env = std::getenv("KERAS_CPP_CPU_ISA");
  if (!env || !*env) return isa;
  const std::string s = env;
  Isa want;
  if (s == "baseline") want = Isa::baseline;
  else if (s == "avx2") want = Isa::avx2;
  else if (s == "avx512") want = Isa::avx512;
  else throw_invalid("KERAS_CPP_CPU_ISA: expected baseline, avx2 or avx512, received '" + s + "'");
  return int(want) < int(isa) ? want : isa;
}

std::atomic<const IsaKernels*>& active() {
  static std::atomic<const IsaKernels*> a{&table(initial_isa())};
  return a;
}

}  // namespace

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::avx512: return "avx512";
    case Isa::avx2: return "avx2";
    case Isa::baseline: break;
  }
  return "baseline";
}

Isa best_isa() {
  static const Isa best = cpu_has(Isa::avx512) ? Isa::avx512 : cpu_has(Isa::avx2) ? Isa::avx2 : Isa::baseline;
  return best;
}

const IsaKernels& isa_kernels() { return *active().load(std::memory_order_acquire); }

bool set_isa(Isa isa) {
  if (!cpu_has(isa)) return false;
  active().store(&table(isa), std::memory_order_release);
  return true;
}

template <class T>
typename VecKernels<T>::Unary vec_unary(OpId op, bool gelu_tanh) {
  VecOp v;
  switch (op) {
    case OpId::Exp: v = VecOp::Exp; break;
    case OpId::Expm1: v = VecOp::Expm1; break;
    case OpId::Log: v = VecOp::Log; break;
    case OpId::Log1p: v = VecOp::Log1p; break;
    case OpId::Sqrt: v = VecOp::Sqrt; break;
    case OpId::Rsqrt: v = VecOp::Rsqrt; break;
    case OpId::Reciprocal: v = VecOp::Reciprocal; break;
    case OpId::Tanh: v = VecOp::Tanh; break;
    case OpId::Sigmoid: v = VecOp::Sigmoid; break;
    case OpId::LeakyRelu: v = VecOp::LeakyRelu; break;
    case OpId::Elu: v = VecOp::Elu; break;
    case OpId::Selu: v = VecOp::Selu; break;
    case OpId::Gelu: v = gelu_tanh ? VecOp::GeluTanh : VecOp::GeluErf; break;
    case OpId::Silu: v = VecOp::Silu; break;
    case OpId::Softplus: v = VecOp::Softplus; break;
    case OpId::Softsign: v = VecOp::Softsign; break;
    case OpId::Abs: v = VecOp::Abs; break;
    case OpId::Round: v = VecOp::Round; break;
    case OpId::Floor: v = VecOp::Floor; break;
    case OpId::Ceil: v = VecOp::Ceil; break;
    default: return nullptr;
  }
  return isa_kernels().of<T>().unary[int(v)];
}
template VecKernels<float>::Unary vec_unary<float>(OpId, bool);
template VecKernels<double>::Unary vec_unary<double>(OpId, bool);

template <class T>
typename VecKernels<T>::Binary vec_binary(OpId op) {
  VecBinOp v;
  switch (op) {
    case OpId::Add: v = VecBinOp::Add; break;
    case OpId::Sub: v = VecBinOp::Sub; break;
    case OpId::Mul: v = VecBinOp::Mul; break;
    case OpId::Div: v = VecBinOp::Div; break;
    case OpId::Maximum: v = VecBinOp::Maximum; break;
    case OpId::Minimum: v = VecBinOp::Minimum; break;
    case OpId::SquaredDifference: v = VecBinOp::SquaredDifference; break;
    default: return nullptr;
  }
  return isa_kernels().of<T>().binary[int(v)];
}
template VecKernels<float>::Binary vec_binary<float>(OpId);
template VecKernels<double>::Binary vec_binary<double>(OpId);

}  // namespace keras::core::cpu

namespace keras::core {

CpuFeatures cpu_features() {
  CpuFeatures f;
  f.isa = cpu::isa_name(cpu::isa_kernels().isa);
  f.best_isa = cpu::isa_name(cpu::best_isa());
#if defined(__x86_64__) || defined(__i386__)
#define KERAS_CPP_FEATURE(name) \
  if (__builtin_cpu_supports(name)) f.features.push_back(name);
  KERAS_CPP_FEATURE("sse2") KERAS_CPP_FEATURE("sse4.2") KERAS_CPP_FEATURE("avx")
  KERAS_CPP_FEATURE("avx2") KERAS_CPP_FEATURE("fma") KERAS_CPP_FEATURE("avx512f")
  KERAS_CPP_FEATURE("avx512cd") KERAS_CPP_FEATURE("avx512dq") KERAS_CPP_FEATURE("avx512bw")
  KERAS_CPP_FEATURE("avx512vl") KERAS_CPP_FEATURE("avx512bf16")
#undef KERAS_CPP_FEATURE
#endif
  return f;
}

std::string CpuFeatures::str() const {
  std::string s = "isa=" + isa + " best=" + best_isa + " features=";
  for (size_t i = 0; i < features.size(); ++i) s += (i ? "," : "") + features[i];
  return s;
}

}  // namespace keras::core
