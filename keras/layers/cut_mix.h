// cut_mix.h - CutMix (keras.layers.CutMix): in training, a random box of each image is
// replaced by the same box of another image of the batch (a random permutation), and
// through mix() its label becomes the area-weighted mix of both labels. The box side
// ratio is sqrt(1 - w), w ~ Beta(a, a) with a drawn uniformly from the factor range, as
// Keras 3.
//
//   auto cutmix = keras::layers::CutMix({.factor = 1.0, .seed = 1});
//   auto [images, labels] = cutmix->mix(x_batch, one_hot_labels);   // one draw for both
#pragma once
#include <utility>

#include "keras/layers/image_preprocessing.h"

namespace keras::layers {

/// Options of CutMix (keras.layers.CutMix's keyword arguments).
struct CutMixOptions {
  /// The range of the Beta parameter: a number f in [0, 1] (the range [0, f]) or a pair
  /// (Keras's factor, default 1.0).
  FactorArg factor = 1.0;
  int64_t seed = -1;          ///< -1 = unseeded (Keras: None)
  std::string data_format{};  ///< "channels_last" or "channels_first" (default: config::image_data_format())
  /// Layer name (default: generated, cut_mix, ...).
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

/// keras.layers.CutMix, made by CutMix() (see above). Called on images alone (in a
/// model) it cuts and pastes the images; mix() also mixes the labels with the same draw,
/// as Keras does with {"images", "labels"} data. A single image (rank 3) is unchanged,
/// as in Keras.
class CutMixLayer : public ImagePreprocessingLayer {
 public:
  /// A factor outside [0, 1] throws std::invalid_argument with Keras's message.
  explicit CutMixLayer(const CutMixOptions& options = {});
  /// Images (batch, h, w, c) and labels (batch, ...) with one draw; in inference both
  /// unchanged (images as float).
  std::pair<Tensor, Tensor> mix(const Tensor& images, const Tensor& labels, bool training = true);
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's "CutMix").
  static LayerPtr from_config(const Config& c);
  /// The Beta parameter's range (lower, upper).
  std::pair<double, double> factor() const { return factor_; }

 protected:
  Tensor transform(const Tensor& images) override;
  bool moves_pixels() const override { return true; }
  /// The labels mixed with the images' draw (float).
  Tensor transform_labels(const Tensor& labels, const Shape& images_shape, bool training) override;

 private:
  // One draw for a batch of images: the permutation, the per-image box mask (batch, h, w,
  // 1) and the label weights (batch,).
  struct Cut {
    Tensor order, mask, weight;
  };
  Cut draw(const Shape& images_shape);
  std::pair<double, double> factor_;
};

/// keras.layers.CutMix: pastes a box of another image of the batch into each image.
Ref<CutMixLayer> CutMix(const CutMixOptions& options = {});

}  // namespace keras::layers
