// stacked_rnn_cells.h - StackedRNNCells (keras.layers.StackedRNNCells): several cells run
// as one, each timestep's output of one the input of the next; an RNN over it is a
// stacked recurrent network in one layer.
//
//   auto cells = keras::layers::StackedRNNCells({keras::layers::LSTMCell(32),
//                                               keras::layers::GRUCell(16)});
//   auto rnn = keras::layers::RNN(cells, {.return_state = true});   // {output, h1, c1, h2}
//
// The states are the cells' states in order, flattened (LSTMCell's h and c, then the
// next cell's), as keras.layers.RNN returns them.
#pragma once
#include "keras/layers/rnn_cell.h"

namespace keras::layers {

/// Options of StackedRNNCells (its keyword arguments besides the cells).
struct StackedRNNCellsOptions {
  /// Layer name (default: generated, stacked_rnn_cells, ...).
  std::string name{};
  /// Whether the cells' weights are trained (default true).
  bool trainable = true;
  /// The dtype policy ("mixed_float16", "float64", a DType, ...; unset: the global policy).
  std::optional<mixed_precision::DTypePolicy> dtype{};
};

/// A stack of cells run as one cell (keras.layers.StackedRNNCells), made by
/// StackedRNNCells().
class StackedRNNCellsLayer : public RNNCell {
 public:
  /// Throws std::invalid_argument for no cells or a null one.
  explicit StackedRNNCellsLayer(std::vector<RNNCellPtr> cells, const StackedRNNCellsOptions& options = {});
  /// The cells' state sizes, in order.
  std::vector<int64_t> state_size() const override;
  /// The last cell's output size.
  int64_t output_size() const override;
  /// Each cell's step on the previous cell's output (the first cell's on `inputs`).
  std::vector<Tensor> step(const Tensor& inputs, const std::vector<Tensor>& states, bool training) override;
  void reset_sequence() override;
  /// Builds each cell on the previous one's output size.
  void build(const ShapeSpec& input_shape) override;
  Config get_config() const override;  ///< {"cells": [each cell's serialized config]}
  /// Rebuilds the stack from a get_config() config (the registry's "StackedRNNCells").
  static LayerPtr from_config(const Config& c);
  /// The cells, first to last.
  const std::vector<RNNCellPtr>& cells() const { return cells_; }

 private:
  std::vector<RNNCellPtr> cells_;
};

/// keras.layers.StackedRNNCells: the cells run as one cell (give it to RNN()).
Ref<StackedRNNCellsLayer> StackedRNNCells(std::vector<RNNCellPtr> cells, const StackedRNNCellsOptions& options = {});

}  // namespace keras::layers
