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
/// keras.layers.InputLayer: the layer behind keras::Input; passes its input through and
/// holds the symbolic input tensor of a model.
class InputLayer : public layers::Layer {
 public:
  /// shape excludes the batch axis; batch_size -1 = None.
  InputLayer(const ShapeSpec& shape, DType dtype = DType::float32, std::string name = "",
             int64_t batch_size = -1, bool sparse = false, bool ragged = false);
  Tensor call(const Tensor& x, bool training) override;
  Config get_config() const override;
  /// Rebuilds an InputLayer from get_config()'s {"name", "batch_shape", "dtype"}.
  static LayerPtr from_config(const Config& c);
  /// The input shape with the batch axis first (-1 for None).
  const ShapeSpec& batch_shape() const { return batch_shape_; }
  bool sparse() const { return sparse_; }  ///< Input(..., {.sparse = true})
  bool ragged() const { return ragged_; }  ///< Input(..., {.ragged = true})
  /// The symbolic output (needs shared ownership). Its node is held weakly here, so the
  /// layer and its output do not keep each other alive.
  KerasTensor output();
  /// output(), discarding the result (creates the symbolic node).
  void make_output() { output(); }
  /// x converted to dtype (Keras converts a model's inputs to its Inputs' dtypes: uint8
  /// images feed a float32 model); a sparse or ragged x (as_tensor() handles) stays so,
  /// its values converted.
  static Tensor convert(const Tensor& x, DType dtype);

 private:
  ShapeSpec batch_shape_;
  bool sparse_ = false;
  bool ragged_ = false;
  std::weak_ptr<layers::Node> node_;
};

/// keras::Input's options (keras.Input's keyword arguments).
struct InputOptions {
  /// The input's dtype (Keras's default float32); a model converts its inputs to it.
  DType dtype = DType::float32;
  /// The InputLayer's name; empty: a generated one.
  std::string name{};
  /// A fixed batch size; -1: any (None).
  int64_t batch_size = -1;
  /// The model takes SparseTensors here (as_tensor() handles): layers that accept them
  /// (Dense) use sparse kernels; fit, evaluate and predict then run eagerly.
  bool sparse = false;
  /// The model takes RaggedTensors here (as_tensor() handles; Keras 3's `ragged=True`,
  /// shape {-1} for ragged rows): layers that accept them (Embedding, the 1-d global
  /// poolings) keep or reduce the ragged dimension, others raise; fit, evaluate and
  /// predict then run eagerly.
  bool ragged = false;
};
/// keras.Input: a symbolic input of the given shape (without the batch axis).
KerasTensor Input(const ShapeSpec& shape, const InputOptions& options = {});

// ---- compile / fit options -----------------------------------------------------------------
/// An optimizer by name ("adam") or object.
struct OptimizerArg {
  /// The optimizer.
  optimizers::OptimizerPtr ptr;
  ///@{
  /// optimizers::get(name): "adam", "sgd", "rmsprop", ...; an unknown name throws
  /// std::invalid_argument.
  OptimizerArg(const char* name) : ptr(optimizers::get(name)) {}
  OptimizerArg(const std::string& name) : ptr(optimizers::get(name)) {}
  ///@}
  /// An optimizer object (shared).
  template <class T, class = std::enable_if_t<std::is_base_of_v<optimizers::Optimizer, T>>>
  OptimizerArg(std::shared_ptr<T> p) : ptr(std::move(p)) {}
};

/// One loss, or one per output ({"mse", "sparse_categorical_crossentropy"}).
struct LossList : std::vector<losses::LossArg> {
  LossList() = default;
  /// One loss per output, in the order of the outputs.
  LossList(std::initializer_list<losses::LossArg> l) : std::vector<losses::LossArg>(l) {}
  /// One loss (a name, object or function) applied to every output.
  template <class T, class = std::enable_if_t<std::is_constructible_v<losses::LossArg, T&&>>>
  LossList(T&& one) {
    push_back(losses::LossArg(std::forward<T>(one)));
  }
};

