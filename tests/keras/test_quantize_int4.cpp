// test_quantize_int4.cpp - Keras's quantize("int4") on Dense and Embedding, per channel and
// in blocks with zero points: Keras 3's numbers (tests/data/quantize/int4.npz and
// int4_model.keras, written by tests/data/quantize/make_int4_fixtures.py), int4 packing,
// the policies and configs, LoRA over int4, and both file formats.
#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

#include "error_of.h"
#include "files.h"
#include "helpers.h"
#include "keras/keras.h"
#include "keras/quantizers.h"
#include "npz_fixtures.h"
#include "test_data_dir.h"

using namespace th;
namespace layers = keras::layers;
namespace ops = keras::core::ops;
using keras::DType;

namespace {

const Tensor& fx(const std::string& name) { return th::npz_array("quantize/int4.npz", name); }

double max_abs_diff(const Tensor& a, const Tensor& b) {
  REQUIRE(a.shape() == b.shape());
  return ops::max(ops::abs(ops::cast(a, DType::float64) - ops::cast(b, DType::float64))).item<double>();
}

bool same_ints(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && values(ops::cast(a, DType::float64)) == values(ops::cast(b, DType::float64));
}

// A Dense case of the fixtures, quantized here with the same mode.
std::shared_ptr<layers::DenseLayer> dense_case(const std::string& tag, const std::string& mode) {
  const Tensor& k = fx("d" + tag + "_kernel");
  auto d = layers::Dense(k.shape()[1], {.activation = "relu"});
  d->build(keras::ShapeSpec{-1, k.shape()[0]});
  d->set_weights({k, fx("d" + tag + "_bias")});
  d->quantize(mode);
  return d;
}

}  // namespace

TEST_CASE("int4: pack_int4, unpack_int4 and the grouped quantizer give Keras's values") {
  const Tensor& v = fx("pack_values");
  for (int64_t axis : {0, 1}) {
    const Tensor packed = keras::quantizers::pack_int4(v, axis);
    CHECK(packed.dtype() == DType::int8);
    CHECK(same_ints(packed, fx("pack_axis" + std::to_string(axis))));
    CHECK(same_ints(keras::quantizers::unpack_int4(packed, v.shape()[axis], axis), v));
  }
  CHECK(same_ints(keras::quantizers::unpack_int4(keras::quantizers::pack_int4(v, -1), 7, -1), v));
  const auto g = keras::quantizers::abs_max_quantize_grouped_with_zero_point(fx("grouped_x"), 4);
  CHECK(same_ints(g.values, fx("grouped_values")));
  CHECK(same_ints(g.zero, fx("grouped_zero")));
  CHECK(max_abs_diff(g.scale, fx("grouped_scale")) == 0.0);
  throws_with<std::invalid_argument>([&] { keras::quantizers::pack_int4(fx("grouped_x")); },
                                     "expected an int8 or uint8 tensor for packing, got float32");
  throws_with<std::invalid_argument>([&] { keras::quantizers::unpack_int4(fx("pack_axis0"), 9, 0); },
                                     "orig_len 9 does not fit a packed axis of 3 bytes");
  throws_with<std::invalid_argument>(
      [&] { keras::quantizers::abs_max_quantize_grouped_with_zero_point(fx("grouped_x"), 0); },
      "expected block_size >= 1, but received 0");
}

