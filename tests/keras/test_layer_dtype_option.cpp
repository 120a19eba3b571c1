// test_layer_dtype_option.cpp - every layer's options take Keras's `dtype` (a policy name,
// a DType or a DTypePolicy): the layer keeps it, creates its weights in the variable dtype,
// computes and returns the compute dtype, and its config carries the policy back; and
// layers under float64, bfloat16 and mixed_float16 policies give Keras 3's outputs on the
// same inputs and weights (tests/data/dtype_option/*.npz, written by
// tests/data/npz/make_dtype_option_fixtures.py).
#include <functional>
#include <string>
#include <vector>

#include "helpers.h"
#include "layer_fixtures.h"
#include "keras/keras.h"
#include "keras/mixed_precision.h"

using namespace th;
namespace layers = keras::layers;
namespace mp = keras::mixed_precision;

namespace {

struct Case {
  std::string name;
  std::function<keras::LayerPtr(const mp::DTypePolicy&)> make;
  std::vector<Shape> inputs;
  bool int_input = false;  // (Embedding's token ids)
};

std::vector<Case> cases() {
  using P = const mp::DTypePolicy&;
  const std::vector<Shape> img{Shape{2, 6, 6, 3}}, seq{Shape{2, 5, 4}}, vec{Shape{2, 4}};
  return {
      {"Conv2D", [](P p) { return layers::Conv2D(2, 3, {.dtype = p}); }, img},
      {"Conv1D", [](P p) { return layers::Conv1D(2, 2, {.dtype = p}); }, seq},
      {"Conv2DTranspose", [](P p) { return layers::Conv2DTranspose(2, 3, {.dtype = p}); }, img},
      {"DepthwiseConv2D", [](P p) { return layers::DepthwiseConv2D(3, {.dtype = p}); }, img},
      {"SeparableConv2D", [](P p) { return layers::SeparableConv2D(2, 3, {.dtype = p}); }, img},
      {"ConvLSTM1D", [](P p) { return layers::ConvLSTM1D(2, 2, {.dtype = p}); }, {Shape{2, 3, 5, 2}}},
      {"EinsumDense", [](P p) { return layers::EinsumDense("ab,bc->ac", 3, {.dtype = p}); }, vec},
      {"Embedding", [](P p) { return layers::Embedding(10, 3, {.dtype = p}); }, {Shape{2, 4}}, true},
      {"BatchNormalization", [](P p) { return layers::BatchNormalization({.dtype = p}); }, vec},
      {"LayerNormalization", [](P p) { return layers::LayerNormalization({.dtype = p}); }, vec},
      {"RMSNormalization", [](P p) { return layers::RMSNormalization({.dtype = p}); }, vec},
      {"UnitNormalization", [](P p) { return layers::UnitNormalization({.dtype = p}); }, vec},
      {"PReLU", [](P p) { return layers::PReLU({.dtype = p}); }, vec},
      {"ReLU", [](P p) { return layers::ReLU({.dtype = p}); }, vec},
      {"Dropout", [](P p) { return layers::Dropout(0.5, {.dtype = p}); }, vec},
      {"GaussianNoise", [](P p) { return layers::GaussianNoise(0.1, {.dtype = p}); }, vec},
      {"Flatten", [](P p) { return layers::Flatten({.dtype = p}); }, img},
      {"MaxPooling2D", [](P p) { return layers::MaxPooling2D(2, {.dtype = p}); }, img},
      {"GlobalAveragePooling2D", [](P p) { return layers::GlobalAveragePooling2D({.dtype = p}); }, img},
      {"AdaptiveAveragePooling2D", [](P p) { return layers::AdaptiveAveragePooling2D(2, {.dtype = p}); }, img},
      {"ZeroPadding2D", [](P p) { return layers::ZeroPadding2D(1, {.dtype = p}); }, img},
      {"Cropping2D", [](P p) { return layers::Cropping2D(1, {.dtype = p}); }, img},
      {"UpSampling2D", [](P p) { return layers::UpSampling2D(2, {.dtype = p}); }, img},
      {"SpatialDropout2D", [](P p) { return layers::SpatialDropout2D(0.5, {.dtype = p}); }, img},
      {"Masking", [](P p) { return layers::Masking({.dtype = p}); }, seq},
      {"MultiHeadAttention", [](P p) { return layers::MultiHeadAttention(2, 3, {.dtype = p}); }, {seq[0], seq[0]}},
      {"GroupQueryAttention",
       [](P p) { return layers::GroupQueryAttention(2, 4, 2, {.dtype = p}); }, {seq[0], seq[0]}},
      {"Attention", [](P p) { return layers::Attention({.dtype = p}); }, {seq[0], seq[0]}},
      {"AdditiveAttention", [](P p) { return layers::AdditiveAttention({.dtype = p}); }, {seq[0], seq[0]}},
      {"RandomFlip", [](P p) { return layers::RandomFlip("horizontal", {.seed = 1, .dtype = p}); }, img},
      {"RandomContrast", [](P p) { return layers::RandomContrast(0.5, {.seed = 1, .dtype = p}); }, img},
      {"RandomZoom", [](P p) { return layers::RandomZoom(0.2, {.seed = 1, .dtype = p}); }, img},
      {"RandomBrightness", [](P p) { return layers::RandomBrightness(0.2, {.seed = 1, .dtype = p}); }, img},
      {"Solarization", [](P p) { return layers::Solarization({.addition_factor = 0.5, .seed = 1, .dtype = p}); }, img},
      {"Resizing", [](P p) { return layers::Resizing(4, 4, {.dtype = p}); }, img},
  };
}

std::vector<Tensor> inputs_of(const Case& c) {
  std::vector<Tensor> xs;
  for (size_t i = 0; i < c.inputs.size(); ++i) {
    const int64_t n = c.inputs[i].num_elements();
    xs.push_back(c.int_input ? make(uniform(n, 0, 9.9, uint32_t(i + 1)), c.inputs[i], DType::int32)
                             : make(uniform(n, 0, 1, uint32_t(i + 1)), c.inputs[i]));
  }
  return xs;
}

}  // namespace

