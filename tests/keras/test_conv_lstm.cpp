// test_conv_lstm.cpp - ConvLSTM1D/2D/3D: the layer harness, Keras 3's outputs and input
// gradients on fixed inputs and weights (tests/data/conv_lstm/*.npz, written by
// tests/data/npz/make_conv_lstm_fixtures.py), eager and traced, Keras's config keys and
// weight names, dropout in training, a model that trains, saves and loads, and errors.
#include <cstdlib>
#include <functional>
#include <map>
#include <stdexcept>

#include "core/function.h"
#include "files.h"
#include "layer_harness.h"
#include "test_data_dir.h"

using namespace th;
namespace layers = keras::layers;

namespace {
// The cases of make_conv_lstm_fixtures.py, built the same way.
std::vector<std::pair<std::string, std::function<keras::LayerPtr()>>> keras_cases() {
  return {
      {"conv_lstm1d", [] { return layers::ConvLSTM1D(3, 2); }},
      {"conv_lstm2d_same_sequences",
       [] { return layers::ConvLSTM2D(2, 3, {.padding = "same", .return_sequences = true}); }},
      {"conv_lstm2d_strides_state_backwards",
       [] {
         return layers::ConvLSTM2D(2, {3, 2}, {.strides = {2, 1}, .return_state = true, .go_backwards = true});
       }},
      {"conv_lstm2d_dilation_options",
       [] {
         return layers::ConvLSTM2D(3, 2, {.dilation_rate = 2, .activation = "relu",
                                          .recurrent_activation = "hard_sigmoid", .use_bias = false,
                                          .unit_forget_bias = false});
       }},
      {"conv_lstm3d", [] { return layers::ConvLSTM3D(2, 2, {.padding = "same", .return_sequences = true}); }},
      {"conv_lstm2d_mask_initial_state",
       [] { return layers::ConvLSTM2D(2, 3, {.padding = "same", .return_sequences = true, .return_state = true}); }},
      {"conv_lstm2d_channels_first",
       [] {
         return layers::ConvLSTM2D(2, 3, {.data_format = "channels_first", .return_sequences = true,
                                          .return_state = true});
       }},
      {"conv_lstm2d_zero_output_for_mask",
       [] {
         return layers::ConvLSTM2D(2, 3, {.padding = "same", .return_sequences = true, .zero_output_for_mask = true});
       }},
      {"conv_lstm1d_zero_output_for_mask_last",
       [] { return layers::ConvLSTM1D(3, 2, {.return_state = true, .zero_output_for_mask = true}); }},
      // Bidirectional wraps ConvLSTM layers as Keras's (its ConvLSTM is an RNN).
      {"bidirectional_conv_lstm2d_concat",
       [] { return layers::Bidirectional(layers::ConvLSTM2D(2, 3, {.padding = "same", .return_sequences = true})); }},
      {"bidirectional_conv_lstm1d_sum_state",
       [] { return layers::Bidirectional(layers::ConvLSTM1D(2, 2, {.return_state = true}), {.merge_mode = "sum"}); }},
      {"bidirectional_conv_lstm2d_mask_ave",
       [] {
         return layers::Bidirectional(layers::ConvLSTM2D(2, 3, {.padding = "same", .return_sequences = true}),
                                      {.merge_mode = "ave"});
       }},
      {"bidirectional_conv_lstm2d_channels_first_none",
       [] {
         return layers::Bidirectional(
             layers::ConvLSTM2D(2, 3, {.data_format = "channels_first", .return_sequences = true}),
             {.merge_mode = std::nullopt});
       }},
      {"bidirectional_conv_lstm3d_mul",
       [] { return layers::Bidirectional(layers::ConvLSTM3D(1, 2), {.merge_mode = "mul"}); }},
  };
}

std::map<std::string, Tensor> load(const std::string& name) {
  std::map<std::string, Tensor> a;
  for (auto& [k, v] : core::load_npz(std::string(KERAS_TEST_DATA_DIR) + "/conv_lstm/" + name + ".npz")) a[k] = v;
  return a;
}

std::vector<Tensor> numbered(const std::map<std::string, Tensor>& a, const std::string& prefix) {
  std::vector<Tensor> out;
  for (int i = 0; a.count(prefix + std::to_string(i)); ++i) out.push_back(a.at(prefix + std::to_string(i)));
  return out;
}

// The case's inputs ({x} or {x, h0, c0}) and its mask as CallArgs.
std::pair<std::vector<Tensor>, keras::layers::CallArgs> inputs_of(const std::map<std::string, Tensor>& a, bool training) {
  std::vector<Tensor> xs{a.at("x")};
  if (a.count("h0")) xs.push_back(a.at("h0")), xs.push_back(a.at("c0"));
  keras::layers::CallArgs args{.training = training};
  if (a.count("m")) {
    args.masks.assign(xs.size(), Tensor());
    args.masks[0] = a.at("m");
  }
  return {xs, args};
}

// A weight path without the generated names' counters ("forward_conv_lstm1d_2/..." ->
// "forward_conv_lstm1d/...").
std::string without_counters(const std::string& path) {
  std::string out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string part = path.substr(start, end - start);
    const size_t us = part.rfind('_');
    if (us != std::string::npos && us + 1 < part.size() &&
        part.find_first_not_of("0123456789", us + 1) == std::string::npos)
      part.resize(us);
    out += (out.empty() ? "" : "/") + part;
    start = end + 1;
  }
  return out;
}

