// threaded_nodes.cpp - the transformations that run on threads owned by an iterator:
// map with num_parallel_calls (a bounded window of futures on a ThreadPool, results in
// input order) and prefetch (a producer thread filling a bounded queue). Errors travel
// to the consumer as the original exception; destroying the iterator stops and joins
// its threads.
#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <future>
#include <mutex>
#include <thread>
#include <utility>

#include "keras/data/dataset_impl.h"
#include "keras/data/thread_pool.h"

namespace keras::data::detail {
namespace {

class ParallelMapNode : public Node {
 public:
  ParallelMapNode(NodePtr input, MapFn f, int threads, size_t window)
      : input_(std::move(input)), f_(std::move(f)), threads_(threads), window_size_(window) {}
  int64_t cardinality() const override { return input_->cardinality(); }
  IteratorPtr make_iterator() const override {
    return std::make_unique<It>(input_->make_iterator(), f_, threads_, window_size_);
  }

 private:
  class It : public IteratorImpl {
   public:
    It(IteratorPtr input, const MapFn& f, int threads, size_t window)
        : input_(std::move(input)), f_(f), window_size_(window), pool_(threads) {}
    ~It() override {
      window_.clear();  // unfinished futures do not block
      // pool_ is destroyed next (members in reverse order): queued tasks are dropped,
      // running ones finish, the workers are joined; then the input iterator goes.
    }
    bool next(Element& out) override {
      // Keep the window full: input elements are read here, in order, and mapped on the pool.
      while (input_ && window_.size() < window_size_) {
        Element e;
        try {
          if (!input_->next(e)) {
            input_.reset();
            break;
          }
        } catch (...) {  // an upstream error comes after the elements already in flight
          pending_error_ = std::current_exception();
          input_.reset();
          break;
        }
        auto task = std::make_shared<std::packaged_task<Element()>>(
            [&f = f_, e = std::move(e)]() { return f(e); });
        window_.push_back(task->get_future());
        pool_.submit([task] { (*task)(); });
      }
      if (window_.empty()) {
        if (pending_error_) std::rethrow_exception(std::exchange(pending_error_, nullptr));
        return false;
      }
      std::future<Element> front = std::move(window_.front());
      window_.pop_front();
      out = front.get();  // rethrows the map function's exception
      return true;
    }

   private:
    IteratorPtr input_;
    const MapFn& f_;
    size_t window_size_;
    std::exception_ptr pending_error_;
    ThreadPool pool_;
    std::deque<std::future<Element>> window_;
  };
  NodePtr input_;
  MapFn f_;
  int threads_;
  size_t window_size_;
};

class PrefetchNode : public Node {
 public:
  PrefetchNode(NodePtr input, int64_t buffer, std::shared_ptr<const PrefetchStage> stage)
      : input_(std::move(input)), buffer_(buffer), stage_(std::move(stage)) {}
  int64_t cardinality() const override { return input_->cardinality(); }
  int64_t batch_size() const override { return stage_ ? 0 : input_->batch_size(); }
  IteratorPtr make_iterator() const override {
    return std::make_unique<It>(input_->make_iterator(), size_t(buffer_), stage_);
  }

 private:
  class It : public IteratorImpl {
   public:
    It(IteratorPtr input, size_t capacity, std::shared_ptr<const PrefetchStage> stage)
        : input_(std::move(input)), capacity_(std::max<size_t>(capacity, stage ? 1 : 0)), stage_(std::move(stage)) {
      producer_ = std::thread([this] { produce(); });
    }
    ~It() override {
      {
        std::lock_guard<std::mutex> lock(mu_);
        stop_ = true;
      }
      not_full_.notify_all();
      producer_.join();  // it finishes the element it is computing, then sees stop_
    }
    bool next(Element& out) override {
      std::unique_lock<std::mutex> lock(mu_);
      not_empty_.wait(lock, [this] { return !queue_.empty() || done_; });
      if (!queue_.empty()) {
        out = std::move(queue_.front());
        queue_.pop_front();
        std::shared_ptr<void> ticket;
        if (stage_) {
          ticket = std::move(tickets_.front());
          tickets_.pop_front();
        }
        lock.unlock();
        not_full_.notify_one();
        if (stage_) {
          stage_->take(out, ticket);
          std::lock_guard<std::mutex> relock(mu_);
          retired_.push_back(std::move(ticket));  // released on the producer's thread
        }
        return true;
      }
      if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
      return false;
    }

   private:
    void produce() {
      for (;;) {
        std::vector<std::shared_ptr<void>> retired;  // (released out of the lock: it may wait for copies)
        {
          std::unique_lock<std::mutex> lock(mu_);
          not_full_.wait(lock, [this] { return stop_ || queue_.size() < capacity_; });
          if (stop_) break;
          retired.swap(retired_);
        }
        retired.clear();
        Element e;
        bool more = false;
        std::exception_ptr err;
        std::shared_ptr<void> ticket;
        try {
          more = input_->next(e);
          if (more && stage_) ticket = stage_->produce(e);
        } catch (...) {
          err = std::current_exception();
        }
        std::lock_guard<std::mutex> lock(mu_);
        if (more && !err) {
          queue_.push_back(std::move(e));
          if (stage_) tickets_.push_back(std::move(ticket));
          not_empty_.notify_one();
          continue;
        }
        error_ = err;
        done_ = true;
        not_empty_.notify_all();  // every waiting consumer sees the end
        break;
      }
      input_.reset();  // on this thread: the input's own threads are joined here
    }

    IteratorPtr input_;
    size_t capacity_;
    std::mutex mu_;
    std::condition_variable not_full_, not_empty_;
    std::deque<Element> queue_;
    std::shared_ptr<const PrefetchStage> stage_;
    std::deque<std::shared_ptr<void>> tickets_;  // the staged elements' copies, in queue order
    std::vector<std::shared_ptr<void>> retired_;
    bool stop_ = false, done_ = false;
    std::exception_ptr error_;
    std::thread producer_;
  };
  NodePtr input_;
  int64_t buffer_;
  std::shared_ptr<const PrefetchStage> stage_;
};

}  // namespace

NodePtr make_parallel_map_node(NodePtr input, MapFn f, int64_t threads, int64_t window) {
  if (threads == AUTOTUNE) threads = std::max(1u, std::thread::hardware_concurrency());
  threads = std::min<int64_t>(threads, 256);
  const size_t w = window > 0 ? size_t(std::min<int64_t>(window, 1 << 16)) : size_t(2 * threads);
  return std::make_shared<ParallelMapNode>(std::move(input), std::move(f), int(threads), w);
}

NodePtr make_prefetch_node(NodePtr input, int64_t buffer_size, std::shared_ptr<const PrefetchStage> stage) {
  return std::make_shared<PrefetchNode>(std::move(input), buffer_size, std::move(stage));
}

}  // namespace keras::data::detail
