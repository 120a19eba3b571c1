// lora.h - the options of enable_lora (LoRA, low-rank adaptation), which Dense,
// EinsumDense and Embedding take as Keras does:
//
//   dense->enable_lora(4);   // kernel frozen; trains lora_kernel_a @ lora_kernel_b
//
// The layer then computes with kernel + (lora_alpha / rank) * (a @ b), where a and b are
// float32 and trainable and the kernel is frozen; b starts at zero, so enabling LoRA does
// not change the outputs. A Keras weights file stores the merged kernel and not a and b.
#pragma once
#include <optional>

#include "keras/layers/args.h"

namespace keras::layers {

/// Options of enable_lora (Keras's keyword arguments).
struct LoraOptions {
  /// The update is scaled by lora_alpha / rank (unset: rank, a scale of 1).
  std::optional<double> lora_alpha{};
  /// Initializer of the first factor (default he_uniform).
  InitializerArg a_initializer = "he_uniform";
  /// Initializer of the second factor (default zeros).
  InitializerArg b_initializer = "zeros";
};

}  // namespace keras::layers
