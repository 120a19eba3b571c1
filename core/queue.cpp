// queue.cpp - QueueBase: element checks, blocking in arrival order, close semantics.
//
// One mutex guards the storage and the two lines of waiting operations (enqueues and
// close attempts; dequeues). Only the head of a line may act, so blocked operations are
// served in arrival order; every change wakes all waiters, who recheck their condition.
#include <chrono>
#include <stdexcept>

#include "core/dispatch.h"
#include "core/ops.h"
#include "core/partial_shape.h"
#include "core/queue.h"

namespace keras::core {

namespace {

// Removes `w` from `line` when the operation leaves (returns or throws).
template <class W>
struct LineGuard {
  std::list<W*>& line;
  W* w;
  std::condition_variable& cv;
  LineGuard(std::list<W*>& l, W* x, std::condition_variable& c) : line(l), w(x), cv(c) { line.push_back(w); }
  ~LineGuard() {
    line.remove(w);
    cv.notify_all();
  }
};

using Clock = std::chrono::steady_clock;

std::optional<Clock::time_point> deadline_of(QueueBase::Timeout t, const char* op) {
  if (!t) return std::nullopt;
  if (!(*t >= 0)) throw std::invalid_argument(std::string(op) + ": expected a timeout >= 0 seconds, but received " + std::to_string(*t));
  return Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(*t));
}

// Waits on cv until pred(); false when the deadline passed first.
template <class Pred>
bool wait_for(std::condition_variable& cv, std::unique_lock<std::mutex>& lock, std::optional<Clock::time_point> until,
              Pred pred) {
  if (!until) {
    cv.wait(lock, pred);
    return true;
  }
  return cv.wait_until(lock, *until, pred);
}

}  // namespace

QueueBase::QueueBase(const char* kind, int64_t capacity, std::vector<DType> dtypes,
                     std::vector<std::vector<int64_t>> shapes, std::string name, bool allow_unknown_dims)
    : kind_(kind), capacity_(capacity < 0 ? -1 : capacity), dtypes_(std::move(dtypes)), shapes_(std::move(shapes)),
      name_(std::move(name)) {
  std::string who = std::string(kind_) + " '" + name_ + "'";
  if (dtypes_.empty()) throw std::invalid_argument(who + ": expected at least one component dtype, but received none");
  if (!shapes_.empty() && shapes_.size() != dtypes_.size()) {
    throw std::invalid_argument(who + ": expected one shape per component dtype (" + std::to_string(dtypes_.size()) +
                                "), but received " + std::to_string(shapes_.size()) + " shapes");
  }
  for (const auto& s : shapes_) {
    for (int64_t d : s) {
      if (d < -1 || (d == -1 && !allow_unknown_dims)) {
        throw std::invalid_argument(who + ": expected fully defined component shapes (sizes >= 0), but received " + partial_shape_str(s));
      }
    }
  }
}

void QueueBase::check_element(const Element& e, bool rows_of_many, const char* op) const {
  std::string who = std::string(kind_) + " '" + name_ + "' " + op;
  if (e.size() != dtypes_.size()) {
    throw std::invalid_argument(who + ": expected " + std::to_string(dtypes_.size()) + " components, but received " +
                                std::to_string(e.size()));
  }
  for (size_t i = 0; i < e.size(); ++i) {
    std::string comp = "component " + std::to_string(i);
    if (!e[i].defined()) throw std::invalid_argument(who + ": expected a tensor for " + comp + ", but received an undefined one");
    if (e[i].dtype() != dtypes_[i]) {
      throw std::invalid_argument(who + ": expected " + comp + " to have dtype " + dtype_name(dtypes_[i]) +
                                  ", but received " + dtype_name(e[i].dtype()));
    }
    std::vector<int64_t> got = e[i].shape().dims();
    if (rows_of_many) {
      if (got.empty()) throw std::invalid_argument(who + ": expected " + comp + " to have a batch dimension, but received a scalar");
      if (got[0] != e[0].shape()[0]) {
        throw std::invalid_argument(who + ": expected every component to have " + std::to_string(e[0].shape()[0]) +
                                    " rows, but " + comp + " has shape " + partial_shape_str(got));
      }
      got.erase(got.begin());
    }
    if (shapes_.empty()) continue;
    const auto& want = shapes_[i];
    bool ok = got.size() == want.size();
    for (size_t d = 0; ok && d < got.size(); ++d) ok = want[d] < 0 || want[d] == got[d];
    if (!ok) {
      throw std::invalid_argument(who + ": expected " + comp + (rows_of_many ? " rows" : "") + " of shape " +
                                  partial_shape_str(want) + ", but received " + partial_shape_str(got));
    }
  }
}

