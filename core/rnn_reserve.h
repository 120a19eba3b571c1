// rnn_reserve.h - (private to the engine) what each device's kernels of the fused recurrent
// ops (core/rnn.h) declare: whether they take a mask, and the size of the reserve
// output, which each device's kernel chooses: lstm_sequence and gru_sequence's
// shape rule asks the function registered for the inputs' device kind. The CPU kernel
// (core/cpu/rnn.cpp) registers its own; the CUDA backend asks cuDNN
// (cudnnGetRNNTempSpaceSizes) on the inputs' device.
#pragma once
#include <cstdint>

#include "core/device.h"
#include "core/dtype.h"

namespace keras::core {

enum class RnnCell { kLstm, kGru };

/// What a reserve's size depends on.
struct RnnDims {
  RnnCell cell = RnnCell::kLstm;
  int64_t batch = 0, time = 0, input = 0, units = 0;
  DType dtype = DType::float32;
};

/// Bytes of the reserve a training-mode forward on `device` writes for `dims`.
using RnnReserveBytesFn = int64_t (*)(const RnnDims& dims, const Device& device);

/// Registers the size rule of a device kind (backends do, at init).
void register_rnn_reserve_bytes(Device::Kind kind, RnnReserveBytesFn fn);
/// The registered rule's answer; raises std::invalid_argument naming the op and the device
/// when the kind registered none (no recurrent kernel there).
int64_t rnn_reserve_bytes(const char* op, const RnnDims& dims, const Device& device);

/// Declares that the kernels of a device kind take the ops' optional mask input
/// (rnn_kernel_takes_masks in core/rnn.h answers from these declarations).
void register_rnn_masks(Device::Kind kind);

}  // namespace keras::core
