// test_recurrent_layers.cpp - SimpleRNN/LSTM/GRU and their cells, RNN over a user cell,
// Bidirectional, TimeDistributed: the layer harness, Keras 3's outputs on fixed inputs,
// masks and weights (tests/data/rnn/*.npz, written by tests/data/npz/make_rnn_fixtures.py)
// and its config keys, masks from Embedding(mask_zero), stateful layers, a float64
// gradient check through LSTM and GRU, traced training, and save/load.
#include <cmath>
#include <stdexcept>

#include "files.h"
#include "layer_harness.h"
#include "test_data_dir.h"

using namespace th;
namespace layers = keras::layers;

namespace {
// A user cell: h' = tanh(x @ w + h) (an RNN over it is keras.layers.RNN(MinimalRNNCell)).
class MinimalCell : public layers::RNNCell {
 public:
  explicit MinimalCell(int64_t units, std::string name = "") : RNNCell("MinimalCell", {.name = name}), units_(units) {}
  std::vector<int64_t> state_size() const override { return {units_}; }
  int64_t output_size() const override { return units_; }
  using RNNCell::build;
  void build(const keras::ShapeSpec& s) override { w = add_weight("w", Shape{s.back(), units_}); }
  std::vector<Tensor> step(const Tensor& x, const std::vector<Tensor>& states, bool) override {
    Tensor h = ops::tanh(ops::add(ops::matmul(x, w), states[0]));
    return {h, h};
  }
  keras::Config get_config() const override {
    keras::Config c = base_config();
    c["units"] = static_cast<long long>(units_);
    return c;
  }
  static keras::LayerPtr from_config(const keras::Config& c) { 
    return layers::make<MinimalCell>(c.at("units").as_int(), c.at("name").as_string());
  }
  keras::Variable w;

 private:
  int64_t units_;
};
}  // namespace

TEST_CASE("recurrent layers: the layer harness" * doctest::test_suite("layer_harness")) {
  keras::layers::register_layer("MinimalCell", MinimalCell::from_config);
  run_layer_test({"simple_rnn_cell", [] { return layers::SimpleRNNCell(4); }, {Shape{2, 3}}, {}, {2, 4}, 3, 3});
  run_layer_test({"lstm_cell", [] { return layers::LSTMCell(4); }, {Shape{2, 3}}, {}, {2, 4}, 3, 3});
  run_layer_test({"gru_cell", [] { return layers::GRUCell(4, {.reset_after = false}); }, {Shape{2, 3}}, {}, {2, 4}, 3, 3});
  run_layer_test({"simple_rnn", [] { return layers::SimpleRNN(4, {.return_sequences = true}); }, {Shape{2, 5, 3}}, {},
                  {2, 5, 4}, 3, 3});
  run_layer_test({"lstm", [] { return layers::LSTM(4); }, {Shape{2, 5, 3}}, {}, {2, 4}, 3, 3});
  run_layer_test({"lstm dropout", [] { return layers::LSTM(4, {.dropout = 0.5, .recurrent_dropout = 0.5, .seed = 3}); },
                  {Shape{2, 5, 3}}, {}, {2, 4}, 3, 3, true});
  run_layer_test({"gru", [] { return layers::GRU(4, {.go_backwards = true}); }, {Shape{2, 5, 3}}, {}, {2, 4}, 3, 3});
  run_layer_test({"gru no bias", [] { return layers::GRU(4, {.use_bias = false}); }, {Shape{2, 5, 3}}, {}, {2, 4}, 2, 2});
  run_layer_test({"rnn user cell", [] { return layers::RNN(layers::make<MinimalCell>(3), {.return_sequences = true}); },
                  {Shape{2, 5, 3}}, {}, {2, 5, 3}, 1, 1});
  run_layer_test({"bidirectional", [] { return layers::Bidirectional(layers::LSTM(3, {.return_sequences = true})); },
                  {Shape{2, 5, 3}}, {}, {2, 5, 6}, 6, 6});
  run_layer_test({"bidirectional sum", [] { return layers::Bidirectional(layers::GRU(3), {.merge_mode = "sum"}); },
                  {Shape{2, 5, 3}}, {}, {2, 3}, 6, 6});
  run_layer_test({"time_distributed", [] { return layers::TimeDistributed(layers::Dense(3)); }, {Shape{2, 4, 5}}, {},
                  {2, 4, 3}, 2, 2});
}

