// visualization.h - keras.visualization's draw_segmentation_masks: class masks drawn over a
// batch of images in a color per class, blended with the image (Keras 3's rules).
//
//   keras::Tensor shown = keras::visualization::draw_segmentation_masks(
//       images, masks, {.num_classes = 21, .alpha = 0.6});   // (batch, height, width, 3) uint8
//   keras::utils::save_img("overlay.png", shown[0]);
#pragma once
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "core/tensor.h"

namespace keras::visualization {

using core::DType;
using core::Shape;
using core::Tensor;

/// Options of draw_segmentation_masks (keras.visualization.draw_segmentation_masks's
/// keyword arguments).
struct DrawSegmentationMasksOptions {
  /// The number of classes: mask values 0 .. num_classes - 1 get a color (other values
  /// none). nullopt: the largest mask value (as Keras infers it, so that class itself is
  /// not drawn).
  std::optional<int64_t> num_classes{};
  /// An RGB color for each class 0 .. num_classes - 1; empty: Keras's palette, class i
  /// getting (i * (2^25 - 1, 2^15 - 1, 2^21 - 1)) % 255.
  std::map<int64_t, std::array<double, 3>> color_mapping{};
  double alpha = 0.8;  ///< the masks' opacity when blended
  /// Blend the colors with the image (alpha) and return uint8 images, leaving the pixels
  /// of ignore_index as they were; false: the colors replace the pixels, float32 images.
  bool blend = true;
  int64_t ignore_index = -1;  ///< mask value left undrawn when blending
  /// "channels_last" or "channels_first" (the layout of images and masks); empty:
  /// keras::config::image_data_format().
  std::string data_format{};
};

/// keras.visualization.draw_segmentation_masks: images (batch, height, width, 3) (any
/// real dtype, read as float32) and integer masks (batch, height, width, 1) or (batch,
/// height, width); returns the images with each pixel of a drawn class in its color,
/// blended as `blend` says, channels last (as Keras returns them whatever data_format).
/// Images of another rank or channel count, masks of another dtype or size, and a
/// color_mapping without a class raise std::invalid_argument naming what was received.
Tensor draw_segmentation_masks(const Tensor& images, const Tensor& segmentation_masks,
                               const DrawSegmentationMasksOptions& options = {});

}  // namespace keras::visualization