TEST_CASE("layer options: dtype sets the layer's policy, its weights' and its outputs' dtypes") {
  for (const Case& c : cases()) {
    for (const std::string policy : {"float64", "mixed_float16", "bfloat16"}) {
      CAPTURE(c.name);
      CAPTURE(policy);
      const mp::DTypePolicy p(policy);
      keras::LayerPtr layer = c.make(p);
      CHECK(layer->dtype_policy().name() == policy);
      const std::vector<Tensor> out = (*layer)(inputs_of(c), true);
      REQUIRE(out.size() == 1);
      CHECK(out[0].dtype() == p.compute_dtype());
      for (const auto& w : layer->weights()) {
        CAPTURE(w.name());
        // (BatchNormalization's statistics and every other float weight: the variable dtype)
        if (core::is_floating(w.dtype())) CHECK(w.dtype() == p.variable_dtype());
      }
      // The config carries the policy; the layer it makes has it.
      keras::LayerPtr again = keras::layers::from_config(layer->class_name(), layer->get_config());
      CHECK(again->dtype_policy().name() == policy);
      CHECK(again->get_config() == layer->get_config());
    }
  }
}

TEST_CASE("layer options: without dtype a layer takes the global policy when it is made") {
  mp::set_global_policy("mixed_bfloat16");
  keras::LayerPtr conv = layers::Conv2D(2, 3);
  keras::LayerPtr given = layers::Conv2D(2, 3, {.dtype = DType::float64});
  mp::set_global_policy("float32");
  CHECK(conv->dtype_policy().name() == "mixed_bfloat16");
  CHECK(given->dtype_policy().name() == "float64");
  CHECK(layers::Conv2D(2, 3)->dtype_policy().name() == "float32");
}

TEST_CASE("layer options: a wrapper's dtype leaves the wrapped layer's policy, as Keras") {
  const Tensor x = make(uniform(40, 0, 1, 5), Shape{2, 5, 4});
  for (keras::LayerPtr w : {keras::LayerPtr(layers::Bidirectional(layers::LSTM(2), {.dtype = "float64"})),
                            keras::LayerPtr(layers::TimeDistributed(layers::Dense(2), {.dtype = "float64"}))}) {
    CAPTURE(w->class_name());
    CHECK(w->dtype_policy().name() == "float64");
    (*w)(std::vector<Tensor>{x}, false);
    REQUIRE(!w->weights().empty());
    for (const auto& v : w->weights()) CHECK(v.dtype() == DType::float32);
  }
}

