#include "keras/layers/rnn_cell.h"
#include "keras/layers/options_base.h"

#include <stdexcept>

#include "core/ops.h"
#include "keras/layers/core_layers_util.h"
#include "keras/layers/recurrent_internal.h"

namespace keras::layers {
namespace ops = core::ops;

// ---- RNNCell ------------------------------------------------------------------------------
Tensor RNNCell::project_inputs(const Tensor& inputs, bool) { return inputs; }

std::vector<Tensor> RNNCell::get_initial_state(const Tensor& inputs) const {
  if (inputs.rank() < 2)
    throw std::invalid_argument(name() + ": get_initial_state expects inputs of rank >= 2 (batch, ...), but received shape " +
                                shape_str(spec_of(inputs.shape())));
  // A (batch, 1) column of zeros: zeros_like reads only the shape, when the graph runs, and
  // reductions (no reshape, whose attributes would hold the batch size) make the column.
  std::vector<int64_t> inner;
  for (int64_t a = 2; a < inputs.rank(); ++a) inner.push_back(a);
  Tensor column = ops::zeros_like(inputs);
  if (!inner.empty()) column = ops::sum(column, inner);
  column = ops::sum(column, {1}, /*keepdims=*/true);
  std::vector<Tensor> out;
  for (int64_t s : state_size()) out.push_back(ops::add(column, ops::zeros(Shape{1, s}, inputs.dtype())));
  return out;
}

std::vector<Tensor> RNNCell::get_initial_state(int64_t batch, DType dtype) const {
  if (batch < 0) throw std::invalid_argument(name() + ": get_initial_state expects a batch size >= 0, but received " + std::to_string(batch));
  return get_initial_state(ops::zeros(Shape{batch, 1}, dtype));
}

void RNNCell::build(const std::vector<ShapeSpec>& shapes) {
  if (!shapes.empty()) build(shapes[0]);
}

std::vector<Tensor> RNNCell::call(const std::vector<Tensor>& xs, const CallContext& ctx) {
  const Tensor& x = xs.at(0);
  if (x.rank() != 2)
    throw std::invalid_argument(name() + ": expected the inputs of one timestep, of rank 2 (batch, features), "
                                "but received input with shape " + shape_str(spec_of(x.shape())));
  const std::vector<int64_t> sizes = state_size();
  std::vector<Tensor> states(xs.begin() + 1, xs.end());
  const bool given = !states.empty();
  if (!given) states = get_initial_state(x);
  if (states.size() != sizes.size())
    throw std::invalid_argument(name() + ": expected " + std::to_string(sizes.size()) +
                                " states after the inputs, but received " + std::to_string(states.size()));
  for (size_t i = 0; i < states.size(); ++i)
    if (states[i].rank() != 2 || states[i].shape()[0] != x.shape()[0] || states[i].shape()[1] != sizes[i])
      throw std::invalid_argument(name() + ": expected state " + std::to_string(i) + " of shape (" +
                                  std::to_string(x.shape()[0]) + ", " + std::to_string(sizes[i]) +
                                  "), but received shape " + shape_str(spec_of(states[i].shape())));
  reset_sequence();
  std::vector<Tensor> out = step(project_inputs(x, ctx.training), states, ctx.training);
  if (!given) out.resize(1);
  return out;
}

std::vector<ShapeSpec> RNNCell::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  const int64_t batch = shapes.at(0).empty() ? -1 : shapes[0][0];
  std::vector<ShapeSpec> out{{batch, output_size()}};
  if (shapes.size() > 1)
    for (int64_t s : state_size()) out.push_back({batch, s});
  return out;
}

// ---- UseCudnnArg ----------------------------------------------------------------------------
UseCudnnArg::UseCudnnArg(const std::string& s) {
  if (s != "auto")
    throw std::invalid_argument("use_cudnn: expected one of \"auto\", true, false, but received \"" + s + "\"");
}
UseCudnnArg::UseCudnnArg(const char* s) : UseCudnnArg(std::string(s ? s : "")) {}

// ---- KerasCell ----------------------------------------------------------------------------
KerasCell::KerasCell(std::string class_name, int64_t units, int gates, const RecurrentOptions& o)
    : RNNCell(std::move(class_name), LayerOptions{.name = o.name, .trainable = o.trainable, .dtype = o.dtype}),
      units_(units),
      gates_(gates),
      o_(o),
      seeds_(o.seed) {
  if (units <= 0)
    throw std::invalid_argument(name() + ": received an invalid value for argument `units`, expected a positive "
                                "integer, got " + std::to_string(units));
  for (auto [arg, v] : {std::pair{"dropout", o.dropout}, std::pair{"recurrent_dropout", o.recurrent_dropout}})
    if (!(v >= 0.0 && v <= 1.0))
      throw std::invalid_argument(name() + ": expected " + arg + " in [0, 1], but received " + arg + "=" +
                                  detail::num(v));
}

