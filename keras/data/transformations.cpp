// transformations.cpp - the element-wise transformations of Dataset: shuffle (a buffer
// of elements, or of row indices over tensor slices), map, filter, repeat, take and skip.
// (zip, concatenate and cache are in combining.cpp, batching in batching.cpp, the threaded
// nodes in threaded_nodes.cpp.)
#include <algorithm>
#include <atomic>
#include <mutex>
#include <random>
#include <stdexcept>
#include <type_traits>

#include "keras/data/dataset_impl.h"

namespace keras::data::detail {
namespace {

uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

class ShuffleNode : public Node {
 public:
  ShuffleNode(NodePtr input, int64_t buffer, uint64_t seed, bool reshuffle)
      : input_(std::move(input)), buffer_(buffer), seed_(seed), reshuffle_(reshuffle) {}
  int64_t cardinality() const override { return input_->cardinality(); }
  IteratorPtr make_iterator() const override {
    const uint64_t pass = reshuffle_ ? uint64_t(iterations_.fetch_add(1)) : 0;
    const uint64_t seed = splitmix64(seed_ ^ splitmix64(pass));
    if (const Rows* rows = input_->rows_source())
      return std::make_unique<It<int64_t>>(input_->make_iterator(), size_t(buffer_), seed, rows);
    return std::make_unique<It<Element>>(input_->make_iterator(), size_t(buffer_), seed, nullptr);
  }
  const Rows* rows_source() const override { return input_->rows_source(); }

 private:
  // Buffers elements, or row indices when the input is rows of fixed tensors; the
  // draws are the same, so is the order.
  template <class T>
  class It : public IteratorImpl {
   public:
    It(IteratorPtr input, size_t buffer, uint64_t seed, const Rows* rows)
        : input_(std::move(input)), cap_(buffer), rng_(seed), rows_(rows) {}
    bool next(Element& out) override {
      T v;
      if (!draw(v)) return false;
      if constexpr (std::is_same_v<T, Element>)
        out = std::move(v);
      else
        out = rows_->row(v);
      return true;
    }
    bool next_index(int64_t& row) override {
      if constexpr (std::is_same_v<T, int64_t>)
        return draw(row);
      else
        return IteratorImpl::next_index(row);
    }

   private:
    bool draw(T& out) {
      while (!input_done_ && buf_.size() < cap_) {
        T v;
        bool more;
        if constexpr (std::is_same_v<T, Element>)
          more = input_->next(v);
        else
          more = input_->next_index(v);
        if (!more) {
          input_done_ = true;
          input_.reset();
          break;
        }
        buf_.push_back(std::move(v));
      }
      if (buf_.empty()) return false;
      const size_t i = size_t(rng_() % buf_.size());
      out = std::move(buf_[i]);
      if (i + 1 != buf_.size()) buf_[i] = std::move(buf_.back());
      buf_.pop_back();
      return true;
    }
    IteratorPtr input_;
    size_t cap_;
    std::mt19937_64 rng_;
    const Rows* rows_;
    std::vector<T> buf_;
    bool input_done_ = false;
  };
  NodePtr input_;
  int64_t buffer_;
  uint64_t seed_;
  bool reshuffle_;
  mutable std::atomic<int64_t> iterations_{0};
};

class MapNode : public Node {
 public:
  MapNode(NodePtr input, MapFn f) : input_(std::move(input)), f_(std::move(f)) {}
  int64_t cardinality() const override { return input_->cardinality(); }
  IteratorPtr make_iterator() const override { return std::make_unique<It>(input_->make_iterator(), f_); }

 private:
  class It : public IteratorImpl {
   public:
    It(IteratorPtr input, const MapFn& f) : input_(std::move(input)), f_(f) {}
    bool next(Element& out) override {
      Element e;
      if (!input_->next(e)) return false;
      out = f_(e);
      return true;
    }

   private:
    IteratorPtr input_;
    const MapFn& f_;
  };
  NodePtr input_;
  MapFn f_;
};

class FilterNode : public Node {
 public:
  FilterNode(NodePtr input, PredicateFn f) : input_(std::move(input)), f_(std::move(f)) {}
  int64_t cardinality() const override { return UNKNOWN_CARDINALITY; }
  IteratorPtr make_iterator() const override { return std::make_unique<It>(input_->make_iterator(), f_); }

 private:
  class It : public IteratorImpl {
   public:
    It(IteratorPtr input, const PredicateFn& f) : input_(std::move(input)), f_(f) {}
    bool next(Element& out) override {
      Element e;
      while (input_->next(e))
        if (f_(e)) {
          out = std::move(e);
          return true;
        }
      return false;
    }

