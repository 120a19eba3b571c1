// onednn.h - (engine-internal) the engine's use of oneDNN: one CPU engine, a stream per
// calling thread, a cache of primitives, and the threading contract. Only kernel files
// include it (oneDNN stays out of the public headers).
//
// Threads: Debian's oneDNN runs on OpenMP. Beside the engine's own pool (and OpenBLAS's
// threads) an OpenMP team would oversubscribe the cores, and its workers spin after each
// parallel region. So every oneDNN call runs with one OpenMP thread on the thread that
// makes it, and a kernel that wants several threads cuts its work into slices and runs
// them on the engine's pool (parallel_for), one oneDNN call per slice.
#pragma once
#include <dnnl.hpp>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/cpu/window.h"

namespace keras::core::cpu::onednn {

const dnnl::engine& engine();

// Limits oneDNN's calls from this thread to this thread (one OpenMP thread); cheap after
// the first call on a thread. stream() and the GEMM call it.
void serial_on_this_thread();

// This thread's stream.
dnnl::stream& stream();

// Whether oneDNN's effective ISA is AVX-512 (avx512_core) or better.
bool avx512();

// A primitive with the size of the scratchpad it needs. Primitives are made with
// attr() below, whose scratchpad the caller provides: with the library's own, two
// threads running one primitive at once would share its scratch memory.
struct Primitive {
  dnnl::primitive p;
  dnnl::memory::desc scratchpad;
};

// The attributes every primitive is made with (user scratchpad).
dnnl::primitive_attr attr();

// Runs a primitive on the calling thread, with a scratchpad of this thread's, and waits.
void execute(const Primitive& p, std::unordered_map<int, dnnl::memory> args);

// A process-wide cache of primitives (creating one JIT-compiles its kernel: tens of
// microseconds, too slow for every call), keyed by a string the caller builds from the
// shapes and options. `make` runs once per key; thread-safe.
std::shared_ptr<const Primitive> cached(const std::string& key, const std::function<Primitive()>& make);

// A Primitive from a primitive descriptor (made with attr()).
template <class P>
Primitive make_primitive(const typename P::primitive_desc& pd) {
  return Primitive{P(pd), pd.scratchpad_desc()};
}

// A memory object over caller-owned data (no copy).
dnnl::memory wrap(const dnnl::memory::desc& md, const void* data);

// ---- GEMM (core/cpu/onednn_gemm.cpp) ---------------------------------------------------
// C (m x n, row stride ldc) = op(A) op(B) [+ bias (n)] [then the relu], float32,
// row-major; op(A) = A^T when ta (A is k x m, row stride lda), else A (m x k).
enum class Epilogue { none, relu };

struct Gemm {
  int64_t m = 0, n = 0, k = 0;
  bool ta = false, tb = false;
  const float* a = nullptr;
  int64_t lda = 0;
  const float* b = nullptr;
  int64_t ldb = 0;
  float* c = nullptr;
  int64_t ldc = 0;
  const float* bias = nullptr;  // optional, n elements
  Epilogue epilogue = Epilogue::none;
};

// Whether oneDNN is the measured faster choice over OpenBLAS for this float32 product
// (README, "Kernel libraries").
bool prefer_for_gemm(const Gemm& g);

// Runs the product, sliced over the engine's pool.
void gemm(const Gemm& g);

// Tests: -1 follows the rule (or KERAS_CPP_GEMM), 0 forces OpenBLAS, 1 forces oneDNN.
void force_gemm_library(int which);

// ---- int8 GEMM (core/cpu/onednn_gemm.cpp) ------------------------------------------------
// C (m x n, int32, row stride ldc) = A (m x k, int8, row stride lda) op(B), op(B) = B^T
// when tb (B is n x k, row stride ldb), else B (k x n): the exact int32 sums (wrapping
// past int32's range, as int32 arithmetic). oneDNN's matmul primitive, one call on the
// calling thread (the caller slices); its kernels use AMX tiles or VNNI instructions.
struct GemmS8 {
  int64_t m = 0, n = 0, k = 0;
  bool tb = false;
  const int8_t* a = nullptr;
  int64_t lda = 0;
  const int8_t* b = nullptr;
  int64_t ldb = 0;
  int32_t* c = nullptr;
  int64_t ldc = 0;
};

// Whether oneDNN's int8 kernels are exact here: with VNNI (AVX-512 or AVX2) or AMX they
// sum int8 products in int32 directly; the older AVX-512/AVX2 kernels pair products in
// saturating int16 sums, so they are never used.
bool exact_int8();

// Whether int8 products go to gemm_s8: exact_int8(), unless force_int8_gemm(0) sends them
// to the fallback (float BLAS under the float32 rule above).
bool prefer_for_int8_gemm();
// Tests and benchmarks: -1 the rule, 0 the fallback, 1 oneDNN where exact_int8().
void force_int8_gemm(int which);

// Runs the product on the calling thread.
void gemm_s8(const GemmS8& g);

// ---- bfloat16 GEMM (core/cpu/onednn_gemm.cpp) --------------------------------------------
// C (m x n, row stride ldc) = op(A) op(B) over bfloat16 values (their bit patterns): the
// products summed in float32 and rounded once to bfloat16 (to nearest even), by oneDNN's
// matmul primitive on the AVX-512 BF16 (or AMX) instructions, which flush subnormal
// inputs and sums to zero. One call on the calling thread (the caller slices).
struct GemmBF16 {
  int64_t m = 0, n = 0, k = 0;
  bool ta = false, tb = false;
  const uint16_t* a = nullptr;
  int64_t lda = 0;
  const uint16_t* b = nullptr;
  int64_t ldb = 0;
  uint16_t* c = nullptr;
  int64_t ldc = 0;
};

// Whether oneDNN runs bfloat16 products natively here (avx512_core_bf16 or better).
bool native_bf16();
// Whether bfloat16 products go to gemm_bf16: native_bf16(), unless force_bf16_gemm(0)
// sends them to the float32 fallback.
bool prefer_for_bf16_gemm();
// Tests and benchmarks: -1 the rule, 0 the float32 fallback, 1 oneDNN where native_bf16().
void force_bf16_gemm(int which);
// Runs the product on the calling thread.
void gemm_bf16(const GemmBF16& g);

// ---- window ops: convolution and pooling (core/cpu/onednn_conv.cpp, onednn_pool.cpp) ---
// The batch cut into `parts` slices of `step` samples (the last may be shorter), one per
// thread of the engine's pool at most.
struct Slices {
  int64_t parts = 1, step = 0;
  int64_t size(int64_t i, int64_t n) const { return std::min(step, n - i * step); }
};
Slices batch_slices(int64_t n);
// A window op's channels_last activations for n samples: the input (output false) or the
// output, as oneDNN memory descriptors of `dt`.
dnnl::memory::desc activations(const Window& w, int64_t n, bool output,
                               dnnl::memory::data_type dt = dnnl::memory::data_type::f32);
// A primitive cache key: `what`, the window's geometry and n.
std::string window_key(const char* what, const Window& w, int64_t n);
// cached() for a structure holding primitives and what their descriptors chose (a
// layout, a workspace); one cache per type T.
template <class T>
std::shared_ptr<const T> cached_as(const std::string& key, const std::function<T()>& make) {
  static std::mutex mu;
  static std::unordered_map<std::string, std::shared_ptr<const T>> cache;
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = cache.find(key);
    if (it != cache.end()) return it->second;
  }
  serial_on_this_thread();  // as in cached(): primitives are sized for one OpenMP thread
  auto p = std::make_shared<const T>(make());  // outside the lock: slow
  std::lock_guard<std::mutex> lock(mu);
  if (cache.size() >= 256) cache.clear();
  return cache.emplace(key, std::move(p)).first->second;
}

