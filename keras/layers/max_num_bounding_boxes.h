// max_num_bounding_boxes.h - keras.layers.MaxNumBoundingBoxes: cuts or pads ImageData's
// bounding boxes to a fixed count (boxes and labels filled with fill_value), so that
// batches of detection data have one shape; the images pass unchanged.
//
//   auto fix = keras::layers::MaxNumBoundingBoxes(10, {.bounding_box_format = "xyxy"});
//   ImageData out = (*fix)(ImageData{.images = x, .bounding_boxes = {{boxes, labels}}});
#pragma once
#include "keras/layers/image_preprocessing.h"

namespace keras::layers {

/// MaxNumBoundingBoxes's options (Keras's keyword arguments).
struct MaxNumBoundingBoxesOptions {
  int64_t fill_value = -1;  ///< the padding boxes' coordinates and labels
  std::string bounding_box_format{};  ///< required with boxes, as Keras
  std::string data_format{};          ///< "channels_last" (the default)
  std::string name{};                 ///< layer name (default: max_num_bounding_boxes)
  bool trainable = true;              ///< Keras `trainable`; the layer has no weights
  /// The dtype policy ("mixed_float16", "float64", a DType, ...; unset: the global policy).
  std::optional<mixed_precision::DTypePolicy> dtype{};
  ShapeSpec input_shape{};            ///< input shape without the batch axis
};

/// The layer (in training and inference alike, as Keras).
class MaxNumBoundingBoxesLayer : public ImagePreprocessingLayer {
 public:
  /// max_number >= 1 (std::invalid_argument otherwise).
  explicit MaxNumBoundingBoxesLayer(int64_t max_number, const MaxNumBoundingBoxesOptions& options = {});
  /// Base keys and max_number, as Keras, and fill_value (which Keras's config leaves out).
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's "MaxNumBoundingBoxes").
  static LayerPtr from_config(const Config& c);
  int64_t max_number() const { return max_number_; }  ///< the boxes' count after the layer
  int64_t fill_value() const { return fill_value_; }  ///< the padding value

 protected:
  Tensor transform(const Tensor& images) override { return images; }
  bool draws() const override { return false; }
  utils::bounding_boxes::BoundingBoxes transform_bounding_boxes(const utils::bounding_boxes::BoundingBoxes& boxes,
                                                                const Shape& images_shape, bool training) override;

 private:
  int64_t max_number_, fill_value_;
};

/// keras.layers.MaxNumBoundingBoxes(max_number, fill_value=-1).
Ref<MaxNumBoundingBoxesLayer> MaxNumBoundingBoxes(int64_t max_number, const MaxNumBoundingBoxesOptions& options = {});

}  // namespace keras::layers
