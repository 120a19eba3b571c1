// custom_training_loop.cpp - the chapter's exercise: Fashion-MNIST trained by a loop
// written with a GradientTape instead of fit():
//   - shuffled batches from a keras::data::Dataset (reshuffled at every epoch);
//   - Keras's progress bar (keras::callbacks::ProgbarLogger, driven by hand) showing the
//     mean loss and accuracy of the epoch so far; the metrics are reset at each epoch;
//   - the validation loss and accuracy at the end of each epoch;
// then the same model trained again with one optimizer for the lower layers and another,
// with its own learning rate, for the upper layer. With --logdir, each run writes
// TensorBoard summaries as tf.summary would (keras::summary): <logdir>/<run>/train gets
// the loss every 50 steps and the epoch means and weight histograms each epoch,
// <logdir>/<run>/validation the validation loss and accuracy (tensorboard --logdir DIR).
//   custom_training_loop [--short] [--epochs 10] [--batch 32] [--logdir DIR] [--threads N]
// The last line is machine-readable ("result: ..."), for tests/examples/test_examples.cpp.
#include <keras/keras.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "example_util.h"

namespace ops = keras::ops;
namespace layers = keras::layers;
using keras::Tensor;
using keras::Variable;

namespace {

keras::Ref<keras::SequentialModel> build_model() {
  return keras::Sequential({layers::Flatten({.input_shape = {28, 28}}),
                            layers::Dense(300, {.activation = "relu", .kernel_initializer = "he_normal"}),
                            layers::Dense(100, {.activation = "relu", .kernel_initializer = "he_normal"}),
                            layers::Dense(10, {.activation = "softmax"})});
}

// One group of variables and the optimizer that updates them.
struct Group {
  keras::optimizers::OptimizerPtr optimizer;
  std::vector<Variable> variables;
};

struct Data {
  Tensor x_train, y_train, x_valid, y_valid, x_test, y_test;
};

struct LoopResult {
  std::vector<double> epoch_loss, epoch_accuracy, val_loss, val_accuracy;
  double test_loss_before = 0, test_loss = 0, test_accuracy = 0;
};

// The loss and accuracy of the model on (x, y), in inference mode.
std::pair<double, double> evaluate(keras::SequentialModel& model, const keras::losses::Loss& loss_fn, const Tensor& x,
                                   const Tensor& y) {
  keras::metrics::Mean loss("loss");
  keras::metrics::SparseCategoricalAccuracy accuracy;
  const int64_t n = x.shape()[0], batch = 1000;
  for (int64_t b = 0; b < n; b += batch) {
    const int64_t e = std::min(n, b + batch);
    Tensor xb = example::rows(x, b, e), yb = example::rows(y, b, e);
    Tensor y_pred = model(xb, /*training=*/false);
    loss.update_state(loss_fn(yb, y_pred), ops::fill({}, double(e - b)));  // weighted by the batch size
    accuracy.update_state(yb, y_pred);
  }
  return {loss.result().item<float>(), accuracy.result().item<float>()};
}

LoopResult train(keras::SequentialModel& model, const std::vector<Group>& groups, const Data& data, int epochs,
                 int64_t batch_size, int64_t seed, const std::string& logdir) {
  LoopResult r;
  namespace summary = keras::summary;
  // No --logdir: no-op writers, and every summary call below writes nothing.
  summary::SummaryWriter train_writer = logdir.empty() ? summary::create_noop_writer()
                                                       : summary::create_file_writer(logdir + "/train"),
                         val_writer = logdir.empty() ? summary::create_noop_writer()
                                                     : summary::create_file_writer(logdir + "/validation");
  auto default_writer = train_writer.as_default();
  int64_t global_step = 0;
  auto every_50_steps = summary::record_if([&] { return global_step % 50 == 0; });
  keras::losses::SparseCategoricalCrossentropy loss_fn;
  keras::metrics::Mean mean_loss("loss");
  keras::metrics::SparseCategoricalAccuracy accuracy({.name = "accuracy"});
  r.test_loss_before = evaluate(model, loss_fn, data.x_test, data.y_test).first;

  const int64_t n = data.x_train.shape()[0];
  const int64_t steps = (n + batch_size - 1) / batch_size;
  keras::data::Dataset batches = keras::data::Dataset::from_tensor_slices({data.x_train, data.y_train})
                                     .shuffle(n, {.seed = seed})  // a new order at every epoch
                                     .batch(batch_size)
                                     .prefetch(keras::data::AUTOTUNE);
  std::vector<Variable> variables;
  for (const Group& g : groups) variables.insert(variables.end(), g.variables.begin(), g.variables.end());

  // The bar fit() uses: "Epoch 1/10", then "1719/1719 ━━━━ 5s 3ms/step - accuracy: ... - loss: ...".
  keras::callbacks::ProgbarLogger bar(/*verbose=*/1);
  bar.set_params({{"epochs", double(epochs)}, {"steps", double(steps)}});
  for (int epoch = 0; epoch < epochs; ++epoch) {
    bar.on_epoch_begin(epoch, {});
    mean_loss.reset_state();
    accuracy.reset_state();
    int64_t step = 0;
    for (const keras::data::Element& batch : batches) {
      const Tensor &x = batch[0], &y = batch[1];
      std::vector<Tensor> grads;
      Tensor loss;
      {
        keras::GradientTape tape;
        Tensor y_pred = model(x, /*training=*/true);
        loss = loss_fn(y, y_pred);
        for (const Tensor& extra : model.losses()) loss = loss + ops::sum(extra);  // regularization, if any
        grads = tape.gradient(loss, variables);
        accuracy.update_state(y, y_pred);
      }
      // Each group of variables gets its own optimizer.
      size_t offset = 0;
      for (const Group& g : groups) {
        std::vector<Tensor> group_grads(grads.begin() + long(offset), grads.begin() + long(offset + g.variables.size()));
        g.optimizer->apply_gradients(group_grads, g.variables);
        offset += g.variables.size();
      }
      mean_loss.update_state(loss);
      summary::scalar("batch_loss", loss, global_step);  // recorded every 50 steps
      ++global_step;
      bar.on_train_batch_end(step++, {{"loss", mean_loss.result().item<float>()},
                                      {"accuracy", accuracy.result().item<float>()}});
    }
    auto [val_loss, val_accuracy] = evaluate(model, loss_fn, data.x_valid, data.y_valid);
    const double epoch_loss = mean_loss.result().item<float>(), epoch_accuracy = accuracy.result().item<float>();
    bar.on_epoch_end(epoch, {{"loss", epoch_loss}, {"accuracy", epoch_accuracy},
                             {"val_loss", val_loss}, {"val_accuracy", val_accuracy}});
    {
      auto always = summary::record_if(true);
      summary::scalar("epoch_loss", epoch_loss, epoch);
      summary::scalar("epoch_accuracy", epoch_accuracy, epoch);
      for (const Variable& v : variables) summary::histogram(v.name(), v.value(), epoch);
      auto validation = val_writer.as_default(epoch);
      summary::scalar("epoch_loss", val_loss);
      summary::scalar("epoch_accuracy", val_accuracy);
    }
    r.epoch_loss.push_back(epoch_loss);
    r.epoch_accuracy.push_back(epoch_accuracy);
    r.val_loss.push_back(val_loss);
    r.val_accuracy.push_back(val_accuracy);
  }
  std::tie(r.test_loss, r.test_accuracy) = evaluate(model, loss_fn, data.x_test, data.y_test);
  std::printf("test loss %.4f (before training %.4f), test accuracy %.4f\n\n", r.test_loss, r.test_loss_before,
              r.test_accuracy);
  return r;
}

std::vector<Variable> weights_of(const std::vector<keras::LayerPtr>& layers) {
  std::vector<Variable> out;
  for (const auto& l : layers)
    for (const Variable& v : l->trainable_weights()) out.push_back(v);
  return out;
}

int main_body(const example::Flags& flags) {
  const bool short_run = flags.short_run();
  const int epochs = int(flags.get_int("epochs", short_run ? 2 : 10));
  const int64_t batch_size = flags.get_int("batch", 32);
  const std::string logdir = flags.get_string("logdir", "");
  if (epochs < 1 || batch_size < 1) throw std::invalid_argument("expected --epochs >= 1 and --batch >= 1");
  ops::set_random_seed(42);
  const int64_t n_train = short_run ? 2000 : 55000, n_valid = short_run ? 500 : 5000;
  example::FashionMnist fm = example::load_fashion_mnist(n_train + n_valid, short_run ? 1000 : -1);
  Data data{example::rows(fm.x_train, 0, n_train), example::rows(fm.y_train, 0, n_train),
            example::rows(fm.x_train, n_train, n_train + n_valid), example::rows(fm.y_train, n_train, n_train + n_valid),
            fm.x_test, fm.y_test};

  // Learning rates decay tenfold over the whole run.
  const double total_steps = double(epochs) * double((n_train + batch_size - 1) / batch_size);
  auto decay = [&](double initial) { return keras::optimizers::ExponentialDecay(initial, total_steps, 0.1); };

  std::printf("== one optimizer (Adam, learning rate 1e-3 decaying to 1e-4) ==\n");
  auto model = build_model();
  LoopResult one =
      train(*model, {{keras::optimizers::Adam({.learning_rate = decay(1e-3)}), model->trainable_weights()}}, data,
            epochs, batch_size, 42, logdir.empty() ? "" : logdir + "/adam");

  std::printf("== lower layers: SGD (momentum 0.9, learning rate 0.02 decaying to 0.002); upper layer: Adam (1e-3 to 1e-4) ==\n");
  ops::set_random_seed(42);
  auto model2 = build_model();
  std::vector<keras::LayerPtr> all = model2->layers();  // Flatten, Dense 300, Dense 100, Dense 10
  Group lower{keras::optimizers::SGD({.learning_rate = decay(0.02), .momentum = 0.9}), weights_of({all[1], all[2]})};
  Group upper{keras::optimizers::Adam({.learning_rate = decay(1e-3)}), weights_of({all[3]})};
  LoopResult two =
      train(*model2, {lower, upper}, data, epochs, batch_size, 43, logdir.empty() ? "" : logdir + "/sgd_adam");

  example::Result result;
  result.add("epochs", double(epochs))
      .add("first_epoch_loss", one.epoch_loss.front())
      .add("last_epoch_loss", one.epoch_loss.back())
      .add("last_epoch_accuracy", one.epoch_accuracy.back())
      .add("val_epochs", double(one.val_accuracy.size()))
      .add("val_accuracy", one.val_accuracy.back())
      .add("test_loss_before", one.test_loss_before)
      .add("test_loss", one.test_loss)
      .add("test_accuracy", one.test_accuracy)
      .add("two_first_epoch_loss", two.epoch_loss.front())
      .add("two_last_epoch_loss", two.epoch_loss.back())
      .add("two_test_loss_before", two.test_loss_before)
      .add("two_test_loss", two.test_loss)
      .add("two_test_accuracy", two.test_accuracy)
      .add("lower_iterations", double(lower.optimizer->iterations()))
      .add("upper_iterations", double(upper.optimizer->iterations()));
  result.print();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return example::run(argc, argv, {"epochs", "batch", "logdir"},
                      "custom_training_loop [--short] [--epochs 10] [--batch 32] [--logdir DIR] [--threads N]",
                      main_body);
}
