// augment_policies.h - image augmentation policies composed of the image layers (Keras 3's
// keras.layers), in training (the identity in inference):
//   RandAugment  num_ops operations drawn per batch from 11 (shear, translation, rotation,
//                brightness, color degeneration, contrast, sharpness, posterization,
//                solarization, auto contrast, equalization) applied in turn
//   AugMix       num_chains chains of up to chain_depth drawn operations, mixed by
//                Dirichlet weights, then blended with the images by a Beta draw
// Each operation is its layer (image_preprocessing.h) with the policy's factor range; one
// drawn transformation per operation and call (an operation drawn twice applies the same
// transformation twice, as Keras). The operations run under ops::switch_, so a call runs
// only the drawn ones, eagerly and in a traced graph.
//
//   auto ra = keras::layers::RandAugment({.num_ops = 2, .factor = 0.5, .seed = 1});
//   auto am = keras::layers::AugMix({.num_chains = 3, .seed = 1});
#pragma once
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "keras/layers/image_preprocessing.h"

namespace keras::layers {

/// The base of RandAugment and AugMix: the operations' layers and how a call draws them.
class AugmentPolicyLayer : public ImagePreprocessingLayer {
 public:
  /// The operations, in Keras's order, by Keras's attribute names (random_shear, ...).
  const std::vector<std::string>& operation_names() const { return names_; }

 protected:
  /// Checks the factor ([0, 1]; f gives [0, f]), value_range and interpolation, and builds
  /// the operations named (Keras's names; the geometric ones with the layer's
  /// bounding_box_format).
  AugmentPolicyLayer(std::string class_name, const ImagePreprocessingOptions& base, const FactorArg& factor,
                     std::pair<double, double> value_range, std::string interpolation,
                     const std::vector<std::string>& operations);
  /// images through the operation `index` chose (an integer scalar; index == count: none),
  /// its draws keyed by base.
  Tensor apply_chosen(const Tensor& index, const Tensor& images, const Tensor& base, bool with_none);
  /// The same for boxes of images of `images_shape` (the operation's box rule) ...
  utils::bounding_boxes::BoundingBoxes apply_chosen(const Tensor& index,
                                                    const utils::bounding_boxes::BoundingBoxes& boxes,
                                                    const Shape& images_shape, const Tensor& base, bool with_none);
  /// ... and for segmentation masks (moved by the geometric operations, unchanged by the
  /// color ones).
  Tensor apply_chosen_to_masks(const Tensor& index, const Tensor& masks, const Tensor& base, bool with_none);
  /// Geometric operations among the drawn ones.
  bool moves_pixels() const override { return true; }
  /// Masks through the drawn operations: each subclass's rule (this one raises).
  Tensor transform_segmentation_masks(const Tensor& masks, bool training) override;
  /// Config keys shared by both: value_range, factor, interpolation (with the base keys).
  Config policy_config() const;
  ///@{
  /// The checked arguments.
  std::pair<double, double> factor_, value_range_;
  std::string interpolation_;
  ///@}

 private:
  // Runs fn(j, inputs) for the operation `index` chose (index == count: inputs unchanged).
  std::vector<Tensor> choose(const Tensor& index, const std::vector<Tensor>& inputs, bool with_none,
                             const std::function<std::vector<Tensor>(size_t, const std::vector<Tensor>&)>& fn);
  std::vector<std::string> names_;
  std::vector<Ref<ImagePreprocessingLayer>> operations_;
};

/// Options of RandAugment (Keras 3's keyword arguments and defaults).
struct RandAugmentOptions {
  /// The range of the images' values (Keras `value_range`, default (0, 255)).
  std::pair<double, double> value_range{0, 255};
  /// Operations applied in turn per call, >= 0 (Keras `num_ops`, default 2).
  int64_t num_ops = 2;
  /// Every operation's factor range, in [0, 1]; f gives [0, f] (Keras `factor`, default
  /// 0.5); posterization keeps max(1, int(8 upper)) bits.
  FactorArg factor = 0.5;
  std::string interpolation = "bilinear";  ///< of the geometric operations: "bilinear" or "nearest"
  int64_t seed = -1;                        ///< -1 = unseeded (Keras: None)
  std::string data_format{};  ///< "channels_last" or "channels_first" (default: config::image_data_format())
  /// Layer name (default: generated, rand_augment, ...).
  std::string name{};
  /// Keras `trainable` (default true); the layer has no weights.
  bool trainable = true;
  /// The dtype policy ("mixed_float16", "float64", a DType, ...; unset: the global policy).
  std::optional<mixed_precision::DTypePolicy> dtype{};
  /// Input shape without the batch axis (first layer of a Sequential).
  ShapeSpec input_shape{};
  /// ImageData's boxes' format (see ImagePreprocessingOptions), needed for boxes.
  std::string bounding_box_format{};
};

/// keras.layers.RandAugment, made by RandAugment(): per call, num_ops operation indices
/// drawn uniformly (one for the whole batch each, as Keras), applied in turn; ImageData's
/// boxes and masks go through the same operations with the same draws (the geometric ones
/// move them, the color ones leave them).
class RandAugmentLayer : public AugmentPolicyLayer {
 public:
  /// num_ops < 0, a factor outside [0, 1], another interpolation or an empty value_range
  /// throws std::invalid_argument.
  explicit RandAugmentLayer(const RandAugmentOptions& options = {});
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's "RandAugment").
  static LayerPtr from_config(const Config& c);

