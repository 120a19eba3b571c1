// test_quantize_float8.cpp - Keras's float8 training (quantize("float8") on Dense and
// EinsumDense): the float8 rounding and quantizers, training steps with their scales and
// amax histories against Keras 3's numbers (tests/data/quantize/float8.npz and
// float8_model.keras, written by tests/data/quantize/make_float8_fixtures.py), traced and
// eager, the policies and checks, overwrite_with_gradient in optimizers, and files.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/variable_options.h"
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
namespace q = keras::quantizers;
using keras::DType;
using keras::mixed_precision::DTypePolicy;

namespace {

const Tensor& fx(const std::string& name) { return th::npz_array("quantize/float8.npz", name); }

// Equal element for element, NaN where the other is NaN (signed zeros equal).
bool same_values(const Tensor& a, const Tensor& b) {
  if (a.shape() != b.shape()) return false;
  const std::vector<double> x = values(ops::cast(a, DType::float64)), y = values(ops::cast(b, DType::float64));
  for (size_t i = 0; i < x.size(); ++i)
    if (!(x[i] == y[i] || (std::isnan(x[i]) && std::isnan(y[i])))) return false;
  return true;
}

double max_rel_diff(const Tensor& a, const Tensor& b) {
  REQUIRE(a.shape() == b.shape());
  const Tensor x = ops::cast(a, DType::float64), y = ops::cast(b, DType::float64);
  return ops::max(ops::divide(ops::abs(x - y), ops::maximum(ops::abs(y), ops::full_like(y, 1e-3)))).item<double>();
}

// The cpp weight i is Keras's weight kKerasIndex[i] (Keras builds a float8 layer's scales
// and histories before its kernel and bias; keras-cpp keeps the files' order).
constexpr int kKerasIndex[] = {6, 7, 0, 1, 2, 3, 4, 5};

// Trains the fixture's case `tag` step by step and compares every weight with Keras's.
void check_training(const std::string& tag, const keras::LayerPtr& layer, const keras::ShapeSpec& input,
                    keras::OptimizerArg optimizer, bool eager) {
  auto model = keras::Sequential({layer}, {.input_shape = keras::ShapeSpec(input.begin() + 1, input.end())});
  std::vector<Tensor> w0;
  for (int i = 0; i < 8; ++i) w0.push_back(fx(tag + "_w0_" + std::to_string(kKerasIndex[i])));
  model->set_weights(w0);
  model->compile({.optimizer = optimizer, .loss = "mse", .run_eagerly = eager});
  for (int s = 0; s < 4; ++s) {
    CAPTURE(s);
    const std::string st = std::to_string(s);
    const keras::Logs logs = model->train_on_batch({fx(tag + "_x" + st)}, {fx(tag + "_y" + st)});
    CHECK(std::abs(logs.at("loss") - fx(tag + "_loss" + st).item<double>()) <= 1e-5 * (1 + std::abs(logs.at("loss"))));
    const std::vector<Tensor> got = model->get_weights();
    for (int i = 0; i < 8; ++i) {
      CAPTURE(model->weights()[size_t(i)].name());
      CHECK(max_rel_diff(got[size_t(i)], fx(tag + "_w" + std::to_string(s + 1) + "_" + std::to_string(kKerasIndex[i]))) <
            2e-5);
    }
  }
  CHECK(max_rel_diff(model->predict(fx(tag + "_xp"), {.verbose = 0}), fx(tag + "_yp")) < 2e-5);
  CHECK(model->traced_steps() == !eager);
}

}  // namespace

