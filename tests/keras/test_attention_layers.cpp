// test_attention_layers.cpp - EinsumDense, Identity, Attention, AdditiveAttention,
// MultiHeadAttention, GroupQueryAttention: the layer harness, Keras 3's outputs on fixed inputs, masks and
// weights (tests/data/attention/*.npz, written by tests/data/npz/make_attention_fixtures.py),
// Keras's config keys and weight shapes, masks from Embedding(mask_zero = true), traced
// calls, a traced fit, and save/load.
#include <functional>
#include <map>
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/function.h"
#include "files.h"
#include "layer_harness.h"
#include "test_data_dir.h"

using namespace th;
namespace layers = keras::layers;

namespace {
keras::Config kwargs(std::initializer_list<std::pair<const char*, keras::Value>> kv) {
  keras::Config c = keras::Config::object();
  for (const auto& [k, v] : kv) c[k] = v;
  return c;
}
const keras::Config kScores = kwargs({{"return_attention_scores", true}});
const keras::Config kCausalScores = kwargs({{"return_attention_scores", true}, {"use_causal_mask", true}});
const keras::Config kCausal = kwargs({{"use_causal_mask", true}});

// The layer cases of make_attention_fixtures.py, built the same way, with their call's
// keyword arguments.
struct KerasCase {
  std::string name;
  std::function<keras::LayerPtr()> make;
  keras::Config kwargs = keras::Config::object();
};
std::vector<KerasCase> keras_cases() {
  return {
      {"identity", [] { return layers::Identity(); }},
      {"einsum_dense_2d", [] { return layers::EinsumDense("ab,bc->ac", 4, {.bias_axes = "c"}); }},
      {"einsum_dense_3d_relu",
       [] { return layers::EinsumDense("abc,cd->abd", {-1, 5}, {.activation = "relu", .bias_axes = "d"}); }},
      {"einsum_dense_ellipsis_no_bias", [] { return layers::EinsumDense("...b,bc->...c", 3); }},
      {"einsum_dense_heads", [] { return layers::EinsumDense("abc,cde->abde", {-1, 2, 3}, {.bias_axes = "de"}); }},
      {"einsum_dense_bias_one_axis", [] { return layers::EinsumDense("abc,cde->abde", {-1, 2, 3}, {.bias_axes = "d"}); }},
      {"einsum_dense_right_elided", [] { return layers::EinsumDense("ab...,bc->ac...", 4, {.bias_axes = "c"}); }},
      {"attention_dot", [] { return layers::Attention(); }},
      {"attention_scale_causal_scores", [] { return layers::Attention({.use_scale = true}); }, kCausalScores},
      {"attention_concat_masks", [] { return layers::Attention({.use_scale = true, .score_mode = "concat"}); }, kScores},
      {"additive_attention_masks", [] { return layers::AdditiveAttention(); }},
      {"additive_attention_no_scale_causal", [] { return layers::AdditiveAttention({.use_scale = false}); },
       kCausalScores},
      {"mha_self", [] { return layers::MultiHeadAttention(2, 3); }},
      {"mha_cross_scores", [] { return layers::MultiHeadAttention(2, 3, {.value_dim = 4, .output_shape = {5}}); },
       kScores},
      {"mha_causal_no_bias", [] { return layers::MultiHeadAttention(3, 2, {.use_bias = false}); }, kCausalScores},
      {"mha_masks_attention_mask_causal", [] { return layers::MultiHeadAttention(2, 2); }, kCausalScores},
      {"mha_attention_axes", [] { return layers::MultiHeadAttention(2, 2, {.attention_axes = {1, 2}}); }, kScores},
      {"gqa_self", [] { return layers::GroupQueryAttention(3, 4, 2); }},
      {"gqa_cross_gate_scores", [] { return layers::GroupQueryAttention(2, 4, 1, {.use_gate = true}); }, kScores},
      {"gqa_masks_window_causal_scores",
       [] { return layers::GroupQueryAttention(2, 2, 2, {.use_bias = false, .sliding_window = 2}); }, kCausalScores},
      {"gqa_causal_fused", [] { return layers::GroupQueryAttention(2, 4, 2); }, kCausal},
      {"gqa_masks_fused", [] { return layers::GroupQueryAttention(2, 2, 1, {.sliding_window = 1}); }},
      {"mha_gate_window_causal_scores",
       [] { return layers::MultiHeadAttention(2, 3, {.value_dim = 2, .use_gate = true, .sliding_window = 2}); },
       kCausalScores},
      {"mha_gate_window_fused", [] { return layers::MultiHeadAttention(2, 2, {.use_gate = true, .sliding_window = 1}); }},
      // Dropout in inference: Keras's masked-Softmax path (rows masked everywhere give
      // zeros).
      {"mha_dropout_inference_masks", [] { return layers::MultiHeadAttention(2, 3, {.dropout = 0.3}); }},
      {"mha_dropout_inference_causal_attention_mask",
       [] { return layers::MultiHeadAttention(2, 2, {.dropout = 0.2}); }, kCausal},
      {"gqa_dropout_inference_masks", [] { return layers::GroupQueryAttention(2, 4, 2, {.dropout = 0.3}); }},
  };
}

std::string fixture(const std::string& name) { return std::string(KERAS_TEST_DATA_DIR) + "/attention/" + name; }

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

// The fixture's inputs (the attention mask last) and their masks, as CallArgs.
std::pair<std::vector<Tensor>, keras::layers::CallArgs> case_inputs(const std::map<std::string, Tensor>& a,
                                                                      const keras::Config& kw) {
  std::vector<Tensor> xs = numbered(a, "x"), masks;
  bool any = false;
  for (size_t i = 0; i < xs.size(); ++i) {
    auto it = a.find("m" + std::to_string(i));
    masks.push_back(it == a.end() ? Tensor() : it->second);
    any = any || it != a.end();
  }
  if (a.count("attention_mask")) {
    xs.push_back(a.at("attention_mask"));
    masks.push_back(Tensor());
  }
  return {xs, keras::layers::CallArgs{.masks = any ? masks : std::vector<Tensor>{}, .kwargs = kw}};
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "no error";
}

Tensor rand(const Shape& s, uint32_t seed) { return make(uniform(s.num_elements(), -1, 1, seed), s); }
}  // namespace

