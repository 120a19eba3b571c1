// test_quantize_gptq.cpp - GPTQ (keras::quantizers::gptq_quantize, Keras's
// model.quantize("gptq")) against Keras 3's numbers (tests/data/quantize/gptq.npz and
// gptq_float.keras, written by tests/data/quantize/make_gptq_fixtures.py): the
// quantization parameters, GPTQ's column loop, the running Hessian, the calibration
// windows, a model quantized block by block; the policies, files and errors.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "error_of.h"
#include "files.h"
#include "helpers.h"
#include "keras/keras.h"
#include "keras/quantizers.h"
#include "keras/quantizers_gptq.h"
#include "npz_fixtures.h"
#include "quantize_checks.h"
#include "test_data_dir.h"

using namespace th;
namespace layers = keras::layers;
namespace ops = keras::core::ops;
namespace q = keras::quantizers;
using keras::DType;
using keras::mixed_precision::DTypePolicy;

namespace {

const Tensor& fx(const std::string& name) { return th::npz_array("quantize/gptq.npz", name); }

q::GPTQConfig config_of(int bits, int64_t group, bool sym = false, bool per_channel = true, bool act_order = false) {
  return {.weight_bits = bits, .per_channel = per_channel, .group_size = group, .symmetric = sym,
          .activation_order = act_order};
}

}  // namespace

TEST_CASE("gptq: compute_quantization_parameters equals Keras's (ranges, symmetric, groups, signed)") {
  struct Case {
    int bits;
    bool sym, per_channel;
    int64_t group;
    bool is_signed;
  };
  const Case cases[] = {{4, false, true, -1, false}, {4, true, true, -1, false}, {3, false, true, 4, false},
                        {8, false, false, -1, false}, {4, false, true, 4, true}, {2, true, false, -1, true}};
  for (int i = 0; i < 6; ++i) {
    CAPTURE(i);
    const Case& c = cases[i];
    const q::ZeroPointParams p =
        q::compute_quantization_parameters(fx("qp_w"), c.bits, c.sym, c.per_channel, c.group, 0.0, c.is_signed);
    const std::string t = "qp" + std::to_string(i);
    CHECK(p.maxq == fx(t + "_maxq").item<float>());
    CHECK(p.scale.shape() == fx(t + "_scale").shape());
    CHECK(max_abs_diff(p.scale, fx(t + "_scale")) == 0.0);
    CHECK(p.zero.dtype() == fx(t + "_zero").dtype());  // uint8, int8 when signed
    CHECK(as_doubles(p.zero) == as_doubles(fx(t + "_zero")));  // (all-positive rows wrap as TensorFlow's cast)
  }
  throws_with<std::invalid_argument>([] { (void)q::compute_quantization_parameters(ops::ones({3}), 4); },
                                     "expected a weight of rank 2");
}

