// callbacks.h - Keras's training callbacks: the Callback base with every hook, History,
// ProgbarLogger (Keras 3's progress bar), EarlyStopping, ReduceLROnPlateau,
// LearningRateScheduler, TerminateOnNaN, CSVLogger, LambdaCallback.
#pragma once
#include <concepts>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "core/tensor.h"

namespace keras {
namespace utils {
class Progbar;  // keras/utils/progbar.h
}  // namespace utils
class Model;

/// Training logs: metric name -> value (sorted by name, as the progress bar shows them).
using Logs = std::map<std::string, double>;

namespace callbacks {

class CallbackList;

/// Keras's keras.callbacks.Callback: the base of training callbacks. Every hook does
/// nothing by default; override the ones needed. fit() calls the train, epoch and
/// train-batch hooks, evaluate() the test ones, predict() the predict ones.
class Callback {
 public:
  virtual ~Callback();
  /// The model being trained (set by fit/evaluate/predict before the first hook).
  virtual void set_model(Model* m) { model_ = m; }
  /// The model the callback is attached to (null before fit/evaluate/predict).
  Model* model() const { return model_; }
  /// False on a replica other than the chief (replica 0) of a distributed model: the
  /// callbacks that write files or print (checkpoints, backups, logs) do so on the chief
  /// only. True without a model or a strategy.
  bool is_chief() const;
  /// What fit() runs: epochs, steps per epoch, verbose.
  virtual void set_params(const std::map<std::string, double>& params) { params_ = params; }
  /// The run's parameters as fit/evaluate/predict set them ("epochs", "steps", "verbose"), Keras's
  /// `self.params`.
  const std::map<std::string, double>& params() const { return params_; }

  /// Called once at the start of fit(); the logs are empty.
  virtual void on_train_begin(const Logs&) {}
  /// Called once at the end of fit() (with empty logs).
  virtual void on_train_end(const Logs&) {}
  /// Called at the start of each epoch (0-based).
  virtual void on_epoch_begin(int, const Logs&) {}
  /// Called at the end of each epoch with its logs (training metrics, and the val_ ones
  /// when fit() validates).
  virtual void on_epoch_end(int, const Logs&) {}
  /// Called before each training step; the index is the step's within the epoch.
  virtual void on_train_batch_begin(int64_t, const Logs&) {}
  /// Called after each training step, with the running metric values of the epoch.
  virtual void on_train_batch_end(int64_t, const Logs&) {}
  /// Called at the start of evaluate() (and of fit()'s validation).
  virtual void on_test_begin(const Logs&) {}
  /// Called at the end of evaluate() (and of fit()'s validation), with its results.
  virtual void on_test_end(const Logs&) {}
  /// Keras's hook before each evaluation step (evaluate() here does not call it).
  virtual void on_test_batch_begin(int64_t, const Logs&) {}
  /// Called after each evaluation step, with the running metric values.
  virtual void on_test_batch_end(int64_t, const Logs&) {}
  /// Called at the start of predict().
  virtual void on_predict_begin(const Logs&) {}
  /// Called at the end of predict() (with empty logs).
  virtual void on_predict_end(const Logs&) {}
  /// Keras's hook before each prediction step (predict() here does not call it).
  virtual void on_predict_batch_begin(int64_t, const Logs&) {}
  /// Called after each prediction step (with empty logs).
  virtual void on_predict_batch_end(int64_t, const Logs&) {}

 protected:
  /// Adds a value to the logs being passed to the callbacks of the current hook (Keras's
  /// callbacks write into the shared logs dict: the callbacks after this one, History and
  /// the progress bar see it; ReduceLROnPlateau logs "learning_rate" this way). Outside
  /// a CallbackList's hook it does nothing.
  void set_log(const std::string& key, double value) {
    if (logs_) (*logs_)[key] = value;
  }

