#include "keras/callbacks.h"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "keras/models/model.h"
#include "keras/optimizers.h"

namespace keras::callbacks {

Callback::~Callback() = default;

void History::on_epoch_end(int e, const Logs& logs) {
  epoch.push_back(e);
  for (const auto& [k, v] : logs) history[k].push_back(v);
}

// ---- ProgbarLogger ------------------------------------------------------------------------
namespace {
double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string format_time(double s) {  // Keras: "3s", "1:02", "1:02:03"
  char buf[32];
  long t = long(s + 0.5);
  if (t < 60) std::snprintf(buf, sizeof buf, "%lds", t);
  else if (t < 3600) std::snprintf(buf, sizeof buf, "%ld:%02ld", t / 60, t % 60);
  else std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", t / 3600, (t / 60) % 60, t % 60);
  return buf;
}

std::string format_per_step(double s) {  // "2ms/step", "150us/step", "1s/step"
  char buf[32];
  if (s >= 1) std::snprintf(buf, sizeof buf, "%.0fs/step", s);
  else if (s >= 1e-3) std::snprintf(buf, sizeof buf, "%.0fms/step", s * 1e3);
  else std::snprintf(buf, sizeof buf, "%.0fus/step", s * 1e6);
  return buf;
}

std::string format_value(double v) {  // Keras: 4 decimals, or scientific when tiny
  char buf[32];
  if (v != 0 && std::fabs(v) < 1e-3) std::snprintf(buf, sizeof buf, "%.4e", v);
  else std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}
}  // namespace

ProgbarLogger::ProgbarLogger(int verbose, std::FILE* out)
    : verbose_(verbose), out_(out), tty_(out && isatty(fileno(out))) {}

void ProgbarLogger::on_train_begin(const Logs&) {
  in_fit_ = true;
  target_ = 0;
}

void ProgbarLogger::on_epoch_begin(int epoch, const Logs&) {
  if (verbose_ == 0) return;
  auto it = params().find("epochs");
  std::fprintf(out_, "Epoch %d/%d\n", epoch + 1, it != params().end() ? int(it->second) : epoch + 1);
  std::fflush(out_);
  auto st = params().find("steps");
  // Without a step count (a Dataset of unknown cardinality) the first epoch learns it.
  begin(st != params().end() ? int64_t(st->second) : target_);
}

void ProgbarLogger::begin(int64_t target) {
  target_ = target;
  start_ = now_s();
  last_draw_ = 0;
  last_width_ = 0;
  seen_ = 0;
}

void ProgbarLogger::update(int64_t current, const Logs& logs, bool finalize) {
  if (!finalize) seen_ = current;
  if (verbose_ == 0) return;
  const double t = now_s();
  if (!finalize) {
    if (verbose_ != 1 || !tty_) return;  // in place only on a terminal
    if (t - last_draw_ < 0.05) return;   // at most 20 redraws a second
  }
  last_draw_ = t;
  const double elapsed = t - start_;
  std::string line;
  std::string count = std::to_string(current);
  if (target_ > 0) {
    std::string total = std::to_string(target_);
    line = std::string(total.size() - std::min(total.size(), count.size()), ' ') + count + "/" + total + " ";
    const int width = 20;
    const int filled = int(double(width) * double(std::min(current, target_)) / double(target_));
    for (int i = 0; i < width; ++i)  // the unfilled part is dim on a terminal, blank elsewhere
      line += i < filled ? "━" : (tty_ ? "\x1b[2m━\x1b[0m" : " ");
    line += " ";
  } else {
    char buf[48];  // Keras 3's unknown-total form
    std::snprintf(buf, sizeof buf, "%7lld/Unknown ", static_cast<long long>(current));
    line = buf;
  }
  const double per_step = current > 0 ? elapsed / double(current) : 0;
  if (finalize || target_ <= 0) {
    line += format_time(elapsed) + " " + format_per_step(per_step);
  } else {
    line += format_time(per_step * double(target_ - current)) + " " + format_per_step(per_step);  // ETA
  }
  for (const auto& [k, v] : logs) line += " - " + k + ": " + format_value(v);
  if (tty_ && verbose_ == 1) {
    std::string pad = line.size() < last_width_ ? std::string(last_width_ - line.size(), ' ') : "";
    std::fprintf(out_, "\r%s%s", line.c_str(), pad.c_str());
    last_width_ = line.size();
    if (finalize) std::fprintf(out_, "\n");
  } else {
    std::fprintf(out_, "%s\n", line.c_str());
  }
  std::fflush(out_);
}

void ProgbarLogger::on_train_batch_end(int64_t batch, const Logs& logs) { update(batch + 1, logs, false); }

void ProgbarLogger::on_epoch_end(int, const Logs& logs) {
  auto st = params().find("steps");
  if (st != params().end()) target_ = int64_t(st->second);
  if (target_ <= 0) target_ = seen_;  // the total, now known
  update(target_, logs, true);
}

void ProgbarLogger::on_test_begin(const Logs&) {
  if (in_fit_) return;  // validation inside fit shows no bar of its own
  auto st = params().find("steps");
  begin(st != params().end() ? int64_t(st->second) : 0);
}
void ProgbarLogger::on_test_batch_end(int64_t batch, const Logs& logs) {
  if (!in_fit_) update(batch + 1, logs, false);
}
void ProgbarLogger::on_test_end(const Logs& logs) {
  if (in_fit_) return;
  if (target_ <= 0) target_ = seen_;
  update(target_, logs, true);
}
void ProgbarLogger::on_predict_begin(const Logs&) {
  auto st = params().find("steps");
  begin(st != params().end() ? int64_t(st->second) : 0);
}
void ProgbarLogger::on_predict_batch_end(int64_t batch, const Logs&) { update(batch + 1, {}, false); }
void ProgbarLogger::on_predict_end(const Logs&) {
  if (target_ <= 0) target_ = seen_;
  update(target_, {}, true);
}

// ---- EarlyStopping / ReduceLROnPlateau -------------------------------------------------------
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
}  // namespace detail
using detail::maximizes;

