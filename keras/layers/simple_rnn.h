// simple_rnn.h - SimpleRNNCell and SimpleRNN (keras.layers.SimpleRNNCell,
// keras.layers.SimpleRNN): h' = activation(inputs @ kernel + bias + h @ recurrent_kernel),
// the output being h'. Weights kernel (features, units), recurrent_kernel (units, units),
// bias (units), as Keras's.
#pragma once
#include "keras/layers/rnn.h"

namespace keras::layers {

/// The fully connected recurrent cell (keras.layers.SimpleRNNCell): one timestep with state
/// {h}; made by SimpleRNNCell().
class SimpleRNNCellLayer : public KerasCell {
 public:
  /// Throws std::invalid_argument unless units > 0 and the dropout rates lie in [0, 1].
  explicit SimpleRNNCellLayer(int64_t units, const RecurrentOptions& options = {});
  using RNNCell::build;
  void build(const ShapeSpec& input_shape) override;
  std::vector<Tensor> step(const Tensor& inputs, const std::vector<Tensor>& states, bool training) override;
  /// Rebuilds the cell from a get_config() config (the registry's loader for
  /// "SimpleRNNCell").
  static LayerPtr from_config(const Config& c);

 protected:
  void write_cell_config(Config& c) const override;
};

/// keras.layers.SimpleRNNCell: the cell of `units` units (to run with RNN or on one
/// timestep).
Ref<SimpleRNNCellLayer> SimpleRNNCell(int64_t units, const RecurrentOptions& options = {});
/// An RNNLayer of class "SimpleRNN" over a SimpleRNNCell.
Ref<RNNLayer> SimpleRNN(int64_t units, const RecurrentOptions& options = {});
/// Rebuilds a SimpleRNN layer from its config (the registry's loader for "SimpleRNN").
LayerPtr simple_rnn_from_config(const Config& c);

}  // namespace keras::layers
