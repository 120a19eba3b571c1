// compile_utils.cpp - what compile() sets up (Keras's CompileLoss and CompileMetrics):
// the losses per output with their weights and per-output trackers, the metrics and
// weighted metrics per output with Keras's names, and the epoch logs they give.
#include <algorithm>
#include <stdexcept>

#include <optional>

#include "core/device_scope.h"
#include "core/ops.h"
#include "keras/models/model.h"
#include "keras/optimizers/loss_scale_optimizer.h"
#include "keras/trainers/batch_sources.h"

namespace keras {
namespace ops = core::ops;

void Model::compile(const CompileOptions& o) {
  if (!o.optimizer.ptr) throw std::invalid_argument(name() + ": compile() needs an optimizer");
  optimizer_ = o.optimizer.ptr;
  // Keras 3's Trainer.compile: a mixed_float16 model trains through a LossScaleOptimizer
  // (the loss is scaled so float16 gradients do not underflow) unless auto_scale_loss is
  // off; mixed_bfloat16 needs none.
  if (o.auto_scale_loss && dtype_policy().name() == "mixed_float16" &&
      !std::dynamic_pointer_cast<optimizers::LossScaleOptimizer>(optimizer_))
    optimizer_ = std::make_shared<optimizers::LossScaleOptimizer>(optimizer_, 32768.0, 2000, "loss_scale_optimizer");
  losses_.clear();
  // No loss is allowed (a custom train_step may not need one); compute_loss() then
  // raises unless the layers added losses.
  for (const auto& l : o.loss) {
    if (!l.ptr()) throw std::invalid_argument(name() + ": compile() received an empty loss");
    losses_.push_back(l.ptr());
  }
  loss_weights_ = o.loss_weights;
  compile_options_ = o;
  metrics_.clear();
  weighted_metrics_.clear();
  output_loss_trackers_.clear();
  metrics_resolved_ = false;
  // Metric state lives where the model's weights are (a traced step's values cannot move
  // between devices: Metric::detach); Model::to moves it with them.
  std::optional<core::DeviceScope> on_model_device;
  if (const core::Device d = device(); !d.is_cpu()) on_model_device.emplace(d);
  loss_tracker_ = std::make_shared<metrics::Mean>("loss");
  loss_seen_ = false;
  traced_ = -1;
  train_fn_.reset();
  test_fn_.reset();
  predict_fn_.reset();
  // Under a strategy's scope (or for a model created under one), the optimizer sums the
  // replicas' gradients.
  if (!replicas_) replicas_ = distribute::current();
  if (replicas_ && !optimizer_->replicas()) optimizer_->set_replicas(replicas_);
  if (replicas_ && !replica_loss_scale_.defined())
    replica_loss_scale_ = Variable(core::constant(1.0f), name() + "/replica_loss_scale", false);
  replicas_synced_ = false;
  compiled_ = true;
}

std::vector<std::string> Model::output_names() const {
  std::vector<std::string> names;
  if (auto* f = dynamic_cast<const FunctionalModel*>(this))
    for (const KerasTensor& t : f->outputs()) names.push_back(t.node()->layer->name());
  return names;
}

namespace {
// Keras's log key of a metric of output i: "<output name>_<metric>" with several outputs.
std::string output_key(const std::vector<std::string>& outs, size_t i, size_t n, const std::string& key) {
  if (n <= 1) return key;
  return (i < outs.size() ? outs[i] : "output_" + std::to_string(i + 1)) + "_" + key;
}

// The metric objects of one output for `args`: accuracy resolved by the loss and shapes,
// a name given as a string kept as the metric's name ("mae" logs "mae"), and fresh
// copies when there are several outputs.
std::vector<metrics::MetricPtr> make_metrics(const std::vector<metrics::MetricArg>& args, const std::string& loss_name,
                                             const Shape& y, const Shape& y_pred, bool copy) {
  std::vector<metrics::MetricPtr> out;
  for (const metrics::MetricArg& m : args) {
    metrics::MetricPtr p = m.resolve(loss_name, y, y_pred);
    if (copy && !m.is_accuracy_alias()) p = metrics::deserialize(metrics::serialize(*p));
    if (!m.identifier().empty()) p->set_name(m.identifier());
    out.push_back(p);
  }
  return out;
}

// Keras's structure of compile()'s metrics over n outputs: one list per output when given
// so; else a flat list: all for a single output, one entry per output for several.
std::vector<std::vector<metrics::MetricArg>> metrics_by_output(const std::vector<metrics::MetricArg>& flat,
                                                               const std::vector<std::vector<metrics::MetricArg>>& per,
                                                               size_t n, const char* arg, const std::string& model) {
  if (!per.empty()) {
    if (per.size() != n)
      throw std::invalid_argument(model + ": `" + arg + "` given per output holds " + std::to_string(per.size()) +
                                  " lists for the model's " + std::to_string(n) + " outputs");
    return per;
  }
  if (flat.empty()) return std::vector<std::vector<metrics::MetricArg>>(n);
  if (n == 1) return {flat};
  if (flat.size() != n)
    throw std::invalid_argument(model + ": `" + arg + "` should be a list matching the model's " + std::to_string(n) +
                                " outputs (one metric per output, or per-output lists in " + arg +
                                "_per_output), but received " + std::to_string(flat.size()) + " metrics");
  std::vector<std::vector<metrics::MetricArg>> out;
  for (const metrics::MetricArg& m : flat) out.push_back({m});
  return out;
}
}  // namespace

void Model::resolve_metrics(const std::vector<Tensor>& y, const std::vector<Tensor>& y_pred) {
  if (y.size() != y_pred.size())
    throw std::invalid_argument(name() + ": the model has " + std::to_string(y_pred.size()) +
                                " outputs, but received " + std::to_string(y.size()) + " target arrays");
  if (metrics_resolved_) return;
  if (losses_.size() > 1 && losses_.size() != y_pred.size())
    throw std::invalid_argument(name() + ": the model has " + std::to_string(y_pred.size()) + " outputs but compile() received " +
                                std::to_string(losses_.size()) + " losses (give one, or one per output)");
  if (!loss_weights_.empty() && loss_weights_.size() != y_pred.size())
    throw std::invalid_argument(name() + ": loss_weights has " + std::to_string(loss_weights_.size()) +
                                " entries for " + std::to_string(y_pred.size()) + " outputs");
  core::InitScope init;  // the metrics' variables are made once, outside any trace
  std::optional<core::DeviceScope> on_model_device;  // and where the model's weights are
  if (const core::Device d = device(); !d.is_cpu()) on_model_device.emplace(d);
  const size_t n = y_pred.size();
  const std::vector<std::string> outs = output_names();
  const auto plain =
      metrics_by_output(compile_options_.metrics, compile_options_.metrics_per_output, n, "metrics", name());
  const auto weighted = metrics_by_output(compile_options_.weighted_metrics,
                                          compile_options_.weighted_metrics_per_output, n, "weighted_metrics", name());
  metrics_.assign(n, {});
  weighted_metrics_.assign(n, {});
  output_loss_trackers_.clear();
  for (size_t i = 0; i < n; ++i) {
    const std::string loss_name = losses_.empty() ? "" : (losses_.size() == 1 ? losses_[0] : losses_[i])->name();
    metrics_[i] = make_metrics(plain[i], loss_name, y[i].shape(), y_pred[i].shape(), n > 1);
    weighted_metrics_[i] = make_metrics(weighted[i], loss_name, y[i].shape(), y_pred[i].shape(), n > 1);
    // A weighted metric named like a plain one is logged as "weighted_<name>" (Keras).
    for (auto& w : weighted_metrics_[i])
      for (const auto& m : metrics_[i])
        if (m->name() == w->name()) w->set_name("weighted_" + w->name());
    if (n > 1 && !losses_.empty())
      output_loss_trackers_.push_back(std::make_shared<metrics::Mean>(output_key(outs, i, n, "loss")));
  }
  metrics_resolved_ = true;
}

Tensor Model::compute_loss(const std::vector<Tensor>& y, const std::vector<Tensor>& y_pred, const Tensor& sw) {
  Tensor total;
  for (size_t i = 0; i < y_pred.size() && !losses_.empty(); ++i) {
    const losses::LossPtr& l = losses_.size() == 1 ? losses_[0] : losses_[i];
    Tensor li = (*l)(y[i], y_pred[i], sw);
    if (i < output_loss_trackers_.size()) {  // the unweighted loss of each output, per sample
      output_loss_trackers_[i]->update_state(ops::reshape(ops::cast(li, DType::float32), {1}),
                                             detail::batch_size_weight(y_pred[i]));
    }
    if (!loss_weights_.empty() && loss_weights_[i] != 1.0) li = ops::multiply(li, ops::scalar_like(li, loss_weights_[i]));
    total = total.defined() ? ops::add(total, li) : li;
  }
  for (const Tensor& r : losses()) {
    Tensor s = ops::sum(r);
    total = total.defined() ? ops::add(total, ops::cast(s, total.dtype())) : s;
  }
  if (!total.defined())
    throw std::invalid_argument(name() + ": no loss to compute: give compile() a loss, or add losses in the layers "
                                "(add_loss), or override train_step");
  return total;
}

void Model::update_metrics(const std::vector<Tensor>& y, const std::vector<Tensor>& y_pred, const Tensor& sw) {
  // Keras 3: sample and class weights apply to weighted_metrics only.
  for (size_t i = 0; i < metrics_.size(); ++i) {
    for (const auto& m : metrics_[i]) m->update_state(y[i], y_pred[i]);
    for (const auto& m : weighted_metrics_[i]) m->update_state(y[i], y_pred[i], sw);
  }
}

void Model::reset_metrics() {
  if (loss_tracker_) loss_tracker_->reset_state();
  loss_seen_ = false;
  for (auto* set : {&metrics_, &weighted_metrics_})
    for (auto& per : *set)
      for (auto& m : per) m->reset_state();
  for (auto& m : output_loss_trackers_) m->reset_state();
  for (auto& m : tracked_metrics_) m->reset_state();
}

Logs Model::metrics_result() const {
  if (replicas_ && replicas_->num_replicas() > 1) return replicated_metrics_result();
  return local_metrics_result();
}

Logs Model::local_metrics_result() const {
  Logs logs;
  if (loss_seen_ && loss_tracker_) logs["loss"] = loss_tracker_->result().item<double>();
  if (loss_seen_)
    for (const auto& t : output_loss_trackers_) logs[t->name()] = t->result().item<double>();
  const std::vector<std::string> outs = output_names();
  const size_t n = metrics_.size();
  for (auto* set : {&metrics_, &weighted_metrics_})
    for (size_t i = 0; i < set->size(); ++i)
      for (const auto& m : (*set)[i]) logs[output_key(outs, i, n, m->name())] = m->result().item<double>();
  for (const auto& m : tracked_metrics_) logs[m->name()] = m->result().item<double>();
  return logs;
}

}  // namespace keras
