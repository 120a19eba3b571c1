// onednn_gemm.cpp - float32 GEMM on oneDNN (dnnl_sgemm), with the bias and the relu
// applied to each slice right after its product, sliced over the engine's pool
// (core/cpu/onednn.h); the rule that picks oneDNN or OpenBLAS; and the exact int8 x int8
// -> int32 and bfloat16 products on oneDNN's matmul primitive. (oneDNN's matmul
// primitive with a bias and a relu post-op costs more per call on the MLP's small
// products, and its relu turns NaN into 0 where the engine's keeps NaN, as TensorFlow's.)
#include <cblas.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <stdexcept>
#include <string>

#include "core/cpu/onednn.h"
#include "core/cpu/parallel.h"
#include "core/ops.h"

namespace keras::core::cpu::onednn {
namespace {

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

// One product on the calling thread: oneDNN's BLAS-like sgemm (row-major; no primitive
// or memory objects to make per call, which would cost microseconds on small products),
// then the bias and the relu over the rows just written, while they are in cache (the
// formulas of the add and relu kernels: the result is the unfused one).
void run(const Gemm& g) {
  serial_on_this_thread();
  const dnnl_status_t st = dnnl_sgemm(g.ta ? 'T' : 'N', g.tb ? 'T' : 'N', g.m, g.n, g.k, 1.0f, g.a, g.lda, g.b,
                                      g.ldb, 0.0f, g.c, g.ldc);
  if (st != dnnl_success) throw std::runtime_error("oneDNN sgemm failed with status " + std::to_string(int(st)));
  if (!g.bias && g.epilogue == Epilogue::none) return;
  for (int64_t i = 0; i < g.m; ++i) {
    float* row = g.c + i * g.ldc;
    if (g.bias)
      for (int64_t j = 0; j < g.n; ++j) row[j] = row[j] + g.bias[j];
    if (g.epilogue == Epilogue::relu)
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

bool prefer_for_gemm(const Gemm& g) {
  const int forced = g_forced.load();
  if (forced >= 0) return forced == 1;
  // Measured with bench_matmul on an AVX-512 CPU (README, "CPU kernel libraries"):
  // oneDNN's sgemm runs the MLP's products 1.1-1.7x faster than OpenBLAS's own AVX-512
  // kernels and 1.5-1.9x faster than its AVX2 kernels (OPENBLAS_CORETYPE=Haswell), and
  // loses to OpenBLAS's AVX-512 kernels on small products (64^3: 0.75-0.85x). Without
  // AVX-512 in oneDNN, OpenBLAS stays (not measured here).
  if (!avx512()) return false;
  constexpr int64_t kSmall = int64_t(1) << 19;  // multiply-adds
  return !openblas_runs_avx512() || g.m * g.n * g.k >= kSmall;
}

namespace {
// Whether oneDNN's effective ISA includes `set` (the ISA values are bit sets, as in avx512()).
bool isa_has(int set) { return (static_cast<int>(dnnl::get_effective_cpu_isa()) & set) == set; }

// C = A B on oneDNN's matmul primitive (row-major descriptors with the callers' strides),
// cached by a key of `tag` and the sizes and strides.
void run_matmul(const char* tag, const dnnl::memory::desc& a, const void* pa, const dnnl::memory::desc& b,
                const void* pb, const dnnl::memory::desc& c, void* pc, std::initializer_list<int64_t> shape) {
  std::string key = tag;
  for (int64_t v : shape) key += ' ' + std::to_string(v);
  const auto p = cached(key, [&] {
    return make_primitive<dnnl::matmul>(dnnl::matmul::primitive_desc(dnnl::matmul::desc(a, b, c), attr(), engine()));
  });
  execute(*p, {{DNNL_ARG_SRC, wrap(a, pa)}, {DNNL_ARG_WEIGHTS, wrap(b, pb)}, {DNNL_ARG_DST, wrap(c, pc)}});
}
}  // namespace

bool exact_int8() {
  static const bool yes = isa_has(dnnl_cpu_isa_avx512_core_vnni) || isa_has(dnnl_cpu_isa_avx2_vnni);
  return yes;
}

std::atomic<int> g_forced_int8{-1};

void force_int8_gemm(int which) { g_forced_int8.store(which); }

bool prefer_for_int8_gemm() {
  // Measured with bench_matmul (README, "CPU kernel libraries"): on AMX, the MLP's int8
  // products run 4-9x the float32 rate of oneDNN's sgemm.
  return g_forced_int8.load() != 0 && exact_int8();
}

void gemm_s8(const GemmS8& g) {
  using dt = dnnl::memory::data_type;
  using dims = dnnl::memory::dims;
  const dnnl::memory::desc a({g.m, g.k}, dt::s8, dims{g.lda, 1});
  const dnnl::memory::desc b({g.k, g.n}, dt::s8, g.tb ? dims{1, g.ldb} : dims{g.ldb, 1});
  const dnnl::memory::desc c({g.m, g.n}, dt::s32, dims{g.ldc, 1});
  run_matmul("s8mm", a, g.a, b, g.b, c, g.c, {g.m, g.n, g.k, g.tb, g.lda, g.ldb, g.ldc});
}

bool native_bf16() {
  static const bool yes = isa_has(dnnl_cpu_isa_avx512_core_bf16);
  return yes;
}

std::atomic<int> g_forced_bf16{-1};

void force_bf16_gemm(int which) { g_forced_bf16.store(which); }

bool prefer_for_bf16_gemm() {
  // Measured with bench_matmul (README, "CPU kernel libraries"): on AVX-512 BF16, the MLP's
  // bfloat16 products run about 2x the rate of oneDNN's float32 sgemm, before the
  // conversions the float32 fallback adds.
  return g_forced_bf16.load() != 0 && native_bf16();
}

void gemm_bf16(const GemmBF16& g) {
  using dt = dnnl::memory::data_type;
  using dims = dnnl::memory::dims;
  const dnnl::memory::desc a({g.m, g.k}, dt::bf16, g.ta ? dims{1, g.lda} : dims{g.lda, 1});
  const dnnl::memory::desc b({g.k, g.n}, dt::bf16, g.tb ? dims{1, g.ldb} : dims{g.ldb, 1});
  const dnnl::memory::desc c({g.m, g.n}, dt::bf16, dims{g.ldc, 1});
  run_matmul("bf16mm", a, g.a, b, g.b, c, g.c, {g.m, g.n, g.k, g.ta, g.tb, g.lda, g.ldb, g.ldc});
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

}  // namespace keras::core::cpu::onednn
