// placement.cpp - Model::to and the device of a model's batches (core/device_scope.h).
#include "core/device_scope.h"
#include "keras/models/model.h"

namespace keras {

core::Device Model::device() const {
  const std::vector<Variable> w = weights();
  return w.empty() ? core::Device::cpu() : w.front().value().device();
}

void Model::to(core::Device device) {
  core::check_device_exists(device, (name() + ".to").c_str());
  auto lock = lock_state();
  for (Variable v : weights()) core::move_variable(v, device);
  if (optimizer_) optimizer_->to(device);
  // The metrics' state (the loss trackers, compiled and tracked metrics).
  auto move_metric = [&](const auto& m) {
    if (m)
      for (Variable v : m->variables()) core::move_variable(v, device);
  };
  move_metric(loss_tracker_);
  for (const auto& m : output_loss_trackers_) move_metric(m);
  for (const auto& per_output : metrics_)
    for (const auto& m : per_output) move_metric(m);
  for (const auto& per_output : weighted_metrics_)
    for (const auto& m : per_output) move_metric(m);
  for (const auto& m : tracked_metrics_) move_metric(m);
  // Graphs traced before hold the old devices: the steps trace again.
  train_fn_.reset();
  test_fn_.reset();
  predict_fn_.reset();
}

}  // namespace keras