Tensor rand(const Shape& s, uint32_t seed) { return make(uniform(s.num_elements(), -1, 1, seed), s); }

// The model, compiled with Adam and mse, lowers its loss on (xs, ys) in `epochs` epochs of
// `batch`, saves to a .keras file, and the loaded copy predicts the same.
void trains_saves_loads(const keras::ModelPtr& model, const Tensor& xs, const Tensor& ys, int64_t batch, int epochs) {
  model->compile({.optimizer = "adam", .loss = "mse"});
  const double before = model->evaluate({xs}, {ys}, {.verbose = 0}).at("loss");
  model->fit({xs}, {ys}, {.batch_size = batch, .epochs = epochs, .verbose = 0});
  CHECK(model->evaluate({xs}, {ys}, {.verbose = 0}).at("loss") < before);
  TempDir dir;
  model->save(dir.file("m.keras"));
  keras::ModelPtr loaded = keras::models::load_model(dir.file("m.keras"));
  check_values(loaded->predict({xs}, {.verbose = 0})[0], values(model->predict({xs}, {.verbose = 0})[0]), 1e-6);
}

// The message of the std::invalid_argument f raises ("no error" when it raises none).
std::string msg(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return std::string(e.what());
  }
  return std::string("no error");
}
}  // namespace

TEST_CASE("ConvLSTM: the layer harness" * doctest::test_suite("layer_harness")) {
  run_layer_test({"conv_lstm1d", [] { return layers::ConvLSTM1D(2, 3); }, {Shape{2, 3, 6, 2}}, {}, {2, 4, 2}, 3, 3});
  run_layer_test({"conv_lstm2d sequences", [] { return layers::ConvLSTM2D(2, 3, {.padding = "same", .return_sequences = true}); },
                  {Shape{2, 3, 4, 4, 1}}, {}, {2, 3, 4, 4, 2}, 3, 3});
  run_layer_test({"conv_lstm2d dropout", [] { return layers::ConvLSTM2D(2, 2, {.dropout = 0.3, .recurrent_dropout = 0.3, .seed = 4}); },
                  {Shape{2, 3, 4, 4, 1}}, {}, {2, 3, 3, 2}, 3, 3, true});
  run_layer_test({"conv_lstm3d no bias", [] { return layers::ConvLSTM3D(1, 2, {.use_bias = false}); },
                  {Shape{1, 2, 3, 3, 3, 1}}, {}, {1, 2, 2, 2, 1}, 2, 2});
}