namespace {

struct KerasCase {
  std::string name;
  std::function<keras::LayerPtr()> make;
};

// The layers of make_rnn_fixtures.py's CASES, built the same way.
std::vector<KerasCase> keras_cases() {
  using O = layers::RecurrentOptions;
  return {
      {"lstm", [] { return layers::LSTM(4); }},
      {"lstm_sequences_state", [] { return layers::LSTM(4, O{.return_sequences = true, .return_state = true}); }},
      {"lstm_backwards_no_forget_bias",
       [] { return layers::LSTM(3, O{.unit_forget_bias = false, .return_sequences = true, .go_backwards = true}); }},
      {"lstm_mask_sequences_state", [] { return layers::LSTM(4, O{.return_sequences = true, .return_state = true}); }},
      {"lstm_no_bias_relu", [] { return layers::LSTM(3, O{.activation = "relu", .use_bias = false}); }},
      {"gru", [] { return layers::GRU(4); }},
      {"gru_reset_before_sequences", [] { return layers::GRU(4, O{.reset_after = false, .return_sequences = true}); }},
      {"gru_mask_state", [] { return layers::GRU(3, O{.return_state = true}); }},
      {"gru_backwards_mask_sequences", [] { return layers::GRU(3, O{.return_sequences = true, .go_backwards = true}); }},
      {"gru_no_bias", [] { return layers::GRU(3, O{.use_bias = false}); }},
      {"simple_rnn_relu_sequences", [] { return layers::SimpleRNN(4, O{.activation = "relu", .return_sequences = true}); }},
      {"simple_rnn_backwards_mask_state",
       [] { return layers::SimpleRNN(3, O{.return_sequences = true, .return_state = true, .go_backwards = true}); }},
      {"rnn_lstm_cell_sequences", [] { return layers::RNN(layers::LSTMCell(3), O{.return_sequences = true}); }},
      {"rnn_gru_cell_state", [] { return layers::RNN(layers::GRUCell(3), O{.return_state = true}); }},
      {"lstm_stateful", [] { return layers::LSTM(3, O{.return_sequences = true, .stateful = true}); }},
      {"bidirectional_lstm_concat",
       [] { return layers::Bidirectional(layers::LSTM(3, O{.return_sequences = true})); }},
      {"bidirectional_gru_sum", [] { return layers::Bidirectional(layers::GRU(3), {.merge_mode = "sum"}); }},
      {"bidirectional_simple_rnn_mul",
       [] { return layers::Bidirectional(layers::SimpleRNN(3, O{.return_sequences = true}), {.merge_mode = "mul"}); }},
      {"bidirectional_lstm_ave_mask",
       [] { return layers::Bidirectional(layers::LSTM(3, O{.return_sequences = true}), {.merge_mode = "ave"}); }},
      {"bidirectional_gru_none", [] { return layers::Bidirectional(layers::GRU(2), {.merge_mode = std::nullopt}); }},
      {"bidirectional_lstm_state", [] { return layers::Bidirectional(layers::LSTM(2, O{.return_state = true})); }},
      {"bidirectional_backward_layer",
       [] {
         return layers::Bidirectional(
             layers::LSTM(3, O{.return_sequences = true}),
             {.backward_layer = layers::GRU(2, O{.return_sequences = true, .go_backwards = true})});
       }},
      {"time_distributed_dense", [] { return layers::TimeDistributed(layers::Dense(3, {.activation = "tanh"})); }},
      {"time_distributed_conv1d", [] { return layers::TimeDistributed(layers::Conv1D(2, 3)); }},
  };
}

std::string fixture(const std::string& name) { return std::string(KERAS_TEST_DATA_DIR) + "/rnn/" + name; }

std::map<std::string, Tensor> load(const std::string& name) {
  std::map<std::string, Tensor> a;
  for (auto& [k, v] : core::load_npz(fixture(name + ".npz"))) a[k] = v;
  return a;
}

std::vector<Tensor> numbered(const std::map<std::string, Tensor>& a, const std::string& prefix) {
  std::vector<Tensor> out;
  for (int i = 0; a.count(prefix + std::to_string(i)); ++i) out.push_back(a.at(prefix + std::to_string(i)));
  return out;
}

}  // namespace

