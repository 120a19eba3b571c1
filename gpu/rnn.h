// rnn.h - (engine-internal) the CUDA launchers of the fused recurrent ops (core/rnn.h) on
// cuDNN's RNN API (gpu/cudnn_rnn.cu), in plain C++ for gpu/register_rnn.cpp. Every
// pointer is device memory of the dims' dtype (float32, float64 or float16), the reserve uint8.
// Without cuDNN's RNN entry points (libcudnn missing or too old, KERAS_CPP_CUDNN=0) each
// raises std::invalid_argument naming the op: there is no other CUDA kernel for them.
#pragma once
#include <cstdint>

#include "core/rnn_reserve.h"

namespace keras::core::cuda {

/// The inputs of lstm_sequence / gru_sequence (c0 null for GRU).
struct RnnInputs {
  RnnDims dims;
  const void *x = nullptr, *h0 = nullptr, *c0 = nullptr, *kernel = nullptr, *recurrent = nullptr, *bias = nullptr;
};

/// The bytes of cuDNN's reserve space for a training forward of `dims` on `device`
/// (cudnnGetRNNTempSpaceSizes, CUDNN_FWD_MODE_TRAINING); 0 for an empty batch.
int64_t cudnn_rnn_reserve_bytes(const RnnDims& dims, int device);

/// The forward pass: y (batch, time, units), h and c (c null for GRU) the last states;
/// training writes cuDNN's reserve space (reserve_bytes must be cudnn_rnn_reserve_bytes),
/// else inference (no reserve).
void cudnn_rnn_forward(const RnnInputs& in, bool training, void* y, void* h, void* c, void* reserve,
                       int64_t reserve_bytes, int device);

/// The backward pass from the forward's y and reserve (an empty reserve: a training
/// forward runs here to make one) and the gradients dy, dh, dc (dc null for GRU): dx,
/// dh0, dc0 (null for GRU) and the weight gradients in Keras's layouts.
void cudnn_rnn_backward(const RnnInputs& in, const void* y, const void* reserve, int64_t reserve_bytes,
                        const void* dy, const void* dh, const void* dc, void* dx, void* dh0, void* dc0,
                        void* dkernel, void* drecurrent, void* dbias, int device);

/// For tests: packs in's weights into cuDNN's weight space as the ops do and unpacks them
/// into kernel, recurrent and bias (Keras's layouts, device memory), which must then equal
/// the inputs. Needs a batch of at least 1 (only its sizes are used).
void cudnn_rnn_weights_round_trip(const RnnInputs& in, void* kernel, void* recurrent, void* bias, int device);

}  // namespace keras::core::cuda
