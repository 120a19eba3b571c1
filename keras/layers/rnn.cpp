#include "keras/layers/rnn.h"
#include "keras/layers/options_base.h"

#include <stdexcept>

#include "core/kernel_support.h"
#include "core/ops.h"
#include "core/rnn.h"
#include "keras/layers/registry.h"

namespace keras::layers {
namespace ops = core::ops;

RNNLayer::RNNLayer(std::string class_name, RNNCellPtr cell, const RecurrentOptions& o)
    : RecurrentLayer(std::move(class_name), detail::layer_options_of(o)), cell_(std::move(cell)), o_(o) {
  if (!cell_) throw std::invalid_argument(name() + ": expected a cell, but received none");
  track_layer(cell_);
  supports_masking_ = true;
}

void RNNLayer::build(const std::vector<ShapeSpec>& shapes) { build(shapes.at(0)); }

void RNNLayer::build(const ShapeSpec& s) {
  if (s.size() != 3)
    throw std::invalid_argument(name() + ": expected ndim=3 (batch, time, features), but received input with shape " +
                                shape_str(s));
  cell_->build_if_needed({ShapeSpec{s[0], s[2]}});
  if (o_.stateful) {
    if (s[0] < 0)
      throw std::invalid_argument(name() + ": a stateful RNN needs to know its batch size: give the Input a "
                                  "batch_size, or call the layer on a tensor first (received input shape " +
                                  shape_str(s) + ")");
    state_vars_.clear();
    for (int64_t n : cell_->state_size())
      state_vars_.emplace_back(ops::zeros(Shape{s[0], n}, dtype()), name() + "/state", false);
  }
}

std::vector<Tensor> RNNLayer::states() const {
  std::vector<Tensor> out;
  for (const Variable& v : state_vars_) out.push_back(v.value());
  return out;
}

void RNNLayer::reset_states() {
  for (Variable& v : state_vars_) v.assign(ops::zeros_like(v.value()));
}

void RNNLayer::reset_states(const std::vector<Tensor>& values) {
  if (values.size() != state_vars_.size())
    throw std::invalid_argument(name() + ": expected " + std::to_string(state_vars_.size()) +
                                " state values, but received " + std::to_string(values.size()));
  for (size_t i = 0; i < values.size(); ++i) {
    if (values[i].shape() != state_vars_[i].shape())
      throw std::invalid_argument(name() + ": expected state " + std::to_string(i) + " of shape " +
                                  shape_str(spec_of(state_vars_[i].shape())) + ", but received shape " +
                                  shape_str(spec_of(values[i].shape())));
    state_vars_[i].assign(values[i]);
  }
}

std::vector<Tensor> RNNLayer::call(const std::vector<Tensor>& xs, const CallContext& ctx) {
  Tensor x = xs.at(0);
  if (x.rank() != 3)
    throw std::invalid_argument(name() + ": expected ndim=3 (batch, time, features), but received input with shape " +
                                shape_str(spec_of(x.shape())));
  const int64_t batch = x.shape()[0], time = x.shape()[1];
  if (time < 1)
    throw std::invalid_argument(name() + ": expected at least one timestep, but received input with shape " +
                                shape_str(spec_of(x.shape())));
  const std::vector<int64_t> sizes = cell_->state_size();
  std::vector<Tensor> states;
  if (xs.size() > 1) {  // initial states given
    states.assign(xs.begin() + 1, xs.end());
    if (states.size() != sizes.size())
      throw std::invalid_argument(name() + ": expected " + std::to_string(sizes.size()) +
                                  " initial states after the inputs, but received " + std::to_string(states.size()));
  } else if (o_.stateful) {
    states = this->states();
    if (!states.empty() && states[0].shape()[0] != batch)
      throw std::invalid_argument(name() + ": this stateful layer was built for batch size " +
                                  std::to_string(states[0].shape()[0]) + ", but received input with shape " +
                                  shape_str(spec_of(x.shape())));
  } else {
    states = cell_->get_initial_state(x);
  }
  // Keras 3: the states enter the loop in the cell's compute dtype (float16 under
  // mixed_float16, whatever the initial states' or the stateful variables' dtype).
  const DType compute = cell_->compute_dtype();
  for (Tensor& s : states)
    if (core::is_floating(s.dtype()) && core::is_floating(compute) && s.dtype() != compute) s = ops::cast(s, compute);
  for (size_t i = 0; i < states.size(); ++i)
    if (states[i].rank() != 2 || states[i].shape()[0] != batch || states[i].shape()[1] != sizes[i])
      throw std::invalid_argument(name() + ": expected initial state " + std::to_string(i) + " of shape (" +
                                  std::to_string(batch) + ", " + std::to_string(sizes[i]) + "), but received shape " +
                                  shape_str(spec_of(states[i].shape())));

  Tensor mask = ctx.mask(0);
  if (mask.defined()) {
    if (mask.rank() != 2 || mask.shape()[0] != batch || mask.shape()[1] != time)
      throw std::invalid_argument(name() + ": expected a mask of shape (" + std::to_string(batch) + ", " +
                                  std::to_string(time) + ") for input with shape " + shape_str(spec_of(x.shape())) +
                                  ", but received mask with shape " + shape_str(spec_of(mask.shape())));
    if (mask.dtype() != DType::bool_) mask = ops::cast(mask, DType::bool_);
  }
  if (o_.go_backwards) {
    x = ops::reverse(x, {1});
    if (mask.defined()) mask = ops::reverse(mask, {1});
  }

  cell_->reset_sequence();
  Tensor out;  // the output: every timestep's (return_sequences) or the last one's
  if (KerasCell* fused = fused_cell(x, mask)) {
    std::vector<Tensor> r = fused->run_fused(x, states, mask, ctx.training);
    states.assign(r.begin() + 1, r.end());
    if (!mask.defined()) {
      out = o_.return_sequences ? r[0] : states[0];
    } else {
      // The op repeats the previous output at a masked step, as the step loop does; a
      // row with every step masked outputs zeros (its state stays the initial one).
      Tensor y = r[0];
      if (o_.zero_output_for_mask) y = ops::where(ops::expand_dims(mask, 2), y, ops::zeros_like(y));
      out = o_.return_sequences ? y : ops::squeeze(ops::slice(y, {0, time - 1, 0}, {-1, 1, -1}), {1});
    }
  } else {
    out = run_steps(x, mask, states, ctx.training);
  }
  if (o_.stateful)
    for (size_t i = 0; i < state_vars_.size(); ++i)
      state_vars_[i].assign(states[i].dtype() == state_vars_[i].dtype() ? states[i]
                                                                      : ops::cast(states[i], state_vars_[i].dtype()));
  std::vector<Tensor> result{out};
  if (o_.return_state) result.insert(result.end(), states.begin(), states.end());
  return result;
}

Tensor RNNLayer::run_steps(const Tensor& x, const Tensor& mask, std::vector<Tensor>& states, bool training) {
  const int64_t time = x.shape()[1];
  const std::vector<int64_t> sizes = cell_->state_size();
  // One timestep at a time (not one product for the whole sequence): the gradient of a
  // slice is padded to its input's shape, so slicing the (batch, time, gates * units)
  // projection would cost O(time^2) in the backward pass; x is narrower, and needs no
  // gradient at all when it is the data.
  std::vector<Tensor> steps = ops::unstack(x, 1);
  std::vector<Tensor> step_masks;
  if (mask.defined())
    for (const Tensor& m : ops::unstack(mask, 1)) step_masks.push_back(ops::expand_dims(m, 1));  // (batch, 1)
  std::vector<Tensor> outputs;
  Tensor last;  // the last unmasked output (zeros before the first)
  for (int64_t t = 0; t < time; ++t) {
    std::vector<Tensor> r = cell_->step(cell_->project_inputs(steps[size_t(t)], training), states, training);
    if (r.size() != sizes.size() + 1)
      throw std::invalid_argument(name() + ": the cell's step returned " + std::to_string(r.size()) +
                                  " tensors; expected the output and " + std::to_string(sizes.size()) + " states");
    Tensor out = r[0];
    if (mask.defined()) {
      const Tensor& m = step_masks[size_t(t)];
      if (!last.defined()) last = ops::zeros_like(out);
      for (size_t i = 0; i < sizes.size(); ++i) states[i] = ops::where(m, r[i + 1], states[i]);
      last = ops::where(m, out, last);
      out = o_.zero_output_for_mask ? ops::where(m, out, ops::zeros_like(out)) : last;
    } else {
      states.assign(r.begin() + 1, r.end());
      last = out;
    }
    if (o_.return_sequences) outputs.push_back(out);
    else if (o_.zero_output_for_mask) last = out;
  }
  return o_.return_sequences ? ops::stack(outputs, 1) : last;
}

KerasCell* RNNLayer::fused_cell(const Tensor& x, const Tensor& mask) const {
  using Mode = UseCudnnArg::Mode;
  const Mode mode = o_.use_cudnn.mode;
  if (mode == Mode::kFalse || (class_name() != "LSTM" && class_name() != "GRU")) return nullptr;
  auto* cell = dynamic_cast<KerasCell*>(cell_.get());
  const char* op = cell ? cell->fused_op() : nullptr;
  if (op && !o_.unroll && (!mask.defined() || core::rnn_kernel_takes_masks(x.device())) &&
      x.dtype() == cell->compute_dtype() && core::supports(op, x.device(), x.dtype()))
    return cell;
  if (mode == Mode::kTrue) {
    std::string why = !op ? "the cell's options (it needs activation tanh, recurrent_activation sigmoid, use_bias, "
                            "recurrent_dropout 0" + std::string(class_name() == "GRU" ? ", reset_after" : "") + ")"
                      : o_.unroll ? "unroll=true"
                      : mask.defined() && !core::rnn_kernel_takes_masks(x.device())
                          ? "a mask on device " + x.device().str() + " (its kernel takes no mask)"
                          : std::string("no ") + op + " kernel for device " + x.device().str() + " and dtype " +
                                core::dtype_name(x.dtype());
    throw std::invalid_argument(name() + ": use_cudnn=true was specified, but the fused sequence op (cuDNN's RNN) "
                                "does not support this layer configuration: " + why +
                                ". Pass use_cudnn=\"auto\" to fall back to the step-by-step implementation");
  }
  return nullptr;
}

std::vector<Tensor> RNNLayer::compute_mask(const std::vector<Tensor>&, const std::vector<Tensor>& masks) {
  std::vector<Tensor> out{o_.return_sequences && !masks.empty() ? masks[0] : Tensor()};
  if (o_.return_state) out.resize(1 + cell_->state_size().size());
  return out;
}

std::vector<ShapeSpec> RNNLayer::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  const ShapeSpec& s = shapes.at(0);
  if (s.size() != 3)
    throw std::invalid_argument(name() + ": expected ndim=3 (batch, time, features), but received input with shape " +
                                shape_str(s));
  const int64_t n = cell_->output_size();
  std::vector<ShapeSpec> out{o_.return_sequences ? ShapeSpec{s[0], s[1], n} : ShapeSpec{s[0], n}};
  if (o_.return_state)
    for (int64_t k : cell_->state_size()) out.push_back({s[0], k});
  return out;
}

