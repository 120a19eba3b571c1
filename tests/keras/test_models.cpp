#include "layer_harness.h"

using namespace th;
namespace layers = keras::layers;

TEST_CASE("Sequential: built from input_shape, parameter counts as Keras") {
  auto model = keras::Sequential({layers::Dense(300, {.activation = "relu", .input_shape = {784}}),
                                  layers::Dense(100, {.activation = "relu"}),
                                  layers::Dense(10, {.activation = "softmax"})});
  CHECK(model->built());
  CHECK(model->count_params() == 266610);
  CHECK(model->layers().size() == 3);
  Tensor y = (*model)(ops::zeros({5, 784}));
  CHECK(y.shape() == Shape{5, 10});
  check_values(ops::sum(y, {1}), std::vector<float>(5, 1.0f), 1e-5);
  std::string s = model->summary_string();
  CHECK(s.find("(None, 300)") != std::string::npos);
  CHECK(s.find("235,500") != std::string::npos);
  CHECK(s.find("Total params: 266,610 (1.02 MB)") != std::string::npos);
  CHECK(s.find("Non-trainable params: 0 (0.00 B)") != std::string::npos);
  model->pop();
  CHECK(model->count_params() == 266610 - 1010);
  model->add(layers::Dense(5));
  CHECK((*model)(ops::zeros({1, 784})).shape() == Shape{1, 5});
}

TEST_CASE("Sequential: builds lazily on the first call") {
  auto model = keras::Sequential();
  model->add(layers::Dense(4));
  model->add(layers::Dense(2));
  CHECK_FALSE(model->built());
  CHECK((*model)(ops::zeros({3, 7})).shape() == Shape{3, 2});
  CHECK(model->count_params() == 7 * 4 + 4 + 4 * 2 + 2);
  CHECK(model->summary_string().find("(None, 4)") != std::string::npos);
}

TEST_CASE("Functional: Wide & Deep with two inputs and a Concatenate") {
  auto input_wide = keras::Input({5}, {.name = "wide_input"});
  auto input_deep = keras::Input({6}, {.name = "deep_input"});
  auto h1 = layers::Dense(30, {.activation = "relu"})(input_deep);
  auto h2 = layers::Dense(30, {.activation = "relu"})(h1);
  auto concat = layers::Concatenate()({input_wide, h2});
  auto output = layers::Dense(1)(concat);
  auto model = keras::Functional({input_wide, input_deep}, {output});
  CHECK(output.shape() == keras::ShapeSpec{-1, 1});
  // Keras: 6*30+30 + 30*30+30 + 35*1+1 = 210 + 930 + 36
  CHECK(model->count_params() == 1176);
  std::vector<Tensor> y = (*model)(std::vector<Tensor>{ops::ones({4, 5}), ops::ones({4, 6})});
  REQUIRE(y.size() == 1);
  CHECK(y[0].shape() == Shape{4, 1});
  CHECK(model->layers().size() == 6);
  CHECK(model->get_layer("wide_input")->class_name() == "InputLayer");
  std::string s = model->summary_string();
  CHECK(s.find("Connected to") != std::string::npos);
  CHECK(s.find("Concatenate") != std::string::npos);
  CHECK_THROWS_MSG((*model)(std::vector<Tensor>{ops::ones({4, 5}), ops::ones({4, 7})}), std::invalid_argument,
                   "expected input 1 ('deep_input') of shape (None, 6), but received input with shape (4, 7)");
  CHECK_THROWS_MSG(model->get_layer("nope"), std::invalid_argument, "no layer named 'nope'");
}

TEST_CASE("Functional: a multi-output model and a shared layer") {
  auto in = keras::Input({8});
  auto shared = layers::Dense(8, {.activation = "tanh"});
  auto a = shared(in);
  auto b = shared(a);  // the same weights used twice
  auto out1 = layers::Dense(1, {.name = "main_output"})(b);
  auto out2 = layers::Dense(2, {.name = "aux_output"})(a);
  auto model = keras::Functional({in}, {out1, out2});
  CHECK(model->count_params() == (8 * 8 + 8) + (8 * 1 + 1) + (8 * 2 + 2));
  auto ys = (*model)(std::vector<Tensor>{ops::ones({3, 8})});
  REQUIRE(ys.size() == 2);
  CHECK(ys[0].shape() == Shape{3, 1});
  CHECK(ys[1].shape() == Shape{3, 2});
  // Wrong: the shared layer was built for 8 inputs; a 5-wide input is rejected.
  auto bad = keras::Input({5});
  CHECK_THROWS_MSG(shared(bad), std::invalid_argument, "expected axis -1 of input shape to have value 8");
}

TEST_CASE("Functional: a nested model used as a layer; disconnected graphs are errors") {
  auto in = keras::Input({3});
  auto inner = keras::Functional({in}, {layers::Dense(2)(in)});
  auto outer_in = keras::Input({3});
  auto y = inner(outer_in);
  auto outer = keras::Functional({outer_in}, {layers::Dense(1)(y)});
  CHECK(outer->count_params() == (3 * 2 + 2) + (2 + 1));
  CHECK((*outer)(ops::ones({2, 3})).shape() == Shape{2, 1});
  auto other = keras::Input({3});
  CHECK_THROWS_MSG(keras::Functional({other}, {layers::Dense(1)(in)}), std::invalid_argument,
                   "graph disconnected");
}

