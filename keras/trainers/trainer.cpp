// trainer.cpp - the steps of Keras's Trainer: train_step, the traced or eager step
// functions (run_step) and train/test/predict_on_batch. The loops over batches (fit,
// evaluate, predict) are in loops.cpp.
#include <algorithm>
#include <memory>
#include <stdexcept>

#include "core/ops.h"
#include "core/sparse.h"
#include "keras/constraints.h"
#include "keras/models/model.h"
#include "keras/optimizers/loss_scale_optimizer.h"
#include "keras/trainers/batch_sources.h"
#include "keras/trainers/file_shard_source.h"
#include "keras/trainers/trainer_internal.h"

namespace keras {
namespace ops = core::ops;

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
}  // namespace

// A file-sharded step's rows over the replicas (trainer_internal.h).
thread_local int64_t t_own_part_of = -1;

bool Model::traced_steps() const {
  if (traced_ < 0) traced_ = !compile_options_.run_eagerly && !any_dynamic(*this);  // once per compile
  return traced_ == 1;
}

std::vector<Tensor> Model::run_step(std::unique_ptr<StepFunction>& fn, int kind, const std::vector<Tensor>& x_global,
                                    const std::vector<Tensor>& y_global, const Tensor& sw_global) {
  // Distributed: this replica's rows of the global batch (predict runs on every row), or
  // its own part of the step when the input is sharded by file.
  std::vector<Tensor> x = x_global, y = y_global;
  Tensor sample_weight = sw_global;
  bool has_rows = true;
  if (kind != kPredict && replicas_ && replicas_->num_replicas() > 1 && t_own_part_of < 0) {
    has_rows = take_replica_rows(x, y, sample_weight);
  } else if (kind != kPredict && replicas_ && replicas_->num_replicas() > 1) {
    const int64_t rows = x.empty() ? 0 : detail::cardinality(x, y, "a distributed step");
    if (!replicas_synced_) {  // (every replica joins the broadcast, with rows or without)
      if (rows == 0 && !built() && weights().empty())
        throw std::invalid_argument(name() + ": replica " + std::to_string(replicas_->replica_id()) +
                                    " has no data for the first step of a file-sharded input, so it cannot build "
                                    "the model; build it before fit() (give the input shape)");
      sync_replicas(x);
    }
    replica_loss_scale_.assign(core::constant(float(rows) / float(std::max<int64_t>(t_own_part_of, 1))));
    has_rows = rows > 0;
  }
  if (!has_rows) {
    if (kind == kTrain) empty_replica_step();
    loss_seen_ = true;  // (the logs have the same keys on every replica)
    return {};
  }
  // Batches go to the device of the model's weights, as TensorFlow copies an op's
  // inputs to its device (on a machine without a GPU, everything stays on the CPU).
  if (core::cuda_device_count() > 0) {
    if (const core::Device d = device(); !d.is_cpu()) {
      for (auto* part : {&x, &y})
        for (Tensor& t : *part)
          if (t.defined()) t = t.to(d);
      if (sample_weight.defined()) sample_weight = sample_weight.to(d);
    }
  }
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
    loss_tracker_->update_state(ops::reshape(ops::cast(loss, DType::float32), {1}),
                                detail::batch_size_weight(xs.empty() ? Tensor() : xs[0]));
    return {loss};
  };
  std::lock_guard<std::recursive_mutex> lock(state_mu_);  // one step at a time (lock_state())
  std::vector<Tensor> sw;
  if (sample_weight.defined()) sw.push_back(sample_weight);
  if (kind != kPredict) loss_seen_ = true;
  // Sparse and ragged inputs enter the traced step too: a sparse batch's entries are read
  // when the graph runs (core/composite.h), a ragged one is its flat values and row_splits,
  // whose lengths the signature leaves open (core/ragged_function.h).
  if (!traced_steps()) return body(x, y, sw);
  if (!fn) {
    static const char* names[] = {"train_function", "test_function", "predict_function"};
    fn = std::make_unique<StepFunction>(StepFunction::function_type(body),
                                        core::FunctionOptions{.name = name() + "." + names[kind], .reduce_retracing = true,
                                                              .jit_compile = compile_options_.jit_compile});
  }
  return (*fn)(x, y, sw);
}

// ---- steps ------------------------------------------------------------------------------------
Tensor Model::train_step(const std::vector<Tensor>& x, const std::vector<Tensor>& y, const Tensor& sw) {
  std::vector<Variable> vars;
  Tensor loss;
  std::vector<Tensor> grads, y_pred;
  {
    core::GradientTape tape;
    y_pred = (*this)(x, true);
    // Read after the forward pass: a model built by its first call has its weights only
    // now (a traced step would otherwise bake in an empty list and never train).
    vars = trainable_weights();
    resolve_metrics(y, y_pred);
    loss = compute_loss(y, y_pred, sw);
    // Keras: the optimizer's scale_loss (a LossScaleOptimizer multiplies by its scale and
    // unscales the gradients in apply_gradients); the reported loss is unscaled.
    Tensor scaled = scale_loss_for_distribution(loss);
    scaled = optimizer_->scale_loss(scaled);
    grads = tape.gradient(scaled, vars);
  }
  optimizer_->apply_gradients(grads, vars);  // applies the variables' constraints too
  update_metrics(y, y_pred, sw);
  return loss;
}

Logs Model::train_on_batch(const std::vector<Tensor>& x, const std::vector<Tensor>& y, const Tensor& sw) {
  RunGuard guard(*this, "train_on_batch");
  if (!compiled_) throw std::invalid_argument(name() + ": you must call compile() before train_on_batch()");
  detail::cardinality(x, y, "train_on_batch");
  reset_metrics();
  run_step(train_fn_, kTrain, x, y, sw);
  return metrics_result();
}

Logs Model::test_on_batch(const std::vector<Tensor>& x, const std::vector<Tensor>& y, const Tensor& sw) {
  RunGuard guard(*this, "test_on_batch");
  if (!compiled_) throw std::invalid_argument(name() + ": you must call compile() before test_on_batch()");
  detail::cardinality(x, y, "test_on_batch");
  reset_metrics();
  run_step(test_fn_, kTest, x, y, sw);
  return metrics_result();
}

std::vector<Tensor> Model::predict_on_batch(const std::vector<Tensor>& x) {
  return run_step(predict_fn_, kPredict, x, {}, Tensor());
}

}  // namespace keras
