// parallel.h - (engine-internal) the engine's one intra-op thread pool.
//
// parallel_for splits [0, n) into at most get_num_threads() contiguous chunks of at
// least `grain` elements; chunk boundaries depend only on n, grain and the thread
// count, so results are deterministic for a given thread count. Calls made from inside
// a pool task run serially.
#pragma once
#include <cstdint>
#include <utility>

namespace keras::core::cpu {

using RangeFn = void (*)(void* ctx, int64_t begin, int64_t end);
void parallel_for_impl(int64_t n, int64_t grain, RangeFn fn, void* ctx);

template <class F>
void parallel_for(int64_t n, int64_t grain, F&& f) {
  if (n <= 0) return;
  parallel_for_impl(n, grain,
                    [](void* ctx, int64_t b, int64_t e) { (*static_cast<F*>(ctx))(b, e); },
                    const_cast<void*>(static_cast<const void*>(&f)));
}

// While one lives, this thread's floating-point unit flushes denormal results and inputs
// to zero (as TensorFlow's CPU kernels do: denormal arithmetic is up to 100x slower, and
// optimizer slots decaying toward zero spend many steps there). Kernels run under one;
// the pool's workers flush always.
class FlushDenormals {
 public:
  FlushDenormals();
  ~FlushDenormals();
  FlushDenormals(const FlushDenormals&) = delete;
  FlushDenormals& operator=(const FlushDenormals&) = delete;

 private:
  unsigned saved_ = 0;
};

// Elementwise work below this many elements runs on the calling thread.
inline constexpr int64_t kElementwiseGrain = 1 << 15;

}  // namespace keras::core::cpu