TEST_CASE("layer options: float64, bfloat16 and mixed_float16 layers give Keras 3's outputs") {
  struct Fixture {
    std::string name;
    std::function<keras::LayerPtr()> make;
    bool training;
    double tol;  // (relative: the compute dtype's resolution)
  };
  const std::vector<Fixture> fixtures{
      {"conv2d_float64", [] { return layers::Conv2D(3, 2, {.dtype = "float64"}); }, false, 1e-6},
      {"conv2d_bfloat16", [] { return layers::Conv2D(3, 2, {.dtype = "bfloat16"}); }, false, 2e-2},
      {"depthwise_conv2d_mixed_float16", [] { return layers::DepthwiseConv2D(2, {.dtype = "mixed_float16"}); }, false,
       2e-3},
      {"batch_norm_bfloat16_training",
       [] { return layers::BatchNormalization({.momentum = 0.9, .dtype = "bfloat16"}); }, true, 2e-2},
      {"batch_norm_float64_training",
       [] { return layers::BatchNormalization({.momentum = 0.9, .dtype = "float64"}); }, true, 1e-6},
      {"layer_norm_bfloat16", [] { return layers::LayerNormalization({.dtype = "bfloat16"}); }, false, 2e-2},
      {"embedding_bfloat16", [] { return layers::Embedding(7, 3, {.dtype = "bfloat16"}); }, false, 0},
      {"einsum_dense_mixed_float16",
       [] { return layers::EinsumDense("ab,bc->ac", 4, {.bias_axes = "c", .dtype = "mixed_float16"}); }, false, 2e-3},
      {"prelu_float64", [] { return layers::PReLU({.dtype = "float64"}); }, false, 1e-6},
      {"global_average_pooling2d_bfloat16", [] { return layers::GlobalAveragePooling2D({.dtype = "bfloat16"}); },
       false, 2e-2},
  };
  for (const Fixture& f : fixtures) {
    CAPTURE(f.name);
    const std::map<std::string, Tensor> a = load_fixture("dtype_option", f.name);
    keras::LayerPtr layer = f.make();
    set_fixture_weights(*layer, a);  // (float32 arrays converted to the weights' dtype, as Keras)
    for (size_t i = 0; i < layer->weights().size(); ++i)  // held exactly
      CHECK(values(layer->weights()[i].value()) == values(a.at("w" + std::to_string(i))));
    const Tensor y = (*layer)(std::vector<Tensor>{a.at("x")}, f.training)[0];
    CHECK(y.dtype() == layer->compute_dtype());
    REQUIRE(y.shape() == a.at("y").shape());
    check_values(y, values(a.at("y")), f.tol);
    for (size_t i = 0; f.training && i < layer->weights().size(); ++i) {
      CAPTURE(i);
      check_values(layer->weights()[i].value(), values(a.at("a" + std::to_string(i))), f.tol);
    }
  }
}

