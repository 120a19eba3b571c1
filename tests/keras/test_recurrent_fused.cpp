// test_recurrent_fused.cpp - LSTM and GRU on the fused sequence ops (core/rnn.h) under
// Keras 3's cuDNN conditions (use_cudnn "auto") against the composed step loop
// (use_cudnn=false): outputs, final states and gradients with go_backwards,
// return_sequences, return_state, initial states, stateful layers, input dropout and
// Bidirectional; masks (right-padded, with holes, fully masked rows; zero_output_for_mask);
// which configurations take the fused op (the traced graph says); traced training (an
// Embedding with mask_zero too); use_cudnn=true's errors.
#include <stdexcept>
#include <string>

#include "core/function.h"
#include "error_of.h"
#include "helpers.h"
#include "keras/keras.h"

using namespace th;
namespace layers = keras::layers;

namespace {

keras::LayerPtr make_layer(bool gru, bool fused, layers::RecurrentOptions o) {
  o.use_cudnn = fused ? layers::UseCudnnArg("auto") : layers::UseCudnnArg(false);
  return gru ? keras::LayerPtr(layers::GRU(4, o)) : keras::LayerPtr(layers::LSTM(4, o));
}

// The layer's outputs and the gradients of a weighted sum of them with respect to x, the
// initial states (when given) and the weights; `mask` (when defined) is x's.
std::vector<Tensor> run(const keras::LayerPtr& l, const std::vector<Tensor>& in, bool training,
                        const Tensor& mask = Tensor()) {
  keras::GradientTape tape;
  for (const Tensor& t : in) tape.watch(t);
  layers::CallArgs args{.training = training};
  if (mask.defined()) {  // one per input: none for the initial states
    args.masks = {mask};
    args.masks.resize(in.size());
  }
  std::vector<Tensor> out = (*l)(in, args);
  Tensor loss = ops::scalar_like(out[0], 0.0);
  uint32_t seed = 100;
  for (const Tensor& o : out)
    loss = ops::add(loss, ops::sum(ops::multiply(o, make(uniform(o.size(), 0.5, 1.5, seed++), o.shape(), o.dtype()))));
  std::vector<Tensor> sources = in;
  for (const keras::Variable& v : l->trainable_weights()) sources.push_back(v);
  std::vector<Tensor> g = tape.gradient(loss, sources);
  out.insert(out.end(), g.begin(), g.end());
  return out;
}

void check_same(const std::vector<Tensor>& a, const std::vector<Tensor>& b, double tol) {
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    CAPTURE(i);
    REQUIRE(a[i].defined());
    CHECK(a[i].shape() == b[i].shape());
    check_values(a[i], values(b[i]), tol);
  }
}

// Whether calling the layer inside a traced function records `op`.
bool traces_op(const keras::LayerPtr& l, const Tensor& x, const std::string& op, bool training = false,
               const Tensor& mask = Tensor()) {
  auto f = core::function([&](const Tensor& in) {
    layers::CallArgs args{.training = training};
    if (mask.defined()) args.masks = {mask};
    return (*l)(std::vector<Tensor>{in}, args)[0];
  });
  f(x);
  return f.graph_str().find(op + "(") != std::string::npos;
}

}  // namespace

namespace {
// Both paths of one configuration (x of shape (3, 5, 2), `mask` x's or undefined) with the
// same weights: the fused one traces the fused op, the composed one does not, and their
// outputs, states and gradients agree, in inference and in training.
void check_paths_agree(bool gru, DType dt, layers::RecurrentOptions o, bool initial_states, uint32_t seed,
                       const Tensor& mask = Tensor()) {
  o.dtype = dt;
  keras::LayerPtr composed = make_layer(gru, false, o), fused = make_layer(gru, true, o);
  const Tensor x = make(uniform(3 * 5 * 2, -1, 1, seed), Shape{3, 5, 2}, dt);
  std::vector<Tensor> in{x};
  if (initial_states)
    for (uint32_t s = 0; s < (gru ? 1u : 2u); ++s) in.push_back(make(uniform(12, -1, 1, seed + 1 + s), Shape{3, 4}, dt));
  (*composed)(in);
  (*fused)(in);
  fused->set_weights(composed->get_weights());
  const std::string op = gru ? "gru_sequence" : "lstm_sequence";
  CHECK(traces_op(fused, x, op, false, mask));
  CHECK_FALSE(traces_op(composed, x, op, false, mask));
  const double tol = dt == DType::float64 ? 1e-12 : 2e-5;
  for (bool training : {false, true}) {
    CAPTURE(training);
    check_same(run(fused, in, training, mask), run(composed, in, training, mask), tol);
  }
}
}  // namespace