 private:
  friend class CallbackList;
  Model* model_ = nullptr;
  std::map<std::string, double> params_;
  Logs* logs_ = nullptr;
};
/// Shared ownership of a callback, as CallbackList holds them.
using CallbackPtr = std::shared_ptr<Callback>;

/// What fit/evaluate/predict take as a callback: a shared_ptr to one (to keep a handle,
/// e.g. to read EarlyStopping::stopped_epoch()), or a callback object made in place,
/// moved into shared ownership (Keras's `callbacks=[EarlyStopping(patience=2)]`):
///   .callbacks = {keras::callbacks::EarlyStopping({.patience = 2}), history_handle}
class CallbackArg {
 public:
  /// Shares a callback held elsewhere (the caller keeps its handle).
  template <class T>
    requires std::derived_from<T, Callback>
  CallbackArg(std::shared_ptr<T> p) : ptr_(std::move(p)) {}  // NOLINT
  /// Moves a temporary callback object into shared ownership.
  template <class T>
    requires(std::derived_from<std::remove_cvref_t<T>, Callback> && !std::is_lvalue_reference_v<T>)
  CallbackArg(T&& object) : ptr_(std::make_shared<std::remove_cvref_t<T>>(std::move(object))) {}  // NOLINT
  /// The callback held (null if constructed from a null shared_ptr; CallbackList refuses
  /// it).
  const CallbackPtr& ptr() const { return ptr_; }

 private:
  CallbackPtr ptr_;
};

/// Keras's CallbackList: runs each hook on every callback in order, with one shared copy
/// of the logs (what set_log() writes). fit() appends the progress bar and History after
/// the user's callbacks. A null callback is refused, naming its position.
class CallbackList : public Callback {
 public:
  /// The callbacks in order, each given `model` and `params`; a null one throws
  /// std::invalid_argument.
  explicit CallbackList(const std::vector<CallbackArg>& callbacks = {}, Model* model = nullptr,
                        const std::map<std::string, double>& params = {});
  /// Adds a callback at the end and gives it the list's model and params; a null one throws
  /// std::invalid_argument naming its index.
  void append(const CallbackArg& callback);
  /// The callbacks, in the order their hooks run.
  const std::vector<CallbackPtr>& callbacks() const { return cbs_; }
  /// Whether the list holds no callback.
  bool empty() const { return cbs_.empty(); }
  void set_model(Model* m) override;
  void set_params(const std::map<std::string, double>& params) override;

  void on_train_begin(const Logs& logs) override;
  void on_train_end(const Logs& logs) override;
  void on_epoch_begin(int epoch, const Logs& logs) override;
  void on_epoch_end(int epoch, const Logs& logs) override;
  void on_train_batch_begin(int64_t batch, const Logs& logs) override;
  void on_train_batch_end(int64_t batch, const Logs& logs) override;
  void on_test_begin(const Logs& logs) override;
  void on_test_end(const Logs& logs) override;
  void on_test_batch_begin(int64_t batch, const Logs& logs) override;
  void on_test_batch_end(int64_t batch, const Logs& logs) override;
  void on_predict_begin(const Logs& logs) override;
  void on_predict_end(const Logs& logs) override;
  void on_predict_batch_begin(int64_t batch, const Logs& logs) override;
  void on_predict_batch_end(int64_t batch, const Logs& logs) override;

 private:
  template <class F>
  void each(const Logs& logs, F hook);
  std::vector<CallbackPtr> cbs_;
};

namespace detail {
/// Whether a monitored value improves upward: mode "max", or "auto" with an accuracy-like
/// name (acc, auc, precision, recall, f1, iou); throws naming `who` on another mode.
bool maximizes(const std::string& mode, const std::string& monitor, const char* who);
/// logs[monitor], or nullopt after printing Keras's warning naming `what` and the keys
/// available (once: `warned` is set).
std::optional<double> monitored(const Logs& logs, const std::string& monitor, const char* what, bool& warned);
}  // namespace detail

/// Records the epoch logs; fit() returns it.
class History : public Callback {
 public:
  void on_train_begin(const Logs&) override {}
  void on_epoch_end(int epoch, const Logs& logs) override;
  /// Metric name -> its value at each recorded epoch (Keras's History.history).
  std::map<std::string, std::vector<double>> history;
  std::vector<int> epoch;  ///< The 0-based epochs recorded, in order.
};

/// Keras 3's progress bar: "Epoch 1/10" then
/// "1875/1875 ━━━━━━━━━━━━━━━━━━━━ 3s 2ms/step - accuracy: 0.8123 - loss: 0.5234",
/// redrawn in place on a terminal (with the ETA while running), one line per epoch
/// otherwise. verbose 1: the bar; 2: one line per epoch.
class ProgbarLogger : public Callback {
 public:
  /// A progress bar at `verbose` (0 silent, 1 the bar, 2 one line per epoch) written to
  /// `out`.
  explicit ProgbarLogger(int verbose = 1, std::FILE* out = stdout);
  void on_train_begin(const Logs&) override;
  void on_epoch_begin(int epoch, const Logs&) override;
  void on_train_batch_end(int64_t batch, const Logs& logs) override;
  void on_epoch_end(int epoch, const Logs& logs) override;
  void on_test_begin(const Logs&) override;
  void on_test_batch_end(int64_t batch, const Logs& logs) override;
  void on_test_end(const Logs& logs) override;
  void on_predict_begin(const Logs&) override;
  void on_predict_batch_end(int64_t batch, const Logs& logs) override;
  void on_predict_end(const Logs& logs) override;

