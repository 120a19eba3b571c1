// monitors.cpp - the callbacks that watch a logged value or the loss: EarlyStopping,
// ReduceLROnPlateau, LearningRateScheduler and TerminateOnNaN (Keras 3 semantics).
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <string>

#include "keras/callbacks.h"
#include "keras/models/model.h"
#include "keras/optimizers.h"
#include "keras/io_utils_internal.h"

namespace keras::callbacks {

namespace detail {
bool maximizes(const std::string& mode, const std::string& monitor, const char* who) {
  if (mode == "max") return true;
  if (mode == "min") return false;
  if (mode != "auto")
    throw std::invalid_argument(std::string(who) + ": expected mode 'auto', 'min' or 'max', but received '" + mode + "'");
  for (const char* k : {"acc", "auc", "precision", "recall", "f1", "iou"})
    if (monitor.find(k) != std::string::npos) return true;
  return false;
}

// The monitored value, or (once per fit, as Python shows a warning once) a warning
// listing the available keys, as Keras prints, and nothing.
std::optional<double> monitored(const Logs& logs, const std::string& monitor, const char* what, bool& warned) {
  auto it = logs.find(monitor);
  if (it != logs.end()) return it->second;
  if (!warned) {
    std::string keys;
    for (const auto& [k, v] : logs) keys += (keys.empty() ? "" : ",") + k;
    std::fprintf(stderr, "UserWarning: %s conditioned on metric `%s` which is not available. Available metrics are: %s\n",
                 what, monitor.c_str(), keys.c_str());
    warned = true;
  }
  return std::nullopt;
}
}  // namespace detail
using detail::maximizes;

// ---- EarlyStopping -----------------------------------------------------------------------------
EarlyStopping::EarlyStopping(const EarlyStoppingOptions& o) : o_(o) {
  maximize_ = maximizes(o.mode, o.monitor, "EarlyStopping");
  if (o.patience < 0) throw std::invalid_argument("EarlyStopping: expected patience >= 0, but received " + std::to_string(o.patience));
}

// Keras: an improvement beats the reference by more than |min_delta|; no reference yet
// is always beaten.
bool EarlyStopping::improved(double v, const std::optional<double>& ref) const {
  if (!ref) return true;
  return maximize_ ? v - std::fabs(o_.min_delta) > *ref : v + std::fabs(o_.min_delta) < *ref;
}

void EarlyStopping::on_train_begin(const Logs&) {
  wait_ = 0;
  stopped_epoch_ = 0;
  best_epoch_ = 0;
  best_.reset();
  best_weights_.clear();
  warned_ = false;
}

void EarlyStopping::on_epoch_end(int epoch, const Logs& logs) {
  const std::optional<double> v = detail::monitored(logs, o_.monitor, "Early stopping", warned_);
  if (!v || epoch < o_.start_from_epoch) return;
  if (o_.restore_best_weights && best_weights_.empty()) {
    best_weights_ = model()->get_weights();
    best_epoch_ = epoch;
  }
  ++wait_;
  if (improved(*v, best_)) {
    best_ = *v;
    best_epoch_ = epoch;
    if (o_.restore_best_weights) best_weights_ = model()->get_weights();
    // The wait restarts only when the value also beats the baseline.
    if (!o_.baseline || improved(*v, o_.baseline)) wait_ = 0;
    return;
  }
  if (wait_ >= o_.patience && epoch > 0) {
    stopped_epoch_ = epoch;
    model()->stop_training = true;
  }
}

// Keras restores the best weights at the end of training, whether it stopped early or not.
void EarlyStopping::on_train_end(const Logs&) {
  if (stopped_epoch_ > 0 && o_.verbose > 0) keras::detail::print_msgf("Epoch %d: early stopping", stopped_epoch_ + 1);
  if (o_.restore_best_weights && !best_weights_.empty()) {
    if (o_.verbose > 0)
      keras::detail::print_msgf("Restoring model weights from the end of the best epoch: %d.", best_epoch_ + 1);
    model()->set_weights(best_weights_);
  }
  std::fflush(stdout);
}

// ---- ReduceLROnPlateau -------------------------------------------------------------------------
ReduceLROnPlateau::ReduceLROnPlateau(const ReduceLROnPlateauOptions& o) : o_(o) {
  if (!(o.factor < 1.0)) throw std::invalid_argument("ReduceLROnPlateau: expected factor < 1, but received " + std::to_string(o.factor));
  if (!(o.min_lr >= 0)) throw std::invalid_argument("ReduceLROnPlateau: expected min_lr >= 0, but received " + std::to_string(o.min_lr));
  maximize_ = maximizes(o.mode, o.monitor, "ReduceLROnPlateau");
}

void ReduceLROnPlateau::on_train_begin(const Logs&) {
  best_ = maximize_ ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  wait_ = 0;
  cooldown_counter_ = 0;
  warned_ = false;
}

void ReduceLROnPlateau::on_epoch_end(int epoch, const Logs& logs) {
  auto& opt = model()->optimizer();
  set_log("learning_rate", opt->learning_rate());  // Keras logs the rate of this epoch
  const std::optional<double> v = detail::monitored(logs, o_.monitor, "Learning rate reduction", warned_);
  if (!v) return;
  if (cooldown_counter_ > 0) {
    --cooldown_counter_;
    wait_ = 0;
  }
  const bool better = maximize_ ? *v > best_ + o_.min_delta : *v < best_ - o_.min_delta;
  if (better) {
    best_ = *v;
    wait_ = 0;
  } else if (cooldown_counter_ <= 0 && ++wait_ >= o_.patience) {
    const double lr = opt->learning_rate();
    if (lr > o_.min_lr) {
      const double nlr = std::max(lr * o_.factor, o_.min_lr);
      opt->set_learning_rate(nlr);
      if (o_.verbose)
        keras::detail::print_msgf("\nEpoch %d: ReduceLROnPlateau reducing learning rate to %g.", epoch + 1, nlr);
      cooldown_counter_ = o_.cooldown;
      wait_ = 0;
    }
  }
}

// ---- LearningRateScheduler / TerminateOnNaN ---------------------------------------------------
LearningRateScheduler::LearningRateScheduler(std::function<double(int, double)> s, int verbose)
    : schedule_(std::move(s)), verbose_(verbose) {
  if (!schedule_) throw std::invalid_argument("LearningRateScheduler: the schedule is empty");
}

void LearningRateScheduler::on_epoch_begin(int epoch, const Logs&) {
  auto& opt = model()->optimizer();
  const double lr = schedule_(epoch, opt->learning_rate());
  if (!std::isfinite(lr) || lr < 0)
    throw std::invalid_argument("LearningRateScheduler: expected the schedule to return a finite learning rate >= 0, "
                                "but it returned " + std::to_string(lr) + " for epoch " + std::to_string(epoch));
  opt->set_learning_rate(lr);
  if (verbose_)
    keras::detail::print_msgf("\nEpoch %d: LearningRateScheduler setting learning rate to %g.", epoch + 1, lr);
}

void LearningRateScheduler::on_epoch_end(int, const Logs&) {
  set_log("learning_rate", model()->optimizer()->learning_rate());  // as Keras logs it
}

void TerminateOnNaN::on_train_batch_end(int64_t batch, const Logs& logs) {
  auto it = logs.find("loss");
  if (it != logs.end() && !std::isfinite(it->second)) {
    keras::detail::print_msgf("Batch %lld: Invalid loss, terminating training", static_cast<long long>(batch));
    model()->stop_training = true;
  }
}

}  // namespace keras::callbacks