TEST_CASE("LSTM and GRU: the fused path equals the composed one (outputs, states, gradients)") {
  struct Variant {
    const char* what;
    layers::RecurrentOptions o;
    bool initial_states;
  };
  const Variant variants[] = {
      {"last output", {}, false},
      {"sequences and states", {.return_sequences = true, .return_state = true}, false},
      {"go_backwards", {.return_sequences = true, .return_state = true, .go_backwards = true}, false},
      {"initial states", {.return_sequences = true, .return_state = true}, true},
      {"input dropout", {.dropout = 0.3, .seed = 9, .return_sequences = true}, false},
  };
  for (DType dt : {DType::float64, DType::float32})
    for (bool gru : {false, true})
      for (const Variant& v : variants) {
        CAPTURE(core::dtype_name(dt));
        CAPTURE(gru);
        CAPTURE(v.what);
        check_paths_agree(gru, dt, v.o, v.initial_states, 1);
      }
}

TEST_CASE("LSTM and GRU: masked sequences on the fused path equal the composed step loop") {
  // Rows: right-padded, masked steps between unmasked ones (the first masked too), every
  // step masked (the output stays zeros, the states the initial ones).
  const Tensor mask = ops::cast(make({1, 1, 1, 0, 0, 0, 1, 0, 1, 1, 0, 0, 0, 0, 0}, Shape{3, 5}), DType::bool_);
  struct Variant {
    const char* what;
    bool sequences, state, backwards, zero_output, initial_states;
    double dropout;
  };
  const Variant variants[] = {
      {"last output", false, false, false, false, false, 0},
      {"sequences and states", true, true, false, false, false, 0},
      {"go_backwards", true, true, true, false, false, 0},
      {"go_backwards, last output", false, true, true, false, false, 0},
      {"zero_output_for_mask", true, false, false, true, false, 0},
      {"zero_output_for_mask, last output", false, true, false, true, false, 0},
      {"initial states", true, true, false, false, true, 0},
      {"input dropout", true, false, false, false, false, 0.3},
  };
  for (DType dt : {DType::float64, DType::float32})
    for (bool gru : {false, true})
      for (const Variant& v : variants) {
        CAPTURE(core::dtype_name(dt));
        CAPTURE(gru);
        CAPTURE(v.what);
        layers::RecurrentOptions o;
        o.return_sequences = v.sequences, o.return_state = v.state, o.go_backwards = v.backwards;
        o.zero_output_for_mask = v.zero_output, o.dropout = v.dropout, o.seed = 9;
        check_paths_agree(gru, dt, o, v.initial_states, 11, mask);
      }
}

TEST_CASE("LSTM and GRU: stateful and Bidirectional layers agree on both paths") {
  for (bool gru : {false, true}) {
    CAPTURE(gru);
    const Tensor x = make(uniform(2 * 4 * 3, -1, 1, 5), Shape{2, 4, 3});
    keras::LayerPtr a = make_layer(gru, false, {.stateful = true}), b = make_layer(gru, true, {.stateful = true});
    Tensor a1 = (*a)(x);
    b->build(keras::ShapeSpec{2, 4, 3});
    (*b)(x);
    b->set_weights(a->get_weights());
    std::dynamic_pointer_cast<layers::RNNLayer>(std::shared_ptr<layers::Layer>(b))->reset_states();
    check_values((*b)(x), values(a1), 1e-5);
    check_values((*b)(x), values((*a)(x)), 1e-5);  // the second batch starts from the first's states
    // Bidirectional (its layers are made from the config, which has no use_cudnn: "auto",
    // as in Keras) against two composed layers with its weights.
    auto bi = layers::Bidirectional(make_layer(gru, true, {.return_sequences = true}));
    Tensor yb = (*bi)(x);
    CHECK(traces_op(bi, x, gru ? "gru_sequence" : "lstm_sequence"));
    const std::vector<Tensor> w = bi->get_weights();
    const size_t half = w.size() / 2;
    keras::LayerPtr fwd = make_layer(gru, false, {.return_sequences = true}),
                    bwd = make_layer(gru, false, {.return_sequences = true, .go_backwards = true});
    (*fwd)(x), (*bwd)(x);
    fwd->set_weights({w.begin(), w.begin() + long(half)});
    bwd->set_weights({w.begin() + long(half), w.end()});
    Tensor want = ops::concat({(*fwd)(x), ops::reverse((*bwd)(x), {1})}, 2);
    check_values(yb, values(want), 1e-5);
  }
}

