// wide_and_deep.cpp - a Functional model with two inputs, as in the Wide & Deep paper
// (Cheng et al., 2016), on the Boston house prices (scikit-learn's CSV): a wide, linear
// part on 5 features and a deep part (an MLP) on 10 features; their outputs are summed
// into the predicted price. Each input is standardized by a Normalization layer adapted
// on the training rows.
// The model is trained twice from the same initial weights:
//   1. with compile() and fit() (Adam for every weight);
//   2. with a custom loop (GradientTape) and two optimizers, as the paper does: FTRL for
//      the wide part, Adam for the deep part.
//   wide_and_deep [--short] [--epochs 100] [--data boston_house_prices.csv] [--threads N]
// The last line is machine-readable ("result: ..."), for tests/examples/test_examples.cpp.
#include <algorithm>
#include <cstdio>
#include <vector>

#include <keras/keras.h>

#include "example_util.h"

namespace ops = keras::ops;
namespace layers = keras::layers;
using keras::Tensor;
using keras::Variable;

namespace {

struct WideAndDeep {
  keras::Ref<keras::FunctionalModel> model;
  std::vector<Variable> wide_weights, deep_weights;
};

WideAndDeep build(const Tensor& x_wide, const Tensor& x_deep) {
  auto wide_input = keras::Input({x_wide.shape()[1]}, {.name = "wide_input"});
  auto deep_input = keras::Input({x_deep.shape()[1]}, {.name = "deep_input"});
  auto norm_wide = layers::Normalization(), norm_deep = layers::Normalization();
  norm_wide->adapt(x_wide);
  norm_deep->adapt(x_deep);
  auto hidden1 = layers::Dense(30, {.activation = "relu"});
  auto hidden2 = layers::Dense(30, {.activation = "relu"});
  auto deep_output = layers::Dense(1);
  auto wide_output = layers::Dense(1, {.name = "wide_linear"});
  auto deep = deep_output(hidden2(hidden1(norm_deep(deep_input))));
  auto wide = wide_output(norm_wide(wide_input));
  auto price = layers::Add({.name = "price"})({wide, deep});
  WideAndDeep wd{keras::Functional({wide_input, deep_input}, {price}), {}, {}};
  wd.wide_weights = wide_output->trainable_weights();
  for (const auto& l : {hidden1, hidden2, deep_output})
    for (const Variable& v : l->trainable_weights()) wd.deep_weights.push_back(v);
  return wd;
}

double mse(keras::Model& model, const std::vector<Tensor>& x, const Tensor& y) {
  return ops::mean(ops::square(model.predict(x, {.batch_size = 256})[0] - y)).item<float>();
}

int main_body(const example::Flags& flags) {
  const bool short_run = flags.short_run();
  const int epochs = int(flags.get_int("epochs", short_run ? 10 : 100));
  ops::set_random_seed(42);
  example::Regression data = example::load_boston_housing(flags.get_string("data", example::kBostonCsv));
  // Wide: CRIM ZN INDUS CHAS NOX; deep: INDUS ... LSTAT.
  auto wide_of = [](const Tensor& x) { return ops::slice(x, {0, 0}, {-1, 5}); };
  auto deep_of = [](const Tensor& x) { return ops::slice(x, {0, 2}, {-1, -1}); };
  std::vector<Tensor> x_train{wide_of(data.x_train), deep_of(data.x_train)};
  std::vector<Tensor> x_test{wide_of(data.x_test), deep_of(data.x_test)};
  const int64_t n = data.x_train.shape()[0];
  std::printf("%lld training and %lld test districts; wide input %lld features, deep input %lld\n",
              static_cast<long long>(n), static_cast<long long>(data.x_test.shape()[0]),
              static_cast<long long>(x_train[0].shape()[1]), static_cast<long long>(x_train[1].shape()[1]));
  // Predicting the mean training price for every district: the baseline to beat.
  const double baseline = ops::mean(ops::square(data.y_test - ops::mean(data.y_train))).item<float>();
  std::printf("baseline (the mean training price): test MSE %.2f\n\n", baseline);

  // ---- 1. compile() and fit() ----
  WideAndDeep wd = build(x_train[0], x_train[1]);
  wd.model->summary();
  const std::vector<Tensor> initial = wd.model->get_weights();
  wd.model->compile({.optimizer = keras::optimizers::Adam({.learning_rate = 1e-2}), .loss = "mse", .metrics = {"mae"}});
  auto every_10_epochs = std::make_shared<keras::callbacks::LambdaCallback>(keras::callbacks::LambdaCallbackOptions{
      .on_epoch_end = [&](int epoch, const keras::Logs& logs) {
        if (!short_run && (epoch + 1) % 10 == 0)
          std::printf("epoch %d/%d - loss: %.4f - mae: %.4f\n", epoch + 1, epochs, logs.at("loss"),
                      logs.at("mae"));
      }});
  keras::callbacks::History history = wd.model->fit(
      x_train, {data.y_train}, {.batch_size = 32, .epochs = epochs, .verbose = 0, .callbacks = {every_10_epochs}, .seed = 42});
  const double fit_test_mse = mse(*wd.model, x_test, data.y_test);
  std::printf("fit(): training loss %.2f -> %.2f, test MSE %.2f\n\n", history.history.at("loss").front(),
              history.history.at("loss").back(), fit_test_mse);

  // ---- 2. a custom loop, FTRL for the wide part and Adam for the deep part ----
  wd.model->set_weights(initial);
  auto ftrl = keras::optimizers::Ftrl({.learning_rate = 0.5, .l1_regularization_strength = 1e-3});
  auto adam = keras::optimizers::Adam({.learning_rate = 1e-2});
  keras::losses::MeanSquaredError loss_fn;
  keras::metrics::Mean epoch_loss("loss");
  std::vector<Variable> variables = wd.wide_weights;
  variables.insert(variables.end(), wd.deep_weights.begin(), wd.deep_weights.end());
  const size_t n_wide = wd.wide_weights.size();
  const int64_t batch_size = 32;
  std::vector<double> loop_losses;
  for (int epoch = 0; epoch < epochs; ++epoch) {
    epoch_loss.reset_state();
    // A new order of the training rows at every epoch (seeded, so runs repeat).
    Tensor order = ops::argsort(ops::random_uniform({n}, {.seed = 1000 + epoch}));
    for (int64_t b = 0; b < n; b += batch_size) {
      Tensor idx = ops::slice(order, {b}, {std::min(batch_size, n - b)});
      std::vector<Tensor> xb{ops::gather(x_train[0], idx), ops::gather(x_train[1], idx)};
      Tensor yb = ops::gather(data.y_train, idx);
      std::vector<Tensor> grads;
      Tensor loss;
      {
        keras::GradientTape tape;
        loss = loss_fn(yb, (*wd.model)(xb, /*training=*/true)[0]);
        grads = tape.gradient(loss, variables);
      }
      ftrl->apply_gradients({grads.begin(), grads.begin() + long(n_wide)}, wd.wide_weights);
      adam->apply_gradients({grads.begin() + long(n_wide), grads.end()}, wd.deep_weights);
      epoch_loss.update_state(loss, ops::fill({}, double(yb.shape()[0])));
    }
    loop_losses.push_back(epoch_loss.result().item<float>());
    if (!short_run && (epoch + 1) % 10 == 0)
      std::printf("epoch %d/%d - loss: %.4f\n", epoch + 1, epochs, loop_losses.back());
  }
  const double loop_test_mse = mse(*wd.model, x_test, data.y_test);
  std::printf("custom loop (FTRL + Adam): training loss %.2f -> %.2f, test MSE %.2f\n", loop_losses.front(),
              loop_losses.back(), loop_test_mse);

  example::Result result;
  result.add("inputs", double(wd.model->inputs().size()))
      .add("baseline_test_mse", baseline)
      .add("fit_first_loss", history.history.at("loss").front())
      .add("fit_last_loss", history.history.at("loss").back())
      .add("fit_test_mse", fit_test_mse)
      .add("loop_first_loss", loop_losses.front())
      .add("loop_last_loss", loop_losses.back())
      .add("loop_test_mse", loop_test_mse)
      .add("ftrl_iterations", double(ftrl->iterations()))
      .add("adam_iterations", double(adam->iterations()));
  result.print();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return example::run(argc, argv, {"epochs", "data"},
                      "wide_and_deep [--short] [--epochs 100] [--data boston_house_prices.csv] [--threads N]", main_body);
}
