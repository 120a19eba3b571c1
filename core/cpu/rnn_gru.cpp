// rnn_gru.cpp - the CPU kernels of gru_sequence and gru_sequence_grad (core/rnn.h;
// layouts in core/cpu/rnn_kernel.h). Forward, per timestep t and batch row (the composed
// GRUCell's operations in its order, reset_after):
//   xz, xr, xh = x[t] @ kernel + bias[0]; hz, hr, hh = h @ recurrent_kernel + bias[1];
//   z = sigmoid(xz + hz); r = sigmoid(xr + hr); n = tanh(xh + r * hh); h = n + z * (h - n).
// The reserve keeps z, r, n and hh (zeros at a masked step). Backward, from the last timestep: dh = dy[t] + dh_next;
//   dz = dh (h_prev - n); dn = dh (1 - z) (1 - n^2); gradients of the pre-activations:
//   input side (dz z (1 - z), dr r (1 - r), dn) with dr = dn * hh, recurrent side the same
//   but dn * r for hh; dh_next = dh z + (recurrent side) @ recurrent_kernel^T.
#include <algorithm>
#include <vector>

#include "core/cpu/rnn_kernel.h"

namespace keras::core::cpu::rnn {
namespace {
template <class T>
struct Forward {
  const T *x, *h0, *kernel, *rec, *bias;
  T *y, *h_last, *reserve;  // reserve: null without training
  const bool* mask = nullptr;  // (batch, time), or null
};

// The forward pass (also run by the backward op when it receives no reserve).
template <class T>
void run_forward(const Dims& d, const Forward<T>& a) {
  const int64_t B = d.batch, Tn = d.time, U = d.units, G = 3 * U, rows = d.rows();
  const T *x = a.x, *h0 = a.h0, *kernel = a.kernel, *rec = a.rec, *bias = a.bias;
  const T* rbias = bias + G;
  T *y = a.y, *h_last = a.h_last, *reserve = a.reserve;
  const bool* mask = a.mask;
  if (B == 0) return;
  // The input projections, bias included, a chunk of timesteps at a time (time-major).
  const int64_t chunk = projection_chunk(B, G, sizeof(T), Tn);
  Scratch<T> xt(rows * d.input), xw(chunk * B * G);
  to_time_major(x, xt.data(), B, Tn, d.input);
  std::vector<T> hr(size_t(B * G));
  // With a mask, the hidden states apart from y (which holds the outputs).
  std::vector<T> hs;
  if (mask) hs.assign(h0, h0 + B * U);
  for (int64_t t = 0; t < Tn; ++t) {
    if (t % chunk == 0) project(xt.data(), kernel, bias, t, std::min(chunk, Tn - t), B, d.input, G, xw.data());
    const T* hp = mask ? hs.data() : t == 0 ? h0 : y + (t - 1) * U;
    const int64_t ldh = mask || t == 0 ? U : Tn * U;
    gemm(false, false, B, G, U, hp, ldh, rec, G, hr.data(), G);
    for_batch(B, 4 * U, [&](int64_t b0, int64_t b1) {
      std::vector<T> zr(size_t(2 * U));
      for (int64_t b = b0; b < b1; ++b) {
        if (mask && !mask[b * Tn + t]) {  // the state stays; the previous output repeats
          repeat_output(y, b, t, Tn, U);
          if (reserve) std::fill(reserve + (t * B + b) * 4 * U, reserve + (t * B + b + 1) * 4 * U, T(0));
          continue;
        }
        T* __restrict hb = hr.data() + b * G;
        const T* __restrict xr = xw.data() + ((t % chunk) * B + b) * G;
        const T* __restrict hprev = hp + b * ldh;
        T* __restrict yb = y + (b * Tn + t) * U;
        for (int64_t j = 0; j < G; ++j) hb[j] = hb[j] + rbias[j];
        for (int64_t j = 0; j < 2 * U; ++j) zr[size_t(j)] = xr[j] + hb[j];
        sigmoid(zr.data(), zr.data(), 2 * U);
        const T* __restrict z = zr.data();
        const T* __restrict r = z + U;
        const T* __restrict hh = hb + 2 * U;
        for (int64_t j = 0; j < U; ++j) yb[j] = xr[2 * U + j] + r[j] * hh[j];
        tanh(yb, yb, U);  // n
        if (reserve) {
          T* res = reserve + (t * B + b) * 4 * U;
          std::copy(z, z + 2 * U, res);
          std::copy(yb, yb + U, res + 2 * U);
          std::copy(hh, hh + U, res + 3 * U);
        }
        for (int64_t j = 0; j < U; ++j) yb[j] = yb[j] + z[j] * (hprev[j] - yb[j]);
        if (mask) std::copy(yb, yb + U, hs.data() + b * U);
      }
    });
  }
  if (mask) std::copy(hs.begin(), hs.end(), h_last);
  else
    for (int64_t b = 0; b < B; ++b) std::copy(y + (b * Tn + Tn - 1) * U, y + (b * Tn + Tn) * U, h_last + b * U);
}
}  // namespace

template <class T>
void gru_forward(OpCall& c) {
  run_forward<T>(dims_of(c),
                 {c.in_data<T>(0), c.in_data<T>(1), c.in_data<T>(2), c.in_data<T>(3), c.in_data<T>(4), c.out_data<T>(0),
                  c.out_data<T>(1), c.attrs.flag ? c.out_data<T>(2) : nullptr, mask_of(c, 5)});
}

template <class T>
void gru_backward(OpCall& c) {
  const Dims d = dims_of(c);
  const int64_t B = d.batch, Tn = d.time, U = d.units, G = 3 * U, I = d.input, rows = d.rows();
  const T *x = c.in_data<T>(0), *h0 = c.in_data<T>(1), *kernel = c.in_data<T>(2), *rec = c.in_data<T>(3),
          *y = c.in_data<T>(5), *reserve = c.in_data<T>(6), *dy = c.in_data<T>(7);
  const bool* mask = mask_of(c, 9);
  // No reserve (a forward run with training = false): the training forward, here.
  const bool own = check_reserve(c, c.in(6), gru_reserve_bytes(d, sizeof(T)));
  Scratch<T> own_reserve(own ? rows * 4 * U : 0), own_y(own ? rows * U : 0), own_h(own ? B * U : 0);
  if (own) {
    run_forward<T>(d, {x, h0, kernel, rec, c.in_data<T>(4), own_y.data(), own_h.data(), own_reserve.data(), mask});
    y = own_y.data(), reserve = own_reserve.data();
  }
  T *dx = c.out_data<T>(0), *dh0 = c.out_data<T>(1), *dkernel = c.out_data<T>(2), *drec = c.out_data<T>(3),
    *dbias = c.out_data<T>(4);
  // dzx: the gradients of the input projection's pre-activations; dzh: the recurrent ones.
  Scratch<T> dzx(rows * G), dzh(rows * G);  // time-major
  std::vector<T> direct(size_t(B * U));
  // The hidden state before every step (time-major), and with a mask the gradient of the
  // outputs that repeat a row's last computed one.
  Scratch<T> hp(rows * U);
  previous_states(d, y, h0, mask, hp.data());
  std::vector<T> carry(mask ? B * U : 0, T(0));
  std::copy(c.in_data<T>(8), c.in_data<T>(8) + B * U, dh0);  // dh_next, then dh0
  for (int64_t t = Tn - 1; t >= 0; --t) {
    for_batch(B, 8 * U, [&](int64_t b0, int64_t b1) {
      for (int64_t b = b0; b < b1; ++b) {
        T* __restrict gx = dzx.data() + (t * B + b) * G;
        T* __restrict gh = dzh.data() + (t * B + b) * G;
        if (carry_masked(mask, b, t, Tn, U, dy, carry.data(), dh0)) {  // no gates; the state passes through
          std::fill(gx, gx + G, T(0));
          std::fill(gh, gh + G, T(0));
          std::copy(dh0 + b * U, dh0 + (b + 1) * U, direct.data() + b * U);
          continue;
        }
        const T* __restrict g = reserve + (t * B + b) * 4 * U;
        const T* __restrict hprev = hp.data() + (t * B + b) * U;
        const T* __restrict dyb = dy + (b * Tn + t) * U;
        const T* __restrict dhn = dh0 + b * U;
        T* __restrict dir = direct.data() + b * U;
        for (int64_t j = 0; j < U; ++j) {
          const T z = g[j], r = g[U + j], n = g[2 * U + j], hh = g[3 * U + j];
          const T dh = dyb[j] + dhn[j];
          const T dn = dh * (T(1) - z) * (T(1) - n * n);
          const T dz = dh * (hprev[j] - n) * z * (T(1) - z);
          const T dr = dn * hh * r * (T(1) - r);
          gx[j] = dz, gx[U + j] = dr, gx[2 * U + j] = dn;
          gh[j] = dz, gh[U + j] = dr, gh[2 * U + j] = dn * r;
          dir[j] = dh * z;
        }
      }
    });
    gemm(false, true, B, U, G, dzh.data() + t * B * G, G, rec, G, dh0, U);
    for (int64_t i = 0; i < B * U; ++i) dh0[i] = dh0[i] + direct[size_t(i)];
  }
  Scratch<T> xt(rows * I), dxt(rows * I);
  gemm(false, true, rows, I, G, dzx.data(), G, kernel, G, dxt.data(), I);
  to_batch_major(dxt.data(), dx, B, Tn, I);
  to_time_major(x, xt.data(), B, Tn, I);
  gemm(true, false, I, G, rows, xt.data(), I, dzx.data(), G, dkernel, G);
  gemm(true, false, U, G, rows, hp.data(), U, dzh.data(), G, drec, G);
  column_sums(dzx.data(), rows, G, G, dbias);
  column_sums(dzh.data(), rows, G, G, dbias + G);
}

template void gru_forward<float>(OpCall&);
template void gru_forward<double>(OpCall&);
template void gru_backward<float>(OpCall&);
template void gru_backward<double>(OpCall&);

}  // namespace keras::core::cpu::rnn