TEST_CASE("attention layers: the layer harness" * doctest::test_suite("layer_harness")) {
  run_layer_test({"einsum_dense", [] { return layers::EinsumDense("abc,cde->abde", {-1, 2, 3}, {.bias_axes = "de"}); },
                  {Shape{2, 4, 5}}, {}, {2, 4, 2, 3}, 2, 2});
  run_layer_test({"einsum_dense ellipsis", [] { return layers::EinsumDense("...b,bc->...c", 3, {.activation = "tanh"}); },
                  {Shape{2, 3, 4}}, {}, {2, 3, 3}, 1, 1});
  run_layer_test({"identity", [] { return layers::Identity(); }, {Shape{2, 3}}, {}, {2, 3}});
  run_layer_test({"attention", [] { return layers::Attention({.use_scale = true}); }, {Shape{2, 3, 4}, Shape{2, 5, 4}},
                  {}, {2, 3, 4}, 1, 1});
  run_layer_test({"attention concat dropout",
                  [] { return layers::Attention({.score_mode = "concat", .dropout = 0.5, .seed = 3}); },
                  {Shape{2, 3, 4}, Shape{2, 5, 4}, Shape{2, 5, 4}}, {}, {2, 3, 4}, 1, 1, true});
  run_layer_test({"additive_attention", [] { return layers::AdditiveAttention(); }, {Shape{2, 3, 4}, Shape{2, 5, 4}},
                  {}, {2, 3, 4}, 1, 1});
  run_layer_test({"multi_head_attention", [] { return layers::MultiHeadAttention(2, 3); },
                  {Shape{2, 3, 4}, Shape{2, 5, 6}}, {}, {2, 3, 4}, 8, 8});
  run_layer_test({"multi_head_attention dropout, key, no bias",
                  [] { return layers::MultiHeadAttention(2, 3, {.dropout = 0.5, .use_bias = false, .output_shape = {2, 3}, .seed = 1}); },
                  {Shape{2, 3, 4}, Shape{2, 5, 6}, Shape{2, 5, 7}}, {}, {2, 3, 2, 3}, 4, 4, true});
  run_layer_test({"grouped_query_attention", [] { return layers::GroupQueryAttention(2, 4, 2); },
                  {Shape{2, 3, 4}, Shape{2, 5, 6}}, {}, {2, 3, 4}, 8, 8});
  run_layer_test({"grouped_query_attention gate, dropout, window",
                  [] {
                    return layers::GroupQueryAttention(
                        2, 2, 1, {.dropout = 0.5, .use_gate = true, .sliding_window = 2, .seed = 2});
                  },
                  {Shape{2, 3, 4}, Shape{2, 5, 6}, Shape{2, 5, 7}}, {}, {2, 3, 4}, 10, 10, true});
}

