// onednn_pool.cpp - float32 and bfloat16 max and average pooling on oneDNN, channels_last,
// sliced over the batch on the engine's pool (core/cpu/onednn.h). Average pooling leaves the padded
// cells out (Keras's "same"). The backward pass of max pooling needs oneDNN's workspace
// (the position of each window's maximum); it is made again by a forward pass of the
// slice, so nothing is kept between the forward and the gradient ops.
#include <string>
#include <type_traits>
#include <vector>

#include "core/cpu/onednn.h"
#include "core/cpu/parallel.h"

namespace keras::core::cpu::onednn {
namespace {

using dims = dnnl::memory::dims;
using data_type = dnnl::memory::data_type;

// The oneDNN data type of an element type (float: f32; uint16_t: bfloat16's bits).
template <class T>
constexpr data_type dt_of() {
  return std::is_same_v<T, float> ? data_type::f32 : data_type::bf16;
}
// A primitive cache key: `what`, the window and n, and the data type.
std::string key(const char* what, const Window& w, int64_t n, data_type dt) {
  return window_key(what, w, n) + (dt == data_type::bf16 ? " bf16" : "");
}

struct Params {
  dims strides, kernel, pad_l, pad_r;
};

Params params(const Window& w) {
  Params p;
  for (int i = 3 - w.r; i < 3; ++i) {
    p.strides.push_back(w.s[i]);
    p.kernel.push_back(w.k[i]);
    p.pad_l.push_back(w.pl[i]);
    p.pad_r.push_back(w.pr[i]);
  }
  return p;
}

dnnl::algorithm algorithm(bool max) {
  return max ? dnnl::algorithm::pooling_max : dnnl::algorithm::pooling_avg_exclude_padding;
}

dnnl::pooling_forward::primitive_desc forward_pd(bool max, bool training, const Window& w, int64_t n, data_type dt) {
  const Params p = params(w);
  dnnl::pooling_forward::desc d(training ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference,
                                algorithm(max), activations(w, n, false, dt), activations(w, n, true, dt), p.strides,
                                p.kernel, p.pad_l, p.pad_r);
  return dnnl::pooling_forward::primitive_desc(d, attr(), engine());
}

// Runs f(first sample, samples) for each slice of the batch on the engine's pool.
template <class F>
void for_slices(const Window& w, F&& f) {
  const Slices s = batch_slices(w.n);
  parallel_for(s.parts, 1, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) f(i * s.step, s.size(i, w.n));
  });
}

// The forward pass that keeps the workspace (for the backward pass of max pooling).
struct Training {
  std::shared_ptr<const Primitive> fwd, bwd;
  dnnl::memory::desc workspace;
};

std::shared_ptr<const Training> training_primitives(bool max, const Window& w, int64_t n, data_type dt) {
  return cached_as<Training>(key(max ? "max_pool_train" : "avg_pool_train", w, n, dt), [&] {
    Training t;
    auto fwd_pd = forward_pd(max, true, w, n, dt);
    t.workspace = fwd_pd.workspace_desc();
    t.fwd = std::make_shared<const Primitive>(make_primitive<dnnl::pooling_forward>(fwd_pd));
    const Params p = params(w);
    dnnl::pooling_backward::desc d(algorithm(max), activations(w, n, false, dt), activations(w, n, true, dt),
                                   p.strides, p.kernel, p.pad_l, p.pad_r);
    t.bwd = std::make_shared<const Primitive>(
        make_primitive<dnnl::pooling_backward>(dnnl::pooling_backward::primitive_desc(d, attr(), engine(), fwd_pd)));
    return t;
  });
}

template <class T>
void forward_impl(bool max, const Window& w, const T* x, T* y) {
  constexpr data_type dt = dt_of<T>();
  for_slices(w, [&](int64_t n0, int64_t ns) {
    auto prim = cached(key(max ? "max_pool" : "avg_pool", w, ns, dt),
                       [&] { return make_primitive<dnnl::pooling_forward>(forward_pd(max, false, w, ns, dt)); });
    execute(*prim, {{DNNL_ARG_SRC, wrap(activations(w, ns, false, dt), x + n0 * w.in_cells() * w.c)},
                    {DNNL_ARG_DST, wrap(activations(w, ns, true, dt), y + n0 * w.out_cells() * w.oc)}});
  });
}

template <class T>
void max_backward_impl(const Window& w, const T* x, const T* dy, T* dx) {
  constexpr data_type dt = dt_of<T>();
  for_slices(w, [&](int64_t n0, int64_t ns) {
    const auto held = training_primitives(true, w, ns, dt);
    const Training& t = *held;
    thread_local std::vector<T> y;
    thread_local std::vector<unsigned char> ws;
    y.resize(size_t(ns * w.out_cells() * w.oc));
    ws.resize(t.workspace.get_size());
    const dnnl::memory::desc in = activations(w, ns, false, dt), out = activations(w, ns, true, dt);
    execute(*t.fwd, {{DNNL_ARG_SRC, wrap(in, x + n0 * w.in_cells() * w.c)},
                     {DNNL_ARG_DST, wrap(out, y.data())},
                     {DNNL_ARG_WORKSPACE, wrap(t.workspace, ws.data())}});
    execute(*t.bwd, {{DNNL_ARG_DIFF_DST, wrap(out, dy + n0 * w.out_cells() * w.oc)},
                     {DNNL_ARG_WORKSPACE, wrap(t.workspace, ws.data())},
                     {DNNL_ARG_DIFF_SRC, wrap(in, dx + n0 * w.in_cells() * w.c)}});
  });
}

template <class T>
void avg_backward_impl(const Window& w, const T* dy, T* dx) {
  constexpr data_type dt = dt_of<T>();
  for_slices(w, [&](int64_t n0, int64_t ns) {
    const auto held = training_primitives(false, w, ns, dt);
    const Training& t = *held;
    execute(*t.bwd, {{DNNL_ARG_DIFF_DST, wrap(activations(w, ns, true, dt), dy + n0 * w.out_cells() * w.oc)},
                     {DNNL_ARG_DIFF_SRC, wrap(activations(w, ns, false, dt), dx + n0 * w.in_cells() * w.c)}});
  });
}

}  // namespace

void pool_forward(bool max, const Window& w, const float* x, float* y) { forward_impl(max, w, x, y); }
void max_pool_backward(const Window& w, const float* x, const float* dy, float* dx) {
  max_backward_impl(w, x, dy, dx);
}
void avg_pool_backward(const Window& w, const float* dy, float* dx) { avg_backward_impl(w, dy, dx); }
void pool_forward_bf16(bool max, const Window& w, const uint16_t* x, uint16_t* y) { forward_impl(max, w, x, y); }
void max_pool_backward_bf16(const Window& w, const uint16_t* x, const uint16_t* dy, uint16_t* dx) {
  max_backward_impl(w, x, dy, dx);
}
void avg_pool_backward_bf16(const Window& w, const uint16_t* dy, uint16_t* dx) { avg_backward_impl(w, dy, dx); }

}  // namespace keras::core::cpu::onednn