// ---- convolution (core/cpu/onednn_conv.cpp) ---------------------------------------------
// float32 (bfloat16 below), channels_last activations, Keras kernels (*size, in / groups, filters); sliced
// over the batch. Backward weights sums the slices' partial gradients in slice order.
// conv_forward adds bias (oc values) when given, in the primitive, then applies the
// epilogue to each batch slice right after it (FusedConv).
void conv_forward(const Window& w, const float* x, const float* k, float* y, const float* bias = nullptr,
                  Epilogue act = Epilogue::none);
void conv_backward_data(const Window& w, const float* dy, const float* k, float* dx);
void conv_backward_weights(const Window& w, const float* x, const float* dy, float* dk);
// The same on bfloat16 values (their bits; where native_bf16()): float32 sums, each result
// rounded once; backward weights sums the slices' float32 partial gradients and rounds the
// total once. No bias or epilogue (FusedConv is float32 and float64 only).
void conv_forward_bf16(const Window& w, const uint16_t* x, const uint16_t* k, uint16_t* y);
void conv_backward_data_bf16(const Window& w, const uint16_t* dy, const uint16_t* k, uint16_t* dx);
void conv_backward_weights_bf16(const Window& w, const uint16_t* x, const uint16_t* dy, uint16_t* dk);

// ---- pooling (core/cpu/onednn_pool.cpp) -------------------------------------------------
// float32 (and bfloat16) max and average (the padded cells left out) pooling, sliced over the batch.
// max_pool_backward runs the forward pass again for oneDNN's workspace (where the maxima
// are) instead of keeping it between the two calls.
void pool_forward(bool max, const Window& w, const float* x, float* y);
void max_pool_backward(const Window& w, const float* x, const float* dy, float* dx);
void avg_pool_backward(const Window& w, const float* dy, float* dx);
// The same on bfloat16 values (their bits; where native_bf16()).
void pool_forward_bf16(bool max, const Window& w, const uint16_t* x, uint16_t* y);
void max_pool_backward_bf16(const Window& w, const uint16_t* x, const uint16_t* dy, uint16_t* dx);
void avg_pool_backward_bf16(const Window& w, const uint16_t* dy, uint16_t* dx);

}  // namespace keras::core::cpu::onednn