TEST_CASE("attention layers: Keras 3's outputs on the same inputs, masks and weights") {
  for (const KerasCase& c : keras_cases()) {
    CAPTURE(c.name);
    auto a = load(c.name);
    auto [xs, args] = case_inputs(a, c.kwargs);
    keras::LayerPtr layer = c.make();
    (*layer)(xs, args);  // builds
    std::vector<Tensor> w = numbered(a, "w");
    REQUIRE(layer->weights().size() == w.size());
    layer->set_weights(w);
    std::vector<Tensor> ys = (*layer)(xs, args), want = numbered(a, "y");
    REQUIRE(ys.size() == want.size());
    for (size_t i = 0; i < ys.size(); ++i) {
      CAPTURE(i);
      REQUIRE(ys[i].shape() == want[i].shape());
      check_values(ys[i], values(want[i]), 2e-5);
    }
    // Traced: the same numbers.
    auto f = core::function([&, args = args](const std::vector<Tensor>& in) { return (*layer)(in, args); });
    std::vector<Tensor> yt = f(xs);
    for (size_t i = 0; i < yt.size(); ++i) check_values(yt[i], values(want[i]), 2e-5);
  }
}

TEST_CASE("attention layers: Keras 3's class names, config keys and weight shapes") {
  keras::Value keras_configs = keras::Value::from_json(read_bytes(fixture("configs.json")));
  for (const KerasCase& c : keras_cases()) {
    CAPTURE(c.name);
    const keras::Value& want = keras_configs.at(c.name);
    keras::LayerPtr layer = c.make();
    CHECK(layer->class_name() == want.at("class_name").as_string());
    keras::Config cfg = layer->get_config();
    for (const keras::Value& key : want.at("config_keys").as_list()) CHECK_MESSAGE(cfg.contains(key.as_string()), key.as_string());
    auto a = load(c.name);
    auto [xs, args] = case_inputs(a, c.kwargs);
    (*layer)(xs, args);
    const auto& shapes = want.at("weight_shapes").as_list();
    REQUIRE(layer->weights().size() == shapes.size());
    for (size_t i = 0; i < shapes.size(); ++i) CHECK(layer->weights()[i].shape().dims() == shapes[i].as_ints());
  }
  auto mha = layers::MultiHeadAttention(2, 3);
  CHECK(mha->name().rfind("multi_head_attention", 0) == 0);
  CHECK(layers::EinsumDense("ab,bc->ac", 2)->name().rfind("einsum_dense", 0) == 0);
  CHECK(layers::AdditiveAttention()->name().rfind("additive_attention", 0) == 0);
  (*mha)(std::vector<Tensor>{ops::zeros({1, 2, 4}), ops::zeros({1, 3, 4})});
  CHECK(mha->query_dense->name() == "query");
  CHECK(mha->output_dense->name() == "attention_output");
  CHECK(mha->query_dense->kernel.shape() == Shape{4, 2, 3});
}