TEST_CASE("gptq: gptq_quantize_matrix equals Keras's loop (groups across blocks, act-order, 2/3/4/8 bits)") {
  const q::GPTQConfig configs[] = {config_of(4, -1),          config_of(4, 32),
                                   config_of(4, 48),          config_of(4, 32, false, true, true),
                                   config_of(8, -1, true),    config_of(3, -1, false, false),
                                   config_of(2, 64, false, true, true)};
  // (Keras 3.15's loop recomputes a group straddling a block: those cases run in one block.)
  const int64_t blocksizes[] = {256, 128, 256, 128, 256, 256, 128};
  for (int i = 0; i < 7; ++i) {
    CAPTURE(i);
    const std::string t = "m" + std::to_string(i);
    const Tensor& factor = fx(configs[i].activation_order ? "m_factor_act" : "m_factor");
    const q::GPTQResult r = q::gptq_quantize_matrix(fx("m_wt"), factor, configs[i], blocksizes[i], fx("m_metric"));
    REQUIRE(r.quantized.shape() == fx(t + "_q").shape());
    // The columns after a first block take its error through a matrix product, summed in
    // another order than Keras's: a level may land across a rounding boundary.
    CHECK(agreement(r.quantized, fx(t + "_q")) > 0.995);
    CHECK(agreement(ops::slice(r.quantized, {0, 0}, {12, 128}), ops::slice(fx(t + "_q"), {0, 0}, {12, 128})) ==
          (configs[i].activation_order ? doctest::Approx(1.0).epsilon(0.01) : doctest::Approx(1.0)));
    CHECK(r.scale.shape() == fx(t + "_scale").shape());
    CHECK(max_abs_diff(r.scale, fx(t + "_scale")) < 1e-6);
    CHECK(agreement(r.zero, fx(t + "_zero")) > 0.98);
    CHECK(as_doubles(r.g_idx) == as_doubles(fx(t + "_gidx")));  // feature / group, not rounded
  }
  // Groups that straddle blocks of 128 (48 wide, or one group of all 160 columns): one
  // scale per group, computed once; the levels dequantize close to the weights.
  for (const int64_t group : {int64_t(48), int64_t(-1)}) {
    CAPTURE(group);
    const q::GPTQResult r = q::gptq_quantize_matrix(fx("m_wt"), fx("m_factor"), config_of(4, group), 128);
    CHECK(r.scale.shape() == keras::Shape{12, group == -1 ? 1 : 4});
    const Tensor w = q::dequantize_with_sz_map(ops::cast(r.quantized, DType::float32), r.scale, r.zero, r.g_idx);
    CHECK(max_abs_diff(w, fx("m_wt")) < 0.5);  // (weights in [-1, 1]; GPTQ moves them to fit the Hessian)
  }
  throws_with<std::invalid_argument>(
      [] { (void)q::gptq_quantize_matrix(ops::ones({3, 4}), ops::eye(3), config_of(4, -1)); },
      "expected an inverse Hessian of shape (4, 4)");
}

TEST_CASE("gptq: the running Hessian and a Dense layer's quantization equal Keras's") {
  q::GPTQ g(20, config_of(4, 8));
  for (int k = 0; k < 3; ++k) g.update_hessian_with_batch(fx("h_x" + std::to_string(k)));
  CHECK(g.num_samples() == 17);
  CHECK(max_abs_diff(g.hessian(), fx("h_hessian")) < 1e-5);
  const q::GPTQResult r = g.quantize(fx("h_kernel"));
  // The stored layout: levels (units, in) packed two per byte along the units.
  const Tensor packed = q::pack_int4(ops::cast(r.quantized, DType::uint8), 0);
  CHECK(packed.dtype() == DType::uint8);
  CHECK(packed.shape() == fx("h_stored1").shape());
  CHECK(agreement(packed, fx("h_stored1")) > 0.97);
  CHECK(max_abs_diff(r.scale, fx("h_stored2")) < 1e-6);
  CHECK(as_doubles(r.zero) == as_doubles(fx("h_stored3")));
  CHECK(as_doubles(r.g_idx) == as_doubles(fx("h_stored4")));
  CHECK(as_doubles(q::unpack_int4(packed, 7, 0)) == as_doubles(ops::cast(r.quantized, DType::uint8)));
  throws_with<std::invalid_argument>([&] { g.update_hessian_with_batch(ops::ones({2, 3})); },
                                     "Hessian dimensions (20) do not match input features (3)");
  throws_with<std::invalid_argument>([&] { g.update_hessian_with_batch(ops::ones({20})); }, "must have rank >= 2");
  throws_with<std::invalid_argument>([&] { g.update_hessian_with_batch(ops::ones({0, 20})); }, "cannot be empty");
}