TEST_CASE("float8: round_to_float8 and the quantizers give ml_dtypes' casts and Keras's values") {
  const Tensor& x = fx("cast_x");
  for (const char* fmt : {"float8_e4m3fn", "float8_e5m2"}) {
    CAPTURE(fmt);
    const Tensor want = fx(std::string("cast_") + (fmt[7] == 'e' && fmt[8] == '4' ? "e4m3fn" : "e5m2"));
    CHECK(same_values(q::round_to_float8(x, fmt), want));
    CHECK(same_values(q::round_to_float8(ops::cast(x, DType::float64), fmt), want));
    CHECK(same_values(q::quantize_and_dequantize(fx("qdq_x"), keras::core::constant(0.37f), fmt, DType::float32),
                      fx(std::string("qdq_") + fmt)));
  }
  CHECK(q::float8_max("float8_e4m3fn") == 448.0);
  CHECK(q::float8_max("float8_e5m2") == 57344.0);
  // bfloat16 values round as their float32 values do.
  const Tensor b = ops::cast(fx("qdq_x"), DType::bfloat16);
  CHECK(same_values(q::round_to_float8(b, "float8_e4m3fn"),
                    ops::cast(q::round_to_float8(ops::cast(b, DType::float32), "float8_e4m3fn"), DType::bfloat16)));
  const Tensor amax = fx("scale_amax");
  for (int margin : {0, 2}) {
    const Tensor got = q::compute_float8_scale(amax, keras::core::constant(0.25f), keras::core::constant(448.0f), margin);
    CHECK(same_values(got, fx("scale_m" + std::to_string(margin))));
  }
  CHECK(same_values(q::compute_float8_amax_history(fx("hist_x"), fx("hist_in")), fx("hist_out")));
  throws_with<std::invalid_argument>([&] { q::round_to_float8(x, "float8_e3m4"); },
                                     "expected quantized_dtype 'float8_e4m3fn' or 'float8_e5m2', but received 'float8_e3m4'");
  throws_with<std::invalid_argument>([&] { q::round_to_float8(ops::ones({2}, DType::int32), "float8_e5m2"); },
                                     "expected floating x, but received int32");
  throws_with<std::invalid_argument>([&] { q::compute_float8_amax_history(x, ops::ones({2, 2})); },
                                     "expected a 1-D amax_history");
}

TEST_CASE("float8: Dense trains as Keras does, scales and amax histories included, traced and eager") {
  for (bool eager : {false, true}) {
    CAPTURE(eager);
    check_training("dense", layers::Dense(3, {.activation = "relu", .dtype = DTypePolicy::float8("float32", 4)}),
                   {-1, 4}, keras::optimizers::SGD({.learning_rate = 0.1}), eager);
  }
}

TEST_CASE("float8: EinsumDense trains as Keras does under Adam") {
  for (bool eager : {false, true}) {
    CAPTURE(eager);
    check_training("einsum",
                   layers::EinsumDense("abc,cd->abd", keras::ShapeSpec{-1, 3},
                                       {.bias_axes = "d", .dtype = DTypePolicy::float8("float32", 4)}),
                   {-1, 5, 4}, keras::optimizers::Adam({.learning_rate = 0.01}), eager);
  }
}

TEST_CASE("float8 under mixed_bfloat16: Keras's outputs") {
  auto d = layers::Dense(4, {.dtype = DTypePolicy::float8("mixed_bfloat16")});
  d->build(keras::ShapeSpec{-1, 6});
  d->kernel.assign(fx("bf16_kernel"));
  d->bias.assign(fx("bf16_bias"));
  const Tensor y = (*d)(fx("bf16_x"));
  CHECK(y.dtype() == DType::bfloat16);
  CHECK(max_rel_diff(y, fx("bf16_y")) < 1e-2);  // (one bfloat16 step)
}

