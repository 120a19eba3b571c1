// batching.cpp - Dataset::batch, padded_batch and unbatch: stacking elements along a
// new first axis with the engine's ops (checked shapes, padding), and splitting them.
#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "core/ops.h"
#include "core/ragged.h"
#include "core/sparse.h"
#include "keras/data/dataset_impl.h"

namespace keras::data::detail {
namespace ops = core::ops;

namespace {

std::string spec_of(const Tensor& t) { return std::string(core::dtype_name(t.dtype())) + " " + t.shape().str(); }

// A padded shape as Keras prints one: (5, None).
std::string dims_str(const std::vector<int64_t>& d) {
  std::string s = "(";
  for (size_t i = 0; i < d.size(); ++i) s += (i ? ", " : "") + (d[i] < 0 ? std::string("None") : std::to_string(d[i]));
  return s + (d.size() == 1 ? ",)" : ")");
}

std::string component_label(const Element& e, size_t c) {
  return "component " + std::to_string(c) + (e.named() ? " ('" + e.names()[c] + "')" : std::string());
}

// Checks that elems (input elements first_index, first_index + 1, ...) share one
// structure; `same_shape` also requires equal shapes (batch), otherwise equal ranks
// (padded_batch).
void check_structure(const char* what, const std::vector<Element>& elems, int64_t first_index, bool same_shape) {
  const Element& e0 = elems[0];
  const std::string first = "element " + std::to_string(first_index) + " (the first of the batch)";
  auto where = [&](size_t i) { return "element " + std::to_string(first_index + int64_t(i)); };
  for (size_t i = 1; i < elems.size(); ++i) {
    const Element& e = elems[i];
    if (e.size() != e0.size() || e.names() != e0.names())
      throw std::invalid_argument(std::string(what) + ": " + where(i) + " has the structure " + e.spec() + ", but " + first +
                                  " has " + e0.spec());
    for (size_t c = 0; c < e.size(); ++c) {
      const Tensor &a = e0.components()[c], &b = e.components()[c];
      // Ragged components (as_tensor() handles) batch whatever their bounding shapes.
      const bool ragged = core::ragged::is_ragged(a) && core::ragged::is_ragged(b);
      const bool bad = a.dtype() != b.dtype() || core::ragged::is_ragged(a) != core::ragged::is_ragged(b) ||
                       (same_shape && !ragged ? a.shape() != b.shape() : a.rank() != b.rank());
      if (bad)
        throw std::invalid_argument(std::string(what) + ": cannot batch " + component_label(e, c) + " of " + where(i) + " (" +
                                    spec_of(b) + ") with " + first + " (" + spec_of(a) + ")" +
                                    (same_shape && a.dtype() == b.dtype() ? "; use ragged_batch or padded_batch for elements of different shapes"
                                                                             : ""));
    }
  }
}

int64_t batched_cardinality(int64_t n, int64_t batch_size, bool drop_remainder) {
  if (n < 0) return n;
  return drop_remainder ? n / batch_size : (n + batch_size - 1) / batch_size;
}

void check_batch_size(const char* what, int64_t batch_size) {
  if (batch_size < 1)
    throw std::invalid_argument(std::string(what) + ": expected batch_size >= 1, but received " + std::to_string(batch_size));
}

// Stacks equal-shaped tensors along a new first axis: one concat (and a reshape view)
// for tensors with axes; scalars on the host are copied side by side.
Tensor stack_rows(const std::vector<Tensor>& parts) {
  const Tensor& p0 = parts[0];
  if (core::sparse::is_sparse(p0)) {  // sparse components: one sparse batch
    std::vector<core::SparseTensor> rows;
    for (const Tensor& p : parts) {
      const core::SparseTensor sp = core::sparse::sparse_of(p);
      if (!sp.defined())
        throw std::invalid_argument("batch: cannot batch a dense component with sparse ones (shape " +
                                    p.shape().str() + ")");
      std::vector<int64_t> dims = sp.shape();
      dims.insert(dims.begin(), 1);
      rows.push_back(core::sparse::reshape(sp, dims));
    }
    return core::sparse::concat(0, rows).as_tensor();
  }
  if (core::ragged::is_ragged(p0)) {  // ragged components: one more (outer) ragged dimension
    std::vector<core::RaggedTensor> rows;
    std::vector<int64_t> lengths;
    for (const Tensor& p : parts) {
      rows.push_back(core::ragged::ragged_of(p));
      lengths.push_back(rows.back().nrows());
    }
    return core::RaggedTensor::from_row_splits(core::ragged::concat(rows, 0), core::ragged::splits_from_lengths(lengths))
        .as_tensor();
  }
  if (p0.rank() > 0) {
    std::vector<int64_t> dims = p0.shape().dims();
    dims.insert(dims.begin(), int64_t(parts.size()));
    return ops::reshape(ops::concat(parts, 0), dims);
  }
  for (const Tensor& p : parts)
    if (!p.device().is_cpu() || p.dtype() == core::DType::string) return ops::stack(parts, 0);
  const size_t size = core::dtype_size(p0.dtype());
  std::vector<unsigned char> bytes(parts.size() * size);
  for (size_t i = 0; i < parts.size(); ++i) std::memcpy(bytes.data() + i * size, parts[i].raw_data(), size);
  return core::from_buffer(bytes.data(), Shape{int64_t(parts.size())}, p0.dtype());
}

// Rows `rows` of each of `tensors`, stacked: a slice when they are consecutive, one gather
// otherwise.
Element gather_rows(const Element& tensors, const std::vector<int64_t>& rows) {
  bool consecutive = true;
  for (size_t i = 1; i < rows.size() && consecutive; ++i) consecutive = rows[i] == rows[i - 1] + 1;
  std::vector<Tensor> cs;
  cs.reserve(tensors.size());
  if (consecutive) {
    for (const Tensor& t : tensors) cs.push_back(rows_of(t, rows[0], int64_t(rows.size()), false));
  } else {
    const Tensor idx = core::constant(rows);
    for (const Tensor& t : tensors)
      cs.push_back(core::sparse::is_sparse(t)   ? core::sparse::take_rows(core::sparse::sparse_of(t), rows).as_tensor()
                   : core::ragged::is_ragged(t) ? core::ragged::gather(core::ragged::ragged_of(t), idx).as_tensor()
                                                : ops::gather(t, t.device().is_cpu() ? idx : idx.to(t.device()), 0));
  }
  return Element(std::move(cs), tensors.names());
}

// Pulls up to n elements; returns them (fewer only at the end of the input).
std::vector<Element> pull(IteratorImpl& in, int64_t n) {
  std::vector<Element> elems;
  elems.reserve(size_t(std::min<int64_t>(n, 1024)));  // n may be far larger than the input
  Element e;
  while (int64_t(elems.size()) < n && in.next(e)) elems.push_back(std::move(e));
  return elems;
}

class BatchNode : public Node {
 public:
  BatchNode(NodePtr input, int64_t batch_size, bool drop) : input_(std::move(input)), n_(batch_size), drop_(drop) {}
  int64_t cardinality() const override { return batched_cardinality(input_->cardinality(), n_, drop_); }
  int64_t batch_size() const override { return n_; }
  IteratorPtr make_iterator() const override {
    return std::make_unique<It>(input_->make_iterator(), n_, drop_, input_->rows_source());
  }

