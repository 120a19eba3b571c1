// ctc.h - Keras 3's CTC loss (keras.losses.CTC) and its functional form, on the
// ctc_loss op (core/ops/ctc.cpp: the forward-backward in log space, gradients exact to
// second order).
//
// y_true: (batch, max_label_length) integer labels, padded with 0 after the labels (0
// is the blank, Keras's mask_index); y_pred: (batch, steps, classes) logits (softmax is
// applied inside). As Keras: label_length = the number of nonzero labels of a row,
// every step of y_pred counts, and the loss is -log p(labels | softmax(y_pred)), +inf
// where no alignment fits (too many labels for the steps). A 0 before a row's last
// nonzero label raises (Keras would read it as a label equal to the blank).
#pragma once
#include "keras/losses.h"

namespace keras::losses {

namespace detail {
struct CtcFn {
  static constexpr const char* name = "ctc";
  Tensor operator()(const Tensor& y_true, const Tensor& y_pred) const;
};
}  // namespace detail
/// keras.losses.ctc(y_true, y_pred): per-sample CTC losses (batch,) (see above).
inline constexpr detail::CtcFn ctc{};

/// keras.losses.CTC: the connectionist temporal classification loss (see above).
class CTC : public Loss {
 public:
  explicit CTC(const LossOptions& options = {});  ///< name "ctc"
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
  std::string class_name() const override { return "CTC"; }

 protected:
  bool casts_y_true() const override { return false; }
};

}  // namespace keras::losses
