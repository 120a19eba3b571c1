// onnx_layers_recurrent.cpp - ONNX converters of LSTM, GRU and SimpleRNN: ONNX's LSTM, GRU
// and RNN ops, one direction ("reverse" for go_backwards), time-major, with Keras's weights
// written in ONNX's layouts:
//   W (1, gates * units, input) = kernel^T, R (1, gates * units, units) = recurrent_kernel^T,
//   B (1, 2 * gates * units) = [input bias, recurrent bias];
// LSTM's gates reordered from Keras's i, f, c, o to ONNX's i, o, f, c; GRU's z, r, h are in
// the same order, reset_after as linear_before_reset (its bias rows are ONNX's Wb and Rb;
// without reset_after the recurrent bias is zero). The activations go to the op's
// `activations` attribute (recurrent_activation as f, activation as g and h). Initial
// states given as extra inputs become initial_h / initial_c. ONNX's reverse direction
// keeps its outputs at their timesteps, so go_backwards's sequence (in processing order,
// as Keras returns it) is Y read backwards. Bidirectional is its two layers' ops (the
// backward one's sequence read backwards again, as Keras reverses it) and the merge.
//
// Not exported (OnnxExportError naming the layer): stateful layers (their states are
// variables), activations ONNX's recurrent ops do not define, and masks (the export
// refuses masks as a whole: ONNX's sequence_lens would only say right-padded lengths).
#include <limits>
#include <map>
#include <optional>
#include <string>

#include "core/ops.h"
#include "keras/layers/all.h"
#include "keras/saving/onnx_builder.h"

namespace keras::saving::onnx {

namespace {
namespace ops = core::ops;
using A = OnnxAttr;
using V = std::vector<OnnxValue>;

// The ONNX name of a recurrent op's activation (those it defines without parameters).
std::string recurrent_activation(const LayerCall& c, const char* key) {
  static const std::map<std::string, std::string> names = {
      {"tanh", "Tanh"}, {"sigmoid", "Sigmoid"}, {"relu", "Relu"}, {"softsign", "Softsign"}, {"softplus", "Softplus"}};
  const std::string a = activation_name(c.config.get(key, Value("tanh")));
  auto it = names.find(a);
  if (it == names.end())
    c.fail(std::string(key) + " '" + a + "' has no ONNX recurrent activation (the layer exports with tanh, sigmoid, "
           "relu, softsign or softplus)");
  return it->second;
}

// w (rows, gates * units) as ONNX's (1, gates * units, rows), its gate blocks taken in
// `order` (indices of Keras's blocks).
Tensor onnx_weight(const Tensor& w, const std::vector<int>& order) {
  const std::vector<Tensor> blocks = ops::split(w, int64_t(order.size()), 1);
  std::vector<Tensor> picked;
  for (int i : order) picked.push_back(blocks[size_t(i)]);
  return ops::expand_dims(ops::transpose(ops::concat(picked, 1), {1, 0}), 0);
}

// A 1-d bias (gates * units) with its blocks in `order`.
Tensor onnx_bias(const Tensor& b, const std::vector<int>& order) {
  const std::vector<Tensor> blocks = ops::split(b, int64_t(order.size()), 0);
  std::vector<Tensor> picked;
  for (int i : order) picked.push_back(blocks[size_t(i)]);
  return ops::concat(picked, 0);
}

// What the three converters share: the time-major input, the initial states, the op
// node, and Keras's outputs from ONNX's Y, Y_h (and Y_c).
struct Recurrent {
  GraphBuilder& b;
  const LayerCall& c;
  OnnxValue x;
  int64_t units;
  bool sequences, state, backwards;

  Recurrent(GraphBuilder& builder, const LayerCall& call, int64_t u)
      : b(builder), c(call), x(float_input(builder, call, call.x())), units(u),
        sequences(call.config.get("return_sequences", false).as_bool()),
        state(call.config.get("return_state", false).as_bool()),
        backwards(call.config.get("go_backwards", false).as_bool()) {
    if (call.config.get("stateful", false).as_bool())
      call.fail("a stateful layer keeps its states in variables, which an ONNX graph does not carry; export a "
                "copy made with stateful = false");
    if (x.rank() != 3) call.fail("expected input of rank 3 (batch, time, features), but received rank " +
                                 std::to_string(x.rank()));
  }

