#include "keras/settings.h"

#include <atomic>
#include <stdexcept>

namespace keras::config {
namespace {
std::atomic<bool> channels_first{false};
}  // namespace

std::string image_data_format() { return channels_first.load() ? "channels_first" : "channels_last"; }

void set_image_data_format(const std::string& data_format) {
  if (data_format != "channels_last" && data_format != "channels_first")
    throw std::invalid_argument("The `data_format` argument must be one of {'channels_first', 'channels_last'}. "
                                "Received: data_format=" + data_format);
  channels_first.store(data_format == "channels_first");
}

}  // namespace keras::config
