// recurrent_layer.h - RecurrentLayer: what a layer that runs over a sequence's time axis
// (axis 1) tells the layers that wrap it. RNNLayer (SimpleRNN, LSTM, GRU, RNN) and
// ConvLSTMLayer (ConvLSTM1D/2D/3D) implement it, as Keras's ConvLSTM is an RNN;
// Bidirectional wraps any of them.
#pragma once
#include <vector>

#include "keras/layers/layer.h"

namespace keras::layers {

/// A layer that runs over the time axis of (batch, time, ...) sequences (Keras's RNN and
/// its subclasses): its options as a wrapper reads them, and its states.
class RecurrentLayer : public Layer {
 public:
  using Layer::Layer;
  /// Keras `return_sequences`: the output at every timestep, else the last one.
  virtual bool return_sequences() const = 0;
  /// Keras `return_state`: the final states follow the output.
  virtual bool return_state() const = 0;
  /// Keras `go_backwards`: the sequence is read from its last timestep.
  virtual bool go_backwards() const = 0;
  /// Keras `stateful`: the final states of a batch are the next batch's initial states.
  virtual bool stateful() const = 0;
  /// How many state tensors the layer carries (and returns with return_state).
  virtual size_t num_states() const = 0;
  /// Keras `zero_output_for_mask`: a masked timestep outputs zeros instead of the
  /// previous output (Bidirectional sets it for layers that return sequences).
  virtual void set_zero_output_for_mask(bool z) = 0;
  /// A stateful layer's current states (none for a layer that is not stateful).
  virtual std::vector<Tensor> states() const = 0;
  /// Sets a stateful layer's states to zeros.
  virtual void reset_states() = 0;
  /// Sets a stateful layer's states to `values` (one per state, the states' shapes).
  virtual void reset_states(const std::vector<Tensor>& values) = 0;
  /// Keras 3's name of reset_states().
  void reset_state() { reset_states(); }
};

}  // namespace keras::layers
