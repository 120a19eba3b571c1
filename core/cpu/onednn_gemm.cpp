// onednn_gemm.cpp - float32 GEMM on oneDNN's matmul primitive, with the bias added by
// the primitive and the relu applied to each slice right after it (while it is in cache:
// oneDNN's relu post-op turns NaN into 0, the engine's relu keeps NaN, as TensorFlow's),
// sliced over the engine's pool (core/cpu/onednn.h); and the rule that picks oneDNN or
// OpenBLAS.
#include <cblas.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <string>

#include "core/cpu/onednn.h"
#include "core/cpu/parallel.h"
#include "core/ops.h"

namespace core::cpu::onednn {
namespace {

using dims = dnnl::memory::dims;
constexpr auto f32 = dnnl::memory::data_type::f32;

// -1: the rule; 0: OpenBLAS; 1: oneDNN. KERAS_CPP_GEMM=openblas|onednn sets it at start.
int forced_from_env() {
  const char* v = std::getenv("KERAS_CPP_GEMM");
  if (!v) return -1;
  const std::string s = v;
  return s == "openblas" ? 0 : s == "onednn" ? 1 : -1;
}
std::atomic<int> g_forced{forced_from_env()};

// OpenBLAS kernels built for AVX-512 (its core names; OPENBLAS_CORETYPE can select
// another, for example Haswell's AVX2 kernels on an AVX-512 machine).
bool openblas_runs_avx512() {
  static const bool yes = [] {
    const char* name = openblas_get_corename();
    const std::string core = name ? name : "";
    for (const char* n : {"SkylakeX", "Cooperlake", "SapphireRapids"})
      if (core == n) return true;
    return false;
  }();
  return yes;
}

struct Descs {
  dnnl::memory::desc a, b, c, bias;
};

Descs descs(const Gemm& g) {
  Descs d;
  d.a = dnnl::memory::desc(dims{g.m, g.k}, f32, g.ta ? dims{1, g.lda} : dims{g.lda, 1});
  d.b = dnnl::memory::desc(dims{g.k, g.n}, f32, g.tb ? dims{1, g.ldb} : dims{g.ldb, 1});
  d.c = dnnl::memory::desc(dims{g.m, g.n}, f32, dims{g.ldc, 1});
  if (g.bias) d.bias = dnnl::memory::desc(dims{1, g.n}, f32, dims{g.n, 1});
  return d;
}

std::string key(const Gemm& g) {
  std::string k = "matmul";
  for (int64_t v : {g.m, g.n, g.k, g.lda, g.ldb, g.ldc, int64_t(g.ta), int64_t(g.tb), int64_t(g.bias != nullptr)})
    k += ' ' + std::to_string(v);
  return k;
}

// One product on the calling thread.
void run(const Gemm& g) {
  const Descs d = descs(g);
  auto prim = cached(key(g), [&] {
    const dnnl::primitive_attr a = attr();
    auto desc = g.bias ? dnnl::matmul::desc(d.a, d.b, d.bias, d.c) : dnnl::matmul::desc(d.a, d.b, d.c);
    return make_primitive<dnnl::matmul>(dnnl::matmul::primitive_desc(desc, a, engine()));
  });
  std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_SRC, wrap(d.a, g.a)},
                                              {DNNL_ARG_WEIGHTS, wrap(d.b, g.b)},
                                              {DNNL_ARG_DST, wrap(d.c, g.c)}};
  if (g.bias) args.emplace(DNNL_ARG_BIAS, wrap(d.bias, g.bias));
  execute(*prim, std::move(args));
  if (g.epilogue == Epilogue::relu)
    for (int64_t i = 0; i < g.m; ++i) {
      float* row = g.c + i * g.ldc;
      for (int64_t j = 0; j < g.n; ++j) row[j] = row[j] <= 0.0f ? 0.0f : row[j];  // NaN stays
    }
}

// The slice [begin, end) of the rows (split_n false) or columns (true) of C.
Gemm slice(const Gemm& g, bool split_n, int64_t begin, int64_t end) {
  Gemm s = g;
  if (split_n) {
    s.n = end - begin;
    s.b += g.tb ? begin * g.ldb : begin;
    s.c += begin;
    if (g.bias) s.bias += begin;
  } else {
    s.m = end - begin;
    s.a += g.ta ? begin : begin * g.lda;
    s.c += begin * g.ldc;
  }
  return s;
}

}  // namespace

void force_gemm_library(int which) { g_forced.store(which < 0 ? forced_from_env() : which); }

bool prefer_for_gemm(const Gemm&) {
  const int forced = g_forced.load();
  if (forced >= 0) return forced == 1;
  // Measured (README, "Kernel libraries"): on an AVX-512 CPU oneDNN's matmul runs about
  // 2x OpenBLAS's AVX2 kernels on the MLP's shapes, and OpenBLAS's own AVX-512 kernels run
  // 1-2x oneDNN's, more on large products.
  return avx512() && !openblas_runs_avx512();
}

void gemm(const Gemm& g) {
  if (g.m == 0 || g.n == 0) return;
  if (g.k == 0) {  // an empty sum: zeros, then the bias and the epilogue
    for (int64_t i = 0; i < g.m; ++i) {
      float* row = g.c + i * g.ldc;
      for (int64_t j = 0; j < g.n; ++j) {
        float v = g.bias ? g.bias[j] : 0.0f;
        row[j] = g.epilogue == Epilogue::relu && v <= 0.0f ? 0.0f : v;
      }
    }
    return;
  }
  // Slices of at least kMinWork multiply-adds, cut along C's longer side in multiples
  // of 16 (one AVX-512 vector of floats).
  constexpr int64_t kMinWork = int64_t(1) << 18;
  const int64_t work = g.m * g.n * g.k;
  const bool split_n = g.n >= g.m;
  const int64_t len = split_n ? g.n : g.m;
  int64_t parts = std::min<int64_t>(get_num_threads(), std::max<int64_t>(1, work / kMinWork));
  int64_t step = (len + parts - 1) / parts;
  step = std::min(len, (step + 15) / 16 * 16);
  parts = (len + step - 1) / step;
  if (parts <= 1) return run(g);
  parallel_for(parts, 1, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) run(slice(g, split_n, i * step, std::min(len, (i + 1) * step)));
  });
}

}  // namespace core::cpu::onednn