Config RNNLayer::get_config() const {
  Config c = base_config();
  c["return_sequences"] = o_.return_sequences;
  c["return_state"] = o_.return_state;
  c["go_backwards"] = o_.go_backwards;
  c["stateful"] = o_.stateful;
  c["unroll"] = o_.unroll;
  c["zero_output_for_mask"] = o_.zero_output_for_mask;
  if (class_name() == "RNN") {
    c["cell"] = serialize(*cell_);
    return c;
  }
  // SimpleRNN, LSTM, GRU: the cell's arguments, flattened (Keras's layout).
  const Config cell = cell_->get_config();
  for (const auto& [k, v] : cell.items())
    if (k != "name" && k != "trainable" && k != "dtype" && k != "dynamic") c[k] = v;
  c["activity_regularizer"] = to_config(o_.activity_regularizer);
  return c;
}

LayerPtr RNNLayer::from_config(const Config& c) {
  LayerPtr l = deserialize(c.at("cell"));
  auto cell = std::dynamic_pointer_cast<RNNCell>(std::shared_ptr<Layer>(l));
  if (!cell)
    throw std::invalid_argument("RNN: the config's cell is a " + l->class_name() +
                                ", which is not a recurrent cell (a subclass of keras::layers::RNNCell)");
  return make<RNNLayer>("RNN", RNNCellPtr(cell), detail::recurrent_options_from(c));
}

Ref<RNNLayer> RNN(RNNCellPtr cell, const RecurrentOptions& o) { return make<RNNLayer>("RNN", std::move(cell), o); }

}  // namespace keras::layers
