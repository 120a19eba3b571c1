// onednn_conv.cpp - float32 and bfloat16 convolution on oneDNN (forward, backward data,
// backward weights), channels_last, sliced over the batch on the engine's pool
// (core/cpu/onednn.h). bfloat16 sums in float32 and rounds each result once; its
// backward weights keeps the slices' partial gradients in float32 and rounds their total.
//
// The forward pass may add a bias inside the primitive and apply a relu in place to each
// slice right after it, on the same thread: the FusedConv op's kernel.
//
// The activations are given to oneDNN in their own layout (nwc / nhwc / ndhwc); the
// Keras kernel (*size, in / groups, filters) is described by strides and reordered into
// the layout the primitive picks (format "any"), once per call. Backward weights: each
// batch slice computes its partial gradient, the partials are summed in slice order, so
// a result depends on the thread count only, never on which thread ran what.
#include <algorithm>
#include <functional>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "core/cpu/isa.h"
#include "core/cpu/onednn.h"
#include "core/cpu/parallel.h"
#include "core/ops.h"

namespace keras::core::cpu::onednn {
namespace {

using dims = dnnl::memory::dims;
using md = dnnl::memory::desc;
using data_type = dnnl::memory::data_type;
constexpr auto f32 = data_type::f32;
constexpr auto bf16 = data_type::bf16;

// The oneDNN data type of an element type (float: f32; uint16_t: bfloat16's bits).
template <class T>
constexpr data_type dt_of() {
  return std::is_same_v<T, float> ? f32 : bf16;
}

struct Geometry {
  int off = 0;  // first used entry of Window's 3-padded arrays
  md wei_user;  // the Keras kernel
  dims wei_dims, strides, dilates, pad_l, pad_r;
};

Geometry geometry(const Window& w, data_type dt) {
  Geometry g;
  g.off = 3 - w.r;
  const int64_t ig = w.c / w.groups, og = w.oc / w.groups;
  dims kd, ks;
  int64_t stride = ig * w.oc;
  for (int i = 2; i >= g.off; --i) {  // the kernel's spatial strides, innermost first
    kd.insert(kd.begin(), w.k[i]);
    ks.insert(ks.begin(), stride);
    stride *= w.k[i];
  }
  dims wd = w.groups == 1 ? dims{w.oc, ig} : dims{w.groups, og, ig};
  dims ws = w.groups == 1 ? dims{1, w.oc} : dims{og, 1, w.oc};
  wd.insert(wd.end(), kd.begin(), kd.end());
  ws.insert(ws.end(), ks.begin(), ks.end());
  g.wei_dims = wd;
  g.wei_user = md(wd, dt, ws);
  for (int i = g.off; i < 3; ++i) {
    g.strides.push_back(w.s[i]);
    g.dilates.push_back(w.d[i] - 1);  // oneDNN counts the cells between taps
    g.pad_l.push_back(w.pl[i]);
    g.pad_r.push_back(w.pr[i]);
  }
  return g;
}


// A primitive and the weights layout it chose.
struct ConvPrim {
  Primitive prim;
  md wei;
};

enum class Pass { forward, backward_data, backward_weights };

// The forward pass's epilogue: a bias added by the primitive, then an optional relu run
// by the caller on each slice right after the primitive (oneDNN's relu post-op turns NaN
// into 0, the engine's relu keeps it, as TensorFlow's).
struct Fuse {
  bool bias = false;
  std::string key() const { return bias ? " bias" : ""; }
};

dnnl::convolution_forward::primitive_desc forward_pd(const Window& w, const Geometry& g, int64_t n, const Fuse& f,
                                                     data_type dt) {
  const md src = activations(w, n, false, dt), dst = activations(w, n, true, dt);
  const md wei(g.wei_dims, dt, dnnl::memory::format_tag::any);
  const auto prop = dnnl::prop_kind::forward_training;
  const auto alg = dnnl::algorithm::convolution_direct;
  const dnnl::primitive_attr a = attr();
  if (f.bias) {
    const md bias(dims{w.oc}, f32, dnnl::memory::format_tag::a);
    dnnl::convolution_forward::desc d(prop, alg, src, wei, bias, dst, g.strides, g.dilates, g.pad_l, g.pad_r);
    return dnnl::convolution_forward::primitive_desc(d, a, engine());
  }
  dnnl::convolution_forward::desc d(prop, alg, src, wei, dst, g.strides, g.dilates, g.pad_l, g.pad_r);
  return dnnl::convolution_forward::primitive_desc(d, a, engine());
}

// (bfloat16's backward weights writes float32 gradients.)
std::shared_ptr<const ConvPrim> primitive(Pass pass, const Window& w, const Geometry& g, int64_t n, const Fuse& f,
                                          data_type dt) {
  static const char* names[] = {"conv_fwd", "conv_bwd_data", "conv_bwd_weights"};
  const std::string key = window_key(names[int(pass)], w, n) + f.key() + (dt == bf16 ? " bf16" : "");
  return cached_as<ConvPrim>(key, [&]() -> ConvPrim {
    if (pass == Pass::forward) {
      auto fwd = forward_pd(w, g, n, f, dt);
      return {make_primitive<dnnl::convolution_forward>(fwd), fwd.weights_desc()};
    }
    auto fwd = forward_pd(w, g, n, {}, dt);  // the hint of the backward passes
    const md any(g.wei_dims, pass == Pass::backward_weights ? f32 : dt, dnnl::memory::format_tag::any);
    const md src = activations(w, n, false, dt), dst = activations(w, n, true, dt);
    if (pass == Pass::backward_data) {
      dnnl::convolution_backward_data::desc d(dnnl::algorithm::convolution_direct, src, any, dst, g.strides,
                                              g.dilates, g.pad_l, g.pad_r);
      dnnl::convolution_backward_data::primitive_desc pd(d, attr(), engine(), fwd);
      return {make_primitive<dnnl::convolution_backward_data>(pd), pd.weights_desc()};
    }
    dnnl::convolution_backward_weights::desc d(dnnl::algorithm::convolution_direct, src, any, dst, g.strides,
                                               g.dilates, g.pad_l, g.pad_r);
    dnnl::convolution_backward_weights::primitive_desc pd(d, attr(), engine(), fwd);
    return {make_primitive<dnnl::convolution_backward_weights>(pd), pd.diff_weights_desc()};
  });
}

// Copies between two layouts of the weights (a cached reorder primitive).
void reorder(const std::string& k, const md& from, const void* src, const md& to, void* dst) {
  auto prim = cached(k, [&] {
    return make_primitive<dnnl::reorder>(dnnl::reorder::primitive_desc(engine(), from, engine(), to, attr()));
  });
  execute(*prim, {{DNNL_ARG_FROM, wrap(from, src)}, {DNNL_ARG_TO, wrap(to, dst)}});
}

// The primitives of each slice size (at most two sizes) and the weights in their layout.
struct Prepared {
  std::shared_ptr<const ConvPrim> p[2];
  std::vector<char> wbuf[2];
  const void* wptr[2] = {nullptr, nullptr};
};

Prepared prepare(Pass pass, const Window& w, const Geometry& g, const Slices& s, const void* k, const Fuse& f,
                 data_type dt) {
  Prepared pr;
  const int64_t sizes[2] = {s.step, s.size(s.parts - 1, w.n)};
  for (int j = 0; j < 2; ++j) {
    if (j == 1 && sizes[1] == sizes[0]) {
      pr.p[1] = pr.p[0];
      pr.wptr[1] = pr.wptr[0];
      break;
    }
    pr.p[j] = primitive(pass, w, g, sizes[j], f, dt);
    if (!k) continue;
    if (pr.p[j]->wei == g.wei_user) {
      pr.wptr[j] = k;
    } else {
      pr.wbuf[j].resize(pr.p[j]->wei.get_size());
      // (keyed as the primitive: with a bias, the forward primitive may pick another layout)
      reorder(window_key("wei_to", w, sizes[j]) + (pass == Pass::forward ? " f" : " b") + f.key() +
                  (dt == bf16 ? " bf16" : ""),
              g.wei_user, k, pr.p[j]->wei, pr.wbuf[j].data());
      pr.wptr[j] = pr.wbuf[j].data();
    }
  }
  return pr;
}

template <class T>
void forward_impl(const Window& w, const T* x, const T* k, T* y, const float* bias, Epilogue act) {
  constexpr data_type dt = dt_of<T>();
  const Geometry g = geometry(w, dt);
  const Slices s = batch_slices(w.n);
  const Fuse f{bias != nullptr};
  const Prepared pr = prepare(Pass::forward, w, g, s, k, f, dt);
  const md bias_md(dims{w.oc}, f32, dnnl::memory::format_tag::a);
  parallel_for(s.parts, 1, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      const int64_t n0 = i * s.step, ns = s.size(i, w.n), j = ns == s.step ? 0 : 1;
      std::unordered_map<int, dnnl::memory> args{
          {DNNL_ARG_SRC, wrap(activations(w, ns, false, dt), x + n0 * w.in_cells() * w.c)},
          {DNNL_ARG_WEIGHTS, wrap(pr.p[j]->wei, pr.wptr[j])},
          {DNNL_ARG_DST, wrap(activations(w, ns, true, dt), y + n0 * w.out_cells() * w.oc)}};
      if (bias) args.emplace(DNNL_ARG_BIAS, wrap(bias_md, bias));
      execute(pr.p[j]->prim, std::move(args));
      if constexpr (std::is_same_v<T, float>)
        if (act == Epilogue::relu) {  // the relu kernel's formula, while the slice is in cache
          float* ys = y + n0 * w.out_cells() * w.oc;
          const int64_t len = ns * w.out_cells() * w.oc;
          for (int64_t q = 0; q < len; ++q) ys[q] = ys[q] <= 0.0f ? 0.0f : ys[q];  // NaN stays
        }
    }
  });
}

