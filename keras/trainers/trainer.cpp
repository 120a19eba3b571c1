// trainer.cpp - Model::compile / fit / evaluate / predict (Keras's Trainer): batching,
// shuffling, the train and test steps, metrics, callbacks and validation.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <numeric>
#include <optional>
#include <random>
#include <stdexcept>

#include "core/ops.h"
#include "keras/constraints.h"
#include "keras/models/model.h"

namespace keras {
namespace ops = core::ops;
using callbacks::CallbackPtr;

namespace {

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

std::vector<Tensor> take(const std::vector<Tensor>& ts, const Tensor& idx) {
  std::vector<Tensor> out;
  for (const Tensor& t : ts) out.push_back(ops::gather(t, idx, 0));
  return out;
}

std::vector<Tensor> rows(const std::vector<Tensor>& ts, int64_t begin, int64_t end) {
  std::vector<Tensor> out;
  for (const Tensor& t : ts) {
    std::vector<int64_t> b(size_t(t.rank()), 0), sz = t.shape().dims();
    b[0] = begin;
    sz[0] = end - begin;
    out.push_back(ops::slice(t, b, sz));
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

// The shuffling seed of one epoch, mixed from fit()'s seed and the epoch number.
uint64_t epoch_seed(uint64_t seed, int epoch) {
  uint64_t z = seed + (uint64_t(epoch) + 1) * 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

class CallbackList {
 public:
  CallbackList(std::vector<CallbackPtr> cbs, Model* m, const std::map<std::string, double>& params)
      : cbs_(std::move(cbs)) {
    for (auto& c : cbs_) {
      c->set_model(m);
      c->set_params(params);
    }
  }
  template <class F>
  void each(F f) {
    for (auto& c : cbs_) f(*c);
  }
  bool wants_batch_logs() const { return !cbs_.empty(); }

 private:
  std::vector<CallbackPtr> cbs_;
};

}  // namespace

// ---- compile ----------------------------------------------------------------------------------
void Model::compile(const CompileOptions& o) {
  if (!o.optimizer.ptr) throw std::invalid_argument(name() + ": compile() needs an optimizer");
  if (o.loss.empty()) throw std::invalid_argument(name() + ": compile() needs a loss");
  optimizer_ = o.optimizer.ptr;
  losses_.clear();
  for (const auto& l : o.loss) {
    if (!l.ptr()) throw std::invalid_argument(name() + ": compile() received an empty loss");
    losses_.push_back(l.ptr());
  }
  loss_weights_ = o.loss_weights;
  compile_options_ = o;
  metrics_.clear();
  metrics_resolved_ = false;
  loss_tracker_ = std::make_shared<metrics::Mean>("loss");
  loss_seen_ = false;
  train_fn_.reset();
  test_fn_.reset();
  predict_fn_.reset();
  compiled_ = true;
}

namespace {
bool any_dynamic(const layers::Layer& l) {
  if (l.dynamic()) return true;
  for (const auto& s : l.sublayers())
    if (any_dynamic(*s)) return true;
  if (auto* m = dynamic_cast<const Model*>(&l))
    for (const auto& s : m->layers())
      if (s.get() != &l && any_dynamic(*s)) return true;
  return false;
}
enum StepKind { kTrain, kTest, kPredict };
}  // namespace

bool Model::traced_steps() const { return !compile_options_.run_eagerly && !any_dynamic(*this); }

std::vector<Tensor> Model::run_step(std::unique_ptr<StepFunction>& fn, int kind, const std::vector<Tensor>& x,
                                    const std::vector<Tensor>& y, const Tensor& sample_weight) {
  // The step as a function of tensors: C++ state (metrics resolved, layers built) is
  // settled on the first run, which traces it.
  auto body = [this, kind](const std::vector<Tensor>& xs, const std::vector<Tensor>& ys,
                           const std::vector<Tensor>& sw) -> std::vector<Tensor> {
    const Tensor w = sw.empty() ? Tensor() : sw[0];
    if (kind == kPredict) return (*this)(xs, false);
    Tensor loss;
    if (kind == kTrain) {
      loss = train_step(xs, ys, w);
    } else {
      std::vector<Tensor> y_pred = (*this)(xs, false);
      resolve_metrics(ys, y_pred);
      loss = compute_loss(ys, y_pred, w);
      update_metrics(ys, y_pred, w);
    }
    // The running loss, weighted by the batch size (Keras's loss tracker).
    const int64_t n = xs.empty() || xs[0].rank() == 0 ? 1 : xs[0].shape()[0];
    loss_tracker_->update_state(ops::reshape(ops::cast(loss, DType::float32), {1}),
                                ops::fill({1}, double(n), DType::float32));
    return {loss};
  };
  std::vector<Tensor> sw;
  if (sample_weight.defined()) sw.push_back(sample_weight);
  if (kind != kPredict) loss_seen_ = true;
  if (!traced_steps()) return body(x, y, sw);
  if (!fn) {
    static const char* names[] = {"train_function", "test_function", "predict_function"};
    fn = std::make_unique<StepFunction>(StepFunction::function_type(body),
                                        core::FunctionOptions{.name = name() + "." + names[kind], .reduce_retracing = true});
  }
  return (*fn)(x, y, sw);
}

std::vector<std::string> Model::output_names() const {
  std::vector<std::string> names;
  if (auto* f = dynamic_cast<const FunctionalModel*>(this))
    for (const KerasTensor& t : f->outputs()) names.push_back(t.node()->layer->name());
  return names;
}

void Model::resolve_metrics(const std::vector<Tensor>& y, const std::vector<Tensor>& y_pred) {
  if (y.size() != y_pred.size())
    throw std::invalid_argument(name() + ": the model has " + std::to_string(y_pred.size()) +
                                " outputs, but received " + std::to_string(y.size()) + " target arrays");
  if (metrics_resolved_) return;
  if (losses_.size() != 1 && losses_.size() != y_pred.size())
    throw std::invalid_argument(name() + ": the model has " + std::to_string(y_pred.size()) + " outputs but compile() received " +
                                std::to_string(losses_.size()) + " losses (give one, or one per output)");
  if (!loss_weights_.empty() && loss_weights_.size() != y_pred.size())
    throw std::invalid_argument(name() + ": loss_weights has " + std::to_string(loss_weights_.size()) +
                                " entries for " + std::to_string(y_pred.size()) + " outputs");
  core::InitScope init;  // the metrics' variables are made once, outside any trace
  metrics_.assign(y_pred.size(), {});
  for (size_t i = 0; i < y_pred.size(); ++i) {
    const losses::LossPtr& l = losses_.size() == 1 ? losses_[0] : losses_[i];
    for (const metrics::MetricArg& m : compile_options_.metrics) {
      // One metric object per output: accuracy resolves by the loss and shapes, others
      // are fresh copies when there are several outputs.
      metrics::MetricPtr p = m.resolve(l->name(), y[i].shape(), y_pred[i].shape());
      if (y_pred.size() > 1 && !m.is_accuracy_alias()) p = metrics::deserialize(metrics::serialize(*p));
      metrics_[i].push_back(p);
    }
  }
  metrics_resolved_ = true;
}

Tensor Model::compute_loss(const std::vector<Tensor>& y, const std::vector<Tensor>& y_pred, const Tensor& sw) {
  Tensor total;
  for (size_t i = 0; i < y_pred.size(); ++i) {
    const losses::LossPtr& l = losses_.size() == 1 ? losses_[0] : losses_[i];
    Tensor li = (*l)(y[i], y_pred[i], sw);
    if (!loss_weights_.empty() && loss_weights_[i] != 1.0) li = ops::multiply(li, ops::scalar_like(li, loss_weights_[i]));
    total = total.defined() ? ops::add(total, li) : li;
  }
  for (const Tensor& r : losses()) total = ops::add(total, ops::cast(ops::sum(r), total.dtype()));
  return total;
}

void Model::update_metrics(const std::vector<Tensor>& y, const std::vector<Tensor>& y_pred, const Tensor& sw) {
  for (size_t i = 0; i < metrics_.size(); ++i)
    for (const auto& m : metrics_[i]) m->update_state(y[i], y_pred[i], sw);
}

void Model::reset_metrics() {
  if (loss_tracker_) loss_tracker_->reset_state();
  loss_seen_ = false;
  for (auto& per : metrics_)
    for (auto& m : per) m->reset_state();
  for (auto& m : tracked_metrics_) m->reset_state();
}

Logs Model::metrics_result() const {
  Logs logs;
  if (loss_seen_ && loss_tracker_) logs["loss"] = loss_tracker_->result().item<double>();
  std::vector<std::string> outs = output_names();
  for (size_t i = 0; i < metrics_.size(); ++i)
    for (const auto& m : metrics_[i]) {
      std::string key = m->name();
      if (metrics_.size() > 1 && i < outs.size()) key = outs[i] + "_" + key;
      logs[key] = m->result().item<double>();
    }
  for (const auto& m : tracked_metrics_) logs[m->name()] = m->result().item<double>();
  return logs;
}

// ---- steps ------------------------------------------------------------------------------------
Tensor Model::train_step(const std::vector<Tensor>& x, const std::vector<Tensor>& y, const Tensor& sw) {
  std::vector<Variable> vars = trainable_weights();
  Tensor loss;
  std::vector<Tensor> grads, y_pred;
  {
    core::GradientTape tape;
    y_pred = (*this)(x, true);
    resolve_metrics(y, y_pred);
    loss = compute_loss(y, y_pred, sw);
    grads = tape.gradient(loss, vars);
  }
  optimizer_->apply_gradients(grads, vars);  // applies the variables' constraints too
  update_metrics(y, y_pred, sw);
  return loss;
}

Logs Model::train_on_batch(const std::vector<Tensor>& x, const std::vector<Tensor>& y, const Tensor& sw) {
  if (!compiled_) throw std::invalid_argument(name() + ": you must call compile() before train_on_batch()");
  cardinality(x, y, "train_on_batch");
  reset_metrics();
  run_step(train_fn_, kTrain, x, y, sw);
  return metrics_result();
}

Logs Model::test_on_batch(const std::vector<Tensor>& x, const std::vector<Tensor>& y, const Tensor& sw) {
  if (!compiled_) throw std::invalid_argument(name() + ": you must call compile() before test_on_batch()");
  cardinality(x, y, "test_on_batch");
  reset_metrics();
  run_step(test_fn_, kTest, x, y, sw);
  return metrics_result();
}

std::vector<Tensor> Model::predict_on_batch(const std::vector<Tensor>& x) {
  return run_step(predict_fn_, kPredict, x, {}, Tensor());
}

// ---- where the batches come from ------------------------------------------------------------------
// fit, evaluate and predict share their loops; a BatchSource gives each pass's batches,
// from arrays (sliced, or gathered in a shuffled order) or from a Dataset's iterator.
namespace detail {
struct Batch {
  std::vector<Tensor> x, y;
  Tensor sample_weight;
  int64_t size = 0;
};

class BatchSource {
 public:
  virtual ~BatchSource() = default;
  // Batches per pass, or -1 when unknown (a Dataset of unknown cardinality).
  virtual int64_t steps() const = 0;
  // Starts a pass (an epoch; `seed` orders a shuffled epoch).
  virtual void begin_pass(int epoch, uint64_t seed) = 0;
  // Whether the pass has another batch (a Dataset reads it ahead here).
  virtual bool has_next() = 0;
  virtual Batch next() = 0;
  // Skips n batches (a resumed epoch).
  virtual void skip(int64_t n) {
    for (int64_t i = 0; i < n && has_next(); ++i) next();
  }
  // A Dataset continued across epochs (steps_per_epoch) that ran out of data.
  virtual bool ran_out() const { return false; }
};
}  // namespace detail

namespace {
using detail::Batch;

// Arrays with the same number of samples, in batches of batch_size.
class ArraySource : public detail::BatchSource {
 public:
  ArraySource(std::vector<Tensor> x, std::vector<Tensor> y, Tensor sw, int64_t n, int64_t batch_size, bool shuffle,
              int64_t max_steps)
      : x_(std::move(x)), y_(std::move(y)), sw_(std::move(sw)), n_(n), batch_(batch_size), shuffle_(shuffle) {
    const int64_t full = (n + batch_size - 1) / batch_size;
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
      Tensor idx = core::constant(std::vector<int64_t>(order_.begin() + b, order_.begin() + e));
      out.x = take(x_, idx);
      out.y = take(y_, idx);
      if (sw_.defined()) out.sample_weight = ops::gather(sw_, idx, 0);
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

class DatasetSource : public detail::BatchSource {
 public:
  // `steps_option` names the option that sets max_steps (for the error messages).
  DatasetSource(data::Dataset ds, ModelIo io, const char* fn, bool with_targets, int64_t max_steps,
                const char* steps_option, std::map<int64_t, double> class_weight = {})
      : ds_(std::move(ds)), io_(std::move(io)), fn_(fn), with_targets_(with_targets), max_steps_(max_steps),
        class_weight_(std::move(class_weight)) {
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
      if (seen_ == 0)  // a new iterator that gives nothing
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
  std::optional<data::Iterator> it_;
  std::optional<data::Element> pending_;
  bool ran_out_ = false;
};

// The callbacks' params: the step count only when known (the progress bar's total).
std::map<std::string, double> loop_params(int64_t steps, int verbose, int epochs = -1) {
  std::map<std::string, double> p{{"verbose", double(verbose)}};
  if (steps >= 0) p["steps"] = double(steps);
  if (epochs >= 0) p["epochs"] = double(epochs);
  return p;
}

// {x_val, y_val} or {x_val, y_val, sample_weight}.
std::unique_ptr<detail::BatchSource> validation_arrays(const std::string& model, const std::vector<Tensor>& v, int64_t batch_size) {
  if (v.size() < 2 || v.size() > 3)
    throw std::invalid_argument(model + ": validation_data must be {x_val, y_val}, {x_val, y_val, sample_weight} or a Dataset");
  const int64_t n = cardinality({v[0]}, {v[1]}, "fit (validation_data)");
  return std::make_unique<ArraySource>(std::vector<Tensor>{v[0]}, std::vector<Tensor>{v[1]}, v.size() == 3 ? v[2] : Tensor(), n,
                                       batch_size, false, -1);
}

void check_fit_options(const std::string& model, const FitOptions& o) {
  if (o.batch_size <= 0) throw std::invalid_argument(model + ": expected batch_size > 0, but received " + std::to_string(o.batch_size));
  if (o.epochs < 0 || o.initial_epoch < 0 || o.validation_freq < 1)
    throw std::invalid_argument(model + ": expected epochs >= 0, initial_epoch >= 0 and validation_freq >= 1");
  if (!(o.validation_split >= 0 && o.validation_split < 1))
    throw std::invalid_argument(model + ": expected validation_split in [0, 1), but received " + std::to_string(o.validation_split));
}
}  // namespace

// ---- fit --------------------------------------------------------------------------------------
callbacks::History Model::fit(const Tensor& x, const Tensor& y, const FitOptions& o) {
  return fit(std::vector<Tensor>{x}, std::vector<Tensor>{y}, o);
}

callbacks::History Model::fit(const std::vector<Tensor>& x_all, const std::vector<Tensor>& y_all, const FitOptions& o) {
  if (!compiled_) throw std::invalid_argument(name() + ": you must call compile() before fit()");
  check_fit_options(name(), o);
  const int64_t n_all = cardinality(x_all, y_all, "fit");
  if (o.sample_weight.defined() && (o.sample_weight.rank() < 1 || o.sample_weight.shape()[0] != n_all))
    throw std::invalid_argument(name() + ": sample_weight has shape " + o.sample_weight.shape().str() +
                                ", expected (" + std::to_string(n_all) + ",)");

  // Validation data: given, or the last fraction of the samples (before shuffling).
  std::vector<Tensor> x = x_all, y = y_all;
  Tensor sw = o.sample_weight;
  int64_t n = n_all;
  std::unique_ptr<detail::BatchSource> val;
  if (o.validation_data.dataset) {
    val = std::make_unique<DatasetSource>(*o.validation_data.dataset, model_io(*this), "fit (validation_data)", true, o.validation_steps, "validation_steps");
  } else if (!o.validation_data.arrays.empty()) {
    val = validation_arrays(name(), o.validation_data.arrays, o.batch_size);
  } else if (o.validation_split > 0) {
    const int64_t split = int64_t(double(n_all) * (1.0 - o.validation_split));
    if (split <= 0 || split >= n_all)
      throw std::invalid_argument(name() + ": validation_split " + std::to_string(o.validation_split) + " leaves " +
                                  (split <= 0 ? "no training samples" : "no validation samples") + " out of " + std::to_string(n_all));
    val = std::make_unique<ArraySource>(rows(x_all, split, n_all), rows(y_all, split, n_all),
                                        sw.defined() ? rows({sw}, split, n_all)[0] : Tensor(), n_all - split, o.batch_size, false, -1);
    x = rows(x_all, 0, split);
    y = rows(y_all, 0, split);
    if (sw.defined()) sw = rows({sw}, 0, split)[0];
    n = split;
  }
  if (!o.class_weight.empty()) {
    Tensor cw = class_weights_for(y[0], o.class_weight);
    sw = sw.defined() ? ops::multiply(ops::cast(sw, DType::float32), cw) : cw;
  }
  ArraySource train(x, y, sw, n, o.batch_size, o.shuffle, o.steps_per_epoch);
  return fit_loop(train, val.get(), o);
}

callbacks::History Model::fit(const data::Dataset& dataset, const FitOptions& o) {
  if (!compiled_) throw std::invalid_argument(name() + ": you must call compile() before fit()");
  check_fit_options(name(), o);
  if (o.validation_split > 0)
    throw std::invalid_argument(name() + ": validation_split is only supported for tensors, not for a Dataset "
                                "(give validation_data instead)");
  if (o.sample_weight.defined())
    throw std::invalid_argument(name() + ": the sample_weight option is not supported with a Dataset "
                                "(give (x, y, sample_weight) elements instead)");
  DatasetSource train(dataset, model_io(*this), "fit", true, o.steps_per_epoch, "steps_per_epoch", o.class_weight);
  std::unique_ptr<detail::BatchSource> val;
  if (o.validation_data.dataset)
    val = std::make_unique<DatasetSource>(*o.validation_data.dataset, model_io(*this), "fit (validation_data)", true, o.validation_steps, "validation_steps");
  else if (!o.validation_data.arrays.empty())
    val = validation_arrays(name(), o.validation_data.arrays, o.batch_size);
  return fit_loop(train, val.get(), o);
}

callbacks::History Model::fit_loop(detail::BatchSource& train, detail::BatchSource* val, const FitOptions& o) {
  auto history = std::make_shared<callbacks::History>();
  std::vector<CallbackPtr> cbs = o.callbacks;
  if (o.verbose) cbs.push_back(std::make_shared<callbacks::ProgbarLogger>(o.verbose));
  cbs.push_back(history);
  CallbackList callbacks(cbs, this, loop_params(train.steps(), o.verbose, o.epochs));
  const bool batch_logs = !o.callbacks.empty() || o.verbose == 1;

  fit_start = {.epoch = o.initial_epoch, .step = 0,
               .shuffle_seed = o.seed >= 0 ? uint64_t(o.seed)
                                           : uint64_t(ops::random_uniform({}, {.minval = 0, .maxval = 1e15, .dtype = DType::float64}).item<double>())};

  stop_training = false;
  callbacks.each([](auto& c) { c.on_train_begin({}); });
  const FitStart start = fit_start;  // a callback (BackupAndRestore) may have moved it
  if (start.epoch < 0 || start.step < 0)
    throw std::invalid_argument(name() + ": fit() cannot start at epoch " + std::to_string(start.epoch) + ", step " +
                                std::to_string(start.step));
  for (int epoch = start.epoch; epoch < o.epochs && !stop_training; ++epoch) {
    reset_metrics();
    callbacks.each([&](auto& c) { c.on_epoch_begin(epoch, {}); });
    train.begin_pass(epoch, start.shuffle_seed);
    int64_t step = 0;
    if (epoch == start.epoch && start.step > 0) {
      train.skip(start.step);
      step = start.step;
    }
    for (; !stop_training && train.has_next(); ++step) {
      if (batch_logs) callbacks.each([&](auto& c) { c.on_train_batch_begin(step, {}); });
      Batch b = train.next();
      run_step(train_fn_, kTrain, b.x, b.y, b.sample_weight);
      if (batch_logs) {
        Logs logs = metrics_result();
        callbacks.each([&](auto& c) { c.on_train_batch_end(step, logs); });
      }
    }
    if (train.ran_out())  // Keras's warning; the next epoch starts a new pass over the dataset
      std::fprintf(stderr, "%s: your input ran out of data after %lld of the %lld steps of epoch %d; make sure that "
                   "your dataset can generate at least steps_per_epoch * epochs batches (use repeat()).\n",
                   name().c_str(), (long long)step, (long long)train.steps(), epoch + 1);
    Logs logs = metrics_result();
    if (val && (epoch + 1 - o.initial_epoch) % o.validation_freq == 0) {
      Logs v = evaluate_loop(*val, 0, {});
      for (const auto& [k, value] : v) logs["val_" + k] = value;
    }
    callbacks.each([&](auto& c) { c.on_epoch_end(epoch, logs); });
  }
  callbacks.each([](auto& c) { c.on_train_end({}); });
  return *history;
}

// ---- evaluate / predict -------------------------------------------------------------------------
Logs Model::evaluate(const Tensor& x, const Tensor& y, const EvaluateOptions& o) {
  return evaluate(std::vector<Tensor>{x}, std::vector<Tensor>{y}, o);
}

Logs Model::evaluate(const std::vector<Tensor>& x, const std::vector<Tensor>& y, const EvaluateOptions& o) {
  if (!compiled_) throw std::invalid_argument(name() + ": you must call compile() before evaluate()");
  if (o.batch_size <= 0) throw std::invalid_argument(name() + ": expected batch_size > 0, but received " + std::to_string(o.batch_size));
  const int64_t n = cardinality(x, y, "evaluate");
  ArraySource source(x, y, o.sample_weight, n, o.batch_size, false, o.steps);
  return evaluate_loop(source, o.verbose, o.callbacks);
}

Logs Model::evaluate(const data::Dataset& dataset, const EvaluateOptions& o) {
  if (!compiled_) throw std::invalid_argument(name() + ": you must call compile() before evaluate()");
  if (o.sample_weight.defined())
    throw std::invalid_argument(name() + ": the sample_weight option is not supported with a Dataset "
                                "(give (x, y, sample_weight) elements instead)");
  DatasetSource source(dataset, model_io(*this), "evaluate", true, o.steps, "steps");
  return evaluate_loop(source, o.verbose, o.callbacks);
}

Logs Model::evaluate_loop(detail::BatchSource& source, int verbose, const std::vector<CallbackPtr>& user_cbs) {
  std::vector<CallbackPtr> cbs = user_cbs;
  if (verbose) cbs.push_back(std::make_shared<callbacks::ProgbarLogger>(verbose));
  CallbackList callbacks(cbs, this, loop_params(source.steps(), verbose));
  // Keep the training metrics' state: evaluate uses them too, so save the running loss.
  reset_metrics();
  callbacks.each([](auto& c) { c.on_test_begin({}); });
  source.begin_pass(0, 0);
  for (int64_t step = 0; source.has_next(); ++step) {
    Batch b = source.next();
    run_step(test_fn_, kTest, b.x, b.y, b.sample_weight);
    if (!cbs.empty()) {
      Logs logs = metrics_result();
      callbacks.each([&](auto& c) { c.on_test_batch_end(step, logs); });
    }
  }
  Logs logs = metrics_result();
  callbacks.each([&](auto& c) { c.on_test_end(logs); });
  return logs;
}

Tensor Model::predict(const Tensor& x, const PredictOptions& o) {
  std::vector<Tensor> out = predict(std::vector<Tensor>{x}, o);
  if (out.size() != 1)
    throw std::invalid_argument(name() + ": the model has " + std::to_string(out.size()) + " outputs; predict a list");
  return out[0];
}

std::vector<Tensor> Model::predict(const std::vector<Tensor>& x, const PredictOptions& o) {
  if (o.batch_size <= 0) throw std::invalid_argument(name() + ": expected batch_size > 0, but received " + std::to_string(o.batch_size));
  const int64_t n = cardinality(x, {}, "predict");
  ArraySource source(x, {}, Tensor(), n, o.batch_size, false, o.steps);
  return predict_loop(source, o.verbose, o.callbacks);
}

Tensor Model::predict(const data::Dataset& dataset, const PredictOptions& o) {
  DatasetSource source(dataset, model_io(*this), "predict", false, o.steps, "steps");
  std::vector<Tensor> out = predict_loop(source, o.verbose, o.callbacks);
  if (out.empty()) throw std::invalid_argument(name() + ": predict: the dataset gave no batches");
  if (out.size() != 1)
    throw std::invalid_argument(name() + ": the model has " + std::to_string(out.size()) +
                                " outputs; predict on a Dataset supports single-output models");
  return out[0];
}

std::vector<Tensor> Model::predict_loop(detail::BatchSource& source, int verbose, const std::vector<CallbackPtr>& user_cbs) {
  std::vector<CallbackPtr> cbs = user_cbs;
  if (verbose) cbs.push_back(std::make_shared<callbacks::ProgbarLogger>(verbose));
  CallbackList callbacks(cbs, this, loop_params(source.steps(), verbose));
  callbacks.each([](auto& c) { c.on_predict_begin({}); });
  std::vector<std::vector<Tensor>> parts;
  source.begin_pass(0, 0);
  for (int64_t step = 0; source.has_next(); ++step) {
    std::vector<Tensor> out = run_step(predict_fn_, kPredict, source.next().x, {}, Tensor());
    if (parts.empty()) parts.resize(out.size());
    for (size_t i = 0; i < out.size(); ++i) parts[i].push_back(out[i]);
    if (!cbs.empty()) callbacks.each([&](auto& c) { c.on_predict_batch_end(step, {}); });
  }
  callbacks.each([](auto& c) { c.on_predict_end({}); });
  std::vector<Tensor> result;
  for (auto& p : parts) result.push_back(p.size() == 1 ? p[0] : ops::concat(p, 0));
  return result;
}

}  // namespace keras
