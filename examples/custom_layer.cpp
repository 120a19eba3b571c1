// custom_layer.cpp - writing your own layers:
//   - MyDense: weights created in build() with add_weight, from the real input shape;
//   - an exponential layer without weights (a Lambda);
//   - MyMultiLayer: several inputs and several outputs (a + b, a * b, a / b);
//   - MyGaussianNoise: behaves differently in training (adds noise) and inference;
//   - MaxAbsScaling: a dynamic layer (its C++ code branches on tensor values, so it must
//     always run eagerly);
//   - MyLayerNormalization: the chapter's exercise, checked against the built-in
//     LayerNormalization (the outputs match within 1e-5).
// Then a Fashion-MNIST classifier built from the custom layers is trained with fit().
//   custom_layer [--short] [--epochs 5] [--threads N]
// The last line is machine-readable ("result: ..."), for tests/examples/test_examples.cpp.
#include <cmath>
#include <cstdio>
#include <iostream>

#include <keras/keras.h>

#include "example_util.h"

namespace ops = keras::ops;
namespace layers = keras::layers;
using keras::Config;
using keras::Shape;
using keras::Tensor;
using layers::ShapeSpec;

// ---- a layer with weights ---------------------------------------------------------------------
class MyDense : public layers::Layer {
 public:
  MyDense(int64_t units, keras::activations::Activation activation = {}, const keras::LayerOptions& options = {})
      : Layer("MyDense", options), units_(units), activation_(std::move(activation)) {}

  // The input shape is known only now: create the weights for it.
  void build(const ShapeSpec& input_shape) override {
    kernel_ = add_weight("kernel", Shape{input_shape.back(), units_},
                         {.initializer = keras::initializers::get("he_normal")});
    bias_ = add_weight("bias", Shape{units_}, {.initializer = keras::initializers::get("zeros")});
  }
  Tensor call(const Tensor& x, bool) override { return activation_(ops::matmul(x, kernel_) + bias_.value()); }
  // What a saved model needs to rebuild the layer.
  Config get_config() const override {
    Config c = Layer::get_config();
    c["units"] = static_cast<long long>(units_);
    c["activation"] = keras::activations::serialize(activation_);
    return c;
  }
  static layers::LayerPtr from_config(const Config& c) {
    return keras::make<MyDense>(c.at("units").as_int(), keras::activations::deserialize(c.at("activation")),
                                keras::LayerOptions{.name = c.at("name").as_string()});
  }

 private:
  int64_t units_;
  keras::activations::Activation activation_;
  keras::Variable kernel_, bias_;
};

// ---- several inputs, several outputs ----------------------------------------------------------
class MyMultiLayer : public layers::Layer {
 public:
  MyMultiLayer() : Layer("MyMultiLayer") {}
  std::vector<Tensor> call(const std::vector<Tensor>& xs, bool) override {
    if (xs.size() != 2)
      throw std::invalid_argument(name() + ": expected 2 inputs, but received " + std::to_string(xs.size()));
    const Tensor &a = xs[0], &b = xs[1];
    return {a + b, a * b, a / b};
  }
};

// ---- different behaviour in training and inference ----------------------------------------------
class MyGaussianNoise : public layers::Layer {
 public:
  explicit MyGaussianNoise(double stddev) : Layer("MyGaussianNoise"), stddev_(stddev) {}
  Tensor call(const Tensor& x, bool training) override {
    if (!training) return x;
    return x + ops::random_normal(x.shape(), {.stddev = stddev_, .dtype = x.dtype()});
  }

 private:
  double stddev_;
};

// ---- a dynamic layer: plain C++ control flow on tensor values ---------------------------------
// Scales the batch down when its largest magnitude exceeds `limit`. The branch reads a
// value with item(), which a traced graph could not replay: dynamic = true keeps the
// layer eager.
class MaxAbsScaling : public layers::Layer {
 public:
  explicit MaxAbsScaling(double limit) : Layer("MaxAbsScaling", {.dynamic = true}), limit_(limit) {}
  Tensor call(const Tensor& x, bool) override {
    const double m = ops::max(ops::abs(x)).item<float>();
    if (m <= limit_) return x;
    return x * (limit_ / m);
  }

 private:
  double limit_;
};

// ---- the exercise: LayerNormalization as a custom layer ---------------------------------------
class MyLayerNormalization : public layers::Layer {
 public:
  explicit MyLayerNormalization(double epsilon = 1e-3) : Layer("MyLayerNormalization"), epsilon_(epsilon) {}
  void build(const ShapeSpec& input_shape) override {
    alpha_ = add_weight("alpha", Shape{input_shape.back()}, {.initializer = keras::initializers::get("ones")});
    beta_ = add_weight("beta", Shape{input_shape.back()}, {.initializer = keras::initializers::get("zeros")});
  }
  Tensor call(const Tensor& x, bool) override {
    Tensor mean = ops::mean(x, {-1}, /*keepdims=*/true);
    Tensor variance = ops::variance(x, {-1}, /*keepdims=*/true);
    return alpha_.value() * (x - mean) / ops::sqrt(variance + epsilon_) + beta_.value();
  }
  Config get_config() const override {
    Config c = Layer::get_config();
    c["epsilon"] = epsilon_;
    return c;
  }

 private:
  double epsilon_;
  keras::Variable alpha_, beta_;
};

