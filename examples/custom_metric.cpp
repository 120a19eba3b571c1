// custom_metric.cpp - a streaming metric (a Metric subclass with state variables) next
// to the same quantity written as a plain function, on a real binary task: "is this
// Fashion-MNIST image a shirt?" (10% positives).
//
// Precision is the classic case for streaming: a function metric is computed on each
// batch and fit() reports the mean of those per-batch values, which is not the precision
// over the epoch (a batch with one predicted positive weighs as much as a batch with
// ten, and a batch with none counts as 0). StreamingPrecision accumulates true and false
// positives in Variables and divides once, so its result is exactly the precision over
// all the samples seen since the last reset (fit() resets metrics at each epoch).
//   custom_metric [--short] [--epochs 5] [--threads N]
// The last line is machine-readable ("result: ..."), for tests/examples/test_examples.cpp.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>

#include <keras/keras.h>

#include "example_util.h"

namespace ops = keras::ops;
namespace layers = keras::layers;
using keras::DType;
using keras::Tensor;

// The precision of one batch, as a plain function (predictions above 0.5 are positive;
// 0 when the batch has no predicted positive).
Tensor batch_precision(const Tensor& y_true, const Tensor& y_pred) {
  auto [t, p] = keras::losses::squeeze_or_expand_to_same_rank(ops::cast(y_true, y_pred.dtype()), y_pred);
  Tensor predicted = ops::cast(p > 0.5, p.dtype());
  Tensor true_positives = ops::sum(predicted * t), predicted_positives = ops::sum(predicted);
  return ops::where(predicted_positives > 0.0,
                    true_positives / ops::maximum(predicted_positives, ops::scalar_like(predicted_positives, 1.0)),
                    ops::zeros_like(true_positives));
}

// The streaming version: true and false positives accumulate in state variables.
class StreamingPrecision : public keras::metrics::Metric {
 public:
  explicit StreamingPrecision(double threshold = 0.5, std::string name = "streaming_precision")
      : Metric(std::move(name)), threshold_(threshold) {
    true_positives_ = add_variable("true_positives", {});
    false_positives_ = add_variable("false_positives", {});
  }
  void update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight = Tensor()) override {
    auto [t, p] = keras::losses::squeeze_or_expand_to_same_rank(ops::cast(detach(y_true), dtype()),
                                                                ops::cast(detach(y_pred), dtype()));
    Tensor predicted = ops::cast(p > threshold_, dtype());
    if (sample_weight.defined()) {
      auto [w, unused] = keras::losses::squeeze_or_expand_to_same_rank(ops::cast(detach(sample_weight), dtype()), predicted);
      predicted = predicted * w;
    }
    true_positives_.assign_add(ops::sum(predicted * t));
    false_positives_.assign_add(ops::sum(predicted * (1.0 - t)));
  }
  Tensor result() const override {
    Tensor predicted_positives = true_positives_.value() + false_positives_.value();
    return ops::where(predicted_positives > 0.0,
                      true_positives_.value() / ops::maximum(predicted_positives, ops::scalar_like(predicted_positives, 1.0)),
                      ops::zeros_like(predicted_positives));
  }
  std::string class_name() const override { return "StreamingPrecision"; }
  keras::Config get_config() const override {
    keras::Config c = Metric::get_config();
    c["threshold"] = threshold_;
    return c;
  }
  double threshold() const { return threshold_; }

 private:
  double threshold_;
  keras::Variable true_positives_, false_positives_;
};

