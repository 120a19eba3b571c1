// cudnn_rnn.cuh - (CUDA-internal) where each element of the Keras weights of a fused
// recurrent op (core/rnn.h) lives in cuDNN's RNN weight space (gpu/cudnn_rnn.cu): the
// index arithmetic of the packing kernels, __host__ __device__ so that a host test
// (tests/gpu/test_cuda_rnn_pack.cu) checks it in every CUDA build, also without a GPU.
//
// cuDNN keeps one matrix and one bias vector per "linear layer" (linLayerID): for LSTM,
// ids 0..3 are the input-side products of the gates i, f, c (the cell candidate), o and
// ids 4..7 the recurrent-side ones in the same order; for GRU, ids 0..2 are the input side
// of r (reset), z (update), h' (the candidate) and ids 3..5 the recurrent side. Each
// matrix is (units, cols) row-major (cols: input for the input side, units for the
// recurrent one): gate = W x, the transpose of Keras's per-gate block of x @ kernel. Keras
// orders LSTM's gates i, f, c, o (cuDNN's order) and GRU's z, r, h (cuDNN's r and z
// swapped). Biases: LSTM's single Keras bias goes to the input side and the recurrent-side
// biases stay zero (cuDNN adds both, so its gradient is the input side's); GRU's bias row
// 0 is the input side, row 1 the recurrent side (inside the reset gate's product, as
// Keras's reset_after = true).
#pragma once
#include <cstdint>

#if defined(__CUDACC__)
#define KERAS_RNN_HD __host__ __device__
#else
#define KERAS_RNN_HD
#endif

namespace keras::core::cuda {

/// The Keras tensors a weight space is packed from (and the gradients unpacked into).
enum class RnnPart : int { kKernel = 0, kRecurrent = 1, kBias = 2 };

/// Where cuDNN put each linear layer's matrix and bias in a weight space, in elements from
/// its start (cudnnGetRNNWeightParams), and the sizes of the layer.
struct RnnWeightMap {
  int gates = 4;              ///< 4 (LSTM) or 3 (GRU)
  bool gru = false;           ///< GRU: Keras's gates z, r, h; two bias rows
  int64_t input = 0, units = 0;
  int64_t mat[8] = {};        ///< element offset of linLayerID's matrix
  int64_t bias[8] = {};       ///< element offset of linLayerID's bias
};

/// The cuDNN gate (input-side linLayerID) of Keras's gate g: LSTM's are the same, GRU's
/// z and r swap (cuDNN orders r, z, h').
KERAS_RNN_HD inline int rnn_cudnn_gate(const RnnWeightMap& m, int g) { return m.gru && g < 2 ? 1 - g : g; }

/// The Keras tensor's shape as (rows, cols): kernel (input, gates * units),
/// recurrent_kernel (units, gates * units), bias (1 or 2, gates * units).
KERAS_RNN_HD inline int64_t rnn_part_rows(const RnnWeightMap& m, RnnPart p) {
  return p == RnnPart::kKernel ? m.input : p == RnnPart::kRecurrent ? m.units : (m.gru ? 2 : 1);
}

/// The weight-space index (elements) of the Keras element (r, c) of part p.
KERAS_RNN_HD inline int64_t rnn_weight_index(const RnnWeightMap& m, RnnPart p, int64_t r, int64_t c) {
  const int g = int(c / m.units);
  const int64_t u = c % m.units;
  const int id = rnn_cudnn_gate(m, g);
  switch (p) {
    case RnnPart::kKernel: return m.mat[id] + u * m.input + r;
    case RnnPart::kRecurrent: return m.mat[m.gates + id] + u * m.units + r;
    default: return m.bias[int(r) * m.gates + id] + u;
  }
}

}  // namespace keras::core::cuda
