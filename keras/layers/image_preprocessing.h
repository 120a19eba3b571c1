// image_preprocessing.h - the base of the random image layers (RandomFlip, RandomCrop,
// RandomContrast, RandomRotation, RandomZoom, RandomTranslation; Keras's
// BaseImagePreprocessingLayer): images (batch, height, width, channels) or one image
// (height, width, channels), channels_last or, with data_format "channels_first", (batch,
// channels, height, width) or (channels, height, width); active in training only (the identity in
// inference, as Keras 3); integer images become float32 (Keras's compute dtype).
//
// Random draws go through the stateless random ops keyed by the layer's seed and a
// counter variable (seed_generator.h), as Dropout: a traced train step draws new numbers at
// every step, the same ones as the eager step would. Each call advances the counter once
// and keys its draws by it (SeedGenerator::Replay), so the images, boxes and masks of one
// ImageData get the same transformation.
//
// Keras's dict input is ImageData: images with bounding boxes (in the layer's
// bounding_box_format), labels and segmentation masks, transformed together:
//   auto flip = keras::layers::RandomFlip("horizontal", {.bounding_box_format = "xyxy"});
//   ImageData out = (*flip)({.images = x, .bounding_boxes = {{boxes, labels}}});
#pragma once
#include <optional>
#include <utility>

#include "keras/layers/layer.h"
#include "keras/layers/seed_generator.h"
#include "keras/utils/bounding_boxes.h"

namespace keras::layers {

/// A factor: one number f (Keras: a range symmetric about 0, each layer's rule) or an
/// explicit {lower, upper}.
struct FactorArg {
  ///@{
  /// The range's bounds (both f for a single factor).
  double lower = 0, upper = 0;
  ///@}
  /// Whether an explicit {lower, upper} was given.
  bool is_pair = false;
  /// A single factor f (the layer turns it into its range).
  FactorArg(double f) : lower(f), upper(f) {}  // NOLINT: implicit, as Keras's floats
  /// An explicit range {lower, upper}.
  FactorArg(double a, double b) : lower(a), upper(b), is_pair(true) {}
  Value to_config() const;  ///< f or [a, b], as given
  /// The factor a config value holds (a number or a list of 2); throws
  /// std::invalid_argument otherwise.
  static FactorArg from_config(const Value& v);
};

/// Options of the random image layers (Keras's base keyword arguments of RandomFlip,
/// RandomCrop, ...).
struct ImagePreprocessingOptions {
  int64_t seed = -1;          ///< -1 = unseeded (Keras: None)
  std::string data_format{};  ///< "channels_last" or "channels_first" (default: config::image_data_format())
  /// Layer name (default: generated from the class, random_flip, random_crop, ...).
  std::string name{};
  /// Keras `trainable` (default true); the layers have no weights.
  bool trainable = true;
  /// The dtype policy ("mixed_float16", "float64", a DType, ...; unset: the global policy).
  std::optional<mixed_precision::DTypePolicy> dtype{};
  /// Input shape without the batch axis (first layer of a Sequential).
  ShapeSpec input_shape{};
  /// The format of ImageData's bounding boxes (one of
  /// utils::bounding_boxes::supported_formats(); Keras: None), needed by the layers that
  /// move or pad boxes.
  std::string bounding_box_format{};
};

/// Keras's dict input of the image layers ({"images", "bounding_boxes": {"boxes",
/// "labels"}, "labels", "segmentation_masks"}): batched (images (batch, h, w, c), boxes
/// (batch, n, 4), box labels (batch, n), masks (batch, h, w, k)) or one image (the same
/// without the batch axis).
struct ImageData {
  Tensor images;  ///< (batch, height, width, channels) or (height, width, channels)
  /// Boxes in the layer's bounding_box_format with their labels (-1: padding).
  std::optional<utils::bounding_boxes::BoundingBoxes> bounding_boxes{};
  std::optional<Tensor> labels{};              ///< the images' labels (MixUp and CutMix mix them)
  std::optional<Tensor> segmentation_masks{};  ///< moved as the images by geometric layers
};

/// The base of the random image layers (Keras's BaseImagePreprocessingLayer): the identity
/// in inference, transform() in training.
class ImagePreprocessingLayer : public Layer {
 public:
  using Layer::operator();
  /// Keras's call on a dict: the images as call(images, training) gives them, and the
  /// boxes, labels and masks with the same transformation. Layers that do not move pixels
  /// (color, tone, blur) pass boxes and masks through; geometric layers move them, and
  /// those that cannot move boxes yet raise std::invalid_argument naming the layer. A
  /// layer that moves boxes needs its bounding_box_format (std::invalid_argument
  /// otherwise, as Keras). Box shapes are checked against the images (batched or not).
  ImageData operator()(const ImageData& data, bool training = true);
  /// The format of ImageData's boxes ("" when not given).
  const std::string& bounding_box_format() const { return o_.bounding_box_format; }
  /// Checks the rank; float images unchanged (int: float32); training ? transform : identity.
  Tensor call(const Tensor& x, bool training) override;
  /// The rank checked; image_output_shape() of the channels_last shape.
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) final;
  Config get_config() const override;  ///< base keys, seed, data_format
  const SeedGenerator* seed_generator() const override { return &seeds_; }
  /// Keras's transform_images, for layers that compose others (RandAugment, AugMix): the
  /// layer's transformation of a floating batch (batch, height, width, channels), whatever
  /// `training`, with its draws keyed by seed and base (an int64 scalar tensor; see
  /// SeedGenerator::Replay) instead of the layer's generator: the same seed and base give
  /// the same transformation, and the generator's state is left alone.
  Tensor transform_images(const Tensor& images, int64_t seed, const Tensor& base);
  /// The same for boxes (batch, n, 4) float32 in the layer's format with their labels,
  /// for images of `images_shape` (batch, h, w, c): transform_bounding_boxes() in training
  /// under the draws transform_images() with seed and base makes.
  utils::bounding_boxes::BoundingBoxes transform_boxes(const utils::bounding_boxes::BoundingBoxes& boxes,
                                                       const Shape& images_shape, int64_t seed, const Tensor& base);
  /// The same for segmentation masks (batch, h, w, k): transform_segmentation_masks() in
  /// training.
  Tensor transform_masks(const Tensor& masks, int64_t seed, const Tensor& base);

