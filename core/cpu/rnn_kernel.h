// rnn_kernel.h - (engine-internal) what the CPU kernels of the fused recurrent ops share
// (core/cpu/rnn.cpp registers them; core/cpu/rnn_lstm.cpp and rnn_gru.cpp compute them):
// the dimensions, the gate activations and deterministic column sums.
//
// Layouts: x (batch, time, input) is copied time-major, batch * time rows (row t * batch +
// b), so that the input projection x @ kernel (one GEMM per chunk of timesteps) holds
// each timestep's rows together; the per-row gate gradients dz of the backward pass are written in the same
// row order, so dkernel = x^T dz, dx = dz kernel^T and drecurrent_kernel = h_prev^T dz
// are one GEMM each, and dz @ recurrent_kernel^T of one timestep reads contiguous rows. The reserve holds, per timestep and batch row, the activated gates (LSTM: i, f,
// g, o, then the cell state c; GRU: z, r, n, then the recurrent candidate product hh).
#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

#include "core/cpu/gemm.h"
#include "core/tensor_impl.h"

#include "core/dispatch.h"

namespace keras::core::cpu::rnn {

struct Dims {
  int64_t batch = 0, time = 0, input = 0, units = 0;
  int64_t rows() const { return batch * time; }
};

// The sizes of a recurrent op's call: x (batch, time, input) and h0 (batch, units).
inline Dims dims_of(const OpCall& c) {
  const Shape& x = c.in(0).shape();
  return {x[0], x[1], x[2], c.in(1).shape()[1]};
}

// The GEMMs: core/cpu/gemm.h's (as matmul's).
using cpu::gemm;

// sum[j] (+)= sum over rows r of m[r * ld + j], j < n, in row order (the result does not
// depend on the thread count: columns are split, rows are not).
template <class T>
void column_sums(const T* m, int64_t rows, int64_t n, int64_t ld, T* sum);

// Runs body(b0, b1) over batch rows [0, batch) split over the pool (each row's elements are
// independent, so the split does not change any result).
void over_batch(int64_t batch, int64_t per_row, void (*fn)(void*, int64_t, int64_t), void* ctx);
template <class F>
void for_batch(int64_t batch, int64_t per_row, F&& f) {
  over_batch(batch, per_row, [](void* c, int64_t b, int64_t e) { (*static_cast<F*>(c))(b, e); }, &f);
}

// y = sigmoid(x) and y = tanh(x) over n elements: the engine's vector kernels of the
// sigmoid and tanh ops (core/cpu/isa.h), so the fused ops compute what the composed cell does.
template <class T>
void sigmoid(const T* x, T* y, int64_t n);
template <class T>
void tanh(const T* x, T* y, int64_t n);

// Uninitialized memory for n elements of T from the engine's allocator cache.
template <class T>
class Scratch {
 public:
  explicit Scratch(int64_t n);
  T* data() const { return p_; }

 private:
  Tensor t_;
  T* p_ = nullptr;
};

// The input projection x @ kernel + bias of timesteps [t0, t0 + n) of the time-major x
// (time * batch, input) into out (n * batch, gates), one GEMM.
template <class T>
void project(const T* xt, const T* kernel, const T* bias, int64_t t0, int64_t n, int64_t batch, int64_t input,
             int64_t gates, T* out);
// How many timesteps the forward kernels project at once: about 1 MiB of projections,
// which stay in cache until their steps read them (all timesteps at once would stream
// batch * time * gates values through memory), at least one.
int64_t projection_chunk(int64_t batch, int64_t gates, int64_t elem, int64_t time);

// src (batch, time, cols) into dst (time, batch, cols), and back.
template <class T>
void to_time_major(const T* src, T* dst, int64_t batch, int64_t time, int64_t cols);
template <class T>
void to_batch_major(const T* src, T* dst, int64_t batch, int64_t time, int64_t cols);

// The hidden state before every step (t, b), time-major, as a (time * batch, units)
// matrix: y[b, t - 1], or h0[b] at t = 0; with a mask, the output of row b's last unmasked
// step before t, or h0[b] before its first.
template <class T>
void previous_states(const Dims& d, const T* y, const T* h0, const bool* mask, T* hp);

// The optional mask input (bool (batch, time), the input after the op's `unmasked` ones),
// or nullptr. A masked step (mask[b * time + t] false) leaves row b's states as they are
// and repeats its previous output (zeros before its first unmasked step); its backward
// pass carries the gradient of a repeated output back to the step that computed it.
inline const bool* mask_of(const OpCall& c, size_t unmasked) {
  return c.inputs.size() > unmasked ? c.inputs.back().data<bool>() : nullptr;
}

// The forward pass at a masked step of row b: its output y[b, t] repeats y[b, t - 1]
// (zeros at t = 0).
template <class T>
void repeat_output(T* y, int64_t b, int64_t t, int64_t time, int64_t units) {
  T* yb = y + (b * time + t) * units;
  if (t == 0) std::fill(yb, yb + units, T(0));
  else std::copy(yb - units, yb, yb);
}

// The backward pass's carry of row b at step t (carry: the gradient of the outputs that
// repeat the row's last computed one): a masked step adds dy[b, t] to it and returns true
// (the step has no gates); an unmasked step adds it to dh[b], the gradient of its own
// output, clears it and returns false. Without a mask, false.
template <class T>
bool carry_masked(const bool* mask, int64_t b, int64_t t, int64_t time, int64_t units, const T* dy, T* carry, T* dh) {
  if (!mask) return false;
  T* cr = carry + b * units;
  if (!mask[b * time + t]) {
    const T* dyb = dy + (b * time + t) * units;
    for (int64_t j = 0; j < units; ++j) cr[j] += dyb[j];
    return true;
  }
  T* dhb = dh + b * units;
  for (int64_t j = 0; j < units; ++j) dhb[j] += cr[j];
  std::fill(cr, cr + units, T(0));
  return false;
}

// The kernels (core/cpu/rnn_lstm.cpp, rnn_gru.cpp), on float and double.
template <class T>
void lstm_forward(OpCall& c);
template <class T>
void lstm_backward(OpCall& c);
template <class T>
void gru_forward(OpCall& c);
template <class T>
void gru_backward(OpCall& c);

// The reserve sizes in bytes (also the CPU's registered size rule).
int64_t lstm_reserve_bytes(const Dims& d, int64_t elem);
int64_t gru_reserve_bytes(const Dims& d, int64_t elem);

// Whether the backward op received no reserve (it then runs the training forward itself:
// the contract of every device's backward op); raises std::invalid_argument unless the
// reserve is empty or of the training forward's size.
bool check_reserve(const OpCall& c, const Tensor& reserve, int64_t want);

}  // namespace keras::core::cpu::rnn