 private:
  class It : public IteratorImpl {
   public:
    It(IteratorPtr input, int64_t n, bool drop, const Rows* rows)
        : input_(std::move(input)), n_(n), drop_(drop), rows_(rows) {}
    bool next(Element& out) override {
      if (!input_) return false;
      if (rows_) {  // fast path: row indices of fixed tensors, gathered at once
        idx_.clear();
        int64_t r = 0;
        while (int64_t(idx_.size()) < n_ && input_->next_index(r)) idx_.push_back(r);
        if (!finish(int64_t(idx_.size()))) return false;
        out = gather_rows(rows_->tensors(), idx_);
        return true;
      }
      std::vector<Element> elems = pull(*input_, n_);
      if (!finish(int64_t(elems.size()))) return false;
      check_structure("batch", elems, index_ - int64_t(elems.size()), true);
      std::vector<Tensor> cs;
      for (size_t c = 0; c < elems[0].size(); ++c) {
        std::vector<Tensor> parts;
        parts.reserve(elems.size());
        for (const Element& e : elems) parts.push_back(e[c]);
        cs.push_back(stack_rows(parts));
      }
      out = Element(std::move(cs), elems[0].names());
      return true;
    }

   private:
    // Counts `rows` taken; false (and the end) when there are none, or too few to keep.
    bool finish(int64_t rows) {
      index_ += rows;
      if (rows == 0 || (rows < n_ && drop_)) {
        input_.reset();
        return false;
      }
      return true;
    }
    IteratorPtr input_;
    int64_t n_;
    bool drop_;
    const Rows* rows_;
    std::vector<int64_t> idx_;
    int64_t index_ = 0;  // input elements taken so far
  };
  NodePtr input_;
  int64_t n_;
  bool drop_;
};

class PaddedBatchNode : public Node {
 public:
  PaddedBatchNode(NodePtr input, int64_t batch_size, PaddedBatchOptions o)
      : input_(std::move(input)), n_(batch_size), o_(std::move(o)) {}
  int64_t cardinality() const override { return batched_cardinality(input_->cardinality(), n_, o_.drop_remainder); }
  IteratorPtr make_iterator() const override { return std::make_unique<It>(input_->make_iterator(), *this); }

