// test_cloning.cpp - keras::models::clone_model (Keras's clone_model: Sequential and
// Functional models with new layers, clone_function, call_function, input_tensors,
// recursive) and Model::to_json / model_from_json, against Keras 3's JSON
// (tests/data/keras_files/keras_json.*, written by make_json_fixture.py).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "error_of.h"
#include "files.h"
#include "helpers.h"
#include "keras/keras.h"
#include "test_data_dir.h"

using namespace th;
namespace layers = keras::layers;
namespace ops = keras::core::ops;
using keras::models::clone_model;
using keras::models::CloneOptions;

namespace {

double max_abs_diff(const Tensor& a, const Tensor& b) {
  REQUIRE(a.shape() == b.shape());
  return ops::max(ops::abs(ops::cast(a, keras::DType::float64) - ops::cast(b, keras::DType::float64))).item<double>();
}

std::vector<std::string> layer_names(const keras::Model& m) {
  std::vector<std::string> out;
  for (const auto& l : m.layers()) out.push_back(l->name());
  return out;
}

bool same_weight_values(const keras::Model& a, const keras::Model& b) {
  const auto wa = a.get_weights(), wb = b.get_weights();
  if (wa.size() != wb.size()) return false;
  for (size_t i = 0; i < wa.size(); ++i)
    if (wa[i].shape() != wb[i].shape() || values(wa[i]) != values(wb[i])) return false;
  return true;
}

// Two inputs, a Dense layer shared by both, two outputs.
keras::Ref<keras::FunctionalModel> siamese() {
  auto a = keras::Input({4}, {.name = "left"});
  auto b = keras::Input({4}, {.name = "right"});
  auto shared = layers::Dense(3, {.activation = "tanh", .name = "shared"});
  auto ha = shared(a), hb = shared(b);
  auto o1 = layers::Dense(2, {.name = "sum_head"})(layers::Add()({ha, hb}));
  auto o2 = layers::Dense(1, {.activation = "sigmoid", .name = "diff_head"})(layers::Subtract()({ha, hb}));
  return keras::Functional({a, b}, {o1, o2}, {.name = "siamese"});
}

const std::vector<Tensor>& siamese_inputs() {
  static const std::vector<Tensor> xs = {make(uniform(12, -1, 1), keras::Shape{3, 4}),
                                         make(uniform(12, -1, 1), keras::Shape{3, 4})};
  return xs;
}

}  // namespace

TEST_CASE("clone_model: a Sequential model gets new layers and weights, its input, name, trainable flag and compile") {
  auto model = keras::Sequential({layers::Dense(5, {.activation = "relu"}), layers::Dropout(0.2), layers::Dense(2)},
                                 {.name = "mlp", .input_shape = {6}});
  model->compile({.optimizer = keras::optimizers::Adam({.learning_rate = 0.003}), .loss = "mse", .metrics = {"mae"}});
  auto clone = clone_model(*model);
  auto seq = std::dynamic_pointer_cast<keras::SequentialModel>(clone);
  REQUIRE(seq);
  CHECK(seq->name() == "mlp");
  CHECK(layer_names(*seq) == layer_names(*model));
  REQUIRE(seq->input_layer());
  CHECK(seq->input_layer()->batch_shape() == keras::ShapeSpec{-1, 6});
  CHECK(seq->layers()[0].get() != model->layers()[0].get());
  CHECK_FALSE(same_weight_values(*seq, *model));  // new weights, freshly initialized
  seq->set_weights(model->get_weights());         // the book's transfer learning
  const Tensor x = make(uniform(18, -1, 1), keras::Shape{3, 6});
  CHECK(max_abs_diff(seq->predict(x, {.verbose = 0}), model->predict(x, {.verbose = 0})) == 0.0);
  // Compiled like the original, with its own optimizer.
  REQUIRE(seq->compiled());
  CHECK(seq->optimizer() != model->optimizer());
  CHECK(seq->optimizer()->get_config().at("learning_rate").as_double() == doctest::Approx(0.003));
  seq->fit(x, ops::zeros({3, 2}), {.epochs = 1, .verbose = 0});
  CHECK_FALSE(same_weight_values(*seq, *model));  // training the clone leaves the original
  // A frozen model clones frozen.
  model->set_trainable(false);
  CHECK_FALSE(clone_model(*model)->trainable());
  // Without a known input shape the clone has none either.
  auto bare = keras::Sequential({layers::Dense(2)});
  CHECK_FALSE(std::dynamic_pointer_cast<keras::SequentialModel>(clone_model(*bare))->input_layer());
  throws_with<std::invalid_argument>(
      [&] { clone_model(*model, {.call_function = [](const keras::LayerPtr& l, const std::vector<keras::KerasTensor>& in,
                                                     const layers::CallArgs& a) { return (*l)(in, a); }}); },
      "call_function is not supported with Sequential models");
}

