// test_quantize_lora.cpp - Keras's quantize("int8") (Dense, Embedding, Model.quantize) and
// LoRA (enable_lora on Dense, EinsumDense, Embedding): Keras 3's numbers
// (tests/data/quantize/quantize.npz, written by tests/data/quantize/make_fixtures.py), its
// checks and errors, training after either, and both through the file formats. Files
// written by Keras itself load in test_keras_files.cpp ("quantized", "lora").
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "error_of.h"
#include "files.h"
#include "helpers.h"
#include "keras/keras.h"
#include "npz_fixtures.h"

using namespace th;
namespace layers = keras::layers;
namespace ops = keras::core::ops;
using keras::DType;

namespace {

const Tensor& fx(const std::string& name) { return th::npz_array("quantize/quantize.npz", name); }

double max_abs_diff(const Tensor& a, const Tensor& b) {
  REQUIRE(a.shape() == b.shape());
  return ops::max(ops::abs(ops::cast(a, DType::float64) - ops::cast(b, DType::float64))).item<double>();
}

// Elements that differ (for int8 values, where a float rounding tie may flip one step).
int64_t count_differing(const Tensor& a, const Tensor& b) {
  REQUIRE(a.shape() == b.shape());
  return ops::sum(ops::cast(ops::not_equal(ops::cast(a, DType::float64), ops::cast(b, DType::float64)), DType::int64))
      .item<int64_t>();
}

std::vector<std::vector<double>> weight_values(const layers::Layer& l) {
  std::vector<std::vector<double>> out;
  for (const auto& w : l.weights()) out.push_back(values(ops::cast(w.value(), DType::float64)));
  return out;
}

}  // namespace

TEST_CASE("quantizers::abs_max_quantize gives Keras's values and scales") {
  const Tensor& x = fx("abs_max_x");
  for (auto [axis, name] : {std::pair<int64_t, const char*>{-1, "last"}, {0, "first"}}) {
    auto q = keras::quantizers::abs_max_quantize(x, {axis});
    CHECK(q.values.dtype() == DType::int8);
    CHECK(count_differing(q.values, fx(std::string("abs_max_") + name + "_values")) == 0);
    CHECK(q.scale.shape() == fx(std::string("abs_max_") + name + "_scale").shape());
    CHECK(max_abs_diff(ops::divide(q.scale, fx(std::string("abs_max_") + name + "_scale")), ops::ones_like(q.scale)) < 1e-6);
  }
  throws_with<std::invalid_argument>([&] { keras::quantizers::abs_max_quantize(ops::cast(x, DType::int32), {0}); },
                                     "expected floating inputs, but received int32");
  throws_with<std::invalid_argument>([&] { keras::quantizers::abs_max_quantize(x, {2}); },
                                     "axis 2 is out of range for inputs of shape (4, 6)");
}

TEST_CASE("Dense.quantize(\"int8\"): Keras's int8 kernel, scales, outputs and input gradients") {
  auto d = layers::Dense(5, {.activation = "relu"});
  d->build(keras::ShapeSpec{-1, 3, 7});
  d->set_weights({fx("dense_kernel"), fx("dense_bias")});
  const Tensor& x = fx("dense_x");
  CHECK(max_abs_diff((*d)(x), fx("dense_float_y")) < 1e-5);
  d->quantize("int8");
  CHECK(d->quantization_mode() == "int8");
  CHECK(d->dtype_policy().name() == "int8_from_float32");
  CHECK(d->compute_dtype() == DType::float32);
  CHECK(d->kernel.dtype() == DType::int8);
  CHECK_FALSE(d->kernel.trainable());
  CHECK(count_differing(d->kernel.value(), fx("dense_q_kernel")) == 0);
  CHECK(max_abs_diff(d->kernel_scale.value(), fx("dense_q_scale")) < 1e-3);
  // Weights in Keras's file order; only the bias trains.
  const auto ws = d->weights();
  REQUIRE(ws.size() == 3);
  CHECK(ws[0].same_as(d->kernel));
  CHECK(ws[2].same_as(d->kernel_scale));
  REQUIRE(d->trainable_weights().size() == 1);
  CHECK(d->trainable_weights()[0].same_as(d->bias));

  keras::core::GradientTape tape;
  tape.watch(x);
  const Tensor y = (*d)(x);
  const Tensor loss = ops::sum(ops::multiply(y, fx("dense_q_w")));
  const Tensor dx = tape.gradient(loss, std::vector<Tensor>{x})[0];
  CHECK(max_abs_diff(y, fx("dense_q_y")) < 1e-5);
  CHECK(max_abs_diff(dx, fx("dense_q_dx")) < 1e-5);
  // The dequantized kernel is within half a quantization step of the float one.
  const Tensor step = ops::divide(ops::ones_like(d->kernel_scale.value()), d->kernel_scale.value());
  CHECK(ops::all(ops::less_equal(ops::abs(ops::subtract(d->effective_kernel(), fx("dense_kernel"))),
                                 ops::multiply(step, ops::scalar_like(step, 0.5001))))
            .item<bool>());
}