TEST_CASE("LSTM and GRU: which configurations run the fused op (Keras 3's cuDNN conditions)") {
  const Tensor x = make(uniform(2 * 3 * 2, -1, 1, 6), Shape{2, 3, 2});
  CHECK(traces_op(layers::LSTM(3), x, "lstm_sequence"));
  CHECK(traces_op(layers::GRU(3), x, "gru_sequence"));
  CHECK_FALSE(traces_op(layers::LSTM(3, {.activation = "relu"}), x, "lstm_sequence"));
  CHECK_FALSE(traces_op(layers::LSTM(3, {.recurrent_activation = "hard_sigmoid"}), x, "lstm_sequence"));
  CHECK_FALSE(traces_op(layers::LSTM(3, {.use_bias = false}), x, "lstm_sequence"));
  CHECK_FALSE(traces_op(layers::LSTM(3, {.recurrent_dropout = 0.2}), x, "lstm_sequence", true));
  CHECK_FALSE(traces_op(layers::LSTM(3, {.unroll = true}), x, "lstm_sequence"));
  CHECK_FALSE(traces_op(layers::GRU(3, {.reset_after = false}), x, "gru_sequence"));
  CHECK_FALSE(traces_op(layers::RNN(layers::LSTMCell(3)), x, "lstm_sequence"));  // keras.layers.RNN(cell)
  CHECK(traces_op(layers::LSTM(3, {.dropout = 0.5}), x, "lstm_sequence", true));
  // mixed precision: float16 runs in float32 (the engine's half rule)
  CHECK(traces_op(layers::LSTM(3, {.dtype = keras::mixed_precision::DTypePolicy("mixed_float16")}), x,
                  "lstm_sequence"));
  // a mask takes the fused op where the device's kernel takes masks (the CPU's does)
  CHECK(core::rnn_kernel_takes_masks(core::Device::cpu()));
  CHECK(traces_op(layers::LSTM(3), x, "lstm_sequence", false, ops::ones({2, 3}, DType::bool_)));
  CHECK(traces_op(layers::GRU(3), x, "gru_sequence", false, ops::ones({2, 3}, DType::bool_)));
}

TEST_CASE("LSTM and GRU: use_cudnn=true raises when the fused op cannot run; other values are refused") {
  const Tensor x = make(uniform(2 * 3 * 2, -1, 1, 6), Shape{2, 3, 2});
  CHECK((*layers::LSTM(3, {.use_cudnn = true}))(x).shape() == Shape{2, 3});
  std::string e = th::error_of([&] { (*layers::LSTM(3, {.activation = "relu", .use_cudnn = true}))(x); });
  CHECK(e.find("use_cudnn=true was specified") != std::string::npos);
  CHECK(e.find("activation tanh") != std::string::npos);
  e = th::error_of([&] { (*layers::GRU(3, {.reset_after = false, .use_cudnn = true}))(x); });
  CHECK(e.find("reset_after") != std::string::npos);
  e = th::error_of([&] { (*layers::LSTM(3, {.unroll = true, .use_cudnn = true}))(x); });
  CHECK(e.find("unroll=true") != std::string::npos);
  CHECK((*layers::GRU(3, {.use_cudnn = true}))(std::vector<Tensor>{x}, {.masks = {ops::ones({2, 3}, DType::bool_)}})
            .at(0)
            .shape() == Shape{2, 3});
  CHECK((*layers::GRU(3, {.use_cudnn = true, .dtype = keras::mixed_precision::DTypePolicy("mixed_bfloat16")}))(x)
            .dtype() == DType::bfloat16);
  e = th::error_of([] { layers::LSTM(3, {.use_cudnn = "yes"}); });
  CHECK(e.find("use_cudnn: expected one of \"auto\", true, false, but received \"yes\"") != std::string::npos);
  // Not in the config (as Keras 3).
  CHECK_FALSE(layers::LSTM(3)->get_config().contains("use_cudnn"));
}

