// progbar_logger.cpp - ProgbarLogger: Keras 3's progress bar and its one-line-per-epoch form.
#include "keras/callbacks.h"

#include <string>

#include "keras/utils/progbar.h"
#include "keras/io_utils_internal.h"

namespace keras::callbacks {

ProgbarLogger::ProgbarLogger(int verbose, std::FILE* out) : verbose_(verbose), out_(out) {}

void ProgbarLogger::on_train_begin(const Logs&) {
  in_fit_ = true;
  target_ = 0;
}

void ProgbarLogger::on_epoch_begin(int epoch, const Logs&) {
  if (verbose_ == 0) return;
  auto it = params().find("epochs");
  const int epochs = it != params().end() ? int(it->second) : epoch + 1;
  if (epochs > 1) {  // Keras prints no "Epoch 1/1"
    keras::detail::print_msg("Epoch " + std::to_string(epoch + 1) + "/" + std::to_string(epochs), true, out_);
  }
  auto st = params().find("steps");
  // Without a step count (a Dataset of unknown cardinality) the first epoch learns it.
  begin(st != params().end() ? int64_t(st->second) : target_);
}

// A new bar (Keras's ProgbarLogger makes one per epoch): the logs are shown as given.
void ProgbarLogger::begin(int64_t target) {
  target_ = target;
  bar_ = std::make_shared<utils::Progbar>(target > 0 ? std::optional<int64_t>(target) : std::nullopt,
                                          utils::ProgbarOptions{.verbose = verbose_,
                                                                .stateless_metrics = std::vector<std::string>{},
                                                                .out = out_});
}

void ProgbarLogger::update(int64_t current, const Logs& logs, bool finalize) {
  if (!bar_) begin(target_);
  if (finalize && target_ > 0) bar_->set_target(target_);
  utils::Progbar::Values values(logs.begin(), logs.end());
  bar_->update(current, values, finalize);
}

void ProgbarLogger::on_train_batch_end(int64_t batch, const Logs& logs) { update(batch + 1, logs, false); }

void ProgbarLogger::on_epoch_end(int, const Logs& logs) {
  auto st = params().find("steps");
  if (st != params().end()) target_ = int64_t(st->second);
  if (target_ <= 0) target_ = bar_ ? bar_->seen() : 0;  // the total, now known
  update(target_, logs, true);
}

void ProgbarLogger::on_test_begin(const Logs&) {
  if (in_fit_) return;  // validation inside fit shows no bar of its own
  auto st = params().find("steps");
  begin(st != params().end() ? int64_t(st->second) : 0);
}
void ProgbarLogger::on_test_batch_end(int64_t batch, const Logs& logs) {
  if (!in_fit_) update(batch + 1, logs, false);
}
void ProgbarLogger::on_test_end(const Logs& logs) {
  if (in_fit_) return;
  if (target_ <= 0) target_ = bar_ ? bar_->seen() : 0;
  update(target_, logs, true);
}
void ProgbarLogger::on_predict_begin(const Logs&) {
  auto st = params().find("steps");
  begin(st != params().end() ? int64_t(st->second) : 0);
}
void ProgbarLogger::on_predict_batch_end(int64_t batch, const Logs&) { update(batch + 1, {}, false); }
void ProgbarLogger::on_predict_end(const Logs&) {
  if (target_ <= 0) target_ = bar_ ? bar_->seen() : 0;
  update(target_, {}, true);
}

}  // namespace keras::callbacks
