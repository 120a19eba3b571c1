// rnn.cpp - CPU kernels of the fused recurrent ops (core/rnn.h): their registration, the
// CPU's reserve size rule, and the helpers of core/cpu/rnn_kernel.h. The LSTM and GRU
// arithmetic is in rnn_lstm.cpp and rnn_gru.cpp.
//
// Speed: the input projection x @ kernel is one GEMM per chunk of timesteps (about 1 MiB
// of projections, read from cache by the steps that follow); each timestep
// is one GEMM h @ recurrent_kernel and one fused elementwise pass (the gates, the new
// states, the outputs and the reserve); the backward pass is one GEMM per timestep
// (dz @ recurrent_kernel^T) and an elementwise pass, then dx, dkernel and
// drecurrent_kernel as one GEMM each over every timestep. float32 and float64 (half
// dtypes run in float32: the ops are among core/half_ops.cpp's).
#include <algorithm>
#include <string>

#include "core/cpu/isa.h"
#include "core/cpu/parallel.h"
#include "core/cpu/rnn_kernel.h"
#include "core/init.h"
#include "core/kernel_dtypes.h"
#include "core/rnn_reserve.h"

namespace keras::core::cpu::rnn {

template <class T>
void column_sums(const T* m, int64_t rows, int64_t n, int64_t ld, T* sum) {
  const int64_t grain = std::max<int64_t>(16, kElementwiseGrain / std::max<int64_t>(1, rows));
  parallel_for(n, grain, [&](int64_t j0, int64_t j1) {
    std::fill(sum + j0, sum + j1, T(0));
    for (int64_t r = 0; r < rows; ++r) {
      const T* __restrict row = m + r * ld;
      T* __restrict s = sum;
      for (int64_t j = j0; j < j1; ++j) s[j] += row[j];
    }
  });
}
template void column_sums<float>(const float*, int64_t, int64_t, int64_t, float*);
template void column_sums<double>(const double*, int64_t, int64_t, int64_t, double*);

void over_batch(int64_t batch, int64_t per_row, void (*fn)(void*, int64_t, int64_t), void* ctx) {
  const int64_t grain = std::max<int64_t>(1, kElementwiseGrain / 8 / std::max<int64_t>(1, per_row));
  parallel_for_impl(batch, grain, fn, ctx);
}

template <class T>
void sigmoid(const T* x, T* y, int64_t n) {
  vec_unary<T>(OpId::Sigmoid, false)(x, y, n, T(0));
}
template <class T>
void tanh(const T* x, T* y, int64_t n) {
  vec_unary<T>(OpId::Tanh, false)(x, y, n, T(0));
}
template void sigmoid<float>(const float*, float*, int64_t);
template void sigmoid<double>(const double*, double*, int64_t);
template void tanh<float>(const float*, float*, int64_t);
template void tanh<double>(const double*, double*, int64_t);

template <class T>
Scratch<T>::Scratch(int64_t n)
    : t_(empty(Shape{n}, sizeof(T) == 4 ? DType::float32 : DType::float64)),
      p_(static_cast<T*>(t_.raw_mutable_data())) {}
template class Scratch<float>;
template class Scratch<double>;

template <class T>
void to_time_major(const T* src, T* dst, int64_t batch, int64_t time, int64_t cols) {
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t t = 0; t < time; ++t)
      std::copy(src + (b * time + t) * cols, src + (b * time + t + 1) * cols, dst + (t * batch + b) * cols);
}
template <class T>
void to_batch_major(const T* src, T* dst, int64_t batch, int64_t time, int64_t cols) {
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t t = 0; t < time; ++t)
      std::copy(src + (t * batch + b) * cols, src + (t * batch + b + 1) * cols, dst + (b * time + t) * cols);
}
template void to_time_major<float>(const float*, float*, int64_t, int64_t, int64_t);
template void to_time_major<double>(const double*, double*, int64_t, int64_t, int64_t);
template void to_batch_major<float>(const float*, float*, int64_t, int64_t, int64_t);
template void to_batch_major<double>(const double*, double*, int64_t, int64_t, int64_t);

