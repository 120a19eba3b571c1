#include "keras/layers/lstm.h"

#include "core/ops.h"
#include "core/rnn.h"
#include "keras/layers/recurrent_internal.h"

namespace keras::layers {
namespace ops = core::ops;

namespace {
// unit_forget_bias: the bias initializer on the i, c, o gates and ones on f (Keras).
class ForgetBiasInitializer : public initializers::Initializer {
 public:
  ForgetBiasInitializer(InitializerArg inner, int64_t units) : inner_(std::move(inner)), units_(units) {}
  Tensor operator()(const Shape&, DType dtype) const override {
    const initializers::Initializer& f = *inner_.ptr();
    return ops::concat({f(Shape{units_}, dtype), ops::ones(Shape{units_}, dtype), f(Shape{2 * units_}, dtype)}, 0);
  }
  std::string class_name() const override { return "LSTMForgetBias"; }

 private:
  InitializerArg inner_;
  int64_t units_;
};
}  // namespace

InitializerArg detail::forget_bias_initializer(InitializerArg inner, int64_t units) {
  return InitializerArg(std::make_shared<ForgetBiasInitializer>(std::move(inner), units));
}

LSTMCellLayer::LSTMCellLayer(int64_t units, const RecurrentOptions& o) : KerasCell("LSTMCell", units, 4, o) {}

void LSTMCellLayer::build(const ShapeSpec& s) {
  InitializerArg b = o_.bias_initializer;
  if (o_.unit_forget_bias) b = detail::forget_bias_initializer(o_.bias_initializer, units_);
  build_weights(s, Shape{4 * units_}, b);
}

std::vector<Tensor> LSTMCellLayer::step(const Tensor& x, const std::vector<Tensor>& states, bool training) {
  const Tensor& h = states.at(0);
  const Tensor& c = states.at(1);
  // x: inputs @ kernel + bias, (batch, 4 * units)
  Tensor z = ops::add(x, ops::matmul(drop_recurrent(h, training), recurrent_kernel));
  std::vector<Tensor> g = ops::split(z, 4, 1);
  Tensor i = o_.recurrent_activation(g[0]), f = o_.recurrent_activation(g[1]);
  Tensor c2 = ops::add(ops::multiply(f, c), ops::multiply(i, o_.activation(g[2])));
  Tensor h2 = ops::multiply(o_.recurrent_activation(g[3]), o_.activation(c2));
  return {h2, h2, c2};
}

std::vector<Tensor> LSTMCellLayer::run_fused(const Tensor& x, const std::vector<Tensor>& states, const Tensor& mask,
                                             bool training) {
  if (!fused_op()) return KerasCell::run_fused(x, states, mask, training);
  const DType dt = x.dtype();
  auto r = ops::lstm_sequence(drop_sequence(x, training), states.at(0), states.at(1), weight_as(kernel, dt),
                              weight_as(recurrent_kernel, dt), weight_as(bias, dt), training, mask);
  return {r.y, r.h, r.c};
}

void LSTMCellLayer::write_cell_config(Config& c) const {
  c["units"] = static_cast<long long>(units_);
  detail::write_recurrent_config(c, o_, true, true, false);
}

LayerPtr LSTMCellLayer::from_config(const Config& c) {
  return make<LSTMCellLayer>(c.at("units").as_int(), detail::recurrent_options_from(c));
}

Ref<LSTMCellLayer> LSTMCell(int64_t units, const RecurrentOptions& o) { return make<LSTMCellLayer>(units, o); }

Ref<RNNLayer> LSTM(int64_t units, const RecurrentOptions& o) {
  RecurrentOptions co = o;
  co.name = "lstm_cell";
  return make<RNNLayer>("LSTM", make<LSTMCellLayer>(units, co), o);
}

LayerPtr lstm_from_config(const Config& c) { return LSTM(c.at("units").as_int(), detail::recurrent_options_from(c)); }

}  // namespace keras::layers