Tensor QueueBase::batch(const std::vector<Element>& elements, size_t i) const {
  if (elements.empty()) {
    std::vector<int64_t> s{0};
    s.insert(s.end(), shapes_[i].begin(), shapes_[i].end());
    return ops::zeros(Shape(s), dtypes_[i]);
  }
  std::vector<Tensor> parts;
  for (const auto& e : elements) parts.push_back(e[i]);
  return ops::stack(parts, 0);
}

bool QueueBase::is_head(const std::list<Waiter*>& line, const Waiter* w) const {
  for (const Waiter* x : line) {
    if (!x->cancelled) return x == w;
  }
  return false;
}

void QueueBase::deadline(const char* op) const {
  throw DeadlineExceededError(std::string(kind_) + " '" + name_ + "' " + op + ": the timeout passed before it could complete");
}

int64_t QueueBase::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int64_t>(count());
}

bool QueueBase::is_closed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return closed_;
}

// ---- enqueue ------------------------------------------------------------------------
void QueueBase::enqueue(const Element& components, Timeout timeout) {
  check_element(components, false, "enqueue");
  if (tracing::t_tracer) {
    traced("enqueue", components, 0, timeout);
    return;
  }
  enqueue_rows({components}, timeout, "enqueue");
}

void QueueBase::enqueue_many(const Element& components, Timeout timeout) {
  check_element(components, true, "enqueue_many");
  if (tracing::t_tracer) {
    traced("enqueue_many", components, 0, timeout);
    return;
  }
  const int64_t n = components[0].shape()[0];
  std::vector<std::vector<Tensor>> columns;
  for (const Tensor& c : components) columns.push_back(ops::unstack(c, 0));
  std::vector<Element> rows(static_cast<size_t>(n));
  for (int64_t r = 0; r < n; ++r) {
    for (auto& col : columns) rows[static_cast<size_t>(r)].push_back(col[static_cast<size_t>(r)]);
  }
  enqueue_rows(std::move(rows), timeout, "enqueue_many");
}

void QueueBase::enqueue_rows(std::vector<Element> rows, Timeout timeout, const char* op) {
  auto until = deadline_of(timeout, op);
  if (rows.empty()) return;  // TensorFlow: a batch of 0 is a no-op, closed or not
  std::unique_lock<std::mutex> lock(mu_);
  std::string closed_msg = std::string(kind_) + " '" + name_ + "' is closed.";
  if (closed_) throw CancelledError(closed_msg);
  Waiter w;
  LineGuard<Waiter> guard(enqueue_line_, &w, cv_);
  for (auto& row : rows) {
    bool ok = wait_for(cv_, lock, until, [&] {
      return w.cancelled || closed_ || (is_head(enqueue_line_, &w) && (capacity_ < 0 || static_cast<int64_t>(count()) < capacity_));
    });
    if (!ok) deadline(op);
    if (w.cancelled) throw CancelledError(std::string(kind_) + " '" + name_ + "': Enqueue operation was cancelled");
    if (closed_) throw CancelledError(closed_msg);
    push(std::move(row));
    cv_.notify_all();
  }
}

