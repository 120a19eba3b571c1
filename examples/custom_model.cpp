// custom_model.cpp - a subclassed model (the chapter's residual regressor and
// reconstructing regressor in one, as a Fashion-MNIST classifier):
//   - ResidualBlock, a custom layer holding Dense sublayers, whose output is its input
//     plus theirs (a skip connection);
//   - ResidualClassifier, a keras::Model subclass: Dense -> the first block applied 4
//     times (shared weights) -> the second block -> softmax. Its build() adds a Dense
//     layer that reconstructs the inputs from the last hidden layer; call() adds the
//     reconstruction error to the training loss with add_loss() and tracks it with a
//     Mean metric, which fit() and evaluate() report as "reconstruction_error".
//   custom_model [--short] [--epochs 5] [--threads N]
// The last line is machine-readable ("result: ..."), for tests/examples/test_examples.cpp.
#include <cstdio>
#include <iostream>

#include <keras/keras.h>

#include "example_util.h"

namespace ops = keras::ops;
namespace layers = keras::layers;
using keras::Tensor;

class ResidualBlock : public layers::Layer {
 public:
  ResidualBlock(int n_layers, int64_t n_neurons) : Layer("ResidualBlock") {
    for (int i = 0; i < n_layers; ++i)
      hidden_.push_back(track(layers::Dense(n_neurons, {.activation = "relu", .kernel_initializer = "he_normal"})));
  }
  Tensor call(const Tensor& inputs, bool training) override {
    Tensor z = inputs;
    for (auto& layer : hidden_) z = layer(z, training);
    return inputs + z;
  }

 private:
  std::vector<keras::Ref<layers::DenseLayer>> hidden_;
};

class ResidualClassifier : public keras::Model {
 public:
  ResidualClassifier(int64_t classes, double reconstruction_weight)
      : Model({}, "ResidualClassifier"), reconstruction_weight_(reconstruction_weight) {
    hidden1_ = track(layers::Dense(128, {.activation = "relu", .kernel_initializer = "he_normal"}));
    block1_ = track(keras::make<ResidualBlock>(2, 128));
    block2_ = track(keras::make<ResidualBlock>(2, 128));
    out_ = track(layers::Dense(classes, {.activation = "softmax"}));
    reconstruction_error_ = track_metric(std::make_shared<keras::metrics::Mean>("reconstruction_error"));
  }
  // The number of inputs is known only now: the reconstruction layer needs it.
  void build(const keras::ShapeSpec& input_shape) override {
    reconstruct_ = track(layers::Dense(input_shape.back()));
  }
  Tensor call(const Tensor& inputs, bool training) override {
    Tensor z = hidden1_(inputs, training);
    for (int i = 0; i < 1 + 3; ++i) z = block1_(z, training);
    z = block2_(z, training);
    Tensor reconstruction_loss = ops::mean(ops::square(reconstruct_(z, training) - inputs));
    add_loss(reconstruction_loss * reconstruction_weight_);
    reconstruction_error_->update_state(reconstruction_loss);
    return out_(z, training);
  }

 private:
  double reconstruction_weight_;
  keras::Ref<layers::DenseLayer> hidden1_, out_, reconstruct_;
  keras::Ref<ResidualBlock> block1_, block2_;
  std::shared_ptr<keras::metrics::Mean> reconstruction_error_;
};

namespace {

int main_body(const example::Flags& flags) {
  const bool short_run = flags.short_run();
  const int epochs = int(flags.get_int("epochs", short_run ? 1 : 5));
  ops::set_random_seed(42);
  example::FashionMnist data = example::load_fashion_mnist(short_run ? 2000 : -1, short_run ? 500 : -1);
  Tensor x_train = ops::reshape(data.x_train, {-1, 784}), x_test = ops::reshape(data.x_test, {-1, 784});

  auto model = keras::make<ResidualClassifier>(10, 0.05);
  model->compile({.optimizer = keras::optimizers::Adam({.learning_rate = 1e-3}),
                  .loss = "sparse_categorical_crossentropy",
                  .metrics = {"accuracy"}});
  keras::Logs before = model->evaluate(x_test, data.y_test, {.verbose = 0});
  model->summary();
  std::printf("one loss added by call(): %zu\n", model->losses().size());
  keras::callbacks::History history =
      model->fit(x_train, data.y_train, {.batch_size = 32, .epochs = epochs, .verbose = short_run ? 2 : 1,
                                         .validation_data = {x_test, data.y_test}, .seed = 42});
  keras::Logs after = model->evaluate(x_test, data.y_test, {.verbose = 0});
  std::printf("test: loss %.4f -> %.4f, reconstruction error %.4f -> %.4f, accuracy %.4f\n", before["loss"],
              after["loss"], before["reconstruction_error"], after["reconstruction_error"], after["accuracy"]);

  example::Result result;
  result.add("params", double(model->count_params()))
      .add("model_losses", double(model->losses().size()))
      .add("history_has_reconstruction", history.history.count("reconstruction_error") ? 1.0 : 0.0)
      .add("history_has_val_reconstruction", history.history.count("val_reconstruction_error") ? 1.0 : 0.0)
      .add("loss_before", before["loss"])
      .add("loss_after", after["loss"])
      .add("reconstruction_before", before["reconstruction_error"])
      .add("reconstruction_after", after["reconstruction_error"])
      .add("test_accuracy", after["accuracy"]);
  result.print();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return example::run(argc, argv, {"epochs"}, "custom_model [--short] [--epochs 5] [--threads N]", main_body);
}