TEST_CASE("gptq: calibration windows (Keras's linspace; strided and random seeded)") {
  q::GPTQConfig c{.dataset = {fx("lin_tokens")}, .num_samples = 5, .sequence_length = 8, .sampling = "linspace"};
  CHECK(as_doubles(q::gptq_calibration_samples(c)) == as_doubles(fx("lin_samples")));
  c.dataset = {ops::slice(fx("lin_tokens"), {0}, {11})};  // repeated up to 6 * 8 tokens
  c.num_samples = 6;
  CHECK(as_doubles(q::gptq_calibration_samples(c)) == as_doubles(fx("lin_short")));
  c.sampling = "strided";
  const Tensor s = q::gptq_calibration_samples(c);
  CHECK(s.shape() == keras::Shape{6, 1, 8});
  CHECK(s.dtype() == DType::int32);
  CHECK(as_doubles(s) == as_doubles(q::gptq_calibration_samples(c)));  // deterministic for a seed
  c.sampling = "random";
  CHECK(as_doubles(q::gptq_calibration_samples(c)) == as_doubles(q::gptq_calibration_samples(c)));
  c.seed = 7;
  CHECK(as_doubles(q::gptq_calibration_samples(c)) != as_doubles(s));
  // Texts go through the tokenizer.
  q::GPTQConfig t{.texts = {"ab", "cde"}, .num_samples = 2, .sequence_length = 2, .sampling = "linspace"};
  t.tokenizer = [](const std::string& s) {
    std::vector<int32_t> v;
    for (char ch : s) v.push_back(ch - 'a');
    return keras::core::constant(v);
  };
  CHECK(values(q::gptq_calibration_samples(t)) == std::vector<double>{0, 1, 3, 4});
  t.tokenizer = nullptr;
  throws_with<std::invalid_argument>([&] { (void)q::gptq_calibration_samples(t); }, "need a tokenizer");
  throws_with<std::invalid_argument>([] { (void)q::gptq_calibration_samples(q::GPTQConfig{}); }, "dataset is empty");
  c.sampling = "spiral";
  throws_with<std::invalid_argument>([&] { (void)q::gptq_calibration_samples(c); },
                                     "unknown sampling strategy 'spiral'");
  q::GPTQConfig f{.dataset = {ops::ones({4})}};
  throws_with<std::invalid_argument>([&] { (void)q::gptq_calibration_samples(f); }, "expected integer tokens");
}

