// combining.cpp - the Dataset transformations that join datasets or replay one: zip,
// concatenate and cache.
#include <algorithm>
#include <mutex>
#include <stdexcept>

#include "keras/data/dataset_impl.h"

namespace keras::data::detail {
namespace {

class ZipNode : public Node {
 public:
  explicit ZipNode(std::vector<NodePtr> inputs) : inputs_(std::move(inputs)) {}
  int64_t cardinality() const override {
    int64_t r = INFINITE_CARDINALITY;
    for (const NodePtr& in : inputs_) {
      const int64_t n = in->cardinality();
      if (n == UNKNOWN_CARDINALITY) return n;
      if (n == INFINITE_CARDINALITY) continue;
      r = r == INFINITE_CARDINALITY ? n : std::min(r, n);
    }
    return r;
  }
  IteratorPtr make_iterator() const override {
    std::vector<IteratorPtr> its;
    for (const NodePtr& in : inputs_) its.push_back(in->make_iterator());
    return std::make_unique<It>(std::move(its));
  }

 private:
  class It : public IteratorImpl {
   public:
    explicit It(std::vector<IteratorPtr> its) : its_(std::move(its)) {}
    bool next(Element& out) override {
      if (done_) return false;
      std::vector<Tensor> cs;
      std::vector<std::string> names;
      bool all_named = true;
      for (auto& it : its_) {
        Element e;
        if (!it->next(e)) {
          done_ = true;
          its_.clear();
          return false;
        }
        all_named = all_named && e.named();
        cs.insert(cs.end(), e.begin(), e.end());
        names.insert(names.end(), e.names().begin(), e.names().end());
      }
      bool unique = all_named;
      for (size_t i = 0; unique && i < names.size(); ++i)
        for (size_t j = 0; unique && j < i; ++j) unique = names[i] != names[j];
      if (unique)
        out = Element(std::move(cs), std::move(names));
      else
        out = Element(std::move(cs));
      return true;
    }

   private:
    std::vector<IteratorPtr> its_;
    bool done_ = false;
  };
  std::vector<NodePtr> inputs_;
};

class ConcatenateNode : public Node {
 public:
  ConcatenateNode(NodePtr a, NodePtr b) : a_(std::move(a)), b_(std::move(b)) {}
  int64_t cardinality() const override {
    const int64_t n = a_->cardinality(), m = b_->cardinality();
    if (n == INFINITE_CARDINALITY || m == INFINITE_CARDINALITY) return INFINITE_CARDINALITY;
    if (n == UNKNOWN_CARDINALITY || m == UNKNOWN_CARDINALITY) return UNKNOWN_CARDINALITY;
    return n + m;
  }
  IteratorPtr make_iterator() const override { return std::make_unique<It>(a_->make_iterator(), *b_); }

 private:
  class It : public IteratorImpl {
   public:
    It(IteratorPtr a, const Node& b) : cur_(std::move(a)), b_(b) {}
    bool next(Element& out) override {
      if (!cur_) return false;
      if (cur_->next(out)) {
        if (!second_ && !have_spec_) {
          spec_ = out;
          have_spec_ = true;
        } else if (second_ && have_spec_) {
          check(out);
        }
        return true;
      }
      if (second_) {
        cur_.reset();
        return false;
      }
      second_ = true;
      cur_ = b_.make_iterator();
      return next(out);
    }

   private:
    void check(const Element& e) const {
      bool same = e.size() == spec_.size() && e.names() == spec_.names();
      for (size_t i = 0; same && i < e.size(); ++i) same = e[i].dtype() == spec_[i].dtype();
      if (!same)
        throw std::invalid_argument("concatenate: the datasets' elements must have the same structure and dtypes, "
                                    "but the first dataset gives " + spec_.spec() + " and the second " + e.spec());
    }
    IteratorPtr cur_;
    const Node& b_;
    bool second_ = false, have_spec_ = false;
    Element spec_;
  };
  NodePtr a_, b_;
};

class CacheNode : public Node {
 public:
  explicit CacheNode(NodePtr input) : input_(std::move(input)) {}
  int64_t cardinality() const override { return input_->cardinality(); }
  IteratorPtr make_iterator() const override {
    std::shared_ptr<const std::vector<Element>> cached;
    {
      std::lock_guard<std::mutex> lock(mu_);
      cached = cached_;
    }
    if (cached) return std::make_unique<ReadIt>(std::move(cached));
    return std::make_unique<FillIt>(*this, input_->make_iterator());
  }

 private:
  class ReadIt : public IteratorImpl {
   public:
    explicit ReadIt(std::shared_ptr<const std::vector<Element>> c) : c_(std::move(c)) {}
    bool next(Element& out) override {
      if (i_ >= c_->size()) return false;
      out = (*c_)[i_++];
      return true;
    }

   private:
    std::shared_ptr<const std::vector<Element>> c_;
    size_t i_ = 0;
  };
  class FillIt : public IteratorImpl {
   public:
    FillIt(const CacheNode& node, IteratorPtr input) : node_(node), input_(std::move(input)) {}
    bool next(Element& out) override {
      if (!input_) return false;
      if (input_->next(out)) {
        seen_.push_back(out);
        return true;
      }
      input_.reset();
      std::lock_guard<std::mutex> lock(node_.mu_);
      if (!node_.cached_) node_.cached_ = std::make_shared<const std::vector<Element>>(std::move(seen_));
      return false;
    }

   private:
    const CacheNode& node_;
    IteratorPtr input_;
    std::vector<Element> seen_;
  };
  NodePtr input_;
  mutable std::mutex mu_;
  mutable std::shared_ptr<const std::vector<Element>> cached_;
};

}  // namespace

NodePtr make_zip_node(std::vector<NodePtr> inputs) { return std::make_shared<ZipNode>(std::move(inputs)); }
NodePtr make_concatenate_node(NodePtr a, NodePtr b) { return std::make_shared<ConcatenateNode>(std::move(a), std::move(b)); }
NodePtr make_cache_node(NodePtr input) { return std::make_shared<CacheNode>(std::move(input)); }

}  // namespace keras::data::detail