template <class T>
void backward_data_impl(const Window& w, const T* dy, const T* k, T* dx) {
  constexpr data_type dt = dt_of<T>();
  const Geometry g = geometry(w, dt);
  const Slices s = batch_slices(w.n);
  const Prepared pr = prepare(Pass::backward_data, w, g, s, k, {}, dt);
  parallel_for(s.parts, 1, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      const int64_t n0 = i * s.step, ns = s.size(i, w.n), j = ns == s.step ? 0 : 1;
      execute(pr.p[j]->prim,
              {{DNNL_ARG_DIFF_DST, wrap(activations(w, ns, true, dt), dy + n0 * w.out_cells() * w.oc)},
               {DNNL_ARG_WEIGHTS, wrap(pr.p[j]->wei, pr.wptr[j])},
               {DNNL_ARG_DIFF_SRC, wrap(activations(w, ns, false, dt), dx + n0 * w.in_cells() * w.c)}});
    }
  });
}

// The float32 gradient of the kernel, in the Keras layout, into dk (T float) or a float32
// buffer that is then rounded into dk (bfloat16).
template <class T>
void backward_weights_impl(const Window& w, const T* x, const T* dy, T* dk) {
  constexpr data_type dt = dt_of<T>();
  const Geometry g = geometry(w, dt);
  const md keras_f32 = geometry(w, f32).wei_user;
  const Slices s = batch_slices(w.n);
  const Prepared pr = prepare(Pass::backward_weights, w, g, s, nullptr, {}, dt);
  const int64_t wsize = w.taps() * (w.c / w.groups) * w.oc;
  std::vector<float> total;
  float* sum = nullptr;
  if constexpr (std::is_same_v<T, float>) {
    sum = dk;
  } else {
    total.resize(static_cast<size_t>(wsize));
    sum = total.data();
  }
  // Each slice's partial gradient, in the Keras layout (slice 0's straight into sum).
  std::vector<float> partials(static_cast<size_t>((s.parts - 1) * wsize));
  parallel_for(s.parts, 1, [&](int64_t b, int64_t e) {
    std::vector<float> diff;
    for (int64_t i = b; i < e; ++i) {
      const int64_t n0 = i * s.step, ns = s.size(i, w.n), j = ns == s.step ? 0 : 1;
      const ConvPrim& p = *pr.p[j];
      float* out = i == 0 ? sum : partials.data() + (i - 1) * wsize;
      const bool plain = p.wei == keras_f32;
      if (!plain) diff.resize(p.wei.get_size() / sizeof(float));
      execute(p.prim, {{DNNL_ARG_SRC, wrap(activations(w, ns, false, dt), x + n0 * w.in_cells() * w.c)},
                       {DNNL_ARG_DIFF_DST, wrap(activations(w, ns, true, dt), dy + n0 * w.out_cells() * w.oc)},
                       {DNNL_ARG_DIFF_WEIGHTS, wrap(p.wei, plain ? out : diff.data())}});
      if (!plain)
        reorder(window_key("wei_from", w, ns) + (dt == bf16 ? " bf16" : ""), p.wei, diff.data(), keras_f32, out);
    }
  });
  if (s.parts > 1)
    parallel_for(wsize, kElementwiseGrain, [&](int64_t b, int64_t e) {
      for (int64_t p = 0; p + 1 < s.parts; ++p) {
        const float* src = partials.data() + p * wsize;
        for (int64_t i = b; i < e; ++i) sum[i] += src[i];
      }
    });
  if constexpr (!std::is_same_v<T, float>)
    parallel_for(wsize, kElementwiseGrain,
                 [&](int64_t b, int64_t e) { isa_kernels().to_bf16(sum + b, dk + b, e - b); });
}

}  // namespace