TEST_CASE("Dense.quantize(\"int4\"): Keras's packed kernels, scales, zero points, outputs and input gradients") {
  for (auto [tag, mode] : {std::pair<std::string, std::string>{"pc", "int4/-1"}, {"b128", "int4"}, {"b4", "int4/4"}}) {
    CAPTURE(tag);
    auto d = dense_case(tag, mode);
    CHECK(d->quantization_mode() == "int4");
    CHECK(d->dtype_policy().name() == (tag == "pc" ? "int4/-1_from_float32" : tag == "b4" ? "int4/4_from_float32"
                                                                                  : "int4/128_from_float32"));
    CHECK(d->kernel.dtype() == DType::int8);
    CHECK_FALSE(d->kernel.trainable());
    CHECK(same_ints(d->kernel.value(), fx("d" + tag + "_q_kernel")));
    CHECK(max_abs_diff(d->kernel_scale.value(), fx("d" + tag + "_q_scale")) == 0.0);
    // Keras's weights, in its file order; only the bias trains.
    std::vector<std::string> names;
    for (const auto& w : d->weights()) names.push_back(w.name().substr(w.name().rfind('/') + 1));  // (after "dense/")
    if (tag == "pc") {
      CHECK_FALSE(d->kernel_zero.defined());
      CHECK(names == std::vector<std::string>{"kernel", "bias", "kernel_scale"});
    } else {
      CHECK(same_ints(d->kernel_zero.value(), fx("d" + tag + "_q_zero")));
      CHECK(max_abs_diff(d->g_idx.value(), fx("d" + tag + "_q_gidx")) == 0.0);
      CHECK(names == std::vector<std::string>{"kernel", "bias", "kernel_scale", "kernel_zero", "g_idx"});
    }
    CHECK(d->trainable_weights().size() == 1);
    // Outputs and the inputs' gradient (through the dequantized kernel).
    const Tensor x = fx("d" + tag + "_x");
    keras::GradientTape tape;
    tape.watch(x);
    const Tensor y = (*d)(x);
    const Tensor dx = tape.gradient(ops::sum(ops::multiply(y, fx("d" + tag + "_w"))), x);
    CHECK(max_abs_diff(y, fx("d" + tag + "_y")) < 2e-5);
    CHECK(max_abs_diff(dx, fx("d" + tag + "_dx")) < 2e-5);
    // The config carries Keras's Int4QuantizationConfig.
    const keras::Config c = d->get_config();
    CHECK(c.at("quantization_config").at("class_name").as_string() == "Int4QuantizationConfig");
    CHECK(c.at("quantization_config").at("config").at("block_size").as_int() ==
          (tag == "pc" ? -1 : tag == "b4" ? 4 : 128));
    CHECK(c.at("dtype").at("class_name").as_string() == "Int4DTypePolicy");
  }
}

TEST_CASE("Embedding.quantize(\"int4\"): Keras's packed tables, scales, zero points and rows") {
  for (auto [tag, mode] : {std::pair<std::string, std::string>{"pc", "int4/-1"}, {"b3", "int4/3"}}) {
    CAPTURE(tag);
    auto e = layers::Embedding(6, 7);
    e->build(keras::ShapeSpec{-1});
    e->set_weights({fx("e" + tag + "_table")});
    e->quantize(mode);
    CHECK(e->embeddings.dtype() == DType::int8);
    CHECK(e->embeddings.shape() == Shape{6, 4});
    CHECK(same_ints(e->embeddings.value(), fx("e" + tag + "_q_table")));
    CHECK(max_abs_diff(e->embeddings_scale.value(), fx("e" + tag + "_q_scale")) == 0.0);
    if (tag == "b3") {
      CHECK(same_ints(e->embeddings_zero.value(), fx("e" + tag + "_q_zero")));
      CHECK(max_abs_diff(e->g_idx.value(), fx("e" + tag + "_q_gidx")) == 0.0);
    }
    CHECK(max_abs_diff((*e)(fx("e" + tag + "_ids")), fx("e" + tag + "_y")) < 1e-6);
    CHECK(max_abs_diff(ops::gather(e->effective_embeddings(), fx("e" + tag + "_ids"), 0), fx("e" + tag + "_y")) < 1e-6);
  }
}

TEST_CASE("int4: policies, modes and Keras's checks") {
  const keras::mixed_precision::DTypePolicy p("int4/128_from_float32");
  CHECK(p.quantization_mode() == "int4");
  CHECK(p.int4_block_size() == 128);
  CHECK(p.compute_dtype() == DType::float32);
  CHECK(keras::mixed_precision::DTypePolicy::quantized("int4", p.source_name()).name() == "int4/128_from_float32");
  CHECK(keras::mixed_precision::DTypePolicy::quantized("int4/-1", "mixed_bfloat16").name() ==
        "int4/-1_from_mixed_bfloat16");
  const keras::Config s = p.serialize();
  CHECK(s.at("class_name").as_string() == "Int4DTypePolicy");
  CHECK(s.at("config").at("mode").as_string() == "int4/128");
  CHECK(keras::mixed_precision::DTypePolicy::deserialize(s) == p);
  // An older QuantizedDTypePolicy "int4" is per channel.
  keras::Config legacy = keras::Config::object();
  legacy["class_name"] = "QuantizedDTypePolicy";
  legacy["config"] = keras::Config::object();
  legacy["config"]["mode"] = "int4";
  legacy["config"]["source_name"] = "float32";
  CHECK(keras::mixed_precision::DTypePolicy::deserialize(legacy).int4_block_size() == -1);
  throws_with<std::invalid_argument>([] { keras::mixed_precision::DTypePolicy("int4/0_from_float32"); },
                                     "block_size must be None, -1, or a positive integer. Received: mode='int4/0'");
  throws_with<std::invalid_argument>([] { keras::mixed_precision::DTypePolicy("int2_from_float32"); },
                                     "invalid quantization mode 'int2'");
  auto d = dense_case("b4", "int4/4");
  throws_with<std::invalid_argument>([&] { d->quantize("int4"); }, "is already quantized");
  // EinsumDense with an ellipsis has no int4 mode (as Keras): model->quantize("int4") warns
  // and skips it, and quantizes the rest.
  auto ed = layers::EinsumDense("...b,bc->...c", keras::ShapeSpec{3});
  ed->build(keras::ShapeSpec{-1, 4});
  throws_with<keras::core::NotImplementedError>([&] { ed->quantize("int4"); },
                                                "EinsumDense int4 quantization needs an einsum equation without an "
                                                "ellipsis");
  auto in = keras::Input({4});
  auto model = keras::Functional({in}, {layers::Dense(2)(layers::EinsumDense("...b,bc->...c", keras::ShapeSpec{3})(in))});
  model->quantize("int4");
  CHECK(model->layers().back()->quantization_mode() == "int4");
  CHECK(model->layers()[1]->quantization_mode().empty());
}

