// fashion_mnist_mlp.cpp - the chapter's first classifier: an MLP on Fashion-MNIST.
// Flatten -> Dense(300, relu) -> Dense(100, relu) -> Dense(10, softmax), pixels scaled to
// [0, 1], sparse categorical cross-entropy, Adam; prints the test accuracy.
//   fashion_mnist_mlp [--epochs 10] [--batch 32] [--threads N] [--verbose 1] [--seed 42]
//                     [--tensorboard LOG_DIR] [--plot CURVES.svg]
// (the seed of the initial weights, the validation split and the shuffling; with
// --tensorboard, a TensorBoard callback writes LOG_DIR/train and LOG_DIR/validation:
// scalars per epoch and every 100 batches, weight histograms, the train step's graph;
// with --plot, the training curves are drawn as SVG)
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <keras/keras.h>

int main(int argc, char** argv) {
  int epochs = 10, verbose = 1, seed = 42;
  int64_t batch = 32;
  std::string log_dir, plot_path;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k == "--epochs") epochs = std::atoi(argv[i + 1]);
    else if (k == "--batch") batch = std::atoll(argv[i + 1]);
    else if (k == "--threads") keras::set_num_threads(std::atoi(argv[i + 1]));
    else if (k == "--verbose") verbose = std::atoi(argv[i + 1]);
    else if (k == "--seed") seed = std::atoi(argv[i + 1]);
    else if (k == "--tensorboard") log_dir = argv[i + 1];
    else if (k == "--plot") plot_path = argv[i + 1];
    else {
      std::fprintf(stderr, "unknown flag %s (flags: --epochs --batch --threads --verbose --seed --tensorboard --plot)\n",
                   k.c_str());
      return 2;
    }
  }
  namespace layers = keras::layers;
  namespace ops = keras::ops;
  auto [train, test] = keras::datasets::fashion_mnist::load_data();
  auto scale = [](const keras::Tensor& images) {
    return ops::multiply(ops::cast(images, keras::DType::float32), keras::constant(1.0f / 255.0f));
  };
  keras::Tensor x_train = scale(train.x), x_test = scale(test.x);
  keras::Tensor y_train = ops::cast(train.y, keras::DType::int32), y_test = ops::cast(test.y, keras::DType::int32);

  ops::set_random_seed(seed);
  auto model = keras::Sequential({layers::Flatten({.input_shape = {28, 28}}),
                                  layers::Dense(300, {.activation = "relu"}),
                                  layers::Dense(100, {.activation = "relu"}),
                                  layers::Dense(10, {.activation = "softmax"})});
  model->summary();
  model->compile({.optimizer = keras::optimizers::Adam({.learning_rate = 1e-3}),
                  .loss = "sparse_categorical_crossentropy",
                  .metrics = {"accuracy"}});
  std::vector<keras::callbacks::CallbackArg> callbacks;
  if (!log_dir.empty())
    callbacks.push_back(keras::callbacks::TensorBoard({.log_dir = log_dir, .histogram_freq = 1, .update_freq = 100}));
  keras::callbacks::History history = model->fit(x_train, y_train, {.batch_size = batch, .epochs = epochs, .verbose = verbose,
                                .callbacks = callbacks, .validation_split = 0.1, .seed = seed});
  if (!plot_path.empty()) keras::utils::plot_history(history, plot_path, {.title = "Fashion-MNIST MLP"});
  keras::Logs result = model->evaluate(x_test, y_test, {.verbose = 0});
  std::printf("test loss: %.4f\ntest accuracy: %.4f\n", result["loss"], result["accuracy"]);
  return 0;
}
