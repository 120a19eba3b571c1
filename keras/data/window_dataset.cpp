// window_dataset.cpp - Dataset::window (WindowDataset: windows of input elements, each a
// Dataset of the elements it holds) and flat_map (over elements, or over windows): each
// dataset a function returns is iterated in turn.
#include <deque>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <string>

#include "keras/data/dataset_impl.h"

namespace keras::data::detail {

// The windows of an input node (immutable, shared like a Node).
class WindowSource {
 public:
  WindowSource(NodePtr input, int64_t size, int64_t shift, int64_t stride, bool drop)
      : input_(std::move(input)), size_(size), shift_(shift), stride_(stride), drop_(drop) {}

  int64_t cardinality() const {
    const int64_t n = input_->cardinality();
    if (n < 0) return n;
    if (!drop_) return n / shift_ + (n % shift_ != 0);  // windows start at every element < n
    const int64_t span = (size_ - 1) * stride_ + 1;     // checked not to overflow
    return n < span ? 0 : (n - span) / shift_ + 1;
  }

  // One pass: the elements of each window in turn.
  class It {
   public:
    It(IteratorPtr input, const WindowSource& s) : input_(std::move(input)), s_(s) {}
    bool next(std::vector<Element>& out) {
      if (done_) return false;
      // The window's last element (saturated: an int64 counts no further).
      const int64_t reach = (s_.size_ - 1) * s_.stride_;  // checked not to overflow
      const int64_t last = start_ > std::numeric_limits<int64_t>::max() - reach ? std::numeric_limits<int64_t>::max()
                                                                                : start_ + reach;
      while (input_ && read_ <= last) {
        Element e;
        if (!input_->next(e)) {
          input_.reset();
          break;
        }
        if (read_ >= start_) {  // elements between windows (shift > span) are not kept
          if (buf_.empty()) buf_start_ = read_;
          buf_.push_back(std::move(e));
        }
        ++read_;
      }
      if (start_ >= read_ || (s_.drop_ && read_ <= last)) {
        done_ = true;
        buf_.clear();
        return false;
      }
      out.clear();
      for (int64_t j = start_; j < read_ && j <= last; j += s_.stride_) out.push_back(buf_[size_t(j - buf_start_)]);
      // The next window's start; past int64 (after 2^63 elements) there is none.
      if (start_ > std::numeric_limits<int64_t>::max() - s_.shift_) {
        done_ = true;
        return true;
      }
      start_ += s_.shift_;
      while (!buf_.empty() && buf_start_ < start_) {
        buf_.pop_front();
        ++buf_start_;
      }
      return true;
    }

   private:
    IteratorPtr input_;
    const WindowSource& s_;
    std::deque<Element> buf_;  // input elements buf_start_, buf_start_ + 1, ...
    int64_t buf_start_ = 0, read_ = 0, start_ = 0;
    bool done_ = false;
  };
  std::unique_ptr<It> make_iterator() const { return std::make_unique<It>(input_->make_iterator(), *this); }

 private:
  NodePtr input_;
  int64_t size_, shift_, stride_;
  bool drop_;
};

namespace {

// The elements of one window, as a dataset of its own.
class ElementsNode : public Node {
 public:
  explicit ElementsNode(std::vector<Element> elements) : elements_(std::move(elements)) {}
  int64_t cardinality() const override { return int64_t(elements_.size()); }
  IteratorPtr make_iterator() const override { return std::make_unique<It>(elements_); }

 private:
  class It : public IteratorImpl {
   public:
    explicit It(const std::vector<Element>& elements) : elements_(elements) {}
    bool next(Element& out) override {
      if (i_ >= elements_.size()) return false;
      out = elements_[i_++];
      return true;
    }

   private:
    const std::vector<Element>& elements_;
    size_t i_ = 0;
  };
  std::vector<Element> elements_;
};

Dataset window_as_dataset(std::vector<Element> elements) {
  return DatasetAccess::make(std::make_shared<ElementsNode>(std::move(elements)));
}

// What flat_map iterates over: the datasets its function returns, one per input item.
class DatasetStream {
 public:
  virtual ~DatasetStream() = default;
  virtual bool next(Dataset& out) = 0;
};
using StreamFactory = std::function<std::unique_ptr<DatasetStream>()>;

class FlatMapNode : public Node {
 public:
  explicit FlatMapNode(StreamFactory make) : make_(std::move(make)) {}
  // Each dataset's length is known only once the function has run: unknown, as tf.data
  // reports (even for an empty or infinite input).
  int64_t cardinality() const override { return UNKNOWN_CARDINALITY; }
  IteratorPtr make_iterator() const override { return std::make_unique<It>(make_()); }