// The categorical preprocessing layers' dtype is their outputs' (Keras 3.15's values, by
// hand in its venv: Hashing(4, dtype="int32")(["a", "b", "c"]) == [3, 2, 0], ...).
TEST_CASE("layer options: the categorical layers' dtype is their outputs' dtype, as Keras") {
  const Tensor s = core::ops::reshape(core::constant({"a", "b", "c"}), {3, 1});
  const Tensor ids = core::constant(std::vector<int64_t>{1, 2, 3}, Shape{3, 1});
  const Tensor ids1 = core::constant(std::vector<int64_t>{1, 2, 3});
  const Tensor f = core::constant(std::vector<float>{0.5f, 1.5f, 2.5f}, Shape{3, 1});
  const std::vector<double> eye3{1, 0, 0, 0, 1, 0, 0, 0, 1};
  struct Out {
    std::string what;
    keras::LayerPtr layer;
    std::vector<Tensor> in;
    DType dtype;
    std::vector<double> values;  // (empty: only the dtype)
  };
  const std::vector<Out> outs{
      {"Hashing int default", layers::Hashing(4), {s}, DType::int64, {3, 2, 0}},
      {"Hashing int int32", layers::Hashing(4, {.dtype = "int32"}), {s}, DType::int32, {3, 2, 0}},
      {"Hashing one_hot default", layers::Hashing(3, {.output_mode = "one_hot"}), {core::ops::reshape(s, {3})}, DType::float32,
       {1, 0, 0, 0, 1, 0, 0, 1, 0}},
      {"Hashing one_hot int32", layers::Hashing(3, {.output_mode = "one_hot", .dtype = "int32"}), {core::ops::reshape(s, {3})},
       DType::int32, {1, 0, 0, 0, 1, 0, 0, 1, 0}},
      {"Hashing multi_hot float64", layers::Hashing(3, {.output_mode = "multi_hot", .dtype = "float64"}), {s},
       DType::float64, {1, 0, 0, 0, 1, 0, 0, 1, 0}},
      {"HashedCrossing int default", layers::HashedCrossing(5), {ids1, ids1}, DType::int64, {1, 1, 0}},
      {"HashedCrossing int int32", layers::HashedCrossing(5, {.dtype = "int32"}), {ids1, ids1}, DType::int32, {1, 1, 0}},
      {"HashedCrossing one_hot default", layers::HashedCrossing(5, {.output_mode = "one_hot"}), {ids1, ids1},
       DType::float32, {}},
      {"HashedCrossing one_hot float64", layers::HashedCrossing(5, {.output_mode = "one_hot", .dtype = "float64"}),
       {ids1, ids1}, DType::float64, {}},
      {"HashedCrossing one_hot int32", layers::HashedCrossing(5, {.output_mode = "one_hot", .dtype = "int32"}),
       {ids1, ids1}, DType::int32, {}},
      {"CategoryEncoding default", layers::CategoryEncoding(4), {ids}, DType::float32,
       {0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1}},
      {"CategoryEncoding int32", layers::CategoryEncoding(4, {.dtype = "int32"}), {ids}, DType::int32,
       {0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1}},
      {"CategoryEncoding count int64", layers::CategoryEncoding(4, {.output_mode = "count", .dtype = "int64"}), {ids},
       DType::int64, {0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1}},
      {"CategoryEncoding bfloat16", layers::CategoryEncoding(4, {.output_mode = "one_hot", .dtype = "bfloat16"}),
       {ids1}, DType::bfloat16, {0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1}},
      {"CategoryEncoding mixed_float16", layers::CategoryEncoding(4, {.output_mode = "one_hot", .dtype = "mixed_float16"}),
       {ids1}, DType::float32, {0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1}},
      {"Discretization int float64", layers::Discretization({.bin_boundaries = {1, 2}, .dtype = "float64"}), {f},
       DType::int32, {0, 1, 2}},
      {"Discretization one_hot float64",
       layers::Discretization({.bin_boundaries = {1, 2}, .output_mode = "one_hot", .dtype = "float64"}),
       {core::ops::reshape(f, {3})}, DType::float64, eye3},
      {"Discretization one_hot int32",
       layers::Discretization({.bin_boundaries = {1, 2}, .output_mode = "one_hot", .dtype = "int32"}),
       {core::ops::reshape(f, {3})}, DType::int32, eye3},
      // A float64 input is binned in the float32 compute dtype (0.9999999999 -> 1.0).
      {"Discretization float64 input", layers::Discretization({.bin_boundaries = {1, 2}}),
       {core::constant(std::vector<double>{0.9999999999, 1, 3}, Shape{3, 1})}, DType::int32, {1, 1, 2}},
  };
  for (const Out& o : outs) {
    CAPTURE(o.what);
    const std::vector<Tensor> y = (*o.layer)(o.in, false);
    REQUIRE(y.size() == 1);
    CHECK(y[0].dtype() == o.dtype);
    if (!o.values.empty()) check_values(y[0], o.values);
    // Symbolic calls give the same dtype; the config keeps it.
    keras::LayerPtr again = layers::from_config(o.layer->class_name(), o.layer->get_config());
    CHECK(again->get_config() == o.layer->get_config());
    std::vector<keras::KerasTensor> sym;
    for (const Tensor& x : o.in) {
      keras::ShapeSpec shape;
      for (int64_t k = 1; k < x.rank(); ++k) shape.push_back(x.shape()[k]);
      sym.push_back(keras::Input(shape, {.dtype = x.dtype()}));
    }
    const auto ys = (*again)(sym);
    CHECK(ys.at(0).dtype() == o.dtype);
  }
  CHECK_THROWS_MSG(layers::Hashing(4, {.dtype = "float32", .name = "h"}), std::invalid_argument,
                   "h: when output_mode=\"int\", dtype should be an integer type, 'int32' or 'int64', but received "
                   "dtype=float32");
}

// Keras 3.15: the lookups' policy is the global one (their configs say float32), and their
// outputs keep their own dtypes: StringLookup(output_mode="one_hot") under mixed_float16
// gives int64.
TEST_CASE("layer options: the lookups take the global policy and keep their outputs' dtypes, as Keras") {
  mp::set_global_policy("mixed_float16");
  auto one_hot = layers::StringLookup({.vocabulary = {"a", "b"}, .output_mode = "one_hot"});
  auto tv = layers::TextVectorization({.output_mode = "tf_idf", .vocabulary = {"a", "b"}, .idf_weights = {1, 1}});
  mp::set_global_policy("float32");
  CHECK(one_hot->dtype_policy().name() == "mixed_float16");
  const Tensor y = (*one_hot)(core::constant({"a"}));
  CHECK(y.dtype() == DType::int64);
  check_values(y, std::vector<double>{0, 1, 0});
  CHECK((*tv)(core::constant({"a b"})).dtype() == DType::float32);
  auto ids = layers::IntegerLookup({.vocabulary = {1, 2}});
  CHECK(mp::DTypePolicy::deserialize(ids->get_config().at("dtype")).name() == "float32");
  CHECK((*ids)(core::constant(std::vector<int64_t>{2})).dtype() == DType::int64);
  auto inv = layers::StringLookup({.vocabulary = {"a", "b"}, .invert = true});
  CHECK((*inv)(core::constant(std::vector<int64_t>{1})).dtype() == DType::string);
  const auto sym = (*inv)(keras::Input({1}, {.dtype = DType::int64}));
  CHECK(sym.dtype() == DType::string);
}