namespace {

double max_abs_diff(const Tensor& a, const Tensor& b) { return ops::max(ops::abs(a - b)).item<float>(); }

int main_body(const example::Flags& flags) {
  const bool short_run = flags.short_run();
  const int epochs = int(flags.get_int("epochs", short_run ? 1 : 5));
  example::Result result;
  ops::set_random_seed(42);
  example::FashionMnist data = example::load_fashion_mnist(short_run ? 3000 : -1, short_run ? 1000 : -1);

  // MyDense: the weights appear once the input shape is known.
  auto dense = keras::make<MyDense>(3, "relu");
  std::cout << "MyDense before its first call: " << dense->weights().size() << " weights\n";
  Tensor out = dense(ops::ones({2, 4}));
  std::cout << "after: " << dense->weights().size() << " weights, kernel " << dense->weights()[0].shape().str()
            << ", output " << out.shape().str() << "\n";
  result.add("mydense_weights", double(dense->weights().size()))
      .add("mydense_params", double(dense->count_params()));

  // A layer without weights.
  auto exponential = layers::Lambda([](const Tensor& x) { return ops::exp(x); });
  Tensor e = exponential(keras::constant({-1.0, 0.0, 1.0}));
  std::cout << "exponential([-1, 0, 1]) = " << e << "\n";
  result.add("exp_sum", ops::sum(e).item<float>()).add("exp_weights", double(exponential->weights().size()));

  // Several inputs and outputs, eagerly and in a functional model.
  auto multi = keras::make<MyMultiLayer>();
  std::vector<Tensor> abc = multi({keras::constant({2.0, 6.0}), keras::constant({4.0, 3.0})});
  std::cout << "MyMultiLayer([2, 6], [4, 3]) = " << abc[0] << ", " << abc[1] << ", " << abc[2] << "\n";
  auto in_a = keras::Input({2}), in_b = keras::Input({2});
  auto outs = multi({in_a, in_b});
  auto multi_model = keras::Functional({in_a, in_b}, {outs[0], outs[1], outs[2]});
  result.add("multi_outputs", double(multi_model->outputs().size()))
      .add("multi_sum", abc[0].to_vector<float>()[0])
      .add("multi_product", abc[1].to_vector<float>()[0])
      .add("multi_ratio", abc[2].to_vector<float>()[0]);

  // Training vs inference.
  auto noise = keras::make<MyGaussianNoise>(0.1);
  Tensor batch = example::rows(ops::reshape(data.x_train, {-1, 784}), 0, 256);
  const double noise_std = ops::std(noise(batch, /*training=*/true) - batch).item<float>();
  const double inference_diff = max_abs_diff(noise(batch, /*training=*/false), batch);
  std::printf("MyGaussianNoise: std of the noise in training %.4f, in inference %.4f\n", noise_std, inference_diff);
  result.add("noise_train_std", noise_std).add("noise_inference_diff", inference_diff);

  // A dynamic layer.
  auto scaling = keras::make<MaxAbsScaling>(1.0);
  Tensor scaled = scaling(keras::constant({-4.0, 2.0}));
  std::cout << "MaxAbsScaling(limit 1) of [-4, 2] = " << scaled << " (dynamic: " << scaling->dynamic() << ")\n";
  result.add("dynamic", scaling->dynamic() ? 1.0 : 0.0).add("scaled_max", ops::max(ops::abs(scaled)).item<float>());

  // The exercise: the custom LayerNormalization against the built-in one, on images and on
  // wide-ranging random values.
  auto my_ln = keras::make<MyLayerNormalization>();
  auto keras_ln = layers::LayerNormalization();
  Tensor wide = ops::random_normal({64, 784}, {.mean = 3.0, .stddev = 10.0, .seed = 7});
  const double ln_diff = std::max(max_abs_diff(my_ln(batch), keras_ln(batch)), max_abs_diff(my_ln(wide), keras_ln(wide)));
  std::printf("MyLayerNormalization vs LayerNormalization: max |difference| = %.3g\n\n", ln_diff);
  result.add("layernorm_max_diff", ln_diff);

  // A classifier made of the custom layers.
  auto model = keras::Sequential({layers::Flatten({.input_shape = {28, 28}}),
                                  keras::make<MyDense>(128, "relu"),
                                  keras::make<MyGaussianNoise>(0.1),
                                  keras::make<MyLayerNormalization>(),
                                  keras::make<MyDense>(10, "softmax")});
  model->summary();
  model->compile({.optimizer = keras::optimizers::Adam({.learning_rate = 1e-3}),
                  .loss = "sparse_categorical_crossentropy",
                  .metrics = {"accuracy"}});
  const double loss_before = model->evaluate(data.x_test, data.y_test, {.verbose = 0})["loss"];
  model->fit(data.x_train, data.y_train, {.batch_size = 32, .epochs = epochs, .verbose = short_run ? 2 : 1, .seed = 42});
  keras::Logs test = model->evaluate(data.x_test, data.y_test, {.verbose = 0});
  // Inference is deterministic: the noise layer is off.
  const double predict_diff = max_abs_diff(model->predict(example::rows(data.x_test, 0, 100)),
                                           model->predict(example::rows(data.x_test, 0, 100)));
  std::printf("test loss before training %.4f, after %.4f; test accuracy %.4f\n", loss_before, test["loss"], test["accuracy"]);

  // The custom layer round-trips through its config once registered.
  layers::register_layer("MyDense", MyDense::from_config);
  layers::LayerPtr again = layers::deserialize(layers::serialize(*model->get_layer(1)));
  std::cout << "rebuilt from its config: " << again->class_name() << " '" << again->name() << "'\n";

  result.add("loss_before", loss_before)
      .add("loss_after", test["loss"])
      .add("test_accuracy", test["accuracy"])
      .add("predict_diff", predict_diff)
      .add("config_roundtrip", again->class_name() == "MyDense" && again->name() == model->get_layer(1)->name() ? 1.0 : 0.0);
  result.print();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return example::run(argc, argv, {"epochs"}, "custom_layer [--short] [--epochs 5] [--threads N]", main_body);
}