TEST_CASE("traced fit: LSTM and GRU train through the fused ops and their backward ops") {
  Tensor x = make(uniform(32 * 6 * 3, -1, 1, 21), Shape{32, 6, 3});
  Tensor y = ops::cast(ops::greater(ops::sum(ops::slice(x, {0, 0, 0}, {32, 6, 1}), {1, 2}), ops::scalar_like(x, 0.0)),
                       DType::int32);
  for (bool gru : {false, true}) {
    CAPTURE(gru);
    const std::string op = gru ? "gru_sequence" : "lstm_sequence";
    auto rnn = gru ? keras::LayerPtr(layers::GRU(8, {.input_shape = {6, 3}}))
                   : keras::LayerPtr(layers::LSTM(8, {.input_shape = {6, 3}}));
    auto m = keras::Sequential({rnn, layers::Dense(2)});
    m->compile({.optimizer = "adam", .loss = keras::losses::SparseCategoricalCrossentropy({.from_logits = true})});
    auto h = m->fit(x, y, {.batch_size = 8, .epochs = 6, .verbose = 0});
    CHECK(h.history.at("loss").back() < h.history.at("loss").front());
    REQUIRE(m->train_function());
    const std::string g = m->train_function()->graph_str();
    CHECK(g.find(op + "(") != std::string::npos);
    CHECK(g.find(op + "_grad(") != std::string::npos);
    m->predict(x, {.verbose = 0});
  }
}

TEST_CASE("traced fit: Embedding(mask_zero) into LSTM and GRU runs the masked fused ops, as the step loop") {
  // Right-padded id sequences of lengths 1..6 (0 is padding), labels from the first id.
  std::vector<double> ids, labels;
  for (int i = 0; i < 24; ++i) {
    const int len = 1 + i % 6;
    for (int t = 0; t < 6; ++t) ids.push_back(t < len ? 1 + (i * 7 + t * 3) % 9 : 0);
    labels.push_back((1 + (i * 7) % 9) > 5 ? 1 : 0);
  }
  const Tensor x = make(ids, Shape{24, 6}, DType::int32), y = make(labels, Shape{24}, DType::int32);
  for (bool gru : {false, true}) {
    CAPTURE(gru);
    const std::string op = gru ? "gru_sequence" : "lstm_sequence";
    auto model = [&](bool fused) {
      layers::RecurrentOptions o;
      o.use_cudnn = fused ? layers::UseCudnnArg("auto") : layers::UseCudnnArg(false);
      auto rnn = gru ? keras::LayerPtr(layers::GRU(5, o)) : keras::LayerPtr(layers::LSTM(5, o));
      auto m = keras::Sequential({layers::Embedding(10, 3, {.mask_zero = true, .input_shape = {6}}), rnn,
                                  layers::Dense(2)});
      m->compile({.optimizer = "adam", .loss = keras::losses::SparseCategoricalCrossentropy({.from_logits = true})});
      return m;
    };
    auto fused = model(true), composed = model(false);
    fused->set_weights(composed->get_weights());
    auto hf = fused->fit(x, y, {.batch_size = 8, .epochs = 3, .verbose = 0, .shuffle = false});
    auto hc = composed->fit(x, y, {.batch_size = 8, .epochs = 3, .verbose = 0, .shuffle = false});
    const std::string g = fused->train_function()->graph_str();
    CHECK(g.find(op + "(") != std::string::npos);
    CHECK(g.find(op + "_grad(") != std::string::npos);
    CHECK(composed->train_function()->graph_str().find(op + "(") == std::string::npos);
    for (size_t e = 0; e < 3; ++e) CHECK(hf.history.at("loss")[e] == doctest::Approx(hc.history.at("loss")[e]).epsilon(1e-5));
    check_values(fused->predict(x, {.verbose = 0}), values(composed->predict(x, {.verbose = 0})), 1e-4);
  }
}