 private:
  void begin(int64_t target);
  void update(int64_t current, const Logs& logs, bool finalize);
  int verbose_;
  std::FILE* out_;
  int64_t target_ = 0;  // 0: unknown (learned when the first epoch ends)
  bool in_fit_ = false;
  std::shared_ptr<utils::Progbar> bar_;  // this epoch's (or evaluation's, prediction's)
};

/// Options of EarlyStopping, as keras.callbacks.EarlyStopping's arguments.
struct EarlyStoppingOptions {
  std::string monitor = "val_loss";  ///< The log key watched (Keras's default "val_loss").
  double min_delta = 0;  ///< An improvement must beat the best by more than |min_delta|.
  int patience = 0;  ///< Epochs without improvement after which training stops.
  std::string mode = "auto";  ///< "min", "max", or "auto" (max for accuracy-like names)
  /// Until the value also beats this, the wait is not reset (Keras's baseline).
  std::optional<double> baseline{};
  /// At the end of training, set the weights of the best epoch.
  bool restore_best_weights = false;
  int start_from_epoch = 0;  ///< Epochs to train before the value is watched.
  int verbose = 0;  ///< 1 prints when training stops and when weights are restored.
};
/// keras.callbacks.EarlyStopping: stops fit() (Model::stop_training) when the monitored
/// value has not improved for `patience` epochs; can restore the best epoch's weights at
/// the end.
class EarlyStopping : public Callback {
 public:
  /// Throws std::invalid_argument on patience < 0 or a mode other than "auto", "min", "max".
  explicit EarlyStopping(const EarlyStoppingOptions& o = {});
  void on_train_begin(const Logs&) override;
  void on_epoch_end(int epoch, const Logs& logs) override;
  void on_train_end(const Logs&) override;
  /// The 0-based epoch at which training was stopped; 0 when it ran to the end.
  int stopped_epoch() const { return stopped_epoch_; }
  /// The 0-based epoch with the best monitored value (after fit()).
  int best_epoch() const { return best_epoch_; }

 private:
  bool improved(double v, const std::optional<double>& ref) const;
  EarlyStoppingOptions o_;
  bool maximize_ = false;
  std::optional<double> best_;
  int wait_ = 0, stopped_epoch_ = 0, best_epoch_ = 0;
  bool warned_ = false;
  std::vector<core::Tensor> best_weights_;
};

/// Options of ReduceLROnPlateau, as keras.callbacks.ReduceLROnPlateau's arguments.
struct ReduceLROnPlateauOptions {
  std::string monitor = "val_loss";  ///< The log key watched (Keras's default "val_loss").
  double factor = 0.1;  ///< The rate is multiplied by this on a plateau; must be < 1.
  int patience = 10;  ///< Epochs without improvement before the rate is reduced.
  std::string mode = "auto";  ///< "min", "max", or "auto" (max for accuracy-like names).
  double min_delta = 1e-4;  ///< An improvement must beat the best by more than this.
  int cooldown = 0;  ///< Epochs after a reduction during which the wait does not count.
  double min_lr = 0;  ///< Lower bound of the learning rate; must be >= 0.
  int verbose = 0;  ///< 1 prints each reduction.
};
/// keras.callbacks.ReduceLROnPlateau: multiplies the optimizer's learning rate by `factor`
/// when the monitored value has not improved for `patience` epochs; logs "learning_rate"
/// each epoch.
class ReduceLROnPlateau : public Callback {
 public:
  /// Throws std::invalid_argument on factor >= 1, min_lr < 0 or an unknown mode.
  explicit ReduceLROnPlateau(const ReduceLROnPlateauOptions& o = {});
  void on_train_begin(const Logs&) override;
  void on_epoch_end(int epoch, const Logs& logs) override;