/// compile()'s arguments (Keras's Model.compile).
struct CompileOptions {
  /// The optimizer, by name or object (Keras's default "rmsprop").
  OptimizerArg optimizer = "rmsprop";
  /// One loss for every output, or one per output; may be empty when a custom train_step or
  /// the layers' add_loss provide the loss.
  LossList loss{};
  /// Keras's `metrics` as a list: with one output every metric applies to it; with several,
  /// a list of one metric per output gives each output its own (Keras's rule; another
  /// length raises when the step runs). Names given as strings are the names in the logs
  /// ("mae" logs "mae" and "val_mae"; with several outputs "<output>_mae").
  /// sample_weight and class_weight do not apply to them.
  std::vector<metrics::MetricArg> metrics{};
  /// Like metrics, but weighted by sample_weight and class_weight (Keras 3); one named
  /// like a plain metric logs as "weighted_<name>".
  std::vector<metrics::MetricArg> weighted_metrics{};
  /// Keras's metrics given as one list per output (`metrics=[["mae"], [], ["acc"]]`, or a
  /// dict by output name): when not empty, it holds one list per output and replaces
  /// `metrics`.
  std::vector<std::vector<metrics::MetricArg>> metrics_per_output{};
  /// The same for weighted_metrics.
  std::vector<std::vector<metrics::MetricArg>> weighted_metrics_per_output{};
  std::vector<double> loss_weights{};         ///< one per output (default 1)
  /// false (the default): fit/evaluate/predict trace their steps into graphs
  /// (keras::function) unless a layer is dynamic; true: every step runs op by op.
  bool run_eagerly = false;
  /// The traced steps' jit_compile (keras::function's option; Keras's "auto" when unset:
  /// the default passes with fusion). Ignored when the steps run eagerly.
  std::optional<bool> jit_compile{};
  /// Keras 3's auto_scale_loss: true (the default) wraps the optimizer in a
  /// LossScaleOptimizer when the model's dtype policy is mixed_float16 (and it is not one
  /// already); false leaves it as given.
  bool auto_scale_loss = true;
};

/// fit()'s validation_data: {x_val, y_val}, {x_val, y_val, sample_weight}, or a Dataset
/// of (x, y) or (x, y, sample_weight) batches.
struct ValidationData {
  ValidationData() = default;
  /// {x_val, y_val} or {x_val, y_val, sample_weight} (one input and one output).
  ValidationData(std::initializer_list<Tensor> arrays) : arrays(arrays) {}
  /// The same as a vector.
  ValidationData(std::vector<Tensor> arrays) : arrays(std::move(arrays)) {}  // NOLINT
  /// A Dataset of (x, y) or (x, y, sample_weight) batches.
  ValidationData(data::Dataset dataset) : dataset(std::move(dataset)) {}     // NOLINT
  /// A utils::PyDataset's batches (keras/utils/py_dataset.h).
  template <class T>
    requires std::is_base_of_v<utils::PyDataset, T>
  ValidationData(std::shared_ptr<T> py_dataset) : dataset(data::Dataset(std::move(py_dataset))) {}  // NOLINT
  /// Whether no validation data was given.
  bool empty() const { return arrays.empty() && !dataset; }
  /// x_val, y_val and optionally sample_weight.
  std::vector<Tensor> arrays{};
  /// The validation Dataset, if given.
  std::optional<data::Dataset> dataset{};
};

