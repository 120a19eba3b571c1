// rnn_lstm.cpp - the CPU kernels of lstm_sequence and lstm_sequence_grad (core/rnn.h;
// layouts in core/cpu/rnn_kernel.h). Forward, per timestep t and batch row:
//   z = (x[t] @ kernel + bias) + h @ recurrent_kernel; i, f, o = sigmoid; g = tanh;
//   c = f * c + i * g; h = o * tanh(c)
// (the composed cell's operations in its order). The reserve keeps i, f, g, o and c (a
// masked step: zero gates and the cell state it keeps).
// Backward, from the last timestep: dh = dy[t] + dh_next;
//   do = dh * tanh(c); dc = dc_next + dh * o * (1 - tanh(c)^2);
//   di = dc * g; df = dc * c_prev; dg = dc * i; dc_next = dc * f;
//   dz = (di i (1 - i), df f (1 - f), dg (1 - g^2), do o (1 - o)); dh_next = dz @ recurrent_kernel^T.
#include <algorithm>
#include <vector>

#include "core/cpu/rnn_kernel.h"

namespace keras::core::cpu::rnn {
namespace {
template <class T>
struct Forward {
  const T *x, *h0, *c0, *kernel, *rec, *bias;
  T *y, *h_last, *c_last, *reserve;  // reserve: null without training
  const bool* mask = nullptr;        // (batch, time), or null
};

// The forward pass (also run by the backward op when it receives no reserve).
template <class T>
void run_forward(const Dims& d, const Forward<T>& a) {
  const int64_t B = d.batch, Tn = d.time, U = d.units, G = 4 * U, rows = d.rows();
  const T *x = a.x, *h0 = a.h0, *c0 = a.c0, *kernel = a.kernel, *rec = a.rec, *bias = a.bias;
  T *y = a.y, *h_last = a.h_last, *c_last = a.c_last, *reserve = a.reserve;
  const bool* mask = a.mask;
  if (B == 0) return;
  // The input projections, bias included, a chunk of timesteps at a time (time-major).
  const int64_t chunk = projection_chunk(B, G, sizeof(T), Tn);
  Scratch<T> xt(rows * d.input), xw(chunk * B * G);
  to_time_major(x, xt.data(), B, Tn, d.input);
  std::vector<T> z(size_t(B * G)), cell(c0, c0 + B * U);
  // With a mask, the hidden states apart from y (which holds the outputs).
  std::vector<T> hs;
  if (mask) hs.assign(h0, h0 + B * U);
  for (int64_t t = 0; t < Tn; ++t) {
    if (t % chunk == 0) project(xt.data(), kernel, bias, t, std::min(chunk, Tn - t), B, d.input, G, xw.data());
    // z = h_prev @ recurrent_kernel; h_prev is h0 or y[:, t - 1] (row stride time * units).
    const T* hp = mask ? hs.data() : t == 0 ? h0 : y + (t - 1) * U;
    gemm(false, false, B, G, U, hp, mask || t == 0 ? U : Tn * U, rec, G, z.data(), G);
    for_batch(B, 5 * U, [&](int64_t b0, int64_t b1) {
      for (int64_t b = b0; b < b1; ++b) {
        if (mask && !mask[b * Tn + t]) {  // the states stay; the previous output repeats
          repeat_output(y, b, t, Tn, U);
          if (reserve) {
            T* res = reserve + (t * B + b) * 5 * U;
            std::fill(res, res + G, T(0));
            std::copy(cell.data() + b * U, cell.data() + (b + 1) * U, res + G);
          }
          continue;
        }
        T* __restrict zb = z.data() + b * G;
        const T* __restrict xr = xw.data() + ((t % chunk) * B + b) * G;
        for (int64_t j = 0; j < G; ++j) zb[j] = xr[j] + zb[j];
        sigmoid(zb, zb, 2 * U);
        tanh(zb + 2 * U, zb + 2 * U, U);
        sigmoid(zb + 3 * U, zb + 3 * U, U);
        T* __restrict cb = cell.data() + b * U;
        T* __restrict yb = y + (b * Tn + t) * U;
        for (int64_t j = 0; j < U; ++j) cb[j] = zb[U + j] * cb[j] + zb[j] * zb[2 * U + j];
        tanh(cb, yb, U);
        for (int64_t j = 0; j < U; ++j) yb[j] = zb[3 * U + j] * yb[j];
        if (reserve) {
          T* res = reserve + (t * B + b) * 5 * U;
          std::copy(zb, zb + G, res);
          std::copy(cb, cb + U, res + G);
        }
        if (mask) std::copy(yb, yb + U, hs.data() + b * U);
      }
    });
  }
  if (mask) std::copy(hs.begin(), hs.end(), h_last);
  else
    for (int64_t b = 0; b < B; ++b) std::copy(y + (b * Tn + Tn - 1) * U, y + (b * Tn + Tn) * U, h_last + b * U);
  std::copy(cell.begin(), cell.end(), c_last);
}
}  // namespace

template <class T>
void lstm_forward(OpCall& c) {
  run_forward<T>(dims_of(c), {c.in_data<T>(0), c.in_data<T>(1), c.in_data<T>(2), c.in_data<T>(3), c.in_data<T>(4),
                              c.in_data<T>(5), c.out_data<T>(0), c.out_data<T>(1), c.out_data<T>(2),
                              c.attrs.flag ? c.out_data<T>(3) : nullptr, mask_of(c, 6)});
}

template <class T>
void lstm_backward(OpCall& c) {
  const Dims d = dims_of(c);
  const int64_t B = d.batch, Tn = d.time, U = d.units, G = 4 * U, I = d.input, rows = d.rows();
  const T *x = c.in_data<T>(0), *h0 = c.in_data<T>(1), *c0 = c.in_data<T>(2), *kernel = c.in_data<T>(3),
          *rec = c.in_data<T>(4), *y = c.in_data<T>(6), *reserve = c.in_data<T>(7), *dy = c.in_data<T>(8);
  const bool* mask = mask_of(c, 11);
  // No reserve (a forward run with training = false): the training forward, here.
  const bool own = check_reserve(c, c.in(7), lstm_reserve_bytes(d, sizeof(T)));
  Scratch<T> own_reserve(own ? rows * 5 * U : 0), own_y(own ? rows * U : 0), own_hc(own ? 2 * B * U : 0);
  if (own) {
    run_forward<T>(d, {x, h0, c0, kernel, rec, c.in_data<T>(5), own_y.data(), own_hc.data(), own_hc.data() + B * U,
                       own_reserve.data(), mask});
    y = own_y.data(), reserve = own_reserve.data();
  }
  T *dx = c.out_data<T>(0), *dh0 = c.out_data<T>(1), *dc0 = c.out_data<T>(2), *dkernel = c.out_data<T>(3),
    *drec = c.out_data<T>(4), *dbias = c.out_data<T>(5);
  Scratch<T> dz(rows * G);  // time-major
  std::copy(c.in_data<T>(9), c.in_data<T>(9) + B * U, dh0);    // dh_next, then dh0
  std::copy(c.in_data<T>(10), c.in_data<T>(10) + B * U, dc0);  // dc_next, then dc0
  // With a mask: the gradient of the outputs that repeat a row's last computed one, and
  // the state gradients masked steps pass through unchanged.
  std::vector<T> carry(mask ? B * U : 0, T(0)), through(mask ? B * U : 0);
  for (int64_t t = Tn - 1; t >= 0; --t) {
    for_batch(B, 8 * U, [&](int64_t b0, int64_t b1) {
      std::vector<T> tc(static_cast<size_t>(U));
      for (int64_t b = b0; b < b1; ++b) {
        if (carry_masked(mask, b, t, Tn, U, dy, carry.data(), dh0)) {  // no gates; the states pass through
          std::fill(dz.data() + (t * B + b) * G, dz.data() + (t * B + b + 1) * G, T(0));
          std::copy(dh0 + b * U, dh0 + (b + 1) * U, through.data() + b * U);
          continue;
        }
        const T* __restrict g = reserve + (t * B + b) * 5 * U;
        const T* __restrict cp = t > 0 ? reserve + ((t - 1) * B + b) * 5 * U + G : c0 + b * U;
        tanh(g + G, tc.data(), U);
        const T* __restrict dyb = dy + (b * Tn + t) * U;
        T* __restrict dhn = dh0 + b * U;
        T* __restrict dcn = dc0 + b * U;
        T* __restrict dzb = dz.data() + (t * B + b) * G;
        for (int64_t j = 0; j < U; ++j) {
          const T i = g[j], f = g[U + j], gg = g[2 * U + j], o = g[3 * U + j], th = tc[size_t(j)];
          const T dh = dyb[j] + dhn[j];
          const T dct = dcn[j] + dh * o * (T(1) - th * th);
          dzb[j] = dct * gg * i * (T(1) - i);
          dzb[U + j] = dct * cp[j] * f * (T(1) - f);
          dzb[2 * U + j] = dct * i * (T(1) - gg * gg);
          dzb[3 * U + j] = dh * th * o * (T(1) - o);
          dcn[j] = dct * f;
        }
      }
    });
    // dh_next = dz[t] @ recurrent_kernel^T (a masked row's passes through).
    gemm(false, true, B, U, G, dz.data() + t * B * G, G, rec, G, dh0, U);
    if (mask)
      for (int64_t b = 0; b < B; ++b)
        if (!mask[b * Tn + t]) std::copy(through.data() + b * U, through.data() + (b + 1) * U, dh0 + b * U);
  }
  Scratch<T> xt(rows * I), dxt(rows * I), hp(rows * U);
  gemm(false, true, rows, I, G, dz.data(), G, kernel, G, dxt.data(), I);
  to_batch_major(dxt.data(), dx, B, Tn, I);
  to_time_major(x, xt.data(), B, Tn, I);
  gemm(true, false, I, G, rows, xt.data(), I, dz.data(), G, dkernel, G);
  previous_states(d, y, h0, mask, hp.data());
  gemm(true, false, U, G, rows, hp.data(), U, dz.data(), G, drec, G);
  column_sums(dz.data(), rows, G, G, dbias);
}

template void lstm_forward<float>(OpCall&);
template void lstm_forward<double>(OpCall&);
template void lstm_backward<float>(OpCall&);
template void lstm_backward<double>(OpCall&);

}  // namespace keras::core::cpu::rnn
