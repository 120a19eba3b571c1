// test_queue_function.cpp - queues inside keras::function: enqueue, enqueue_many,
// dequeue, dequeue_many and close as ordered graph nodes that act on the queue at every
// run (the same elements, in the same order, as eager calls), and the trace-time errors.
#include <doctest/doctest.h>

#include "core/export.h"
#include "core/function.h"
#include "core/queue.h"
#include "error_of.h"
#include "helpers.h"

using namespace th;
using core::FIFOQueue;
using core::OutOfRangeError;
using core::PaddingFIFOQueue;
using core::PriorityQueue;

TEST_CASE("queue function: enqueue and dequeue run at every call of the graph, in order") {
  FIFOQueue q(16, {DType::float32, DType::int32}, {{2}, {}});
  int traced = 0;
  // Each call enqueues x * 2 and its step, then dequeues the oldest element.
  auto step = core::function([&](const Tensor& x, const Tensor& i) {
    ++traced;
    q.enqueue({ops::multiply(x, core::constant(2.0f)), i});
    q.enqueue_many({ops::stack({x, x}, 0), ops::stack({i, i}, 0)});
    auto e = q.dequeue();
    return std::vector<Tensor>{e[0], e[1]};
  });
  std::vector<double> want_first;
  for (int k = 0; k < 3; ++k) {
    const Tensor x = core::constant(std::vector<float>{float(k), float(k) + 0.5f}, Shape{2});
    auto out = step(x, core::constant(k));
    CHECK(out[0].shape() == Shape{2});
    // FIFO over the three enqueues of each call: 2x_0, x_0, x_0, 2x_1, x_1, x_1, ...
    const int64_t taken = k;  // the k-th element in order
    const int call = int(taken / 3), pos = int(taken % 3);
    const double scale = pos == 0 ? 2.0 : 1.0;
    check_values(out[0], std::vector<double>{scale * call, scale * (call + 0.5)}, 0.0);
    CHECK(out[1].item<int32_t>() == call);
  }
  CHECK(traced == 1);
  CHECK(step.tracing_count() == 1);
  CHECK(q.size() == 3 * 3 - 3);
  // dequeue_many in a graph: the queue's declared shapes give its shapes.
  auto take = core::function([&]() { return q.dequeue_many(4); });
  auto batch = take();
  CHECK(batch[0].shape() == Shape{4, 2});
  CHECK(batch[1].to_vector<int32_t>() == std::vector<int32_t>{1, 1, 1, 2});
  CHECK(q.size() == 2);
  // close as a node: a later dequeue of more than is left raises when the graph runs.
  auto close = core::function([&]() {
    q.close();
    return q.dequeue_many(3);
  });
  CHECK_THROWS_AS(close(), OutOfRangeError);
  CHECK(q.is_closed());
  CHECK(q.size() == 2);
}

TEST_CASE("queue function: a priority queue in a graph dequeues smallest first") {
  PriorityQueue q(-1, {DType::float32}, {{}});  // (the int64 priority comes first)
  auto put = core::function([&](const Tensor& p, const Tensor& v) { q.enqueue({p, v}); });
  for (int64_t p : {5, 1, 3}) put(core::constant(p), core::constant(float(p) * 10.0f));
  CHECK(put.tracing_count() == 1);
  auto get = core::function([&]() { return q.dequeue_many(3); });
  auto out = get();
  CHECK(out[0].to_vector<int64_t>() == std::vector<int64_t>{1, 3, 5});
  check_values(out[1], std::vector<double>{10.0, 30.0, 50.0}, 0.0);
}

TEST_CASE("queue function: errors at trace time name the queue") {
  FIFOQueue unknown(4, {DType::float32}, {}, "shapeless");
  auto f = core::function([&]() { return unknown.dequeue(); });
  CHECK(error_of([&] { f(); }) ==
        "FIFOQueue 'shapeless': dequeue inside a traced function (keras::function) needs the queue's component shapes "
        "fully defined, but they are unknown (give the queue shapes, or call it eagerly)");
  PaddingFIFOQueue padded(4, {DType::float32}, {{-1}}, "pad");
  auto g = core::function([&]() { return padded.dequeue_many(2); });
  CHECK(error_of([&] { g(); }) ==
        "PaddingFIFOQueue 'pad': dequeue_many inside a traced function (keras::function) needs the queue's component "
        "shapes fully defined, but they are [(None,)] (give the queue shapes, or call it eagerly)");
  FIFOQueue q(4, {DType::float32}, {{2}}, "q");
  auto up_to = core::function([&]() { return q.dequeue_up_to(2); });
  CHECK(error_of([&] { up_to(); }).find("FIFOQueue 'q': dequeue_up_to inside a traced function") == 0);
  // The element checks run at trace time, as eagerly.
  auto wrong = core::function([&](const Tensor& x) { q.enqueue({x}); });
  CHECK(error_of([&] { wrong(ops::zeros({3})); }) == error_of([&] { q.enqueue({ops::zeros({3})}); }));
  CHECK(q.size() == 0);
  // Export refuses the node, naming the queue's operation.
  CHECK(error_of([&] {
          core::export_graph([&](const std::vector<Tensor>& in) {
            q.enqueue({in[0]});
            return std::vector<Tensor>{ops::add(in[0], in[0])};
          }, {{{2}, DType::float32}});
        }).find("export: the function calls host_function (FIFOQueue 'q'.enqueue)") == 0);
}
