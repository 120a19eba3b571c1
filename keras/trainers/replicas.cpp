// replicas.cpp - what a Model does differently when mirrored over replicas (a
// distribution strategy's scope, keras/distribute/cross_replica.h): replica 0's weights
// are broadcast before the first step, each replica takes its rows of every global batch
// and scales its loss by its share, and the metrics are read summed over the replicas.
#include <exception>
#include <stdexcept>
#include <vector>

#include "core/ops.h"
#include "keras/models/model.h"
#include "keras/trainers/batch_sources.h"

namespace keras {
namespace ops = core::ops;

Tensor Model::scale_loss_for_distribution(const Tensor& loss) const {
  if (!replicas_ || replicas_->num_replicas() <= 1 || !replica_loss_scale_.defined()) return loss;
  return ops::multiply(loss, ops::cast(replica_loss_scale_.value(), loss.dtype()));
}

void Model::sync_replicas(const std::vector<Tensor>& x) {
  // A model built by its first call has no weights yet: build it on this batch (in
  // inference mode, which changes no state but the weights' creation).
  if (!built() && weights().empty()) (*this)(x, false);
  std::vector<Variable> vars = weights();
  if (optimizer_)
    for (const Variable& v : optimizer_->variables()) vars.push_back(v);
  distribute::broadcast_variables(*replicas_, vars, 0);
  replicas_synced_ = true;
}

bool Model::take_replica_rows(std::vector<Tensor>& x, std::vector<Tensor>& y, Tensor& sample_weight) {
  if (!replicas_synced_) sync_replicas(x);
  const int64_t rows = detail::cardinality(x, y, "a distributed step");
  const distribute::RowRange r = distribute::replica_rows(rows, replicas_->replica_id(), replicas_->num_replicas());
  x = detail::rows(x, r.begin, r.end);
  y = detail::rows(y, r.begin, r.end);
  if (sample_weight.defined()) sample_weight = detail::rows({sample_weight}, r.begin, r.end)[0];
  replica_loss_scale_.assign(core::constant(rows > 0 ? float(r.end - r.begin) / float(rows) : 0.0f));
  return r.end > r.begin;
}

void Model::empty_replica_step() {
  // The other replicas sum their gradients in apply_gradients: join with zeros.
  std::vector<Variable> vars = trainable_weights();
  std::vector<Tensor> zeros;
  for (const Variable& v : vars) zeros.push_back(ops::zeros_like(v.value()));
  optimizer_->apply_gradients(zeros, vars);
}

bool Model::on_any_replica(bool v) const {
  if (!replicas_ || replicas_->num_replicas() <= 1) return v;
  double any = v ? 1.0 : 0.0;
  replicas_->all_reduce_sum(&any, 1);
  return any > 0;
}

Logs Model::replicated_metrics_result() const {
  // Every metric's state variables, summed over the replicas in one all-reduce (as
  // TensorFlow's metric variables, SyncOnRead with SUM aggregation); the results are read
  // from the sums, then each replica's own state is put back.
  std::vector<Variable> vars;
  std::vector<metrics::MetricPtr> all;
  if (loss_tracker_) all.push_back(loss_tracker_);
  for (const auto& t : output_loss_trackers_) all.push_back(t);
  for (auto* set : {&metrics_, &weighted_metrics_})
    for (const auto& per : *set)
      for (const auto& m : per) all.push_back(m);
  for (const auto& m : tracked_metrics_) all.push_back(m);
  std::vector<Tensor> saved;
  std::vector<double> packed;
  for (const auto& m : all)
    for (const Variable& v : m->variables()) {
      vars.push_back(v);
      saved.push_back(v.value());
      std::vector<double> values = ops::cast(v.value(), DType::float64).to_vector<double>();
      packed.insert(packed.end(), values.begin(), values.end());
    }
  replicas_->all_reduce_sum(packed.data(), int64_t(packed.size()));
  size_t offset = 0;
  for (Variable& v : vars) {
    const int64_t n = v.value().size();
    v.assign(core::from_buffer(packed.data() + offset, DType::float64, v.shape(), v.dtype()));
    offset += size_t(n);
  }
  Logs logs;
  std::exception_ptr error;
  try {
    logs = local_metrics_result();
  } catch (...) {
    error = std::current_exception();
  }
  for (size_t i = 0; i < vars.size(); ++i) vars[i].assign(saved[i]);
  if (error) std::rethrow_exception(error);
  return logs;
}

}  // namespace keras
