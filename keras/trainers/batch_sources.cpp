// batch_sources.cpp - the batch sources of fit, evaluate and predict (batch_sources.h).
#include "keras/trainers/batch_sources.h"

#include <algorithm>
#include <cstdio>
#include <numeric>
#include <optional>
#include <random>
#include <stdexcept>

#include "core/ops.h"
#include "core/ragged.h"
#include "core/sparse.h"
#include "keras/settings.h"
#include "keras/utils/py_dataset_internal.h"

namespace keras::detail {

Tensor batch_size_weight(const Tensor& x) {
  if (!x.defined() || x.rank() == 0) return core::ops::fill({1}, 1.0, DType::float32);
  // A sparse batch: its dense shape's first size; a ragged one: its number of rows (the
  // row_splits' length less one). Both are read when a traced step runs, so one graph
  // serves every batch size.
  if (core::sparse::is_sparse(x))
    return core::ops::cast(core::ops::slice(core::sparse::shape_tensor(core::sparse::sparse_of(x)), {0}, {1}),
                           DType::float32);
  if (core::ragged::is_ragged(x)) {
    const Tensor splits_len = core::ops::size(core::ragged::ragged_of(x).row_splits(), DType::float32, {0});
    return core::ops::reshape(core::ops::subtract(splits_len, core::ops::scalar_like(splits_len, 1.0)), {1});
  }
  return core::ops::reshape(core::ops::size(x, DType::float32, {0}), {1});
}
namespace ops = core::ops;


// Checks that every array has the same number of samples (Keras's cardinality error).
int64_t cardinality(const std::vector<Tensor>& x, const std::vector<Tensor>& y, const char* fn) {
  int64_t n = -1;
  bool ambiguous = false;
  auto sizes = [](const std::vector<Tensor>& ts) {
    std::string s;
    for (const Tensor& t : ts) s += (s.empty() ? "" : ", ") + (t.rank() ? std::to_string(t.shape()[0]) : std::string("scalar"));
    return s;
  };
  for (const auto* list : {&x, &y})
    for (const Tensor& t : *list) {
      if (!t.defined()) throw std::invalid_argument(std::string(fn) + ": an input or target array is undefined");
      if (t.rank() == 0) throw std::invalid_argument(std::string(fn) + ": arrays need a batch axis, but received a scalar");
      if (n >= 0 && t.shape()[0] != n) ambiguous = true;
      n = n < 0 ? t.shape()[0] : n;
    }
  if (ambiguous)
    throw std::invalid_argument(std::string(fn) + ": Data cardinality is ambiguous. Make sure all arrays contain the "
                                "same number of samples. 'x' sizes: " + sizes(x) + " 'y' sizes: " + sizes(y));
  if (n <= 0) throw std::invalid_argument(std::string(fn) + ": the dataset is empty (0 samples)");
  return n;
}

std::vector<Tensor> take(const std::vector<Tensor>& ts, const std::vector<int64_t>& pick) {
  const Tensor idx = core::constant(pick);
  std::vector<Tensor> out;
  for (const Tensor& t : ts)
    out.push_back(core::sparse::is_sparse(t)   ? core::sparse::take_rows(core::sparse::sparse_of(t), pick).as_tensor()
                  : core::ragged::is_ragged(t) ? core::ragged::gather(core::ragged::ragged_of(t), idx).as_tensor()
                                               : ops::gather(t, idx, 0));
  return out;
}

std::vector<Tensor> rows(const std::vector<Tensor>& ts, int64_t begin, int64_t end) {
  std::vector<Tensor> out;
  for (const Tensor& t : ts) {
    if (core::ragged::is_ragged(t)) {  // ragged x: its rows [begin, end)
      out.push_back(core::ragged::gather(core::ragged::ragged_of(t), ops::range(begin, end)).as_tensor());
      continue;
    }
    std::vector<int64_t> b(size_t(t.rank()), 0), sz = t.shape().dims();
    b[0] = begin;
    sz[0] = end - begin;
    out.push_back(core::sparse::is_sparse(t) ? core::sparse::slice(core::sparse::sparse_of(t), b, sz).as_tensor()
                                             : ops::slice(t, b, sz));
  }
  return out;
}


// Sample weights from class weights (by the class id of each sample's label).
Tensor class_weights_for(const Tensor& y, const std::map<int64_t, double>& cw) {
  Tensor ids = y.rank() >= 2 && y.shape()[y.rank() - 1] > 1 ? ops::argmax(y, -1)
                                                            : ops::cast(ops::reshape(y, {y.shape()[0]}), DType::int64);
  std::vector<int64_t> v = ops::cast(ids, DType::int64).to_vector<int64_t>();
  std::vector<float> w(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    auto it = cw.find(v[i]);
    w[i] = it == cw.end() ? 1.0f : float(it->second);
  }
  return core::constant(w);
}

uint64_t epoch_seed(uint64_t seed, int epoch) {
  uint64_t z = seed + (uint64_t(epoch) + 1) * 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

namespace {

// Arrays with the same number of samples, in batches of batch_size.
class ArraySource : public BatchSource {
 public:
  ArraySource(std::vector<Tensor> x, std::vector<Tensor> y, Tensor sw, int64_t n, int64_t batch_size, bool shuffle,
              int64_t max_steps)
      // A batch larger than the data is the whole data (Keras clamps it; n + batch_size - 1
      // must not overflow).
      : x_(std::move(x)), y_(std::move(y)), sw_(std::move(sw)), n_(n), batch_(std::min(batch_size, std::max<int64_t>(n, 1))),
        shuffle_(shuffle) {
    const int64_t full = (n + batch_ - 1) / batch_;
    steps_ = max_steps > 0 ? std::min(max_steps, full) : full;
  }
  int64_t steps() const override { return steps_; }
  void begin_pass(int epoch, uint64_t seed) override {
    step_ = 0;
    if (!shuffle_) return;  // the order depends only on the seed and the epoch (exact resumption)
    order_.resize(size_t(n_));
    std::iota(order_.begin(), order_.end(), 0);
    std::mt19937_64 rng(epoch_seed(seed, epoch));
    std::shuffle(order_.begin(), order_.end(), rng);
  }
  bool has_next() override { return step_ < steps_; }
  Batch next() override {
    const int64_t b = step_ * batch_, e = std::min(n_, b + batch_);
    ++step_;
    Batch out;
    out.size = e - b;
    if (shuffle_) {
      const std::vector<int64_t> pick(order_.begin() + b, order_.begin() + e);
      out.x = take(x_, pick);
      out.y = take(y_, pick);
      if (sw_.defined()) out.sample_weight = take({sw_}, pick)[0];
    } else {
      out.x = rows(x_, b, e);
      out.y = rows(y_, b, e);
      if (sw_.defined()) out.sample_weight = rows({sw_}, b, e)[0];
    }
    return out;
  }
  void skip(int64_t n) override { step_ = std::min(steps_, step_ + n); }

 private:
  std::vector<Tensor> x_, y_;
  Tensor sw_;
  int64_t n_, batch_, steps_, step_ = 0;
  bool shuffle_;
  std::vector<int64_t> order_;
};

// The batches of a Dataset: (x, y) or (x, y, sample_weight) elements for fit and
// evaluate (with_targets), (x, ...) for predict. With max_steps, a pass stops after that
// many batches and the next pass continues the same iterator (Keras 3's steps_per_epoch);
// once it is exhausted, the next pass starts a new one.
// The names of a model's inputs and outputs, in order ("" where a model has no names for
// them: a Sequential or subclassed model has one input and one output).
struct ModelIo {
  std::vector<std::string> inputs{""}, outputs{""};
};

ModelIo model_io(const Model& model) {
  ModelIo io;
  if (auto* f = dynamic_cast<const FunctionalModel*>(&model)) {
    io.inputs.clear();
    io.outputs.clear();
    for (const KerasTensor& t : f->inputs()) io.inputs.push_back(t.node()->layer->name());
    for (const KerasTensor& t : f->outputs()) io.outputs.push_back(t.node()->layer->name());
  }
  return io;
}

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "'" : ", '") + n + "'";
  return out;
}

class DatasetSource : public BatchSource {
 public:
  // `steps_option` names the option that sets max_steps (for the error messages).
  DatasetSource(data::Dataset ds, ModelIo io, const char* fn, bool with_targets, int64_t max_steps,
                const char* steps_option, std::map<int64_t, double> class_weight, bool may_be_empty)
      : ds_(std::move(ds)), io_(std::move(io)), fn_(fn), with_targets_(with_targets), max_steps_(max_steps),
        class_weight_(std::move(class_weight)), may_be_empty_(may_be_empty) {
    const int64_t c = ds_.cardinality();
    if (c == data::INFINITE_CARDINALITY && max_steps_ <= 0)
      throw std::invalid_argument(std::string(fn_) + ": the dataset is infinite (repeat() without a count); give " +
                                  steps_option + " to say how many batches make one pass");
    card_ = c;
    steps_ = max_steps_ > 0 ? max_steps_ : (c >= 0 ? c : -1);
  }
  int64_t steps() const override { return steps_; }
  void begin_pass(int, uint64_t) override {
    step_ = 0;
    ran_out_ = false;
    pending_.reset();
    if (max_steps_ <= 0 || !it_ || (card_ >= 0 && seen_ >= card_)) {
      it_ = ds_.make_iterator();
      seen_ = 0;
    }
  }
  bool has_next() override {
    if (pending_) return true;
    if (!it_ || (max_steps_ > 0 && step_ >= max_steps_)) return false;
    pending_ = it_->next();
    if (!pending_) {
      if (seen_ == 0 && !may_be_empty_)  // a new iterator that gives nothing
        throw std::invalid_argument(std::string(fn_) + ": the dataset is empty (it gave no batches)");
      it_.reset();
      ran_out_ = max_steps_ > 0;
      return false;
    }
    return true;
  }
  Batch next() override {
    if (!has_next()) throw std::logic_error(std::string(fn_) + ": no batch left");
    data::Element e = std::move(*pending_);
    pending_.reset();
    ++step_;
    ++seen_;
    return unpack(e);
  }
  bool ran_out() const override { return ran_out_; }