/// fit()'s arguments (Keras's Model.fit keyword arguments and defaults).
struct FitOptions {
  /// Samples per batch (Keras's default 32); ignored for a Dataset.
  int64_t batch_size = 32;
  /// The epoch to train up to (from initial_epoch).
  int epochs = 1;
  int verbose = 1;  ///< 0 silent, 1 progress bar, 2 one line per epoch
  /// The user's callbacks; fit() adds the progress bar and History after them.
  std::vector<callbacks::CallbackArg> callbacks{};
  double validation_split = 0.0;  ///< the last fraction of the samples, before shuffling
  /// Evaluated every validation_freq epochs and logged with "val_"; takes precedence over
  /// validation_split.
  ValidationData validation_data{};
  /// Shuffle the training samples before each epoch (tensors only).
  bool shuffle = true;
  std::map<int64_t, double> class_weight{};  ///< class id -> weight of its samples
  /// Per-sample loss weights, shape (n,) (tensors only; a Dataset gives them in its
  /// elements).
  Tensor sample_weight{};
  /// The epoch to start at (to resume a previous run).
  int initial_epoch = 0;
  /// -1: the whole dataset. With a Dataset, the iterator then continues from one epoch
  /// to the next (needed for an infinite, repeated dataset).
  int64_t steps_per_epoch = -1;
  /// Validate every N epochs.
  int validation_freq = 1;
  int64_t seed = -1;  ///< shuffling seed; -1 draws one from core's global generator
  int64_t validation_steps = -1;  ///< batches of a validation Dataset per validation (-1: all)
};

/// evaluate()'s arguments (Keras's Model.evaluate).
struct EvaluateOptions {
  /// Samples per batch (Keras's default 32); ignored for a Dataset.
  int64_t batch_size = 32;
  /// 0 silent, 1 progress bar, 2 one line.
  int verbose = 1;
  /// Per-sample loss weights, shape (n,) (tensors only).
  Tensor sample_weight{};
  /// Callbacks whose test hooks run.
  std::vector<callbacks::CallbackArg> callbacks{};
  int64_t steps = -1;  ///< batches to evaluate (-1: all)
};

/// predict()'s arguments (Keras's Model.predict).
struct PredictOptions {
  /// Samples per batch (Keras's default 32); ignored for a Dataset.
  int64_t batch_size = 32;
  /// 0 silent (the default here), 1 progress bar, 2 one line.
  int verbose = 0;
  /// Callbacks whose predict hooks run.
  std::vector<callbacks::CallbackArg> callbacks{};
  int64_t steps = -1;  ///< batches to predict (-1: all)
};

namespace detail {
class BatchSource;  ///< trainer.cpp: where fit/evaluate/predict take their batches from
}

// ---- Model --------------------------------------------------------------------------------
/// keras.Model: the base of every model, a Layer with compile, fit, evaluate, predict,
/// saving and summary. Subclass it and override call() (Keras's subclassing), or build a
/// Functional or Sequential model.
class Model : public layers::Layer {
 public:
  /// For subclasses: `class_name` is the name serialization writes.
  explicit Model(const LayerOptions& options = {}, std::string class_name = "Model");

  /// The layers of the model: for Functional and Sequential models in order, for
  /// subclassed models the tracked sublayers.
  virtual std::vector<LayerPtr> layers() const;
  LayerPtr get_layer(const std::string& name) const;  ///< throws listing the names
  /// The layer at `index` in layers(); out of range throws std::invalid_argument.
  LayerPtr get_layer(int64_t index) const;
  /// A model's outputs carry the masks its layers attached; it adds none.
  std::vector<Tensor> compute_mask(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks) override;

  /// Keras's summary table; summary() prints it to stdout. line_length > 0: the table is
  /// that wide, its columns split as Keras splits them, long cells wrapped (0: as wide as
  /// the cells need).
  std::string summary_string(int line_length = 0) const;
  /// Prints summary_string(line_length) to stdout.
  void summary(int line_length = 0) const;

  // ---- quantization (keras/models/quantize.cpp) ----
  /// Keras's Model.quantize(mode): quantizes every leaf layer (one without sublayers) that
  /// takes the mode ("int8", "int4", "int4/<block_size>": Dense, EinsumDense, Embedding;
  /// "float8": Dense, EinsumDense); leaf layers that do not are skipped with a warning
  /// naming them, as Keras does. The traced steps are dropped (traced again at the next
  /// call). Another mode throws std::invalid_argument.
  void quantize(const std::string& mode) override;
  /// quantize(mode) on the leaf layers `filter` accepts (Keras's callable `filters`).
  void quantize(const std::string& mode, const std::function<bool(const layers::Layer&)>& filter);
  /// quantize(mode) on the leaf layers whose name one of the regular expressions matches
  /// (std::regex_search, as Keras's regex `filters`).
  void quantize(const std::string& mode, const std::vector<std::string>& name_patterns);

