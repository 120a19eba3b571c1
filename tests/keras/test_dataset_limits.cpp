// test_dataset_limits.cpp - keras::data::Dataset at the edges: range near the int64
// limits (exact values and cardinality, no overflow), and one iterator drained from
// several threads at once (every element exactly once, the end seen by all).
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <limits>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "helpers.h"
#include "keras/data/dataset.h"

using namespace th;
namespace data = keras::data;
using data::Dataset;
using data::Element;

namespace {
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

// The first `limit` values of a dataset of int64 scalars.
std::vector<int64_t> first_values(const Dataset& ds, size_t limit = 16) {
  std::vector<int64_t> v;
  data::Iterator it = ds.make_iterator();
  while (v.size() < limit) {
    std::optional<Element> e = it.next();
    if (!e) break;
    REQUIRE((*e)[0].dtype() == DType::int64);
    v.push_back((*e)[0].to_vector<int64_t>().at(0));  // exact (item<int64_t>() goes through a double)
  }
  return v;
}

// Runs f on its own thread; a hang past `seconds` ends the test program with a message
// (a hung test would otherwise never report).
template <class F>
void within(int seconds, const char* what, F f) {
  auto done = std::async(std::launch::async, std::move(f));
  if (done.wait_for(std::chrono::seconds(seconds)) == std::future_status::timeout) {
    std::fprintf(stderr, "FATAL: %s did not finish within %d s (a hang)\n", what, seconds);
    std::fflush(stderr);
    std::_Exit(3);
  }
  done.get();
}
}  // namespace

TEST_CASE("Dataset: range is exact at the int64 limits") {
  // Up to the largest value: stop is excluded, so the last element is kMax - 1.
  CHECK(first_values(Dataset::range(kMax - 3, kMax)) == std::vector<int64_t>{kMax - 3, kMax - 2, kMax - 1});
  CHECK(Dataset::range(kMax - 3, kMax).cardinality() == 3);
  // From the smallest value.
  CHECK(first_values(Dataset::range(kMin, kMin + 3)) == std::vector<int64_t>{kMin, kMin + 1, kMin + 2});
  CHECK(Dataset::range(kMin, kMin + 3).cardinality() == 3);
  // Downwards from the largest value to the smallest, with big steps.
  CHECK(first_values(Dataset::range(kMax, kMin, kMin)) == std::vector<int64_t>{kMax, -1});
  CHECK(Dataset::range(kMax, kMin, kMin).cardinality() == 2);
  CHECK(first_values(Dataset::range(kMax, kMax - 10, -3)) ==
        std::vector<int64_t>{kMax, kMax - 3, kMax - 6, kMax - 9});
  CHECK(Dataset::range(kMax, kMax - 10, -3).cardinality() == 4);
  // A step larger than what is left: one element, no wrap-around.
  CHECK(first_values(Dataset::range(0, kMax, kMax)) == std::vector<int64_t>{0});
  CHECK(Dataset::range(0, kMax, kMax).cardinality() == 1);
  CHECK(first_values(Dataset::range(kMin, kMax, kMax)) == std::vector<int64_t>{kMin, -1, kMax - 1});
  CHECK(Dataset::range(kMin, kMax, kMax).cardinality() == 3);
  CHECK(first_values(Dataset::range(kMin, kMax, int64_t(1) << 62)) ==
        std::vector<int64_t>{kMin, -(int64_t(1) << 62), 0, int64_t(1) << 62});
  CHECK(Dataset::range(kMin, kMax, int64_t(1) << 62).cardinality() == 4);
  // The widest range that still has an int64 count, and an empty one at the edge.
  CHECK(Dataset::range(0, kMax).cardinality() == kMax);
  CHECK(Dataset::range(kMax).cardinality() == kMax);
  CHECK(Dataset::range(-1, kMax).cardinality() == data::UNKNOWN_CARDINALITY);  // 2^63 elements
  CHECK(Dataset::range(kMax, kMax).cardinality() == 0);
  CHECK(first_values(Dataset::range(kMax, kMin)).empty());
  CHECK(Dataset::range(kMin, kMax, -1).cardinality() == 0);
  // More elements than an int64 can count (2^64 - 1): the count is unknown, not
  // infinite, and the values are still exact.
  CHECK(Dataset::range(kMin, kMax).cardinality() == data::UNKNOWN_CARDINALITY);
  CHECK(Dataset::range(kMax, kMin, -1).cardinality() == data::UNKNOWN_CARDINALITY);
  CHECK(first_values(Dataset::range(kMin, kMax), 3) == std::vector<int64_t>{kMin, kMin + 1, kMin + 2});
  CHECK(first_values(Dataset::range(kMax, kMin, -1), 2) == std::vector<int64_t>{kMax, kMax - 1});
  // take / skip over such a range stay exact.
  CHECK(first_values(Dataset::range(kMax - 5, kMax).skip(3)) == std::vector<int64_t>{kMax - 2, kMax - 1});
  CHECK(Dataset::range(kMax - 5, kMax).skip(3).cardinality() == 2);
}