TEST_CASE("gptq: a model quantized block by block follows Keras's (Dense and 3-D EinsumDense kernels)") {
  const std::string path = std::string(KERAS_TEST_DATA_DIR) + "/quantize/gptq_float.keras";
  keras::ModelPtr model = keras::models::load_model(path);
  const Tensor x = fx("e2e_x");
  CHECK(max_abs_diff((*model)(x, false), fx("e2e_y_float")) < 1e-6);
  q::GPTQConfig c{.dataset = {fx("e2e_tokens")}, .weight_bits = 4, .num_samples = 16, .sequence_length = 8,
                  .group_size = 32, .sampling = "linspace"};
  auto b1 = model->get_layer("block1"), b2 = model->get_layer("block2");
  c.quantization_layer_structure = q::QuantizationLayerStructure{{model->get_layer("emb")}, {b1, b2}};
  q::gptq_quantize(*model, c);
  const Tensor y = (*model)(x, false);
  // (The windows are Keras's; the Hessians' sums and inverses round differently from
  // TensorFlow's, so a level may land across a rounding boundary: here none does.)
  CHECK(max_abs_diff(y, fx("e2e_y")) < 1e-4);
  CHECK(max_abs_diff(y, fx("e2e_y_float")) > 1e-3);  // (quantized, so not the float outputs)
  auto seq1 = std::dynamic_pointer_cast<keras::Model>(b1), seq2 = std::dynamic_pointer_cast<keras::Model>(b2);
  for (const auto& [name, layer, has_bias] :
       std::vector<std::tuple<std::string, keras::LayerPtr, bool>>{{"up", seq1->get_layer("up"), true},
                                                                   {"down", seq1->get_layer("down"), true},
                                                                   {"qkv", seq2->get_layer("qkv"), true},
                                                                   {"out", seq2->get_layer("out"), false}}) {
    CAPTURE(name);
    CHECK(layer->dtype_policy().name() == "gptq/4/32_from_float32");
    const auto stored = layer->stored_weights();
    REQUIRE(stored.size() == (has_bias ? 5u : 4u));
    const size_t k0 = has_bias ? 1 : 0;
    if (has_bias) CHECK(max_abs_diff(stored[0].value, fx("e2e_" + name + "0")) == 0.0);
    CHECK(stored[k0].value.dtype() == DType::uint8);
    CHECK(agreement(stored[k0].value, fx("e2e_" + name + std::to_string(k0))) > 0.97);
    CHECK(max_abs_diff(stored[k0 + 1].value, fx("e2e_" + name + std::to_string(k0 + 1))) < 1e-4);  // scale
    CHECK(as_doubles(stored[k0 + 3].value) == as_doubles(fx("e2e_" + name + std::to_string(k0 + 3))));  // g_idx
  }
  CHECK(model->get_layer("head")->dtype_policy().name() == "float32");  // outside the blocks
  CHECK(model->get_layer("emb")->dtype_policy().name() == "float32");

  // Saved and loaded in both formats: the same outputs, the same policies; Keras's
  // config reads (GPTQDTypePolicy, GPTQConfig).
  TempDir dir;
  for (const char* file : {"g.keras", "g.kcpp"}) {
    model->save(dir.file(file));
    keras::ModelPtr back = keras::models::load_model(dir.file(file));
    CHECK(max_abs_diff((*back)(x, false), y) == 0.0);
    auto up = std::dynamic_pointer_cast<keras::Model>(back->get_layer("block1"))->get_layer("up");
    CHECK(up->dtype_policy().name() == "gptq/4/32_from_float32");
    CHECK(up->get_config().at("quantization_config").at("class_name").as_string() == "GPTQConfig");
  }
  const keras::Config cfg = seq2->get_layer("qkv")->get_config();
  CHECK(cfg.at("dtype").at("class_name").as_string() == "GPTQDTypePolicy");
  CHECK(cfg.at("dtype").at("config").at("mode").as_string() == "gptq/4/32");
  CHECK(cfg.at("gptq_unpacked_column_size").as_int() == 16);
  // ONNX: the Dense layers export with their dequantized kernels (see check_onnx.py for
  // onnxruntime); the traced graph exports and runs without the model.
  model->export_graph(dir.file("g.kgraph"), {.input_signature = {{{3, 8}, DType::int32}}});
  CHECK(max_abs_diff(keras::load_function(dir.file("g.kgraph"))({x}).at(0), y) < 1e-6);
  // Gradients reach the inputs of a GPTQ layer through its dequantized kernel; its
  // quantized weights are frozen, the bias trains.
  auto up = std::dynamic_pointer_cast<layers::DenseLayer>(seq1->get_layer("up"));
  CHECK_FALSE(up->kernel.trainable());
  CHECK(up->bias.trainable());
}

