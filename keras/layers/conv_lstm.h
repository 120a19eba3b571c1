// conv_lstm.h - ConvLSTM1D, ConvLSTM2D, ConvLSTM3D (keras.layers): an LSTM whose input and
// recurrent transformations are convolutions. Inputs (batch, time, *spatial, channels)
// (channels_last); the states h and c (batch, *spatial', filters), spatial' the input
// convolution's output size (strides, padding, dilation_rate); the recurrent convolution
// has stride 1 and "same" padding. Weights, on the sublayer "conv_lstm_cell" as Keras's:
// kernel (*kernel_size, channels, 4 * filters), recurrent_kernel (*kernel_size, filters,
// 4 * filters), bias (4 * filters), gates in the order i, f, c, o.
//
//   auto cl = keras::layers::ConvLSTM2D(16, 3, {.padding = "same", .return_sequences = true});
//   Tensor y = (*cl)(frames);                  // (batch, time, h, w, 16)
//   auto out = (*cl)({frames, h0, c0});        // from initial states
#pragma once
#include "keras/layers/args.h"
#include "keras/layers/conv.h"
#include "keras/layers/recurrent_layer.h"
#include "keras/layers/seed_generator.h"

namespace keras::layers {

/// Options of ConvLSTM1D/2D/3D (the keyword arguments of keras.layers.ConvLSTM2D besides
/// filters and kernel_size).
struct ConvLSTMOptions {
  SpatialArg strides = 1;           ///< of the input convolution
  std::string padding = "valid";    ///< of the input convolution: "valid" or "same"
  std::string data_format{};  ///< "channels_last" or "channels_first" (default: config::image_data_format())
  SpatialArg dilation_rate = 1;     ///< of the input convolution
  /// Activation of the candidate state and output (default tanh).
  ActivationArg activation = "tanh";
  /// Activation of the gates (default sigmoid).
  ActivationArg recurrent_activation = "sigmoid";
  bool use_bias = true;  ///< whether the cell has a bias
  /// Initializer of the input kernel (default glorot_uniform).
  InitializerArg kernel_initializer = "glorot_uniform";
  /// Initializer of the recurrent kernel (default orthogonal).
  InitializerArg recurrent_initializer = "orthogonal";
  /// Initializer of the bias (default zeros).
  InitializerArg bias_initializer = "zeros";
  bool unit_forget_bias = true;  ///< the forget gate's bias starts at 1
  ///@{
  /// Penalties on the kernel, the recurrent kernel, the bias and the layer's outputs (none
  /// by default).
  RegularizerArg kernel_regularizer{}, recurrent_regularizer{}, bias_regularizer{}, activity_regularizer{};
  ///@}
  ///@{
  /// Constraints applied to the kernel, the recurrent kernel and the bias after each
  /// optimizer step (none by default).
  ConstraintArg kernel_constraint{}, recurrent_constraint{}, bias_constraint{};
  ///@}
  ///@{
  /// Fractions of the inputs and of the recurrent state h dropped in training: for each
  /// gate one mask per sequence, the same at every timestep (Keras's ConvLSTMCell).
  double dropout = 0.0, recurrent_dropout = 0.0;
  ///@}
  int64_t seed = -1;              ///< of the dropout masks; -1 = unseeded (Keras: None)
  bool return_sequences = false;  ///< the output at every timestep, else the last one
  bool return_state = false;      ///< also the last states h and c
  bool go_backwards = false;      ///< read the sequence backwards (the outputs stay in that order)
  /// Each call starts from the previous call's final states (needs a known batch size;
  /// reset_states() zeroes them), Keras's `stateful`.
  bool stateful = false;
  /// Masked timesteps output zeros instead of repeating the previous output (Keras's RNN
  /// option, which ConvLSTM takes through its keyword arguments).
  bool zero_output_for_mask = false;
  /// Keras's RNN option, kept for the config: the timestep loop always unrolls into a
  /// traced graph here.
  bool unroll = false;
  /// Layer name (default: generated, conv_lstm2d, ...).
  std::string name{};
  /// Whether the weights are trained (default true).
  bool trainable = true;
  /// The dtype policy ("mixed_float16", "float64", a DType, ...; unset: the global policy).
  std::optional<mixed_precision::DTypePolicy> dtype{};
  /// Input shape without the batch axis, (time, *spatial, channels) (first layer of a
  /// Sequential).
  ShapeSpec input_shape{};
};

/// The weights and one timestep of a ConvLSTM layer (Keras's ConvLSTMCell, the sublayer
/// "conv_lstm_cell").
class ConvLSTMCellLayer : public Layer {
 public:
  /// rank: 1, 2 or 3 spatial axes; the layer's checked arguments.
  ConvLSTMCellLayer(int rank, int64_t filters, std::vector<int64_t> kernel_size, std::vector<int64_t> strides,
                    std::vector<int64_t> dilation, std::string padding, const ConvLSTMOptions& options);
  /// From one timestep's shape (batch, *spatial, channels).
  void build(const ShapeSpec& step_shape) override;
  /// {output h, h, c} from one timestep x (batch, *spatial, channels) and the states h,
  /// c. x and h hold one tensor, or four (one per gate i, f, c, o: multiplied by that
  /// gate's dropout mask).
  std::vector<Tensor> step(const std::vector<Tensor>& x, const std::vector<Tensor>& h, const Tensor& c);
  Tensor call(const Tensor& x, bool training) override;  ///< raises: the layer runs the steps
  Config get_config() const override;
  ///@{
  /// The weights, defined once built (bias undefined without use_bias).
  Variable kernel, recurrent_kernel, bias;
  ///@}

