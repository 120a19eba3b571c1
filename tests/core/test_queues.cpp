// test_queues.cpp - tf.queue's queues (core/queue.h): TensorFlow's results on the
// fixtures of tests/data/ragged/make_fixtures.py, element checks, close semantics,
// timeouts, and producers and consumers on several threads that lose or duplicate
// nothing. In the "queues" suite, which CI also runs under ThreadSanitizer.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "core/queue.h"
#include "error_of.h"
#include "helpers.h"
#include "tf_fixture.h"

using namespace th;
using core::CancelledError;
using core::DeadlineExceededError;
using core::FIFOQueue;
using core::OutOfRangeError;
using core::PaddingFIFOQueue;
using core::PriorityQueue;
using core::QueueBase;
using core::RandomShuffleQueue;

namespace {

Tensor fx(const std::string& name) { return th::tf_fixture(name); }

Tensor i32(int v) { return core::constant(v); }
Tensor i64(int64_t v) { return core::constant(v); }

// Gives a thread that has announced (flag) it is about to block the time to get there.
// (No test asserts a duration; a run on a loaded machine at worst orders differently,
// which the checks below would report.)
void settle(const std::atomic<bool>& flag) {
  while (!flag.load()) std::this_thread::yield();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
}

}  // namespace

TEST_SUITE_BEGIN("queues");

TEST_CASE("queues: FIFOQueue order, batches and element checks") {
  FIFOQueue q(3, {DType::float32, DType::int32}, {{2}, {}});
  q.enqueue({core::constant({1.0, 2.0}), i32(5)});
  q.enqueue({core::constant({3.0, 4.0}), i32(6)});
  CHECK(q.size() == 2);
  auto b = q.dequeue_many(2);
  check_values(b[0], std::vector<double>{1, 2, 3, 4});
  CHECK(b[0].shape() == Shape{2, 2});
  CHECK(b[1].to_vector<int32_t>() == std::vector<int32_t>{5, 6});
  q.enqueue_many({core::constant({{1.0, 1.0}, {2.0, 2.0}, {3.0, 3.0}}), core::constant({1, 2, 3})});
  auto one = q.dequeue();
  CHECK(one[1].item<int>() == 1);
  CHECK(one[0].shape() == Shape{2});
  // Open and short of 5: dequeue_up_to waits; its timeout passes and it takes nothing.
  CHECK_THROWS_AS(q.dequeue_up_to(5, 0.05), DeadlineExceededError);
  CHECK(q.size() == 2);
  CHECK(q.dequeue()[1].item<int>() == 2);  // order kept after the failed attempt

  // Element checks: TensorFlow's errors as std::invalid_argument naming what was expected.
  throws_with<std::invalid_argument>([&] { q.enqueue({core::constant({1.0, 2.0}), core::constant(1.0)}); },
                                     "FIFOQueue 'fifo_queue' enqueue: expected component 1 to have dtype int32, but received float32");
  throws_with<std::invalid_argument>([&] { q.enqueue({core::constant({1.0, 2.0, 3.0}), i32(1)}); },
                                     "expected component 0 of shape (2,), but received (3,)");
  throws_with<std::invalid_argument>([&] { q.enqueue({core::constant({1.0, 2.0})}); }, "expected 2 components, but received 1");
  throws_with<std::invalid_argument>(
      [&] { q.enqueue_many({core::constant({{1.0, 2.0}, {3.0, 4.0}}), core::constant({1, 2, 3})}); },
      "expected every component to have 2 rows");
  throws_with<std::invalid_argument>([&] { q.dequeue_many(-1); }, "expected n >= 0");
  throws_with<std::invalid_argument>([&] { q.dequeue(-1.0); }, "timeout >= 0");
  FIFOQueue loose(3, {DType::float32});  // no shapes: any shape, but no batches
  loose.enqueue({core::constant(1.0)});
  loose.enqueue({core::constant({1.0, 2.0})});
  throws_with<std::invalid_argument>([&] { loose.dequeue_many(2); }, "require them");
  CHECK(loose.dequeue()[0].rank() == 0);
  CHECK(loose.dequeue()[0].rank() == 1);
  throws_with<std::invalid_argument>([] { FIFOQueue bad(3, {DType::int32, DType::float32}, {{}}); },
                                     "one shape per component dtype");
  throws_with<std::invalid_argument>([] { FIFOQueue bad(3, {DType::int32}, {{-1}}); }, "fully defined");
}