TEST_CASE("EinsumDense.quantize(\"int4\"): Keras's flattened packed kernels, scales, zero points, outputs, gradients") {
  struct Case {
    const char* equation;
    keras::ShapeSpec output;
    std::optional<std::string> bias_axes;
    int64_t block;
  };
  const std::vector<Case> cases = {{"ab,bc->ac", {5}, "c", -1},           {"abc,cd->abd", {-1, 6}, "d", 3},
                                   {"abc,cde->abde", {-1, 2, 3}, "de", 4}, {"abcd,cde->abe", {-1, 4}, std::nullopt, 4},
                                   {"abc,dc->abd", {-1, 5}, "d", -1},      {"abc,dc->abd", {-1, 5}, "d", 2}};
  const auto& arrays = th::npz_arrays("quantize/int4_einsum.npz");
  auto ex = [&](const std::string& name) -> const Tensor& { return arrays.at(name); };
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    const std::string t = "c" + std::to_string(i);
    CAPTURE(c.equation);
    CAPTURE(c.block);
    auto e = layers::EinsumDense(c.equation, c.output, {.activation = "relu", .bias_axes = c.bias_axes});
    const Tensor& x = ex(t + "_x");
    e->build(keras::ShapeSpec(x.shape().dims()));
    e->set_weights(c.bias_axes ? std::vector<Tensor>{ex(t + "_kernel"), ex(t + "_bias")}
                               : std::vector<Tensor>{ex(t + "_kernel")});
    e->quantize("int4/" + std::to_string(c.block));
    CHECK(e->dtype_policy().name() == "int4/" + std::to_string(c.block) + "_from_float32");
    CHECK(same_ints(e->kernel.value(), ex(t + "_q_kernel")));
    CHECK(max_abs_diff(e->kernel_scale.value(), ex(t + "_q_scale")) == 0.0);
    if (c.block != -1) {
      CHECK(same_ints(e->kernel_zero.value(), ex(t + "_q_zero")));
      CHECK(max_abs_diff(e->g_idx.value(), ex(t + "_q_gidx")) == 0.0);
    } else {
      CHECK_FALSE(e->kernel_zero.defined());
    }
    keras::GradientTape tape;
    tape.watch(x);
    const Tensor y = (*e)(x);
    REQUIRE(y.shape() == ex(t + "_y").shape());
    const Tensor dx = tape.gradient(ops::sum(ops::multiply(y, ex(t + "_w"))), x);
    CHECK(max_abs_diff(y, ex(t + "_y")) < 2e-5);
    CHECK(max_abs_diff(dx, ex(t + "_dx")) < 2e-5);
    CHECK(e->trainable_weights().size() == (c.bias_axes ? 1u : 0u));
    // A layer built from the config (an int4 policy) has the same weights, in Keras's file order.
    auto rebuilt = layers::deserialize(layers::serialize(*e));
    rebuilt->build(keras::ShapeSpec(x.shape().dims()));
    rebuilt->set_weights(e->get_weights());
    CHECK(max_abs_diff((*rebuilt)(x), y) == 0.0);
  }
}