 private:
  int rank_;
  int64_t filters_;
  std::vector<int64_t> kernel_size_, strides_, dilation_;
  std::string padding_;
  ConvLSTMOptions o_;
};

/// A convolutional LSTM (keras.layers.ConvLSTM1D/2D/3D), made by ConvLSTM1D/2D/3D().
/// Inputs {x} or {x, h0, c0}; a (batch, time) keras mask keeps the states at masked
/// timesteps and repeats the previous output (zeros with zero_output_for_mask), as Keras's
/// RNN.
class ConvLSTMLayer : public RecurrentLayer {
 public:
  /// Throws std::invalid_argument for filters < 1, bad window arguments (Keras's checks),
  /// dropout rates outside [0, 1].
  ConvLSTMLayer(int rank, int64_t filters, const SpatialArg& kernel_size, const ConvLSTMOptions& options = {});
  void build(const std::vector<ShapeSpec>& input_shapes) override;  ///< the sequence's, then initial states'
  void build(const ShapeSpec& input_shape) override { build(std::vector<ShapeSpec>{input_shape}); }
  std::vector<Tensor> call(const std::vector<Tensor>& xs, const CallContext& ctx) override;
  std::vector<Tensor> compute_mask(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's "ConvLSTM1D",
  /// "ConvLSTM2D", "ConvLSTM3D").
  template <int Rank>
  static LayerPtr from_config(const Config& c) {
    return from_config_rank(Rank, c);
  }
  const SeedGenerator* seed_generator() const override { return &seeds_; }

  bool return_sequences() const override { return o_.return_sequences; }
  bool return_state() const override { return o_.return_state; }
  bool go_backwards() const override { return o_.go_backwards; }
  bool stateful() const override { return o_.stateful; }
  size_t num_states() const override { return 2; }  ///< h and c
  /// Stateful layers: the states h and c the next call starts from, in the layer's
  /// data format (empty before the build).
  std::vector<Tensor> states() const override;
  ///@{
  /// Stateful layers: zeros, or the given values {h, c} (the shapes of states()).
  void reset_states() override;
  void reset_states(const std::vector<Tensor>& values) override;
  ///@}
  void set_zero_output_for_mask(bool z) override { o_.zero_output_for_mask = z; }

  int rank() const { return rank_; }            ///< spatial axes (1, 2 or 3)
  int64_t filters() const { return filters_; }  ///< Keras `filters`
  /// The cell holding the weights (defined once built).
  Ref<ConvLSTMCellLayer> cell;

 private:
  static LayerPtr from_config_rank(int rank, const Config& c);
  ShapeSpec state_shape(const ShapeSpec& input_shape) const;  // (batch, *spatial', filters)
  // call() on channels_last inputs (batch, time, *spatial, channels) and states.
  std::vector<Tensor> call_last(const std::vector<Tensor>& xs, const CallContext& ctx);
  // compute_output_shape() for a channels_last input shape.
  std::vector<ShapeSpec> output_shape_last(const ShapeSpec& s);
  bool channels_first() const { return o_.data_format == "channels_first"; }

  int rank_;
  int64_t filters_;
  std::vector<int64_t> kernel_size_, strides_, dilation_;
  ConvLSTMOptions o_;
  SeedGenerator seeds_;
  std::vector<Variable> state_vars_;  // stateful: h and c, channels_last
};

///@{
/// keras.layers.ConvLSTM1D / ConvLSTM2D / ConvLSTM3D: inputs (batch, time, *spatial,
/// channels) with 1, 2 or 3 spatial axes.
Ref<ConvLSTMLayer> ConvLSTM1D(int64_t filters, const SpatialArg& kernel_size, const ConvLSTMOptions& options = {});
Ref<ConvLSTMLayer> ConvLSTM2D(int64_t filters, const SpatialArg& kernel_size, const ConvLSTMOptions& options = {});
Ref<ConvLSTMLayer> ConvLSTM3D(int64_t filters, const SpatialArg& kernel_size, const ConvLSTMOptions& options = {});
///@}

}  // namespace keras::layers