TEST_CASE("int8 Dense: the product equals the int32 one, below and above float32's exact depth") {
  for (int64_t depth : {1040, 1041, 3000}) {  // float32 BLAS up to 1040 terms, float64 beyond
    INFO("depth " << depth);
    auto d = layers::Dense(4, {.use_bias = false});
    d->build(keras::ShapeSpec{-1, depth});
    // Kernel and inputs at full scale: every product is +-127 * 127.
    d->set_weights({ops::ones({depth, 4})});
    d->quantize("int8");
    const Tensor x = ops::concat({ops::ones({1, depth}), make(std::vector<double>(size_t(depth), -1.0), {1, depth})}, 0);
    const auto q = keras::quantizers::abs_max_quantize(x, {-1});
    const Tensor want = ops::divide(ops::cast(ops::matmul(ops::cast(q.values, DType::int32),
                                                          ops::cast(d->kernel.value(), DType::int32)),
                                              DType::float32),
                                    ops::multiply(d->kernel_scale.value(), q.scale));
    CHECK(max_abs_diff((*d)(x), want) == 0.0);
    CHECK(ops::cast(ops::matmul(ops::cast(q.values, DType::int32), ops::cast(d->kernel.value(), DType::int32)),
                    DType::float64)
              .to_vector<double>()[0] == double(depth) * 127 * 127);
  }
}

TEST_CASE("Embedding.quantize(\"int8\"): per-row scales and Keras's looked-up rows") {
  auto e = layers::Embedding(6, 4);
  e->build(keras::ShapeSpec{-1, 5});
  e->set_weights({fx("emb_table")});
  e->quantize("int8");
  CHECK(e->embeddings.dtype() == DType::int8);
  CHECK(count_differing(e->embeddings.value(), fx("emb_q_table")) == 0);
  CHECK(max_abs_diff(ops::divide(e->embeddings_scale.value(), fx("emb_q_scale")), ops::ones({6})) < 1e-6);
  CHECK(max_abs_diff((*e)(fx("emb_ids")), fx("emb_q_y")) < 1e-6);
  CHECK(e->trainable_weights().empty());
  // A subclass is not quantized (Keras's type check).
  auto rev = layers::ReversibleEmbedding(6, 4);
  rev->build(keras::ShapeSpec{-1, 5});
  throws_with<keras::core::NotImplementedError>([&] { rev->quantize("int8"); }, "ReversibleEmbedding");
}