 private:
  class It : public IteratorImpl {
   public:
    explicit It(std::unique_ptr<DatasetStream> outer) : outer_(std::move(outer)) {}
    bool next(Element& out) override {
      while (outer_) {
        if (inner_ && inner_->next(out)) return true;
        inner_.reset();
        Dataset d = DatasetAccess::make(nullptr);
        if (!outer_->next(d)) {
          outer_.reset();
          return false;
        }
        if (!DatasetAccess::node(d))
          throw std::invalid_argument("flat_map: the function returned an empty Dataset handle");
        inner_dataset_ = std::move(d);  // keeps the inner graph alive while inner_ runs
        inner_ = DatasetAccess::node(inner_dataset_)->make_iterator();
      }
      return false;
    }

   private:
    std::unique_ptr<DatasetStream> outer_;
    Dataset inner_dataset_ = DatasetAccess::make(nullptr);
    IteratorPtr inner_;  // destroyed before inner_dataset_
  };
  StreamFactory make_;
};

// The datasets f returns for the elements of an input node.
class ElementStream : public DatasetStream {
 public:
  ElementStream(IteratorPtr input, const FlatMapFn& f) : input_(std::move(input)), f_(f) {}
  bool next(Dataset& out) override {
    Element e;
    if (!input_->next(e)) return false;
    out = f_(e);
    return true;
  }

 private:
  IteratorPtr input_;
  const FlatMapFn& f_;  // owned by the node's factory, which outlives its iterators
};

// The datasets f returns for the windows of a WindowSource.
class WindowStream : public DatasetStream {
 public:
  using Fn = std::function<Dataset(const Dataset&)>;
  WindowStream(std::unique_ptr<WindowSource::It> windows, const Fn& f) : windows_(std::move(windows)), f_(f) {}
  bool next(Dataset& out) override {
    std::vector<Element> w;
    if (!windows_->next(w)) return false;
    out = f_(window_as_dataset(std::move(w)));
    return true;
  }

 private:
  std::unique_ptr<WindowSource::It> windows_;
  const Fn& f_;
};

}  // namespace

// One pass over the windows, shared by the copies of a WindowDataset::Iterator.
class WindowIteratorState {
 public:
  explicit WindowIteratorState(std::shared_ptr<const WindowSource> source)
      : source_(std::move(source)), it_(source_->make_iterator()) {}
  ~WindowIteratorState() { it_.reset(); }  // before the source it refers to
  std::optional<Dataset> next() {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<Element> w;
    if (!it_ || !it_->next(w)) {
      it_.reset();
      return std::nullopt;
    }
    return window_as_dataset(std::move(w));
  }

 private:
  std::shared_ptr<const WindowSource> source_;
  std::mutex mu_;
  std::unique_ptr<WindowSource::It> it_;
};

NodePtr make_flat_map_node(NodePtr input, FlatMapFn f) {
  return std::make_shared<FlatMapNode>([input = std::move(input), f = std::move(f)]() -> std::unique_ptr<DatasetStream> {
    return std::make_unique<ElementStream>(input->make_iterator(), f);
  });
}

std::shared_ptr<const WindowSource> make_window_source(NodePtr input, int64_t size, const WindowOptions& o) {
  const int64_t shift = o.shift.value_or(size);
  auto positive = [](const char* what, int64_t v) {
    if (v < 1) throw std::invalid_argument(std::string("window: expected ") + what + " >= 1, but received " + std::to_string(v));
  };
  positive("size", size);
  positive("shift", shift);
  positive("stride", o.stride);
  if (size - 1 > (std::numeric_limits<int64_t>::max() - 1) / o.stride)
    throw std::invalid_argument("window: a window of size " + std::to_string(size) + " with stride " +
                                std::to_string(o.stride) + " spans more input elements than an int64 counts");
  return std::make_shared<WindowSource>(std::move(input), size, shift, o.stride, o.drop_remainder);
}

}  // namespace keras::data::detail

namespace keras::data {

int64_t WindowDataset::cardinality() const { return source_->cardinality(); }

Dataset WindowDataset::flat_map(std::function<Dataset(const Dataset&)> f) const {
  if (!f) throw std::invalid_argument("flat_map: expected a function, but received an empty one");
  return detail::DatasetAccess::make(std::make_shared<detail::FlatMapNode>(
      [source = source_, f = std::move(f)]() -> std::unique_ptr<detail::DatasetStream> {
        return std::make_unique<detail::WindowStream>(source->make_iterator(), f);
      }));
}

WindowDataset::Iterator WindowDataset::make_iterator() const {
  return Iterator(std::make_shared<detail::WindowIteratorState>(source_));
}

WindowDataset::Iterator WindowDataset::begin() const {
  Iterator it = make_iterator();
  ++it;
  return it;
}

std::optional<Dataset> WindowDataset::Iterator::next() {
  if (!state_) return std::nullopt;
  return state_->next();
}

WindowDataset::Iterator& WindowDataset::Iterator::operator++() {
  current_ = next();
  return *this;
}

}  // namespace keras::data