namespace {

int main_body(const example::Flags& flags) {
  const bool short_run = flags.short_run();
  const int epochs = int(flags.get_int("epochs", short_run ? 1 : 5));
  const int64_t batch_size = 32;
  ops::set_random_seed(42);
  example::FashionMnist data = example::load_fashion_mnist(short_run ? 12000 : -1, short_run ? 2000 : -1);
  const int shirt = 6;  // keras::datasets::fashion_mnist::class_names[6]
  auto is_shirt = [&](const Tensor& labels) { return ops::cast(ops::equal(labels, keras::constant(shirt)), DType::float32); };
  Tensor y_train = is_shirt(data.y_train), y_test = is_shirt(data.y_test);
  std::printf("task: is it a %s? %.1f%% of the training images are\n", keras::datasets::fashion_mnist::class_names[shirt],
              100.0 * ops::mean(y_train).item<float>());

  auto model = keras::Sequential({layers::Flatten({.input_shape = {28, 28}}),
                                  layers::Dense(100, {.activation = "relu", .kernel_initializer = "he_normal"}),
                                  layers::Dense(1, {.activation = "sigmoid"})});
  // Three precisions side by side: ours (streaming), the function (averaged over the
  // batches by a MeanMetricWrapper, as Keras does with function metrics) and the
  // built-in keras::metrics::Precision.
  auto streaming = std::make_shared<StreamingPrecision>();
  auto averaged = std::make_shared<keras::metrics::MeanMetricWrapper>(batch_precision, "mean_batch_precision");
  model->compile({.optimizer = keras::optimizers::Adam({.learning_rate = 1e-3}),
                  .loss = "binary_crossentropy",
                  .metrics = {streaming, averaged, keras::metrics::Precision()}});
  keras::callbacks::History history = model->fit(
      data.x_train, y_train, {.batch_size = batch_size, .epochs = epochs, .verbose = short_run ? 2 : 1, .seed = 42});

  // The same three on the test set, batch by batch, next to the exact precision.
  Tensor probs = model->predict(data.x_test);
  StreamingPrecision test_streaming;
  keras::metrics::Precision test_builtin;
  keras::metrics::Mean test_batch_mean;
  const int64_t n = data.x_test.shape()[0];
  for (int64_t b = 0; b < n; b += batch_size) {
    const int64_t e = std::min(n, b + batch_size);
    Tensor yb = example::rows(y_test, b, e), pb = example::rows(probs, b, e);
    test_streaming.update_state(yb, pb);
    test_builtin.update_state(yb, pb);
    test_batch_mean.update_state(batch_precision(yb, pb));
  }
  const double exact = batch_precision(y_test, probs).item<float>();
  const double streamed = test_streaming.result().item<float>();
  const double builtin = test_builtin.result().item<float>();
  const double batch_mean = test_batch_mean.result().item<float>();
  std::printf("test precision over all %lld images: %.4f\n", static_cast<long long>(n), exact);
  std::printf("  StreamingPrecision, batch by batch:      %.4f (the same)\n", streamed);
  std::printf("  keras::metrics::Precision:               %.4f\n", builtin);
  std::printf("  mean of the per-batch precisions:        %.4f (not the precision)\n", batch_mean);

  // The threshold is a hyperparameter: it travels in the config (register_metric makes
  // deserialize() rebuild the class).
  keras::metrics::register_metric("StreamingPrecision", [](const keras::Config& c) -> keras::metrics::MetricPtr {
    return std::make_shared<StreamingPrecision>(c.at("threshold").as_double(), c.at("name").as_string());
  });
  keras::Config config = keras::metrics::serialize(StreamingPrecision(0.7));
  auto rebuilt = std::dynamic_pointer_cast<StreamingPrecision>(keras::metrics::deserialize(config));
  std::cout << "config: " << config.to_json() << "\n";

  example::Result result;
  result.add("positives", ops::mean(y_train).item<float>())
      .add("epoch_streaming", history.history.at("streaming_precision").back())
      .add("epoch_builtin", history.history.at("precision").back())
      .add("epoch_batch_mean", history.history.at("mean_batch_precision").back())
      .add("test_exact", exact)
      .add("test_streaming", streamed)
      .add("test_builtin", builtin)
      .add("test_batch_mean", batch_mean)
      .add("rebuilt_threshold", rebuilt ? rebuilt->threshold() : -1.0);
  result.print();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return example::run(argc, argv, {"epochs"}, "custom_metric [--short] [--epochs 5] [--threads N]", main_body);
}
