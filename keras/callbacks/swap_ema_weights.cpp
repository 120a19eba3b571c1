// swap_ema_weights.cpp - SwapEMAWeights: Keras 3's swapping rules.
#include "keras/callbacks/swap_ema_weights.h"

#include <stdexcept>

#include "keras/models/model.h"

namespace keras::callbacks {

void SwapEMAWeights::swap() {
  Model* m = model();
  if (!m || !m->optimizer())
    throw std::invalid_argument("SwapEMAWeights: the model has no optimizer (compile it with one that sets use_ema)");
  if (!m->optimizer()->swap_ema_weights())
    throw std::invalid_argument("SwapEMAWeights must be used when use_ema=true is set on the optimizer; received "
                                "optimizer '" + m->optimizer()->name() + "' with use_ema=false");
}

void SwapEMAWeights::on_epoch_begin(int, const Logs&) {
  if (swap_on_epoch_ && in_model_) {
    swap();
    in_model_ = false;
  }
}

void SwapEMAWeights::on_epoch_end(int epoch, const Logs&) {
  if (!swap_on_epoch_ || in_model_) return;
  swap();
  in_model_ = true;
  // After the last epoch fit() copies the averages into the weights (finalize): the
  // averages must hold the averages again, which the weights hold now.
  auto it = params().find("epochs");
  if (it != params().end() && epoch == int(it->second) - 1) model()->optimizer()->reset_ema_to_variables();
}

void SwapEMAWeights::on_test_begin(const Logs&) {
  if (in_model_) return;
  swap();
  in_model_ = true;
}

void SwapEMAWeights::on_test_end(const Logs&) {
  if (!in_model_) return;
  swap();
  in_model_ = false;
}

void SwapEMAWeights::on_predict_begin(const Logs& logs) { on_test_begin(logs); }
void SwapEMAWeights::on_predict_end(const Logs& logs) { on_test_end(logs); }

}  // namespace keras::callbacks
