// test_quantize_awq.cpp - AWQ (keras::quantizers::awq_quantize, Keras's
// model.quantize("awq")) and fake_quant_with_min_max_vars against Keras 3's numbers
// (tests/data/quantize/awq.npz, written by tests/data/quantize/make_awq_fixtures.py): the
// scale search, the quantized matrix, the activation statistics, a model quantized block
// by block; policies, files and errors.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <tuple>
#include <vector>

#include "error_of.h"
#include "files.h"
#include "helpers.h"
#include "keras/keras.h"
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

const Tensor& fx(const std::string& name) { return th::npz_array("quantize/awq.npz", name); }

}  // namespace

TEST_CASE("awq: the scale search and the quantized matrix equal Keras's (per row, groups, grid sizes)") {
  const std::pair<int64_t, int64_t> cases[] = {{20, -1}, {20, 16}, {7, 8}};
  for (int i = 0; i < 3; ++i) {
    CAPTURE(i);
    const auto [points, group] = cases[i];
    const std::string t = "s" + std::to_string(i);
    const Tensor s = q::awq_search_optimal_scales(fx("s_w"), fx("s_mags"), points, group);
    CHECK(max_abs_diff(s, fx(t + "_scales")) < 1e-5);
    const q::AWQResult r = q::awq_quantize_matrix(fx("s_w"), fx("s_mags"), points, group);
    CHECK(agreement(r.quantized, fx(t + "_q")) > 0.995);
    CHECK(max_abs_diff(r.scale, fx(t + "_scale")) < 1e-5);
    CHECK(agreement(r.zero, fx(t + "_zero")) > 0.98);
    CHECK(max_abs_diff(r.awq_scales, fx(t + "_awq")) < 1e-5);
    CHECK(as_doubles(r.g_idx) == as_doubles(fx(t + "_gidx")));  // whole group numbers
  }
  throws_with<std::invalid_argument>([] { (void)q::awq_search_optimal_scales(ops::ones({3, 4}), ops::ones({5})); },
                                     "expected activation magnitudes of shape (4)");
}

TEST_CASE("awq: activation statistics equal Keras's") {
  q::AWQ a(6, {.group_size = -1});
  for (int k = 0; k < 3; ++k) a.update_activation_magnitudes(fx("a_x" + std::to_string(k)));
  CHECK(a.num_samples() == 13);
  CHECK(max_abs_diff(a.activation_magnitudes(), fx("a_mags")) == 0.0);
  throws_with<std::invalid_argument>([&] { a.update_activation_magnitudes(ops::ones({2, 3})); },
                                     "expected inputs with 6 features on the last axis");
  throws_with<std::invalid_argument>([&] { a.update_activation_magnitudes(ops::ones({0, 6})); }, "cannot be empty");
}

TEST_CASE("awq: a model quantized block by block follows Keras's; files; Keras's policy") {
  keras::ModelPtr model = keras::models::load_model(std::string(KERAS_TEST_DATA_DIR) + "/quantize/gptq_float.keras");
  q::AWQConfig c{.dataset = {fx("e2e_tokens")}, .num_samples = 16, .sequence_length = 8, .group_size = 8,
                 .sampling = "linspace"};
  auto b1 = std::dynamic_pointer_cast<keras::Model>(model->get_layer("block1"));
  auto b2 = std::dynamic_pointer_cast<keras::Model>(model->get_layer("block2"));
  c.quantization_layer_structure = q::QuantizationLayerStructure{
      {model->get_layer("emb")}, {model->get_layer("block1"), model->get_layer("block2")}};
  q::awq_quantize(*model, c);
  const Tensor x = fx("e2e_x");
  const Tensor y = (*model)(x, false);
  CHECK(max_abs_diff(y, fx("e2e_y")) < 1e-4);
  for (const auto& [name, layer, has_bias] :
       std::vector<std::tuple<std::string, keras::LayerPtr, bool>>{{"up", b1->get_layer("up"), true},
                                                                   {"down", b1->get_layer("down"), true},
                                                                   {"qkv", b2->get_layer("qkv"), true},
                                                                   {"out", b2->get_layer("out"), false}}) {
    CAPTURE(name);
    CHECK(layer->dtype_policy().name() == "awq/4/8_from_float32");
    const auto stored = layer->stored_weights();
    REQUIRE(stored.size() == (has_bias ? 6u : 5u));  // bias, kernel, scale, zero, awq_scales, g_idx
    const size_t k0 = has_bias ? 1 : 0;
    auto want = [&](size_t k) { return fx("e2e_" + name + std::to_string(k)); };
    CHECK(agreement(stored[k0].value, want(k0)) > 0.97);
    CHECK(max_abs_diff(stored[k0 + 1].value, want(k0 + 1)) < 1e-4);
    CHECK(max_abs_diff(stored[k0 + 3].value, want(k0 + 3)) < 1e-4);  // awq_scales
    CHECK(as_doubles(stored[k0 + 4].value) == as_doubles(want(k0 + 4)));
  }
  CHECK(model->get_layer("head")->dtype_policy().name() == "float32");
  TempDir dir;
  for (const char* file : {"a.keras", "a.kcpp"}) {
    model->save(dir.file(file));
    keras::ModelPtr back = keras::models::load_model(dir.file(file));
    CHECK(max_abs_diff((*back)(x, false), y) == 0.0);
  }
  const keras::Config cfg = b2->get_layer("qkv")->get_config();
  CHECK(cfg.at("dtype").at("class_name").as_string() == "AWQDTypePolicy");
  CHECK(cfg.at("quantization_config").at("class_name").as_string() == "AWQConfig");
  CHECK_FALSE(cfg.contains("awq_unpacked_column_size"));  // (Keras's EinsumDense takes no such argument)
  auto up = std::dynamic_pointer_cast<layers::DenseLayer>(b1->get_layer("up"));
  CHECK(up->awq_scales.shape() == keras::Shape{16});
  throws_with<keras::core::NotImplementedError>([&] { up->enable_lora(2); }, "not currently supported with AWQ");
}

