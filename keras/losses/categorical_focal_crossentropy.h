// categorical_focal_crossentropy.h - Keras 3's CategoricalFocalCrossentropy
// (keras.losses.CategoricalFocalCrossentropy) and its functional form.
//
//   p  = clip(y_pred / sum(y_pred, axis), eps, 1 - eps)     (softmax first if from_logits)
//   loss = sum over axis of alpha (1 - p)^gamma (-t log p)
// with label smoothing t (1 - ls) + ls / classes. As Keras, the from_logits path takes
// the softmax and clips it (the clipping is part of the formula), so extreme logits give
// Keras's clipped value.
#pragma once
#include "keras/losses.h"

namespace keras::losses {

namespace detail {
struct CategoricalFocalCrossentropyFn {
  static constexpr const char* name = "categorical_focal_crossentropy";
  Tensor operator()(const Tensor& y_true, const Tensor& y_pred, double alpha = 0.25, double gamma = 2.0,
                    bool from_logits = false, double label_smoothing = 0.0, int64_t axis = -1) const;
};
}  // namespace detail
/// keras.losses.categorical_focal_crossentropy(y_true, y_pred, alpha, gamma, from_logits,
/// label_smoothing, axis) (see above).
inline constexpr detail::CategoricalFocalCrossentropyFn categorical_focal_crossentropy{};

/// Options of CategoricalFocalCrossentropy (keras.losses.CategoricalFocalCrossentropy's
/// arguments).
struct CategoricalFocalCrossentropyOptions {
  /// The weighting factor of every class (Keras `alpha`, default 0.25).
  double alpha = 0.25;
  /// The focusing exponent of (1 - p) (Keras `gamma`, default 2).
  double gamma = 2.0;
  /// Whether y_pred holds logits rather than probabilities (Keras `from_logits`, default
  /// false).
  bool from_logits = false;
  double label_smoothing = 0.0;  ///< in [0, 1]
  int64_t axis = -1;             ///< the class axis
  std::string name{};            ///< "categorical_focal_crossentropy"
  /// See LossOptions::reduction.
  std::string reduction = "sum_over_batch_size";
};
/// keras.losses.CategoricalFocalCrossentropy: categorical cross-entropy down-weighting easy
/// examples by (1 - p)^gamma (see above).
class CategoricalFocalCrossentropy : public Loss {
 public:
  /// The loss with the given options.
  explicit CategoricalFocalCrossentropy(const CategoricalFocalCrossentropyOptions& options = {});
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
  std::string class_name() const override { return "CategoricalFocalCrossentropy"; }
  /// + {"from_logits", "label_smoothing", "axis", "alpha", "gamma"}
  keras::Config get_config() const override;
  /// The options it was built with.
  const CategoricalFocalCrossentropyOptions& options() const { return o_; }

 private:
  CategoricalFocalCrossentropyOptions o_;
};

}  // namespace keras::losses