  // ---- training (keras/trainers/trainer.cpp) ----
  /// Sets the optimizer, losses and metrics (Keras's compile) and resets the metrics and
  /// traced steps. A null optimizer or loss throws std::invalid_argument.
  void compile(const CompileOptions& options);
  /// Whether compile() has been called.
  bool compiled() const { return compiled_; }
  ///@{
  /// Trains on arrays (Keras's fit): the x and y tensors, one per input and output, sliced
  /// into batches; returns the History. Needs compile(); invalid options throw
  /// std::invalid_argument.
  callbacks::History fit(const Tensor& x, const Tensor& y, const FitOptions& options = {});
  callbacks::History fit(const std::vector<Tensor>& x, const std::vector<Tensor>& y,
                         const FitOptions& options = {});
  ///@}
  ///@{
  /// Loss and metrics on arrays (Keras's evaluate), one tensor per input and output. Needs
  /// compile().
  Logs evaluate(const Tensor& x, const Tensor& y, const EvaluateOptions& options = {});
  Logs evaluate(const std::vector<Tensor>& x, const std::vector<Tensor>& y,
                const EvaluateOptions& options = {});
  ///@}
  ///@{
  /// The model's outputs on x, batch by batch (Keras's predict, training = false); the
  /// single-tensor form throws for a model with several outputs.
  Tensor predict(const Tensor& x, const PredictOptions& options = {});
  std::vector<Tensor> predict(const std::vector<Tensor>& x, const PredictOptions& options = {});
  ///@}
  ///@{
  /// On a Dataset of batches (Keras: batch_size and shuffle are ignored): elements
  /// (x, y) or (x, y, sample_weight) for fit and evaluate, (x) or (x, ...) for predict.
  /// A utils::PyDataset converts to one: its epoch hooks run around each pass, and fit's
  /// `shuffle` shuffles its batch order at each epoch.
  /// Several inputs / outputs: (x1, x2, y1, y2[, sample_weight]), or named elements keyed
  /// by the input and output layers' names (and "sample_weight").
  callbacks::History fit(const data::Dataset& dataset, const FitOptions& options = {});
  Logs evaluate(const data::Dataset& dataset, const EvaluateOptions& options = {});
  Tensor predict(const data::Dataset& dataset, const PredictOptions& options = {});
  ///@}
  /// One training step on one batch (Keras's train_on_batch) after resetting the metrics;
  /// returns that batch's loss and metrics. Needs compile().
  Logs train_on_batch(const std::vector<Tensor>& x, const std::vector<Tensor>& y,
                      const Tensor& sample_weight = Tensor());
  /// Loss and metrics of one batch (Keras's test_on_batch) after resetting the metrics.
  /// Needs compile().
  Logs test_on_batch(const std::vector<Tensor>& x, const std::vector<Tensor>& y,
                     const Tensor& sample_weight = Tensor());
  /// The model's outputs on one batch (Keras's predict_on_batch).
  std::vector<Tensor> predict_on_batch(const std::vector<Tensor>& x);

  /// One optimization step on a batch; override to customize fit() (Keras's train_step).
  /// Updates the compiled metrics; returns the batch loss.
  virtual Tensor train_step(const std::vector<Tensor>& x, const std::vector<Tensor>& y,
                            const Tensor& sample_weight);
  /// The compiled loss of a batch: weighted sum over outputs plus the layers' losses.
  /// Override to customize the loss (Keras's compute_loss); train_step and evaluate call it.
  virtual Tensor compute_loss(const std::vector<Tensor>& y, const std::vector<Tensor>& y_pred,
                              const Tensor& sample_weight);
  /// The names of a functional model's output layers, in order (Keras's output_names: the
  /// prefixes of the per-output logs); empty for other models.
  std::vector<std::string> output_names() const;
  /// The loss and metrics of the current epoch (running values), as the progress bar shows.
  Logs metrics_result() const;
  /// Resets the loss, the compiled metrics and the tracked metrics (fit does at each epoch,
  /// evaluate at its start).
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