TEST_CASE("attention layers: EinsumDense's glorot kernel uses Keras's fans (input and output axes)") {
  // Kernel (64, 8, 16): Keras 3 gives glorot_uniform fan_in 64, fan_out 8 * 16, so a limit
  // sqrt(6 / 192) = 0.177 (the convolution-style fans would give sqrt(6 / 1536) = 0.0625).
  auto d = layers::EinsumDense("abc,cde->abde", {-1, 8, 16});
  d->build(keras::ShapeSpec{1, 4, 64});
  REQUIRE(d->kernel.shape() == Shape{64, 8, 16});
  double most = 0;
  for (double v : values(d->kernel)) most = std::max(most, std::fabs(v));
  CHECK(most > 0.15);
  CHECK(most <= std::sqrt(6.0 / 192.0) + 1e-6);
  // Other initializers are used as they are.
  auto ones = layers::EinsumDense("abc,cde->abde", {-1, 2, 3}, {.kernel_initializer = "ones"});
  ones->build(keras::ShapeSpec{1, 4, 5});
  CHECK(values(ones->kernel) == std::vector<double>(30, 1.0));
}

TEST_CASE("attention layers: Embedding(mask_zero) masks reach MultiHeadAttention as in Keras") {
  auto a = load("mha_embedding_mask");
  auto in = keras::Input({5}, {.dtype = DType::int32});
  auto x = layers::Embedding(10, 6, {.mask_zero = true})(in);
  auto y = layers::MultiHeadAttention(2, 3)(std::vector<keras::KerasTensor>{x, x});
  auto model = keras::Functional({in}, {y});
  model->set_weights(numbered(a, "w"));
  Tensor ids = a.at("ids");
  check_values(model->predict(ids, {.verbose = 0}), values(a.at("y0")), 2e-5);
  // The output carries the query's mask.
  auto emb = layers::Embedding(10, 6, {.mask_zero = true});
  auto mha = layers::MultiHeadAttention(2, 3);
  Tensor e = (*emb)(ids);
  Tensor out = (*mha)(std::vector<Tensor>{e, e})[0];
  REQUIRE(out.keras_mask().defined());
  CHECK(values(out.keras_mask()) == values(e.keras_mask()));
  // Attention passes the query's mask on and zeroes the masked query rows.
  Tensor att = (*layers::Attention())(std::vector<Tensor>{e, e})[0];
  REQUIRE(att.keras_mask().defined());
  std::vector<double> v = values(att);
  for (size_t i = 18; i < 30; ++i) CHECK(v[i] == 0.0);  // ids[0][3:] are 0
}

TEST_CASE("attention layers: a small MultiHeadAttention model trains in a traced fit, saves and loads") {
  ops::set_random_seed(7);
  const int64_t n = 64, t = 6, d = 4;
  Tensor x = rand(Shape{n, t, d}, 11);
  // The target: each sequence's mean of feature 0 above or below 0.
  Tensor y = ops::cast(ops::greater(ops::mean(ops::strided_slice(x, {0, 0, 0}, {n, t, 1}), {1, 2}), ops::scalar_like(x, 0.0)),
                       DType::int32);
  auto in = keras::Input({t, d});
  auto h = layers::MultiHeadAttention(2, 4)(std::vector<keras::KerasTensor>{in, in}, {.kwargs = kwargs({{"use_causal_mask", true}})});
  auto p = layers::GlobalAveragePooling1D()(layers::EinsumDense("abc,cd->abd", {-1, 8}, {.activation = "relu", .bias_axes = "d"})(h));
  auto model = keras::Functional({in}, {layers::Dense(2, {.activation = "softmax"})(p)});
  model->compile({.optimizer = keras::optimizers::Adam({.learning_rate = 0.01}), .loss = "sparse_categorical_crossentropy"});
  auto hist = model->fit(x, y, {.batch_size = 16, .epochs = 15, .verbose = 0});
  REQUIRE(model->train_function());  // traced
  const auto& loss = hist.history.at("loss");
  CHECK(loss.back() < 0.8 * loss.front());

  TempDir dir;
  const std::string path = dir.file("mha.kcpp");
  model->save(path);
  keras::ModelPtr loaded = keras::models::load_model(path);
  check_values(loaded->predict(x, {.verbose = 0}), values(model->predict(x, {.verbose = 0})), 1e-6);
  CHECK(loaded->get_layer(1)->class_name() == "MultiHeadAttention");
}

