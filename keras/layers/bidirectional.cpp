#include "keras/layers/bidirectional.h"
#include "keras/layers/options_base.h"

#include <stdexcept>

#include "core/ops.h"
#include "keras/layers/registry.h"

namespace keras::layers {
namespace ops = core::ops;

namespace {
Ref<RecurrentLayer> as_rnn(const LayerPtr& l, const char* what) {
  auto r = std::dynamic_pointer_cast<RecurrentLayer>(std::shared_ptr<Layer>(l));
  if (!r)
    throw std::invalid_argument(
        std::string("Bidirectional: expected ") + what +
        " to be a recurrent layer (RNN, SimpleRNN, LSTM, GRU, ConvLSTM1D/2D/3D), but received " +
        (l ? "a " + l->class_name() : std::string("none")));
  return Ref<RecurrentLayer>(r);
}

std::string without_prefix(const std::string& s, const std::string& p) {
  return s.rfind(p, 0) == 0 ? s.substr(p.size()) : s;
}

// A fresh copy of `l` from its config, named `name`, reading backwards or not.
Ref<RecurrentLayer> recreate(const RecurrentLayer& l, const std::string& name, bool go_backwards) {
  Config c = l.get_config();
  c["name"] = name;
  c["go_backwards"] = go_backwards;
  return as_rnn(from_config(l.class_name(), c), "the layer");
}
}  // namespace

BidirectionalLayer::BidirectionalLayer(const LayerPtr& layer, const BidirectionalOptions& o)
    : Layer("Bidirectional", detail::layer_options_of(o)),
      merge_mode_(o.merge_mode) {
  Ref<RecurrentLayer> l = as_rnn(layer, "the layer");
  if (merge_mode_ && *merge_mode_ != "concat" && *merge_mode_ != "sum" && *merge_mode_ != "mul" &&
      *merge_mode_ != "ave")
    throw std::invalid_argument(name() + ": invalid merge mode. Received: " + *merge_mode_ +
                                ". Merge mode should be one of {\"sum\", \"mul\", \"ave\", \"concat\", None}");
  forward_ = recreate(*l, "forward_" + without_prefix(l->name(), "forward_"), l->go_backwards());
  backward_ = o.backward_layer ? as_rnn(o.backward_layer, "backward_layer")
                               : recreate(*l, "backward_" + without_prefix(l->name(), "backward_"), true);
  if (forward_->go_backwards() == backward_->go_backwards())
    throw std::invalid_argument(name() + ": forward layer and backward layer should have different `go_backwards` "
                                "value. Received: forward_layer.go_backwards " +
                                (forward_->go_backwards() ? "True" : "False") + ", backward_layer.go_backwards=" +
                                (backward_->go_backwards() ? "True" : "False"));
  auto check = [&](const char* a, bool f, bool b) {
    if (f != b)
      throw std::invalid_argument(name() + ": forward layer and backward layer are expected to have the same value "
                                  "for attribute \"" + a + "\", got \"" + (f ? "True" : "False") +
                                  "\" for forward layer and \"" + (b ? "True" : "False") + "\" for backward layer");
  };
  check("stateful", forward_->stateful(), backward_->stateful());
  check("return_sequences", forward_->return_sequences(), backward_->return_sequences());
  check("return_state", forward_->return_state(), backward_->return_state());
  // Keras: masked steps output zeros when returning sequences.
  forward_->set_zero_output_for_mask(forward_->return_sequences());
  backward_->set_zero_output_for_mask(backward_->return_sequences());
  track_layer(forward_);
  track_layer(backward_);
  supports_masking_ = true;
}

void BidirectionalLayer::build(const std::vector<ShapeSpec>& shapes) { build(shapes.at(0)); }

void BidirectionalLayer::build(const ShapeSpec& s) {
  forward_->build_if_needed({s});
  backward_->build_if_needed({s});
}

std::vector<Tensor> BidirectionalLayer::call(const std::vector<Tensor>& xs, const CallContext& ctx) {
  const Tensor& x = xs.at(0);
  std::vector<Tensor> fin{x}, bin{x};
  if (xs.size() > 1) {  // initial states: the forward layer's, then the backward layer's
    const size_t n = xs.size() - 1;
    if (n % 2 != 0)
      throw std::invalid_argument(name() + ": expected the forward and the backward initial states (an even "
                                  "number), but received " + std::to_string(n));
    fin.insert(fin.end(), xs.begin() + 1, xs.begin() + 1 + long(n / 2));
    bin.insert(bin.end(), xs.begin() + 1 + long(n / 2), xs.end());
  }
  auto args = [&](size_t n) {
    CallArgs a{.training = ctx.training};
    if (ctx.mask(0).defined()) {
      a.masks.assign(n, Tensor());
      a.masks[0] = ctx.mask(0);
    }
    return a;
  };
  std::vector<Tensor> y = (*forward_)(fin, args(fin.size()));
  std::vector<Tensor> yr = (*backward_)(bin, args(bin.size()));
  Tensor a = y[0], b = yr[0];
  if (forward_->return_sequences()) b = ops::reverse(b, {1});
  std::vector<Tensor> out;
  if (!merge_mode_) out = {a, b};
  else if (*merge_mode_ == "concat") out = {ops::concat({a, b}, -1)};
  else if (*merge_mode_ == "sum") out = {ops::add(a, b)};
  else if (*merge_mode_ == "mul") out = {ops::multiply(a, b)};
  else out = {ops::divide(ops::add(a, b), ops::scalar_like(a, 2.0))};
  if (forward_->return_state()) {
    out.insert(out.end(), y.begin() + 1, y.end());
    out.insert(out.end(), yr.begin() + 1, yr.end());
  }
  return out;
}

std::vector<Tensor> BidirectionalLayer::compute_mask(const std::vector<Tensor>&, const std::vector<Tensor>& masks) {
  Tensor m = forward_->return_sequences() && !masks.empty() ? masks[0] : Tensor();
  std::vector<Tensor> out(merge_mode_ ? 1 : 2, m);
  if (forward_->return_state()) out.resize(out.size() + 2 * forward_->num_states());
  return out;
}

std::vector<ShapeSpec> BidirectionalLayer::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  std::vector<ShapeSpec> f = forward_->compute_output_shape({shapes.at(0)});
  std::vector<ShapeSpec> b = backward_->compute_output_shape({shapes.at(0)});
  std::vector<ShapeSpec> out;
  if (!merge_mode_) out = {f[0], b[0]};
  else if (*merge_mode_ == "concat") {
    ShapeSpec s = f[0];
    s.back() = f[0].back() + b[0].back();
    out = {s};
  } else out = {f[0]};
  out.insert(out.end(), f.begin() + 1, f.end());
  out.insert(out.end(), b.begin() + 1, b.end());
  return out;
}

