#include "keras/layers/conv_lstm.h"
#include "keras/layers/options_base.h"

#include <stdexcept>

#include "core/ops.h"
#include "keras/layers/conv_geometry.h"
#include "keras/layers/recurrent_internal.h"

namespace keras::layers {
namespace ops = core::ops;

namespace {
std::string rank_name(int rank) { return "ConvLSTM" + std::to_string(rank) + "D"; }

Tensor weight_as(const Variable& v, DType dt) {
  Tensor t = v.value();
  return t.dtype() == dt ? t : ops::cast(t, dt);
}
}  // namespace

// ---- the cell -----------------------------------------------------------------------------
ConvLSTMCellLayer::ConvLSTMCellLayer(int rank, int64_t filters, std::vector<int64_t> kernel_size,
                                     std::vector<int64_t> strides, std::vector<int64_t> dilation, std::string padding,
                                     const ConvLSTMOptions& o)
    : Layer("ConvLSTMCell", LayerOptions{.name = "conv_lstm_cell", .trainable = o.trainable}),
      rank_(rank),
      filters_(filters),
      kernel_size_(std::move(kernel_size)),
      strides_(std::move(strides)),
      dilation_(std::move(dilation)),
      padding_(std::move(padding)),
      o_(o) {}

void ConvLSTMCellLayer::build(const ShapeSpec& s) {
  std::vector<int64_t> k(kernel_size_.begin(), kernel_size_.end()), rk = k;
  k.push_back(s.back());
  k.push_back(4 * filters_);
  rk.push_back(filters_);
  rk.push_back(4 * filters_);
  kernel = add_weight("kernel", Shape(k),
                      {o_.kernel_initializer.ptr(), o_.kernel_regularizer.ptr(), o_.kernel_constraint.ptr()});
  recurrent_kernel =
      add_weight("recurrent_kernel", Shape(rk),
                 {o_.recurrent_initializer.ptr(), o_.recurrent_regularizer.ptr(), o_.recurrent_constraint.ptr()});
  if (o_.use_bias) {
    InitializerArg b = o_.unit_forget_bias ? detail::forget_bias_initializer(o_.bias_initializer, filters_)
                                           : o_.bias_initializer;
    bias = add_weight("bias", Shape{4 * filters_}, {b.ptr(), o_.bias_regularizer.ptr(), o_.bias_constraint.ptr()});
  }
}

std::vector<Tensor> ConvLSTMCellLayer::step(const std::vector<Tensor>& x, const std::vector<Tensor>& h,
                                            const Tensor& c) {
  const DType dt = c.dtype();
  // One convolution for the four gates, or (inputs or states under dropout: a mask per
  // gate, as Keras) one per gate with its quarter of the kernel.
  auto gates = [&](const std::vector<Tensor>& in, const Variable& w, auto conv) {
    if (in.size() == 1) return ops::split(conv(in[0], weight_as(w, dt)), 4, -1);
    std::vector<Tensor> ws = ops::split(weight_as(w, dt), 4, -1), out;
    for (size_t g = 0; g < 4; ++g) out.push_back(conv(in[g], ws[g]));
    return out;
  };
  std::vector<Tensor> z = gates(x, kernel, [&](const Tensor& a, const Tensor& w) {
    return ops::conv(a, w, strides_, padding_, "channels_last", dilation_);
  });
  const std::vector<Tensor> r =
      gates(h, recurrent_kernel, [](const Tensor& a, const Tensor& w) { return ops::conv(a, w, 1, "same"); });
  std::vector<Tensor> b;
  if (o_.use_bias) b = ops::split(weight_as(bias, dt), 4, 0);
  for (size_t g = 0; g < 4; ++g) {
    if (o_.use_bias) z[g] = ops::add(z[g], b[g]);
    z[g] = ops::add(z[g], r[g]);
  }
  Tensor i = o_.recurrent_activation(z[0]), f = o_.recurrent_activation(z[1]);
  Tensor c2 = ops::add(ops::multiply(f, c), ops::multiply(i, o_.activation(z[2])));
  Tensor h2 = ops::multiply(o_.recurrent_activation(z[3]), o_.activation(c2));
  return {h2, h2, c2};
}

Tensor ConvLSTMCellLayer::call(const Tensor&, bool) {
  throw std::logic_error(name() + ": a ConvLSTM cell runs inside its ConvLSTM layer, not on its own");
}

Config ConvLSTMCellLayer::get_config() const { return base_config(); }

// ---- the layer ----------------------------------------------------------------------------
ConvLSTMLayer::ConvLSTMLayer(int rank, int64_t filters, const SpatialArg& kernel_size, const ConvLSTMOptions& o)
    : RecurrentLayer(rank_name(rank), detail::layer_options_of(o)),
      rank_(rank),
      filters_(filters),
      o_(o),
      seeds_(o.seed) {
  supports_masking_ = true;
  if (rank < 1 || rank > 3)
    throw std::invalid_argument(name() + ": expected 1, 2 or 3 spatial axes, but received rank=" +
                                std::to_string(rank));
  if (filters <= 0)
    throw std::invalid_argument(name() + ": invalid value for argument `filters`. Expected a strictly positive "
                                "value. Received filters=" + std::to_string(filters));
  const detail::ConvGeometry g =
      detail::conv_geometry(name(), rank, kernel_size, o.strides, o.padding, o.data_format, o.dilation_rate, false);
  kernel_size_ = g.kernel_size;
  strides_ = g.strides;
  dilation_ = g.dilation;
  o_.padding = g.padding;
  o_.data_format = g.data_format;
  for (double r : {o.dropout, o.recurrent_dropout})
    if (!(r >= 0.0 && r <= 1.0))
      throw std::invalid_argument(name() + ": expected dropout and recurrent_dropout in [0, 1], but received " +
                                  detail::num(r));
  cell = track(make<ConvLSTMCellLayer>(rank, filters, kernel_size_, strides_, dilation_, o_.padding, o_));
}

ShapeSpec ConvLSTMLayer::state_shape(const ShapeSpec& s) const {
  ShapeSpec out{s[0]};
  for (int i = 0; i < rank_; ++i)
    out.push_back(detail::window_output(s[size_t(i) + 2], kernel_size_[size_t(i)], strides_[size_t(i)],
                                        dilation_[size_t(i)], o_.padding));
  out.push_back(filters_);
  return out;
}

// A channels_first sequence (batch, time, channels, *spatial) moves to channels_last
// (batch, time, *spatial, channels) and back: the time axis stays, the rest as one step's.
void ConvLSTMLayer::build(const std::vector<ShapeSpec>& shapes) {
  const ShapeSpec s = channels_first() && shapes.at(0).size() == size_t(rank_ + 3)
                          ? detail::moved_axis(shapes.at(0), 2, size_t(rank_ + 2))
                          : shapes.at(0);
  if (int64_t(s.size()) != rank_ + 3)
    throw std::invalid_argument(name() + ": expected ndim=" + std::to_string(rank_ + 3) + " (batch, time, " +
                                std::to_string(rank_) + " spatial axes, channels), but received input with shape " +
                                shape_str(s));
  for (size_t i = 2; i < s.size(); ++i)
    if (s[i] < 0)
      throw std::invalid_argument(name() + ": ConvLSTM layers need known spatial and channel sizes, but received "
                                  "input shape " + shape_str(s));
  if (o_.stateful) {
    if (s[0] < 0)
      throw std::invalid_argument(name() + ": a stateful ConvLSTM layer needs to know its batch size: give the Input "
                                  "a batch_size, or call the layer on a tensor first (received input shape " +
                                  shape_str(shapes.at(0)) + ")");
    if (state_vars_.empty())
      for (int i = 0; i < 2; ++i)
        state_vars_.emplace_back(ops::zeros(Shape(state_shape(s)), dtype()), name() + "/rnn_state", false);
    else
      reset_states();  // Keras: building again zeroes the states
  }
  if (cell->built()) return;  // build() was called directly before this call
  cell->set_dtype_policy(sublayer_dtype_policy());
  ShapeSpec step{s[0]};
  step.insert(step.end(), s.begin() + 2, s.end());
  cell->build(step);
}

std::vector<Tensor> ConvLSTMLayer::states() const {
  std::vector<Tensor> out;
  for (const Variable& v : state_vars_)
    out.push_back(channels_first() ? detail::to_channels_first(v.value(), true) : v.value());
  return out;
}

void ConvLSTMLayer::reset_states() {
  for (Variable& v : state_vars_) v.assign(ops::zeros_like(v.value()));
}

void ConvLSTMLayer::reset_states(const std::vector<Tensor>& values) {
  const std::vector<Tensor> now = states();
  if (values.size() != now.size())
    throw std::invalid_argument(name() + ": expected " + std::to_string(now.size()) + " state values, but received " +
                                std::to_string(values.size()));
  for (size_t i = 0; i < values.size(); ++i) {
    if (values[i].shape() != now[i].shape())
      throw std::invalid_argument(name() + ": expected state " + std::to_string(i) + " of shape " +
                                  now[i].shape().str() + ", but received shape " + values[i].shape().str());
    const Tensor v = channels_first() ? detail::to_channels_last(values[i], true) : values[i];
    state_vars_[i].assign(ops::cast(v, state_vars_[i].dtype()));
  }
}

std::vector<Tensor> ConvLSTMLayer::call(const std::vector<Tensor>& xs, const CallContext& ctx) {
  if (xs.size() != 1 && xs.size() != 3)
    throw std::invalid_argument(name() + ": expected the inputs {x} or {x, h0, c0}, but received " +
                                std::to_string(xs.size()) + " tensors");
  if (!channels_first()) return call_last(xs, ctx);
  if (xs[0].shape().rank() != rank_ + 3)
    throw std::invalid_argument(name() + ": expected ndim=" + std::to_string(rank_ + 3) +
                                ", but received input with shape " + xs[0].shape().str());
  std::vector<Tensor> last{ops::moveaxis(xs[0], 2, -1)};
  for (size_t i = 1; i < xs.size(); ++i) last.push_back(detail::to_channels_last(xs[i], true));
  std::vector<Tensor> out = call_last(last, ctx);
  out[0] = o_.return_sequences ? ops::moveaxis(out[0], -1, 2) : detail::to_channels_first(out[0], true);
  for (size_t i = 1; i < out.size(); ++i) out[i] = detail::to_channels_first(out[i], true);
  return out;
}

std::vector<Tensor> ConvLSTMLayer::call_last(const std::vector<Tensor>& xs, const CallContext& ctx) {
  Tensor x = xs[0];
  const ShapeSpec want_state = state_shape(spec_of(x.shape()));
  if (x.shape().rank() != rank_ + 3)
    throw std::invalid_argument(name() + ": expected ndim=" + std::to_string(rank_ + 3) +
                                ", but received input with shape " + x.shape().str());
  const int64_t time = x.shape()[1];
  if (time == 0)
    throw std::invalid_argument(name() + ": expected at least one timestep, but received input with shape " +
                                x.shape().str());
  Tensor mask = ctx.mask(0);
  if (mask.defined() && (mask.rank() != 2 || mask.shape()[0] != x.shape()[0] || mask.shape()[1] != time))
    throw std::invalid_argument(name() + ": expected a mask of shape (batch, time) for input with shape " +
                                x.shape().str() + ", but received mask with shape " + mask.shape().str());
  Tensor h, c;
  if (xs.size() == 3) {
    for (size_t i = 1; i < 3; ++i)
      if (spec_of(xs[i].shape()) != want_state)
        throw std::invalid_argument(name() + ": expected initial state " + std::to_string(i - 1) + " of shape " +
                                    shape_str(want_state) + ", but received shape " + xs[i].shape().str());
    h = ops::cast(xs[1], x.dtype());
    c = ops::cast(xs[2], x.dtype());
  } else if (o_.stateful && !state_vars_.empty()) {
    if (state_vars_[0].shape()[0] != x.shape()[0])
      throw std::invalid_argument(name() + ": this stateful layer was built for batch size " +
                                  std::to_string(state_vars_[0].shape()[0]) + ", but received input with shape " +
                                  x.shape().str());
    h = ops::cast(state_vars_[0].value(), x.dtype());
    c = ops::cast(state_vars_[1].value(), x.dtype());
  } else {
    h = ops::zeros(Shape(want_state), x.dtype());
    c = h;
  }
  if (o_.go_backwards) {
    x = ops::flip(x, 1);
    if (mask.defined()) mask = ops::flip(mask, 1);
  }
  // Dropout: one mask per gate for the sequence, the same at every timestep (Keras's
  // ConvLSTMCell draws four).
  std::vector<Tensor> in_masks, h_masks;
  if (ctx.training && o_.dropout > 0) {
    std::vector<int64_t> step{x.shape()[0]};
    for (int64_t i = 2; i < x.shape().rank(); ++i) step.push_back(x.shape()[i]);
    for (int g = 0; g < 4; ++g) in_masks.push_back(detail::dropout_mask(seeds_, Shape(step), x.dtype(), o_.dropout));
  }
  if (ctx.training && o_.recurrent_dropout > 0)
    for (int g = 0; g < 4; ++g)
      h_masks.push_back(detail::dropout_mask(seeds_, h.shape(), x.dtype(), o_.recurrent_dropout));
  auto masked = [](const Tensor& t, const std::vector<Tensor>& masks) {
    if (masks.empty()) return std::vector<Tensor>{t};
    std::vector<Tensor> out;
    for (const Tensor& m : masks) out.push_back(ops::multiply(t, m));
    return out;
  };

  std::vector<Tensor> steps = ops::unstack(x, 1), step_masks, outputs;
  if (mask.defined())
    for (const Tensor& m : ops::unstack(mask, 1)) {
      Tensor b = m.dtype() == DType::bool_ ? m : ops::cast(m, DType::bool_);
      for (int i = 0; i <= rank_; ++i) b = ops::expand_dims(b, -1);  // (batch, 1, ..., 1)
      step_masks.push_back(b);
    }
  Tensor last;  // the last unmasked output (zeros before the first)
  for (int64_t t = 0; t < time; ++t) {
    std::vector<Tensor> r = cell->step(masked(steps[size_t(t)], in_masks), masked(h, h_masks), c);
    if (mask.defined()) {
      const Tensor& m = step_masks[size_t(t)];
      if (!last.defined()) last = ops::zeros_like(r[0]);
      h = ops::where(m, r[1], h);
      c = ops::where(m, r[2], c);
      last = ops::where(m, r[0], last);
      // zero_output_for_mask: a masked timestep outputs zeros (and so does the last
      // output when the last timestep is masked), as Keras's RNN.
      const Tensor out = o_.zero_output_for_mask ? ops::where(m, r[0], ops::zeros_like(r[0])) : last;
      if (o_.return_sequences) outputs.push_back(out);
      else if (o_.zero_output_for_mask) last = out;
    } else {
      h = r[1];
      c = r[2];
      last = r[0];
      if (o_.return_sequences) outputs.push_back(last);
    }
  }
  if (o_.stateful && !state_vars_.empty())
    for (auto [v, t] : {std::pair{&state_vars_[0], h}, std::pair{&state_vars_[1], c}})
      v->assign(t.dtype() == v->dtype() ? t : ops::cast(t, v->dtype()));
  Tensor out = o_.return_sequences ? ops::stack(outputs, 1) : last;
  if (o_.return_state) return {out, h, c};
  return {out};
}

std::vector<Tensor> ConvLSTMLayer::compute_mask(const std::vector<Tensor>&, const std::vector<Tensor>& masks) {
  Tensor m = o_.return_sequences && !masks.empty() ? masks[0] : Tensor();
  if (o_.return_state) return {m, Tensor(), Tensor()};
  return {m};
}

std::vector<ShapeSpec> ConvLSTMLayer::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  const ShapeSpec& s = shapes.at(0);
  if (int64_t(s.size()) != rank_ + 3)
    throw std::invalid_argument(name() + ": expected ndim=" + std::to_string(rank_ + 3) +
                                ", but received input with shape " + shape_str(s));
  if (!channels_first()) return output_shape_last(s);
  std::vector<ShapeSpec> out = output_shape_last(detail::moved_axis(s, 2, size_t(rank_ + 2)));
  out[0] = o_.return_sequences ? detail::moved_axis(out[0], size_t(rank_ + 2), 2)
                               : detail::to_channels_first(out[0], true);
  for (size_t i = 1; i < out.size(); ++i) out[i] = detail::to_channels_first(out[i], true);
  return out;
}