EarlyStopping::EarlyStopping(const EarlyStoppingOptions& o) : o_(o) {
  maximize_ = maximizes(o.mode, o.monitor, "EarlyStopping");
  if (o.patience < 0) throw std::invalid_argument("EarlyStopping: expected patience >= 0");
}

bool EarlyStopping::improved(double v, double ref) const {
  return maximize_ ? v - std::fabs(o_.min_delta) > ref : v + std::fabs(o_.min_delta) < ref;
}

void EarlyStopping::on_train_begin(const Logs&) {
  wait_ = 0;
  stopped_epoch_ = 0;
  best_epoch_ = 0;
  best_ = maximize_ ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  best_weights_.clear();
}

void EarlyStopping::on_epoch_end(int epoch, const Logs& logs) {
  auto it = logs.find(o_.monitor);
  if (it == logs.end() || epoch < o_.start_from_epoch) return;  // Keras warns and skips
  const double v = it->second;
  if (o_.restore_best_weights && best_weights_.empty()) best_weights_ = model()->get_weights();
  ++wait_;
  if (improved(v, best_)) {
    best_ = v;
    best_epoch_ = epoch;
    if (o_.restore_best_weights) best_weights_ = model()->get_weights();
    if (!o_.baseline || improved(v, *o_.baseline)) wait_ = 0;
    return;
  }
  if (wait_ >= o_.patience && epoch > 0) {
    stopped_epoch_ = epoch;
    model()->stop_training = true;
    if (o_.restore_best_weights && !best_weights_.empty()) model()->set_weights(best_weights_);
    if (o_.verbose) std::printf("Epoch %d: early stopping\n", epoch + 1);
  }
}

void EarlyStopping::on_train_end(const Logs&) {}

ReduceLROnPlateau::ReduceLROnPlateau(const ReduceLROnPlateauOptions& o) : o_(o) {
  if (!(o.factor < 1.0)) throw std::invalid_argument("ReduceLROnPlateau: expected factor < 1, but received " + std::to_string(o.factor));
  maximize_ = maximizes(o.mode, o.monitor, "ReduceLROnPlateau");
}