TEST_CASE("ConvLSTM: Keras 3's outputs and input gradients, eager and traced") {
  for (const auto& [name, make_layer] : keras_cases()) {
    CAPTURE(name);
    auto a = load(name);
    auto [xs, args] = inputs_of(a, false);
    keras::LayerPtr layer = make_layer();
    (*layer)(xs, args);  // builds
    std::vector<Tensor> w = numbered(a, "w");
    REQUIRE(layer->weights().size() == w.size());
    layer->set_weights(w);
    const std::vector<Tensor> want = numbered(a, "y");
    std::vector<Tensor> ys = (*layer)(xs, args);
    REQUIRE(ys.size() == want.size());
    for (size_t i = 0; i < ys.size(); ++i) {
      CAPTURE(i);
      REQUIRE(ys[i].shape() == want[i].shape());
      check_values(ys[i], values(want[i]), 2e-5);
    }
    auto f = core::function([&, args = args](const std::vector<Tensor>& in) { return (*layer)(in, args); });
    std::vector<Tensor> yt = f(xs);
    for (size_t i = 0; i < yt.size(); ++i) check_values(yt[i], values(want[i]), 2e-5);
    core::GradientTape tape;
    tape.watch(xs[0]);
    Tensor total = ops::sum((*layer)(xs, args)[0]);
    check_values(tape.gradient(total, xs[0]), values(a.at("g")), 5e-5);
  }
}

TEST_CASE("ConvLSTM: Keras 3's class names, config keys, weight names and shapes") {
  keras::Value keras_configs =
      keras::Value::from_json(read_bytes(std::string(KERAS_TEST_DATA_DIR) + "/conv_lstm/configs.json"));
  for (const auto& [name, make_layer] : keras_cases()) {
    CAPTURE(name);
    const keras::Value& want = keras_configs.at(name);
    keras::LayerPtr layer = make_layer();
    CHECK(layer->class_name() == want.at("class_name").as_string());
    keras::Config cfg = layer->get_config();
    for (const keras::Value& key : want.at("config_keys").as_list())
      CHECK_MESSAGE(cfg.contains(key.as_string()), key.as_string());
    auto a = load(name);
    auto [xs, args] = inputs_of(a, false);
    (*layer)(xs, args);
    const auto& names = want.at("weight_names").as_list();
    const auto& shapes = want.at("weight_shapes").as_list();
    REQUIRE(layer->weights().size() == shapes.size());
    for (size_t i = 0; i < shapes.size(); ++i) {
      CHECK(layer->weights()[i].shape().dims() == shapes[i].as_ints());
      // conv_lstm2d/conv_lstm_cell/kernel; bidirectional_1/forward_conv_lstm1d_2/conv_lstm_cell/kernel
      const std::string keras_name = names[i].as_string();
      CHECK(without_counters(keras_name) == without_counters(layer->weights()[i].path()));
    }
    keras::LayerPtr again = keras::layers::from_config(layer->class_name(), keras::Value::from_json(cfg.to_json()));
    CHECK(again->get_config().to_json() == cfg.to_json());
  }
}

TEST_CASE("ConvLSTM: dropout in training only, one mask per sequence; a model trains, saves and loads") {
  auto cl = layers::ConvLSTM2D(2, 2, {.padding = "same", .dropout = 0.5, .recurrent_dropout = 0.5, .seed = 1});
  Tensor x = rand(Shape{2, 3, 4, 4, 1}, 5);
  Tensor inference = (*cl)(x, false);
  CHECK(values((*cl)(x, false)) == values(inference));
  CHECK(values((*cl)(x, true)) != values(inference));

  auto in = keras::Input({3, 6, 6, 1});
  auto y = layers::ConvLSTM2D(4, 3, {.padding = "same", .return_sequences = true})(in);
  y = layers::ConvLSTM2D(2, 3, {.recurrent_dropout = 0.2, .seed = 3})(y);
  y = layers::Dense(1)(layers::Flatten()(y));
  trains_saves_loads(keras::Functional({in}, {y}), rand(Shape{8, 3, 6, 6, 1}, 7), rand(Shape{8, 1}, 8), 4, 5);
}

