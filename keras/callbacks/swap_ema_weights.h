// swap_ema_weights.h - SwapEMAWeights (keras.callbacks.SwapEMAWeights): evaluates (and,
// with swap_on_epoch, runs the epoch-end callbacks) on the optimizer's moving averages of
// the weights instead of the weights themselves.
//
//   model->compile({.optimizer = keras::optimizers::SGD({.use_ema = true}), .loss = "mse"});
//   model->fit(x, y, {.validation_split = 0.2,
//                     .callbacks = {keras::callbacks::SwapEMAWeights()}});
//
// Before evaluation (fit()'s validation, evaluate(), predict()) it swaps every weight with
// its average, and swaps back after. With swap_on_epoch the averages are also in the model
// from each epoch's end to the next epoch's start, so callbacks after this one (a
// ModelCheckpoint) see them. The optimizer must use EMA (use_ema, or a MultiOptimizer or
// LossScaleOptimizer around one that does): otherwise the first swap raises
// std::invalid_argument.
#pragma once
#include "keras/callbacks.h"

namespace keras::callbacks {

/// keras.callbacks.SwapEMAWeights (see above).
class SwapEMAWeights : public Callback {
 public:
  /// swap_on_epoch: also swap at each epoch's end and back at the next one's start (Keras's
  /// default false).
  explicit SwapEMAWeights(bool swap_on_epoch = false) : swap_on_epoch_(swap_on_epoch) {}
  void on_epoch_begin(int epoch, const Logs& logs) override;
  void on_epoch_end(int epoch, const Logs& logs) override;
  void on_test_begin(const Logs& logs) override;
  void on_test_end(const Logs& logs) override;
  void on_predict_begin(const Logs& logs) override;
  void on_predict_end(const Logs& logs) override;
  /// Whether the model holds the averages now.
  bool ema_weights_in_model() const { return in_model_; }

 private:
  void swap();
  bool swap_on_epoch_;
  bool in_model_ = false;
};

}  // namespace keras::callbacks
