// bidirectional.h - Bidirectional (keras.layers.Bidirectional): a recurrent layer run
// forwards and a copy of it (or `backward_layer`) run backwards over the same sequence,
// their outputs merged by merge_mode: "concat" (the default), "sum", "mul", "ave", or
// none (std::nullopt: the two outputs, forward then backward). The backward outputs of a
// return_sequences layer are flipped back to the input's time order. With return_state
// the outputs are followed by the forward then the backward final states. Weights: the
// forward layer's, then the backward layer's (as Keras).
//
//   auto b = keras::layers::Bidirectional(keras::layers::LSTM(64, {.return_sequences = true}));
#pragma once
#include <optional>

#include "keras/layers/recurrent_layer.h"

namespace keras::layers {

/// Options of Bidirectional (the keyword arguments of keras.layers.Bidirectional besides
/// the layer).
struct BidirectionalOptions {
  /// How the two outputs are merged: "concat" (default), "sum", "mul", "ave", or
  /// std::nullopt for both outputs; others throw std::invalid_argument.
  std::optional<std::string> merge_mode = "concat";
  LayerPtr backward_layer{};  ///< a recurrent layer with go_backwards = true; default: a copy of the layer
  /// Layer name (default: generated, bidirectional, bidirectional_1, ...).
  std::string name{};
  /// Whether the weights are trained (default true).
  bool trainable = true;
  /// The dtype policy ("mixed_float16", "float64", a DType, ...; unset: the global policy).
  std::optional<mixed_precision::DTypePolicy> dtype{};
  /// Input shape without the batch axis (first layer of a Sequential).
  ShapeSpec input_shape{};
};

/// Runs a recurrent layer forwards and backwards over a sequence and merges the outputs
/// (keras.layers.Bidirectional), made by Bidirectional().
class BidirectionalLayer : public Layer {
 public:
  /// layer: a RecurrentLayer (SimpleRNN, LSTM, GRU, RNN, ConvLSTM1D/2D/3D); throws
  /// std::invalid_argument for other layers, a bad merge_mode or a backward_layer that
  /// does not match.
  explicit BidirectionalLayer(const LayerPtr& layer, const BidirectionalOptions& options = {});
  void build(const std::vector<ShapeSpec>& input_shapes) override;
  void build(const ShapeSpec& input_shape) override;
  std::vector<Tensor> call(const std::vector<Tensor>& xs, const CallContext& ctx) override;
  std::vector<Tensor> compute_mask(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's loader for
  /// "Bidirectional").
  static LayerPtr from_config(const Config& c);

  /// The layer run forwards.
  const Ref<RecurrentLayer>& forward_layer() const { return forward_; }
  /// The layer run backwards (go_backwards set).
  const Ref<RecurrentLayer>& backward_layer() const { return backward_; }
  /// The merge mode (std::nullopt: the outputs are returned apart).
  const std::optional<std::string>& merge_mode() const { return merge_mode_; }
  /// Stateful layers: the forward layer's states, then the backward layer's.
  std::vector<Tensor> states() const;
  ///@{
  /// Stateful layers: both layers' states to zeros, or to `values` (the forward layer's
  /// states, then the backward layer's, as states()).
  void reset_states();
  void reset_states(const std::vector<Tensor>& values);
  ///@}
  void reset_state() { reset_states(); }  ///< Keras 3's name

 private:
  Ref<RecurrentLayer> forward_, backward_;
  std::optional<std::string> merge_mode_;
};

/// keras.layers.Bidirectional: `layer` forwards and a copy of it (or
/// options.backward_layer) backwards, outputs merged by merge_mode.
Ref<BidirectionalLayer> Bidirectional(const LayerPtr& layer, const BidirectionalOptions& options = {});

}  // namespace keras::layers
