// model.h - Model (the base of every model, and of user subclasses), Functional models
// built from symbolic tensors, Sequential stacks, keras::Input and summary().
//
//   auto inputs = keras::Input({784});
//   auto h = keras::layers::Dense(300, {.activation = "relu"})(inputs);
//   auto model = keras::Functional({inputs}, {keras::layers::Dense(10)(h)});
//
//   auto seq = keras::Sequential({keras::layers::Dense(300, {.activation = "relu",
//                                                            .input_shape = {784}}),
//                                 keras::layers::Dense(10)});
//
//   class MyModel : public keras::Model { ... call() ... };   // subclassing
//   auto m = keras::make<MyModel>();
#pragma once
#include <atomic>
#include <concepts>
#include <mutex>
#include <thread>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/function.h"
#include "keras/callbacks.h"
#include "keras/data/dataset.h"
#include "keras/layers/layer.h"
#include "keras/losses.h"
#include "keras/metrics.h"
#include "keras/optimizers.h"

namespace keras {
using layers::KerasTensor;
using layers::LayerOptions;
using layers::LayerPtr;
using layers::make;
using layers::Ref;
using layers::ShapeSpec;

// ---- inputs -------------------------------------------------------------------------------
class InputLayer : public layers::Layer {
 public:
  /// shape excludes the batch axis; batch_size -1 = None.
  InputLayer(const ShapeSpec& shape, DType dtype = DType::float32, std::string name = "",
             int64_t batch_size = -1);
  Tensor call(const Tensor& x, bool training) override;
  Config get_config() const override;
  static LayerPtr from_config(const Config& c);
  const ShapeSpec& batch_shape() const { return batch_shape_; }
  /// The symbolic output (needs shared ownership). Its node is held weakly here, so the
  /// layer and its output do not keep each other alive.
  KerasTensor output();
  void make_output() { output(); }
  /// x converted to dtype (Keras converts a model's inputs to its Inputs' dtypes: uint8
  /// images feed a float32 model).
  static Tensor convert(const Tensor& x, DType dtype);

 private:
  ShapeSpec batch_shape_;
  std::weak_ptr<layers::Node> node_;
};

struct InputOptions {
  DType dtype = DType::float32;
  std::string name{};
  int64_t batch_size = -1;
};
/// keras.Input: a symbolic input of the given shape (without the batch axis).
KerasTensor Input(const ShapeSpec& shape, const InputOptions& options = {});

// ---- compile / fit options -----------------------------------------------------------------
/// An optimizer by name ("adam") or object.
struct OptimizerArg {
  optimizers::OptimizerPtr ptr;
  OptimizerArg(const char* name) : ptr(optimizers::get(name)) {}
  OptimizerArg(const std::string& name) : ptr(optimizers::get(name)) {}
  template <class T, class = std::enable_if_t<std::is_base_of_v<optimizers::Optimizer, T>>>
  OptimizerArg(std::shared_ptr<T> p) : ptr(std::move(p)) {}
};

/// One loss, or one per output ({"mse", "sparse_categorical_crossentropy"}).
struct LossList : std::vector<losses::LossArg> {
  LossList() = default;
  LossList(std::initializer_list<losses::LossArg> l) : std::vector<losses::LossArg>(l) {}
  template <class T, class = std::enable_if_t<std::is_constructible_v<losses::LossArg, T&&>>>
  LossList(T&& one) {
    push_back(losses::LossArg(std::forward<T>(one)));
  }
};

struct CompileOptions {
  OptimizerArg optimizer = "rmsprop";
  LossList loss{};
  /// Applied to every output. Names given as strings are the names in the logs ("mae"
  /// logs "mae" and "val_mae"). sample_weight and class_weight do not apply to them.
  std::vector<metrics::MetricArg> metrics{};
  /// Like metrics, but weighted by sample_weight and class_weight (Keras 3); one named
  /// like a plain metric logs as "weighted_<name>".
  std::vector<metrics::MetricArg> weighted_metrics{};
  std::vector<double> loss_weights{};         ///< one per output (default 1)
  /// false (the default): fit/evaluate/predict trace their steps into graphs
  /// (keras::function) unless a layer is dynamic; true: every step runs op by op.
  bool run_eagerly = false;
  /// The traced steps' jit_compile (keras::function's option; Keras's "auto" when unset:
  /// the default passes with fusion). Ignored when the steps run eagerly.
  std::optional<bool> jit_compile{};
};

/// fit()'s validation_data: {x_val, y_val}, {x_val, y_val, sample_weight}, or a Dataset
/// of (x, y) or (x, y, sample_weight) batches.
struct ValidationData {
  ValidationData() = default;
  ValidationData(std::initializer_list<Tensor> arrays) : arrays(arrays) {}
  ValidationData(std::vector<Tensor> arrays) : arrays(std::move(arrays)) {}  // NOLINT
  ValidationData(data::Dataset dataset) : dataset(std::move(dataset)) {}     // NOLINT
  bool empty() const { return arrays.empty() && !dataset; }
  std::vector<Tensor> arrays{};
  std::optional<data::Dataset> dataset{};
};

struct FitOptions {
  int64_t batch_size = 32;
  int epochs = 1;
  int verbose = 1;  ///< 0 silent, 1 progress bar, 2 one line per epoch
  std::vector<callbacks::CallbackArg> callbacks{};
  double validation_split = 0.0;  ///< the last fraction of the samples, before shuffling
  ValidationData validation_data{};
  bool shuffle = true;
  std::map<int64_t, double> class_weight{};  ///< class id -> weight of its samples
  Tensor sample_weight{};
  int initial_epoch = 0;
  /// -1: the whole dataset. With a Dataset, the iterator then continues from one epoch
  /// to the next (needed for an infinite, repeated dataset).
  int64_t steps_per_epoch = -1;
  int validation_freq = 1;
  int64_t seed = -1;  ///< shuffling seed; -1 draws one from core's global generator
  int64_t validation_steps = -1;  ///< batches of a validation Dataset per validation (-1: all)
};

struct EvaluateOptions {
  int64_t batch_size = 32;
  int verbose = 1;
  Tensor sample_weight{};
  std::vector<callbacks::CallbackArg> callbacks{};
  int64_t steps = -1;  ///< batches to evaluate (-1: all)
};

struct PredictOptions {
  int64_t batch_size = 32;
  int verbose = 0;
  std::vector<callbacks::CallbackArg> callbacks{};
  int64_t steps = -1;  ///< batches to predict (-1: all)
};

namespace detail {
class BatchSource;  ///< trainer.cpp: where fit/evaluate/predict take their batches from
}

// ---- Model --------------------------------------------------------------------------------
class Model : public layers::Layer {
 public:
  explicit Model(const LayerOptions& options = {}, std::string class_name = "Model");

