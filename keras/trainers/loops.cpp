// loops.cpp - Model::fit / evaluate / predict (Keras's Trainer loops): batches from a
// BatchSource (tensors, datasets, file shards), the callbacks, validation and the logs.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <numeric>
#include <optional>
#include <random>
#include <stdexcept>

#include "core/ops.h"
#include "keras/models/model.h"
#include "keras/settings.h"
#include "keras/trainers/batch_sources.h"
#include "keras/trainers/file_shard_source.h"
#include "keras/trainers/trainer_internal.h"

namespace keras {
namespace ops = core::ops;
using callbacks::CallbackArg;
using callbacks::CallbackList;

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
    val = detail::replica_dataset_source(*o.validation_data.dataset, *this, "fit (validation_data)", o.validation_steps,
                                         "validation_steps");
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
  auto train =
      detail::replica_dataset_source(dataset, *this, "fit", o.steps_per_epoch, "steps_per_epoch", o.class_weight, o.shuffle);
  std::unique_ptr<detail::BatchSource> val;
  if (o.validation_data.dataset)
    val = detail::replica_dataset_source(*o.validation_data.dataset, *this, "fit (validation_data)", o.validation_steps,
                                         "validation_steps");
  else if (!o.validation_data.arrays.empty())
    val = detail::validation_arrays(name(), o.validation_data.arrays, o.batch_size);
  return fit_loop(*train, val.get(), o);
}

callbacks::History Model::fit_loop(detail::BatchSource& train, detail::BatchSource* val, const FitOptions& o) {
  RunGuard guard(*this, "fit");
  int epochs = o.epochs;  // (keras::config::max_epochs caps it, as Keras's)
  if (const int64_t cap = config::max_epochs(); cap > 0 && cap < epochs) {
    std::fprintf(stderr, "Warning: fit: limiting epochs to %lld (keras::config::max_epochs)\n", static_cast<long long>(cap));
    epochs = int(cap);
  }
  auto history = std::make_shared<callbacks::History>();
  CallbackList callbacks(o.callbacks, this, loop_params(train.steps(), o.verbose, epochs));
  const bool batch_logs = on_any_replica(!callbacks.empty() || o.verbose == 1);  // (the same on every replica)
  const bool chief = !replicas_ || replicas_->is_chief();
  if (o.verbose && chief) callbacks.append(std::make_shared<callbacks::ProgbarLogger>(o.verbose));
  callbacks.append(history);
  // The user's callbacks see the validation's test hooks (not the bar or History).
  CallbackList val_callbacks(o.callbacks, this, loop_params(train.steps(), o.verbose, epochs));

  fit_start = {.epoch = o.initial_epoch, .step = 0,
               .shuffle_seed = o.seed >= 0 ? uint64_t(o.seed)
                                           : uint64_t(ops::random_uniform({}, {.minval = 0, .maxval = 1e15, .dtype = DType::float64}).item<double>())};
  if (replicas_ && replicas_->num_replicas() > 1) {  // every replica shuffles as replica 0 does
    replicas_->broadcast(&fit_start.shuffle_seed, sizeof fit_start.shuffle_seed, 0);
    replicas_synced_ = false;  // replica 0's weights are broadcast before the first step
  }

  stop_training = false;
  Logs training_logs;  // the last epoch's logs, which on_train_end gets (as Keras)
  callbacks.on_train_begin({});
  const FitStart start = fit_start;  // a callback (BackupAndRestore) may have moved it
  if (start.epoch < 0 || start.step < 0)
    throw std::invalid_argument(name() + ": fit() cannot start at epoch " + std::to_string(start.epoch) + ", step " +
                                std::to_string(start.step));
  for (int epoch = start.epoch; epoch < epochs && !stop_training; ++epoch) {
    reset_metrics();
    callbacks.on_epoch_begin(epoch, {});
    train.begin_pass(epoch, start.shuffle_seed);
    int64_t step = 0;
    if (epoch == start.epoch && start.step > 0) {
      train.skip(start.step);
      step = start.step;
    }
    for (; !stop_training && train.has_next(); ++step) {
      if (batch_logs) callbacks.on_train_batch_begin(step, {});
      detail::Batch b = train.next();
      OwnPart part(b.global_rows);
      run_step(train_fn_, kTrain, b.x, b.y, b.sample_weight);
      if (batch_logs) {
        callbacks.on_train_batch_end(step, metrics_result());
      }
    }
    train.end_pass();
    if (train.ran_out())  // Keras's warning; the next epoch starts a new pass over the dataset
      std::fprintf(stderr, "%s: your input ran out of data after %lld of the %lld steps of epoch %d; make sure that "
                   "your dataset can generate at least steps_per_epoch * epochs batches (use repeat()).\n",
                   name().c_str(), (long long)step, (long long)train.steps(), epoch + 1);
    Logs logs = metrics_result();
    if (val && (epoch + 1) % o.validation_freq == 0) {  // Keras: the epoch's own number
      Logs v = evaluate_loop(*val, val_callbacks);
      for (const auto& [k, value] : v) logs["val_" + k] = value;
    }
    callbacks.on_epoch_end(epoch, logs);
    training_logs = logs;
  }
  // Keras: an optimizer with use_ema leaves the moving averages in the weights.
  if (epochs > 0 && optimizer_) optimizer_->finalize_variable_values(trainable_weights());
  callbacks.on_train_end(training_logs);
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
  auto source = detail::replica_dataset_source(dataset, *this, "evaluate", o.steps, "steps");
  return evaluate_loop(*source, o.verbose, o.callbacks);
}

