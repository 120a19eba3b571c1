// rnn_cell.h - the recurrent cell interface (Keras's cell protocol, what keras.layers.RNN
// iterates over time) and the options of the built-in cells and recurrent layers.
//
// A cell is a layer that computes one timestep:
//   step(inputs (batch, features), states {(batch, state_size[i])...}, training)
//     -> {output (batch, output_size), new states...}
// A user cell subclasses RNNCell and overrides state_size(), output_size(), build()
// (weights from the step input shape (batch, features)), step() and get_config(); it is
// registered like any layer (register_layer) so an RNN holding it can be saved.
//
// Called directly, a cell takes {inputs, *states} and returns {output, *new_states}; a
// cell called on inputs alone starts from zero states and returns the output.
#pragma once
#include "keras/layers/args.h"
#include "keras/layers/layer.h"
#include "keras/layers/seed_generator.h"

namespace keras::layers {

/// The recurrent cell interface (Keras's cell protocol): a layer computing one timestep,
/// run over time by RNNLayer. Subclass it for a custom cell.
class RNNCell : public Layer {
 public:
  using Layer::Layer;
  using Layer::build;
  /// The size of each state (LSTM: {units, units}) and of the output.
  virtual std::vector<int64_t> state_size() const = 0;
  /// The size of the output of one step (the last axis of the RNN's output).
  virtual int64_t output_size() const = 0;
  /// One timestep. `inputs` is what project_inputs() returned for this timestep.
  virtual std::vector<Tensor> step(const Tensor& inputs, const std::vector<Tensor>& states, bool training) = 0;
  /// The part of the step that depends on the inputs only (the built-in cells: the input
  /// dropout and inputs @ kernel + bias); the default is the identity.
  virtual Tensor project_inputs(const Tensor& inputs, bool training);
  /// The states a sequence starts from (zeros) for a batch of `inputs` (batch, ...), in
  /// their dtype. The batch size is read from `inputs` when a traced graph runs, so one
  /// graph serves every batch size (Keras's get_initial_state(batch_size), whose size is a
  /// tensor there).
  virtual std::vector<Tensor> get_initial_state(const Tensor& inputs) const;
  /// The same for a batch size known in C++.
  std::vector<Tensor> get_initial_state(int64_t batch, DType dtype) const;
  /// Called by RNN before each sequence: the built-in cells draw new dropout masks.
  virtual void reset_sequence() {}