TEST_CASE("ConvLSTM: stateful layers carry their states from call to call as Keras's; reset_states") {
  auto a = load("stateful");
  auto make_layer = [] { return layers::ConvLSTM2D(2, 3, {.padding = "same", .stateful = true}); };
  auto cl = make_layer();
  (*cl)(a.at("x"));  // builds
  cl->set_weights(numbered(a, "w"));
  cl->reset_states();
  check_values((*cl)(a.at("x")), values(a.at("y")), 2e-5);
  check_values((*cl)(a.at("x2")), values(a.at("y2")), 2e-5);  // from the first call's final states
  REQUIRE(cl->states().size() == 2);
  CHECK(cl->states()[0].shape() == Shape{2, 4, 3, 2});
  cl->reset_states();
  CHECK(values(cl->states()[1]) == std::vector<double>(48, 0.0));
  check_values((*cl)(a.at("x")), values(a.at("y")), 2e-5);
  // Traced: the state variables are read and assigned inside the graph, so each call of
  // the function continues from the last one.
  cl->reset_states();
  auto f = core::function([&](const std::vector<Tensor>& in) { return std::vector<Tensor>{(*cl)(in[0])}; });
  check_values(f(std::vector<Tensor>{a.at("x")})[0], values(a.at("y")), 2e-5);
  check_values(f(std::vector<Tensor>{a.at("x2")})[0], values(a.at("y2")), 2e-5);
  CHECK(f.tracing_count() == 1);
  // Setting the states: the second call's output from the first call's states.
  cl->reset_states();
  (*cl)(a.at("x"));
  const std::vector<Tensor> after_first = cl->states();
  cl->reset_states(after_first);
  check_values((*cl)(a.at("x2")), values(a.at("y2")), 2e-5);
  // Keras's config keys; the config rebuilds a stateful layer.
  keras::Value keras_configs =
      keras::Value::from_json(read_bytes(std::string(KERAS_TEST_DATA_DIR) + "/conv_lstm/configs.json"));
  const keras::Config cfg = cl->get_config();
  for (const auto& [k, v] : keras_configs.at("stateful").at("config").items()) CHECK(cfg.at(k) == v);
  auto again = std::dynamic_pointer_cast<layers::ConvLSTMLayer>(
      std::shared_ptr<keras::layers::Layer>(keras::layers::from_config("ConvLSTM2D", cfg)));
  REQUIRE(again);
  CHECK(again->stateful());
  // A channels_first stateful layer reports its states in its own layout.
  auto cf = layers::ConvLSTM2D(2, 3, {.padding = "same", .data_format = "channels_first", .stateful = true});
  (*cf)(ops::moveaxis(a.at("x"), -1, 2));
  CHECK(cf->states()[0].shape() == Shape{2, 2, 4, 3});
  // Errors: no batch size, another batch size, wrong state values.
  CHECK(msg([&] { make_layer()->build(std::vector<layers::ShapeSpec>{{-1, 3, 4, 3, 1}}); }).find("needs to know its batch size") !=
        std::string::npos);
  CHECK(msg([&] { (*cl)(ops::zeros({3, 3, 4, 3, 1})); }).find("built for batch size 2") != std::string::npos);
  CHECK(msg([&] { cl->reset_states({ops::zeros({2, 4, 3, 2})}); }).find("expected 2 state values") !=
        std::string::npos);
  CHECK(msg([&] { cl->reset_states({ops::zeros({2, 4, 3, 2}), ops::zeros({2, 4, 3, 3})}); })
            .find("expected state 1 of shape (2, 4, 3, 2)") != std::string::npos);
}

