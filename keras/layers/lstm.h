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

class LSTMCellLayer : public KerasCell {
 public:
  explicit LSTMCellLayer(int64_t units, const RecurrentOptions& options = {});
  using RNNCell::build;
  void build(const ShapeSpec& input_shape) override;
  std::vector<int64_t> state_size() const override { return {units_, units_}; }
  std::vector<Tensor> step(const Tensor& inputs, const std::vector<Tensor>& states, bool training) override;
  static LayerPtr from_config(const Config& c);

 protected:
  void write_cell_config(Config& c) const override;
};

Ref<LSTMCellLayer> LSTMCell(int64_t units, const RecurrentOptions& options = {});
/// An RNNLayer of class "LSTM" over an LSTMCell.
Ref<RNNLayer> LSTM(int64_t units, const RecurrentOptions& options = {});
LayerPtr lstm_from_config(const Config& c);

}  // namespace keras::layers
