// comm_thread.h - (private to keras-cpp) the communication thread of a set of replicas:
// it runs the bucket all-reduces that a traced train step starts during its backward pass
// (distribute::all_reduce with CrossReplica::overlap()), one at a time, in the order they
// were started. Every replica starts the same buckets in the same order (they trace the
// same step), so every process issues the same collectives in the same order, from this
// thread alone while a step runs.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "keras/distribute/cross_replica.h"

namespace keras::distribute::detail {

/// Sums the `n` values of `dtype` (float32 or float64) at `data` over the replicas, in
/// all-reduces of at most replicas.bucket_bytes() each.
void sum_in_chunks(CrossReplica& replicas, void* data, DType dtype, int64_t n);

/// One bucket's all-reduce: its packed values (summed in place over the replicas) and
/// where it is. A traced step keeps one per bucket and reuses it at every run.
class PendingReduce {
 public:
  /// A bucket of `elements` values of `dtype` (float32 or float64).
  PendingReduce(DType dtype, int64_t elements);
  /// The packed values (float or double).
  void* data() { return data_.data(); }
  DType dtype() const { return dtype_; }     ///< float32 or float64
  int64_t elements() const { return elements_; }  ///< the number of values
  /// Called before packing: waits until a previous round is over (a step that failed
  /// between start and wait leaves one behind), then marks the bucket in flight.
  void begin();
  /// Called by the communication thread when the all-reduce ended (`error`: how it failed).
  void finish(std::exception_ptr error);
  /// Waits for the all-reduce started by begin(); rethrows its error.
  void wait();

 private:
  DType dtype_;
  int64_t elements_;
  std::vector<double> data_;  // room for `elements_` values of either dtype
  std::mutex mu_;
  std::condition_variable cv_;
  bool in_flight_ = false;
  std::exception_ptr error_;
};

/// The thread that all-reduces the buckets handed to it, first in first out.
class CommThread {
 public:
  /// Starts the thread; it calls `replicas.all_reduce_sum`.
  explicit CommThread(CrossReplica& replicas);
  /// Finishes the all-reduce in progress, fails the queued ones (their waits raise) and
  /// joins the thread.
  ~CommThread();
  CommThread(const CommThread&) = delete;
  CommThread& operator=(const CommThread&) = delete;
  /// Queues `bucket` (begin() was called) for all-reduce.
  void submit(std::shared_ptr<PendingReduce> bucket);

 private:
  void loop();
  CrossReplica& replicas_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::shared_ptr<PendingReduce>> queue_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace keras::distribute::detail