 private:
  class It : public IteratorImpl {
   public:
    It(IteratorPtr input, const PaddedBatchNode& node) : input_(std::move(input)), node_(node) {}
    bool next(Element& out) override {
      if (!input_) return false;
      std::vector<Element> elems = pull(*input_, node_.n_);
      const int64_t first = index_;
      index_ += int64_t(elems.size());
      if (elems.empty() || (int64_t(elems.size()) < node_.n_ && node_.o_.drop_remainder)) {
        input_.reset();
        return false;
      }
      check_structure("padded_batch", elems, first, false);
      const PaddedBatchOptions& o = node_.o_;
      const size_t nc = elems[0].size();
      if (!o.padded_shapes.empty() && o.padded_shapes.size() != nc)
        throw std::invalid_argument("padded_batch: padded_shapes has " + std::to_string(o.padded_shapes.size()) +
                                    " shapes, but the elements have " + std::to_string(nc) + " components " + elems[0].spec());
      if (o.padding_values.size() > 1 && o.padding_values.size() != nc)
        throw std::invalid_argument("padded_batch: padding_values has " + std::to_string(o.padding_values.size()) +
                                    " values; expected one, or one per component (" + std::to_string(nc) + ")");
      std::vector<Tensor> cs;
      for (size_t c = 0; c < nc; ++c) {
        const int64_t rank = elems[0][c].rank();
        std::vector<int64_t> target(size_t(rank), 0);
        for (const Element& e : elems)
          for (int64_t a = 0; a < rank; ++a) target[size_t(a)] = std::max(target[size_t(a)], e[c].shape()[a]);
        if (!o.padded_shapes.empty()) {
          const std::vector<int64_t>& want = o.padded_shapes[c];
          if (int64_t(want.size()) != rank)
            throw std::invalid_argument("padded_batch: padded_shapes[" + std::to_string(c) + "] " + dims_str(want) +
                                        " has rank " + std::to_string(want.size()) + ", but " + component_label(elems[0], c) +
                                        " has rank " + std::to_string(rank) + " " + spec_of(elems[0][c]));
          for (int64_t a = 0; a < rank; ++a) {
            if (want[size_t(a)] < 0) continue;
            for (size_t i = 0; i < elems.size(); ++i)
              if (elems[i][c].shape()[a] > want[size_t(a)])
                throw std::invalid_argument("padded_batch: " + component_label(elems[i], c) + " of element " +
                                            std::to_string(first + int64_t(i)) + " has shape " + elems[i][c].shape().str() +
                                            ", larger than padded_shapes[" + std::to_string(c) + "] " +
                                            dims_str(want));
            target[size_t(a)] = want[size_t(a)];
          }
        }
        const double value = o.padding_values.empty() ? 0.0 : o.padding_values[o.padding_values.size() == 1 ? 0 : c];
        std::vector<Tensor> parts;
        parts.reserve(elems.size());
        for (const Element& e : elems) {
          const Tensor& t = e[c];
          if (t.shape().dims() == target) {
            parts.push_back(t);
            continue;
          }
          if (core::sparse::is_sparse(t)) {  // padding with zeros is a larger dense shape
            if (value != 0.0)
              throw std::invalid_argument("padded_batch: " + component_label(e, c) + " is sparse and pads with "
                                          "zeros only (its implicit value), but the padding value is " +
                                          std::to_string(value));
            const core::SparseTensor sp = core::sparse::sparse_of(t);
            parts.push_back(core::SparseTensor(sp.indices(), sp.values(), target).as_tensor());
            continue;
          }
          std::vector<std::pair<int64_t, int64_t>> pads;
          for (int64_t a = 0; a < rank; ++a) pads.push_back({0, target[size_t(a)] - t.shape()[a]});
          parts.push_back(ops::pad(t, pads, value));
        }
        cs.push_back(stack_rows(parts));
      }
      out = Element(std::move(cs), elems[0].names());
      return true;
    }

