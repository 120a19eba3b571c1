// cpu_features.h - which vector instruction set the engine's CPU kernels use.
//
//   keras::config::cpu_features().isa   // "avx512", "avx2" or "baseline"
//
// The kernels are compiled for baseline x86-64 (SSE2), AVX2+FMA and AVX-512; the engine
// runs the best set the CPU supports, or the one named by the environment variable
// KERAS_CPP_CPU_ISA=baseline|avx2|avx512 when the CPU supports it (read at first use).
#pragma once
#include <string>
#include <vector>

namespace keras::core {

/// The CPU's vector instruction sets and the one the engine's kernels use.
struct CpuFeatures {
  std::string isa;                    ///< the set in use: "avx512", "avx2" or "baseline"
  std::string best_isa;               ///< the best set this CPU supports
  std::vector<std::string> features;  ///< what the CPU reports: "sse2", "avx2", "fma", ...
  std::string str() const;            ///< "isa=avx2 best=avx512 features=sse2,avx,..."
};

/// What this CPU supports and which kernel set was picked (keras::config::cpu_features).
CpuFeatures cpu_features();

}  // namespace keras::core
