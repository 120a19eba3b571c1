#include "keras/layers/simple_rnn.h"

#include "core/ops.h"

namespace keras::layers {
namespace ops = core::ops;

SimpleRNNCellLayer::SimpleRNNCellLayer(int64_t units, const RecurrentOptions& o)
    : KerasCell("SimpleRNNCell", units, 1, o) {}

void SimpleRNNCellLayer::build(const ShapeSpec& s) { build_weights(s, Shape{units_}, o_.bias_initializer); }

std::vector<Tensor> SimpleRNNCellLayer::step(const Tensor& x, const std::vector<Tensor>& states, bool training) {
  // x: inputs @ kernel + bias, (batch, units)
  Tensor h = o_.activation(ops::add(x, ops::matmul(drop_recurrent(states.at(0), training), recurrent_kernel)));
  return {h, h};
}

void SimpleRNNCellLayer::write_cell_config(Config& c) const {
  c["units"] = static_cast<long long>(units_);
  detail::write_recurrent_config(c, o_, false, false, false);
}

LayerPtr SimpleRNNCellLayer::from_config(const Config& c) {
  return make<SimpleRNNCellLayer>(c.at("units").as_int(), detail::recurrent_options_from(c));
}

Ref<SimpleRNNCellLayer> SimpleRNNCell(int64_t units, const RecurrentOptions& o) {
  return make<SimpleRNNCellLayer>(units, o);
}

Ref<RNNLayer> SimpleRNN(int64_t units, const RecurrentOptions& o) {
  RecurrentOptions co = o;
  co.name = "simple_rnn_cell";
  return make<RNNLayer>("SimpleRNN", make<SimpleRNNCellLayer>(units, co), o);
}

LayerPtr simple_rnn_from_config(const Config& c) {
  return SimpleRNN(c.at("units").as_int(), detail::recurrent_options_from(c));
}

}  // namespace keras::layers
