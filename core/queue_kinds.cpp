// queue_kinds.cpp - the storage of each queue: FIFO (and its padding batches), random
// shuffle, priority.
#include <algorithm>
#include <random>
#include <stdexcept>

#include "core/ops.h"
#include "core/queue.h"

namespace keras::core {

// ---- FIFOQueue ----------------------------------------------------------------------
FIFOQueue::FIFOQueue(int64_t capacity, std::vector<DType> dtypes, std::vector<std::vector<int64_t>> shapes,
                     std::string name)
    : QueueBase("FIFOQueue", capacity, std::move(dtypes), std::move(shapes), std::move(name), false) {}

FIFOQueue::FIFOQueue(const char* kind, int64_t capacity, std::vector<DType> dtypes,
                     std::vector<std::vector<int64_t>> shapes, std::string name, bool allow_unknown_dims)
    : QueueBase(kind, capacity, std::move(dtypes), std::move(shapes), std::move(name), allow_unknown_dims) {}

QueueBase::Element FIFOQueue::pop() {
  Element e = std::move(items_.front());
  items_.pop_front();
  return e;
}

// ---- PaddingFIFOQueue -----------------------------------------------------------------
namespace {
std::vector<std::vector<int64_t>> required_shapes(std::vector<std::vector<int64_t>> shapes, size_t n,
                                                  const std::string& name) {
  if (shapes.size() != n) {
    throw std::invalid_argument("PaddingFIFOQueue '" + name + "': expected one shape per component dtype (" +
                                std::to_string(n) + "; -1 for an unknown dimension), but received " +
                                std::to_string(shapes.size()) + " shapes");
  }
  return shapes;
}
}  // namespace

PaddingFIFOQueue::PaddingFIFOQueue(int64_t capacity, std::vector<DType> dtypes, std::vector<std::vector<int64_t>> shapes,
                                   std::string name)
    : FIFOQueue("PaddingFIFOQueue", capacity, dtypes, required_shapes(std::move(shapes), dtypes.size(), name), name,
                true) {}

Tensor PaddingFIFOQueue::batch(const std::vector<Element>& elements, size_t i) const {
  const auto& want = shapes()[i];
  if (elements.empty()) {
    std::vector<int64_t> s{0};
    for (int64_t d : want) s.push_back(std::max<int64_t>(d, 0));
    return ops::zeros(Shape(s), dtypes()[i]);
  }
  std::vector<int64_t> target(want.size(), 0);
  for (const auto& e : elements) {
    for (size_t d = 0; d < want.size(); ++d) target[d] = std::max(target[d], e[i].shape()[static_cast<int64_t>(d)]);
  }
  std::vector<Tensor> parts;
  for (const auto& e : elements) {
    std::vector<std::pair<int64_t, int64_t>> pads;
    bool any = false;
    for (size_t d = 0; d < want.size(); ++d) {
      int64_t extra = target[d] - e[i].shape()[static_cast<int64_t>(d)];
      pads.push_back({0, extra});
      any = any || extra > 0;
    }
    parts.push_back(any ? ops::pad(e[i], pads) : e[i]);
  }
  return ops::stack(parts, 0);
}

// ---- RandomShuffleQueue ---------------------------------------------------------------
RandomShuffleQueue::RandomShuffleQueue(int64_t capacity, int64_t min_after_dequeue, std::vector<DType> dtypes,
                                       std::vector<std::vector<int64_t>> shapes, std::optional<uint64_t> seed,
                                       std::string name)
    : QueueBase("RandomShuffleQueue", capacity, std::move(dtypes), std::move(shapes), std::move(name), false),
      min_after_dequeue_(min_after_dequeue), rng_state_(seed ? *seed : std::random_device{}()) {
  if (min_after_dequeue < 0 || (capacity >= 0 && min_after_dequeue >= capacity)) {
    throw std::invalid_argument("RandomShuffleQueue '" + this->name() + "': expected 0 <= min_after_dequeue < capacity (" +
                                std::to_string(capacity) + "), but received " + std::to_string(min_after_dequeue));
  }
}

bool RandomShuffleQueue::can_take() const {
  return closed_locked() || static_cast<int64_t>(items_.size()) > min_after_dequeue_;
}

QueueBase::Element RandomShuffleQueue::pop() {
  uint64_t z = (rng_state_ += 0x9e3779b97f4a7c15ULL);  // splitmix64
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  size_t i = static_cast<size_t>((static_cast<unsigned __int128>(z) * items_.size()) >> 64);
  std::swap(items_[i], items_.back());
  Element e = std::move(items_.back());
  items_.pop_back();
  return e;
}

// ---- PriorityQueue --------------------------------------------------------------------
namespace {
std::vector<DType> with_priority(std::vector<DType> dtypes) {
  dtypes.insert(dtypes.begin(), DType::int64);
  return dtypes;
}
std::vector<std::vector<int64_t>> with_priority_shape(std::vector<std::vector<int64_t>> shapes) {
  if (!shapes.empty()) shapes.insert(shapes.begin(), std::vector<int64_t>{});
  return shapes;
}
}  // namespace

PriorityQueue::PriorityQueue(int64_t capacity, std::vector<DType> dtypes, std::vector<std::vector<int64_t>> shapes,
                             std::string name)
    : QueueBase("PriorityQueue", capacity, with_priority(std::move(dtypes)), with_priority_shape(std::move(shapes)),
                std::move(name), false) {}

void PriorityQueue::check_element(const Element& e, bool rows_of_many, const char* op) const {
  if (!e.empty() && e[0].defined() && e[0].rank() != (rows_of_many ? 1 : 0)) {
    throw std::invalid_argument("PriorityQueue '" + name() + "' " + op + ": expected component 0 (the priority) to be " +
                                (rows_of_many ? "a 1-d int64 tensor" : "an int64 scalar") + ", but received shape " +
                                e[0].shape().str());
  }
  QueueBase::check_element(e, rows_of_many, op);
}

void PriorityQueue::push(Element e) {
  int64_t p = e[0].item<int64_t>();
  items_.emplace(std::make_pair(p, next_seq_++), std::move(e));
}

void PriorityQueue::push_front(Element e) {
  int64_t p = e[0].item<int64_t>();
  items_.emplace(std::make_pair(p, front_seq_--), std::move(e));
}

QueueBase::Element PriorityQueue::pop() {
  auto it = items_.begin();
  Element e = std::move(it->second);
  items_.erase(it);
  return e;
}

}  // namespace keras::core