 private:
  ReduceLROnPlateauOptions o_;
  bool maximize_ = false;
  double best_ = 0;
  int wait_ = 0, cooldown_counter_ = 0;
  bool warned_ = false;
};

/// schedule(epoch, current_lr) -> new learning rate, set before each epoch.
class LearningRateScheduler : public Callback {
 public:
  /// Throws std::invalid_argument on an empty schedule; a returned rate that is negative or
  /// not finite throws at that epoch. verbose 1 prints each new rate. Logs "learning_rate"
  /// each epoch.
  explicit LearningRateScheduler(std::function<double(int, double)> schedule, int verbose = 0);
  void on_epoch_begin(int epoch, const Logs&) override;
  void on_epoch_end(int epoch, const Logs& logs) override;

 private:
  std::function<double(int, double)> schedule_;
  int verbose_;
};

/// Stops training when the loss becomes NaN or infinite.
class TerminateOnNaN : public Callback {
 public:
  void on_train_batch_end(int64_t batch, const Logs& logs) override;
};

/// Writes the epoch logs to a CSV file (epoch, then the metrics in sorted order).
class CSVLogger : public Callback {
 public:
  /// Writes to `filename` with `separator`; `append` appends to an existing file (the
  /// header only when it is empty). The file is opened at on_train_begin
  /// (std::runtime_error if it cannot be).
  explicit CSVLogger(std::string filename, char separator = ',', bool append = false);
  /// Takes over the open file (callbacks made in place are moved into shared ownership).
  CSVLogger(CSVLogger&& o) noexcept;
  CSVLogger& operator=(CSVLogger&&) = delete;
  ~CSVLogger() override;
  void on_train_begin(const Logs&) override;
  void on_epoch_end(int epoch, const Logs& logs) override;
  void on_train_end(const Logs&) override;

 private:
  std::string filename_;
  char sep_;
  bool append_;
  std::FILE* f_ = nullptr;
  bool header_ = true;  // false when appending to a file that already has lines
  std::vector<std::string> keys_;
};

/// Any of the hooks as lambdas.
struct LambdaCallbackOptions {
  ///@{
  /// Called by the epoch hooks of the same name when set (epoch index, logs).
  std::function<void(int, const Logs&)> on_epoch_begin{}, on_epoch_end{};
  ///@}
  ///@{
  /// Called by the training-batch hooks of the same name when set (step index, logs).
  std::function<void(int64_t, const Logs&)> on_train_batch_begin{}, on_train_batch_end{};
  ///@}
  ///@{
  /// Called by on_train_begin / on_train_end when set.
  std::function<void(const Logs&)> on_train_begin{}, on_train_end{};
  ///@}
};
/// keras.callbacks.LambdaCallback: a callback whose hooks are the lambdas of
/// LambdaCallbackOptions.
class LambdaCallback : public Callback {
 public:
  /// The hooks to call; unset ones do nothing.
  explicit LambdaCallback(LambdaCallbackOptions o) : o_(std::move(o)) {}
  void on_epoch_begin(int e, const Logs& l) override { if (o_.on_epoch_begin) o_.on_epoch_begin(e, l); }
  void on_epoch_end(int e, const Logs& l) override { if (o_.on_epoch_end) o_.on_epoch_end(e, l); }
  void on_train_batch_begin(int64_t b, const Logs& l) override { if (o_.on_train_batch_begin) o_.on_train_batch_begin(b, l); }
  void on_train_batch_end(int64_t b, const Logs& l) override { if (o_.on_train_batch_end) o_.on_train_batch_end(b, l); }
  void on_train_begin(const Logs& l) override { if (o_.on_train_begin) o_.on_train_begin(l); }
  void on_train_end(const Logs& l) override { if (o_.on_train_end) o_.on_train_end(l); }

 private:
  LambdaCallbackOptions o_;
};

}  // namespace callbacks
}  // namespace keras
