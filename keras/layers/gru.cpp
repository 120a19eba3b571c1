#include "keras/layers/gru.h"

#include "core/ops.h"
#include "core/rnn.h"

namespace keras::layers {
namespace ops = core::ops;

GRUCellLayer::GRUCellLayer(int64_t units, const RecurrentOptions& o) : KerasCell("GRUCell", units, 3, o) {}

void GRUCellLayer::build(const ShapeSpec& s) {
  build_weights(s, o_.reset_after ? Shape{2, 3 * units_} : Shape{3 * units_}, o_.bias_initializer);
}

Tensor GRUCellLayer::input_bias() const {
  return o_.reset_after ? ops::squeeze(ops::slice(bias, {0, 0}, {1, 3 * units_}), {0}) : Tensor(bias);
}

std::vector<Tensor> GRUCellLayer::step(const Tensor& x, const std::vector<Tensor>& states, bool training) {
  const Tensor& h = states.at(0);
  const Tensor hd = drop_recurrent(h, training);
  // x: inputs @ kernel + input bias, (batch, 3 * units)
  std::vector<Tensor> xg = ops::split(x, 3, 1);
  Tensor z, hh;
  if (o_.reset_after) {
    Tensor inner = ops::matmul(hd, recurrent_kernel);
    if (o_.use_bias) inner = ops::add(inner, ops::squeeze(ops::slice(bias, {1, 0}, {1, 3 * units_}), {0}));
    std::vector<Tensor> rg = ops::split(inner, 3, 1);
    z = o_.recurrent_activation(ops::add(xg[0], rg[0]));
    Tensor r = o_.recurrent_activation(ops::add(xg[1], rg[1]));
    hh = o_.activation(ops::add(xg[2], ops::multiply(r, rg[2])));
  } else {
    std::vector<Tensor> rk = ops::split_sizes(recurrent_kernel, {2 * units_, units_}, 1);
    std::vector<Tensor> rg = ops::split(ops::matmul(hd, rk[0]), 2, 1);
    z = o_.recurrent_activation(ops::add(xg[0], rg[0]));
    Tensor r = o_.recurrent_activation(ops::add(xg[1], rg[1]));
    hh = o_.activation(ops::add(xg[2], ops::matmul(ops::multiply(r, hd), rk[1])));
  }
  // h' = z * h + (1 - z) * hh = hh + z * (h - hh)
  Tensor h2 = ops::add(hh, ops::multiply(z, ops::subtract(h, hh)));
  return {h2, h2};
}

std::vector<Tensor> GRUCellLayer::run_fused(const Tensor& x, const std::vector<Tensor>& states, const Tensor& mask,
                                            bool training) {
  if (!fused_op()) return KerasCell::run_fused(x, states, mask, training);
  const DType dt = x.dtype();
  auto r = ops::gru_sequence(drop_sequence(x, training), states.at(0), weight_as(kernel, dt),
                             weight_as(recurrent_kernel, dt), weight_as(bias, dt), training, mask);
  return {r.y, r.h};
}

void GRUCellLayer::write_cell_config(Config& c) const {
  c["units"] = static_cast<long long>(units_);
  detail::write_recurrent_config(c, o_, true, false, true);
}

LayerPtr GRUCellLayer::from_config(const Config& c) {
  return make<GRUCellLayer>(c.at("units").as_int(), detail::recurrent_options_from(c));
}

Ref<GRUCellLayer> GRUCell(int64_t units, const RecurrentOptions& o) { return make<GRUCellLayer>(units, o); }

Ref<RNNLayer> GRU(int64_t units, const RecurrentOptions& o) {
  RecurrentOptions co = o;
  co.name = "gru_cell";
  return make<RNNLayer>("GRU", make<GRUCellLayer>(units, co), o);
}

LayerPtr gru_from_config(const Config& c) { return GRU(c.at("units").as_int(), detail::recurrent_options_from(c)); }

}  // namespace keras::layers
