// mix_up.h - MixUp (keras.layers.MixUp): in training, each image (and, through mix(), its
// label) becomes w x_i + (1 - w) x_j, with j a random permutation of the batch and w drawn
// per image from Beta(alpha, alpha).
//
//   auto mixup = keras::layers::MixUp({.alpha = 0.2, .seed = 1});
//   auto [images, labels] = mixup->mix(x_batch, one_hot_labels);   // one draw for both
#pragma once
#include <utility>

#include "keras/layers/image_preprocessing.h"

namespace keras::layers {

/// Options of MixUp (keras.layers.MixUp's keyword arguments).
struct MixUpOptions {
  /// The Beta distribution's parameter (Keras `alpha`, default 0.2; > 0).
  double alpha = 0.2;
  int64_t seed = -1;          ///< -1 = unseeded (Keras: None)
  std::string data_format{};  ///< "channels_last" or "channels_first" (default: config::image_data_format())
  /// Layer name (default: generated, mix_up, ...).
  std::string name{};
  /// Keras `trainable` (default true); the layer has no weights.
  bool trainable = true;
  /// The dtype policy ("mixed_float16", "float64", a DType, ...; unset: the global policy).
  std::optional<mixed_precision::DTypePolicy> dtype{};
  /// Input shape without the batch axis (first layer of a Sequential).
  ShapeSpec input_shape{};
  /// ImageData's boxes' format (see ImagePreprocessingOptions).
  std::string bounding_box_format{};
};

/// keras.layers.MixUp, made by MixUp() (see above). Called on images alone (in a model) it
/// mixes the images; mix() mixes images and labels with the same draw, as Keras does with
/// {"images", "labels"} data.
class MixUpLayer : public ImagePreprocessingLayer {
 public:
  /// alpha <= 0 throws std::invalid_argument.
  explicit MixUpLayer(const MixUpOptions& options = {});
  /// Images (batch, h, w, c) and labels (batch, ...) mixed with one permutation and one
  /// weight per sample; in inference (training false) both unchanged (images as float).
  std::pair<Tensor, Tensor> mix(const Tensor& images, const Tensor& labels, bool training = true);
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's "MixUp").
  static LayerPtr from_config(const Config& c);

 protected:
  Tensor transform(const Tensor& images) override;
  bool moves_pixels() const override { return true; }
  /// The labels mixed with the images' draw (float).
  Tensor transform_labels(const Tensor& labels, const Shape& images_shape, bool training) override;
  /// Each image keeps its boxes and gains those of the image mixed into it (n becomes
  /// 2 n, as Keras; the labels likewise, per image).
  utils::bounding_boxes::BoundingBoxes transform_bounding_boxes(const utils::bounding_boxes::BoundingBoxes& boxes,
                                                                const Shape& images_shape, bool training) override;

 private:
  // The batch's permutation and weights (batch,), from the layer's next draw.
  std::pair<Tensor, Tensor> draw(int64_t batch);
  double alpha_;
};

/// keras.layers.MixUp: mixes each image (and label) with another of the batch, in training.
Ref<MixUpLayer> MixUp(const MixUpOptions& options = {});

}  // namespace keras::layers
