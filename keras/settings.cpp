#include "keras/settings.h"

#include <atomic>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>

#include "core/fuzz.h"
#include "keras/io_utils_internal.h"

namespace keras::config {
namespace {
std::atomic<bool> channels_first{false};

// A cap from the environment variable `name` (a non-negative integer), 0 without one; a
// value that is not one is ignored with a warning (a debugging switch must not stop a
// program).
int64_t cap_from_env(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v) return 0;
  char* end = nullptr;
  const long long n = std::strtoll(v, &end, 10);
  if (*end != '\0' || n < 0) {
    std::fprintf(stderr, "Warning: ignoring %s=%s (expected a non-negative integer)\n", name, v);
    return 0;
  }
  return n;
}
std::atomic<int64_t>& max_epochs_cap() {
  static std::atomic<int64_t> cap{cap_from_env("KERAS_MAX_EPOCHS")};
  return cap;
}
std::atomic<int64_t>& max_steps_cap() {
  static std::atomic<int64_t> cap{cap_from_env("KERAS_MAX_STEPS_PER_EPOCH")};
  return cap;
}
void check_cap(const char* fn, int64_t v) {
  if (v < 0)
    throw std::invalid_argument(std::string(fn) + ": expected a non-negative integer (0: no limit), but received " +
                                std::to_string(v));
}
std::mutex floatx_mutex;
std::string& floatx_name() {
  static std::string name = "float32";
  return name;
}
}  // namespace

std::string image_data_format() { return channels_first.load() ? "channels_first" : "channels_last"; }

void set_image_data_format(const std::string& data_format) {
  if (data_format != "channels_last" && data_format != "channels_first")
    throw std::invalid_argument("The `data_format` argument must be one of {'channels_first', 'channels_last'}. "
                                "Received: data_format=" + data_format);
  channels_first.store(data_format == "channels_first");
}

double epsilon() { return core::fuzz_factor(); }

void set_epsilon(double value) {
  if (!std::isfinite(value) || value <= 0)
    throw std::invalid_argument("set_epsilon: expected a finite positive number, but received " +
                                std::to_string(value));
  core::set_fuzz_factor(value);
}

std::string floatx() {
  std::lock_guard<std::mutex> lock(floatx_mutex);
  return floatx_name();
}

void set_floatx(const std::string& dtype) {
  if (dtype != "float32" && dtype != "float64" && dtype != "float16" && dtype != "bfloat16")
    throw std::invalid_argument("Unknown `floatx` value: " + dtype +
                                ". Expected one of {'bfloat16', 'float16', 'float32', 'float64'}");
  std::lock_guard<std::mutex> lock(floatx_mutex);
  floatx_name() = dtype;
}

int64_t max_epochs() { return max_epochs_cap().load(); }
void set_max_epochs(int64_t v) {
  check_cap("set_max_epochs", v);
  max_epochs_cap().store(v);
}
int64_t max_steps_per_epoch() { return max_steps_cap().load(); }
void set_max_steps_per_epoch(int64_t v) {
  check_cap("set_max_steps_per_epoch", v);
  max_steps_cap().store(v);
}

}  // namespace keras::config

// ---- interactive logging ----------------------------------------------------------------------
namespace keras::config {
namespace {
std::atomic<bool> interactive_logging{true};
std::mutex log_handler_mutex;
LogHandler& log_handler() {
  static LogHandler h;
  return h;
}
}  // namespace

bool is_interactive_logging_enabled() { return interactive_logging.load(); }
void enable_interactive_logging() { interactive_logging.store(true); }
void disable_interactive_logging() { interactive_logging.store(false); }
void set_log_handler(LogHandler handler) {
  std::lock_guard<std::mutex> lock(log_handler_mutex);
  log_handler() = std::move(handler);
}
}  // namespace keras::config

namespace keras::detail {
void print_msg(const std::string& message, bool line_break, std::FILE* out) {
  if (config::is_interactive_logging_enabled()) {
    std::fputs(message.c_str(), out);
    if (line_break) std::fputc('\n', out);
    std::fflush(out);
    return;
  }
  const size_t b = message.find_first_not_of('\n');
  if (b == std::string::npos) return;
  const std::string line = message.substr(b, message.find_last_not_of('\n') - b + 1);
  config::LogHandler h;
  {
    std::lock_guard<std::mutex> lock(config::log_handler_mutex);
    h = config::log_handler();
  }
  if (h) {
    h(line);
  } else {
    std::fprintf(stderr, "%s\n", line.c_str());
    std::fflush(stderr);
  }
}

void print_msgf(const char* format, ...) {
  va_list args, copy;
  va_start(args, format);
  va_copy(copy, args);
  const int n = std::vsnprintf(nullptr, 0, format, copy);
  va_end(copy);
  std::string text(n > 0 ? size_t(n) : 0, '\0');
  if (n > 0) std::vsnprintf(text.data(), text.size() + 1, format, args);
  va_end(args);
  print_msg(text);
}
}  // namespace keras::detail