  /// The layers of the model: for Functional and Sequential models in order, for
  /// subclassed models the tracked sublayers.
  virtual std::vector<LayerPtr> layers() const;
  LayerPtr get_layer(const std::string& name) const;  ///< throws listing the names
  LayerPtr get_layer(int64_t index) const;
  /// A model's outputs carry the masks its layers attached; it adds none.
  std::vector<Tensor> compute_mask(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks) override;

  /// Keras's summary table; summary() prints it to stdout. line_length > 0: the table is
  /// that wide, its columns split as Keras splits them, long cells wrapped (0: as wide as
  /// the cells need).
  std::string summary_string(int line_length = 0) const;
  void summary(int line_length = 0) const;

  // ---- training (keras/trainers/trainer.cpp) ----
  void compile(const CompileOptions& options);
  bool compiled() const { return compiled_; }
  callbacks::History fit(const Tensor& x, const Tensor& y, const FitOptions& options = {});
  callbacks::History fit(const std::vector<Tensor>& x, const std::vector<Tensor>& y,
                         const FitOptions& options = {});
  Logs evaluate(const Tensor& x, const Tensor& y, const EvaluateOptions& options = {});
  Logs evaluate(const std::vector<Tensor>& x, const std::vector<Tensor>& y,
                const EvaluateOptions& options = {});
  Tensor predict(const Tensor& x, const PredictOptions& options = {});
  std::vector<Tensor> predict(const std::vector<Tensor>& x, const PredictOptions& options = {});
  /// On a Dataset of batches (Keras: batch_size and shuffle are ignored): elements
  /// (x, y) or (x, y, sample_weight) for fit and evaluate, (x) or (x, ...) for predict.
  /// Several inputs / outputs: (x1, x2, y1, y2[, sample_weight]), or named elements keyed
  /// by the input and output layers' names (and "sample_weight").
  callbacks::History fit(const data::Dataset& dataset, const FitOptions& options = {});
  Logs evaluate(const data::Dataset& dataset, const EvaluateOptions& options = {});
  Tensor predict(const data::Dataset& dataset, const PredictOptions& options = {});
  Logs train_on_batch(const std::vector<Tensor>& x, const std::vector<Tensor>& y,
                      const Tensor& sample_weight = Tensor());
  Logs test_on_batch(const std::vector<Tensor>& x, const std::vector<Tensor>& y,
                     const Tensor& sample_weight = Tensor());
  std::vector<Tensor> predict_on_batch(const std::vector<Tensor>& x);

