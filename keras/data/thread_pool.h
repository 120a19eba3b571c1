// thread_pool.h - (private to keras/data) a small pool of worker threads owned by one
// dataset iterator (parallel map). Separate from the engine's intra-op pool: tasks may
// call ops, which then use the engine's pool as any caller does.
#pragma once
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace keras::data::detail {

class ThreadPool {
 public:
  explicit ThreadPool(int threads);  // threads >= 1
  // Drops the tasks that have not started, waits for the running ones and joins.
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // Runs task on a worker. The task must not throw (wrap it, e.g. in a packaged_task).
  void submit(std::function<void()> task);
  int size() const { return int(threads_.size()); }

 private:
  void work();
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace keras::data::detail