TEST_CASE("queues: close semantics as TensorFlow's") {
  FIFOQueue q(10, {DType::int32}, {{}});
  q.enqueue_many({core::constant({1, 2, 3})});
  q.close();
  CHECK(q.is_closed());
  throws_with<CancelledError>([&] { q.enqueue({i32(4)}); }, "FIFOQueue 'fifo_queue' is closed.");
  throws_with<CancelledError>([&] { q.close(); }, "Queue 'fifo_queue' is already closed.");
  q.enqueue_many({ops::zeros({0}, DType::int32)});  // a batch of 0 is a no-op, closed or not
  // dequeue_many needs more than is left: OutOfRangeError, and nothing is taken.
  throws_with<OutOfRangeError>([&] { q.dequeue_many(5); },
                               "FIFOQueue 'fifo_queue' is closed and has insufficient elements (requested 5, current size 3)");
  CHECK(q.size() == fx("queue_closed_size_after_many").item<int>());
  Tensor up_to = q.dequeue_up_to(5)[0];
  CHECK(up_to.to_vector<int32_t>() == fx("queue_closed_up_to").to_vector<int32_t>());
  throws_with<OutOfRangeError>([&] { q.dequeue_up_to(5); }, "(requested 5, current size 0)");
  throws_with<OutOfRangeError>([&] { q.dequeue(); }, "(requested 1, current size 0)");
  CHECK_THROWS_AS(q.dequeue(), std::out_of_range);  // OutOfRangeError is a std::out_of_range
}

TEST_CASE("queues: blocking, timeouts and wake-ups") {
  FIFOQueue q(1, {DType::int32}, {{}});
  CHECK_THROWS_AS(q.dequeue(0.02), DeadlineExceededError);
  q.enqueue({i32(1)});
  CHECK_THROWS_AS(q.enqueue({i32(2)}, 0.02), DeadlineExceededError);
  CHECK(q.size() == 1);
  // A blocked dequeue_many gets the elements enqueued later, beyond the capacity.
  std::thread consumer([&] { CHECK(q.dequeue_many(3)[0].to_vector<int32_t>() == std::vector<int32_t>{1, 2, 3}); });
  q.enqueue({i32(2)});
  q.enqueue({i32(3)});
  consumer.join();
  // close() wakes a blocked dequeue with OutOfRangeError.
  std::atomic<bool> started{false};
  std::thread waiter([&] {
    started = true;
    CHECK_THROWS_AS(q.dequeue(), OutOfRangeError);
  });
  settle(started);
  q.close();
  waiter.join();

  // close(false) lets a pending enqueue finish first; close(true) cancels it.
  FIFOQueue full(1, {DType::int32}, {{}});
  full.enqueue({i32(1)});
  std::atomic<bool> pending_started{false}, closer_started{false};
  std::thread pending([&] {
    pending_started = true;
    CHECK_NOTHROW(full.enqueue({i32(2)}));
  });
  settle(pending_started);
  std::thread closer([&] {
    closer_started = true;
    CHECK_NOTHROW(full.close());
  });
  settle(closer_started);
  CHECK_FALSE(full.is_closed());  // waiting behind the pending enqueue
  CHECK(full.dequeue()[0].item<int>() == 1);
  pending.join();
  closer.join();
  CHECK(full.is_closed());
  CHECK(full.dequeue()[0].item<int>() == 2);

  FIFOQueue full2(1, {DType::int32}, {{}});
  full2.enqueue({i32(1)});
  std::atomic<bool> cancelled_started{false};
  std::thread cancelled([&] {
    cancelled_started = true;
    throws_with<CancelledError>([&] { full2.enqueue_many({core::constant({2, 3})}); }, "Enqueue operation was cancelled");
  });
  settle(cancelled_started);
  full2.close(/*cancel_pending_enqueues=*/true);
  cancelled.join();
  CHECK(full2.size() == 1);
}