  void build(const std::vector<ShapeSpec>& input_shapes) override;
  std::vector<Tensor> call(const std::vector<Tensor>& xs, const CallContext& ctx) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
};

/// A shared handle to a cell.
using RNNCellPtr = Ref<RNNCell>;

/// Keras 3's `use_cudnn` of LSTM and GRU: "auto" (the default) runs the whole sequence as
/// one fused op (lstm_sequence / gru_sequence, core/rnn.h) whenever the layer allows it
/// (see RNNLayer), true requires it (the call throws std::invalid_argument when the layer's
/// configuration, mask, device or dtype rule it out), false always composes the cell's
/// step. Converts from "auto" and from a bool; any other string throws
/// std::invalid_argument (Keras's ValueError). Not part of the config (as in Keras).
struct UseCudnnArg {
  /// The three values.
  enum class Mode { kAuto, kTrue, kFalse };
  Mode mode = Mode::kAuto;  ///< which one
  UseCudnnArg() = default;  ///< "auto"
  /// true or false.
  UseCudnnArg(bool b) : mode(b ? Mode::kTrue : Mode::kFalse) {}  // NOLINT(google-explicit-constructor)
  ///@{
  /// "auto" (anything else throws std::invalid_argument).
  UseCudnnArg(const char* s);         // NOLINT(google-explicit-constructor)
  UseCudnnArg(const std::string& s);  // NOLINT(google-explicit-constructor)
  ///@}
};

/// The arguments of SimpleRNN/LSTM/GRU and of their cells, as Keras's keyword arguments.
/// recurrent_activation and unit_forget_bias apply to LSTM (and recurrent_activation to
/// GRU), reset_after to GRU; the RNN-layer options are ignored by the cells.
struct RecurrentOptions {
  /// Activation of the candidate state and output (Keras `activation`, default tanh).
  ActivationArg activation = "tanh";
  /// Activation of the gates, LSTM and GRU (Keras `recurrent_activation`, default sigmoid).
  ActivationArg recurrent_activation = "sigmoid";
  /// Whether the cell has a bias (Keras `use_bias`, default true).
  bool use_bias = true;
  /// Initializer of the input kernel (default glorot_uniform).
  InitializerArg kernel_initializer = "glorot_uniform";
  /// Initializer of the recurrent kernel (default orthogonal).
  InitializerArg recurrent_initializer = "orthogonal";
  /// Initializer of the bias (default zeros).
  InitializerArg bias_initializer = "zeros";
  bool unit_forget_bias = true;  ///< LSTM: the forget gate's bias starts at 1
  bool reset_after = true;       ///< GRU: the reset gate after the recurrent product (bias (2, 3 * units))
  ///@{
  /// Penalties on the kernel, the recurrent kernel, the bias and the layer's outputs (Keras
  /// `*_regularizer`; none by default).
  RegularizerArg kernel_regularizer{}, recurrent_regularizer{}, bias_regularizer{}, activity_regularizer{};
  ///@}
  ///@{
  /// Constraints applied to the kernel, the recurrent kernel and the bias after each
  /// optimizer step (none by default).
  ConstraintArg kernel_constraint{}, recurrent_constraint{}, bias_constraint{};
  ///@}
  ///@{
  /// Fractions of the inputs and of the recurrent state dropped in training: one mask per
  /// sequence, the same at every timestep (Keras's implementation 2: shared by the gates).
  double dropout = 0.0, recurrent_dropout = 0.0;
  ///@}
  int64_t seed = -1;  ///< of the dropout masks; -1 = unseeded (Keras: None)
  /// The recurrent layer's (keras.layers.RNN's) options:
  bool return_sequences = false;  ///< the output at every timestep, else the last one
  bool return_state = false;      ///< also the last states
  bool go_backwards = false;      ///< read the sequence backwards (the outputs stay in that order)
  bool stateful = false;          ///< each batch starts from the last batch's final states
  bool unroll = false;            ///< true: never the fused op (the composed loop always unrolls)
  /// LSTM and GRU: whether the sequence runs as one fused op (Keras 3 `use_cudnn`; see
  /// UseCudnnArg).
  UseCudnnArg use_cudnn{};
  bool zero_output_for_mask = false;  ///< masked steps output zeros, not the previous output
  /// Layer name (default: generated, lstm, lstm_1, ...).
  std::string name{};
  /// Whether the weights are trained (default true).
  bool trainable = true;
  /// The dtype policy of the layer and its cell ("mixed_float16", a DType, a
  /// mixed_precision::DTypePolicy; unset: the global policy when made), as
  /// LayerOptions::dtype: weights in its variable dtype; inputs, states, computations and
  /// outputs in its compute dtype (Keras 3's RNN layers under mixed precision).
  std::optional<mixed_precision::DTypePolicy> dtype{};
  /// Input shape without the batch axis, (time, features) for a layer (first layer of a
  /// Sequential).
  ShapeSpec input_shape{};
};

/// The built-in cells' shared part: units, options, the weights kernel (in, gates * units),
/// recurrent_kernel (units, gates * units) and bias, the dropout masks, the config.
/// The built-in cells' base (SimpleRNNCell, LSTMCell, GRUCell): units, options, the weights
/// kernel (in, gates * units), recurrent_kernel (units, gates * units) and bias, the
/// dropout masks, the config.
class KerasCell : public RNNCell {
 public:
  /// gates: how many blocks of units the kernels hold (1, 3 or 4); throws
  /// std::invalid_argument unless units > 0 and the dropout rates lie in [0, 1].
  KerasCell(std::string class_name, int64_t units, int gates, const RecurrentOptions& options);
  std::vector<int64_t> state_size() const override;
  /// units: the output is the hidden state.
  int64_t output_size() const override { return units_; }
  Tensor project_inputs(const Tensor& inputs, bool training) override;
  void reset_sequence() override;
  Config get_config() const override;
  const SeedGenerator* seed_generator() const override { return &seeds_; }

