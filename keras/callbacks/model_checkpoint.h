// model_checkpoint.h - ModelCheckpoint (keras.callbacks.ModelCheckpoint): saves the
// model, or its weights, during fit(), every epoch or every N batches, optionally only
// when the monitored value improves.
//
//   auto ckpt = std::make_shared<keras::callbacks::ModelCheckpoint>(
//       "ckpt/model-{epoch:02d}-{val_loss:.2f}.keras",
//       keras::callbacks::ModelCheckpointOptions{.monitor = "val_loss", .save_best_only = true});
//   model->fit(x, y, {.epochs = 10, .callbacks = {ckpt}, .validation_split = 0.1});
//
// The file path is a Python format string: {epoch} (1-based), {batch} (1-based, when
// saving every N batches) and any key of the logs ({val_loss}, {accuracy}), each with an
// optional format spec ({epoch:02d}, {val_loss:.2f}, {loss:.3e}). Files are written
// atomically (keras::saving), and missing folders are created.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "keras/callbacks.h"
#include "keras/callbacks/save_freq.h"

namespace keras::callbacks {

/// Options of ModelCheckpoint, as keras.callbacks.ModelCheckpoint's keyword arguments.
struct ModelCheckpointOptions {
  /// The log key compared for save_best_only (Keras's default "val_loss").
  std::string monitor = "val_loss";
  int verbose = 0;  ///< 1: one line per save (or per non-improvement), as Keras prints
  bool save_best_only = false;  ///< save only when `monitor` improves on the best so far
  bool save_weights_only = false;  ///< save_weights() instead of save()
  std::string mode = "auto";  ///< "min", "max", or "auto" (max for accuracy-like names)
  SaveFreq save_freq = "epoch";  ///< "epoch" or a number of batches
  std::optional<double> initial_value_threshold{};  ///< the best value to beat at first
};

/// keras.callbacks.ModelCheckpoint: saves the model (Model::save) or its weights during
/// fit() to a path formatted from the epoch, batch and logs.
class ModelCheckpoint : public Callback {
 public:
  /// Saves to `filepath` (a Python format string, checked now: a bad one throws
  /// std::invalid_argument, as do an empty path and an unknown mode).
  explicit ModelCheckpoint(std::string filepath, const ModelCheckpointOptions& options = {});
  void on_train_begin(const Logs&) override;
  void on_epoch_begin(int epoch, const Logs&) override;
  void on_train_batch_end(int64_t batch, const Logs& logs) override;
  void on_epoch_end(int epoch, const Logs& logs) override;

  /// The path for a save at `epoch` (0-based, printed 1-based), after `batch` (0-based;
  /// none for a save at the end of an epoch). An unknown placeholder throws
  /// std::invalid_argument naming it and the keys available.
  std::string format_filepath(int epoch, std::optional<int64_t> batch, const Logs& logs) const;
  /// The best monitored value so far (save_best_only).
  double best() const { return best_; }

 private:
  void save(int epoch, std::optional<int64_t> batch, const Logs& logs);
  void write(const std::string& path);  // save() or save_weights(), creating the folder
  // check_only: skips the names that need logs (the constructor checks the syntax).
  std::string format(int epoch, std::optional<int64_t> batch, const Logs& logs, bool check_only) const;
  bool should_save_on_batch(int64_t batch);
  std::string filepath_;
  ModelCheckpointOptions o_;
  bool maximize_ = false;
  double best_ = 0;
  int current_epoch_ = 0;
  int64_t last_batch_seen_ = -1, batches_since_save_ = 0;
  bool warned_missing_ = false;
};

}  // namespace keras::callbacks
