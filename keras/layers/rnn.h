// rnn.h - RNN (keras.layers.RNN): runs a cell (rnn_cell.h) over the time axis of
// (batch, time, features) inputs; the base of SimpleRNN, LSTM and GRU.
//
//   auto lstm = keras::layers::LSTM(64, {.return_sequences = true});
//   auto rnn = keras::layers::RNN(keras::layers::make<MyCell>(8), {.return_state = true});
//   std::vector<Tensor> out = (*rnn)({x});            // {output, *final states}
//   std::vector<Tensor> out2 = (*rnn)({x, h0});       // starting from the states h0...
//
// The loop over timesteps is a C++ loop: eagerly it runs op by op, and inside a traced
// function (compile()'s train step) it unrolls into the graph, one copy per timestep.
// Masks (from Embedding(mask_zero = true), Masking, or CallArgs::masks; (batch, time)
// booleans): at a masked timestep the states keep their previous values and the output
// repeats the previous output (zeros with zero_output_for_mask), as in Keras.
#pragma once
#include "keras/layers/recurrent_layer.h"
#include "keras/layers/rnn_cell.h"

namespace keras::layers {

/// A recurrent layer (keras.layers.RNN): runs a cell over the time axis of (batch, time,
/// features) inputs; SimpleRNN, LSTM and GRU are RNNLayers. Wrong shapes throw
/// std::invalid_argument.
class RNNLayer : public RecurrentLayer {
 public:
  /// class_name: "RNN" (config holds the cell), or "SimpleRNN"/"LSTM"/"GRU" (config holds
  /// the cell's arguments).
  RNNLayer(std::string class_name, RNNCellPtr cell, const RecurrentOptions& options = {});
  void build(const std::vector<ShapeSpec>& input_shapes) override;  ///< the sequence's, then initial states'
  void build(const ShapeSpec& input_shape) override;
  std::vector<Tensor> call(const std::vector<Tensor>& xs, const CallContext& ctx) override;
  std::vector<Tensor> compute_mask(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  /// For "RNN"; the SimpleRNN/LSTM/GRU factories register their own.
  static LayerPtr from_config(const Config& c);

  /// The cell run at each timestep.
  const RNNCellPtr& cell() const { return cell_; }
  /// The options the layer was made with.
  const RecurrentOptions& options() const { return o_; }
  bool return_sequences() const override { return o_.return_sequences; }
  bool return_state() const override { return o_.return_state; }
  bool go_backwards() const override { return o_.go_backwards; }
  bool stateful() const override { return o_.stateful; }
  /// The cell's state count.
  size_t num_states() const override { return cell_->state_size().size(); }
  /// Stateful layers: the states the next call starts from (undefined before the build).
  std::vector<Tensor> states() const override;
  ///@{
  /// Stateful layers: zeros, or the given values (one per state, (batch, state_size)).
  void reset_states() override;
  void reset_states(const std::vector<Tensor>& values) override;
  ///@}
  void set_zero_output_for_mask(bool z) override { o_.zero_output_for_mask = z; }

 private:
  // The built-in cell to run x through its fused op (LSTM and GRU under use_cudnn "auto"
  // or true, Keras 3's conditions), or nullptr for the step loop; throws for use_cudnn=true
  // when the conditions fail.
  KerasCell* fused_cell(const Tensor& x, const Tensor& mask) const;
  // The step loop: returns the output and leaves the final states in `states`.
  Tensor run_steps(const Tensor& x, const Tensor& mask, std::vector<Tensor>& states, bool training);

  RNNCellPtr cell_;
  RecurrentOptions o_;
  std::vector<Variable> state_vars_;  // stateful: (batch, state_size) each
};

/// keras.layers.RNN over a user (or built-in) cell.
Ref<RNNLayer> RNN(RNNCellPtr cell, const RecurrentOptions& options = {});

}  // namespace keras::layers