Logs Model::evaluate_loop(detail::BatchSource& source, int verbose, const std::vector<CallbackArg>& user_cbs) {
  CallbackList callbacks(user_cbs, this, loop_params(source.steps(), verbose));
  if (verbose && (!replicas_ || replicas_->is_chief())) callbacks.append(std::make_shared<callbacks::ProgbarLogger>(verbose));
  replicas_synced_ = false;
  return evaluate_loop(source, callbacks);
}

Logs Model::evaluate_loop(detail::BatchSource& source, CallbackList& callbacks) {
  RunGuard guard(*this, "evaluate");
  // Keep the training metrics' state: evaluate uses them too, so save the running loss.
  reset_metrics();
  callbacks.on_test_begin({});
  source.begin_pass(0, 0);
  const bool batch_logs = on_any_replica(!callbacks.empty());  // (the same on every replica)
  for (int64_t step = 0; source.has_next(); ++step) {
    if (!callbacks.empty()) callbacks.on_test_batch_begin(step, {});
    detail::Batch b = source.next();
    OwnPart part(b.global_rows);
    run_step(test_fn_, kTest, b.x, b.y, b.sample_weight);
    if (batch_logs) {
      Logs logs = metrics_result();
      if (!callbacks.empty()) callbacks.on_test_batch_end(step, logs);
    }
  }
  source.end_pass();
  Logs logs = metrics_result();
  callbacks.on_test_end(logs);
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

std::vector<Tensor> Model::predict_loop(detail::BatchSource& source, int verbose, const std::vector<CallbackArg>& user_cbs) {
  CallbackList callbacks(user_cbs, this, loop_params(source.steps(), verbose));
  if (verbose && (!replicas_ || replicas_->is_chief())) callbacks.append(std::make_shared<callbacks::ProgbarLogger>(verbose));
  callbacks.on_predict_begin({});
  std::vector<std::vector<Tensor>> parts;
  source.begin_pass(0, 0);
  for (int64_t step = 0; source.has_next(); ++step) {
    if (!callbacks.empty()) callbacks.on_predict_batch_begin(step, {});
    std::vector<Tensor> out = run_step(predict_fn_, kPredict, source.next().x, {}, Tensor());
    if (parts.empty()) parts.resize(out.size());
    for (size_t i = 0; i < out.size(); ++i) parts[i].push_back(out[i]);
    if (!callbacks.empty()) callbacks.on_predict_batch_end(step, {});
  }
  source.end_pass();
  callbacks.on_predict_end({});
  std::vector<Tensor> result;
  for (auto& p : parts) result.push_back(p.size() == 1 ? p[0] : ops::concat(p, 0));
  return result;
}

}  // namespace keras
