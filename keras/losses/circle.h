// circle.h - Keras 3's Circle loss (keras.losses.Circle, Sun et al. 2020) for metric
// learning, and its functional form. y_true: integer labels of shape (batch,) or
// (batch, 1); y_pred: L2-normalized embeddings (batch, dim). With the cosine distances
// d = max(1 - y_pred ref^T, 0) to the reference embeddings (y_pred itself unless given)
// and the pairs of equal labels (positives; the diagonal removed if remove_diagonal) and
// of different labels (negatives):
//   p = logsumexp over positives of -gamma max(margin + d, 0) (margin - d)
//   n = logsumexp over negatives of  gamma max(1 + margin - d, 0) (1 - margin - d)
//   loss = softplus(p + n)          (0 for a sample without positives or negatives)
// As in Keras, the samples whose loss is 0 are left out of the "sum_over_batch_size"
// divisor (Keras sets them as the loss's mask).
#pragma once
#include "keras/losses.h"

namespace keras::losses {

namespace detail {
struct CircleFn {
  static constexpr const char* name = "circle";
  Tensor operator()(const Tensor& y_true, const Tensor& y_pred, const Tensor& ref_labels = Tensor(),
                    const Tensor& ref_embeddings = Tensor(), bool remove_diagonal = true, double gamma = 80.0,
                    double margin = 0.4) const;
};
}  // namespace detail
/// keras.losses.circle(y_true, y_pred, ref_labels, ref_embeddings, remove_diagonal, gamma,
/// margin) (see above); per-sample losses (batch,).
inline constexpr detail::CircleFn circle{};

/// Options of Circle (keras.losses.Circle's arguments).
struct CircleOptions {
  double gamma = 80.0;  ///< the scale
  /// The relaxation margin of the similarity (Keras `margin`, default 0.4).
  double margin = 0.4;
  bool remove_diagonal = true;  ///< a sample is not its own positive
  std::string name{};           ///< "circle"
  /// See LossOptions::reduction.
  std::string reduction = "sum_over_batch_size";
};
/// keras.losses.Circle: the Circle loss over the pairs of a batch (see above).
class Circle : public Loss {
 public:
  /// The loss with the given options.
  explicit Circle(const CircleOptions& options = {});
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
  std::string class_name() const override { return "Circle"; }
  keras::Config get_config() const override;  ///< + {"gamma", "margin", "remove_diagonal"}
  /// The options it was built with.
  const CircleOptions& options() const { return o_; }

 protected:
  std::pair<Tensor, Tensor> call_with_mask(const Tensor& y_true, const Tensor& y_pred) const override;
  bool casts_y_true() const override { return false; }

 private:
  CircleOptions o_;
};

}  // namespace keras::losses
