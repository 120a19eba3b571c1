// overlap.h - Keras 3's overlap losses for segmentation, Dice and Tversky
// (keras.losses.Dice / Tversky) and their functional forms.
//
// With the sums over `axis` (none given: over every axis, batch included, so the loss
// is one number for the batch, as Keras's default axis=None):
//   dice    = 1 - 2 sum(t p) / (sum(t) + sum(p) + eps)
//   tversky = 1 - sum(t p) / (sum(t p) + alpha sum((1 - p) t) + beta sum(p (1 - t)) + eps)
// Tversky with alpha = beta = 0.5 is Dice. All-zero targets and predictions give 1.
// The config writes axis as Keras does: null (every axis), an int (one axis) or a list.
#pragma once
#include <vector>

#include "keras/losses.h"

namespace keras::losses {

namespace detail {
struct DiceFn {
  static constexpr const char* name = "dice";
  Tensor operator()(const Tensor& y_true, const Tensor& y_pred, const std::vector<int64_t>& axis = {}) const;
};
struct TverskyFn {
  static constexpr const char* name = "tversky";
  Tensor operator()(const Tensor& y_true, const Tensor& y_pred, double alpha = 0.5, double beta = 0.5,
                    const std::vector<int64_t>& axis = {}) const;
};
}  // namespace detail
/// keras.losses.dice(y_true, y_pred, axis): 1 - the Dice coefficient (see above).
inline constexpr detail::DiceFn dice{};
/// keras.losses.tversky(y_true, y_pred, alpha, beta, axis): 1 - the Tversky index (see
/// above).
inline constexpr detail::TverskyFn tversky{};

/// Options of Dice (keras.losses.Dice's arguments).
struct DiceOptions {
  std::vector<int64_t> axis{};  ///< empty: every axis (Keras's None)
  std::string name{};           ///< "dice"
  /// See LossOptions::reduction.
  std::string reduction = "sum_over_batch_size";
};
/// keras.losses.Dice: 1 - the Dice coefficient, for segmentation (see above).
class Dice : public Loss {
 public:
  /// The loss with the given options.
  explicit Dice(const DiceOptions& options = {});
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
  std::string class_name() const override { return "Dice"; }
  keras::Config get_config() const override;  ///< + {"axis"}
  /// The axes summed over (empty: every axis).
  const std::vector<int64_t>& axis() const { return axis_; }

 private:
  std::vector<int64_t> axis_;
};

/// Options of Tversky (keras.losses.Tversky's arguments).
struct TverskyOptions {
  double alpha = 0.5;           ///< the weight of false positives
  double beta = 0.5;            ///< the weight of false negatives
  std::vector<int64_t> axis{};  ///< empty: every axis (Keras's None)
  std::string name{};           ///< "tversky"
  /// See LossOptions::reduction.
  std::string reduction = "sum_over_batch_size";
};
/// keras.losses.Tversky: 1 - the Tversky index, Dice with weighted false positives and
/// negatives (see above).
class Tversky : public Loss {
 public:
  /// The loss with the given options.
  explicit Tversky(const TverskyOptions& options = {});
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
  std::string class_name() const override { return "Tversky"; }
  keras::Config get_config() const override;  ///< + {"alpha", "beta", "axis"}
  /// The options it was built with.
  const TverskyOptions& options() const { return o_; }

 private:
  TverskyOptions o_;
};

}  // namespace keras::losses
