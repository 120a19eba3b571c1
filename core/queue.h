// queue.h - TensorFlow's queues (tf.queue): FIFOQueue, PaddingFIFOQueue,
// RandomShuffleQueue, PriorityQueue. Thread-safe and blocking, with TensorFlow's order and
// close semantics:
//
//   core::FIFOQueue q(8, {DType::float32, DType::int32}, {{2}, {}});
//   q.enqueue({x, label});                   // blocks while the queue is full
//   auto batch = q.dequeue_many(4);          // blocks until 4 elements are there
//   q.close();                               // then: enqueue raises CancelledError,
//   q.dequeue();                             // OutOfRangeError once too few are left
//
// An element is a list of tensors (components) whose dtypes (and, where given, shapes:
// -1 is an unknown dimension, PaddingFIFOQueue only) are checked on enqueue
// (std::invalid_argument naming the queue, the component, what was expected and what
// was received). Blocked operations are served in arrival order, as TensorFlow's
// attempts are: a waiting dequeue_many(5) takes the next 5 elements before a later
// dequeue gets one. Every blocking call takes an optional timeout in seconds; when it
// passes, DeadlineExceededError is raised and the call has changed nothing (elements a
// dequeue_many had taken are put back at the front; an enqueue_many keeps the rows it
// enqueued, as TensorFlow's cancelled enqueue_many does).
//
// close(): later enqueues raise CancelledError; enqueues already pending complete first
// (close waits behind them, as TensorFlow's close attempt does), unless
// cancel_pending_enqueues, which makes them raise CancelledError at once. Dequeues from a
// closed queue take what is there; one that needs more than is left raises
// OutOfRangeError ("... is closed and has insufficient elements (requested n, current
// size k)") and takes nothing, except dequeue_up_to, which returns the 1..n-1 left.
// Queues are not copyable; share one by reference or std::shared_ptr.
//
// Inside a traced function (keras::function), enqueue, enqueue_many, dequeue,
// dequeue_many and close are graph nodes that change state (kept, in their order) and run
// on the queue each time the graph runs; a dequeue's results take their shapes from the
// queue's component shapes, which must then be fully defined (std::invalid_argument at
// trace time, naming the queue), and dequeue_up_to (a size known only when it runs)
// raises there. The queue must outlive the function. size() and is_closed() are C++ values
// read when called (at trace time inside a trace).
#pragma once
#include <condition_variable>
#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/errors.h"
#include "core/tensor.h"

namespace keras::core {

/// The base of TensorFlow's queues (tf.queue.QueueBase): thread-safe, blocking enqueue and
/// dequeue of elements (lists of tensors) with TensorFlow's ordering and close semantics;
/// see the file comment.
class QueueBase {
 public:
  /// One queue element: its components, one tensor per dtype.
  using Element = std::vector<Tensor>;
  using Timeout = std::optional<double>;  ///< seconds; none: wait as long as it takes

  virtual ~QueueBase() = default;
  QueueBase(const QueueBase&) = delete;
  QueueBase& operator=(const QueueBase&) = delete;

  /// One element; blocks while the queue is full.
  void enqueue(const Element& components, Timeout timeout = std::nullopt);
  /// Rows of the components (all with the same first dimension) as elements, in order.
  void enqueue_many(const Element& components, Timeout timeout = std::nullopt);
  /// The next element (its components as enqueued).
  Element dequeue(Timeout timeout = std::nullopt);
  /// n elements batched along a new first axis (each component stacked; the queue's
  /// shapes must be known, as TensorFlow's DequeueMany requires).
  Element dequeue_many(int64_t n, Timeout timeout = std::nullopt);
  /// As dequeue_many, but a closed queue gives what it has left (at least 1).
  Element dequeue_up_to(int64_t n, Timeout timeout = std::nullopt);
  /// tf.queue.QueueBase.close: later enqueues raise CancelledError; pending ones complete
  /// first unless cancel_pending_enqueues (then they raise CancelledError). CancelledError
  /// if already closed.
  void close(bool cancel_pending_enqueues = false);

  /// Number of elements in the queue now (tf.queue.QueueBase.size).
  int64_t size() const;
  /// Whether close() was called (tf.queue.QueueBase.is_closed).
  bool is_closed() const;
  int64_t capacity() const { return capacity_; }  ///< -1: unbounded
  /// The queue's name (for messages), e.g. "fifo_queue".
  const std::string& name() const { return name_; }
  /// The components' dtypes (for PriorityQueue, the int64 priority first).
  const std::vector<DType>& dtypes() const { return dtypes_; }
  const std::vector<std::vector<int64_t>>& shapes() const { return shapes_; }  ///< empty: unknown

 protected:
  /// kind: "FIFOQueue", ...; shapes empty (unknown) or one per dtype; allow_unknown_dims:
  /// -1 allowed in shapes (PaddingFIFOQueue).
  QueueBase(const char* kind, int64_t capacity, std::vector<DType> dtypes, std::vector<std::vector<int64_t>> shapes,
            std::string name, bool allow_unknown_dims);

  /// The storage, called with the lock held.
  virtual size_t count() const = 0;
  /// Appends an element to the storage.
  virtual void push(Element e) = 0;
  virtual Element pop() = 0;                     ///< count() > 0
  virtual void push_front(Element e) = 0;        ///< puts a taken element back
  virtual bool can_take() const { return true; }  ///< beyond count() > 0 (RandomShuffleQueue)
  /// Batches the elements' component i (PaddingFIFOQueue pads first).
  virtual Tensor batch(const std::vector<Element>& elements, size_t i) const;
  /// Checks one element (dtypes and shapes); rows_of_many: its components are batches.
  virtual void check_element(const Element& e, bool rows_of_many, const char* op) const;