Slices batch_slices(int64_t n) {
  Slices s;
  s.parts = std::max<int64_t>(1, std::min<int64_t>(get_num_threads(), n));
  s.step = (n + s.parts - 1) / s.parts;
  s.parts = (n + s.step - 1) / s.step;
  return s;
}

md activations(const Window& w, int64_t n, bool output, data_type dt) {
  using tag = dnnl::memory::format_tag;
  dims d{n, output ? w.oc : w.c};
  for (int i = 3 - w.r; i < 3; ++i) d.push_back(output ? w.out[i] : w.in[i]);
  return md(d, dt, w.r == 1 ? tag::nwc : w.r == 2 ? tag::nhwc : tag::ndhwc);
}

std::string window_key(const char* what, const Window& w, int64_t n) {
  std::string k = what;
  for (int64_t v : {int64_t(w.r), n, w.c, w.oc, w.groups}) k += ' ' + std::to_string(v);
  for (int i = 0; i < 3; ++i)
    for (int64_t v : {w.in[i], w.out[i], w.k[i], w.s[i], w.d[i], w.pl[i], w.pr[i]}) k += ' ' + std::to_string(v);
  return k;
}

void conv_forward(const Window& w, const float* x, const float* k, float* y, const float* bias, Epilogue act) {
  forward_impl(w, x, k, y, bias, act);
}
void conv_backward_data(const Window& w, const float* dy, const float* k, float* dx) {
  backward_data_impl(w, dy, k, dx);
}
void conv_backward_weights(const Window& w, const float* x, const float* dy, float* dk) {
  backward_weights_impl(w, x, dy, dk);
}
void conv_forward_bf16(const Window& w, const uint16_t* x, const uint16_t* k, uint16_t* y) {
  forward_impl(w, x, k, y, nullptr, Epilogue::none);
}
void conv_backward_data_bf16(const Window& w, const uint16_t* dy, const uint16_t* k, uint16_t* dx) {
  backward_data_impl(w, dy, k, dx);
}
void conv_backward_weights_bf16(const Window& w, const uint16_t* x, const uint16_t* dy, uint16_t* dk) {
  backward_weights_impl(w, x, dy, dk);
}

}  // namespace keras::core::cpu::onednn