void ReduceLROnPlateau::on_train_begin(const Logs&) {
  best_ = maximize_ ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  wait_ = 0;
  cooldown_counter_ = 0;
}

void ReduceLROnPlateau::on_epoch_end(int epoch, const Logs& logs) {
  auto it = logs.find(o_.monitor);
  if (it == logs.end()) return;
  const double v = it->second;
  if (cooldown_counter_ > 0) {
    --cooldown_counter_;
    wait_ = 0;
  }
  bool better = maximize_ ? v > best_ + o_.min_delta : v < best_ - o_.min_delta;
  if (better) {
    best_ = v;
    wait_ = 0;
  } else if (cooldown_counter_ <= 0) {
    if (++wait_ >= o_.patience) {
      auto& opt = model()->optimizer();
      double lr = opt->learning_rate();
      if (lr > o_.min_lr) {
        double nlr = std::max(lr * o_.factor, o_.min_lr);
        opt->set_learning_rate(nlr);
        if (o_.verbose) std::printf("Epoch %d: ReduceLROnPlateau reducing learning rate to %g.\n", epoch + 1, nlr);
        cooldown_counter_ = o_.cooldown;
        wait_ = 0;
      }
    }
  }
}

LearningRateScheduler::LearningRateScheduler(std::function<double(int, double)> s, int verbose)
    : schedule_(std::move(s)), verbose_(verbose) {
  if (!schedule_) throw std::invalid_argument("LearningRateScheduler: the schedule is empty");
}

void LearningRateScheduler::on_epoch_begin(int epoch, const Logs&) {
  auto& opt = model()->optimizer();
  double lr = schedule_(epoch, opt->learning_rate());
  if (!std::isfinite(lr)) throw std::invalid_argument("LearningRateScheduler: the schedule returned a non-finite learning rate");
  opt->set_learning_rate(lr);
  if (verbose_) std::printf("\nEpoch %d: LearningRateScheduler setting learning rate to %g.\n", epoch + 1, lr);
}

void LearningRateScheduler::on_epoch_end(int, const Logs&) {}

void TerminateOnNaN::on_train_batch_end(int64_t batch, const Logs& logs) {
  auto it = logs.find("loss");
  if (it != logs.end() && !std::isfinite(it->second)) {
    std::printf("Batch %lld: Invalid loss, terminating training\n", static_cast<long long>(batch));
    model()->stop_training = true;
  }
}

// ---- CSVLogger -----------------------------------------------------------------------------
CSVLogger::CSVLogger(std::string filename, char separator, bool append)
    : filename_(std::move(filename)), sep_(separator), append_(append) {}

CSVLogger::~CSVLogger() {
  if (f_) std::fclose(f_);
}

void CSVLogger::on_train_begin(const Logs&) {
  if (f_) std::fclose(f_);
  f_ = std::fopen(filename_.c_str(), append_ ? "a" : "w");
  if (!f_) throw std::runtime_error("CSVLogger: cannot open '" + filename_ + "' for writing");
  keys_.clear();
}

void CSVLogger::on_epoch_end(int epoch, const Logs& logs) {
  if (!f_) return;
  if (keys_.empty()) {
    std::fprintf(f_, "epoch");
    for (const auto& [k, v] : logs) {
      keys_.push_back(k);
      std::fprintf(f_, "%c%s", sep_, k.c_str());
    }
    std::fprintf(f_, "\n");
  }
  std::fprintf(f_, "%d", epoch);
  for (const std::string& k : keys_) {
    auto it = logs.find(k);
    if (it == logs.end()) std::fprintf(f_, "%cNA", sep_);
    else std::fprintf(f_, "%c%.17g", sep_, it->second);
  }
  std::fprintf(f_, "\n");
  std::fflush(f_);
}

void CSVLogger::on_train_end(const Logs&) {
  if (f_) std::fclose(f_);
  f_ = nullptr;
}

}  // namespace keras::callbacks