   private:
    IteratorPtr input_;
    const PaddedBatchNode& node_;
    int64_t index_ = 0;
  };
  NodePtr input_;
  int64_t n_;
  PaddedBatchOptions o_;
};

class UnbatchNode : public Node {
 public:
  explicit UnbatchNode(NodePtr input) : input_(std::move(input)) {}
  int64_t cardinality() const override {
    return input_->cardinality() == INFINITE_CARDINALITY ? INFINITE_CARDINALITY : UNKNOWN_CARDINALITY;
  }
  IteratorPtr make_iterator() const override { return std::make_unique<It>(input_->make_iterator()); }

 private:
  class It : public IteratorImpl {
   public:
    explicit It(IteratorPtr input) : input_(std::move(input)) {}
    bool next(Element& out) override {
      while (row_ >= rows_) {
        if (!input_ || !input_->next(batch_)) {
          input_.reset();
          return false;
        }
        ++index_;
        rows_ = -1;
        for (size_t c = 0; c < batch_.size(); ++c) {
          const Tensor& t = batch_[c];
          if (t.rank() == 0)
            throw std::invalid_argument("unbatch: " + component_label(batch_, c) + " of element " + std::to_string(index_ - 1) +
                                        " is a scalar; unbatch needs a first axis");
          if (rows_ >= 0 && t.shape()[0] != rows_)
            throw std::invalid_argument("unbatch: the components of element " + std::to_string(index_ - 1) +
                                        " must have the same first dimension, but they are " + batch_.spec());
          rows_ = t.shape()[0];
        }
        row_ = 0;
        if (rows_ < 0) rows_ = 0;
      }
      std::vector<Tensor> cs;
      cs.reserve(batch_.size());
      for (const Tensor& t : batch_) cs.push_back(rows_of(t, row_, 1, true));
      out = Element(std::move(cs), batch_.names());
      ++row_;
      return true;
    }

   private:
    IteratorPtr input_;
    Element batch_;
    int64_t row_ = 0, rows_ = 0, index_ = 0;
  };
  NodePtr input_;
};

}  // namespace

NodePtr make_batch_node(NodePtr input, int64_t batch_size, bool drop_remainder) {
  check_batch_size("batch", batch_size);
  return std::make_shared<BatchNode>(std::move(input), batch_size, drop_remainder);
}

NodePtr make_padded_batch_node(NodePtr input, int64_t batch_size, const PaddedBatchOptions& o) {
  check_batch_size("padded_batch", batch_size);
  return std::make_shared<PaddedBatchNode>(std::move(input), batch_size, o);
}

NodePtr make_unbatch_node(NodePtr input) { return std::make_shared<UnbatchNode>(std::move(input)); }

}  // namespace keras::data::detail
