// sources.cpp - the nodes that produce elements: tensor slices, tensors, generators and
// integer ranges (exact up to the int64 limits: the count is computed in uint64 and
// every value as start + i * step in modular arithmetic, so nothing overflows).
#include <limits>
#include <stdexcept>

#include "keras/data/dataset_impl.h"

namespace keras::data::detail {
namespace {

class SlicesNode : public Node {
 public:
  explicit SlicesNode(Element tensors) : rows_(std::move(tensors)) {}
  int64_t cardinality() const override { return rows_.size(); }
  IteratorPtr make_iterator() const override { return std::make_unique<It>(rows_); }
  const Rows* rows_source() const override { return &rows_; }

 private:
  class It : public IteratorImpl {
   public:
    explicit It(const Rows& rows) : rows_(rows) {}
    bool next(Element& out) override {
      if (i_ >= rows_.size()) return false;
      out = rows_.row(i_++);
      return true;
    }
    bool next_index(int64_t& row) override {
      if (i_ >= rows_.size()) return false;
      row = i_++;
      return true;
    }

   private:
    const Rows& rows_;  // the node outlives its iterators (they hold the dataset)
    int64_t i_ = 0;
  };
  Rows rows_;
};

class TensorsNode : public Node {
 public:
  explicit TensorsNode(Element e) : e_(std::move(e)) {}
  int64_t cardinality() const override { return 1; }
  IteratorPtr make_iterator() const override { return std::make_unique<It>(e_); }

 private:
  class It : public IteratorImpl {
   public:
    explicit It(const Element& e) : e_(e) {}
    bool next(Element& out) override {
      if (done_) return false;
      done_ = true;
      out = e_;
      return true;
    }

   private:
    const Element& e_;
    bool done_ = false;
  };
  Element e_;
};

class GeneratorNode : public Node {
 public:
  explicit GeneratorNode(GeneratorFactory f) : f_(std::move(f)) {}
  int64_t cardinality() const override { return UNKNOWN_CARDINALITY; }
  IteratorPtr make_iterator() const override { return std::make_unique<It>(f_); }

 private:
  class It : public IteratorImpl {
   public:
    explicit It(const GeneratorFactory& f) : f_(f) {}
    bool next(Element& out) override {
      if (done_) return false;
      if (!gen_) {
        gen_ = f_();
        if (!gen_) throw std::invalid_argument("from_generator: the factory returned an empty generator");
      }
      std::optional<Element> e = gen_();
      if (!e) {
        done_ = true;
        gen_ = nullptr;
        return false;
      }
      out = std::move(*e);
      return true;
    }

   private:
    const GeneratorFactory& f_;
    Generator gen_;
    bool done_ = false;
  };
  GeneratorFactory f_;
};

// The number of elements of range(start, stop, step) (step != 0), which is up to
// 2^64 - 1: a uint64.
uint64_t range_count(int64_t start, int64_t stop, int64_t step) {
  const bool up = step > 0;
  if (up ? start >= stop : start <= stop) return 0;
  // The distance and the step's magnitude, exact in uint64 (modular subtraction).
  const uint64_t span = up ? uint64_t(stop) - uint64_t(start) : uint64_t(start) - uint64_t(stop);
  const uint64_t st = up ? uint64_t(step) : uint64_t(0) - uint64_t(step);
  return (span - 1) / st + 1;
}

class RangeNode : public Node {
 public:
  RangeNode(int64_t start, int64_t stop, int64_t step)
      : start_(start), step_(step), n_(range_count(start, stop, step)) {}
  // A count beyond int64 (more than 2^63 - 1 elements) cannot be reported: unknown.
  int64_t cardinality() const override {
    return n_ > uint64_t(std::numeric_limits<int64_t>::max()) ? UNKNOWN_CARDINALITY : int64_t(n_);
  }
  IteratorPtr make_iterator() const override { return std::make_unique<It>(start_, n_, step_); }

 private:
  class It : public IteratorImpl {
   public:
    It(int64_t start, uint64_t n, int64_t step) : start_(start), n_(n), step_(step) {}
    bool next(Element& out) override {
      if (i_ >= n_) return false;
      // start + i * step in modular arithmetic; the result lies between start and stop,
      // so converting it back to int64 gives the exact value.
      out = Element(core::constant(int64_t(uint64_t(start_) + i_ * uint64_t(step_))));
      ++i_;
      return true;
    }

   private:
    int64_t start_;
    uint64_t n_;
    int64_t step_;
    uint64_t i_ = 0;
  };
  int64_t start_, step_;
  uint64_t n_;
};

}  // namespace

NodePtr make_slices_node(Element tensors) { return std::make_shared<SlicesNode>(std::move(tensors)); }
NodePtr make_tensors_node(Element tensors) { return std::make_shared<TensorsNode>(std::move(tensors)); }
NodePtr make_generator_node(GeneratorFactory f) { return std::make_shared<GeneratorNode>(std::move(f)); }
NodePtr make_range_node(int64_t start, int64_t stop, int64_t step) {
  return std::make_shared<RangeNode>(start, stop, step);
}

}  // namespace keras::data::detail