TEST_CASE("awq: policies and checks") {
  const DTypePolicy p = DTypePolicy::quantized("awq/4/64", "float32");
  CHECK(p.name() == "awq/4/64_from_float32");
  CHECK(p.quantization_mode() == "awq");
  CHECK(q::calibrated_policy_params(p).group_size == 64);
  CHECK(DTypePolicy::deserialize(p.serialize()) == p);
  CHECK(p.serialize().at("class_name").as_string() == "AWQDTypePolicy");
  throws_with<std::invalid_argument>([] { (void)DTypePolicy::quantized("awq/8/64", "float32"); },
                                     "AWQ only supports 4-bit quantization, but got 8");
  throws_with<std::invalid_argument>([] { (void)DTypePolicy::quantized("awq", "float32"); }, "but received 'awq'");
  for (const auto& [cfg, part] : std::vector<std::pair<q::AWQConfig, std::string>>{
           {{.weight_bits = 3}, "AWQ only supports 4-bit quantization. Received weight_bits=3"},
           {{.num_samples = 0}, "num_samples must be a positive integer"},
           {{.group_size = -2}, "invalid group_size"},
           {{.num_grid_points = 0}, "num_grid_points must be a positive integer"}})
    throws_with<std::invalid_argument>([&] { cfg.validate(); }, part);
  CHECK(q::AWQConfig{}.dtype_policy_string() == "awq/4/128");
  CHECK(q::AWQConfig::from_config(q::AWQConfig{.num_grid_points = 9}.get_config()).num_grid_points == 9);
  auto d = layers::Dense(4);
  d->build({-1, 6});
  throws_with<std::invalid_argument>([&] { d->quantize("awq/4/128"); }, "AWQ quantization needs calibration data");
  auto model = keras::Sequential({layers::Dense(4)}, {.input_shape = {6}});
  throws_with<std::invalid_argument>([&] { q::awq_quantize(*model, {.dataset = {ops::ones({10}, DType::int32)}}); },
                                     "For mode='awq', a valid quantization structure must be provided");
}

TEST_CASE("fake_quant_with_min_max_vars equals Keras's (TensorFlow's op): outputs and gradients") {
  struct Case {
    int bits;
    bool narrow;
    std::optional<int64_t> axis;
  };
  const Case cases[] = {{8, false, {}}, {4, true, {}}, {8, false, {}}, {8, false, 1}, {4, true, -1}, {8, false, {}}};
  for (int i = 0; i < 6; ++i) {
    CAPTURE(i);
    const std::string t = "fq" + std::to_string(i);
    keras::Variable x(fx("fq_x")), mn(fx(t + "_min")), mx(fx(t + "_max"));
    keras::core::GradientTape tape;
    const Tensor y = q::fake_quant_with_min_max_vars(x.value(), mn.value(), mx.value(), cases[i].bits,
                                                     cases[i].narrow, cases[i].axis);
    const Tensor loss = ops::sum(y * fx("fq_w"));
    const std::vector<Tensor> g = tape.gradient(loss, std::vector<keras::Variable>{x, mn, mx});
    CHECK(max_abs_diff(y, fx(t + "_y")) < 1e-6);
    CHECK(max_abs_diff(g[0], fx(t + "_dx")) < 1e-6);
    CHECK(max_abs_diff(g[1], fx(t + "_dmin")) < 1e-5);
    CHECK(max_abs_diff(g[2], fx(t + "_dmax")) < 1e-5);
  }
  throws_with<std::invalid_argument>(
      [] { (void)q::fake_quant_with_min_max_vars(ops::ones({2}), ops::ones({}), ops::ones({}), 1); },
      "num_bits must be in [2, 16]");
  throws_with<std::invalid_argument>(
      [] { (void)q::fake_quant_with_min_max_vars(ops::ones({2, 3}), ops::ones({2}), ops::ones({2}), 8, false, 1); },
      "expected 3 values (one per index of axis 1)");
  throws_with<std::invalid_argument>(
      [] {
        (void)q::fake_quant_with_min_max_vars(ops::ones({2}), keras::core::constant(1.0f), keras::core::constant(0.0f));
      },
      "min_vals must be <= max_vals");
}