TEST_CASE("clone_model: a Functional model with a shared layer and two outputs is replayed on new layers") {
  auto model = siamese();
  auto clone = clone_model(*model);
  auto f = std::dynamic_pointer_cast<keras::FunctionalModel>(clone);
  REQUIRE(f);
  CHECK(f->name() == "siamese");
  CHECK(layer_names(*f) == layer_names(*model));
  CHECK(f->inputs()[0].name() == "left");
  CHECK(f->weights().size() == model->weights().size());  // the shared layer is cloned once
  f->set_weights(model->get_weights());
  const auto want = model->predict(siamese_inputs(), {.verbose = 0});
  const auto got = f->predict(siamese_inputs(), {.verbose = 0});
  REQUIRE(got.size() == 2);
  for (size_t i = 0; i < 2; ++i) CHECK(max_abs_diff(got[i], want[i]) == 0.0);
  // clone_function returning the layer itself shares it (and its weights).
  auto same = clone_model(*model, {.clone_function = [](const keras::LayerPtr& l) { return l; }});
  CHECK(same->get_layer("shared").get() == model->get_layer("shared").get());
  // A clone_function that changes each layer's config (freezes it).
  auto frozen = clone_model(*model, {.clone_function = [](const keras::LayerPtr& l) {
                                       keras::Config c = layers::serialize(*l);
                                       c["config"]["trainable"] = false;
                                       return layers::deserialize(c);
                                     }});
  CHECK(frozen->trainable_weights().empty());
  // input_tensors: the clone is built on given inputs.
  auto l2 = keras::Input({4}, {.name = "l2"}), r2 = keras::Input({4}, {.name = "r2"});
  auto on = std::dynamic_pointer_cast<keras::FunctionalModel>(clone_model(*model, {.input_tensors = {l2, r2}}));
  CHECK(on->inputs()[0].same_as(l2));
  throws_with<std::invalid_argument>([&] { clone_model(*model, {.input_tensors = {l2}}); },
                                     "model 'siamese' has 2 inputs, but received 1 tensors");
}

TEST_CASE("clone_model: call_function adds layers around calls; recursive clones nested models layer by layer") {
  auto inputs = keras::Input({4});
  auto y = layers::Dense(2, {.name = "out"})(layers::Dense(6, {.activation = "relu", .name = "hidden"})(inputs));
  auto model = keras::Functional({inputs}, {y});
  int dropouts = 0;
  auto with_dropout = clone_model(
      *model, {.clone_function = [](const keras::LayerPtr& l) { return l; },
               .call_function = [&](const keras::LayerPtr& l, const std::vector<keras::KerasTensor>& in,
                                    const layers::CallArgs& args) -> layers::KerasTensors {
                 layers::KerasTensors out = (*l)(in, args);
                 if (l->class_name() != "Dense") return out;
                 ++dropouts;
                 return {layers::Dropout(0.5)(out.single())};
               }});
  CHECK(dropouts == 2);
  CHECK(with_dropout->layers().size() == model->layers().size() + 2);
  const Tensor x = make(uniform(8, -1, 1), keras::Shape{2, 4});
  CHECK(max_abs_diff(with_dropout->predict(x, {.verbose = 0}), model->predict(x, {.verbose = 0})) == 0.0);

  // A Sequential model nested in a Functional one.
  auto inner = keras::Sequential({layers::Dense(3, {.name = "a"}), layers::Dense(3, {.name = "b"})}, {.name = "inner"});
  auto in2 = keras::Input({4});
  auto outer = keras::Functional({in2}, {layers::Dense(1, {.name = "top"})(inner(in2))});
  std::vector<std::string> seen;
  auto record = [&](const keras::LayerPtr& l) {
    seen.push_back(l->name());
    return layers::deserialize(layers::serialize(*l));
  };
  clone_model(*outer, {.clone_function = record});
  CHECK(seen == std::vector<std::string>{"inner", "top"});  // the nested model as one layer
  seen.clear();
  auto deep = clone_model(*outer, {.clone_function = record, .recursive = true});
  CHECK(seen == std::vector<std::string>{"a", "b", "top"});  // its layers, one by one
  CHECK(deep->get_layer("inner")->class_name() == "Sequential");
  CHECK(deep->get_layer("inner").get() != outer->get_layer("inner").get());
}

