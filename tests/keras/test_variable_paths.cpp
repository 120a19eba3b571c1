// test_variable_paths.cpp - layer and variable paths (name scopes), OptimizerMap / MultiOptimizer
// and DTypePolicyMap against Keras 3.15 (tests/data/paths/paths.json, multi_optimizer.keras
// and policy_map.keras, written by tests/data/paths/make_path_fixtures.py).
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "error_of.h"
#include "files.h"
#include "helpers.h"
#include "json_fixtures.h"
#include "keras/keras.h"
#include "test_data_dir.h"

using namespace th;
namespace ops = keras::core::ops;
namespace layers = keras::layers;
namespace optimizers = keras::optimizers;
using keras::Value;
using keras::mixed_precision::DTypePolicy;
using keras::mixed_precision::DTypePolicyMap;

namespace {
const Value& fixture() { return json_fixture("paths/paths.json"); }

std::vector<std::string> weight_paths(const keras::Model& m) {
  std::vector<std::string> out;
  for (const auto& v : m.weights()) out.push_back(v.path());
  return out;
}
std::vector<std::string> strings(const Value& list) {
  std::vector<std::string> out;
  for (const Value& s : list.as_list()) out.push_back(s.as_string());
  return out;
}
// Keras's path of each layer it gives one (layers without build() have none there).
void check_layer_paths(const keras::Model& m, const Value& expected) {
  for (const Value& l : expected.at("layers").as_list()) {
    if (l.at("path").is_null()) continue;
    CAPTURE(l.at("name").as_string());
    keras::LayerPtr found;
    for (const auto& layer : m.layers())
      if (layer->name() == l.at("name").as_string()) found = layer;
    if (!found)  // a sublayer of a nested model
      for (const auto& layer : m.layers())
        if (auto* inner = dynamic_cast<const keras::Model*>(layer.get()))
          for (const auto& x : inner->layers())
            if (x->name() == l.at("name").as_string()) found = x;
    REQUIRE(found);
    CHECK(found->path() == l.at("path").as_string());
  }
}

class Sub : public keras::Model {
 public:
  Sub() : keras::Model({.name = "sub"}, "Sub") {
    d = track(layers::Dense(2, {.name = "d"}));
    att = track(layers::MultiHeadAttention(2, 2, {.name = "att"}));
  }
  keras::core::Tensor call(const keras::core::Tensor& x, bool training) override {
    return d(att->operator()({x, x}, {.training = training})[0], training);
  }
  keras::Ref<layers::DenseLayer> d;
  keras::Ref<layers::MultiHeadAttentionLayer> att;
};
}  // namespace

