// trainer.cpp - Model::compile / fit / evaluate / predict (Keras's Trainer): batching,
// shuffling, the train and test steps, metrics, callbacks and validation.
#include <algorithm>
#include <cmath>
#include <numeric>
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
  compiled_ = true;
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
  loss_sum_ = loss_count_ = 0;
  for (auto& per : metrics_)
    for (auto& m : per) m->reset_state();
}

Logs Model::metrics_result() const {
  Logs logs;
  if (loss_count_ > 0) logs["loss"] = loss_sum_ / loss_count_;
  std::vector<std::string> outs = output_names();
  for (size_t i = 0; i < metrics_.size(); ++i)
    for (const auto& m : metrics_[i]) {
      std::string key = m->name();
      if (metrics_.size() > 1 && i < outs.size()) key = outs[i] + "_" + key;
      logs[key] = m->result().item<double>();
    }
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
  optimizer_->apply_gradients(grads, vars);
  for (auto& [var, c] : constraints()) {
    Variable v = var;
    v.assign((*c)(v.value()));
  }
  update_metrics(y, y_pred, sw);
  return loss;
}

Logs Model::train_on_batch(const std::vector<Tensor>& x, const std::vector<Tensor>& y, const Tensor& sw) {
  if (!compiled_) throw std::invalid_argument(name() + ": you must call compile() before train_on_batch()");
  cardinality(x, y, "train_on_batch");
  reset_metrics();
  Tensor loss = train_step(x, y, sw);
  loss_sum_ = loss.item<double>();
  loss_count_ = 1;
  return metrics_result();
}

Logs Model::test_on_batch(const std::vector<Tensor>& x, const std::vector<Tensor>& y, const Tensor& sw) {
  if (!compiled_) throw std::invalid_argument(name() + ": you must call compile() before test_on_batch()");
  cardinality(x, y, "test_on_batch");
  reset_metrics();
  std::vector<Tensor> y_pred = (*this)(x, false);
  resolve_metrics(y, y_pred);
  loss_sum_ = compute_loss(y, y_pred, sw).item<double>();
  loss_count_ = 1;
  update_metrics(y, y_pred, sw);
  return metrics_result();
}

std::vector<Tensor> Model::predict_on_batch(const std::vector<Tensor>& x) { return (*this)(x, false); }

// ---- fit --------------------------------------------------------------------------------------
callbacks::History Model::fit(const Tensor& x, const Tensor& y, const FitOptions& o) {
  return fit(std::vector<Tensor>{x}, std::vector<Tensor>{y}, o);
}

