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
#include "keras/trainers/batch_sources.h"

namespace keras {
namespace ops = core::ops;
using callbacks::CallbackPtr;

namespace {

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
  traced_ = -1;
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

bool Model::traced_steps() const {
  if (traced_ < 0) traced_ = !compile_options_.run_eagerly && !any_dynamic(*this);  // once per compile
  return traced_ == 1;
}

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
  std::vector<Variable> vars;
  Tensor loss;
  std::vector<Tensor> grads, y_pred;
  {
    core::GradientTape tape;
    y_pred = (*this)(x, true);
    vars = trainable_weights();  // after the call: a subclassed model builds its layers in it
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
  detail::cardinality(x, y, "train_on_batch");
  reset_metrics();
  run_step(train_fn_, kTrain, x, y, sw);
  return metrics_result();
}

Logs Model::test_on_batch(const std::vector<Tensor>& x, const std::vector<Tensor>& y, const Tensor& sw) {
  if (!compiled_) throw std::invalid_argument(name() + ": you must call compile() before test_on_batch()");
  detail::cardinality(x, y, "test_on_batch");
  reset_metrics();
  run_step(test_fn_, kTest, x, y, sw);
  return metrics_result();
}

std::vector<Tensor> Model::predict_on_batch(const std::vector<Tensor>& x) {
  return run_step(predict_fn_, kPredict, x, {}, Tensor());
}

// ---- the loops: fit, evaluate and predict take their batches from a BatchSource -------------------
namespace {
// The callbacks' params: the step count only when known (the progress bar's total).
std::map<std::string, double> loop_params(int64_t steps, int verbose, int epochs = -1) {
  std::map<std::string, double> p{{"verbose", double(verbose)}};
  if (steps >= 0) p["steps"] = double(steps);
  if (epochs >= 0) p["epochs"] = double(epochs);
  return p;
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
  const int64_t n_all = detail::cardinality(x_all, y_all, "fit");
  if (o.sample_weight.defined() && (o.sample_weight.rank() < 1 || o.sample_weight.shape()[0] != n_all))
    throw std::invalid_argument(name() + ": sample_weight has shape " + o.sample_weight.shape().str() +
                                ", expected (" + std::to_string(n_all) + ",)");

  // Validation data: given, or the last fraction of the samples (before shuffling).
  std::vector<Tensor> x = x_all, y = y_all;
  Tensor sw = o.sample_weight;
  int64_t n = n_all;
  std::unique_ptr<detail::BatchSource> val;
  if (o.validation_data.dataset) {
    val = detail::dataset_source(*o.validation_data.dataset, *this, "fit (validation_data)", true, o.validation_steps, "validation_steps");
  } else if (!o.validation_data.arrays.empty()) {
    val = detail::validation_arrays(name(), o.validation_data.arrays, o.batch_size);
  } else if (o.validation_split > 0) {
    const int64_t split = int64_t(double(n_all) * (1.0 - o.validation_split));
    if (split <= 0 || split >= n_all)
      throw std::invalid_argument(name() + ": validation_split " + std::to_string(o.validation_split) + " leaves " +
                                  (split <= 0 ? "no training samples" : "no validation samples") + " out of " + std::to_string(n_all));
    val = detail::array_source(detail::rows(x_all, split, n_all), detail::rows(y_all, split, n_all),
                               sw.defined() ? detail::rows({sw}, split, n_all)[0] : Tensor(), n_all - split, o.batch_size, false, -1);
    x = detail::rows(x_all, 0, split);
    y = detail::rows(y_all, 0, split);
    if (sw.defined()) sw = detail::rows({sw}, 0, split)[0];
    n = split;
  }
  if (!o.class_weight.empty()) {
    Tensor cw = detail::class_weights_for(y[0], o.class_weight);
    sw = sw.defined() ? ops::multiply(ops::cast(sw, DType::float32), cw) : cw;
  }
  auto train = detail::array_source(x, y, sw, n, o.batch_size, o.shuffle, o.steps_per_epoch);
  return fit_loop(*train, val.get(), o);
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
  auto train = detail::dataset_source(dataset, *this, "fit", true, o.steps_per_epoch, "steps_per_epoch", o.class_weight);
  std::unique_ptr<detail::BatchSource> val;
  if (o.validation_data.dataset)
    val = detail::dataset_source(*o.validation_data.dataset, *this, "fit (validation_data)", true, o.validation_steps, "validation_steps");
  else if (!o.validation_data.arrays.empty())
    val = detail::validation_arrays(name(), o.validation_data.arrays, o.batch_size);
  return fit_loop(*train, val.get(), o);
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
      detail::Batch b = train.next();
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
    if (val && (epoch + 1) % o.validation_freq == 0) {  // Keras: the epoch's own number
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
  const int64_t n = detail::cardinality(x, y, "evaluate");
  auto source = detail::array_source(x, y, o.sample_weight, n, o.batch_size, false, o.steps);
  return evaluate_loop(*source, o.verbose, o.callbacks);
}

Logs Model::evaluate(const data::Dataset& dataset, const EvaluateOptions& o) {
  if (!compiled_) throw std::invalid_argument(name() + ": you must call compile() before evaluate()");
  if (o.sample_weight.defined())
    throw std::invalid_argument(name() + ": the sample_weight option is not supported with a Dataset "
                                "(give (x, y, sample_weight) elements instead)");
  auto source = detail::dataset_source(dataset, *this, "evaluate", true, o.steps, "steps");
  return evaluate_loop(*source, o.verbose, o.callbacks);
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
    detail::Batch b = source.next();
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
  const int64_t n = detail::cardinality(x, {}, "predict");
  auto source = detail::array_source(x, {}, Tensor(), n, o.batch_size, false, o.steps);
  return predict_loop(*source, o.verbose, o.callbacks);
}

Tensor Model::predict(const data::Dataset& dataset, const PredictOptions& o) {
  auto source = detail::dataset_source(dataset, *this, "predict", false, o.steps, "steps");
  std::vector<Tensor> out = predict_loop(*source, o.verbose, o.callbacks);
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