TEST_CASE("recurrent layers: Keras 3's outputs on the same inputs, masks and weights") {
  for (const auto& c : keras_cases()) {
    CAPTURE(c.name);
    auto a = load(c.name);
    keras::LayerPtr layer = c.make();
    const Tensor& x = a.at("x");
    auto dims = x.shape().dims();
    layer->build(keras::ShapeSpec(dims.begin(), dims.end()));
    std::vector<Tensor> w = numbered(a, "w");
    REQUIRE(layer->weights().size() == w.size());
    layer->set_weights(w);
    layers::CallArgs args{.training = false};
    if (a.count("mask")) args.masks = {a.at("mask")};
    std::vector<Tensor> y = (*layer)(std::vector<Tensor>{x}, args);
    if (c.name == "lstm_stateful") y = (*layer)(std::vector<Tensor>{x}, args);
    std::vector<Tensor> want = numbered(a, "y");
    REQUIRE(y.size() == want.size());
    for (size_t i = 0; i < y.size(); ++i) {
      CAPTURE(i);
      REQUIRE(y[i].shape() == want[i].shape());
      check_values(y[i], values(want[i]), 1e-5);
    }
  }
}

TEST_CASE("recurrent layers: Keras 3's class names and config keys") {
  keras::Value keras_configs = keras::Value::from_json(read_bytes(fixture("configs.json")));
  for (const auto& c : keras_cases()) {
    CAPTURE(c.name);
    const keras::Value& want = keras_configs.at(c.name);
    keras::LayerPtr layer = c.make();
    CHECK(layer->class_name() == want.at("class_name").as_string());
    keras::Config cfg = layer->get_config();
    for (const keras::Value& key : want.at("config_keys").as_list())
      CHECK_MESSAGE(cfg.contains(key.as_string()), key.as_string());
    // and back: the same config
    CHECK(layers::from_config(layer->class_name(), keras::Value::from_json(cfg.to_json()))->get_config() == cfg);
  }
  CHECK(layers::LSTM(2)->name().rfind("lstm", 0) == 0);
  CHECK(layers::GRUCell(2)->name().rfind("gru_cell", 0) == 0);
  CHECK(layers::SimpleRNN(2)->name().rfind("simple_rnn", 0) == 0);
  CHECK(layers::Bidirectional(layers::LSTM(2))->forward_layer()->name().rfind("forward_lstm", 0) == 0);
}

TEST_CASE("recurrent layers: the mask of Embedding(mask_zero) reaches the LSTM") {
  // Token 0 is padding: the LSTM must give the same last output as on the unpadded part.
  auto emb = layers::Embedding(10, 3, {.mask_zero = true});
  auto lstm = layers::LSTM(4, {.return_sequences = true});
  Tensor ids = core::constant(std::vector<int32_t>{3, 5, 0, 0, 7, 2, 9, 1}, Shape{2, 4});
  Tensor e = (*emb)(ids);
  REQUIRE(e.keras_mask().defined());
  Tensor y = (*lstm)(e);
  REQUIRE(y.keras_mask().defined());  // return_sequences passes the mask on
  Tensor short_y = (*lstm)(ops::slice(e, {0, 0, 0}, {1, 2, 3}), layers::CallArgs{.masks = {Tensor()}});
  auto full = values(ops::slice(y, {0, 3, 0}, {1, 1, 4})), part = values(ops::slice(short_y, {0, 1, 0}, {1, 1, 4}));
  for (size_t i = 0; i < 4; ++i) CHECK(full[i] == doctest::Approx(part[i]).epsilon(1e-6));
  // and a Sequential with Masking in front sees the same
  auto model = keras::Sequential({layers::Masking({.mask_value = 0.0, .input_shape = {4, 2}}), layers::GRU(3)});
  Tensor x = make({1, 2, 3, 4, 0, 0, 0, 0}, Shape{1, 4, 2});
  Tensor y1 = model->predict(x);
  Tensor y2 = (*model->get_layer(1))(ops::slice(x, {0, 0, 0}, {1, 2, 2}));
  check_values(y1, values(y2), 1e-6);
}