TEST_CASE("clone_model: another model class is rebuilt from its config; per-layer options raise") {
  struct Plain : keras::Model {
    Plain() : Model({.name = "plain"}, "PlainForCloning") { d = track(layers::Dense(2)); }
    Tensor call(const Tensor& x, bool) override { return (*d)(x); }
    keras::LayerPtr d;
  };
  Plain m;
  throws_with<std::invalid_argument>([&] { clone_model(m, {.clone_function = [](const keras::LayerPtr& l) { return l; }}); },
                                     "only supported for Sequential and Functional models, but model 'plain' is a "
                                     "PlainForCloning");
  throws_with<std::invalid_argument>([&] { clone_model(m); }, "PlainForCloning");  // not registered
}

TEST_CASE("to_json / model_from_json: keras-cpp's JSON round-trips with its compile configuration") {
  auto model = siamese();
  model->compile({.optimizer = keras::optimizers::SGD({.learning_rate = 0.02, .momentum = 0.5}),
                  .loss = {"mse", "binary_crossentropy"},
                  .metrics = {"mae"},
                  .loss_weights = {1.0, 0.25}});
  const std::string json = model->to_json();
  CHECK(json.find("\"class_name\": \"Functional\"") != std::string::npos);
  CHECK(json.find("\"compile_config\"") != std::string::npos);
  CHECK(model->to_json(2).find('\n') != std::string::npos);
  keras::ModelPtr back = keras::models::model_from_json(json);
  CHECK(layer_names(*back) == layer_names(*model));
  REQUIRE(back->compiled());
  CHECK(back->optimizer()->class_name() == "SGD");
  CHECK(back->optimizer()->get_config().at("momentum").as_double() == 0.5);
  CHECK(back->compile_options().loss_weights == std::vector<double>{1.0, 0.25});
  back->set_weights(model->get_weights());
  const auto want = model->predict(siamese_inputs(), {.verbose = 0});
  const auto got = back->predict(siamese_inputs(), {.verbose = 0});
  for (size_t i = 0; i < 2; ++i) CHECK(max_abs_diff(got[i], want[i]) == 0.0);
  CHECK_FALSE(keras::models::model_from_json(json, {.compile = false})->compiled());
  // An uncompiled model's JSON has no compile configuration.
  CHECK(siamese()->to_json().find("compile_config") == std::string::npos);
  throws_with<std::runtime_error>([] { keras::models::model_from_json("{\"class_name\": "); }, "model_from_json");
  throws_with<std::invalid_argument>(
      [] { keras::models::model_from_json(R"({"module": "keras", "class_name": "NoSuchModel", "config": {}})"); },
      "NoSuchModel");
}

