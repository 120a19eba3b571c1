// gru.h - GRUCell and GRU (keras.layers.GRUCell, keras.layers.GRU): the gated recurrent
// unit of Cho et al. (2014), with Keras's weight layout so Keras weights load directly:
// kernel (features, 3 * units), recurrent_kernel (units, 3 * units), the gates in the
// order z, r, h; bias (2, 3 * units) (input and recurrent biases) with reset_after (the
// default, cuDNN-compatible), else (3 * units). State {h}.
//
//   auto gru = keras::layers::GRU(32, {.return_sequences = true});
#pragma once
#include "keras/layers/rnn.h"

namespace keras::layers {

/// The GRU cell (keras.layers.GRUCell): one timestep with state {h}; made by GRUCell().
class GRUCellLayer : public KerasCell {
 public:
  /// Throws std::invalid_argument unless units > 0 and the dropout rates lie in [0, 1].
  explicit GRUCellLayer(int64_t units, const RecurrentOptions& options = {});
  using RNNCell::build;
  void build(const ShapeSpec& input_shape) override;
  std::vector<Tensor> step(const Tensor& inputs, const std::vector<Tensor>& states, bool training) override;
  /// "gru_sequence" under Keras 3's cuDNN conditions (KerasCell::fused_op), else nullptr.
  const char* fused_op() const override { return fusable_options() && o_.reset_after ? "gru_sequence" : nullptr; }
  std::vector<Tensor> run_fused(const Tensor& x, const std::vector<Tensor>& states, const Tensor& mask,
                                bool training) override;
  /// Rebuilds the cell from a get_config() config (the registry's loader for "GRUCell").
  static LayerPtr from_config(const Config& c);

 protected:
  Tensor input_bias() const override;
  void write_cell_config(Config& c) const override;
};

/// keras.layers.GRUCell: the cell of `units` units (to run with RNN or on one timestep).
Ref<GRUCellLayer> GRUCell(int64_t units, const RecurrentOptions& options = {});
/// An RNNLayer of class "GRU" over a GRUCell.
Ref<RNNLayer> GRU(int64_t units, const RecurrentOptions& options = {});
/// Rebuilds a GRU layer from its config (the registry's loader for "GRU").
LayerPtr gru_from_config(const Config& c);

}  // namespace keras::layers
