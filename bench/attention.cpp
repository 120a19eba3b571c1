// attention.cpp - core/attention.h's fused_attention (the (B, N, T, S) weights kept for the
// backward pass) against flash_attention (tiles with an online softmax, the weights made
// again in the backward pass) on self-attention of T tokens, 4 heads of 64, batch 1,
// causal or not: milliseconds of the forward pass and of forward plus backward (the
// gradients of q, k and v), timed in alternation, and the host allocator's peak during
// one forward plus backward. One JSON line per sequence length.
// Usage: bench_attention [--threads N] [--causal]
#include "core/attention.h"

#include <cstdio>
#include <cstring>
#include <string>

#include "bench_util.h"
#include "keras/keras.h"

namespace {

namespace ops = keras::core::ops;
using keras::core::Tensor;

// q, k and v for one run, and what one call does.
struct Run {
  Tensor q, k, v, mask, dout;
  bool causal;
  double scale = 0.125;

  Tensor forward(bool flash) const {
    if (flash) return ops::flash_attention(q, k, v, Tensor(), scale, -1e9, causal).out;
    return ops::fused_attention(q, k, v, mask, scale, -1e9).out;
  }
  void both(bool flash) const {
    if (flash) {
      auto f = ops::flash_attention(q, k, v, Tensor(), scale, -1e9, causal);
      ops::flash_attention_grad(dout, q, k, v, f.out, f.stats, Tensor(), Tensor(), scale, -1e9, causal);
    } else {
      auto f = ops::fused_attention(q, k, v, mask, scale, -1e9);
      ops::fused_attention_grad(dout, q, k, v, f.out, f.probs, Tensor(), mask, scale, -1e9);
    }
  }
};

double peak_mb(const Run& r, bool flash) {
  keras::host::reset_peak_memory_stats();
  const size_t before = keras::host::memory_stats().bytes_in_use;
  r.both(flash);
  return double(keras::host::memory_stats().peak_bytes_in_use - before) / (1 << 20);
}

}  // namespace

int main(int argc, char** argv) {
  if (int t = bench::threads_flag(argc, argv)) keras::core::set_num_threads(t);
  bool causal = false;
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], "--causal") == 0) causal = true;
  const int64_t heads = 4, dim = 64;
  for (int64_t t : {256, 1024, 4096}) {
    ops::RandomOptions o;
    o.minval = -1;
    o.maxval = 1;
    Run r;
    o.seed = 1, r.q = ops::random_uniform({1, t, heads, dim}, o);
    o.seed = 2, r.k = ops::random_uniform({1, t, heads, dim}, o);
    o.seed = 3, r.v = ops::random_uniform({1, t, heads, dim}, o);
    o.seed = 4, r.dout = ops::random_uniform({1, t, heads, dim}, o);
    r.causal = causal;
    if (causal)  // the fused op takes the causal mask as a tensor
      r.mask = ops::reshape(ops::greater_equal(ops::reshape(ops::range(int64_t{0}, t), {t, 1}),
                                               ops::reshape(ops::range(int64_t{0}, t), {1, t})),
                            {1, 1, t, t});
    const int iters = t >= 4096 ? 1 : t >= 1024 ? 3 : 20;
    const auto [fwd_fused, fwd_flash] =
        bench::time_alternating([&] { r.forward(false); }, [&] { r.forward(true); }, iters, 5);
    const auto [both_fused, both_flash] =
        bench::time_alternating([&] { r.both(false); }, [&] { r.both(true); }, iters, 5);
    const double mem_fused = peak_mb(r, false), mem_flash = peak_mb(r, true);
    std::printf(
        "{\"bench\":\"attention\",\"isa\":\"%s\",\"threads\":%d,\"causal\":%s,\"seq\":%lld,\"heads\":%lld,"
        "\"head_dim\":%lld,\"forward_ms\":{\"fused\":%.3f,\"flash\":%.3f},\"forward_backward_ms\":{\"fused\":%.3f,"
        "\"flash\":%.3f},\"peak_mb\":{\"fused\":%.1f,\"flash\":%.1f}}\n",
        bench::isa(), keras::core::get_num_threads(), causal ? "true" : "false", static_cast<long long>(t),
        static_cast<long long>(heads), static_cast<long long>(dim), fwd_fused * 1e3, fwd_flash * 1e3, both_fused * 1e3,
        both_flash * 1e3, mem_fused, mem_flash);
    std::fflush(stdout);
  }
}