void QueueBase::close(bool cancel_pending_enqueues) {
  if (tracing::t_tracer) {
    traced("close", {}, 0, std::nullopt, cancel_pending_enqueues);
    return;
  }
  std::unique_lock<std::mutex> lock(mu_);
  if (cancel_pending_enqueues) {
    for (Waiter* x : enqueue_line_) x->cancelled = true;
    cv_.notify_all();
  }
  // The close attempt waits behind the enqueues already pending (TensorFlow's order).
  Waiter w;
  LineGuard<Waiter> guard(enqueue_line_, &w, cv_);
  cv_.wait(lock, [&] { return is_head(enqueue_line_, &w); });
  if (closed_) throw CancelledError("Queue '" + name_ + "' is already closed.");
  closed_ = true;
  cv_.notify_all();
}

// ---- dequeue ------------------------------------------------------------------------
QueueBase::Element QueueBase::dequeue(Timeout timeout) {
  if (tracing::t_tracer) return traced("dequeue", {}, 1, timeout);
  return dequeue_n(1, false, false, timeout, "dequeue");
}

QueueBase::Element QueueBase::dequeue_many(int64_t n, Timeout timeout) {
  if (tracing::t_tracer) return traced("dequeue_many", {}, n, timeout);
  return dequeue_n(n, false, true, timeout, "dequeue_many");
}

QueueBase::Element QueueBase::dequeue_up_to(int64_t n, Timeout timeout) {
  if (tracing::t_tracer) return traced("dequeue_up_to", {}, n, timeout);
  return dequeue_n(n, true, true, timeout, "dequeue_up_to");
}

QueueBase::Element QueueBase::dequeue_n(int64_t n, bool allow_small, bool batched, Timeout timeout, const char* op) {
  std::string who = std::string(kind_) + " '" + name_ + "'";
  if (n < 0) throw std::invalid_argument(who + " " + op + ": expected n >= 0 elements, but received " + std::to_string(n));
  if (batched && shapes_.empty()) {
    throw std::invalid_argument(who + " " + op + ": expected the queue's component shapes to be specified (" + kind_ +
                                "'s DequeueMany and DequeueUpTo require them), but the queue has none");
  }
  auto until = deadline_of(timeout, op);
  std::vector<Element> taken;
  {
    std::unique_lock<std::mutex> lock(mu_);
    Waiter w;
    LineGuard<Waiter> guard(dequeue_line_, &w, cv_);
    auto restore = [&] {
      for (size_t i = taken.size(); i-- > 0;) push_front(std::move(taken[i]));
      taken.clear();
      cv_.notify_all();
    };
    while (static_cast<int64_t>(taken.size()) < n) {
      bool ok = wait_for(cv_, lock, until, [&] {
        return is_head(dequeue_line_, &w) && (closed_ || (count() > 0 && can_take()));
      });
      if (!ok) {
        restore();
        deadline(op);
      }
      const int64_t wanted = n - static_cast<int64_t>(taken.size());
      if (closed_ && static_cast<int64_t>(count()) < wanted) {
        const int64_t current = static_cast<int64_t>(count());
        restore();
        if (allow_small && count() > 0) {
          while (count() > 0 && static_cast<int64_t>(taken.size()) < n) taken.push_back(pop());
          break;
        }
        throw OutOfRangeError(who + " is closed and has insufficient elements (requested " + std::to_string(n) +
                              ", current size " + std::to_string(current) + ")");
      }
      while (static_cast<int64_t>(taken.size()) < n && count() > 0 && (closed_ || can_take())) taken.push_back(pop());
      cv_.notify_all();  // room for the enqueues
    }
  }
  if (!batched) return taken[0];
  Element out;
  for (size_t i = 0; i < dtypes_.size(); ++i) out.push_back(batch(taken, i));
  return out;
}

}  // namespace keras::core
