// tensorboard.h - Keras's TensorBoard callback: event files that TensorBoard reads.
//
//   model->fit(x, y, {.epochs = 10, .callbacks = {keras::callbacks::TensorBoard({
//       .log_dir = "logs", .histogram_freq = 1, .update_freq = "batch"})}});
//   // then: tensorboard --logdir logs
//
// As Keras 3: <log_dir>/train and <log_dir>/validation each get an event file; at each
// epoch end the train logs are written as "epoch_<name>" (with "epoch_learning_rate") to
// train/, the "val_" logs without their prefix to validation/, at step = epoch (from 0);
// with update_freq N, every N-th train batch writes "batch_<name>" at the global batch
// number (from 1); evaluate() inside fit writes "evaluation_<name>_vs_iterations" to
// validation/ at the optimizer's iteration count; histogram_freq N writes a histogram of
// every weight ("<weight path>/histogram", and with write_images "<path>/image") every N
// epochs; write_graph writes the
// traced train step's graph after the first batch (nothing when the model runs eagerly).
// Everything is written through keras::summary (scalar, histogram, graph) with each file's
// writer as the default, as Keras writes through tf.summary: the same tensor summaries.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "keras/callbacks.h"
#include "keras/summary.h"

namespace keras::callbacks {

/// Keras's update_freq: "epoch" (no batch-level scalars), "batch" (every batch) or N.
struct UpdateFreq {
  int64_t every = 0;  ///< 0: "epoch"
  /// "epoch" or "batch"; another string throws std::invalid_argument.
  UpdateFreq(const char* s);  // NOLINT: "epoch" or "batch"; another string raises
  /// Every n batches (n >= 1, else std::invalid_argument).
  UpdateFreq(int n);           // NOLINT: N >= 1 batches
};

/// Options of TensorBoard, as keras.callbacks.TensorBoard's keyword arguments.
struct TensorBoardOptions {
  /// Folder of the train/ and validation/ event files (Keras's default "logs").
  std::string log_dir = "logs";
  int histogram_freq = 0;  ///< Write weight histograms every N epochs; 0 never.
  bool write_graph = true;  ///< Write the traced train step's graph after the first batch.
  /// With histogram_freq, also write each weight as an image ("<path>/image"): a vector as
  /// a 1-pixel-wide column, a matrix with its shorter axis as the height, a 3-D kernel as
  /// one image per output channel, each value clipped to [0, 1] as tf.summary.image does.
  bool write_images = false;
  bool write_steps_per_second = false;  ///< Also log steps per second (per batch and per epoch).
  UpdateFreq update_freq = "epoch";  ///< When to write batch-level scalars (default "epoch": none).
};

/// keras.callbacks.TensorBoard: writes scalars, weight histograms and the graph as
/// TensorBoard event files under log_dir (see the file comment for what goes where).
class TensorBoard : public Callback {
 public:
  /// Throws std::invalid_argument on histogram_freq < 0. The event files are created at the
  /// first write.
  explicit TensorBoard(const TensorBoardOptions& options = {});
  ~TensorBoard() override;
  /// Takes over the open event files (callbacks made in place are moved into shared
  /// ownership).
  TensorBoard(TensorBoard&&) noexcept;
  void on_train_begin(const Logs& logs) override;
  void on_train_end(const Logs& logs) override;
  void on_epoch_begin(int epoch, const Logs& logs) override;
  void on_epoch_end(int epoch, const Logs& logs) override;
  void on_train_batch_begin(int64_t batch, const Logs& logs) override;
  void on_train_batch_end(int64_t batch, const Logs& logs) override;
  void on_test_end(const Logs& logs) override;
  /// The options given at construction.
  const TensorBoardOptions& options() const { return options_; }
  /// The event files written so far ("" before the first).
  std::string train_event_file() const;
  /// The validation event file written so far ("" before the first).
  std::string validation_event_file() const;

 private:
  void log_weights(int epoch);
  void log_weight_as_image(const core::Tensor& weight, const std::string& tag, int epoch);
  const summary::SummaryWriter& train();
  const summary::SummaryWriter& validation();
  TensorBoardOptions options_;
  summary::SummaryWriter train_, validation_;  // no-op writers until the first write
  int64_t global_batch_ = 0, epoch_start_iterations_ = 0;
  double epoch_start_ = 0, batch_start_ = 0;
  bool graph_pending_ = false, in_fit_ = false;
};

}  // namespace keras::callbacks