 protected:
  /// For subclasses: the class name they register under; checks data_format. The
  /// virtuals below see channels_last images (batch, h, w, c): a channels_first layer
  /// moves its images and masks there before them and back after.
  ImagePreprocessingLayer(std::string class_name, const ImagePreprocessingOptions& options);
  /// The random transformation of a batch (batch, h, w, c) of floating images.
  virtual Tensor transform(const Tensor& images) = 0;
  /// The output shape for a channels_last input shape (batch, h, w, c) or (h, w, c) of
  /// checked rank (default: the same).
  virtual ShapeSpec image_output_shape(const ShapeSpec& shape) const;
  /// Whether data_format is "channels_first".
  bool channels_first() const { return o_.data_format == "channels_first"; }
  /// The images of a call (rank checked; integer images as float32): transform() with
  /// its draws keyed by base (see draw_base), or unchanged without one (inference).
  virtual Tensor images_call(const Tensor& x, const std::optional<Tensor>& base);
  /// Whether the layer draws random numbers (default true): a layer that does not
  /// (Resizing, CenterCrop, MaxNumBoundingBoxes) neither advances a counter nor has a
  /// "seed" in its config.
  virtual bool draws() const { return true; }
  /// Whether the layer moves pixels (flips, crops, warps): segmentation masks then go
  /// through transform() with the images' draws, and boxes need
  /// transform_bounding_boxes().
  virtual bool moves_pixels() const { return false; }
  /// Keras's transform_bounding_boxes: boxes (batch, n, 4) float32 in the layer's format
  /// and their labels (batch, n), for images of `images_shape` (batch, h, w, c) before the
  /// transformation, under the same draws as transform() (in training). The default
  /// passes them through for a layer that does not move pixels and raises otherwise.
  virtual utils::bounding_boxes::BoundingBoxes transform_bounding_boxes(
      const utils::bounding_boxes::BoundingBoxes& boxes, const Shape& images_shape, bool training);
  /// Keras's transform_labels: the images' labels under the same draws, for images of
  /// `images_shape` (batch, h, w, c) (default: unchanged).
  virtual Tensor transform_labels(const Tensor& labels, const Shape& images_shape, bool training);
  /// Keras's transform_segmentation_masks: masks (batch, h, w, k) under the same draws.
  /// The default: transform() for a layer that moves pixels (in training), else unchanged.
  virtual Tensor transform_segmentation_masks(const Tensor& masks, bool training);
  /// Boxes (batch, n, 4) in the layer's format, with their labels, through a projective
  /// map per image (batch, 8) [a0 a1 a2 b0 b1 b2 c0 c1] from input to output pixels of
  /// images of `images_shape` (the same size after): each box's four corners go to
  /// ((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k), k = c0 x + c1 y + 1; their bounding
  /// box is clipped to the image, and a box left empty gets the label -1.
  utils::bounding_boxes::BoundingBoxes map_boxes(const utils::bounding_boxes::BoundingBoxes& boxes, const Tensor& map,
                                                 const Shape& images_shape) const;
  /// The layer's bounding_box_format; std::invalid_argument (Keras's message) when none
  /// was given.
  const std::string& required_box_format() const;
  /// The key of one call's draws (an int64 scalar): the counter for a seeded layer, a
  /// draw from the global generator otherwise; advances the counter once.
  Tensor draw_base();
  /// The seed the call's draws are replayed with (the layer's, or a fixed one when
  /// unseeded: the base is then random).
  int64_t replay_seed() const;
  /// `shape` random numbers uniform in [lo, hi), float32, from the layer's next draw.
  Tensor uniform(const Shape& shape, double lo, double hi);
  /// The options of the config in c (for from_config).
  static ImagePreprocessingOptions options_from(const Config& c);

  /// The options the layer was made with.
  ImagePreprocessingOptions o_;
  /// The layer's generator (seed and draw counter).
  SeedGenerator seeds_;
};

}  // namespace keras::layers