TEST_CASE("attention layers: Attention and AdditiveAttention save and load in a model") {
  auto q = keras::Input({3, 4}), v = keras::Input({5, 4});
  auto a1 = layers::Attention({.use_scale = true, .score_mode = "concat"})(std::vector<keras::KerasTensor>{q, v});
  auto a2 = layers::AdditiveAttention()(std::vector<keras::KerasTensor>{q, v, v});
  auto out = layers::Identity()(layers::Add()(std::vector<keras::KerasTensor>{a1, a2}));
  auto model = keras::Functional({q, v}, {out});
  std::vector<Tensor> xs = {rand(Shape{2, 3, 4}, 1), rand(Shape{2, 5, 4}, 2)};
  TempDir dir;
  model->save(dir.file("att.kcpp"));
  keras::ModelPtr loaded = keras::models::load_model(dir.file("att.kcpp"));
  check_values(loaded->predict(xs, {.verbose = 0})[0], values(model->predict(xs, {.verbose = 0})[0]), 1e-6);
}

TEST_CASE("attention layers: bad arguments and inputs raise Keras's errors") {
  CHECK(error_of([] { layers::EinsumDense("ab,bc", 3); }).find("invalid einsum equation") != std::string::npos);
  CHECK(error_of([] { (*layers::EinsumDense("ab,bc->ac", 3, {.bias_axes = "x"}))(ops::zeros({2, 4})); })
            .find("bias dimension 'x'") != std::string::npos);
  CHECK(error_of([] { (*layers::EinsumDense("ab,bc->ac", 3))(ops::zeros({2, 4, 1})); }).find("rank 2") !=
        std::string::npos);
  CHECK(error_of([] { layers::Attention({.score_mode = "add"}); }).find("score_mode") != std::string::npos);
  CHECK(error_of([] { (*layers::Attention())(std::vector<Tensor>{ops::zeros({1, 2, 3})}); })
            .find("length 2 or 3") != std::string::npos);
  CHECK(error_of([] { layers::MultiHeadAttention(0, 2); }).find("num_heads") != std::string::npos);
  CHECK(error_of([] { layers::MultiHeadAttention(2, 0); }).find("key_dim") != std::string::npos);
  CHECK(error_of([] { layers::GroupQueryAttention(2, 3, 2); }).find("divisible by `num_key_value_heads`") !=
        std::string::npos);
  CHECK(error_of([] { layers::GroupQueryAttention(2, 2, 1, {.sliding_window = 0}); }).find("sliding_window=0") !=
        std::string::npos);
  CHECK(error_of([] { layers::GroupQueryAttention(0, 2, 1); }).find("head_dim=0") != std::string::npos);
  CHECK(layers::GroupQueryAttention(2, 2, 1)->name().rfind("grouped_query_attention", 0) == 0);  // Keras's default name
  CHECK(error_of([] {
          (*layers::GroupQueryAttention(2, 2, 1))(std::vector<Tensor>{ops::zeros({1, 2, 2, 3}), ops::zeros({1, 2, 2, 3})});
        }).find("rank 3") != std::string::npos);
  CHECK(error_of([] {
          (*layers::MultiHeadAttention(2, 2))(std::vector<Tensor>{ops::zeros({1, 2, 3}), ops::zeros({1, 4, 3}),
                                                                  ops::zeros({1, 5, 3})});
        }).find("value` and `key`") != std::string::npos);
  CHECK(error_of([] {
          (*layers::Attention())(std::vector<Tensor>{ops::zeros({1, 2, 3}), ops::zeros({1, 4, 3})},
                                 {.kwargs = kwargs({{"use_causal_mask", 1}})});
        }).find("use_causal_mask") != std::string::npos);
}
