// rebatch.cpp - Dataset::rebatch: the rows of the input batches regrouped into batches
// of batch_size rows (unbatch().batch(n) with one copy per output batch: slices of the
// input batches are concatenated once). Every input batch must have the structure,
// dtypes and row shape of the first.
#include <algorithm>
#include <stdexcept>
#include <string>

#include "core/ops.h"
#include "core/ragged.h"
#include "core/sparse.h"
#include "keras/data/dataset_impl.h"

namespace keras::data::detail {
namespace ops = core::ops;

namespace {

std::string spec_of(const Tensor& t) { return std::string(core::dtype_name(t.dtype())) + " " + t.shape().str(); }

std::string label(const Element& e, size_t c) {
  return "component " + std::to_string(c) + (e.named() ? " ('" + e.names()[c] + "')" : std::string());
}

class RebatchNode : public Node {
 public:
  RebatchNode(NodePtr input, int64_t n, bool drop) : input_(std::move(input)), n_(n), drop_(drop) {}
  // The rows per input batch are not known ahead: unknown, as tf.data reports.
  int64_t cardinality() const override { return UNKNOWN_CARDINALITY; }
  IteratorPtr make_iterator() const override { return std::make_unique<It>(input_->make_iterator(), n_, drop_); }

 private:
  class It : public IteratorImpl {
   public:
    It(IteratorPtr input, int64_t n, bool drop) : input_(std::move(input)), n_(n), drop_(drop) {}
    bool next(Element& out) override {
      std::vector<Element> pieces;
      int64_t rows = 0;
      while (rows < n_) {
        if (offset_ >= cur_rows_ && !fetch()) break;
        const int64_t k = std::min(n_ - rows, cur_rows_ - offset_);
        if (offset_ == 0 && k == cur_rows_) {
          pieces.push_back(cur_);  // the whole input batch
        } else {
          std::vector<Tensor> cs;
          cs.reserve(cur_.size());
          for (const Tensor& t : cur_) cs.push_back(rows_of(t, offset_, k, false));
          pieces.push_back(Element(std::move(cs), cur_.names()));
        }
        offset_ += k;
        rows += k;
      }
      if (rows == 0 || (rows < n_ && drop_)) return false;
      if (pieces.size() == 1) {
        out = std::move(pieces[0]);
        return true;
      }
      std::vector<Tensor> cs;
      for (size_t c = 0; c < pieces[0].size(); ++c) {
        std::vector<Tensor> parts;
        parts.reserve(pieces.size());
        for (const Element& p : pieces) parts.push_back(p[c]);
        if (core::sparse::is_sparse(parts[0])) {  // sparse components: one sparse batch
          std::vector<core::SparseTensor> sps;
          for (const Tensor& t : parts) sps.push_back(core::sparse::sparse_of(t));
          cs.push_back(core::sparse::concat(0, sps).as_tensor());
        } else if (core::ragged::is_ragged(parts[0])) {  // ragged components: their rows joined
          std::vector<core::RaggedTensor> rts;
          for (const Tensor& t : parts) rts.push_back(core::ragged::ragged_of(t));
          cs.push_back(core::ragged::concat(rts, 0).as_tensor());
        } else {
          cs.push_back(ops::concat(parts, 0));
        }
      }
      out = Element(std::move(cs), pieces[0].names());
      return true;
    }

   private:
    // The next input batch into cur_ (checked); false at the end of the input.
    bool fetch() {
      while (input_) {
        Element e;
        if (!input_->next(e)) {
          input_.reset();
          return false;
        }
        check(e);
        ++index_;
        cur_ = std::move(e);
        cur_rows_ = cur_.empty() ? 0 : cur_[0].shape()[0];
        offset_ = 0;
        if (cur_rows_ > 0) return true;  // an empty batch adds no rows
      }
      return false;
    }

    void check(const Element& e) {
      const std::string where = "element " + std::to_string(index_);
      if (e.empty()) throw std::invalid_argument("rebatch: " + where + " has no components; expected batches of tensors");
      for (size_t c = 0; c < e.size(); ++c) {
        if (e[c].rank() == 0)
          throw std::invalid_argument("rebatch: " + label(e, c) + " of " + where + " is a scalar (" + spec_of(e[c]) +
                                      "); expected batches with a first axis");
        if (e[c].shape()[0] != e[0].shape()[0])
          throw std::invalid_argument("rebatch: the components of " + where +
                                      " must have the same first dimension (batch size), but they are " + e.spec());
      }
      if (index_ == 0) {
        first_ = e;
        return;
      }
      bool same = e.size() == first_.size() && e.names() == first_.names();
      for (size_t c = 0; same && c < e.size(); ++c) {
        const std::vector<int64_t>&a = first_[c].shape().dims(), &b = e[c].shape().dims();
        const bool ragged = core::ragged::is_ragged(first_[c]);  // ragged: bounding shapes differ
        same = first_[c].dtype() == e[c].dtype() && ragged == core::ragged::is_ragged(e[c]) &&
               (ragged ? a.size() == b.size() : std::equal(a.begin() + 1, a.end(), b.begin() + 1, b.end()));
      }
      if (!same)
        throw std::invalid_argument("rebatch: " + where + " " + e.spec() + " does not match element 0 " + first_.spec() +
                                    ": every batch needs the same structure, dtypes and shape after the first axis");
    }

    IteratorPtr input_;
    int64_t n_;
    bool drop_;
    Element cur_, first_;
    int64_t cur_rows_ = 0, offset_ = 0, index_ = 0;
  };
  NodePtr input_;
  int64_t n_;
  bool drop_;
};

}  // namespace

NodePtr make_rebatch_node(NodePtr input, int64_t batch_size, bool drop_remainder) {
  if (batch_size < 1)
    throw std::invalid_argument("rebatch: expected batch_size >= 1, but received " + std::to_string(batch_size));
  return std::make_shared<RebatchNode>(std::move(input), batch_size, drop_remainder);
}

}  // namespace keras::data::detail
