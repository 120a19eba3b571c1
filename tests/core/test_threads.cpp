#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <stdexcept>
#include <vector>

#include "core/cpu/parallel.h"
#include "helpers.h"

using namespace th;

// The whole file also runs under ThreadSanitizer (./setup.sh tsan).
TEST_SUITE_BEGIN("threads");

namespace {
struct ThreadCount {  // restores the thread count when a test ends
  int saved = core::get_num_threads();
  ~ThreadCount() { core::set_num_threads(saved); }
};
}  // namespace

TEST_CASE("set_num_threads sizes the pool and rejects bad counts") {
  ThreadCount keep;
  core::set_num_threads(3);
  CHECK(core::get_num_threads() == 3);
  core::set_num_threads(1);
  CHECK(core::get_num_threads() == 1);
  CHECK_THROWS_MSG(core::set_num_threads(0), std::invalid_argument,
                   "set_num_threads: expected 1 <= n <= 1024, but received 0");
}

TEST_CASE("parallel_for covers every index exactly once, for any thread count") {
  ThreadCount keep;
  for (int threads : {1, 2, 4}) {
    core::set_num_threads(threads);
    for (int64_t n : {0, 1, 7, 1000, 100003}) {
      std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
      core::cpu::parallel_for(n, 10, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) hits[static_cast<size_t>(i)]++;
      });
      for (auto& h : hits) REQUIRE(h.load() == 1);
    }
  }
}

TEST_CASE("an exception thrown in a pool task reaches the caller; the pool keeps working") {
  ThreadCount keep;
  core::set_num_threads(2);
  CHECK_THROWS_AS(core::cpu::parallel_for(1000, 1,
                                          [](int64_t b, int64_t) {
                                            if (b > 0) throw std::runtime_error("chunk failed");
                                          }),
                  std::runtime_error);
  std::atomic<int64_t> total{0};
  core::cpu::parallel_for(1000, 1, [&](int64_t b, int64_t e) { total += e - b; });
  CHECK(total.load() == 1000);
}

TEST_CASE("nested parallel_for runs serially inside a task") {
  ThreadCount keep;
  core::set_num_threads(2);
  std::atomic<int64_t> total{0};
  core::cpu::parallel_for(4, 1, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i)
      core::cpu::parallel_for(100, 1, [&](int64_t b2, int64_t e2) { total += e2 - b2; });
  });
  CHECK(total.load() == 400);
}

TEST_CASE("results do not depend on the thread count") {
  ThreadCount keep;
  const int64_t n = 1 << 20;
  auto in = uniform(n, -3, 3, 11);
  Tensor x = make(in, Shape{1024, 1024});
  std::vector<std::vector<float>> runs;
  std::vector<float> sums;
  for (int threads : {1, 2, 3}) {
    core::set_num_threads(threads);
    Tensor y = ops::add(ops::tanh(x), ops::multiply(x, ops::relu(x)));
    runs.push_back(y.to_vector<float>());
    sums.push_back(ops::sum(x).item<float>());
  }
  CHECK(runs[0] == runs[1]);
  CHECK(runs[0] == runs[2]);
  CHECK(sums[0] == sums[1]);
  CHECK(sums[0] == sums[2]);
}

// ThreadSanitizer does not support starting threads after a multi-threaded fork (it
// makes the child die): this test runs in the plain and ASan builds only.
#if defined(__SANITIZE_THREAD__)
constexpr bool kThreadSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
constexpr bool kThreadSanitizer = true;
#else
constexpr bool kThreadSanitizer = false;
#endif
#else
constexpr bool kThreadSanitizer = false;
#endif

TEST_CASE("a forked child gets a working pool of the same size (fork copies no workers)" *
          doctest::skip(kThreadSanitizer)) {
  ThreadCount keep;
  core::set_num_threads(3);
  std::atomic<int64_t> sum{0};
  core::cpu::parallel_for(1 << 16, 1, [&](int64_t b, int64_t e) { sum += e - b; });  // the workers exist now
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {  // the child only computes and _exit()s: no doctest there
    std::atomic<int64_t> n{0}, chunks{0};
    core::cpu::parallel_for(1 << 16, 1, [&](int64_t b, int64_t e) {
      n += e - b;
      ++chunks;
    });
    core::set_num_threads(2);
    core::cpu::parallel_for(1 << 16, 1, [&](int64_t b, int64_t e) { n += e - b; });
    ::_exit(n == 2 << 16 && chunks == 3 && core::get_num_threads() == 2 ? 0 : 1);
  }
  // Before the fix the child waited forever for workers that fork had not copied.
  int status = 0;
  for (int i = 0; i < 1000 && ::waitpid(pid, &status, WNOHANG) == 0; ++i) ::usleep(10000);
  if (::waitpid(pid, &status, WNOHANG) == 0) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    FAIL("the forked child hung in parallel_for");
  }
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(sum == 1 << 16);
}

TEST_SUITE_END();