TEST_CASE("EinsumDense.quantize(\"int8\"): Keras's kernel scale layout, outputs and input gradients") {
  struct Eq {
    const char* equation;
    keras::ShapeSpec output;
    std::optional<std::string> bias_axes;
  };
  const std::vector<Eq> eqs = {{"ab,bc->ac", {4}, "c"},
                               {"abc,cde->abde", {3, 2, 3}, "de"},
                               {"abcd,cde->abe", {2, 5}, "e"},
                               {"abc,cd->abd", {2, 3}, std::nullopt},
                               {"abc,bcd->ad", {4}, "d"}};
  for (size_t i = 0; i < eqs.size(); ++i) {
    const std::string p = "ein" + std::to_string(i) + "_";
    INFO(eqs[i].equation);
    auto e = layers::EinsumDense(eqs[i].equation, eqs[i].output, {.bias_axes = eqs[i].bias_axes});
    const Tensor& x = fx(p + "x");
    keras::ShapeSpec in_shape(x.shape().dims().begin(), x.shape().dims().end());
    e->build(in_shape);
    std::vector<Tensor> ws{fx(p + "kernel")};
    if (eqs[i].bias_axes) ws.push_back(fx(p + "bias"));
    e->set_weights(ws);
    e->quantize("int8");
    CHECK(count_differing(e->kernel.value(), fx(p + "q_kernel")) == 0);
    REQUIRE(e->kernel_scale.shape() == fx(p + "q_scale").shape());
    CHECK(max_abs_diff(ops::divide(e->kernel_scale.value(), fx(p + "q_scale")), ops::ones_like(e->kernel_scale.value())) <
          1e-6);
    keras::core::GradientTape tape;
    tape.watch(x);
    const Tensor y = (*e)(x);
    const Tensor dx = tape.gradient(ops::sum(ops::multiply(y, fx(p + "q_w"))), std::vector<Tensor>{x})[0];
    CHECK(max_abs_diff(y, fx(p + "q_y")) < 1e-5);
    CHECK(max_abs_diff(dx, fx(p + "q_dx")) < 1e-5);
    // The dequantized kernel is the float one to within half a step.
    CHECK(max_abs_diff(e->effective_kernel(), fx(p + "kernel")) < 0.5 / 127 + 1e-6);
  }
  auto elided = layers::EinsumDense("...b,bc->...c", keras::ShapeSpec{4});
  elided->build(keras::ShapeSpec{-1, 3});
  throws_with<keras::core::NotImplementedError>([&] { elided->quantize("int8"); },
                                                "needs an einsum equation without an ellipsis");
}

TEST_CASE("Model.quantize reaches MultiHeadAttention's projections; such a model refuses to save") {
  auto x = keras::Input({4, 6});
  auto mha = layers::MultiHeadAttention(2, 3, {.name = "mha"});
  auto model = keras::Functional({x}, {(*mha)({x, x})});
  const Tensor in = make(uniform(2 * 4 * 6), {2, 4, 6});
  const Tensor before = model->predict(in);
  model->quantize("int8");
  int quantized = 0;
  for (const auto& l : mha->sublayers()) quantized += l->quantization_mode() == "int8";
  CHECK(quantized == 4);  // query, key, value and output projections
  CHECK(max_abs_diff(model->predict(in), before) < 0.05);
  TempDir dir;
  for (const char* file : {"m.keras", "m.kcpp"})
    throws_with<std::invalid_argument>([&] { model->save(dir.file(file)); },
                                       "inside the MultiHeadAttention layer 'mha' is quantized");
  CHECK_FALSE(std::filesystem::exists(dir.file("m.keras")));
}

TEST_CASE("int8 Dense under mixed_bfloat16: Keras's policy name and outputs") {
  auto d = layers::Dense(5, {.dtype = "mixed_bfloat16"});
  d->build(keras::ShapeSpec{-1, 7});
  d->set_weights({fx("dense_kernel"), fx("dense_bias")});
  d->quantize("int8");
  CHECK(d->dtype_policy().name() == "int8_from_mixed_bfloat16");
  CHECK(d->kernel_scale.dtype() == DType::float32);
  const Tensor y = (*d)(fx("bf16_x"));
  CHECK(y.dtype() == DType::bfloat16);
  // Equal to Keras's on this machine (each half op rounds once from float32, as
  // TensorFlow's CPU kernels do); allowed a bfloat16 step, where another BLAS or ISA could
  // round a product differently.
  const Tensor want = fx("bf16_y");
  CHECK(max_abs_diff(ops::cast(y, DType::float32), want) <= (1 + ops::max(ops::abs(want)).item<double>()) / 128);
}