  /// Moves the model to `device` (as PyTorch's `model.to`): every weight, and the
  /// optimizer's variables once it has any; the traced steps trace again on their next
  /// use. fit/evaluate/predict copy each batch to the device of the model's weights. Throws
  /// std::invalid_argument naming the device and the CUDA devices visible when `device`
  /// does not exist.
  void to(core::Device device);
  /// Where the model's weights live (the first weight's device; the CPU before any exists).
  core::Device device() const;

  /// The optimizer set by compile() (null before).
  const optimizers::OptimizerPtr& optimizer() const { return optimizer_; }
  /// Whether fit/evaluate/predict run traced steps: compiled without run_eagerly, and no
  /// layer of the model is dynamic (Keras's model.run_eagerly, inverted). Decided once
  /// after each compile().
  bool traced_steps() const;
  /// The traced steps (null before their first use, or when running eagerly); their
  /// tracing_count() says how often they traced.
  using StepFunction = core::Function<std::function<std::vector<Tensor>(
      const std::vector<Tensor>&, const std::vector<Tensor>&, const std::vector<Tensor>&)>>;
  /// The traced train step (null before the first traced step).
  const StepFunction* train_function() const { return train_fn_.get(); }
  /// The traced test step, used by evaluate and fit's validation (null before its first
  /// use).
  const StepFunction* test_function() const { return test_fn_.get(); }
  /// The options of the last compile() (what save() records).
  const CompileOptions& compile_options() const { return compile_options_; }
  /// Keras's model.get_compile_config(): the compile configuration as Keras 3 serializes
  /// it ({"optimizer": {"module", "class_name", "config", ...}, "loss", "loss_weights",
  /// "metrics", "weighted_metrics", "run_eagerly", "steps_per_execution", "jit_compile"});
  /// null before compile().
  Config get_compile_config() const;
  /// Keras's model.compile_from_config(config): compile() from get_compile_config()'s form
  /// (fresh optimizer, losses and metrics); an option keras-cpp cannot honour throws
  /// std::invalid_argument naming it.
  void compile_from_config(const Config& config);
  /// Set to true (a callback does) to end fit() after the current batch (Keras's
  /// model.stop_training).
  bool stop_training = false;

  // ---- saving (keras/saving/saving.cpp; see keras/saving/saving.h) ----
  /// Saves the whole model to `path` (saving::save_model): architecture, weights, compile
  /// configuration, optimizer state.
  void save(const std::string& path) const;
  /// Keras's model.export: the inference function (call with training = false) and the
  /// current weights as a graph file that keras::load_function runs without this code
  /// (keras/saving/export.h). The signature comes from the model's inputs (batch axis
  /// -1: any size) or from options.input_signature. format "onnx" writes an ONNX model
  /// instead (Keras's format="onnx"; keras::saving::export_onnx).
  struct ExportOptions {
    /// The inputs' specs (shape with -1 for any size, dtype); empty: from the model's
    /// inputs.
    std::vector<core::TensorSpec> input_signature{};
    /// "kgraph" (keras-cpp's graph file, the default), "archive" (an ExportArchive with
    /// endpoint "serve" and the model's weights as variables, keras/export_archive.h) or
    /// "onnx".
    std::string format = "kgraph";
  };
  /// Writes the graph file; without known input shapes and without input_signature it
  /// throws std::invalid_argument.
  void export_graph(const std::string& path, const ExportOptions& options) const;
  /// export_graph with the signature taken from the model's inputs.
  void export_graph(const std::string& path) const { export_graph(path, ExportOptions{}); }
  /// Keras's model.to_json(): the architecture (and the compile configuration once
  /// compiled) as Keras 3's serialized JSON ({"module": "keras", "class_name":
  /// "Functional", "config": ...}, the config.json of a `.keras` file), which
  /// keras.models.model_from_json and keras::models::model_from_json read. No weights.
  /// indent < 0: one line. A subclassed model throws std::invalid_argument.
  std::string to_json(int indent = -1) const;
  /// Writes the weights only (saving::save_weights; a ".npz" path writes a NumPy archive).
  void save_weights(const std::string& path) const;
  /// Reads weights saved by save_weights, save or save_checkpoint (saving::load_weights); a
  /// count, shape or dtype mismatch throws.
  void load_weights(const std::string& path);