template <class T>
void project(const T* xt, const T* kernel, const T* bias, int64_t t0, int64_t n, int64_t batch, int64_t input,
             int64_t gates, T* out) {
  const int64_t rows = n * batch;
  gemm(false, false, rows, gates, input, xt + t0 * batch * input, input, kernel, gates, out, gates);
  for_batch(rows, gates, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      T* __restrict row = out + r * gates;
      for (int64_t j = 0; j < gates; ++j) row[j] = row[j] + bias[j];
    }
  });
}
template void project<float>(const float*, const float*, const float*, int64_t, int64_t, int64_t, int64_t, int64_t,
                             float*);
template void project<double>(const double*, const double*, const double*, int64_t, int64_t, int64_t, int64_t,
                              int64_t, double*);

int64_t projection_chunk(int64_t batch, int64_t gates, int64_t elem, int64_t time) {
  const int64_t per_step = std::max<int64_t>(1, batch * gates * elem);
  return std::clamp<int64_t>((int64_t(1) << 20) / per_step, 1, std::max<int64_t>(1, time));
}

template <class T>
void previous_states(const Dims& d, const T* y, const T* h0, const bool* mask, T* hp) {
  const int64_t U = d.units, B = d.batch, Tn = d.time;
  for (int64_t b = 0; b < B; ++b) {
    const T* state = h0 + b * U;
    for (int64_t t = 0; t < Tn; ++t) {
      std::copy(state, state + U, hp + (t * B + b) * U);
      if (!mask || mask[b * Tn + t]) state = y + (b * Tn + t) * U;
    }
  }
}
template void previous_states<float>(const Dims&, const float*, const float*, const bool*, float*);
template void previous_states<double>(const Dims&, const double*, const double*, const bool*, double*);

int64_t lstm_reserve_bytes(const Dims& d, int64_t elem) { return d.rows() * 5 * d.units * elem; }
int64_t gru_reserve_bytes(const Dims& d, int64_t elem) { return d.rows() * 4 * d.units * elem; }

bool check_reserve(const OpCall& c, const Tensor& reserve, int64_t want) {
  if (reserve.size() == 0 && want > 0) return true;
  if (reserve.size() != want)
    throw_invalid(std::string(c.name()) + ": expected reserve of " + std::to_string(want) +
                  " bytes (what a training forward on the CPU writes for these shapes) or an empty one, but "
                  "received " + std::to_string(reserve.size()) + " bytes");
  return false;
}

namespace {

int64_t cpu_reserve_bytes(const RnnDims& r, const Device&) {
  const Dims d{r.batch, r.time, r.input, r.units};
  const int64_t elem = r.dtype == DType::float64 ? 8 : 4;
  return r.cell == RnnCell::kLstm ? lstm_reserve_bytes(d, elem) : gru_reserve_bytes(d, elem);
}

template <class T>
void run(OpCall& c) {
  switch (c.op) {
    case OpId::LstmSequence: return lstm_forward<T>(c);
    case OpId::LstmSequenceGrad: return lstm_backward<T>(c);
    case OpId::GruSequence: return gru_forward<T>(c);
    case OpId::GruSequenceGrad: return gru_backward<T>(c);
    default: return;
  }
}

void rnn_kernel(OpCall& c) {
  FlushDenormals ftz;
  if (c.in(0).dtype() == DType::float32) return run<float>(c);
  run<double>(c);
}

}  // namespace
}  // namespace keras::core::cpu::rnn

namespace keras::core {
void register_cpu_rnn_kernels() {
  register_rnn_reserve_bytes(Device::Kind::CPU, cpu::rnn::cpu_reserve_bytes);
  register_rnn_masks(Device::Kind::CPU);
  for (OpId op : {OpId::LstmSequence, OpId::LstmSequenceGrad, OpId::GruSequence, OpId::GruSequenceGrad}) {
    register_kernel(op, Device::Kind::CPU, cpu::rnn::rnn_kernel);
    declare_kernel_dtypes(op, Device::Kind::CPU, {DType::float32, DType::float64});
  }
}
}  // namespace keras::core