TEST_CASE("quantize: Keras's checks and errors") {
  auto d = layers::Dense(3);
  throws_with<std::invalid_argument>([&] { d->quantize("int8"); }, "Cannot quantize a layer that isn't yet built");
  d->build(keras::ShapeSpec{-1, 4});
  throws_with<std::invalid_argument>([&] { d->quantize("gptq"); }, "expected the mode 'gptq/<weight_bits>/<group_size>'");
  throws_with<std::invalid_argument>([&] { d->quantize("awq"); }, "expected the mode 'awq/<weight_bits>/<group_size>'");
  throws_with<std::invalid_argument>([&] { d->quantize("int2"); }, "invalid quantization mode 'int2'");
  d->quantize("int8");
  throws_with<std::invalid_argument>([&] { d->quantize("int8"); },
                                     "is already quantized with dtype_policy='int8_from_float32'");
  auto half = layers::Dense(3, {.dtype = "mixed_float16"});
  half->build(keras::ShapeSpec{-1, 4});
  throws_with<std::invalid_argument>([&] { half->quantize("int8"); }, "doesn't work well with compute_dtype='float16'");
  auto conv = layers::Conv2D(2, 3);
  conv->build(keras::ShapeSpec{-1, 5, 5, 1});
  throws_with<keras::core::NotImplementedError>([&] { conv->quantize("int8"); },
                                                "Layer Conv2D ('" + conv->name() + "') does not have a `quantize()`");
  // Policies by name and serialized, as Keras writes them.
  keras::mixed_precision::DTypePolicy p("int8_from_mixed_bfloat16");
  CHECK(p.quantization_mode() == "int8");
  CHECK(p.source_name() == "mixed_bfloat16");
  CHECK(p.compute_dtype() == DType::bfloat16);
  CHECK(p.variable_dtype() == DType::float32);
  const keras::Config c = p.serialize();
  CHECK(c.at("class_name").as_string() == "QuantizedDTypePolicy");
  CHECK(c.at("config").at("mode").as_string() == "int8");
  CHECK(keras::mixed_precision::DTypePolicy::deserialize(c) == p);
  CHECK_THROWS_AS(keras::mixed_precision::DTypePolicy("int8_from_int8_from_float32"), std::invalid_argument);
}

TEST_CASE("Model.quantize: leaf layers that take the mode, filters, retraced steps, training and saving") {
  auto in = keras::Input({4, 4, 1});
  auto c = layers::Conv2D(2, 3, {.name = "conv"})(in);
  auto f = layers::Flatten()(c);
  auto h = layers::Dense(5, {.activation = "relu", .name = "hidden"})(f);
  auto out = layers::Dense(2, {.name = "head"})(h);
  auto model = keras::Functional({in}, {out});
  model->compile({.optimizer = "sgd", .loss = "mse"});
  const Tensor x = make(uniform(6 * 16), {6, 4, 4, 1});
  const Tensor y = make(uniform(12), {6, 2});
  model->fit(x, y, {.batch_size = 3, .epochs = 1, .verbose = 0});
  REQUIRE(model->train_function() != nullptr);
  const Tensor before = model->predict(x, {.verbose = 0});

  // Only "head" (a regular expression filter); then the rest.
  model->quantize("int8", std::vector<std::string>{"^he"});
  CHECK(model->get_layer("head")->quantization_mode() == "int8");
  CHECK(model->get_layer("hidden")->quantization_mode().empty());
  CHECK(model->train_function() == nullptr);  // traced again at the next step
  model->quantize("int8", [](const layers::Layer& l) { return l.name() == "hidden"; });
  CHECK(model->get_layer("hidden")->quantization_mode() == "int8");
  CHECK(model->get_layer("conv")->quantization_mode().empty());  // (warned and skipped)
  throws_with<std::invalid_argument>([&] { model->quantize("int8"); }, "Layer 'hidden' is already quantized");
  const Tensor after = model->predict(x, {.verbose = 0});
  CHECK(max_abs_diff(before, after) < 0.05);  // int8 weights and inputs: close, not equal

  // Training goes on: the conv weights and the biases move, the int8 kernels do not.
  auto head = std::dynamic_pointer_cast<layers::DenseLayer>(model->get_layer("head"));
  const auto k0 = values(ops::cast(head->kernel.value(), DType::float64));
  const auto b0 = values(head->bias.value());
  model->fit(x, y, {.batch_size = 3, .epochs = 2, .verbose = 0});
  CHECK(values(ops::cast(head->kernel.value(), DType::float64)) == k0);
  CHECK(values(head->bias.value()) != b0);
  CHECK(model->train_function()->tracing_count() >= 1);

  // Both file formats keep the quantized layers (policy, int8 weights, scales).
  TempDir dir;
  for (const char* file : {"q.keras", "q.kcpp"}) {
    model->save(dir.file(file));
    keras::ModelPtr loaded = keras::models::load_model(dir.file(file));
    auto lh = std::dynamic_pointer_cast<layers::DenseLayer>(loaded->get_layer("head"));
    CHECK(lh->dtype_policy().name() == "int8_from_float32");
    CHECK(lh->kernel.dtype() == DType::int8);
    CHECK(weight_values(*lh) == weight_values(*head));
    CHECK(max_abs_diff(loaded->predict(x, {.verbose = 0}), model->predict(x, {.verbose = 0})) == 0.0);
  }
}