TEST_CASE("ConvLSTM: bad arguments and inputs raise naming the layer, the argument and what was received") {
  CHECK(msg([] { layers::ConvLSTM2D(0, 3); }).find("filters=0") != std::string::npos);
  CHECK(msg([] { layers::ConvLSTM2D(2, {3, 3, 3}); }).find("kernel_size") != std::string::npos);
  CHECK(msg([] { layers::ConvLSTM2D(2, 3, {.strides = 2, .dilation_rate = 2}); }).find("dilation_rate") !=
        std::string::npos);
  CHECK(msg([] { layers::ConvLSTM2D(2, 3, {.padding = "causal"}); }).find("padding") != std::string::npos);
  CHECK(msg([] { layers::ConvLSTM2D(2, 3, {.dropout = 1.5}); }).find("1.5") != std::string::npos);
  CHECK(msg([] { layers::ConvLSTM2D(2, 3, {.data_format = "NCHW"}); }).find("channels_first") !=
        std::string::npos);
  CHECK(msg([] { (*layers::ConvLSTM2D(2, 3))(ops::zeros({2, 3, 5, 1})); }).find("ndim=5") != std::string::npos);
  CHECK(msg([] {
          auto l = layers::ConvLSTM2D(2, 3, {.padding = "same"});
          (*l)(std::vector<Tensor>{ops::zeros({1, 2, 4, 4, 1}), ops::zeros({1, 4, 4, 3}), ops::zeros({1, 4, 4, 3})});
        }).find("initial state 0 of shape (1, 4, 4, 2)") != std::string::npos);
}

TEST_CASE("Bidirectional ConvLSTM: stateful layers carry both directions' states as Keras's; errors as Keras's") {
  auto a = load("bidirectional_stateful");
  auto bi = layers::Bidirectional(layers::ConvLSTM1D(2, 2, {.return_sequences = true, .stateful = true}));
  (*bi)(a.at("x"));  // builds
  bi->set_weights(numbered(a, "w"));
  bi->reset_states();
  check_values((*bi)(a.at("x")), values(a.at("y")), 2e-5);
  check_values((*bi)(a.at("x2")), values(a.at("y2")), 2e-5);  // from the first call's final states
  // forward h, c, then backward h, c
  REQUIRE(bi->states().size() == 4);
  CHECK(bi->states()[2].shape() == Shape{2, 4, 2});
  const std::vector<Tensor> after_first = [&] {
    bi->reset_states();
    (*bi)(a.at("x"));
    return bi->states();
  }();
  bi->reset_states();
  CHECK(values(bi->states()[3]) == std::vector<double>(16, 0.0));
  bi->reset_states(after_first);
  check_values((*bi)(a.at("x2")), values(a.at("y2")), 2e-5);
  CHECK(msg([&] { bi->reset_states({after_first[0]}); }).find("expected 4 state values") != std::string::npos);
  // In a model that trains, saves and loads.
  auto in = keras::Input({3, 5, 5, 1});
  auto y = layers::Bidirectional(layers::ConvLSTM2D(2, 3, {.padding = "same"}))(in);
  y = layers::Dense(1)(layers::Flatten()(y));
  auto model = keras::Functional({in}, {y});
  trains_saves_loads(model, rand(Shape{6, 3, 5, 5, 1}, 11), rand(Shape{6, 1}, 12), 3, 4);
  // (Set the variable to a path to keep the file and load it in Keras by hand.)
  if (const char* keep = std::getenv("KERAS_CPP_KEEP_BIDIRECTIONAL_CONV_LSTM")) model->save(keep);
  // As Keras: the backward copy always reads backwards, so a layer that already does raises;
  // only recurrent layers are taken.
  CHECK(msg([] {
          layers::Bidirectional(layers::ConvLSTM2D(2, 3, {.go_backwards = true}));
        }).find("should have different `go_backwards` value") != std::string::npos);
  CHECK(msg([] { layers::Bidirectional(layers::Conv2D(2, 3)); }).find("ConvLSTM1D/2D/3D), but received a Conv2D") !=
        std::string::npos);
}
