// generalized_cross_entropy.h - Keras 3's CategoricalGeneralizedCrossEntropy
// (keras.losses.CategoricalGeneralizedCrossEntropy, Zhang & Sabuncu 2018) and its
// functional form: with integer labels y_true (y_pred's shape without the last, class
// axis; a trailing size-1 axis is squeezed) and p = y_pred[..., label],
//   loss = (1 - p^q) / q
// a noise-robust loss between the categorical crossentropy (q -> 0) and MAE (q = 1).
// Labels must be whole numbers in [0, classes) (Keras's one_hot silently gives p = 0).
#pragma once
#include "keras/losses.h"

namespace keras::losses {

namespace detail {
struct CategoricalGeneralizedCrossEntropyFn {
  static constexpr const char* name = "categorical_generalized_cross_entropy";
  Tensor operator()(const Tensor& y_true, const Tensor& y_pred, double q) const;  ///< q > 0
};
}  // namespace detail
/// keras.losses.categorical_generalized_cross_entropy(y_true, y_pred, q): (1 - p^q) / q
/// (see above).
inline constexpr detail::CategoricalGeneralizedCrossEntropyFn categorical_generalized_cross_entropy{};

/// Options of CategoricalGeneralizedCrossEntropy (Keras's arguments).
struct CategoricalGeneralizedCrossEntropyOptions {
  double q = 0.5;      ///< in (0, 1)
  std::string name{};  ///< "categorical_generalized_cross_entropy"
  /// See LossOptions::reduction.
  std::string reduction = "sum_over_batch_size";
};
/// keras.losses.CategoricalGeneralizedCrossEntropy: the noise-robust (1 - p^q) / q of
/// integer labels (see above).
class CategoricalGeneralizedCrossEntropy : public Loss {
 public:
  /// The loss with the given options; q outside (0, 1) throws std::invalid_argument.
  explicit CategoricalGeneralizedCrossEntropy(const CategoricalGeneralizedCrossEntropyOptions& options = {});
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
  std::string class_name() const override { return "CategoricalGeneralizedCrossEntropy"; }
  keras::Config get_config() const override;  ///< + {"q"}
  /// The exponent q.
  double q() const { return q_; }

 protected:
  bool casts_y_true() const override { return false; }

 private:
  double q_;
};

}  // namespace keras::losses