TEST_CASE("layer and variable paths are Keras 3's: Sequential, Functional, nested, subclassed") {
  const Value& p = fixture().at("paths");
  auto seq = keras::Sequential({layers::Dense(4, {.name = "d1", .input_shape = {3}}), layers::Dense(2, {.name = "d2"})},
                               {.name = "seq"});
  CHECK(weight_paths(*seq) == strings(p.at("sequential").at("weights")));
  check_layer_paths(*seq, p.at("sequential"));

  auto lazy = keras::Sequential({layers::Dense(4, {.name = "a"}), layers::Dense(2, {.name = "b"})}, {.name = "lazy"});
  (*lazy)(ops::ones({1, 3}));
  CHECK(weight_paths(*lazy) == strings(p.at("sequential_built_by_call").at("weights")));
  check_layer_paths(*lazy, p.at("sequential_built_by_call"));

  {
    auto x = keras::Input({3}, {.name = "x"});
    auto h = layers::Dense(4, {.name = "enc"})(x);
    auto fn = keras::Functional({x}, {layers::Dense(1, {.name = "head"})(h)}, {.name = "fn"});
    CHECK(weight_paths(*fn) == strings(p.at("functional").at("weights")));
    check_layer_paths(*fn, p.at("functional"));
  }
  {
    auto block = keras::Sequential({layers::Dense(4, {.name = "inner", .input_shape = {3}})}, {.name = "block"});
    auto x = keras::Input({3}, {.name = "x"});
    auto nest = keras::Functional({x}, {layers::Dense(1, {.name = "outer"})(block(x))}, {.name = "nest"});
    CHECK(weight_paths(*nest) == strings(p.at("nested").at("weights")));
    check_layer_paths(*nest, p.at("nested"));
  }
  auto sub = keras::layers::make<Sub>();
  (*sub)(ops::ones({1, 3, 4}));
  CHECK(weight_paths(*sub) == strings(p.at("subclassed").at("weights")));
  CHECK(sub->d->path() == "sub/d");
  CHECK(sub->att->path() == "sub/att");
  // A layer keeps the path it was first used under, wherever it is called later.
  auto lone = layers::Dense(2, {.name = "lone"});
  {
    keras::NameScope scope("outer_scope");
    (*lone)(ops::ones({1, 3}));
  }
  CHECK(lone->path() == "outer_scope/lone");
  CHECK(lone->kernel.path() == "outer_scope/lone/kernel");
  CHECK(lone->kernel.name() == "lone/kernel");  // the name is unchanged
  {
    keras::NameScope other("elsewhere");
    CHECK(keras::current_path() == "elsewhere");
    (*lone)(ops::ones({1, 3}));
  }
  CHECK(lone->path() == "outer_scope/lone");
  CHECK(keras::current_path().empty());
  CHECK(layers::Dense(2)->path().empty());  // not built yet
}

TEST_CASE("layer and variable paths are Keras 3's: wrappers build their inner layers in those layers' scopes") {
  auto x = keras::Input({3, 4}, {.name = "x"});
  auto h = layers::Bidirectional(layers::LSTM(2, {.return_sequences = true, .name = "l"}), {.name = "bi"})(x);
  h = layers::TimeDistributed(layers::Dense(2, {.name = "td_dense"}), {.name = "td"})(h);
  h = layers::Reshape({1, 3, 2}, {.name = "r"})(h);
  h = layers::TimeDistributed(layers::LSTM(2, {.name = "td_lstm"}), {.name = "td2"})(h);
  // (Keras names the stack it makes stacked_rnn_cells, counted as other generated names.)
  h = layers::RNN(layers::StackedRNNCells({layers::LSTMCell(2, {.name = "c1"}), layers::LSTMCell(2, {.name = "c2"})},
                                          {.name = "stacked_rnn_cells"}),
                  {.name = "stack"})(h);
  auto wrap = keras::Functional({x}, {h}, {.name = "wrap"});
  const std::vector<std::string> got = weight_paths(*wrap),
                                 want = strings(fixture().at("paths").at("wrappers").at("weights"));
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i) CHECK(got[i] == want[i]);
}

TEST_CASE("NameScope and layer names reject '/'") {
  CHECK_THROWS_MSG(keras::NameScope("a/b"), std::invalid_argument, "without '/', but received name='a/b'");
  CHECK_THROWS_MSG(layers::Dense(2, {.name = "a/b"}), std::invalid_argument,
                   "Dense: expected a layer name without the character '/', but received name='a/b'");
  keras::NameScope a("a");
  {
    const int caller = 0;
    keras::NameScope b("b", &caller);
    keras::NameScope again("b", &caller);  // the same caller and name: not reopened
    CHECK(keras::current_path() == "a/b");
    keras::NameScope absolute("c", nullptr, true, std::string("x/y"));
    CHECK(keras::current_path() == "x/y/c");
  }
  CHECK(keras::current_path() == "a");
}

