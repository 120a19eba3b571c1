// settings.h - Keras 3's global settings of keras.config that keras-cpp has:
// image_data_format, the default `data_format` of every layer that takes one.
//   keras::config::set_image_data_format("channels_first");
//   auto conv = keras::layers::Conv2D(8, 3);  // (batch, channels, height, width) inputs
#pragma once
#include <string>

namespace keras::config {

/// keras.config.image_data_format(): "channels_last" (the default) or "channels_first",
/// the `data_format` a layer created without one gets (read when the layer is made).
std::string image_data_format();

/// keras.config.set_image_data_format: "channels_last" or "channels_first"; any other
/// value raises std::invalid_argument naming it. Process-wide (thread-safe).
void set_image_data_format(const std::string& data_format);

}  // namespace keras::config
