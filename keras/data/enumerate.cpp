// enumerate.cpp - Dataset::enumerate: each element preceded by an int64 scalar index
// counting from start. As tf.data (zip of range(start, int64 max) and the dataset), the
// indices stop below int64's maximum: a finite dataset ends there (and its cardinality
// says so); an infinite one cannot be enumerated further and raises.
#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

#include "keras/data/dataset_impl.h"

namespace keras::data::detail {
namespace {

constexpr int64_t kMaxIndex = std::numeric_limits<int64_t>::max();  // excluded

class EnumerateNode : public Node {
 public:
  EnumerateNode(NodePtr input, int64_t start) : input_(std::move(input)), start_(start) {}
  int64_t cardinality() const override {
    const int64_t n = input_->cardinality();
    if (n < 0) return n;  // infinite or unknown, as tf.data reports
    // Indices available: kMaxIndex - start (more than any count when start <= 0).
    const uint64_t available = uint64_t(kMaxIndex) - uint64_t(start_);
    return int64_t(std::min<uint64_t>(uint64_t(n), available));
  }
  IteratorPtr make_iterator() const override {
    return std::make_unique<It>(input_->make_iterator(), start_, input_->cardinality() == INFINITE_CARDINALITY);
  }

 private:
  class It : public IteratorImpl {
   public:
    It(IteratorPtr input, int64_t start, bool infinite) : input_(std::move(input)), index_(start), infinite_(infinite) {}
    bool next(Element& out) override {
      if (!input_) return false;
      if (index_ == kMaxIndex) {
        input_.reset();
        if (infinite_)
          throw std::overflow_error("enumerate: the index reached int64's maximum " + std::to_string(kMaxIndex) +
                                    " on an infinite dataset (start a smaller index)");
        return false;
      }
      Element e;
      if (!input_->next(e)) {
        input_.reset();
        return false;
      }
      std::vector<Tensor> cs;
      cs.reserve(e.size() + 1);
      cs.push_back(core::constant(index_++));
      cs.insert(cs.end(), e.begin(), e.end());
      out = Element(std::move(cs));
      return true;
    }

   private:
    IteratorPtr input_;
    int64_t index_;
    bool infinite_;
  };
  NodePtr input_;
  int64_t start_;
};

}  // namespace

NodePtr make_enumerate_node(NodePtr input, int64_t start) {
  return std::make_shared<EnumerateNode>(std::move(input), start);
}

}  // namespace keras::data::detail