TEST_CASE("quantize: an unbuilt model raises; a built Sequential quantizes its Dense and Embedding layers") {
  auto seq = keras::Sequential({layers::Embedding(10, 4), layers::Flatten(), layers::Dense(2)});
  throws_with<std::invalid_argument>([&] { seq->quantize("int8"); }, "isn't yet built");
  seq->build(keras::ShapeSpec{-1, 3});
  seq->quantize("int8");
  for (const auto& l : seq->layers())
    if (!l->weights().empty()) CHECK(l->quantization_mode() == "int8");
  CHECK(seq->trainable_weights().size() == 1);  // the Dense bias
  const Tensor ids = make({1, 2, 3, 9, 0, 4}, {2, 3}, DType::int32);
  CHECK(seq->predict(ids, {.verbose = 0}).shape() == Shape{2, 2});
}

TEST_CASE("LoRA on Dense: Keras's outputs and one SGD step that trains only the factors and the bias") {
  auto d = layers::Dense(3);
  d->build(keras::ShapeSpec{-1, 4});
  d->set_weights({fx("lora_kernel"), fx("lora_bias")});
  const Tensor x = fx("lora_x");
  const Tensor plain = (*d)(x);
  d->enable_lora(2, {.lora_alpha = 4});
  CHECK(d->lora_enabled());
  CHECK(d->lora_rank() == 2);
  CHECK(d->lora_alpha() == 4.0);
  CHECK(d->lora_kernel_a.shape() == Shape{4, 2});
  CHECK(d->lora_kernel_b.shape() == Shape{2, 3});
  CHECK(max_abs_diff((*d)(x), plain) == 0.0);  // b starts at zero
  d->lora_kernel_a.assign(fx("lora_a"));
  d->lora_kernel_b.assign(fx("lora_b"));
  CHECK(max_abs_diff((*d)(x), fx("lora_y")) < 1e-5);
  // Keras's trainable weights: bias, lora_kernel_a, lora_kernel_b.
  const auto tw = d->trainable_weights();
  REQUIRE(tw.size() == 3);
  CHECK(tw[0].same_as(d->bias));
  CHECK(tw[1].same_as(d->lora_kernel_a));
  CHECK(tw[2].same_as(d->lora_kernel_b));
  d->set_trainable(false);
  d->set_trainable(true);
  CHECK_FALSE(d->kernel.trainable());  // frozen for good

  auto opt = keras::optimizers::SGD({.learning_rate = 0.1});
  std::vector<Tensor> grads;
  {
    keras::core::GradientTape tape;
    const Tensor loss = ops::mean(ops::square(ops::subtract((*d)(x), fx("lora_target"))));
    grads = tape.gradient(loss, tw);
  }
  opt->apply_gradients(grads, tw);
  CHECK(max_abs_diff(d->lora_kernel_a.value(), fx("lora_step_a")) < 1e-6);
  CHECK(max_abs_diff(d->lora_kernel_b.value(), fx("lora_step_b")) < 1e-6);
  CHECK(max_abs_diff(d->bias.value(), fx("lora_step_bias")) < 1e-6);
  CHECK(max_abs_diff(d->kernel.value(), fx("lora_step_kernel")) == 0.0);
}

TEST_CASE("LoRA over an int8 Dense gives Keras's outputs") {
  auto d = layers::Dense(3);
  d->build(keras::ShapeSpec{-1, 4});
  d->set_weights({fx("lora_kernel"), fx("lora_bias")});
  d->quantize("int8");
  d->enable_lora(2, {.lora_alpha = 4});
  d->lora_kernel_a.assign(fx("lora_a"));
  d->lora_kernel_b.assign(fx("lora_b"));
  CHECK(max_abs_diff((*d)(fx("lora_x")), fx("lora_int8_y")) < 1e-5);
}