 private:
  // A named element whose keys include every input's name is matched by name: the
  // inputs, the outputs (by name, or the one other key of a single-output model) and an
  // optional "sample_weight". Otherwise the components are positional: the inputs, then
  // the targets, then an optional sample weight.
  bool by_name(const data::Element& e) const {
    if (!e.named()) return false;
    for (const std::string& n : io_.inputs)
      if (n.empty() || !e.contains(n)) return false;
    return true;
  }
  std::string expected_form() const {
    const size_t ni = io_.inputs.size(), no = io_.outputs.size();
    auto seq = [](const char* v, size_t n) {
      const std::string s(v);
      if (n == 1) return s;
      if (n == 2) return s + "1, " + s + "2";
      return s + "1, ..., " + s + std::to_string(n);
    };
    const std::string x = seq("x", ni), y = seq("y", no);
    if (!with_targets_) return "(" + x + ") or (" + x + ", ...)";
    return "(" + x + ", " + y + ") or (" + x + ", " + y + ", sample_weight)";
  }
  void unpack_named(const data::Element& e, Batch& b) const {
    std::vector<std::string> used;
    for (const std::string& n : io_.inputs) {
      b.x.push_back(e[n]);
      used.push_back(n);
    }
    if (!with_targets_) return;
    auto is_used = [&](const std::string& k) { return std::find(used.begin(), used.end(), k) != used.end(); };
    const bool outputs_named = std::all_of(io_.outputs.begin(), io_.outputs.end(),
                                           [&](const std::string& n) { return !n.empty() && e.contains(n); });
    if (outputs_named) {
      for (const std::string& n : io_.outputs) {
        b.y.push_back(e[n]);
        used.push_back(n);
      }
    }
    std::vector<std::string> rest;
    for (const std::string& k : e.names())
      if (!is_used(k) && k != "sample_weight") rest.push_back(k);
    if (!outputs_named) {
      if (io_.outputs.size() != 1 || rest.size() != 1)
        throw std::invalid_argument(std::string(fn_) + ": the dataset's elements " + e.spec() +
                                    " name the model's inputs but not its targets: expected the keys " +
                                    join_names(io_.outputs) + (io_.outputs.size() == 1 ? " (or one other key)" : ""));
      b.y.push_back(e[rest[0]]);
      rest.clear();
    }
    if (!rest.empty())
      throw std::invalid_argument(std::string(fn_) + ": the component '" + rest[0] + "' of the dataset's elements " +
                                  e.spec() + " is no input (" + join_names(io_.inputs) + "), target (" +
                                  join_names(io_.outputs) + ") or 'sample_weight'");
    if (e.contains("sample_weight")) b.sample_weight = e["sample_weight"];
  }
  Batch unpack(const data::Element& e) const {
    Batch b;
    const size_t ni = io_.inputs.size(), no = io_.outputs.size();
    if (by_name(e)) {
      unpack_named(e, b);
    } else if (with_targets_) {
      if (e.size() != ni + no && e.size() != ni + no + 1)
        throw std::invalid_argument(std::string(fn_) + ": expected dataset elements " + expected_form() +
                                    ", but received " + e.spec());
      for (size_t i = 0; i < ni; ++i) b.x.push_back(e[i]);
      for (size_t i = 0; i < no; ++i) b.y.push_back(e[ni + i]);
      if (e.size() == ni + no + 1) b.sample_weight = e[ni + no];
    } else {
      if (e.size() < ni)
        throw std::invalid_argument(std::string(fn_) + ": expected dataset elements " + expected_form() +
                                    ", but received " + e.spec());
      for (size_t i = 0; i < ni; ++i) b.x.push_back(e[i]);
    }
    b.size = cardinality(b.x, b.y, fn_);
    if (with_targets_) {
      if (b.sample_weight.defined()) {
        if (b.sample_weight.rank() < 1 || b.sample_weight.shape()[0] != b.size)
          throw std::invalid_argument(std::string(fn_) + ": the sample_weight of a dataset element has shape " +
                                      b.sample_weight.shape().str() + ", expected (" + std::to_string(b.size) + ",)");
      }
      if (!class_weight_.empty()) {
        Tensor cw = class_weights_for(b.y[0], class_weight_);
        b.sample_weight = b.sample_weight.defined() ? ops::multiply(ops::cast(b.sample_weight, DType::float32), cw) : cw;
      }
    }
    return b;
  }
  data::Dataset ds_;
  ModelIo io_;
  const char* fn_;
  bool with_targets_;
  int64_t max_steps_, card_ = 0, steps_ = 0, step_ = 0, seen_ = 0;
  std::map<int64_t, double> class_weight_;
  bool may_be_empty_;  // a file shard may give no batch (file_shard_source decides)
  std::optional<data::Iterator> it_;
  std::optional<data::Element> pending_;
  bool ran_out_ = false;
};

}  // namespace