TEST_CASE("gptq: policies, checks and errors") {
  const DTypePolicy p = DTypePolicy::quantized("gptq/3/64", "float32");
  CHECK(p.name() == "gptq/3/64_from_float32");
  CHECK(p.quantization_mode() == "gptq");
  CHECK(q::calibrated_policy_params(p).weight_bits == 3);
  CHECK(q::calibrated_policy_params(p).group_size == 64);
  CHECK(DTypePolicy("gptq/8/-1_from_mixed_bfloat16").compute_dtype() == DType::bfloat16);
  CHECK(DTypePolicy::deserialize(p.serialize()) == p);
  CHECK(p.serialize().at("class_name").as_string() == "GPTQDTypePolicy");
  throws_with<std::invalid_argument>([] { (void)DTypePolicy::quantized("gptq/5/64", "float32"); },
                                     "Supported values are 2, 3, 4, and 8, but got 5");
  throws_with<std::invalid_argument>([] { (void)DTypePolicy::quantized("gptq/4/0", "float32"); },
                                     "Invalid group_size in mode");
  throws_with<std::invalid_argument>([] { (void)DTypePolicy::quantized("gptq/4", "float32"); },
                                     "Expected format 'gptq/<weight_bits>/<group_size>'");
  throws_with<std::invalid_argument>([] { (void)DTypePolicy::quantized("gptq", "float32"); }, "but received 'gptq'");
  throws_with<std::invalid_argument>([] { (void)q::calibrated_policy_params(DTypePolicy("int8_from_float32")); },
                                     "expected a gptq or awq policy");

  // Config checks (Keras's messages).
  for (const auto& [cfg, part] : std::vector<std::pair<q::GPTQConfig, std::string>>{
           {{.weight_bits = 5}, "unsupported weight_bits 5"},
           {{.num_samples = 0}, "num_samples must be a positive integer"},
           {{.sequence_length = -1}, "sequence_length must be a positive integer"},
           {{.hessian_damping = 1.5}, "hessian_damping must be between 0 and 1"},
           {{.group_size = 0}, "invalid group_size"}})
    throws_with<std::invalid_argument>([&] { cfg.validate(); }, part);
  CHECK(q::GPTQConfig{}.dtype_policy_string() == "gptq/4/128");
  const q::GPTQConfig back = q::GPTQConfig::from_config(config_of(3, 16, true).get_config());
  CHECK(back.weight_bits == 3);
  CHECK(back.group_size == 16);
  CHECK(back.symmetric);

  // A layer quantized without calibration, LoRA, no structure, an unsupported equation.
  auto d = layers::Dense(4);
  d->build({-1, 6});
  throws_with<std::invalid_argument>([&] { d->quantize("gptq/4/128"); }, "needs calibration data");
  auto model = keras::Sequential({layers::Dense(4, {.name = "d1"})}, {.input_shape = {6}});
  throws_with<std::invalid_argument>([&] { q::gptq_quantize(*model, {.dataset = {ops::ones({10}, DType::int32)}}); },
                                     "a valid quantization structure must be provided");
  q::GPTQConfig c{.dataset = {ops::ones({10}, DType::int32)}, .num_samples = 2, .sequence_length = 3};
  c.quantization_layer_structure = q::QuantizationLayerStructure{};
  throws_with<std::invalid_argument>([&] { q::gptq_quantize(*model, c); }, "No sequential blocks found");
  auto ed = layers::EinsumDense("abc,bd->acd", keras::ShapeSpec{3, 2});
  ed->build({-1, 4, 3});
  auto emodel = keras::Sequential({ed}, {.input_shape = {4, 3}});
  c.quantization_layer_structure = q::QuantizationLayerStructure{{}, {ed}};
  throws_with<keras::core::NotImplementedError>([&] { q::gptq_quantize(*emodel, c); },
                                                "does not contract the input's last axes");
  // A block whose Dense sees float inputs: quantized; LoRA then refuses.
  auto emb = layers::Embedding(5, 6);
  auto dense = layers::Dense(4, {.name = "blockdense"});
  auto ids = keras::Input({3}, {.dtype = DType::int32});
  auto m2 = keras::Functional({ids}, {(*dense)((*emb)(ids))});
  c.quantization_layer_structure = q::QuantizationLayerStructure{{emb}, {dense}};
  c.dataset = {keras::core::constant(std::vector<int32_t>{0, 1, 2, 3, 4, 0, 2, 4})};
  c.group_size = -1;
  q::gptq_quantize(*m2, c);
  CHECK(dense->dtype_policy().name() == "gptq/4/-1_from_float32");
  CHECK(dense->kernel.shape() == keras::Shape{2, 6});  // 4 units packed two per byte, 6 inputs
  throws_with<keras::core::NotImplementedError>([&] { dense->enable_lora(2); }, "not currently supported with GPTQ");
  throws_with<std::invalid_argument>([&] { q::gptq_quantize(*m2, c); }, "already quantized");
  // A block's layer outside the model raises by name and leaves nothing pending.
  auto stray = layers::Dense(3, {.name = "stray"});
  auto emb2 = layers::Embedding(5, 6);
  auto m3 = keras::Functional({ids}, {(*layers::Dense(2))((*emb2)(ids))});
  (void)(*stray)(ops::ones({1, 6}));
  c.quantization_layer_structure = q::QuantizationLayerStructure{{emb2}, {stray}};
  throws_with<std::invalid_argument>([&] { q::gptq_quantize(*m3, c); }, "layer 'stray' of block 'stray' is not a layer");
  throws_with<std::invalid_argument>([&] { stray->quantize("gptq/4/-1"); }, "needs calibration data");
}