TEST_CASE("enable_lora: Keras's checks") {
  auto d = layers::Dense(3);
  throws_with<std::invalid_argument>([&] { d->enable_lora(2); }, "Cannot enable lora on a layer that isn't yet built");
  d->build(keras::ShapeSpec{-1, 4});
  throws_with<std::invalid_argument>([&] { d->enable_lora(0); }, "expected a lora rank >= 1, but received 0");
  d->enable_lora(2);
  throws_with<std::invalid_argument>([&] { d->enable_lora(2); }, "lora is already enabled");
  auto constrained = layers::Dense(3, {.kernel_constraint = "non_neg"});
  constrained->build(keras::ShapeSpec{-1, 4});
  throws_with<std::invalid_argument>([&] { constrained->enable_lora(2); }, "Lora is incompatible with kernel constraints");
  auto e = layers::Embedding(5, 2, {.embeddings_constraint = "unit_norm"});
  e->build(keras::ShapeSpec{-1, 3});
  throws_with<std::invalid_argument>([&] { e->enable_lora(1); }, "Lora is incompatible with embeddings constraints");
  CHECK_THROWS_AS(layers::Dense(3, {.lora_rank = 0}), std::invalid_argument);
}

TEST_CASE("LoRA fine-tuning in fit(): Dense, EinsumDense and Embedding, saved merged as Keras saves it") {
  auto ids = keras::Input({4}, {.dtype = DType::int32});
  auto e = layers::Embedding(8, 6, {.name = "emb"})(ids);
  auto h = layers::EinsumDense("abc,cd->abd", keras::ShapeSpec{4, 5}, {.bias_axes = "d", .name = "ein"})(e);
  auto out = layers::Dense(3, {.name = "head"})(layers::Flatten()(h));
  auto model = keras::Functional({ids}, {out});
  const Tensor x = make({1, 2, 3, 4, 5, 6, 7, 0, 2, 2, 3, 3, 1, 0, 0, 7}, {4, 4}, DType::int32);
  const Tensor y = make(uniform(12), {4, 3});
  auto head = std::dynamic_pointer_cast<layers::DenseLayer>(model->get_layer("head"));
  auto ein = std::dynamic_pointer_cast<layers::EinsumDenseLayer>(model->get_layer("ein"));
  auto emb = std::dynamic_pointer_cast<layers::EmbeddingLayer>(model->get_layer("emb"));
  head->enable_lora(2);
  ein->enable_lora(3, {.lora_alpha = 6});
  emb->enable_lora(2);
  CHECK(ein->lora_kernel_a.shape() == Shape{6, 3});
  CHECK(emb->lora_embeddings_a.shape() == Shape{8, 2});
  CHECK(model->trainable_weights().size() == 8);  // 3 pairs of factors, 2 biases
  const auto frozen = values(ein->kernel.value());
  model->compile({.optimizer = keras::optimizers::Adam({.learning_rate = 0.05}), .loss = "mse"});
  const double first = model->evaluate(x, y, {.verbose = 0}).at("loss");
  model->fit(x, y, {.batch_size = 2, .epochs = 5, .verbose = 0});
  CHECK(model->evaluate(x, y, {.verbose = 0}).at("loss") < first);
  CHECK(values(ein->kernel.value()) == frozen);
  const Tensor pred = model->predict(x, {.verbose = 0});
  CHECK(head->get_config().at("lora_rank").as_int() == 2);
  CHECK(ein->get_config().at("lora_alpha").as_int() == 6);

  TempDir dir;
  // .keras: each kernel with its update merged, no factors; loaded factors are zero.
  model->save(dir.file("lora.keras"));
  keras::ModelPtr loaded = keras::models::load_model(dir.file("lora.keras"));
  auto lh = std::dynamic_pointer_cast<layers::DenseLayer>(loaded->get_layer("head"));
  REQUIRE(lh->lora_enabled());
  CHECK(ops::all(ops::equal(lh->lora_kernel_b.value(), ops::zeros_like(lh->lora_kernel_b.value()))).item<bool>());
  CHECK(max_abs_diff(lh->kernel.value(), head->effective_kernel()) < 1e-6);
  CHECK(max_abs_diff(loaded->predict(x, {.verbose = 0}), pred) < 1e-5);
  // The native file keeps the factors themselves.
  model->save(dir.file("lora.kcpp"));
  keras::ModelPtr native = keras::models::load_model(dir.file("lora.kcpp"));
  CHECK(max_abs_diff(native->predict(x, {.verbose = 0}), pred) == 0.0);
  auto nh = std::dynamic_pointer_cast<layers::DenseLayer>(native->get_layer("head"));
  CHECK(max_abs_diff(nh->lora_kernel_b.value(), head->lora_kernel_b.value()) == 0.0);
}