TEST_CASE("recurrent layers: stateful layers carry their states between calls, reset_states clears them") {
  auto lstm = layers::LSTM(3, {.stateful = true});
  Tensor x = make(uniform(2 * 4 * 2, -1, 1, 7), Shape{2, 4, 2});
  Tensor a = (*lstm)(x), b = (*lstm)(x);
  CHECK(values(a) != values(b));
  lstm->reset_states();
  CHECK(values((*lstm)(x)) == values(a));
  CHECK_THROWS_AS((*lstm)(ops::zeros({3, 4, 2})), std::invalid_argument);
  // a stateful layer needs its batch size
  auto model_fn = [] { (*layers::LSTM(3, {.stateful = true}))(keras::Input({4, 2})); };
  CHECK_THROWS_AS(model_fn(), std::invalid_argument);
}

TEST_CASE("recurrent layers: initial states, cells called directly, bad inputs") {
  auto lstm = layers::LSTM(3, {.return_state = true});
  Tensor x = make(uniform(2 * 4 * 2, -1, 1, 8), Shape{2, 4, 2});
  std::vector<Tensor> r = (*lstm)(std::vector<Tensor>{x});
  REQUIRE(r.size() == 3);
  // continuing from the final states = running the concatenated sequence
  std::vector<Tensor> r2 = (*lstm)(std::vector<Tensor>{x, r[1], r[2]});
  std::vector<Tensor> r3 = (*lstm)(std::vector<Tensor>{ops::concat({x, x}, 1)});
  check_values(r2[0], values(r3[0]), 1e-6);
  // the cell: one step by hand
  auto cell = std::dynamic_pointer_cast<layers::LSTMCellLayer>(std::shared_ptr<layers::Layer>(lstm->cell()));
  REQUIRE(cell);
  std::vector<Tensor> s = (*cell)(std::vector<Tensor>{ops::reshape(ops::slice(x, {0, 0, 0}, {2, 1, 2}), {2, 2}), r[1], r[2]});
  REQUIRE(s.size() == 3);
  auto msg = [](auto&& f) {
    try {
      f();
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(msg([&] { (*lstm)(std::vector<Tensor>{ops::zeros({2, 4})}); }).find("ndim=3") != std::string::npos);
  CHECK(msg([&] { (*lstm)(std::vector<Tensor>{x, r[1]}); }).find("2 initial states") != std::string::npos);
  CHECK(msg([&] { (*lstm)(std::vector<Tensor>{x}, layers::CallArgs{.masks = {ops::ones({2, 3}, DType::bool_)}}); })
            .find("mask of shape (2, 4)") != std::string::npos);
  CHECK(msg([] { layers::LSTM(0); }).find("units") != std::string::npos);
  CHECK(msg([] { layers::GRU(2, {.dropout = 1.5}); }).find("dropout") != std::string::npos);
  CHECK(msg([] { layers::Bidirectional(layers::Dense(2)); }).find("recurrent layer") != std::string::npos);
  CHECK(msg([] { layers::Bidirectional(layers::LSTM(2), {.merge_mode = "max"}); }).find("merge mode") !=
        std::string::npos);
  CHECK(msg([] { layers::Bidirectional(layers::LSTM(2), {.backward_layer = layers::LSTM(2)}); })
            .find("go_backwards") != std::string::npos);
}

TEST_CASE("recurrent layers: float64 gradients through LSTM and GRU match finite differences") {
  for (int kind = 0; kind < 3; ++kind) {
    CAPTURE(kind);
    layers::RecurrentOptions o{.return_sequences = true, .dtype = DType::float64};
    keras::LayerPtr l = kind == 0 ? keras::LayerPtr(layers::LSTM(3, o))
                        : kind == 1 ? keras::LayerPtr(layers::GRU(3, o))
                                    : keras::LayerPtr(layers::GRU(3, {.reset_after = false, .return_sequences = true,
                                                                      .dtype = DType::float64}));
    Tensor x = make(uniform(2 * 4 * 2, -1, 1, 11), Shape{2, 4, 2}, DType::float64);
    Tensor mask = core::constant(std::vector<uint8_t>{1, 1, 0, 1, 1, 1, 1, 0}, Shape{2, 4});
    mask = ops::cast(mask, DType::bool_);
    Tensor wy = make(uniform(2 * 4 * 3, 0.5, 1.5, 12), Shape{2, 4, 3}, DType::float64);
    auto loss = [&](const Tensor& in) {
      return ops::sum(ops::multiply((*l)(std::vector<Tensor>{in}, layers::CallArgs{.masks = {mask}})[0], wy));
    };
    loss(x);  // builds
    keras::GradientTape tape;
    tape.watch(x);
    Tensor y = loss(x);
    std::vector<keras::Variable> ws = l->trainable_weights();
    auto g = tape.gradient(y, std::vector<Tensor>{x});
    keras::GradientTape tape2;
    Tensor y2 = loss(x);
    auto gw = tape2.gradient(y2, ws);
    const double eps = 1e-6;
    // inputs
    std::vector<double> xv = values(x), gx = values(g[0]);
    for (size_t i = 0; i < xv.size(); ++i) {
      auto p = xv, m = xv;
      p[i] += eps;
      m[i] -= eps;
      double fd = (loss(make(p, x.shape(), DType::float64)).item<double>() -
                   loss(make(m, x.shape(), DType::float64)).item<double>()) / (2 * eps);
      CHECK(gx[i] == doctest::Approx(fd).epsilon(1e-6));
    }
    // weights
    for (size_t k = 0; k < ws.size(); ++k) {
      Tensor orig = ws[k].value();
      std::vector<double> wv = values(orig), gk = values(gw[k]);
      for (size_t i = 0; i < wv.size(); i += 3) {
        auto p = wv, m = wv;
        p[i] += eps;
        m[i] -= eps;
        ws[k].assign(make(p, orig.shape(), DType::float64));
        double lp = loss(x).item<double>();
        ws[k].assign(make(m, orig.shape(), DType::float64));
        double lm = loss(x).item<double>();
        ws[k].assign(orig);
        CHECK(gk[i] == doctest::Approx((lp - lm) / (2 * eps)).epsilon(1e-6));
      }
    }
  }
}

TEST_CASE("recurrent layers: a traced train step learns; a model saves and loads with the same predictions") {
  TempDir dir;
  auto model = keras::Sequential({layers::Masking({.input_shape = {6, 3}}),
                                  layers::Bidirectional(layers::LSTM(4, {.return_sequences = true})),
                                  layers::GRU(4, {.dropout = 0.2, .recurrent_dropout = 0.2, .seed = 5,
                                                  .return_sequences = true}),
                                  layers::TimeDistributed(layers::Dense(2)),
                                  layers::SimpleRNN(3),
                                  layers::Dense(2)});
  Tensor x = make(uniform(32 * 6 * 3, -1, 1, 21), Shape{32, 6, 3});
  Tensor y = ops::cast(ops::greater(ops::sum(ops::slice(x, {0, 0, 0}, {32, 6, 1}), {1, 2}), ops::scalar_like(x, 0.0)),
                       DType::int32);
  model->compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy"});
  auto h = model->fit(x, y, {.batch_size = 8, .epochs = 8, .verbose = 0});
  const auto& losses = h.history.at("loss");
  CHECK(losses.back() < losses.front());
  const std::string path = dir.file("rnn.kcpp");
  model->save(path);
  keras::ModelPtr loaded = keras::models::load_model(path);
  CHECK(values(loaded->predict(x)) == values(model->predict(x)));
  CHECK(loaded->get_layer(1)->class_name() == "Bidirectional");
  // an RNN over a registered user cell
  keras::layers::register_layer("MinimalCell", MinimalCell::from_config);
  auto m2 = keras::Sequential({layers::RNN(layers::make<MinimalCell>(3), {.input_shape = {5, 2}}), layers::Dense(1)});
  Tensor x2 = make(uniform(4 * 5 * 2, -1, 1, 22), Shape{4, 5, 2});
  m2->save(dir.file("cell.kcpp"));
  CHECK(values(keras::models::load_model(dir.file("cell.kcpp"))->predict(x2)) == values(m2->predict(x2)));
}