TEST_CASE("float8: policies, weights and Keras's checks") {
  const DTypePolicy p("float8_from_float32");
  CHECK(p.quantization_mode() == "float8");
  CHECK(p.amax_history_length() == 1024);
  CHECK(p.compute_dtype() == DType::float32);
  const DTypePolicy p16 = DTypePolicy::float8("mixed_bfloat16", 16);
  CHECK(p16.name() == "float8_from_mixed_bfloat16");
  CHECK(p16.serialize().to_json() ==
        "{\"module\": \"keras.dtype_policies\", \"class_name\": \"QuantizedFloat8DTypePolicy\", \"config\": "
        "{\"mode\": \"float8\", \"source_name\": \"mixed_bfloat16\", \"amax_history_length\": 16}, "
        "\"registered_name\": null}");
  CHECK(DTypePolicy::deserialize(p16.serialize()) == p16);
  CHECK_FALSE(DTypePolicy::deserialize(p16.serialize()) == DTypePolicy::float8("mixed_bfloat16", 8));
  throws_with<std::invalid_argument>([] { DTypePolicy::float8("float32", 0); },
                                     "expected amax_history_length >= 1, but received 0");
  throws_with<std::invalid_argument>([] { DTypePolicy::float8("int32"); }, "needs a floating source policy");

  auto d = layers::Dense(3);
  d->build(keras::ShapeSpec{-1, 2});
  d->quantize("float8");
  CHECK(d->dtype_policy().name() == "float8_from_float32");
  CHECK(d->kernel.dtype() == DType::float32);
  CHECK(d->kernel.trainable());
  std::vector<std::string> names;
  for (const auto& w : d->weights()) names.push_back(w.name().substr(w.name().rfind('/') + 1));
  CHECK(names == std::vector<std::string>{"kernel", "bias", "inputs_scale", "inputs_amax_history", "kernel_scale",
                                          "kernel_amax_history", "outputs_grad_scale", "outputs_grad_amax_history"});
  CHECK(d->inputs_amax_history.shape() == keras::Shape{1024});
  CHECK(d->kernel_scale.shape() == keras::Shape{});
  CHECK(d->outputs_grad_scale.trainable());
  CHECK(keras::core::variable_options::overwrite_with_gradient(d->inputs_scale));
  CHECK_FALSE(keras::core::variable_options::overwrite_with_gradient(d->kernel));
  CHECK(d->get_config().at("quantization_config").at("class_name").as_string() == "Float8QuantizationConfig");
  throws_with<std::invalid_argument>([&] { d->quantize("float8"); },
                                     "is already quantized with dtype_policy='float8_from_float32'");
  // float16 is allowed for float8 (not for int8), as in Keras.
  auto h = layers::Dense(2, {.dtype = "float16"});
  h->build(keras::ShapeSpec{-1, 2});
  h->quantize("float8");
  CHECK(h->dtype_policy().name() == "float8_from_float16");
  // Embedding has no float8 mode: Model::quantize warns and skips it.
  auto e = layers::Embedding(5, 2);
  e->build(keras::ShapeSpec{-1});
  throws_with<keras::core::NotImplementedError>([&] { e->quantize("float8"); }, "quantization_mode=float8");
  // LoRA does not run under float8 (Keras's _float8_call raises).
  auto l = layers::Dense(3);
  l->build(keras::ShapeSpec{-1, 2});
  l->enable_lora(1);
  l->quantize("float8");
  throws_with<keras::core::NotImplementedError>([&] { (*l)(ops::ones({1, 2})); }, "doesn't support LoRA");
}

TEST_CASE("float8: inference leaves the scales alone; Model::quantize skips what has no float8 mode") {
  auto ids = keras::Input({2}, {.dtype = DType::int32});
  auto y = layers::Dense(2, {.name = "head"})(layers::Flatten()(layers::Embedding(6, 3, {.name = "emb"})(ids)));
  auto model = keras::Functional({ids}, {y});
  model->quantize("float8");
  CHECK(model->get_layer("emb")->dtype_policy().quantization_mode().empty());
  auto head = std::dynamic_pointer_cast<layers::DenseLayer>(model->get_layer("head"));
  CHECK(head->dtype_policy().quantization_mode() == "float8");
  const Tensor x = ops::cast(th::make({0, 1, 5, 3}, keras::Shape{2, 2}), DType::int32);
  model->predict(x, {.verbose = 0});
  CHECK(head->inputs_scale.value().item<float>() == 1.0f);
  CHECK(ops::max(head->inputs_amax_history.value()).item<float>() == 0.0f);
  // A training step records the inputs' absolute maximum.
  model->compile({.optimizer = "sgd", .loss = "mse"});
  model->train_on_batch({x}, {ops::ones({2, 2})});
  CHECK(ops::max(head->inputs_amax_history.value()).item<float>() > 0.0f);
}

