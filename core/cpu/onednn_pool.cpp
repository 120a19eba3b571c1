// onednn_pool.cpp - float32 max and average pooling on oneDNN, channels_last, sliced over
// the batch on the engine's pool (core/cpu/onednn.h). Average pooling leaves the padded
// cells out (Keras's "same"). The backward pass of max pooling needs oneDNN's workspace
// (the position of each window's maximum); it is made again by a forward pass of the
// slice, so nothing is kept between the forward and the gradient ops.
#include <string>
#include <vector>

#include "core/cpu/onednn.h"
#include "core/cpu/parallel.h"

namespace keras::core::cpu::onednn {
namespace {

using dims = dnnl::memory::dims;

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

dnnl::pooling_forward::primitive_desc forward_pd(bool max, bool training, const Window& w, int64_t n) {
  const Params p = params(w);
  dnnl::pooling_forward::desc d(training ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference,
                                algorithm(max), activations(w, n, false), activations(w, n, true), p.strides,
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

std::shared_ptr<const Training> training_primitives(bool max, const Window& w, int64_t n) {
  return cached_as<Training>(window_key(max ? "max_pool_train" : "avg_pool_train", w, n), [&] {
    Training t;
    auto fwd_pd = forward_pd(max, true, w, n);
    t.workspace = fwd_pd.workspace_desc();
    t.fwd = std::make_shared<const Primitive>(make_primitive<dnnl::pooling_forward>(fwd_pd));
    const Params p = params(w);
    dnnl::pooling_backward::desc d(algorithm(max), activations(w, n, false), activations(w, n, true), p.strides,
                                   p.kernel, p.pad_l, p.pad_r);
    t.bwd = std::make_shared<const Primitive>(
        make_primitive<dnnl::pooling_backward>(dnnl::pooling_backward::primitive_desc(d, attr(), engine(), fwd_pd)));
    return t;
  });
}

}  // namespace

void pool_forward(bool max, const Window& w, const float* x, float* y) {
  for_slices(w, [&](int64_t n0, int64_t ns) {
    auto prim = cached(window_key(max ? "max_pool" : "avg_pool", w, ns),
                       [&] { return make_primitive<dnnl::pooling_forward>(forward_pd(max, false, w, ns)); });
    execute(*prim, {{DNNL_ARG_SRC, wrap(activations(w, ns, false), x + n0 * w.in_cells() * w.c)},
                    {DNNL_ARG_DST, wrap(activations(w, ns, true), y + n0 * w.out_cells() * w.oc)}});
  });
}

void max_pool_backward(const Window& w, const float* x, const float* dy, float* dx) {
  for_slices(w, [&](int64_t n0, int64_t ns) {
    const auto held = training_primitives(true, w, ns);
    const Training& t = *held;
    thread_local std::vector<float> y;
    thread_local std::vector<unsigned char> ws;
    y.resize(size_t(ns * w.out_cells() * w.oc));
    ws.resize(t.workspace.get_size());
    const dnnl::memory::desc in = activations(w, ns, false), out = activations(w, ns, true);
    execute(*t.fwd, {{DNNL_ARG_SRC, wrap(in, x + n0 * w.in_cells() * w.c)},
                     {DNNL_ARG_DST, wrap(out, y.data())},
                     {DNNL_ARG_WORKSPACE, wrap(t.workspace, ws.data())}});
    execute(*t.bwd, {{DNNL_ARG_DIFF_DST, wrap(out, dy + n0 * w.out_cells() * w.oc)},
                     {DNNL_ARG_WORKSPACE, wrap(t.workspace, ws.data())},
                     {DNNL_ARG_DIFF_SRC, wrap(in, dx + n0 * w.in_cells() * w.c)}});
  });
}

void avg_pool_backward(const Window& w, const float* dy, float* dx) {
  for_slices(w, [&](int64_t n0, int64_t ns) {
    const auto held = training_primitives(false, w, ns);
    const Training& t = *held;
    execute(*t.bwd, {{DNNL_ARG_DIFF_DST, wrap(activations(w, ns, true), dy + n0 * w.out_cells() * w.oc)},
                     {DNNL_ARG_DIFF_SRC, wrap(activations(w, ns, false), dx + n0 * w.in_cells() * w.c)}});
  });
}

}  // namespace keras::core::cpu::onednn
