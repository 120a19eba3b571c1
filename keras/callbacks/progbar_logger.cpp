// progbar_logger.cpp - ProgbarLogger: Keras 3's progress bar and its one-line-per-epoch form.
#include "keras/callbacks.h"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <string>

namespace keras::callbacks {

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
  if (s >= 1 || s == 0) std::snprintf(buf, sizeof buf, "%.0fs/step", s);
  else if (s >= 1e-3) std::snprintf(buf, sizeof buf, "%.0fms/step", s * 1e3);
  else std::snprintf(buf, sizeof buf, "%.0fus/step", s * 1e6);
  return buf;
}

// Keras's value format: 4 decimals above 1e-3 in magnitude (verbose 1) or above 1e-3
// (verbose 2), else scientific (0 prints 0.0000e+00).
std::string format_value(double v, int verbose) {
  char buf[32];
  const bool fixed = verbose == 2 ? v > 1e-3 : std::fabs(v) > 1e-3;
  std::snprintf(buf, sizeof buf, fixed ? "%.4f" : "%.4e", v);
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
  const int epochs = it != params().end() ? int(it->second) : epoch + 1;
  if (epochs > 1) {  // Keras prints no "Epoch 1/1"
    std::fprintf(out_, "Epoch %d/%d\n", epoch + 1, epochs);
    std::fflush(out_);
  }
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
  const double per_step = current > 0 ? elapsed / double(current) : 0;
  if (verbose_ == 2) {  // Keras's one line per epoch: "1875/1875 - 3s - 2ms/step - loss: ..."
    if (target_ <= 0) return;
    std::string line = std::to_string(current) + "/" + std::to_string(target_) + " - " +
                       std::to_string(long(elapsed + 0.5)) + "s - " + format_per_step(per_step);
    for (const auto& [k, v] : logs) line += " - " + k + ": " + format_value(v, 2);
    std::fprintf(out_, "%s\n", line.c_str());
    std::fflush(out_);
    return;
  }
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
  if (finalize || target_ <= 0) {
    line += format_time(elapsed) + " " + format_per_step(per_step);
  } else {
    line += format_time(per_step * double(target_ - current)) + " " + format_per_step(per_step);  // ETA
  }
  for (const auto& [k, v] : logs) line += " - " + k + ": " + format_value(v, 1);
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

}  // namespace keras::callbacks