callbacks::History Model::fit(const std::vector<Tensor>& x_all, const std::vector<Tensor>& y_all, const FitOptions& o) {
  if (!compiled_) throw std::invalid_argument(name() + ": you must call compile() before fit()");
  if (o.batch_size <= 0) throw std::invalid_argument(name() + ": expected batch_size > 0, but received " + std::to_string(o.batch_size));
  if (o.epochs < 0 || o.initial_epoch < 0 || o.validation_freq < 1)
    throw std::invalid_argument(name() + ": expected epochs >= 0, initial_epoch >= 0 and validation_freq >= 1");
  if (!(o.validation_split >= 0 && o.validation_split < 1))
    throw std::invalid_argument(name() + ": expected validation_split in [0, 1), but received " + std::to_string(o.validation_split));
  const int64_t n_all = cardinality(x_all, y_all, "fit");
  if (o.sample_weight.defined() && (o.sample_weight.rank() < 1 || o.sample_weight.shape()[0] != n_all))
    throw std::invalid_argument(name() + ": sample_weight has shape " + o.sample_weight.shape().str() +
                                ", expected (" + std::to_string(n_all) + ",)");

  // Validation data: given, or the last fraction of the samples (before shuffling).
  std::vector<Tensor> x = x_all, y = y_all, vx, vy;
  Tensor sw = o.sample_weight, vsw;
  int64_t n = n_all;
  if (!o.validation_data.empty()) {
    if (o.validation_data.size() < 2 || o.validation_data.size() > 3)
      throw std::invalid_argument(name() + ": validation_data must be {x_val, y_val} or {x_val, y_val, sample_weight}");
    vx = {o.validation_data[0]};
    vy = {o.validation_data[1]};
    if (o.validation_data.size() == 3) vsw = o.validation_data[2];
    cardinality(vx, vy, "fit (validation_data)");
  } else if (o.validation_split > 0) {
    const int64_t split = int64_t(double(n_all) * (1.0 - o.validation_split));
    if (split <= 0 || split >= n_all)
      throw std::invalid_argument(name() + ": validation_split " + std::to_string(o.validation_split) + " leaves " +
                                  (split <= 0 ? "no training samples" : "no validation samples") + " out of " + std::to_string(n_all));
    vx = rows(x_all, split, n_all);
    vy = rows(y_all, split, n_all);
    x = rows(x_all, 0, split);
    y = rows(y_all, 0, split);
    if (sw.defined()) {
      vsw = rows({sw}, split, n_all)[0];
      sw = rows({sw}, 0, split)[0];
    }
    n = split;
  }
  if (!o.class_weight.empty()) {
    Tensor cw = class_weights_for(y[0], o.class_weight);
    sw = sw.defined() ? ops::multiply(ops::cast(sw, DType::float32), cw) : cw;
  }

  const int64_t steps_full = (n + o.batch_size - 1) / o.batch_size;
  const int64_t steps = o.steps_per_epoch > 0 ? std::min(o.steps_per_epoch, steps_full) : steps_full;
  auto history = std::make_shared<callbacks::History>();
  std::vector<CallbackPtr> cbs = o.callbacks;
  if (o.verbose) cbs.push_back(std::make_shared<callbacks::ProgbarLogger>(o.verbose));
  cbs.push_back(history);
  CallbackList callbacks(cbs, this, {{"epochs", double(o.epochs)}, {"steps", double(steps)}, {"verbose", double(o.verbose)}});
  const bool batch_logs = !o.callbacks.empty() || o.verbose == 1;

  std::mt19937_64 rng(o.seed >= 0 ? uint64_t(o.seed)
                                  : uint64_t(ops::random_uniform({}, {.minval = 0, .maxval = 1e15, .dtype = DType::float64}).item<double>()));
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);

  stop_training = false;
  callbacks.each([](auto& c) { c.on_train_begin({}); });
  for (int epoch = o.initial_epoch; epoch < o.epochs && !stop_training; ++epoch) {
    reset_metrics();
    callbacks.each([&](auto& c) { c.on_epoch_begin(epoch, {}); });
    if (o.shuffle) std::shuffle(order.begin(), order.end(), rng);
    for (int64_t step = 0; step < steps && !stop_training; ++step) {
      const int64_t b = step * o.batch_size, e = std::min(n, b + o.batch_size);
      if (batch_logs) callbacks.each([&](auto& c) { c.on_train_batch_begin(step, {}); });
      std::vector<Tensor> xb, yb;
      Tensor swb;
      if (o.shuffle) {
        Tensor idx = core::constant(std::vector<int64_t>(order.begin() + b, order.begin() + e));
        xb = take(x, idx);
        yb = take(y, idx);
        if (sw.defined()) swb = ops::gather(sw, idx, 0);
      } else {
        xb = rows(x, b, e);
        yb = rows(y, b, e);
        if (sw.defined()) swb = rows({sw}, b, e)[0];
      }
      Tensor loss = train_step(xb, yb, swb);
      loss_sum_ += loss.item<double>() * double(e - b);
      loss_count_ += double(e - b);
      if (batch_logs) {
        Logs logs = metrics_result();
        callbacks.each([&](auto& c) { c.on_train_batch_end(step, logs); });
      }
    }
    Logs logs = metrics_result();
    if (!vx.empty() && (epoch + 1 - o.initial_epoch) % o.validation_freq == 0) {
      Logs val = evaluate(vx, vy, {.batch_size = o.batch_size, .verbose = 0, .sample_weight = vsw});
      for (const auto& [k, v] : val) logs["val_" + k] = v;
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
  const int64_t steps = (n + o.batch_size - 1) / o.batch_size;
  std::vector<CallbackPtr> cbs = o.callbacks;
  if (o.verbose) cbs.push_back(std::make_shared<callbacks::ProgbarLogger>(o.verbose));
  CallbackList callbacks(cbs, this, {{"steps", double(steps)}, {"verbose", double(o.verbose)}});
  // Keep the training metrics' state: evaluate uses them too, so save the running loss.
  reset_metrics();
  callbacks.each([](auto& c) { c.on_test_begin({}); });
  for (int64_t step = 0; step < steps; ++step) {
    const int64_t b = step * o.batch_size, e = std::min(n, b + o.batch_size);
    std::vector<Tensor> xb = rows(x, b, e), yb = rows(y, b, e);
    Tensor swb = o.sample_weight.defined() ? rows({o.sample_weight}, b, e)[0] : Tensor();
    std::vector<Tensor> y_pred = (*this)(xb, false);
    resolve_metrics(yb, y_pred);
    loss_sum_ += compute_loss(yb, y_pred, swb).item<double>() * double(e - b);
    loss_count_ += double(e - b);
    update_metrics(yb, y_pred, swb);
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
  const int64_t steps = (n + o.batch_size - 1) / o.batch_size;
  std::vector<CallbackPtr> cbs = o.callbacks;
  if (o.verbose) cbs.push_back(std::make_shared<callbacks::ProgbarLogger>(o.verbose));
  CallbackList callbacks(cbs, this, {{"steps", double(steps)}});
  callbacks.each([](auto& c) { c.on_predict_begin({}); });
  std::vector<std::vector<Tensor>> parts;
  for (int64_t step = 0; step < steps; ++step) {
    const int64_t b = step * o.batch_size, e = std::min(n, b + o.batch_size);
    std::vector<Tensor> out = (*this)(rows(x, b, e), false);
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