TEST_CASE("OptimizerMap: exact keys, then one regex, then the default (Keras's lookups)") {
  optimizers::OptimizerPtr adam = optimizers::Adam(), sgd = optimizers::SGD(), rms = optimizers::RMSprop();
  optimizers::OptimizerMap map(rms);
  map.set("encoder/layer_0/dense", adam);
  map.set("encoder/.*", sgd);
  map.set("decoder", adam);
  CHECK(map["decoder"] == adam);
  CHECK(map["encoder/layer_0/dense"] == adam);  // exact before patterns
  CHECK(map["encoder/layer_0/attention/query"] == sgd);
  CHECK(map["decoder/layer_0/dense"] == rms);  // no prefix matching
  map.set("encoder/layer_0/.*", adam);
  CHECK_THROWS_MSG(map["encoder/layer_0/attention/query"], std::invalid_argument,
                   "multiple optimizers assigned to variable 'encoder/layer_0/attention/query'");
  CHECK_THROWS_MSG(map.set("decoder", sgd), std::invalid_argument, "'decoder' is already a key");
  CHECK_THROWS_MSG(map.set("x", std::make_shared<optimizers::LossScaleOptimizer>(optimizers::SGD())), std::invalid_argument,
                   "cannot be a LossScaleOptimizer");
  CHECK_THROWS_MSG(map.set("(", sgd), std::invalid_argument, "key '(' is not a valid regular expression");
  CHECK_THROWS_MSG(optimizers::OptimizerMap(nullptr), std::invalid_argument, "expected a default optimizer");
  CHECK(map.erase("decoder"));
  CHECK_FALSE(map.contains("decoder"));
  CHECK(map.size() == 3);
}

TEST_CASE("MultiOptimizer with an OptimizerMap trains as Keras 3.15's, and saves and loads") {
  const Value& f = fixture().at("multi");
  auto make = [] {
    auto x = keras::Input({3}, {.name = "x"});
    auto h = layers::Dense(4, {.activation = "relu", .name = "enc"})(x);
    return keras::Functional({x}, {layers::Dense(1, {.name = "head"})(h)}, {.name = "wide_deep"});
  };
  auto model = make();
  std::vector<keras::core::Tensor> before;
  const std::vector<keras::core::Shape> shapes = {{3, 4}, {4}, {4, 1}, {1}};
  for (size_t i = 0; i < shapes.size(); ++i)
    before.push_back(keras::core::constant(numbers(f.at("before").as_list()[i]), shapes[i]));
  model->set_weights(before);
  auto multi = std::make_shared<optimizers::MultiOptimizer>(
      optimizers::OptimizerMap(optimizers::SGD({.learning_rate = 0.1}), {{"enc/.*", optimizers::Adam({.learning_rate = 0.01})}}));
  model->compile({.optimizer = multi, .loss = "mse"});
  const auto x = keras::core::constant(numbers(f.at("x")), {8, 3});
  const auto y = keras::core::constant(numbers(f.at("y")), {8, 1});
  for (int i = 0; i < 3; ++i) model->train_on_batch({x}, {y});
  const auto w = model->get_weights();
  for (size_t i = 0; i < w.size(); ++i) check_values(w[i], numbers(f.at("after").as_list()[i]), 1e-5);
  CHECK(multi->iterations() == f.at("iterations").as_int());
  REQUIRE(multi->optimizers().size() == 2);
  CHECK(multi->optimizers()[0]->name() == "adam");  // the map's entries, then its default
  CHECK(multi->optimizers()[0]->iterations() == 3);
  CHECK(multi->optimizers()[1]->name() == "sgd");
  // As Keras: no learning rate of its own (each optimizer it holds has one).
  CHECK_THROWS_MSG(multi->learning_rate(), std::logic_error, "the learning rate cannot be read on a MultiOptimizer");
  CHECK_THROWS_MSG(multi->set_learning_rate(0.5), std::logic_error, "cannot be set on a MultiOptimizer");
  CHECK(multi->optimizers()[1]->learning_rate() == doctest::Approx(0.1));

  // Saved and loaded (.kcpp): the map comes back, and the state with it.
  TempDir dir;
  model->save((dir.path / "m.kcpp").string());
  auto loaded = keras::models::load_model((dir.path / "m.kcpp").string());
  auto* again = dynamic_cast<optimizers::MultiOptimizer*>(loaded->optimizer().get());
  REQUIRE(again);
  REQUIRE(again->optimizer_map());
  CHECK(again->optimizer_map()->entries()[0].first == "enc/.*");
  CHECK(again->iterations() == 3);
  CHECK(again->optimizers()[0]->iterations() == 3);
  loaded->train_on_batch({x}, {y});
  model->train_on_batch({x}, {y});
  check_values(loaded->get_weights()[0], values(model->get_weights()[0]), 1e-6);
}