  /// Whether close() was called; for the storage hooks (lock held).
  bool closed_locked() const { return closed_; }
  /// The queue kind for messages: "FIFOQueue", "PaddingFIFOQueue", ...
  const char* kind_;

 private:
  struct Waiter {
    bool cancelled = false;
  };
  bool is_head(const std::list<Waiter*>& line, const Waiter* w) const;
  void enqueue_rows(std::vector<Element> rows, Timeout timeout, const char* op);
  Element dequeue_n(int64_t n, bool allow_small, bool batched, Timeout timeout, const char* op);
  [[noreturn]] void deadline(const char* op) const;
  // Inside a traced function: `op` as one ordered host node that runs it on this queue at
  // every run of the graph (core/queue_traced.cpp).
  Element traced(const char* op, const Element& in, int64_t n, Timeout timeout, bool cancel = false);

  int64_t capacity_;
  std::vector<DType> dtypes_;
  std::vector<std::vector<int64_t>> shapes_;
  std::string name_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool closed_ = false;
  std::list<Waiter*> enqueue_line_, dequeue_line_;
};

/// tf.queue.FIFOQueue: first in, first out. capacity < 0: unbounded.
class FIFOQueue : public QueueBase {
 public:
  /// capacity: most elements held (< 0: unbounded); dtypes: one per component (at least
  /// one); shapes: empty (unknown) or one fully defined shape per dtype.
  /// std::invalid_argument otherwise.
  FIFOQueue(int64_t capacity, std::vector<DType> dtypes, std::vector<std::vector<int64_t>> shapes = {},
            std::string name = "fifo_queue");

 protected:
  /// For subclasses: as QueueBase's constructor, under another kind name.
  FIFOQueue(const char* kind, int64_t capacity, std::vector<DType> dtypes, std::vector<std::vector<int64_t>> shapes,
            std::string name, bool allow_unknown_dims);
  size_t count() const override { return items_.size(); }
  /// Appends at the back.
  void push(Element e) override { items_.push_back(std::move(e)); }
  Element pop() override;
  void push_front(Element e) override { items_.push_front(std::move(e)); }

 private:
  std::list<Element> items_;
};

/// tf.queue.PaddingFIFOQueue: a FIFOQueue whose shapes (required) may have unknown (-1)
/// dimensions; dequeue_many pads each component with zeros to the batch's largest size
/// along each unknown dimension.
class PaddingFIFOQueue : public FIFOQueue {
 public:
  /// As FIFOQueue's, but shapes are required (one per dtype) and may contain -1;
  /// std::invalid_argument otherwise.
  PaddingFIFOQueue(int64_t capacity, std::vector<DType> dtypes, std::vector<std::vector<int64_t>> shapes,
                   std::string name = "padding_fifo_queue");

 protected:
  Tensor batch(const std::vector<Element>& elements, size_t i) const override;
};

/// tf.queue.RandomShuffleQueue: dequeues a uniformly random element, and only while more
/// than min_after_dequeue elements remain (any number once closed). The order depends on
/// `seed` (random when none), not on TensorFlow's generator.
class RandomShuffleQueue : public QueueBase {
 public:
  /// min_after_dequeue: elements kept back while open (0 <= it < capacity, else
  /// std::invalid_argument); seed: the shuffle's seed (none: random); other arguments as
  /// FIFOQueue's.
  RandomShuffleQueue(int64_t capacity, int64_t min_after_dequeue, std::vector<DType> dtypes,
                     std::vector<std::vector<int64_t>> shapes = {}, std::optional<uint64_t> seed = std::nullopt,
                     std::string name = "random_shuffle_queue");
  /// Elements a dequeue leaves in the open queue (TensorFlow `min_after_dequeue`).
  int64_t min_after_dequeue() const { return min_after_dequeue_; }

 protected:
  size_t count() const override { return items_.size(); }
  /// Appends; dequeue takes a random element.
  void push(Element e) override { items_.push_back(std::move(e)); }
  Element pop() override;
  void push_front(Element e) override { items_.push_back(std::move(e)); }
  bool can_take() const override;

 private:
  int64_t min_after_dequeue_;
  std::vector<Element> items_;
  uint64_t rng_state_;  // splitmix64
};

/// tf.queue.PriorityQueue: component 0 of every element is an int64 scalar priority
/// (dtypes and shapes name the other components); dequeues take the smallest priority
/// first, and equal priorities in the order they were enqueued.
class PriorityQueue : public QueueBase {
 public:
  /// dtypes and shapes name the components after the int64 priority (dtypes() then has the
  /// priority first); other arguments as FIFOQueue's.
  PriorityQueue(int64_t capacity, std::vector<DType> dtypes, std::vector<std::vector<int64_t>> shapes = {},
                std::string name = "priority_queue");

 protected:
  size_t count() const override { return items_.size(); }
  /// Files the element by (priority, arrival order).
  void push(Element e) override;
  Element pop() override;
  void push_front(Element e) override;
  void check_element(const Element& e, bool rows_of_many, const char* op) const override;

 private:
  std::map<std::pair<int64_t, int64_t>, Element> items_;  // by (priority, arrival)
  int64_t next_seq_ = 0, front_seq_ = -1;  // put-back elements go before their equals
};

}  // namespace keras::core