TEST_CASE("model_from_json reads Keras 3's model.to_json(), compile configuration included") {
  const std::string dir = std::string(KERAS_TEST_DATA_DIR) + "/keras_files/";
  keras::ModelPtr model = keras::models::model_from_json(read_bytes(dir + "keras_json.json"));
  CHECK(model->name() == "siamese");
  REQUIRE(model->compiled());
  CHECK(model->optimizer()->class_name() == "Adam");
  CHECK(model->optimizer()->learning_rate() == doctest::Approx(0.01));
  CHECK(model->compile_options().loss_weights == std::vector<double>{1.0, 0.5});
  model->load_weights(dir + "keras_json.weights.h5");
  const std::vector<Tensor> xs = {keras::core::load_npy(dir + "keras_json.in0.npy"),
                                  keras::core::load_npy(dir + "keras_json.in1.npy")};
  const auto got = model->predict(xs, {.verbose = 0});
  for (size_t j = 0; j < 2; ++j)
    CHECK(max_abs_diff(got[j], keras::core::load_npy(dir + "keras_json.out" + std::to_string(j) + ".npy")) < 1e-6);
  const keras::Logs logs = model->evaluate(xs, {ops::zeros({3, 2}), ops::ones({3, 1})}, {.verbose = 0});
  CHECK(logs.count("sum_head_mae") == 1);
}

TEST_CASE("get_compile_config / compile_from_config: Keras's form, and back into another model") {
  auto model = siamese();
  CHECK(model->get_compile_config().is_null());
  model->compile({.optimizer = keras::optimizers::Adam({.learning_rate = 0.004}),
                  .loss = {"mse", "binary_crossentropy"},
                  .metrics = {"mae"}});
  const keras::Config c = model->get_compile_config();
  CHECK(c.at("optimizer").at("module").as_string() == "keras.optimizers");
  CHECK(c.at("optimizer").at("class_name").as_string() == "Adam");
  CHECK(c.at("loss").as_list().size() == 2);
  CHECK(c.at("metrics").as_list().at(0).as_string() == "mae");
  CHECK(c.at("steps_per_execution").as_int() == 1);
  auto other = siamese();
  other->compile_from_config(c);
  REQUIRE(other->compiled());
  CHECK(other->optimizer() != model->optimizer());
  CHECK(other->optimizer()->learning_rate() == doctest::Approx(0.004));
  throws_with<std::invalid_argument>([&] { other->compile_from_config(keras::Config::object()); },
                                     "expected a compile configuration with an \"optimizer\"");
  keras::Config bad = c;
  bad["steps_per_execution"] = 4;
  throws_with<std::invalid_argument>([&] { other->compile_from_config(bad); }, "steps_per_execution=4");
}

TEST_CASE("clone_model: operation nodes (keras::ops on symbolic tensors) and masks are replayed") {
  auto x = keras::Input({5}, {.dtype = keras::DType::int32});
  auto e = layers::Embedding(10, 4, {.mask_zero = true})(x);
  auto h = layers::LSTM(3)(e);
  auto y = keras::ops::relu(h + 0.5) * 2.0;
  auto model = keras::Functional({x}, {y});
  auto clone = clone_model(*model);
  CHECK(std::dynamic_pointer_cast<keras::FunctionalModel>(clone)->operations().size() == model->operations().size());
  clone->set_weights(model->get_weights());
  const Tensor ids = ops::cast(make({1, 2, 0, 0, 0, 3, 4, 5, 0, 0}, keras::Shape{2, 5}), keras::DType::int32);
  CHECK(max_abs_diff(clone->predict(ids, {.verbose = 0}), model->predict(ids, {.verbose = 0})) == 0.0);
}

TEST_CASE("clone_model(recursive): a layer shared by the model and a nested one is cloned once") {
  auto d = layers::Dense(4, {.name = "shared_d"});
  auto inner = keras::Sequential({d}, {.name = "inner", .input_shape = {4}});
  auto x = keras::Input({4});
  auto model = keras::Functional({x}, {d(inner(x))});
  auto clone = clone_model(*model, {.recursive = true});
  auto inner_clone = std::dynamic_pointer_cast<keras::Model>(clone->get_layer("inner"));
  REQUIRE(inner_clone);
  CHECK(inner_clone->layers()[0].get() == clone->get_layer("shared_d").get());
  CHECK(clone->get_layer("shared_d").get() != d.get());
  CHECK(clone->weights().size() == 2);
}
