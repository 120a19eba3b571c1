// ragged_batch.cpp - Dataset::ragged_batch: rows of each component concatenated into flat
// values, their first-axis sizes as row lengths; and the free ragged_batch, which reads
// that dataset's batches back as RaggedTensors.
#include "keras/data/ragged_batch.h"

#include <stdexcept>

#include "core/ops.h"
#include "keras/data/dataset_impl.h"

namespace keras::data {

namespace ops = core::ops;
using core::RaggedTensor;
namespace ragged = core::ragged;

namespace detail {
namespace {

// One component of a ragged batch from the elements' component c.
Tensor ragged_component(const std::vector<Element>& rows, size_t c) {
  const Tensor& first = rows[0][c];
  const bool first_ragged = ragged::is_ragged(first);
  std::vector<Tensor> parts;
  std::vector<RaggedTensor> rts;
  std::vector<int64_t> lengths;
  for (const Element& r : rows) {
    const Tensor& t = r[c];
    bool same = t.dtype() == first.dtype() && t.rank() == first.rank() && ragged::is_ragged(t) == first_ragged;
    for (int64_t d = 1; same && !first_ragged && d < t.rank(); ++d) same = t.shape()[d] == first.shape()[d];
    if (!same)
      throw std::invalid_argument("ragged_batch: expected component " + std::to_string(c) +
                                  " to have one dtype and the same sizes after the first axis in a batch, but "
                                  "received " + dtype_name(first.dtype()) + " " + first.shape().str() +
                                  (first_ragged ? " (ragged)" : "") + " and " + dtype_name(t.dtype()) + " " +
                                  t.shape().str() + (ragged::is_ragged(t) ? " (ragged)" : ""));
    if (first_ragged) {
      rts.push_back(ragged::ragged_of(t));
      lengths.push_back(rts.back().nrows());
    } else {
      parts.push_back(t);
      if (t.rank() > 0) lengths.push_back(t.shape()[0]);
    }
  }
  if (first_ragged)  // ragged elements: one more (outer) ragged dimension
    return RaggedTensor::from_row_splits(ragged::concat(rts, 0), ragged::splits_from_lengths(lengths)).as_tensor();
  if (first.rank() == 0) return ops::stack(parts, 0);
  return RaggedTensor::from_row_splits(ops::concat(parts, 0), ragged::splits_from_lengths(lengths)).as_tensor();
}

class RaggedBatchNode : public Node {
 public:
  RaggedBatchNode(NodePtr input, int64_t batch_size, bool drop) : input_(std::move(input)), n_(batch_size), drop_(drop) {}
  int64_t cardinality() const override {
    const int64_t n = input_->cardinality();
    if (n < 0) return n;
    return drop_ ? n / n_ : (n + n_ - 1) / n_;
  }
  IteratorPtr make_iterator() const override { return std::make_unique<It>(input_->make_iterator(), n_, drop_); }

 private:
  class It : public IteratorImpl {
   public:
    It(IteratorPtr input, int64_t n, bool drop) : input_(std::move(input)), n_(n), drop_(drop) {}
    bool next(Element& out) override {
      if (!input_) return false;
      std::vector<Element> rows;
      Element e;
      while (int64_t(rows.size()) < n_ && input_->next(e)) {
        if (!rows.empty() && (e.size() != rows[0].size() || e.names() != rows[0].names()))
          throw std::invalid_argument("ragged_batch: expected elements of one structure " + rows[0].spec() +
                                      ", but received " + e.spec());
        rows.push_back(std::move(e));
      }
      if (rows.empty() || (drop_ && int64_t(rows.size()) < n_)) {
        input_.reset();
        return false;
      }
      std::vector<Tensor> cs;
      for (size_t c = 0; c < rows[0].size(); ++c) cs.push_back(ragged_component(rows, c));
      out = Element(std::move(cs), rows[0].names());
      return true;
    }

   private:
    IteratorPtr input_;
    int64_t n_;
    bool drop_;
  };
  NodePtr input_;
  int64_t n_;
  bool drop_;
};

}  // namespace

NodePtr make_ragged_batch_node(NodePtr input, int64_t batch_size, bool drop_remainder) {
  if (batch_size < 1)
    throw std::invalid_argument("ragged_batch: expected batch_size >= 1, but received " + std::to_string(batch_size));
  return std::make_shared<RaggedBatchNode>(std::move(input), batch_size, drop_remainder);
}

}  // namespace detail

RaggedBatches ragged_batch(const Dataset& ds, int64_t batch_size, const BatchOptions& options) {
  return RaggedBatches(ds.ragged_batch(batch_size, options));
}

std::optional<RaggedElement> RaggedBatchIterator::next() {
  std::optional<Element> e = it_.next();
  if (!e) return std::nullopt;
  RaggedElement out;
  out.names = e->names();
  for (const Tensor& t : e->components())
    out.components.push_back(ragged::is_ragged(t) ? ragged::ragged_of(t) : RaggedTensor::from_dense(t));
  return out;
}

}  // namespace keras::data
