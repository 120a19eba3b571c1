// comm_thread.cpp - the communication thread and the buckets it all-reduces (see
// comm_thread.h), and the CrossReplica members that own it.
#include "keras/distribute/comm_thread.h"

#include <algorithm>
#include <stdexcept>

namespace keras::distribute {
namespace detail {

void sum_in_chunks(CrossReplica& replicas, void* data, DType dtype, int64_t n) {
  const int64_t size = dtype == DType::float64 ? 8 : 4, cap = std::max<int64_t>(1, replicas.bucket_bytes() / size);
  for (int64_t done = 0; done < n; done += cap) {
    const int64_t count = std::min(cap, n - done);
    if (dtype == DType::float64)
      replicas.all_reduce_sum(static_cast<double*>(data) + done, count);
    else
      replicas.all_reduce_sum(static_cast<float*>(data) + done, count);
  }
}

PendingReduce::PendingReduce(DType dtype, int64_t elements)
    : dtype_(dtype), elements_(elements), data_(size_t(elements)) {}

void PendingReduce::begin() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return !in_flight_; });
  in_flight_ = true;
  error_ = nullptr;
}

void PendingReduce::finish(std::exception_ptr error) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    in_flight_ = false;
    error_ = std::move(error);
  }
  cv_.notify_all();
}

void PendingReduce::wait() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return !in_flight_; });
  if (error_) {
    std::exception_ptr e = error_;
    error_ = nullptr;
    std::rethrow_exception(e);
  }
}

CommThread::CommThread(CrossReplica& replicas) : replicas_(replicas), thread_([this] { loop(); }) {}

CommThread::~CommThread() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void CommThread::submit(std::shared_ptr<PendingReduce> bucket) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stop_) {
      queue_.push_back(std::move(bucket));
      bucket = nullptr;
    }
  }
  if (bucket) {
    bucket->finish(std::make_exception_ptr(std::runtime_error("distribute: the communication thread has stopped")));
    return;
  }
  cv_.notify_one();
}

void CommThread::loop() {
  for (;;) {
    std::shared_ptr<PendingReduce> b;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (stop_) break;
      b = std::move(queue_.front());
      queue_.pop_front();
    }
    std::exception_ptr error;
    try {
      sum_in_chunks(replicas_, b->data(), b->dtype(), b->elements());
    } catch (...) {
      error = std::current_exception();
    }
    b->finish(error);
  }
  // Stopped: what is still queued never runs; its waits raise.
  std::deque<std::shared_ptr<PendingReduce>> left;
  {
    std::lock_guard<std::mutex> lock(mu_);
    left.swap(queue_);
  }
  for (auto& b : left)
    b->finish(std::make_exception_ptr(std::runtime_error("distribute: the communication thread stopped before this "
                                                         "bucket's all-reduce")));
}

}  // namespace detail

CrossReplica::CrossReplica() = default;
CrossReplica::~CrossReplica() { stop_comm_thread(); }

detail::CommThread& CrossReplica::comm_thread() {
  std::call_once(comm_once_, [this] { comm_ = std::make_unique<detail::CommThread>(*this); });
  return *comm_;
}

void CrossReplica::stop_comm_thread() { comm_.reset(); }

}  // namespace keras::distribute
