#include "keras/settings.h"

#include <atomic>
#include <cmath>
#include <mutex>
#include <stdexcept>

#include "core/fuzz.h"

namespace keras::config {
namespace {
std::atomic<bool> channels_first{false};
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

}  // namespace keras::config