TEST_CASE("MultiOptimizer: a Keras 3.15 .keras file's compile config, and a selector") {
  auto model = keras::models::load_model(std::string(KERAS_TEST_DATA_DIR) + "/paths/multi_optimizer.keras");
  auto* multi = dynamic_cast<optimizers::MultiOptimizer*>(model->optimizer().get());
  REQUIRE(multi);
  REQUIRE(multi->optimizer_map());
  CHECK(multi->optimizer_map()->default_optimizer()->class_name() == "SGD");
  CHECK(multi->optimizer_map()->entries()[0].first == "enc/.*");
  CHECK(multi->optimizer_map()->entries()[0].second->class_name() == "Adam");
  CHECK(multi->optimizer_map()->entries()[0].second->learning_rate() == doctest::Approx(0.01));
  check_values(model->get_weights()[0], numbers(fixture().at("multi").at("after").as_list()[0]), 1e-6);

  // A selector: any callable giving each variable's optimizer.
  optimizers::OptimizerPtr adam = optimizers::Adam();
  optimizers::OptimizerPtr sgd = optimizers::SGD({.learning_rate = 0.0});
  auto picky = std::make_shared<optimizers::MultiOptimizer>(
      [&](const keras::core::Variable& v) -> optimizers::OptimizerPtr {
        return v.path().rfind("enc/", 0) == 0 ? adam : sgd;
      });
  auto x = keras::Input({3});
  auto enc = layers::Dense(2, {.name = "enc"});
  auto head = layers::Dense(1, {.name = "head"});
  auto m = keras::Functional({x}, {head(enc(x))});
  m->compile({.optimizer = picky, .loss = "mse"});
  const auto head_before = values(head->kernel.value());
  const auto enc_before = values(enc->kernel.value());
  m->train_on_batch({ops::ones({4, 3})}, {ops::zeros({4, 1})});
  CHECK(values(head->kernel.value()) == head_before);  // learning rate 0
  CHECK(values(enc->kernel.value()) != enc_before);
  CHECK(picky->optimizers().size() == 2);
  TempDir dir;
  CHECK_THROWS_MSG(m->save((dir.path / "m.kcpp").string()), std::invalid_argument,
                   "a MultiOptimizer made from a selector has no config");
}