TEST_CASE("queues: PaddingFIFOQueue pads batches as TensorFlow") {
  PaddingFIFOQueue q(5, {DType::int32, DType::float32}, {{-1}, {-1, 2}});
  q.enqueue({core::constant({1, 2, 3}), ops::ones({1, 2})});
  q.enqueue({core::constant({4}), ops::fill({3, 2}, 2.0)});
  throws_with<std::invalid_argument>([&] { q.enqueue({core::constant({{4}}), ops::ones({1, 2})}); },
                                     "expected component 0 of shape (None,), but received (1, 1)");
  auto b = q.dequeue_many(2);
  CHECK(b[0].shape() == fx("queue_padded_a").shape());
  CHECK(b[0].to_vector<int32_t>() == fx("queue_padded_a").to_vector<int32_t>());
  CHECK(b[1].shape() == fx("queue_padded_b").shape());
  CHECK(b[1].to_vector<float>() == fx("queue_padded_b").to_vector<float>());
  throws_with<std::invalid_argument>([] { PaddingFIFOQueue bad(5, {DType::int32}, {}); }, "one shape per component");
}

TEST_CASE("queues: PriorityQueue takes the smallest priority first") {
  PriorityQueue q(10, {DType::float32}, {{}});
  q.enqueue_many({core::constant(std::vector<int64_t>{5, 1, 3, 0, 4}), core::constant({50.0, 10.0, 30.0, 0.0, 40.0})});
  auto b = q.dequeue_many(5);
  CHECK(b[0].to_vector<int64_t>() == fx("queue_priority_p").to_vector<int64_t>());
  CHECK(b[1].to_vector<float>() == fx("queue_priority_v").to_vector<float>());
  CHECK(q.dtypes() == std::vector<DType>{DType::int64, DType::float32});
  throws_with<std::invalid_argument>([&] { q.enqueue({i32(3), core::constant(1.0)}); },
                                     "expected component 0 to have dtype int64, but received int32");
  throws_with<std::invalid_argument>([&] { q.enqueue({core::constant(std::vector<int64_t>{1}), core::constant(1.0)}); },
                                     "(the priority) to be an int64 scalar");
  // Equal priorities come out in the order they went in, also after a timed-out attempt.
  for (int i = 0; i < 4; ++i) q.enqueue({i64(7), core::constant(float(i))});
  CHECK_THROWS_AS(q.dequeue_many(5, 0.02), DeadlineExceededError);
  check_values(q.dequeue_many(4)[1], std::vector<double>{0, 1, 2, 3});
}

TEST_CASE("queues: RandomShuffleQueue keeps min_after_dequeue until closed") {
  RandomShuffleQueue q(10, 2, {DType::int32}, {{}}, /*seed=*/1);
  q.enqueue_many({ops::range(5)});
  auto first = q.dequeue_many(3)[0].to_vector<int32_t>();
  CHECK(q.size() == 2);
  CHECK_THROWS_AS(q.dequeue(0.02), DeadlineExceededError);  // only min_after_dequeue left
  CHECK(q.size() == 2);
  q.close();
  throws_with<OutOfRangeError>([&] { q.dequeue_many(3); }, "RandomShuffleQueue 'random_shuffle_queue' is closed and has insufficient elements (requested 3, current size 2)");
  auto last = q.dequeue_up_to(3)[0].to_vector<int32_t>();
  first.insert(first.end(), last.begin(), last.end());
  std::sort(first.begin(), first.end());
  CHECK(first == std::vector<int32_t>{0, 1, 2, 3, 4});
  throws_with<std::invalid_argument>([] { RandomShuffleQueue bad(3, 3, {DType::int32}); }, "min_after_dequeue < capacity");
  // The same seed gives the same order.
  auto order = [](uint64_t seed) {
    RandomShuffleQueue r(20, 0, {DType::int32}, {{}}, seed);
    r.enqueue_many({ops::range(20)});
    return r.dequeue_many(20)[0].to_vector<int32_t>();
  };
  CHECK(order(7) == order(7));
  CHECK(order(7) != ops::range(20).to_vector<int32_t>());
}

