// progbar.cpp - keras.utils.Progbar: Keras 3's averaging, time estimate and line format.
#include "keras/utils/progbar.h"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <stdexcept>

#include "keras/io_utils_internal.h"
#include "keras/settings.h"

namespace keras::utils {

namespace {
double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
std::string printf_string(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}
// Keras's ETA: "1:02:03" above an hour, "1:02" above a minute, else "42s" (truncated).
std::string format_eta(double eta) {
  char buf[48];
  const long t = long(eta);
  if (eta > 3600) std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", t / 3600, (t % 3600) / 60, t % 60);
  else if (eta > 60) std::snprintf(buf, sizeof buf, "%ld:%02ld", t / 60, t % 60);
  else std::snprintf(buf, sizeof buf, "%lds", t);
  return buf;
}
// Keras's time per unit: " 2s/step", " 25ms/step", " 150us/step".
std::string format_per_step(double s, const std::string& unit) {
  if (s >= 1 || s == 0) return printf_string(" %.0fs/", s) + unit;
  if (s >= 1e-3) return printf_string(" %.0fms/", s * 1e3) + unit;
  return printf_string(" %.0fus/", s * 1e6) + unit;
}
}  // namespace

Progbar::Progbar(std::optional<int64_t> target, ProgbarOptions options)
    : target_(target),
      o_(std::move(options)),
      tty_(o_.out && config::is_interactive_logging_enabled() && isatty(fileno(o_.out))),
      start_(now_s()) {
  if (o_.stateful_metrics && o_.stateless_metrics)
    throw std::invalid_argument("Progbar: only one of `stateful_metrics` or `stateless_metrics` can be provided");
  if (target_ && *target_ < 0)
    throw std::invalid_argument("Progbar: expected a target >= 0 (or none), but received " + std::to_string(*target_));
  if (o_.width < 0) throw std::invalid_argument("Progbar: expected width >= 0, but received " + std::to_string(o_.width));
  if (o_.verbose < 0 || o_.verbose > 2)
    throw std::invalid_argument("Progbar: expected verbose 0, 1 or 2, but received " + std::to_string(o_.verbose));
  for (const auto* list : {&o_.stateful_metrics, &o_.stateless_metrics})
    if (*list) listed_.insert((*list)->begin(), (*list)->end());
}

void Progbar::set_target(std::optional<int64_t> target) {
  if (target && *target < 0)
    throw std::invalid_argument("Progbar: expected a target >= 0 (or none), but received " + std::to_string(*target));
  target_ = target;
}

bool Progbar::averaged(const std::string& name) const {
  return o_.stateless_metrics ? listed_.count(name) > 0 : listed_.count(name) == 0;
}

double Progbar::value(const std::string& name) const {
  const auto& [sum, weight] = values_.at(name);
  return sum / std::max(1.0, weight);
}

// The time per step: after the first step, the steps since it (the first one, with the
// setup it carries, left out), as Keras estimates it.
double Progbar::per_step(int64_t current, double now) {
  if (current <= 0) return 0;
  double t = after_first_step_ && current > 1 ? (now - *after_first_step_) / double(current - 1)
                                              : (now - start_) / double(current);
  if (current == 1) after_first_step_ = now;
  return t;
}

void Progbar::update(int64_t current, const Values& values, std::optional<bool> finalize) {
  const bool last = finalize.value_or(target_ && current >= *target_);
  for (const auto& [k, v] : values) {
    if (!values_.count(k)) order_.push_back(k);
    if (averaged(k) && !last) {
      // Weighted by the steps since the previous update (at least 1).
      const double steps = double(std::max<int64_t>(current - seen_, 1));
      auto [it, fresh] = values_.try_emplace(k, v * steps, steps);
      if (!fresh) {
        it->second.first += v * steps;
        it->second.second += steps;
      }
    } else {
      values_[k] = {v, 1.0};  // shown as given (and an average's final value)
    }
  }
  seen_ = current;
  const double now = now_s();
  const double unit_time = per_step(current, now);
  if (o_.verbose == 0) return;
  if (o_.verbose == 2) {
    if (last && target_ && *target_ > 0) {
      std::string text = std::to_string(current) + "/" + std::to_string(*target_) + " - " +
                         printf_string("%.0fs", now - start_) + " -" + format_per_step(unit_time, o_.unit_name);
      for (const std::string& k : order_) {
        const double avg = value(k);
        text += " - " + k + ": " + printf_string(avg > 1e-3 ? "%.4f" : "%.4e", avg);
      }
      keras::detail::print_msg(text, true, o_.out);
    }
    last_update_ = now;
    return;
  }
  if (!last && (!tty_ || now - last_update_ < o_.interval)) return;  // in place only on a terminal
  last_update_ = now;
  std::string text;
  if (target_ && *target_ > 0) {
    const std::string total = std::to_string(*target_), count = std::to_string(current);
    text = std::string(total.size() - std::min(total.size(), count.size()), ' ') + count + "/" + total + " ";
    const int64_t filled = int64_t(double(o_.width) * double(current) / double(*target_));
    for (int64_t i = 0; i < o_.width; ++i)  // the rest of the bar is dim on a terminal, blank elsewhere
      text += i < filled ? "━" : (tty_ ? "\x1b[2m━\x1b[0m" : " ");
  } else {
    text = printf_string("%7.0f/Unknown", double(current));
  }
  text += " ";
  text += target_ && *target_ > 0 && !last ? format_eta(unit_time * double(*target_ - current))
                                           : printf_string("%.0fs", now - start_);
  text += format_per_step(unit_time, o_.unit_name);
  for (const std::string& k : order_) {
    const double avg = value(k);
    text += " - " + k + ": " + printf_string(std::fabs(avg) > 1e-3 ? "%.4f" : "%.4e", avg);
  }
  if (tty_) {
    const std::string pad = text.size() < last_width_ ? std::string(last_width_ - text.size(), ' ') : "";
    std::fprintf(o_.out, "\r%s%s", text.c_str(), pad.c_str());
    last_width_ = text.size();
    if (last) std::fprintf(o_.out, "\n");
    std::fflush(o_.out);
  } else {
    keras::detail::print_msg(text, true, o_.out);
  }
}

void Progbar::add(int64_t n, const Values& values) { update(seen_ + n, values); }

}  // namespace keras::utils
