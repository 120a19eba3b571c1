// layer_harness.h - one test for every layer (DESIGN.md): output shapes (eager and
// symbolic), weight counts, config round trip, a gradient reaching every trainable
// weight, and training vs inference where they differ.
//
// Every registered layer class must have a case: the test cases that call run_layer_test
// belong to the test suite "layer_harness", and test_layer_coverage.cpp runs that suite
// with $KERAS_CPP_HARNESS_LOG set, to which each case appends the class name of the
// layer it made and tested (not its label).
#pragma once
#include <cstdlib>
#include <fstream>
#include <functional>

#include "helpers.h"
#include "keras/keras.h"

namespace th {

struct LayerCase {
  std::string name{};
  std::function<keras::LayerPtr()> make{};
  std::vector<Shape> inputs{};                 // with the batch axis
  std::vector<DType> dtypes{};                 // default float32
  keras::ShapeSpec output{};                   // expected, with the batch axis
  int weights = 0, trainable = 0;
  bool training_differs = false;
  std::function<Tensor(const Shape&, DType, uint32_t)> make_input{};  // optional
};

inline void run_layer_test(const LayerCase& c) {
  CAPTURE(c.name);
  keras::LayerPtr layer = c.make();
  std::vector<Tensor> xs;
  for (size_t i = 0; i < c.inputs.size(); ++i) {
    DType dt = i < c.dtypes.size() ? c.dtypes[i] : DType::float32;
    xs.push_back(c.make_input ? c.make_input(c.inputs[i], dt, uint32_t(i + 3))
                              : make(uniform(c.inputs[i].num_elements(), -1, 1, uint32_t(i + 3)), c.inputs[i], dt));
  }
  // Eager call: shape, weights.
  std::vector<Tensor> out = (*layer)(xs, false);
  REQUIRE(out.size() == 1);
  CHECK(out[0].shape().dims() == c.output);
  CHECK(layer->weights().size() == size_t(c.weights));
  CHECK(layer->trainable_weights().size() == size_t(c.trainable));

  // An empty batch: an empty output of the same shape otherwise (the batch axis 0).
  if (c.output.size() > 0 && c.output[0] == c.inputs.at(0).dims()[0]) {
    std::vector<Tensor> empty;
    for (size_t i = 0; i < xs.size(); ++i) {
      std::vector<int64_t> size = xs[i].shape().dims();
      size[0] = 0;
      empty.push_back(ops::slice(xs[i], std::vector<int64_t>(size.size(), 0), size));
    }
    std::vector<Tensor> e = (*layer)(empty, false);
    REQUIRE(e.size() == 1);
    keras::ShapeSpec want = c.output;
    want[0] = 0;
    CHECK(e[0].shape().dims() == want);
  }

  // Config round trip through JSON: an equal layer.
  keras::Config cfg = layer->get_config();
  keras::Config parsed = keras::Value::from_json(cfg.to_json());
  keras::LayerPtr again = keras::layers::from_config(layer->class_name(), parsed);
  CHECK(again->class_name() == layer->class_name());
  CHECK(again->get_config() == cfg);

  // Symbolic call on a fresh layer: the output shape with an unknown batch.
  keras::LayerPtr sym = c.make();
  std::vector<keras::KerasTensor> ins;
  for (size_t i = 0; i < c.inputs.size(); ++i) {
    auto dims = c.inputs[i].dims();
    keras::ShapeSpec s(dims.begin() + 1, dims.end());
    ins.push_back(keras::Input(s, {.dtype = i < c.dtypes.size() ? c.dtypes[i] : DType::float32}));
  }
  auto sout = (*sym)(ins);
  REQUIRE(sout.size() == 1);
  keras::ShapeSpec want = c.output;
  want[0] = -1;
  CHECK(sout[0].shape() == want);

  // build() called directly (as in Keras, it builds the layer): the call that follows
  // creates no second set of weights and gives the same shape.
  if (keras::LayerPtr direct = c.make(); !direct->built()) {
    std::vector<keras::ShapeSpec> shapes;
    for (const Tensor& x : xs) shapes.emplace_back(x.shape().dims().begin(), x.shape().dims().end());
    direct->build(shapes);
    const size_t n = direct->weights().size();
    std::vector<Tensor> d = (*direct)(xs, false);
    REQUIRE(d.size() == 1);
    CHECK(d[0].shape().dims() == c.output);
    CHECK(direct->weights().size() == n);
    CHECK(n == size_t(c.weights));
  }

  // A gradient reaches every trainable weight.
  if (c.trainable > 0) {
    keras::GradientTape tape;
    Tensor y = (*layer)(xs, true)[0];
    Tensor w = make(uniform(y.size(), 0.5, 1.5, 99), y.shape(), y.dtype());
    Tensor loss = ops::sum(ops::multiply(y, w));
    auto grads = tape.gradient(loss, layer->trainable_weights());
    for (size_t i = 0; i < grads.size(); ++i) {
      CAPTURE(i);
      REQUIRE(grads[i].defined());
      CHECK(grads[i].shape() == layer->trainable_weights()[i].shape());
    }
  }
  if (c.training_differs) {
    auto a = values((*layer)(xs, true)[0]), b = values((*layer)(xs, false)[0]);
    CHECK(a != b);
  }
  if (const char* log = std::getenv("KERAS_CPP_HARNESS_LOG"))
    std::ofstream(log, std::ios::app) << layer->class_name() << "\n";
}

}  // namespace th
