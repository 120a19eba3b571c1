// lstm.h - LSTMCell and LSTM (keras.layers.LSTMCell, keras.layers.LSTM): the long
// short-term memory of Hochreiter & Schmidhuber (1997), with Keras's weight layout so
// Keras weights load directly: kernel (features, 4 * units), recurrent_kernel
// (units, 4 * units), bias (4 * units), the gates in the order i, f, c, o. States {h, c}.
//
//   auto lstm = keras::layers::LSTM(128);                       // (batch, time, f) -> (batch, 128)
//   auto seq = keras::layers::LSTM(64, {.return_sequences = true, .dropout = 0.1});
#pragma once
#include "keras/layers/rnn.h"

namespace keras::layers {

/// The LSTM cell (keras.layers.LSTMCell): one timestep with states {h, c}; made by
/// LSTMCell().
class LSTMCellLayer : public KerasCell {
 public:
  /// Throws std::invalid_argument unless units > 0 and the dropout rates lie in [0, 1].
  explicit LSTMCellLayer(int64_t units, const RecurrentOptions& options = {});
  using RNNCell::build;
  void build(const ShapeSpec& input_shape) override;
  std::vector<int64_t> state_size() const override { return {units_, units_}; }
  std::vector<Tensor> step(const Tensor& inputs, const std::vector<Tensor>& states, bool training) override;
  /// "lstm_sequence" under Keras 3's cuDNN conditions (KerasCell::fused_op), else nullptr.
  const char* fused_op() const override { return fusable_options() ? "lstm_sequence" : nullptr; }
  std::vector<Tensor> run_fused(const Tensor& x, const std::vector<Tensor>& states, const Tensor& mask,
                                bool training) override;
  /// Rebuilds the cell from a get_config() config (the registry's loader for "LSTMCell").
  static LayerPtr from_config(const Config& c);

 protected:
  void write_cell_config(Config& c) const override;
};

/// keras.layers.LSTMCell: the cell of `units` units (to run with RNN or on one timestep).
Ref<LSTMCellLayer> LSTMCell(int64_t units, const RecurrentOptions& options = {});
/// An RNNLayer of class "LSTM" over an LSTMCell.
Ref<RNNLayer> LSTM(int64_t units, const RecurrentOptions& options = {});
/// Rebuilds an LSTM layer from its config (the registry's loader for "LSTM").
LayerPtr lstm_from_config(const Config& c);

}  // namespace keras::layers
