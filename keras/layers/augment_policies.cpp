// augment_policies.cpp - RandAugment and AugMix: Keras 3's operations (the image layers with
// the policy's factor range), draws and mixing; each drawn operation chosen by
// ops::switch_, its transformation keyed by the call's base (SeedGenerator::Replay).
#include "keras/layers/augment_policies.h"

#include <algorithm>
#include <stdexcept>

#include "core/functional_ops.h"
#include "core/ops.h"
#include "core/random_ops.h"
#include "keras/layers/color_adjust_layers.h"
#include "keras/layers/color_layers_internal.h"
#include "keras/layers/image_filter_layers.h"
#include "keras/layers/random_affine.h"
#include "keras/layers/random_contrast.h"
#include "keras/layers/tone_layers.h"

namespace keras::layers {
namespace ops = core::ops;

namespace {
// Keras's operations, in the order of RandAugment's list, and AugMix's orders of them.
const std::vector<std::string> kRandAugment{"random_shear",      "random_translation", "random_rotation",
                                            "random_brightness", "random_color_degeneration",
                                            "random_contrast",   "random_sharpness",   "random_posterization",
                                            "solarization",      "auto_contrast",      "equalization"};
const std::vector<std::string> kAugMixBasic{"random_shear", "random_translation", "random_rotation",
                                            "random_posterization", "solarization", "auto_contrast",
                                            "equalization"};
std::vector<std::string> aug_mix_operations(bool all) {
  std::vector<std::string> ops = kAugMixBasic;
  if (all)
    for (const char* extra : {"random_brightness", "random_color_degeneration", "random_contrast", "random_sharpness"})
      ops.push_back(extra);
  return ops;
}

// The operation `name` with the policy's arguments (Keras's constructor calls).
Ref<ImagePreprocessingLayer> make_operation(const std::string& name, std::pair<double, double> f,
                                            std::pair<double, double> range, const std::string& interpolation,
                                            const std::string& box_format) {
  const FactorArg factor(f.first, f.second);
  const ColorOptions color{.value_range = range};
  const RandomAffineOptions affine{.interpolation = interpolation, .bounding_box_format = box_format};
  if (name == "random_shear") return RandomShear(factor, factor, affine);
  if (name == "random_translation") return RandomTranslation(factor, factor, affine);
  if (name == "random_rotation") return RandomRotation(factor, affine);
  if (name == "random_brightness") return RandomBrightness(factor, color);
  if (name == "random_color_degeneration") return RandomColorDegeneration(factor, color);
  if (name == "random_contrast") return RandomContrast(factor, {.value_range = range});
  if (name == "random_sharpness") return RandomSharpness(factor, color);
  if (name == "random_posterization")
    return RandomPosterization(double(std::max<int64_t>(1, int64_t(8 * f.second))), color);
  if (name == "solarization")
    return Solarization({.addition_factor = factor, .threshold_factor = factor, .value_range = range});
  if (name == "auto_contrast") return AutoContrast(color);
  return Equalization({.value_range = range});
}

// A seed per operation, from the policy's (splitmix64 of both).
int64_t operation_seed(int64_t seed, size_t index) {
  uint64_t z = uint64_t(seed < 0 ? 0x6175676d656e74 : seed) + 0x9e3779b97f4a7c15ULL * (index + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return int64_t((z ^ (z >> 31)) >> 2);  // >= 0
}

void check_count(const std::string& layer, const char* arg, int64_t v, int64_t least) {
  if (v < least)
    throw std::invalid_argument(layer + ": expected " + arg + " >= " + std::to_string(least) + ", but received " +
                                std::to_string(v));
}
}  // namespace

// ---- the base ---------------------------------------------------------------------------------
AugmentPolicyLayer::AugmentPolicyLayer(std::string class_name, const ImagePreprocessingOptions& base,
                                       const FactorArg& factor, std::pair<double, double> value_range,
                                       std::string interpolation, const std::vector<std::string>& operations)
    : ImagePreprocessingLayer(std::move(class_name), base),
      factor_(detail::bounded_factor(name(), "factor", factor, 0.0, 1.0)),
      value_range_(detail::sorted_value_range(name(), value_range)),
      interpolation_(std::move(interpolation)),
      names_(operations) {
  if (interpolation_ != "bilinear" && interpolation_ != "nearest")
    throw std::invalid_argument(name() + ": expected interpolation \"bilinear\" or \"nearest\", but received \"" +
                                interpolation_ + "\"");
  for (const std::string& op : names_)
    operations_.push_back(make_operation(op, factor_, value_range_, interpolation_, o_.bounding_box_format));
}

std::vector<Tensor> AugmentPolicyLayer::choose(
    const Tensor& index, const std::vector<Tensor>& inputs, bool with_none,
    const std::function<std::vector<Tensor>(size_t, const std::vector<Tensor>&)>& fn) {
  std::vector<std::function<core::ops::Tensors(const core::ops::Tensors&)>> branches;
  for (size_t j = 0; j < operations_.size(); ++j) {
    branches.push_back([j, &fn](const core::ops::Tensors& in) {
      std::vector<Tensor> out = fn(j, in);
      for (size_t i = 0; i < out.size(); ++i)
        if (out[i].dtype() != in[i].dtype()) out[i] = ops::cast(out[i], in[i].dtype());
      return out;
    });
  }
  if (with_none) branches.push_back([](const core::ops::Tensors& in) { return in; });
  return ops::switch_(index, branches, inputs);
}

Tensor AugmentPolicyLayer::apply_chosen(const Tensor& index, const Tensor& images, const Tensor& base, bool with_none) {
  return choose(index, {images}, with_none, [&](size_t j, const std::vector<Tensor>& in) {
    return std::vector<Tensor>{operations_[j]->transform_images(in[0], operation_seed(o_.seed, j), base)};
  })[0];
}

utils::bounding_boxes::BoundingBoxes AugmentPolicyLayer::apply_chosen(const Tensor& index,
                                                                      const utils::bounding_boxes::BoundingBoxes& boxes,
                                                                      const Shape& images_shape, const Tensor& base,
                                                                      bool with_none) {
  const std::vector<Tensor> out =
      choose(index, {boxes.boxes, boxes.labels}, with_none, [&](size_t j, const std::vector<Tensor>& in) {
        const utils::bounding_boxes::BoundingBoxes b =
            operations_[j]->transform_boxes({in[0], in[1]}, images_shape, operation_seed(o_.seed, j), base);
        return std::vector<Tensor>{b.boxes, b.labels};
      });
  return {out[0], out[1]};
}

Tensor AugmentPolicyLayer::apply_chosen_to_masks(const Tensor& index, const Tensor& masks, const Tensor& base,
                                                 bool with_none) {
  return choose(index, {masks}, with_none, [&](size_t j, const std::vector<Tensor>& in) {
    return std::vector<Tensor>{operations_[j]->transform_masks(in[0], operation_seed(o_.seed, j), base)};
  })[0];
}

Tensor AugmentPolicyLayer::transform_segmentation_masks(const Tensor&, bool) {
  throw std::invalid_argument(name() + ": segmentation masks are not supported by this layer yet");
}

Config AugmentPolicyLayer::policy_config() const {
  Config c = ImagePreprocessingLayer::get_config();
  c["value_range"] = detail::value_range_config(value_range_);
  c["factor"] = Value::list({factor_.first, factor_.second});
  c["interpolation"] = interpolation_;
  return c;
}

// ---- RandAugment ------------------------------------------------------------------------------
RandAugmentLayer::RandAugmentLayer(const RandAugmentOptions& o)
    : AugmentPolicyLayer("RandAugment", detail::image_base(o), o.factor, o.value_range, o.interpolation, kRandAugment),
      num_ops_(o.num_ops) {
  check_count(name(), "num_ops", num_ops_, 0);
}

std::pair<Tensor, Tensor> RandAugmentLayer::draws_of_call() {
  const SeedGenerator::Draw d = seeds_.next();
  const Tensor chosen = ops::random::randint({num_ops_}, 0, int64_t(operation_names().size()),
                                             {.dtype = DType::int32, .seed = d.seed, .counter = d.counter});
  return {chosen, draw_base()};
}

namespace {
Tensor nth(const Tensor& chosen, int64_t i) { return ops::reshape(ops::slice(chosen, {i}, {1}), {}); }
}  // namespace

Tensor RandAugmentLayer::transform(const Tensor& images) {
  if (num_ops_ == 0 || images.shape()[0] == 0) return images;
  const auto [chosen, base] = draws_of_call();
  Tensor x = images;
  for (int64_t i = 0; i < num_ops_; ++i) x = apply_chosen(nth(chosen, i), x, base, false);
  return x;
}

// Boxes and masks replay the images' draws (the same key), so they get the same operations.
utils::bounding_boxes::BoundingBoxes RandAugmentLayer::transform_bounding_boxes(
    const utils::bounding_boxes::BoundingBoxes& boxes, const Shape& images_shape, bool training) {
  required_box_format();  // raises naming this layer when there is none
  if (!training || num_ops_ == 0 || images_shape[0] == 0) return boxes;
  const auto [chosen, base] = draws_of_call();
  utils::bounding_boxes::BoundingBoxes b = boxes;
  for (int64_t i = 0; i < num_ops_; ++i) b = apply_chosen(nth(chosen, i), b, images_shape, base, false);
  return b;
}

Tensor RandAugmentLayer::transform_segmentation_masks(const Tensor& masks, bool training) {
  if (!training || num_ops_ == 0 || masks.shape()[0] == 0) return masks;
  const auto [chosen, base] = draws_of_call();
  Tensor m = masks;
  for (int64_t i = 0; i < num_ops_; ++i) m = apply_chosen_to_masks(nth(chosen, i), m, base, false);
  return m;
}

Config RandAugmentLayer::get_config() const {
  Config c = policy_config();
  c["num_ops"] = num_ops_;
  return c;
}

LayerPtr RandAugmentLayer::from_config(const Config& c) {
  RandAugmentOptions o = detail::with_image_base(RandAugmentOptions{}, options_from(c));
  o.value_range = detail::value_range_from("RandAugment", c, {0, 255});
  o.num_ops = c.get("num_ops", 2).as_int();
  o.factor = FactorArg::from_config(c.get("factor", 0.5));
  o.interpolation = c.get("interpolation", "bilinear").as_string();
  return make<RandAugmentLayer>(o);
}

// ---- AugMix -----------------------------------------------------------------------------------
AugMixLayer::AugMixLayer(const AugMixOptions& o)
    : AugmentPolicyLayer("AugMix", detail::image_base(o), o.factor, o.value_range, o.interpolation,
                         aug_mix_operations(o.all_ops)),
      mix_(o) {
  check_count(name(), "num_chains", o.num_chains, 1);
  check_count(name(), "chain_depth", o.chain_depth, 0);
  if (!(o.alpha > 0) || !std::isfinite(o.alpha))
    throw std::invalid_argument(name() + ": expected alpha > 0, but received " + Value(o.alpha).to_json());
}

Tensor AugMixLayer::transform(const Tensor& images) {
  if (images.shape()[0] == 0) return images;
  const Tensor out = mixed(images, [this](const Tensor& index, const Tensor& x, const Tensor& key) {
    return apply_chosen(index, x, key, true);
  });
  return ops::clip(out, value_range_.first, value_range_.second);
}

utils::bounding_boxes::BoundingBoxes AugMixLayer::transform_bounding_boxes(
    const utils::bounding_boxes::BoundingBoxes& boxes, const Shape&, bool) {
  return boxes;
}

Tensor AugMixLayer::transform_segmentation_masks(const Tensor& masks, bool training) {
  if (!training || masks.shape()[0] == 0) return masks;
  return mixed(masks, [this](const Tensor& index, const Tensor& x, const Tensor& key) {
    return apply_chosen_to_masks(index, x, key, true);
  });
}

Tensor AugMixLayer::mixed(const Tensor& images,
                          const std::function<Tensor(const Tensor&, const Tensor&, const Tensor&)>& step) {
  const DType dt = images.dtype();
  auto options = [&](DType out) {
    const SeedGenerator::Draw d = seeds_.next();
    return ops::RandomOptions{.dtype = out, .seed = d.seed, .counter = d.counter};
  };
  // Keras's draws, in order: the chains' Dirichlet weights, the Beta blend, then the
  // operations (here: one index per chain and depth, `count` meaning none).
  Tensor weights = ops::random::gamma({mix_.num_chains}, mix_.alpha, options(DType::float32));
  weights = ops::cast(ops::divide(weights, ops::sum(weights, {-1}, true)), dt);
  Tensor blend = ops::cast(ops::random::beta({}, mix_.alpha, mix_.alpha, options(DType::float32)), dt);
  const int64_t count = int64_t(operation_names().size());
  Tensor chosen;
  if (mix_.chain_depth > 0)
    chosen = ops::random::randint({mix_.num_chains, mix_.chain_depth}, 0, count + 1, options(DType::int32));
  const Tensor base = draw_base();
  Tensor sum = ops::zeros_like(images);
  for (int64_t c = 0; c < mix_.num_chains; ++c) {
    Tensor x = images;
    for (int64_t k = 0; k < mix_.chain_depth; ++k)
      // Each chain step its own draws: base * (chains * depth) + step.
      x = step(ops::reshape(ops::slice(chosen, {c, k}, {1, 1}), {}), x,
               ops::add(ops::multiply(base, core::constant(mix_.num_chains * mix_.chain_depth)),
                        core::constant(c * mix_.chain_depth + k)));
    sum = ops::add(sum, ops::multiply(x, ops::reshape(ops::slice(weights, {c}, {1}), {})));
  }
  return ops::add(ops::multiply(blend, images), ops::multiply(ops::subtract(ops::scalar_like(blend, 1.0), blend), sum));
}

Config AugMixLayer::get_config() const {
  Config c = policy_config();
  c["num_chains"] = mix_.num_chains;
  c["chain_depth"] = mix_.chain_depth;
  c["alpha"] = mix_.alpha;
  c["all_ops"] = mix_.all_ops;
  return c;
}

LayerPtr AugMixLayer::from_config(const Config& c) {
  AugMixOptions o = detail::with_image_base(AugMixOptions{}, options_from(c));
  o.value_range = detail::value_range_from("AugMix", c, {0, 255});
  o.num_chains = c.get("num_chains", 3).as_int();
  o.chain_depth = c.get("chain_depth", 3).as_int();
  o.factor = FactorArg::from_config(c.get("factor", 0.3));
  o.alpha = c.get("alpha", 1.0).as_double();
  o.all_ops = c.get("all_ops", true).as_bool();
  o.interpolation = c.get("interpolation", "bilinear").as_string();
  return make<AugMixLayer>(o);
}

Ref<RandAugmentLayer> RandAugment(const RandAugmentOptions& o) { return make<RandAugmentLayer>(o); }
Ref<AugMixLayer> AugMix(const AugMixOptions& o) { return make<AugMixLayer>(o); }

}  // namespace keras::layers