  /// One optimization step on a batch; override to customize fit() (Keras's train_step).
  /// Updates the compiled metrics; returns the batch loss.
  virtual Tensor train_step(const std::vector<Tensor>& x, const std::vector<Tensor>& y,
                            const Tensor& sample_weight);
  /// The compiled loss of a batch: weighted sum over outputs plus the layers' losses.
  /// Override to customize the loss (Keras's compute_loss); train_step and evaluate call it.
  virtual Tensor compute_loss(const std::vector<Tensor>& y, const std::vector<Tensor>& y_pred,
                              const Tensor& sample_weight);
  /// The loss and metrics of the current epoch (running values), as the progress bar shows.
  Logs metrics_result() const;
  void reset_metrics();
  /// A metric the model updates itself, in call() or train_step() (Keras: a Metric held
  /// by a subclassed model): the logs of fit() and evaluate() show it next to the
  /// compiled metrics, and it is reset with them.
  template <class M>
    requires std::derived_from<M, metrics::Metric>
  std::shared_ptr<M> track_metric(std::shared_ptr<M> metric) {
    tracked_metrics_.push_back(metric);
    return metric;
  }

  const optimizers::OptimizerPtr& optimizer() const { return optimizer_; }
  /// Whether fit/evaluate/predict run traced steps: compiled without run_eagerly, and no
  /// layer of the model is dynamic (Keras's model.run_eagerly, inverted). Decided once
  /// after each compile().
  bool traced_steps() const;
  /// The traced steps (null before their first use, or when running eagerly); their
  /// tracing_count() says how often they traced.
  using StepFunction = core::Function<std::function<std::vector<Tensor>(
      const std::vector<Tensor>&, const std::vector<Tensor>&, const std::vector<Tensor>&)>>;
  const StepFunction* train_function() const { return train_fn_.get(); }
  const StepFunction* test_function() const { return test_fn_.get(); }
  /// The options of the last compile() (what save() records).
  const CompileOptions& compile_options() const { return compile_options_; }
  bool stop_training = false;

  // ---- saving (keras/saving/saving.cpp; see keras/saving/saving.h) ----
  void save(const std::string& path) const;
  /// Keras's model.export: the inference function (call with training = false) and the
  /// current weights as a graph file that keras::load_function runs without this code
  /// (keras/saving/export.h). The signature comes from the model's inputs (batch axis
  /// -1: any size) or from options.input_signature.
  struct ExportOptions {
    std::vector<core::TensorSpec> input_signature{};
  };
  void export_graph(const std::string& path, const ExportOptions& options) const;
  void export_graph(const std::string& path) const { export_graph(path, ExportOptions{}); }
  void save_weights(const std::string& path) const;
  void load_weights(const std::string& path);

  // ---- threads ----
  /// The contract: fit, evaluate, train_on_batch and test_on_batch run in one thread at a
  /// time (a call from a second thread while one runs raises std::runtime_error; the
  /// running thread may nest them, e.g. from a callback). predict, get_weights,
  /// set_weights, save, save_weights and load_weights are safe from any thread: every
  /// step holds the model's state lock, so they see or write the weights between steps.
  /// Layers of the model are not locked when used directly from other threads.
  std::unique_lock<std::recursive_mutex> lock_state() const { return std::unique_lock(state_mu_); }
  std::vector<Tensor> get_weights() const;
  void set_weights(const std::vector<Tensor>& values);

  /// Where fit() starts. fit() sets it from its options before on_train_begin; a
  /// callback's on_train_begin may change it to resume an interrupted run
  /// (BackupAndRestore; Keras's model._initial_epoch). Each epoch's shuffling order
  /// depends only on (shuffle_seed, epoch).
  struct FitStart {
    int epoch = 0;              ///< the first epoch to run
    int64_t step = 0;           ///< batches of that epoch already done (skipped)
    uint64_t shuffle_seed = 0;  ///< FitOptions::seed, or the seed drawn for this fit()
  };
  FitStart fit_start{};