TEST_CASE("LoRA and int8 in either order keep the weight order a loaded model builds") {
  TempDir dir;
  const Tensor x = make({1, 2, 3, 4, 5, 0, 2, 2, 3, 3, 1, 0}, {3, 4}, DType::int32);
  for (bool lora_first : {true, false}) {
    INFO("lora first: " << lora_first);
    auto ids = keras::Input({4}, {.dtype = DType::int32});
    auto e = layers::Embedding(6, 5, {.name = "emb"})(ids);
    auto h = layers::EinsumDense("abc,cd->abd", keras::ShapeSpec{4, 3}, {.bias_axes = "d", .name = "ein"})(e);
    auto out = layers::Dense(2, {.name = "head"})(layers::Flatten()(h));
    auto model = keras::Functional({ids}, {out});
    auto lora = [&] {
      std::dynamic_pointer_cast<layers::DenseLayer>(model->get_layer("head"))->enable_lora(2);
      std::dynamic_pointer_cast<layers::EinsumDenseLayer>(model->get_layer("ein"))->enable_lora(2);
      std::dynamic_pointer_cast<layers::EmbeddingLayer>(model->get_layer("emb"))->enable_lora(2);
    };
    if (lora_first) lora();
    model->quantize("int8");
    if (!lora_first) lora();
    for (auto& w : model->trainable_weights())  // factors away from zero
      w.assign(make(uniform(w.shape().num_elements(), -0.3, 0.3), w.shape(), w.dtype()));
    const std::string path = dir.file(lora_first ? "a.kcpp" : "b.kcpp");
    model->save(path);
    keras::ModelPtr loaded = keras::models::load_model(path);
    CHECK(max_abs_diff(loaded->predict(x), model->predict(x)) == 0.0);
    for (const char* name : {"emb", "ein", "head"}) {
      const auto a = model->get_layer(name)->weights(), b = loaded->get_layer(name)->weights();
      REQUIRE(a.size() == b.size());
      for (size_t i = 0; i < a.size(); ++i) CHECK(a[i].name() == b[i].name());
    }
  }
}

TEST_CASE("int8 Dense: an empty batch, and a NaN row that leaves the other rows alone") {
  auto d = layers::Dense(3);
  d->build(keras::ShapeSpec{-1, 4});
  d->quantize("int8");
  CHECK((*d)(ops::zeros({0, 4})).shape() == Shape{0, 3});
  const Tensor x = make({1, 2, 3, 4, NAN, 1, 1, 1, 0, 0, 0, 0}, {3, 4});
  const auto y = values((*d)(x));
  for (int j = 0; j < 3; ++j) {
    CHECK(std::isfinite(y[size_t(j)]));
    CHECK(std::isnan(y[size_t(3 + j)]));  // (its abs-max, hence its scale, is NaN)
    CHECK(std::isfinite(y[size_t(6 + j)]));  // an all-zero row: 0 / (127 / 1e-7) scale, then the bias
  }
}

TEST_CASE("Dense and EinsumDense take integer and bool inputs as Keras does (float32 outputs)") {
  for (DType d : {DType::int32, DType::int64, DType::uint8, DType::int8, DType::bool_}) {
    const Tensor x = ops::cast(make({1, 0, 3, 1, 2, 0}, {2, 3}), d);
    auto dense = layers::Dense(2);
    auto ein = layers::EinsumDense("ab,bc->ac", keras::ShapeSpec{2});
    const Tensor yd = (*dense)(x), ye = (*ein)(x);
    CHECK(yd.dtype() == DType::float32);
    CHECK(ye.dtype() == DType::float32);
    CHECK(max_abs_diff(yd, (*dense)(ops::cast(x, DType::float32))) == 0.0);
    CHECK(max_abs_diff(ye, (*ein)(ops::cast(x, DType::float32))) == 0.0);
    dense->quantize("int8");  // the int8 path too
    CHECK(max_abs_diff((*dense)(x), (*dense)(ops::cast(x, DType::float32))) == 0.0);
  }
  auto in = keras::Input({3}, {.dtype = DType::int32});
  auto m = keras::Functional({in}, {layers::Dense(2)(in)});
  CHECK(m->predict(ops::cast(make({1, 2, 3}, {1, 3}), DType::int32)).dtype() == DType::float32);
}