TEST_CASE("Dataset: one iterator drained from several threads delivers each element once") {
  constexpr int64_t n = 2000;
  auto check_drain = [&](const Dataset& ds, int threads) {
    data::Iterator it = ds.make_iterator();
    std::mutex mu;
    std::vector<int64_t> seen;
    std::atomic<int> ended{0};
    within(60, "draining one iterator from several threads", [&] {
      std::vector<std::thread> workers;
      for (int t = 0; t < threads; ++t)
        workers.emplace_back([&] {
          std::vector<int64_t> mine;
          while (std::optional<Element> e = it.next()) mine.push_back((*e)[0].item<int64_t>());
          // After the end, the iterator stays at the end for everybody.
          if (!it.next()) ended.fetch_add(1);
          std::lock_guard<std::mutex> lock(mu);
          seen.insert(seen.end(), mine.begin(), mine.end());
        });
      for (std::thread& w : workers) w.join();
    });
    CHECK(ended.load() == threads);
    REQUIRE(seen.size() == size_t(n));
    CHECK(std::set<int64_t>(seen.begin(), seen.end()).size() == size_t(n));
    CHECK(*std::min_element(seen.begin(), seen.end()) == 0);
    CHECK(*std::max_element(seen.begin(), seen.end()) == 2 * (n - 1));
  };
  auto twice = [](const Tensor& x) { return ops::multiply(x, core::constant(int64_t(2))); };
  for (int round = 0; round < 20; ++round) {
    CAPTURE(round);
    check_drain(Dataset::range(n).map(twice, {.num_parallel_calls = 3}).prefetch(2), 2);
    check_drain(Dataset::range(n).map(twice).prefetch(1), 3);
    check_drain(Dataset::range(n).map(twice, {.num_parallel_calls = 2}), 2);
    check_drain(Dataset::range(n).map(twice).prefetch(4).shuffle(16, {.seed = round}), 4);
  }
}

TEST_CASE("Dataset: an error raised while several threads read one iterator reaches one of them") {
  auto fail_at_500 = [](const Tensor& x) {
    if (x.item<int64_t>() == 500) throw std::domain_error("element 500 is bad");
    return x;
  };
  for (int round = 0; round < 10; ++round) {
    data::Iterator it = Dataset::range(1000).map(fail_at_500, {.num_parallel_calls = 2}).prefetch(2).make_iterator();
    std::atomic<int> errors{0}, elements{0};
    within(60, "reading a failing dataset from several threads", [&] {
      std::vector<std::thread> workers;
      for (int t = 0; t < 3; ++t)
        workers.emplace_back([&] {
          try {
            while (it.next()) elements.fetch_add(1);
          } catch (const std::domain_error&) {
            errors.fetch_add(1);
          }
        });
      for (std::thread& w : workers) w.join();
    });
    CHECK(errors.load() == 1);
    CHECK(elements.load() == 500);
  }
}
