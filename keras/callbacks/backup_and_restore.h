// backup_and_restore.h - BackupAndRestore (keras.callbacks.BackupAndRestore): resumes a
// fit() that was interrupted (the process killed, the machine restarted) from its last
// backup.
//
//   auto backup = std::make_shared<keras::callbacks::BackupAndRestore>("/tmp/backup");
//   model->fit(x, y, {.epochs = 100, .callbacks = {backup}});   // killed at epoch 42
//   model->fit(x, y, {.epochs = 100, .callbacks = {backup}});   // runs epochs 43..100
//
// At the end of every epoch (or every `save_freq` batches) it writes one checkpoint file,
// `<backup_dir>/latest.ckpt`, atomically (keras::saving::save_checkpoint): the weights,
// the optimizer state, the position in training (epoch, batch), fit()'s shuffling seed,
// core's global random generator and every layer's own seed generator. At the start of
// fit(), when that file exists, it restores all of it and fit() continues from the
// next batch: with the same data, seeds and thread count the resumed run ends with the
// same weights, bit for bit, as a run never interrupted. When fit() ends normally the
// backup is deleted (delete_checkpoint). Not restored: other callbacks' state (patience
// counters, ...) and, after a mid-epoch backup, the running metrics of that epoch.
// Place it after callbacks that change the model at the end of an epoch.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "keras/callbacks.h"
#include "keras/callbacks/save_freq.h"

namespace keras::callbacks {

/// Options of BackupAndRestore, as keras.callbacks.BackupAndRestore's keyword arguments.
struct BackupAndRestoreOptions {
  SaveFreq save_freq = "epoch";   ///< "epoch" or a number of batches
  bool delete_checkpoint = true;  ///< delete the backup when fit() ends normally
};

/// keras.callbacks.BackupAndRestore: backs up the training state to
/// `<backup_dir>/latest.ckpt` and resumes an interrupted fit() from it (see the file
/// comment).
class BackupAndRestore : public Callback {
 public:
  /// Backs up under `backup_dir` (created when needed); an empty one throws
  /// std::invalid_argument. Restoring needs the model built before fit().
  explicit BackupAndRestore(std::string backup_dir, const BackupAndRestoreOptions& options = {});
  void on_train_begin(const Logs&) override;
  void on_epoch_begin(int epoch, const Logs&) override;
  void on_train_batch_end(int64_t batch, const Logs&) override;
  void on_epoch_end(int epoch, const Logs&) override;
  void on_train_end(const Logs&) override;

  /// The folder the backup is written to.
  const std::string& backup_dir() const { return backup_dir_; }
  std::string checkpoint_path() const;  ///< `<backup_dir>/latest.ckpt`
  /// Where the last on_train_begin resumed (epoch, batches done in it); none when it
  /// found no backup.
  std::optional<std::pair<int, int64_t>> restored() const { return restored_; }

 private:
  void backup(int epoch, int64_t step);
  void restore();
  std::string backup_dir_;
  BackupAndRestoreOptions o_;
  int current_epoch_ = 0;
  int64_t last_batch_seen_ = -1, batches_since_save_ = 0;
  std::optional<std::pair<int, int64_t>> restored_;
};

}  // namespace keras::callbacks