  // ---- threads ----
  /// The contract: fit, evaluate, train_on_batch and test_on_batch run in one thread at a
  /// time (a call from a second thread while one runs raises std::runtime_error; the
  /// running thread may nest them, e.g. from a callback). predict, get_weights,
  /// set_weights, save, save_weights and load_weights are safe from any thread: every
  /// step holds the model's state lock, so they see or write the weights between steps.
  /// Layers of the model are not locked when used directly from other threads.
  std::unique_lock<std::recursive_mutex> lock_state() const { return std::unique_lock(state_mu_); }
  /// The weights' values in the order of weights(), read under the state lock.
  std::vector<Tensor> get_weights() const;
  /// Assigns every weight in the order of weights(), under the state lock; a count or shape
  /// mismatch throws std::invalid_argument.
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
  /// Where the next fit() starts (see FitStart).
  FitStart fit_start{};

  // ---- distribution (keras/distribute/cross_replica.h) ----
  /// The replicas this model is mirrored over: those of the strategy scope active when
  /// the model was created (or, failing that, compiled); null when not distributed.
  /// fit / evaluate / train_on_batch / test_on_batch then take this replica's rows of
  /// each global batch, scale the loss by that share, sum the gradients over the
  /// replicas and read the metrics summed over them.
  const distribute::CrossReplicaPtr& replicas() const { return replicas_; }
  /// The loss whose gradient a replica contributes: `loss` times this replica's share of
  /// the global batch (its rows / the batch's rows), so the summed gradients are those of
  /// the loss over the global batch. `loss` itself when not distributed. A custom
  /// train_step differentiates this (as TensorFlow's custom loops scale by the global
  /// batch size).
  Tensor scale_loss_for_distribution(const Tensor& loss) const;