std::vector<ShapeSpec> ConvLSTMLayer::output_shape_last(const ShapeSpec& s) {
  const ShapeSpec state = state_shape(s);
  ShapeSpec out = state;
  if (o_.return_sequences) out.insert(out.begin() + 1, s[1]);
  if (o_.return_state) return {out, state, state};
  return {out};
}

Config ConvLSTMLayer::get_config() const {
  Config c = base_config();
  c["return_sequences"] = o_.return_sequences;
  c["return_state"] = o_.return_state;
  c["go_backwards"] = o_.go_backwards;
  c["stateful"] = o_.stateful;
  c["unroll"] = o_.unroll;
  c["zero_output_for_mask"] = o_.zero_output_for_mask;
  c["filters"] = static_cast<long long>(filters_);
  detail::write_geometry(c, {kernel_size_, strides_, dilation_, o_.padding, o_.data_format});
  detail::write_recurrent_keys(c, o_, true, true, false);
  c["activity_regularizer"] = to_config(o_.activity_regularizer);
  return c;
}

LayerPtr ConvLSTMLayer::from_config_rank(int rank, const Config& c) {
  ConvLSTMOptions o;
  detail::read_base_options(c, o);
  detail::read_geometry(c, o);
  detail::read_recurrent_keys(c, o);
  return make<ConvLSTMLayer>(rank, c.at("filters").as_int(), detail::spatial_from(c.at("kernel_size")), o);
}

Ref<ConvLSTMLayer> ConvLSTM1D(int64_t filters, const SpatialArg& kernel_size, const ConvLSTMOptions& o) {
  return make<ConvLSTMLayer>(1, filters, kernel_size, o);
}
Ref<ConvLSTMLayer> ConvLSTM2D(int64_t filters, const SpatialArg& kernel_size, const ConvLSTMOptions& o) {
  return make<ConvLSTMLayer>(2, filters, kernel_size, o);
}
Ref<ConvLSTMLayer> ConvLSTM3D(int64_t filters, const SpatialArg& kernel_size, const ConvLSTMOptions& o) {
  return make<ConvLSTMLayer>(3, filters, kernel_size, o);
}

}  // namespace keras::layers