 private:
  void update_metrics(const std::vector<Tensor>& y, const std::vector<Tensor>& y_pred,
                      const Tensor& sample_weight);
  // The loops shared by the tensor and Dataset overloads.
  callbacks::History fit_loop(detail::BatchSource& train, detail::BatchSource* validation,
                              const FitOptions& options);
  Logs evaluate_loop(detail::BatchSource& source, int verbose,
                     const std::vector<callbacks::CallbackArg>& callbacks);
  // fit's validation runs the test hooks of fit's own callbacks (as Keras's fit passes
  // its CallbackList to evaluate).
  Logs evaluate_loop(detail::BatchSource& source, callbacks::CallbackList& callbacks);
  std::vector<Tensor> predict_loop(detail::BatchSource& source, int verbose,
                                   const std::vector<callbacks::CallbackArg>& callbacks);
  void resolve_metrics(const std::vector<Tensor>& y, const std::vector<Tensor>& y_pred);
  std::vector<std::string> output_names() const;

  bool compiled_ = false;
  CompileOptions compile_options_{};
  optimizers::OptimizerPtr optimizer_;
  std::vector<losses::LossPtr> losses_;
  std::vector<double> loss_weights_;
  std::vector<std::vector<metrics::MetricPtr>> metrics_, weighted_metrics_;  // per output
  // "<output>_loss" of a model with several outputs: each output's unweighted loss.
  std::vector<std::shared_ptr<metrics::Mean>> output_loss_trackers_;
  bool metrics_resolved_ = false;
  std::vector<metrics::MetricPtr> tracked_metrics_;  // track_metric()
  std::shared_ptr<metrics::Mean> loss_tracker_;      // the running "loss" of the logs
  bool loss_seen_ = false;  // the tracker was updated since the last reset
  mutable int traced_ = -1;  // traced_steps(), decided at the first step after compile()
  // One step (train, test or predict) on a batch: through the traced function, or eagerly.
  std::vector<Tensor> run_step(std::unique_ptr<StepFunction>& fn, int kind, const std::vector<Tensor>& x,
                               const std::vector<Tensor>& y, const Tensor& sample_weight);
  std::unique_ptr<StepFunction> train_fn_, test_fn_, predict_fn_;
  mutable std::recursive_mutex state_mu_;  // held by each step (see lock_state())
  std::atomic<std::thread::id> runner_{};  // the thread in fit/evaluate, if any
  friend class RunGuard;
};

class FunctionalModel : public Model {
 public:
  FunctionalModel(std::vector<KerasTensor> inputs, std::vector<KerasTensor> outputs,
                  const LayerOptions& options = {});
  std::vector<Tensor> call(const std::vector<Tensor>& xs, bool training) override;
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  std::vector<LayerPtr> layers() const override;
  /// Keras's functional config: every layer's config with the calls feeding it
  /// ("inbound_nodes": per call, [layer name, call index, output index] of each input),
  /// and the model's input and output tensors in the same form.
  Config get_config() const override;
  static LayerPtr from_config(const Config& c);
  const std::vector<KerasTensor>& inputs() const { return inputs_; }
  const std::vector<KerasTensor>& outputs() const { return outputs_; }
  /// Calls in execution order (InputLayers excluded).
  const std::vector<std::shared_ptr<layers::Node>>& nodes() const { return nodes_; }

 private:
  std::vector<KerasTensor> inputs_, outputs_;
  std::vector<std::shared_ptr<layers::Node>> nodes_;
  std::vector<LayerPtr> layers_;  // inputs' layers first, then in execution order
};

class SequentialModel : public Model {
 public:
  explicit SequentialModel(std::vector<LayerPtr> layers = {}, const LayerOptions& options = {});
  void add(const LayerPtr& layer);
  void pop();
  std::vector<LayerPtr> layers() const override;
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  void build(const ShapeSpec& input_shape) override;
  Config get_config() const override;  ///< the layers' configs and the input shape
  static LayerPtr from_config(const Config& c);

 private:
  void trace_from(size_t first);  // symbolic shapes through layers [first, n)
  std::vector<LayerPtr> layers_;
  std::shared_ptr<InputLayer> input_;  // when the input shape is known
  KerasTensor last_;                   // symbolic output of the traced prefix
  size_t traced_ = 0;
};

Ref<FunctionalModel> Functional(std::vector<KerasTensor> inputs, std::vector<KerasTensor> outputs,
                                const LayerOptions& options = {});
Ref<SequentialModel> Sequential(std::vector<LayerPtr> layers = {}, const LayerOptions& options = {});

}  // namespace keras