 protected:
  Tensor transform(const Tensor& images) override;
  utils::bounding_boxes::BoundingBoxes transform_bounding_boxes(const utils::bounding_boxes::BoundingBoxes& boxes,
                                                                const Shape& images_shape, bool training) override;
  Tensor transform_segmentation_masks(const Tensor& masks, bool training) override;

 private:
  // One call's draws: the operations' indices (num_ops,) and the key of their draws.
  std::pair<Tensor, Tensor> draws_of_call();
  int64_t num_ops_;
};

/// Options of AugMix (Keras 3's keyword arguments and defaults).
struct AugMixOptions {
  /// The range of the images' values (Keras `value_range`, default (0, 255)).
  std::pair<double, double> value_range{0, 255};
  int64_t num_chains = 3;   ///< chains mixed, >= 1 (Keras `num_chains`, default 3)
  int64_t chain_depth = 3;  ///< operations drawn per chain, >= 0 (each may be none)
  /// Every operation's factor range, in [0, 1]; f gives [0, f] (Keras `factor`, default 0.3).
  FactorArg factor = 0.3;
  /// The Dirichlet and Beta parameter, > 0 (Keras `alpha`, default 1).
  double alpha = 1.0;
  /// All 11 operations (Keras `all_ops`, default true), or the 7 that change no color
  /// balance (shear, translation, rotation, posterization, solarization, auto contrast,
  /// equalization).
  bool all_ops = true;
  std::string interpolation = "bilinear";  ///< of the geometric operations: "bilinear" or "nearest"
  int64_t seed = -1;                        ///< -1 = unseeded (Keras: None)
  std::string data_format{};  ///< "channels_last" or "channels_first" (default: config::image_data_format())
  /// Layer name (default: generated, aug_mix, ...).
  std::string name{};
  /// Keras `trainable` (default true); the layer has no weights.
  bool trainable = true;
  /// The dtype policy ("mixed_float16", "float64", a DType, ...; unset: the global policy).
  std::optional<mixed_precision::DTypePolicy> dtype{};
  /// Input shape without the batch axis (first layer of a Sequential).
  ShapeSpec input_shape{};
  /// ImageData's boxes' format (see ImagePreprocessingOptions; AugMix raises for boxes).
  std::string bounding_box_format{};
};

/// keras.layers.AugMix, made by AugMix(): per call, chain weights w ~ Dirichlet(alpha)
/// (normalized Gamma draws), m ~ Beta(alpha, alpha), and per chain and depth one of the
/// operations or none, drawn uniformly; images m x + (1 - m) sum_i w_i chain_i(x), clipped
/// to value_range. Keras draws the operations with Python's unseeded `random`; here they
/// come from the layer's generator, so a seed makes them reproducible.
class AugMixLayer : public AugmentPolicyLayer {
 public:
  /// num_chains < 1, chain_depth < 0, alpha <= 0, a factor outside [0, 1], another
  /// interpolation or an empty value_range throws std::invalid_argument.
  explicit AugMixLayer(const AugMixOptions& options = {});
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's "AugMix").
  static LayerPtr from_config(const Config& c);

 protected:
  Tensor transform(const Tensor& images) override;
  /// Keras's rule: the masks through each chain's operations (the images' draws), mixed
  /// with the same weights (not clipped).
  Tensor transform_segmentation_masks(const Tensor& masks, bool training) override;
  /// Keras's rule: the boxes unchanged (the output blends the image with its warped
  /// chains, which no one box transformation describes).
  utils::bounding_boxes::BoundingBoxes transform_bounding_boxes(const utils::bounding_boxes::BoundingBoxes& boxes,
                                                                const Shape& images_shape, bool training) override;

 private:
  // m x + (1 - m) sum_i w_i chain_i(x) with one call's draws, each chain step through
  // step(index, x, key).
  Tensor mixed(const Tensor& x, const std::function<Tensor(const Tensor&, const Tensor&, const Tensor&)>& step);
  AugMixOptions mix_;
};

/// keras.layers.RandAugment: num_ops random operations per batch, in training.
Ref<RandAugmentLayer> RandAugment(const RandAugmentOptions& options = {});
/// keras.layers.AugMix: mixed chains of random operations, in training.
Ref<AugMixLayer> AugMix(const AugMixOptions& options = {});

}  // namespace keras::layers