TEST_CASE("overwrite_with_gradient: optimizers assign the gradient, accumulate by maximum, and never unscale it") {
  keras::Variable v(keras::core::constant(std::vector<float>{1, 2}), "v");
  keras::core::variable_options::set_overwrite_with_gradient(v, true);
  keras::Variable w(keras::core::constant(std::vector<float>{1, 2}), "w");
  auto sgd = keras::optimizers::SGD({.learning_rate = 0.5, .clipvalue = 0.1});
  sgd->apply_gradients({keras::core::constant(std::vector<float>{7, -3}), keras::core::constant(std::vector<float>{1, 1})},
                       {v, w});
  CHECK(values(v.value()) == std::vector<double>{7, -3});                       // assigned, not clipped
  CHECK(values(w.value()) == values(keras::core::constant(std::vector<float>{0.95f, 1.95f})));  // the usual update
  CHECK(sgd->iterations() == 1);
  // Gradient accumulation keeps the maximum and assigns it at each update step.
  auto acc = keras::optimizers::SGD({.learning_rate = 0.5, .gradient_accumulation_steps = 2});
  acc->apply_gradients({keras::core::constant(std::vector<float>{3, 1})}, {v});
  CHECK(values(v.value()) == std::vector<double>{7, -3});
  acc->apply_gradients({keras::core::constant(std::vector<float>{2, 5})}, {v});
  CHECK(values(v.value()) == std::vector<double>{3, 5});
  // A loss-scale optimizer unscales the other gradients only.
  auto lso = keras::optimizers::make_loss_scale_optimizer(keras::optimizers::SGD({.learning_rate = 1.0}), 4.0);
  lso->apply_gradients({keras::core::constant(std::vector<float>{9, 8}), keras::core::constant(std::vector<float>{4, 4})},
                       {v, w});
  CHECK(values(v.value()) == std::vector<double>{9, 8});
  CHECK(values(w.value()) == values(keras::core::constant(std::vector<float>{0.95f - 1, 1.95f - 1})));
  // A custom layer takes the option through add_weight.
  struct Holder : layers::Layer {
    Holder() : Layer("Holder") {}
    void build(const keras::ShapeSpec&) override {
      s = add_weight("s", {}, {.initializer = keras::initializers::get("ones"), .overwrite_with_gradient = true});
    }
    Tensor call(const Tensor& x, bool) override { return x; }
    keras::Variable s;
  };
  Holder h;
  h.build(keras::ShapeSpec{-1, 1});
  CHECK(keras::core::variable_options::overwrite_with_gradient(h.s));
}

TEST_CASE("float8: a model Keras trained in float8 loads with its outputs; both formats keep it; training goes on") {
  const std::string path = std::string(KERAS_TEST_DATA_DIR) + "/quantize/float8_model.keras";
  keras::ModelPtr model = keras::models::load_model(path);
  const Tensor x = fx("model_x");
  CHECK(max_rel_diff(model->predict(x, {.verbose = 0}), fx("model_y")) < 1e-5);
  auto hidden = std::dynamic_pointer_cast<layers::DenseLayer>(model->get_layer("hidden"));
  CHECK(hidden->dtype_policy().name() == "float8_from_float32");
  CHECK(hidden->inputs_scale.value().item<float>() != 1.0f);  // Keras's trained scale was read
  TempDir dir;
  for (const char* file : {"f8.keras", "f8.kcpp"}) {
    model->save(dir.file(file));
    keras::ModelPtr loaded = keras::models::load_model(dir.file(file));
    CHECK(max_rel_diff(loaded->predict(x, {.verbose = 0}), model->predict(x, {.verbose = 0})) == 0.0);
    CHECK(loaded->get_layer("head")->dtype_policy().name() == "float8_from_float32");
  }
  // The traced inference graph exports (float8 rounding included; a fixed batch, as the
  // einsum's reshapes need) and runs without the model; ONNX export refuses the float8
  // layer by name.
  model->export_graph(dir.file("f8.kgraph"), {.input_signature = {{{5, 4}, DType::float32}}});
  const keras::LoadedFunction f = keras::load_function(dir.file("f8.kgraph"));
  CHECK(max_rel_diff(f({x}).at(0), model->predict(x, {.verbose = 0})) < 1e-6);
  throws_with<std::invalid_argument>([&] { model->export_graph(dir.file("f8.onnx"), {.format = "onnx"}); },
                                     "layer 'hidden' (Dense) trains in float8");
  model->compile({.optimizer = "adam", .loss = "mse"});
  const auto h0 = values(hidden->kernel_amax_history.value());
  const auto k0 = values(hidden->kernel.value());
  model->fit(x, ops::ones({5, 2}), {.batch_size = 5, .epochs = 2, .verbose = 0});
  CHECK(values(hidden->kernel.value()) != k0);
  CHECK(values(hidden->kernel_amax_history.value()) != h0);  // two more maxima pushed in
}
