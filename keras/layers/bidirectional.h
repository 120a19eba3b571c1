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

#include "keras/layers/rnn.h"

namespace keras::layers {

struct BidirectionalOptions {
  std::optional<std::string> merge_mode = "concat";
  LayerPtr backward_layer{};  ///< an RNN layer with go_backwards = true; default: a copy of the layer
  std::string name{};
  bool trainable = true;
  ShapeSpec input_shape{};
};

class BidirectionalLayer : public Layer {
 public:
  explicit BidirectionalLayer(const LayerPtr& layer, const BidirectionalOptions& options = {});
  void build(const std::vector<ShapeSpec>& input_shapes) override;
  void build(const ShapeSpec& input_shape) override;
  std::vector<Tensor> call(const std::vector<Tensor>& xs, const CallContext& ctx) override;
  std::vector<Tensor> compute_mask(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  static LayerPtr from_config(const Config& c);

  const Ref<RNNLayer>& forward_layer() const { return forward_; }
  const Ref<RNNLayer>& backward_layer() const { return backward_; }
  const std::optional<std::string>& merge_mode() const { return merge_mode_; }

 private:
  Ref<RNNLayer> forward_, backward_;
  std::optional<std::string> merge_mode_;
};

Ref<BidirectionalLayer> Bidirectional(const LayerPtr& layer, const BidirectionalOptions& options = {});

}  // namespace keras::layers