std::vector<Tensor> BidirectionalLayer::states() const {
  std::vector<Tensor> out = forward_->states(), b = backward_->states();
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

void BidirectionalLayer::reset_states() {
  forward_->reset_states();
  backward_->reset_states();
}

void BidirectionalLayer::reset_states(const std::vector<Tensor>& values) {
  const size_t nf = forward_->states().size(), nb = backward_->states().size();
  if (values.size() != nf + nb)
    throw std::invalid_argument(name() + ": expected " + std::to_string(nf + nb) +
                                " state values (the forward layer's, then the backward layer's), but received " +
                                std::to_string(values.size()));
  forward_->reset_states(std::vector<Tensor>(values.begin(), values.begin() + long(nf)));
  backward_->reset_states(std::vector<Tensor>(values.begin() + long(nf), values.end()));
}

Config BidirectionalLayer::get_config() const {
  Config c = base_config();
  c["merge_mode"] = merge_mode_ ? Value(*merge_mode_) : Value();
  c["layer"] = serialize(*forward_);
  c["backward_layer"] = serialize(*backward_);
  return c;
}

LayerPtr BidirectionalLayer::from_config(const Config& c) {
  BidirectionalOptions o;
  detail::read_base_options(c, o);
  Value m = c.get("merge_mode", "concat");
  o.merge_mode = m.is_null() ? std::nullopt : std::optional<std::string>(m.as_string());
  if (const Value* b = c.find("backward_layer"); b && !b->is_null()) o.backward_layer = deserialize(*b);
  return make<BidirectionalLayer>(deserialize(c.at("layer")), o);
}

Ref<BidirectionalLayer> Bidirectional(const LayerPtr& layer, const BidirectionalOptions& o) {
  return make<BidirectionalLayer>(layer, o);
}

}  // namespace keras::layers