// Producers and consumers on several threads: every element comes out exactly once, and
// (FIFO) each producer's elements in the order it put them in.
namespace {
void run_threads(QueueBase& q, bool fifo, bool priority) {
  const int producers = 4, consumers = 3, per = 300;
  std::vector<std::thread> threads;
  std::vector<std::vector<int32_t>> got(consumers);
  for (int p = 0; p < producers; ++p) {
    threads.emplace_back([&q, p, priority] {
      for (int i = 0; i < per;) {
        int v = p * per + i;
        if (i % 5 == 0 && i + 3 <= per) {  // some rows in batches
          std::vector<Tensor> comps;
          if (priority) comps.push_back(core::constant(std::vector<int64_t>{i, i + 1, i + 2}));
          comps.push_back(core::constant({v, v + 1, v + 2}));
          q.enqueue_many(comps);
          i += 3;
        } else {
          std::vector<Tensor> comps;
          if (priority) comps.push_back(core::constant(int64_t{i}));
          comps.push_back(core::constant(v));
          q.enqueue(comps);
          i += 1;
        }
      }
    });
  }
  for (int c = 0; c < consumers; ++c) {
    threads.emplace_back([&q, &got, c, priority] {
      const size_t k = priority ? 1 : 0;
      for (int round = 0;; ++round) {
        try {
          if (round % 3 == 0) {
            got[c].push_back(q.dequeue()[k].item<int32_t>());
          } else {
            auto v = (round % 3 == 1 ? q.dequeue_many(3) : q.dequeue_up_to(4))[k].to_vector<int32_t>();
            got[c].insert(got[c].end(), v.begin(), v.end());
          }
        } catch (const OutOfRangeError&) {
          return;
        }
      }
    });
  }
  for (int p = 0; p < producers; ++p) threads[p].join();
  q.close();
  for (size_t t = producers; t < threads.size(); ++t) threads[t].join();
  std::vector<int32_t> all;
  for (const auto& g : got) all.insert(all.end(), g.begin(), g.end());
  std::sort(all.begin(), all.end());
  std::vector<int32_t> want(producers * per);
  for (size_t i = 0; i < want.size(); ++i) want[i] = static_cast<int32_t>(i);
  CHECK(all == want);  // nothing lost, nothing duplicated
  if (fifo) {
    for (const auto& g : got) {
      std::map<int, int32_t> last;
      for (int32_t v : g) {
        int p = v / per;
        if (last.count(p)) CHECK(v > last[p]);
        last[p] = v;
      }
    }
  }
  CHECK(q.size() == 0);
}
}  // namespace

TEST_CASE("queues: producers and consumers on several threads lose and duplicate nothing") {
  SUBCASE("FIFOQueue") {
    FIFOQueue q(8, {DType::int32}, {{}});
    run_threads(q, true, false);
  }
  SUBCASE("PaddingFIFOQueue") {
    PaddingFIFOQueue q(5, {DType::int32}, {{}});
    run_threads(q, true, false);
  }
  SUBCASE("RandomShuffleQueue") {
    RandomShuffleQueue q(16, 4, {DType::int32}, {{}}, 3);
    run_threads(q, false, false);
  }
  SUBCASE("PriorityQueue") {
    PriorityQueue q(8, {DType::int32}, {{}});
    run_threads(q, false, true);
  }
}

TEST_SUITE_END();