namespace {
// A subclassed model: sublayers tracked, call() written by the user.
class WideAndDeep : public keras::Model {
 public:
  WideAndDeep() : Model({.name = "wide_and_deep"}) {
    hidden1 = track(layers::Dense(30, {.activation = "relu"}));
    hidden2 = track(layers::Dense(30, {.activation = "relu"}));
    main_output = track(layers::Dense(1));
  }
  std::vector<Tensor> call(const std::vector<Tensor>& xs, bool training) override {
    Tensor h = (*hidden2)((*hidden1)(xs[1], training), training);
    return {(*main_output)(ops::concat({xs[0], h}, 1), training)};
  }
  keras::Ref<layers::DenseLayer> hidden1, hidden2, main_output;
};
}  // namespace

TEST_CASE("subclassed model: sublayers' weights are tracked") {
  auto model = keras::make<WideAndDeep>();
  auto y = (*model)(std::vector<Tensor>{ops::ones({2, 5}), ops::ones({2, 6})});
  CHECK(y[0].shape() == Shape{2, 1});
  CHECK(model->count_params() == 1176);
  CHECK(model->trainable_weights().size() == 6);
  CHECK(model->layers().size() == 3);
  keras::GradientTape tape;
  Tensor loss = ops::sum((*model)(std::vector<Tensor>{ops::ones({2, 5}), ops::ones({2, 6})})[0]);
  auto g = tape.gradient(loss, model->trainable_weights());
  for (auto& t : g) CHECK(t.defined());
}

TEST_CASE("model configs round trip through JSON: Sequential and a Wide & Deep Functional") {
  auto seq = keras::Sequential({layers::Dense(8, {.activation = "relu", .input_shape = {4}}), layers::Dense(2)});
  auto seq2 = keras::layers::deserialize(keras::Value::from_json(keras::layers::serialize(*seq).to_json()));
  CHECK(seq2->class_name() == "Sequential");
  CHECK(seq2->count_params() == seq->count_params());
  seq2->set_weights(seq->get_weights());
  Tensor x = make(uniform(12, -1, 1, 5), Shape{3, 4});
  check_values((*seq2)(x), values((*seq)(x)));
  CHECK(seq2->get_config() == seq->get_config());

  auto wide = keras::Input({5}, {.name = "wide"});
  auto deep = keras::Input({6}, {.name = "deep"});
  auto shared = layers::Dense(6, {.activation = "relu"});
  auto h = shared(shared(deep));  // a layer called twice
  auto out = layers::Dense(1)(layers::Concatenate()({wide, h}));
  auto aux = layers::Dense(2)(h);
  auto model = keras::Functional({wide, deep}, {out, aux});
  keras::Config cfg = model->get_config();
  auto copy = keras::layers::deserialize(keras::Value::from_json(keras::layers::serialize(*model).to_json()));
  CHECK(copy->count_params() == model->count_params());
  CHECK(copy->get_config() == cfg);
  copy->set_weights(model->get_weights());
  std::vector<Tensor> in = {make(uniform(10, -1, 1, 6), Shape{2, 5}), make(uniform(12, -1, 1, 7), Shape{2, 6})};
  auto a = (*model)(in), b = (*copy)(in);
  REQUIRE(b.size() == 2);
  check_values(b[0], values(a[0]));
  check_values(b[1], values(a[1]));
  keras::Config bad = cfg;
  bad["layers"].as_list().back()["inbound_nodes"] = keras::Value::list({keras::Value::list({keras::Value::list({"nope", 0, 0})})});
  CHECK_THROWS_MSG(keras::FunctionalModel::from_config(bad), std::invalid_argument, "refer to tensors that no layer produces");
  keras::Config unknown = keras::Value::object();
  unknown["class_name"] = "MyLayer";
  CHECK_THROWS_MSG(keras::layers::deserialize(unknown), std::invalid_argument,
                   "unknown layer class 'MyLayer'; register it with keras::layers::register_layer");
}

// Keras converts a model's inputs to its Inputs' dtypes (checked with Keras 3.15: a
// float32 model called on uint8 images returns float32; an int32 Input receiving float32
// gets int32).
TEST_CASE("Functional and Sequential models convert inputs to their Inputs' dtypes, as Keras") {
  ops::set_random_seed(5);
  auto seq = keras::Sequential({layers::Dense(3, {.input_shape = {4}})});
  Tensor u8 = ops::cast(core::constant({{0, 1, 2, 255}, {7, 8, 9, 10}}), DType::uint8);
  Tensor y = (*seq)(u8);
  CHECK(y.dtype() == DType::float32);
  check_values(y, values((*seq)(ops::cast(u8, DType::float32))), 0);
  auto in = keras::Input({2}, {.dtype = DType::int32});
  auto f = keras::Functional({in}, {layers::Lambda([](const Tensor& t) { return t; })(in)});
  Tensor out = (*f)(core::constant({{1.7f, -2.2f}}));
  CHECK(out.dtype() == DType::int32);
  check_values(out, std::vector<double>{1, -2});
  // fit() on uint8 images trains the float32 model.
  seq->compile({.optimizer = "sgd", .loss = "mse"});
  auto h = seq->fit(u8, ops::zeros({2, 3}), {.batch_size = 2, .epochs = 1, .verbose = 0});
  CHECK(std::isfinite(h.history["loss"].back()));
}
