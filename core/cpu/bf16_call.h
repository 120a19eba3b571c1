// bf16_call.h - (engine-internal) a CPU kernel's bfloat16 call: its native form (oneDNN's
// BF16 primitives, where onednn::prefer_for_bf16_gemm()) or its float32 form on widened
// copies of the inputs, whose result is rounded once into the output (elsewhere, and under
// onednn::force_bf16_gemm(0)). conv.cpp and pool.cpp use it.
#pragma once
#include <cstdint>
#include <vector>

#include "core/cpu/convert.h"
#include "core/cpu/onednn.h"
#include "core/dispatch.h"

namespace keras::core::cpu {

// native(inputs' bits..., output bits) or widened(float inputs..., float output), with the
// call's first `N` inputs.
template <size_t N, class Native, class Widened>
void bf16_call(OpCall& c, Native native, Widened widened) {
  auto bits = [&](size_t i) { return static_cast<const uint16_t*>(c.in(i).raw_data()); };
  uint16_t* y = static_cast<uint16_t*>(c.outputs[0].raw_mutable_data());
  if (onednn::prefer_for_bf16_gemm()) {
    if constexpr (N == 1) return native(bits(0), y);
    else return native(bits(0), bits(1), y);
  }
  std::vector<float> in[N], out(static_cast<size_t>(c.outputs[0].size()));
  for (size_t i = 0; i < N; ++i) {
    in[i].resize(static_cast<size_t>(c.in(i).size()));
    convert(bits(i), DType::bfloat16, in[i].data(), DType::float32, c.in(i).size());
  }
  if constexpr (N == 1) widened(static_cast<const float*>(in[0].data()), out.data());
  else widened(static_cast<const float*>(in[0].data()), static_cast<const float*>(in[1].data()), out.data());
  convert(out.data(), DType::float32, y, DType::bfloat16, c.outputs[0].size());
}

}  // namespace keras::core::cpu