   private:
    IteratorPtr input_;
    const PredicateFn& f_;
  };
  NodePtr input_;
  PredicateFn f_;
};

class RepeatNode : public Node {
 public:
  RepeatNode(NodePtr input, int64_t count) : input_(std::move(input)), count_(count) {}
  int64_t cardinality() const override {
    const int64_t n = input_->cardinality();
    if (count_ == 0 || n == 0) return 0;
    if (count_ < 0) return INFINITE_CARDINALITY;
    if (n < 0) return n;
    return n * count_;
  }
  IteratorPtr make_iterator() const override { return std::make_unique<It>(*input_, count_); }
  const Rows* rows_source() const override { return input_->rows_source(); }

 private:
  class It : public IteratorImpl {
   public:
    It(const Node& input, int64_t count) : input_(input), count_(count) {}
    bool next(Element& out) override {
      return step([&] { return cur_->next(out); });
    }
    bool next_index(int64_t& row) override {
      return step([&] { return cur_->next_index(row); });
    }

   private:
    template <class F>
    bool step(F&& pull) {
      while (!done_) {
        if (count_ >= 0 && rep_ >= count_) break;
        if (!cur_) {
          cur_ = input_.make_iterator();
          produced_ = false;
        }
        if (pull()) {
          produced_ = true;
          return true;
        }
        cur_.reset();
        ++rep_;
        if (!produced_) break;  // an empty input would repeat forever
      }
      done_ = true;
      return false;
    }
    const Node& input_;
    int64_t count_, rep_ = 0;
    IteratorPtr cur_;
    bool produced_ = false, done_ = false;
  };
  NodePtr input_;
  int64_t count_;
};

class TakeNode : public Node {
 public:
  TakeNode(NodePtr input, int64_t count) : input_(std::move(input)), count_(count) {}
  int64_t cardinality() const override {
    const int64_t n = input_->cardinality();
    if (count_ < 0) return n;
    if (n == INFINITE_CARDINALITY) return count_;
    if (n == UNKNOWN_CARDINALITY) return count_ == 0 ? 0 : n;
    return std::min(n, count_);
  }
  IteratorPtr make_iterator() const override { return std::make_unique<It>(input_->make_iterator(), count_); }
  const Rows* rows_source() const override { return input_->rows_source(); }

 private:
  class It : public IteratorImpl {
   public:
    It(IteratorPtr input, int64_t count) : input_(std::move(input)), count_(count) {}
    bool next(Element& out) override {
      if (count_ >= 0 && taken_ >= count_) return false;
      if (!input_->next(out)) return false;
      ++taken_;
      return true;
    }
    bool next_index(int64_t& row) override {
      if (count_ >= 0 && taken_ >= count_) return false;
      if (!input_->next_index(row)) return false;
      ++taken_;
      return true;
    }

   private:
    IteratorPtr input_;
    int64_t count_, taken_ = 0;
  };
  NodePtr input_;
  int64_t count_;
};

class SkipNode : public Node {
 public:
  SkipNode(NodePtr input, int64_t count) : input_(std::move(input)), count_(count) {}
  int64_t cardinality() const override {
    const int64_t n = input_->cardinality();
    if (n < 0) return n;
    return count_ < 0 ? 0 : std::max<int64_t>(0, n - count_);
  }
  IteratorPtr make_iterator() const override {
    return std::make_unique<It>(input_->make_iterator(), count_, input_->rows_source() != nullptr);
  }
  const Rows* rows_source() const override { return input_->rows_source(); }

 private:
  class It : public IteratorImpl {
   public:
    It(IteratorPtr input, int64_t count, bool indexed) : input_(std::move(input)), count_(count), indexed_(indexed) {}
    bool next(Element& out) override {
      skip();
      return input_->next(out);
    }
    bool next_index(int64_t& row) override {
      skip();
      return input_->next_index(row);
    }

   private:
    void skip() {  // cheaply, by index, when the input allows it
      Element e;
      int64_t row = 0;
      for (; count_ != 0; count_ = count_ > 0 ? count_ - 1 : count_)
        if (!(indexed_ ? input_->next_index(row) : input_->next(e))) {
          count_ = 0;
          break;
        }
    }
    IteratorPtr input_;
    int64_t count_;
    bool indexed_;
  };
  NodePtr input_;
  int64_t count_;
};

}  // namespace

NodePtr make_shuffle_node(NodePtr input, int64_t buffer_size, uint64_t seed, bool reshuffle_each_iteration) {
  return std::make_shared<ShuffleNode>(std::move(input), buffer_size, seed, reshuffle_each_iteration);
}
NodePtr make_map_node(NodePtr input, MapFn f) { return std::make_shared<MapNode>(std::move(input), std::move(f)); }
NodePtr make_filter_node(NodePtr input, PredicateFn f) { return std::make_shared<FilterNode>(std::move(input), std::move(f)); }
NodePtr make_repeat_node(NodePtr input, int64_t count) { return std::make_shared<RepeatNode>(std::move(input), count); }
NodePtr make_take_node(NodePtr input, int64_t count) { return std::make_shared<TakeNode>(std::move(input), count); }
NodePtr make_skip_node(NodePtr input, int64_t count) { return std::make_shared<SkipNode>(std::move(input), count); }

}  // namespace keras::data::detail