  // The initial state `i` (an extra input of the call) as (1, batch, units), or "".
  std::string initial(size_t i) {
    if (c.inputs.size() <= i + 1) return "";
    const OnnxValue s = cast_to(b, c.inputs[i + 1], x.dtype);
    return b.add("Unsqueeze", {s.name, b.ints({0}, "axes")});
  }

  // Runs `op` with W, R, B and the initial states; returns Keras's outputs.
  V run(const std::string& op, const Tensor& w, const Tensor& r, const Tensor& bias, int states,
        std::vector<OnnxAttr> attrs) {
    const DType dt = x.dtype;
    auto as = [&](const Tensor& t) { return t.dtype() == dt ? t : ops::cast(t, dt); };
    std::vector<std::string> in{b.add("Transpose", {x.name}, {A::make_ints("perm", {1, 0, 2})}),
                                b.constant(as(w), "W"), b.constant(as(r), "R"),
                                b.constant(as(ops::expand_dims(bias, 0)), "B"), ""};
    for (int i = 0; i < states; ++i) in.push_back(initial(size_t(i)));
    while (!in.empty() && in.back().empty()) in.pop_back();
    attrs.push_back(A::make_int("hidden_size", units));
    attrs.push_back(A::make_string("direction", backwards ? "reverse" : "forward"));
    const std::vector<std::string> y = b.add_n(op, in, 1 + states, std::move(attrs));
    auto squeeze = [&](const std::string& t, int64_t axis) { return b.add("Squeeze", {t, b.ints({axis}, "axes")}); };
    V outs;
    if (sequences) {
      std::string seq = b.add("Transpose", {squeeze(y[0], 1)}, {A::make_ints("perm", {1, 0, 2})});
      if (backwards)  // processing order: the timesteps read backwards
        seq = b.add("Slice", {seq, b.ints({-1}, "starts"), b.ints({std::numeric_limits<int64_t>::min()}, "ends"),
                              b.ints({1}, "axes"), b.ints({-1}, "steps")});
      outs.push_back(out(seq, dt));
    } else {
      outs.push_back(out(squeeze(y[1], 0), dt));
    }
    if (state)
      for (int i = 0; i < states; ++i) outs.push_back(out(squeeze(y[size_t(1 + i)], 0), dt));
    return outs;
  }
};

// Keras's bias of a cell, or zeros of `n` when it has none (use_bias = false).
Tensor bias_or_zeros(const LayerCall& c, int64_t n, DType dt) {
  if (!c.config.get("use_bias", true).as_bool()) return ops::zeros({n}, dt);
  return c.weight("bias");
}

V lstm(GraphBuilder& b, const LayerCall& c) {
  const Tensor k = c.weight("kernel"), rk = c.weight("recurrent_kernel");
  const int64_t u = rk.shape()[0];
  Recurrent r(b, c, u);
  const std::vector<int> iofc{0, 3, 1, 2};  // Keras i, f, c, o -> ONNX i, o, f, c
  const Tensor bias = ops::concat({onnx_bias(bias_or_zeros(c, 4 * u, k.dtype()), iofc), ops::zeros({4 * u}, k.dtype())}, 0);
  const std::string f = recurrent_activation(c, "recurrent_activation"), g = recurrent_activation(c, "activation");
  return r.run("LSTM", onnx_weight(k, iofc), onnx_weight(rk, iofc), bias, 2, {A::make_strings("activations", {f, g, g})});
}

V gru(GraphBuilder& b, const LayerCall& c) {
  const Tensor k = c.weight("kernel"), rk = c.weight("recurrent_kernel");
  const int64_t u = rk.shape()[0];
  Recurrent r(b, c, u);
  const bool reset_after = c.config.get("reset_after", true).as_bool();
  const std::vector<int> zrh{0, 1, 2};
  Tensor bias;
  if (!c.config.get("use_bias", true).as_bool()) bias = ops::zeros({6 * u}, k.dtype());
  else if (reset_after) bias = ops::reshape(c.weight("bias"), {6 * u});  // rows: input, recurrent
  else bias = ops::concat({c.weight("bias"), ops::zeros({3 * u}, k.dtype())}, 0);
  const std::string f = recurrent_activation(c, "recurrent_activation"), g = recurrent_activation(c, "activation");
  return r.run("GRU", onnx_weight(k, zrh), onnx_weight(rk, zrh), bias, 1,
               {A::make_strings("activations", {f, g}), A::make_int("linear_before_reset", reset_after ? 1 : 0)});
}

V simple_rnn(GraphBuilder& b, const LayerCall& c) {
  const Tensor k = c.weight("kernel"), rk = c.weight("recurrent_kernel");
  const int64_t u = rk.shape()[0];
  Recurrent r(b, c, u);
  const Tensor bias = ops::concat({bias_or_zeros(c, u, k.dtype()), ops::zeros({u}, k.dtype())}, 0);
  return r.run("RNN", onnx_weight(k, {0}), onnx_weight(rk, {0}), bias, 1,
               {A::make_strings("activations", {recurrent_activation(c, "activation")})});
}

// Keras's Bidirectional: the forward and backward layers converted as themselves (the
// initial states split between them), then merge_mode's op over their first outputs.
V bidirectional(GraphBuilder& b, const LayerCall& c) {
  const auto& bi = dynamic_cast<const layers::BidirectionalLayer&>(c.layer);
  auto convert = [&](const layers::RecurrentLayer& l, std::vector<OnnxValue> in) {
    const LayerConverter* fn = find_converter(l);
    if (!fn) c.fail("its " + l.class_name() + " layer has no ONNX mapping");
    std::vector<ShapeSpec> shapes;
    for (const OnnxValue& v : in) shapes.push_back(v.shape);
    return (*fn)(b,
                 LayerCall{l, l.get_config(), in, const_cast<layers::RecurrentLayer&>(l).compute_output_shape(shapes)});
  };
  std::vector<OnnxValue> fin{c.x()}, bin{c.x()};
  const size_t states = (c.inputs.size() - 1) / 2;
  for (size_t i = 0; i < states; ++i) {
    fin.push_back(c.inputs[1 + i]);
    bin.push_back(c.inputs[1 + states + i]);
  }
  V f = convert(*bi.forward_layer(), fin), r = convert(*bi.backward_layer(), bin);
  const DType dt = f[0].dtype;
  if (bi.forward_layer()->return_sequences())  // back to the input's time order
    r[0] = out(b.add("Slice", {r[0].name, b.ints({-1}, "starts"), b.ints({std::numeric_limits<int64_t>::min()}, "ends"),
                               b.ints({1}, "axes"), b.ints({-1}, "steps")}),
               dt);
  V outs;
  const std::optional<std::string>& mode = bi.merge_mode();
  if (!mode) outs = {f[0], r[0]};
  else if (*mode == "concat") outs = {out(b.add("Concat", {f[0].name, r[0].name}, {A::make_int("axis", -1)}), dt)};
  else if (*mode == "sum") outs = {out(b.add("Add", {f[0].name, r[0].name}), dt)};
  else if (*mode == "mul") outs = {out(b.add("Mul", {f[0].name, r[0].name}), dt)};
  else outs = {out(b.add("Div", {b.add("Add", {f[0].name, r[0].name}), b.scalar(2.0, dt, "two")}), dt)};
  outs.insert(outs.end(), f.begin() + 1, f.end());
  outs.insert(outs.end(), r.begin() + 1, r.end());
  for (OnnxValue& v : outs) v.shape.clear();  // the caller gives the Bidirectional's shapes
  return outs;
}

}  // namespace

void add_recurrent_converters(std::vector<ConverterEntry>& v) {
  using layers::RNNLayer;
  add_converter<layers::BidirectionalLayer>(v, "Bidirectional", bidirectional);
  add_converter<RNNLayer>(v, "LSTM", lstm);
  add_converter<RNNLayer>(v, "GRU", gru);
  add_converter<RNNLayer>(v, "SimpleRNN", simple_rnn);
}

}  // namespace keras::saving::onnx