TEST_CASE("EinsumDense int4: inputs' gradients and LoRA as Keras's") {
  const auto& arrays = th::npz_arrays("quantize/int4_einsum.npz");
  auto e = layers::EinsumDense("abc,cd->abd", keras::ShapeSpec{-1, 6}, {.activation = "relu", .bias_axes = "d"});
  const Tensor& x = arrays.at("c1_x");
  e->build(keras::ShapeSpec(x.shape().dims()));
  e->set_weights({arrays.at("c1_kernel"), arrays.at("c1_bias")});
  e->quantize("int4/3");
  e->enable_lora(2, {.lora_alpha = 4});
  CHECK(e->lora_kernel_a.shape() == keras::Shape{7, 2});  // the float kernel's shape, not the packed one
  e->lora_kernel_a.assign(arrays.at("lora_a"));
  e->lora_kernel_b.assign(arrays.at("lora_b"));
  CHECK(max_abs_diff((*e)(x), arrays.at("lora_y")) < 2e-5);
  const auto stored = e->stored_weights();
  REQUIRE(stored.size() == 5);
  CHECK(same_ints(stored[0].value, arrays.at("lora_merged_kernel")));
  CHECK(max_abs_diff(stored[2].value, arrays.at("lora_merged_scale")) < 1e-6);
  CHECK(same_ints(stored[3].value, arrays.at("lora_merged_zero")));
}

TEST_CASE("int4: LoRA over an int4 Dense computes Keras's outputs and saves Keras's merged kernel") {
  auto d = layers::Dense(5);
  d->build(keras::ShapeSpec{-1, 10});
  d->set_weights({ops::zeros({10, 5}), ops::zeros({5})});
  d->quantize("int4/4");
  d->kernel.assign(fx("lora_kernel"));
  d->bias.assign(fx("lora_bias"));
  d->kernel_scale.assign(fx("lora_scale"));
  d->kernel_zero.assign(fx("lora_zero"));
  d->enable_lora(2, {.lora_alpha = 4});
  d->lora_kernel_a.assign(fx("lora_a"));
  d->lora_kernel_b.assign(fx("lora_b"));
  CHECK(max_abs_diff((*d)(fx("lora_x")), fx("lora_y")) < 1e-5);
  const auto stored = d->stored_weights();
  REQUIRE(stored.size() == 5);
  CHECK(same_ints(stored[0].value, fx("lora_merged_kernel")));
  CHECK(max_abs_diff(stored[2].value, fx("lora_merged_scale")) < 1e-6);
  CHECK(same_ints(stored[3].value, fx("lora_merged_zero")));
}

TEST_CASE("int4 under mixed_bfloat16: Keras's outputs") {
  keras::mixed_precision::set_global_policy("mixed_bfloat16");
  auto d = layers::Dense(4);
  d->build(keras::ShapeSpec{-1, 10});
  d->set_weights({fx("bf16_kernel"), fx("bf16_bias")});
  d->quantize("int4/4");
  keras::mixed_precision::clear_global_policy();
  CHECK(d->dtype_policy().name() == "int4/4_from_mixed_bfloat16");
  const Tensor y = (*d)(fx("bf16_x"));
  CHECK(y.dtype() == DType::bfloat16);
  CHECK(max_abs_diff(y, fx("bf16_y")) < 1e-2);
}

TEST_CASE("int4: a model Keras quantized loads with its outputs; both formats keep int4 layers; training goes on") {
  const std::string path = std::string(KERAS_TEST_DATA_DIR) + "/quantize/int4_model.keras";
  keras::ModelPtr model = keras::models::load_model(path);
  const Tensor x = fx("model_x");
  CHECK(max_abs_diff(model->predict(x, {.verbose = 0}), fx("model_y")) < 1e-5);
  auto hidden = std::dynamic_pointer_cast<layers::DenseLayer>(model->get_layer("hidden"));
  CHECK(hidden->dtype_policy().name() == "int4/128_from_float32");
  CHECK(hidden->kernel.shape() == Shape{36, 75});
  CHECK(model->get_layer("head")->dtype_policy().int4_block_size() == -1);
  TempDir dir;
  for (const char* file : {"q.keras", "q.kcpp"}) {
    model->save(dir.file(file));
    keras::ModelPtr loaded = keras::models::load_model(dir.file(file));
    CHECK(max_abs_diff(loaded->predict(x, {.verbose = 0}), model->predict(x, {.verbose = 0})) == 0.0);
    CHECK(loaded->get_layer("emb")->dtype_policy().name() == "int4/128_from_float32");
  }
  // Training: the int4 weights stay, the biases move.
  model->compile({.optimizer = "adam", .loss = "mse"});
  const auto k0 = values(ops::cast(hidden->kernel.value(), DType::float64));
  const auto b0 = values(hidden->bias.value());
  model->fit(x, ops::ones({5, 3}), {.batch_size = 5, .epochs = 2, .verbose = 0});
  CHECK(values(ops::cast(hidden->kernel.value(), DType::float64)) == k0);
  CHECK(values(hidden->bias.value()) != b0);
}