TEST_CASE("gptq: 2, 3 and 8 bits store one level per byte; mixed_bfloat16 computes in bfloat16; files keep them") {
  for (const auto& [bits, policy] : std::vector<std::pair<int, std::string>>{
           {8, "float32"}, {3, "float32"}, {2, "float32"}, {4, "mixed_bfloat16"}}) {
    CAPTURE(bits);
    CAPTURE(policy);
    auto emb = layers::Embedding(9, 6, {.dtype = DTypePolicy(policy)});
    auto dense = layers::Dense(5, {.dtype = DTypePolicy(policy)});
    auto ids = keras::Input({4}, {.dtype = DType::int32});
    auto model = keras::Functional({ids}, {(*dense)((*emb)(ids))});
    const Tensor x = ops::reshape(keras::core::constant(std::vector<int32_t>{0, 3, 8, 1, 2, 2, 7, 5}), {2, 4});
    const Tensor before = ops::cast((*model)(x, false), DType::float32);
    q::GPTQConfig c{.dataset = {keras::core::constant(std::vector<int32_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 4, 2})},
                    .weight_bits = bits, .num_samples = 3, .sequence_length = 4, .group_size = 4};
    c.quantization_layer_structure = q::QuantizationLayerStructure{{emb}, {dense}};
    q::gptq_quantize(*model, c);
    CHECK(dense->dtype_policy().name() == "gptq/" + std::to_string(bits) + "/4_from_" + policy);
    CHECK(dense->kernel.shape() == (bits == 4 ? keras::Shape{3, 6} : keras::Shape{5, 6}));
    CHECK(dense->kernel_scale.shape() == keras::Shape{5, 2});  // 6 inputs in groups of 4
    const Tensor y = (*model)(x, false);
    CHECK(y.dtype() == (policy == "float32" ? DType::float32 : DType::bfloat16));
    // Quantized, and the closer the more bits (8 bits: within 1% of the outputs' range).
    const double err = max_abs_diff(ops::cast(y, DType::float32), before);
    CHECK(err > 0);
    const double scale = ops::max(ops::abs(before)).item<float>();
    CHECK(err < scale * (bits == 2 ? 0.5 : bits == 3 ? 0.2 : bits == 4 ? 0.1 : 0.01));
    TempDir dir;
    model->save(dir.file("m.keras"));
    CHECK(max_abs_diff(keras::models::load_model(dir.file("m.keras"))->predict(x, {.verbose = 0}),
                       model->predict(x, {.verbose = 0})) == 0.0);
  }
}

TEST_CASE("gptq: Keras 3.15's own GPTQ file (no kernel_zero stored) is refused by name") {
  // (Its Embedding and head also carry a GPTQConfig without a gptq policy: inert.)
  throws_with<std::invalid_argument>(
      [] { (void)keras::models::load_model(std::string(KERAS_TEST_DATA_DIR) + "/quantize/gptq_keras315.keras"); },
      "the Dense layer 'up' has 5 weights, but the file's group 'layers/sequential/layers/dense' holds 4 (Keras 3.15 "
      "saves a GPTQ or AWQ layer without its zero points");
}