TEST_CASE("DTypePolicyMap: Keras 3.15's lookups, errors and serialized form") {
  const Value& f = fixture().at("policy_map");
  DTypePolicyMap map(DTypePolicy("float32"));
  map.set("encoder/layer_0/dense", "bfloat16");
  map.set("encoder/.*", "float16");
  map.set("decoder", DTypePolicy::quantized("int8", DTypePolicy("float32")));
  for (const auto& [path, name] : f.at("lookups").items()) {
    CAPTURE(path);
    CHECK(map[path].name() == name.as_string());
  }
  CHECK(map.name() == f.at("name").as_string());
  // The serialized form reads back to the same lookups; Keras's own form reads too.
  for (const Value& form : {Value(map.serialize()), f.at("serialized")}) {
    DTypePolicyMap back = DTypePolicyMap::deserialize(form);
    for (const auto& [path, name] : f.at("lookups").items()) CHECK(back[path].name() == name.as_string());
  }
  map.set("encoder/attention/.*", "bfloat16");
  CHECK_THROWS_MSG(map["encoder/attention/query"], std::invalid_argument,
                   "path 'encoder/attention/query' matches multiple dtype policy specification keys: 'encoder/.*', "
                   "'encoder/attention/.*'");
  CHECK_THROWS_MSG(map.set("decoder", "float32"), std::invalid_argument, "'decoder' is already a key");
  const DTypePolicy a_map{DTypePolicyMap{}};
  CHECK_THROWS_MSG(DTypePolicyMap{a_map}, std::invalid_argument,
                   "the default policy cannot be a DTypePolicyMap");
  // Unset default: the global policy at each lookup.
  DTypePolicyMap open;
  keras::mixed_precision::set_global_policy("mixed_bfloat16");
  CHECK(open["anything"].name() == "mixed_bfloat16");
  keras::mixed_precision::clear_global_policy();
  CHECK(open["anything"].name() == "float32");
}

TEST_CASE("DTypePolicyMap as a layer's dtype: each layer takes its path's policy; Keras's file loads") {
  // Quantized policies for two of an attention layer's projections (the use Keras makes
  // of maps): the sublayers share the map and look up their own paths.
  DTypePolicyMap map(DTypePolicy("float32"));
  map.set("block/query", "int8_from_float32");
  map.set("block/(key|value)", "int8_from_float32");
  auto att = layers::MultiHeadAttention(2, 2, {.name = "block", .dtype = DTypePolicy(map)});
  const auto q = ops::ones({1, 3, 4});
  const auto out = (*att)({q, q});
  CHECK(out[0].dtype() == keras::DType::float32);
  CHECK(att->dtype_policy().name() == "float32");  // "block" itself matches no key
  REQUIRE(att->dtype_policy_map());
  std::vector<std::string> int8;
  for (const auto& w : att->weights())
    if (w.dtype() == keras::DType::int8) int8.push_back(w.path());
  CHECK(int8 == std::vector<std::string>{"block/query/kernel", "block/key/kernel", "block/value/kernel"});
  CHECK(att->get_config().at("dtype").at("class_name").as_string() == "DTypePolicyMap");

  const Value& f = fixture().at("policy_map").at("model");
  auto model = keras::models::load_model(std::string(KERAS_TEST_DATA_DIR) + "/paths/policy_map.keras");
  auto mixed = model->get_layer("mixed");
  CHECK(keras::core::dtype_name(mixed->compute_dtype()) == f.at("mixed_compute_dtype").as_string());
  CHECK(keras::core::dtype_name(mixed->variable_dtype()) == f.at("mixed_variable_dtype").as_string());
  CHECK(model->get_layer("plain")->compute_dtype() == keras::DType::float32);
  const auto y = model->predict(keras::core::constant(numbers(f.at("x")), {2, 3}));
  check_values(ops::cast(y, keras::DType::float32), numbers(f.at("y")), 2e-2);
  const Value saved = mixed->get_config().at("dtype");
  CHECK(DTypePolicyMap::deserialize(saved)["mixed"].name() == "bfloat16");
}