  /// Size of the hidden state (Keras `units`).
  int64_t units() const { return units_; }
  /// The options the cell was made with.
  const RecurrentOptions& options() const { return o_; }
  /// The fused sequence op that computes this cell over a whole sequence ("lstm_sequence",
  /// "gru_sequence"), or nullptr when none does for its options (Keras 3's cuDNN
  /// conditions: activation tanh, recurrent_activation sigmoid, use_bias, no
  /// recurrent_dropout, GRU reset_after). SimpleRNNCell has none.
  virtual const char* fused_op() const { return nullptr; }
  /// Runs the sequence x (batch, time, features) from `states` through fused_op() (the
  /// input dropout applied to x first, one mask for the sequence as the step loop draws
  /// it): returns {every timestep's output (batch, time, units), the final states...}.
  /// `mask` (bool (batch, time), or undefined) as the ops take it (core/rnn.h): a masked
  /// step keeps the states and repeats the previous output. Throws std::logic_error when
  /// fused_op() is nullptr.
  virtual std::vector<Tensor> run_fused(const Tensor& x, const std::vector<Tensor>& states, const Tensor& mask,
                                        bool training);
  ///@{
  /// The kernel, recurrent kernel and bias weights, defined once built (bias stays
  /// undefined without use_bias).
  Variable kernel, recurrent_kernel, bias;
  ///@}

 protected:
  /// Adds kernel, recurrent_kernel and (use_bias) bias of bias_shape with `bias_init`.
  void build_weights(const ShapeSpec& input_shape, const Shape& bias_shape, InitializerArg bias_init);
  /// The bias added to the input projection (the whole bias but for GRU's reset_after).
  virtual Tensor input_bias() const { return bias; }
  /// Whether the options allow a fused op (the conditions fused_op() lists but GRU's).
  bool fusable_options() const;
  /// x (batch, time, features) times the input dropout mask in training (the mask of one
  /// step, (batch, features), drawn as project_inputs draws it, the same at every step).
  Tensor drop_sequence(const Tensor& x, bool training);
  /// The weight `v` in the compute dtype `dtype`.
  static Tensor weight_as(const Variable& v, DType dtype);
  /// h * the recurrent dropout mask in training (drawn at the first step of a sequence).
  Tensor drop_recurrent(const Tensor& h, bool training);
  /// Which config keys this cell writes (SimpleRNN has no recurrent_activation, ...).
  virtual void write_cell_config(Config& c) const = 0;

  /// Size of the hidden state.
  int64_t units_;
  /// Number of gate blocks in the kernels (SimpleRNN 1, GRU 3, LSTM 4).
  int gates_;
  /// The options the cell was made with.
  RecurrentOptions o_;

 private:
  SeedGenerator seeds_;
  Tensor input_mask_, recurrent_mask_;
};

namespace detail {
/// A RecurrentOptions from a cell's or recurrent layer's config (Keras's keys and defaults).
RecurrentOptions recurrent_options_from(const Config& c);
/// The built-in cells' config entries (activation ... seed) written by the cells and by
/// the layers (which flatten their cell's arguments into their own config, as Keras).
void write_recurrent_config(Config& c, const RecurrentOptions& o, bool recurrent_activation, bool unit_forget_bias,
                            bool reset_after);
}  // namespace detail

}  // namespace keras::layers