 private:
  // Distributed: broadcasts replica 0's weights (and optimizer state) before the first
  // step of a fit or evaluate, building the model on `x` first if needed.
  void sync_replicas(const std::vector<Tensor>& x);
  // Distributed: replaces a global batch by this replica's rows and sets the loss scale;
  // false when this replica has no rows (a global batch smaller than the replicas).
  bool take_replica_rows(std::vector<Tensor>& x, std::vector<Tensor>& y, Tensor& sample_weight);
  // Distributed, no rows: takes part in the gradient sum with zeros.
  void empty_replica_step();
  // Distributed: the logs of metrics whose state is summed over the replicas.
  Logs replicated_metrics_result() const;
  Logs local_metrics_result() const;  // this replica's own state
  // Distributed: whether `v` holds on any replica (the loops agree on when to read the
  // metrics, a collective, although only the chief shows a progress bar).
  bool on_any_replica(bool v) const;
  distribute::CrossReplicaPtr replicas_;
  Variable replica_loss_scale_;  // this replica's share of the current global batch
  bool replicas_synced_ = false;
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

/// A model defined by a graph of layer calls from keras::Input tensors to outputs (Keras's
/// functional API); make one with keras::Functional().
class FunctionalModel : public Model {
 public:
  /// Throws std::invalid_argument when inputs or outputs are empty, an input does not come
  /// from keras::Input, or an output depends on a tensor that is not among the inputs
  /// (graph disconnected).
  FunctionalModel(std::vector<KerasTensor> inputs, std::vector<KerasTensor> outputs,
                  const LayerOptions& options = {});
  /// Runs the layer calls in order on xs (one per input; shapes checked, dtypes converted
  /// to the inputs'); returns every output.
  std::vector<Tensor> call(const std::vector<Tensor>& xs, bool training) override;
  Tensor call(const Tensor& x, bool training) override;
  /// The outputs' shapes, with the batch size of the given input shape.
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  /// The layers, in order (Keras's model.layers: the operations of keras::ops called on
  /// symbolic tensors are not layers, see operations()).
  std::vector<LayerPtr> layers() const override;
  /// Every layer and operation node, in order (Keras's model.operations).
  const std::vector<LayerPtr>& operations() const { return layers_; }
  /// Keras's functional config: every layer's config with the calls feeding it
  /// ("inbound_nodes": per call, [layer name, call index, output index] of each input),
  /// and the model's input and output tensors in the same form.
  Config get_config() const override;
  /// Rebuilds the model from get_config()'s form, replaying the layer calls; a malformed
  /// config throws std::invalid_argument.
  static LayerPtr from_config(const Config& c);
  /// The model's inputs (keras::Input tensors).
  const std::vector<KerasTensor>& inputs() const { return inputs_; }
  /// The model's outputs.
  const std::vector<KerasTensor>& outputs() const { return outputs_; }
  /// Calls in execution order (InputLayers excluded).
  const std::vector<std::shared_ptr<layers::Node>>& nodes() const { return nodes_; }

 private:
  std::vector<KerasTensor> inputs_, outputs_;
  std::vector<std::shared_ptr<layers::Node>> nodes_;
  std::vector<LayerPtr> layers_;  // inputs' layers first, then in execution order
};

/// keras.Sequential: a linear stack of layers, each fed the previous one's output; make one
/// with keras::Sequential().
class SequentialModel : public Model {
 public:
  /// Adds the layers in order; options.input_shape (or the first layer's input_shape)
  /// builds the model at once.
  explicit SequentialModel(std::vector<LayerPtr> layers = {}, const LayerOptions& options = {});
  /// Appends a layer (Keras's add); an InputLayer may come only first, a null layer throws
  /// std::invalid_argument. With the input shape known, the model is traced through it at
  /// once.
  void add(const LayerPtr& layer);
  /// Removes the last layer (Keras's pop); an empty model throws std::invalid_argument.
  void pop();
  std::vector<LayerPtr> layers() const override;
  Tensor call(const Tensor& x, bool training) override;
  /// The last layer's output shape once built, with the batch size of the given input
  /// shape.
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  /// Builds the model for `input_shape` (batch axis first) unless its input shape is
  /// already known.
  void build(const ShapeSpec& input_shape) override;
  Config get_config() const override;  ///< the layers' configs and the input shape
  /// Rebuilds the model from get_config()'s form.
  static LayerPtr from_config(const Config& c);
  /// The model's input (its shape, dtype and name); null until the input shape is known.
  const std::shared_ptr<InputLayer>& input_layer() const { return input_; }

 private:
  void trace_from(size_t first);  // symbolic shapes through layers [first, n)
  std::vector<LayerPtr> layers_;
  std::shared_ptr<InputLayer> input_;  // when the input shape is known
  KerasTensor last_;                   // symbolic output of the traced prefix
  size_t traced_ = 0;
};

/// keras.Model(inputs, outputs) (Keras's Functional): a model from keras::Input tensors to
/// output tensors.
Ref<FunctionalModel> Functional(std::vector<KerasTensor> inputs, std::vector<KerasTensor> outputs,
                                const LayerOptions& options = {});
/// keras.Sequential(layers): a stack of layers.
Ref<SequentialModel> Sequential(std::vector<LayerPtr> layers = {}, const LayerOptions& options = {});

}  // namespace keras