TEST_CASE("backend: clear_session, get_uid, standardize_dtype (Keras's)") {
  keras::backend::clear_session();
  CHECK(layers::Dense(1)->name() == "dense");
  CHECK(layers::Dense(1)->name() == "dense_1");
  CHECK(keras::backend::get_uid("dense") == 3);  // shared with the layer names
  CHECK(keras::backend::get_uid("my_prefix") == 1);
  CHECK(keras::backend::get_uid("my_prefix") == 2);
  keras::mixed_precision::set_global_policy("mixed_float16");
  keras::backend::clear_session();
  CHECK(keras::mixed_precision::global_policy().name() == "float32");
  CHECK(layers::Dense(1)->name() == "dense");
  CHECK(keras::utils::get_uid("my_prefix") == 1);
  CHECK(keras::backend::standardize_dtype("int") == "int64");
  CHECK(keras::backend::standardize_dtype() == "float32");
  CHECK(keras::backend::standardize_dtype("bfloat16") == "bfloat16");
  CHECK(keras::backend::standardize_dtype(keras::DType::uint8) == "uint8");
  CHECK_THROWS_MSG(keras::backend::standardize_dtype("float"), std::invalid_argument, "but received 'float'");
  CHECK(keras::backend::is_float_dtype("bfloat16"));
  CHECK(keras::backend::is_float_dtype("float8_e4m3fn"));
  CHECK_FALSE(keras::backend::is_float_dtype("int8"));
  CHECK(keras::backend::is_int_dtype("uint8"));
  CHECK(keras::backend::is_int_dtype("int"));
  CHECK_FALSE(keras::backend::is_int_dtype("bool"));
}

TEST_CASE("keras-cpp writes .keras files with a MultiOptimizer and a DTypePolicyMap that Keras loads") {
  // KERAS_CPP_KERAS_FILES_OUT=<folder> keeps them, with inputs and outputs as .npy files,
  // for tests/keras_files/check_in_keras.py (Keras compiles the first, from its JSON, with
  // its MultiOptimizer, and gives the second's Dense the map's float64).
  TempDir tmp;
  const char* keep = std::getenv("KERAS_CPP_KERAS_FILES_OUT");
  const std::string dir = keep ? keep : tmp.path.string();
  std::filesystem::create_directories(dir);
  const auto x = keras::core::constant(numbers(fixture().at("multi").at("x")), {8, 3});
  {
    auto in = keras::Input({3}, {.name = "x"});
    auto h = layers::Dense(4, {.activation = "relu", .name = "enc"})(in);
    auto m = keras::Functional({in}, {layers::Dense(1, {.name = "head"})(h)});
    m->compile({.optimizer = std::make_shared<optimizers::MultiOptimizer>(optimizers::OptimizerMap(
                    optimizers::SGD({.learning_rate = 0.1}), {{"enc/.*", optimizers::Adam({.learning_rate = 0.01})}})),
                .loss = "mse"});
    m->train_on_batch({x}, {ops::zeros({8, 1})});
    // (.keras files hold no compile configuration; to_json() does, in Keras's form)
    th::write_bytes(dir + "/cpp_multi_optimizer.json", m->to_json());
    m->save_weights(dir + "/cpp_multi_optimizer.weights.h5");
    keras::core::save_npy(dir + "/cpp_multi_optimizer.in0.npy", x);
    keras::core::save_npy(dir + "/cpp_multi_optimizer.out0.npy", (*m)(x, false));
    auto back = keras::saving::model_from_json(m->to_json());
    auto* multi = dynamic_cast<optimizers::MultiOptimizer*>(back->optimizer().get());
    REQUIRE(multi);
    CHECK(multi->optimizer_map()->entries()[0].second->class_name() == "Adam");
  }
  {
    DTypePolicyMap map(DTypePolicy("float32"));
    map.set("wide", "float64");
    auto in = keras::Input({3}, {.name = "x"});
    auto wide = layers::Dense(4, {.name = "wide", .dtype = DTypePolicy(map)});
    auto m = keras::Functional({in}, {layers::Dense(2, {.name = "out"})(wide(in))});
    CHECK(wide->compute_dtype() == keras::DType::float64);
    const auto y = (*m)(x, false);
    m->save(dir + "/cpp_policy_map.keras");
    keras::core::save_npy(dir + "/cpp_policy_map.in0.npy", x);
    keras::core::save_npy(dir + "/cpp_policy_map.out0.npy", y);
    auto back = keras::models::load_model(dir + "/cpp_policy_map.keras");
    CHECK(back->get_layer("wide")->compute_dtype() == keras::DType::float64);
    check_values((*back)(x, false), values(y), 0.0);
  }
}
