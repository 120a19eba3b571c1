#include "core/cpu/parallel.h"

#if defined(__SSE__)
#include <xmmintrin.h>
#endif

#include <cblas.h>
#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "core/ops.h"

namespace keras::core::cpu {
namespace {

thread_local bool t_in_pool = false;

#if defined(__SSE__)
constexpr unsigned kFlushBits = 0x8040;  // MXCSR: flush to zero (15) | denormals are zero (6)
unsigned get_csr() { return _mm_getcsr(); }
void set_csr(unsigned v) { _mm_setcsr(v); }
#else
constexpr unsigned kFlushBits = 0;
unsigned get_csr() { return 0; }
void set_csr(unsigned) {}
#endif

class ThreadPool {
 public:
  explicit ThreadPool(int n) { resize(n); }
  ~ThreadPool() { stop(); }

  int size() const { return static_cast<int>(workers_.size()) + 1; }

  // Throws std::system_error naming n when the system refuses a thread; the pool then
  // has its previous size again.
  void resize(int n) {
    const int old = size();
    stop();
    try {
      start(n);
    } catch (const std::system_error& e) {
      const int started = size();
      stop();
      start(old);
      throw std::system_error(e.code(), "set_num_threads: the system refused to start thread " +
                                            std::to_string(started + 1) + " of the " + std::to_string(n) +
                                            " requested (the process's thread limit, see ulimit -u); the "
                                            "pool keeps its " + std::to_string(old) + " threads");
    }
  }

  // Runs fn on chunks [0, chunks): chunk 0 on the caller, chunk i on worker i.
  void run(int chunks, int64_t n, RangeFn fn, void* ctx) {
    std::lock_guard<std::mutex> job_lock(job_mu_);  // one job at a time
    {
      std::lock_guard<std::mutex> lock(mu_);
      fn_ = fn;
      ctx_ = ctx;
      n_ = n;
      chunks_ = chunks;
      pending_.store(chunks - 1, std::memory_order_relaxed);
      error_ = nullptr;
      ++generation_;
    }
    cv_.notify_all();
    run_chunk(0);
    // Spin briefly, then sleep, until the workers are done.
    for (int spin = 0; pending_.load(std::memory_order_acquire) != 0; ++spin) {
      if (spin > 4000) {
        std::unique_lock<std::mutex> lock(mu_);
        done_cv_.wait(lock, [this] { return pending_.load(std::memory_order_acquire) == 0; });
        break;
      }
      std::this_thread::yield();
    }
    if (error_) std::rethrow_exception(error_);
  }

 private:
  void run_chunk(int i) {
    int64_t b = n_ * i / chunks_, e = n_ * (i + 1) / chunks_;
    bool saved = t_in_pool;
    t_in_pool = true;
    try {
      if (b < e) fn_(ctx_, b, e);
    } catch (...) {
      std::lock_guard<std::mutex> lock(mu_);
      if (!error_) error_ = std::current_exception();
    }
    t_in_pool = saved;
  }

  void work(int index, uint64_t seen) {
    set_csr(get_csr() | kFlushBits);  // the workers only run kernels: flush for good
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return stopping_ || generation_ != seen; });
        if (stopping_) return;
        seen = generation_;
        if (index >= chunks_) continue;
      }
      run_chunk(index);
      if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        std::lock_guard<std::mutex> lock(mu_);
        done_cv_.notify_one();
      }
    }
  }

  void start(int n) {
    stopping_ = false;
    // New workers must not mistake the last finished job for a new one.
    const uint64_t gen = generation_;
    for (int i = 1; i < n; ++i) workers_.emplace_back([this, i, gen] { work(i, gen); });
  }

  void stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
  }

  std::mutex job_mu_, mu_;
  std::condition_variable cv_, done_cv_;
  std::vector<std::thread> workers_;
  bool stopping_ = false;
  uint64_t generation_ = 0;
  RangeFn fn_ = nullptr;
  void* ctx_ = nullptr;
  int64_t n_ = 0;
  int chunks_ = 1;
  std::atomic<int> pending_{0};
  std::exception_ptr error_;
};

int default_threads() {
  unsigned hc = std::thread::hardware_concurrency();
  return hc == 0 ? 1 : static_cast<int>(hc);
}

std::mutex g_pool_mu;
ThreadPool* g_pool = nullptr;  // never destroyed (workers may outlive static destructors)
int g_forked_threads = 0;      // in a forked child: the parent's pool size

// fork() copies only the calling thread: in the child the pool's workers do not exist,
// so a job would wait for them forever and resizing would join threads that are not
// there. The child therefore abandons the copied pool (leaked: destroying it would join)
// and builds a new one of the same size on first use. The pool mutex is held across
// fork so the child's copy is in a known state.
void before_fork() { g_pool_mu.lock(); }
void after_fork_in_parent() { g_pool_mu.unlock(); }
void after_fork_in_child() {
  if (g_pool) {
    g_forked_threads = g_pool->size();
    g_pool = nullptr;
  }
  g_pool_mu.unlock();
}

ThreadPool& pool() {
  static const int registered = pthread_atfork(before_fork, after_fork_in_parent, after_fork_in_child);
  (void)registered;
  std::lock_guard<std::mutex> lock(g_pool_mu);
  if (!g_pool) {
    int n = g_forked_threads > 0 ? g_forked_threads : default_threads();
    // OpenBLAS stays single-threaded: gemm.cpp runs its blocks on this pool, with bounds
    // that do not move with the thread count (bit-identical results at any count).
    openblas_set_num_threads(1);
    g_pool = new ThreadPool(n);
  }
  return *g_pool;
}

}  // namespace

void parallel_for_impl(int64_t n, int64_t grain, RangeFn fn, void* ctx) {
  grain = std::max<int64_t>(grain, 1);
  if (t_in_pool || n <= grain) return fn(ctx, 0, n);
  ThreadPool& p = pool();
  int chunks = static_cast<int>(std::min<int64_t>(p.size(), (n + grain - 1) / grain));
  if (chunks <= 1) return fn(ctx, 0, n);
  p.run(chunks, n, fn, ctx);
}

FlushDenormals::FlushDenormals() : saved_(get_csr()) {
  if ((saved_ & kFlushBits) != kFlushBits) set_csr(saved_ | kFlushBits);
}
FlushDenormals::~FlushDenormals() {
  if ((saved_ & kFlushBits) != kFlushBits) set_csr(saved_);
}

}  // namespace keras::core::cpu

namespace keras::core {

void set_num_threads(int n) {
  if (n < 1 || n > kMaxThreads)
    throw std::invalid_argument("set_num_threads: expected 1 <= n <= " + std::to_string(kMaxThreads) +
                                ", but received " + std::to_string(n) + " (this machine has " +
                                std::to_string(std::thread::hardware_concurrency()) + " hardware threads)");
  cpu::pool();  // make sure it exists
  std::lock_guard<std::mutex> lock(cpu::g_pool_mu);
  cpu::g_pool->resize(n);
}

int get_num_threads() { return cpu::pool().size(); }

}  // namespace keras::core