std::unique_ptr<BatchSource> validation_arrays(const std::string& model, const std::vector<Tensor>& v, int64_t batch_size) {
  if (v.size() < 2 || v.size() > 3)
    throw std::invalid_argument(model + ": validation_data must be {x_val, y_val}, {x_val, y_val, sample_weight} or a Dataset");
  const int64_t n = cardinality({v[0]}, {v[1]}, "fit (validation_data)");
  return std::make_unique<ArraySource>(std::vector<Tensor>{v[0]}, std::vector<Tensor>{v[1]}, v.size() == 3 ? v[2] : Tensor(), n,
                                       batch_size, false, capped_steps(-1, "fit (validation_data)"));
}

int64_t capped_steps(int64_t max_steps, const char* fn) {
  const int64_t cap = config::max_steps_per_epoch();
  if (cap <= 0 || (max_steps > 0 && max_steps <= cap)) return max_steps;
  std::fprintf(stderr, "Warning: %s%slimiting the steps of each pass to %lld (keras::config::max_steps_per_epoch)\n",
               fn ? fn : "", fn ? ": " : "", static_cast<long long>(cap));
  return cap;
}

std::unique_ptr<BatchSource> array_source(std::vector<Tensor> x, std::vector<Tensor> y, Tensor sample_weight,
                                          int64_t n, int64_t batch_size, bool shuffle, int64_t max_steps) {
  return std::make_unique<ArraySource>(std::move(x), std::move(y), std::move(sample_weight), n, batch_size, shuffle,
                                       capped_steps(max_steps, nullptr));
}

std::unique_ptr<BatchSource> dataset_source(data::Dataset ds, const Model& model, const char* fn, bool with_targets,
                                            int64_t max_steps, const char* steps_option,
                                            std::map<int64_t, double> class_weight, bool may_be_empty, bool shuffle) {
  if (std::shared_ptr<utils::PyDataset> py = utils::detail::py_dataset_of(ds))
    return py_dataset_source(std::move(py), model, fn, with_targets, capped_steps(max_steps, fn), steps_option,
                             std::move(class_weight), shuffle);
  return std::make_unique<DatasetSource>(std::move(ds), model_io(model), fn, with_targets, capped_steps(max_steps, fn),
                                         steps_option,
                                         std::move(class_weight), may_be_empty);
}

}  // namespace keras::detail