std::vector<int64_t> KerasCell::state_size() const { return {units_}; }

void KerasCell::build_weights(const ShapeSpec& s, const Shape& bias_shape, InitializerArg bias_init) {
  if (s.empty() || s.back() < 0)
    throw std::invalid_argument(name() + ": the last axis of the inputs must be known to build the cell, but "
                                "received input shape " + shape_str(s));
  const int64_t in = s.back(), n = int64_t(gates_) * units_;
  const DType dt = dtype();
  kernel = add_weight("kernel", Shape{in, n},
                      {o_.kernel_initializer.ptr(), o_.kernel_regularizer.ptr(), o_.kernel_constraint.ptr(), true, dt});
  recurrent_kernel = add_weight("recurrent_kernel", Shape{units_, n},
                                {o_.recurrent_initializer.ptr(), o_.recurrent_regularizer.ptr(),
                                 o_.recurrent_constraint.ptr(), true, dt});
  if (o_.use_bias)
    bias = add_weight("bias", bias_shape,
                      {bias_init.ptr(), o_.bias_regularizer.ptr(), o_.bias_constraint.ptr(), true, dt});
}

Tensor detail::dropout_mask(SeedGenerator& seeds, const Shape& shape, DType dtype, double rate) {
  if (rate >= 1.0) return ops::zeros(shape, dtype);
  const SeedGenerator::Draw d = seeds.next();
  Tensor u = ops::random_uniform(shape, {.dtype = dtype, .seed = d.seed, .counter = d.counter});
  Tensor keep = ops::cast(ops::greater_equal(u, ops::scalar_like(u, rate)), dtype);
  return ops::multiply(keep, ops::scalar_like(keep, 1.0 / (1.0 - rate)));
}

Tensor KerasCell::project_inputs(const Tensor& x, bool training) {
  Tensor in = x;
  if (training && o_.dropout > 0.0) {  // one mask per sequence, drawn at its first step
    if (!input_mask_.defined() || !(input_mask_.shape() == x.shape()))
      input_mask_ = detail::dropout_mask(seeds_, x.shape(), x.dtype(), o_.dropout);
    in = ops::multiply(in, input_mask_);
  }
  Tensor z = ops::matmul(in, kernel);
  if (o_.use_bias) z = ops::add(z, input_bias());
  return z;
}

Tensor KerasCell::drop_sequence(const Tensor& x, bool training) {
  if (!training || o_.dropout <= 0.0) return x;
  const Shape step{x.shape()[0], x.shape()[2]};  // the mask project_inputs would draw
  if (!input_mask_.defined() || !(input_mask_.shape() == step))
    input_mask_ = detail::dropout_mask(seeds_, step, x.dtype(), o_.dropout);
  return ops::multiply(x, ops::expand_dims(input_mask_, 1));
}

bool KerasCell::fusable_options() const {
  return o_.activation.name == "tanh" && o_.recurrent_activation.name == "sigmoid" && o_.use_bias &&
         o_.recurrent_dropout == 0.0;
}

Tensor KerasCell::weight_as(const Variable& v, DType dtype) {
  Tensor t = v;
  return t.dtype() == dtype ? t : ops::cast(t, dtype);
}

std::vector<Tensor> KerasCell::run_fused(const Tensor&, const std::vector<Tensor>&, const Tensor&, bool) {
  throw std::logic_error(name() + ": this cell has no fused sequence op");
}

Tensor KerasCell::drop_recurrent(const Tensor& h, bool training) {
  if (!training || o_.recurrent_dropout <= 0.0) return h;
  if (!recurrent_mask_.defined() || !(recurrent_mask_.shape() == h.shape()))
    recurrent_mask_ = detail::dropout_mask(seeds_, h.shape(), h.dtype(), o_.recurrent_dropout);
  return ops::multiply(h, recurrent_mask_);
}

void KerasCell::reset_sequence() {
  input_mask_ = Tensor();
  recurrent_mask_ = Tensor();
}

Config KerasCell::get_config() const {
  Config c = base_config();
  write_cell_config(c);
  return c;
}

namespace detail {
void write_recurrent_config(Config& c, const RecurrentOptions& o, bool recurrent_activation, bool unit_forget_bias,
                            bool reset_after) {
  write_recurrent_keys(c, o, recurrent_activation, unit_forget_bias, reset_after);
}

RecurrentOptions recurrent_options_from(const Config& c) {
  RecurrentOptions o;
  detail::read_base_options(c, o);
  read_recurrent_keys(c, o);
  return o;
}
}  // namespace detail

}  // namespace keras::layers
