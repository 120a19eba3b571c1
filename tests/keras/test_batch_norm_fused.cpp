// BatchNormalization on its fused ops (channels_last: core/batch_norm.h) against the same
// layer on the composite path (axis 1 of the transposed input): outputs, gradients and
// moving statistics in training and inference, with and without scale and center, for
// float32, float64 and mixed_float16; a traced fit whose graph holds the fused ops; and
// a mask (the composite path), against Keras 3.
#include <map>
#include <string>
#include <vector>

#include "core/npy.h"
#include "layer_harness.h"
#include "test_data_dir.h"

using namespace th;
namespace layers = keras::layers;

namespace {

struct Run {
  Tensor y_train, y_infer, dx;
  std::vector<Tensor> dweights, moving;
};

// The layer's training step (weighted loss) and an inference call on x; `to_layout` maps
// x to the layer's layout and `from_layout` maps its outputs back.
Run run(const std::shared_ptr<layers::BatchNormalizationLayer>& bn, const Tensor& x, const Tensor& w,
        const ops::Axes& to_layout, const ops::Axes& from_layout) {
  Run r;
  Tensor xl = ops::transpose(x, to_layout);
  keras::GradientTape tape({.persistent = true});
  tape.watch(xl);
  Tensor y = (*bn)(xl, true);
  Tensor loss = ops::sum(ops::multiply(ops::cast(ops::transpose(y, from_layout), w.dtype()), w));
  r.y_train = ops::transpose(y, from_layout);
  r.dx = ops::transpose(tape.gradient(loss, xl), from_layout);
  r.dweights = tape.gradient(loss, bn->trainable_weights());
  tape.stop();
  r.moving = {bn->moving_mean.value(), bn->moving_variance.value()};
  r.y_infer = ops::transpose((*bn)(xl, false), from_layout);
  return r;
}

}  // namespace

TEST_CASE("BatchNormalization: the fused channels_last path equals the composite path (float32, float64, mixed)") {
  for (const std::string policy : {"float32", "float64", "mixed_float16"})
    for (bool scale : {true, false})
      for (bool center : {true, false}) {
        CAPTURE(policy);
        CAPTURE(scale);
        CAPTURE(center);
        const DType dt = policy == "float64" ? DType::float64 : DType::float32;
        const Shape s{6, 3, 2, 4};
        Tensor x = ops::add(make(uniform(s.num_elements(), -2, 2, 7), s, dt), ops::scalar_like(ops::zeros({1}, dt), 3.0));
        Tensor w = make(uniform(s.num_elements(), -1, 1, 8), s, dt);
        auto make_bn = [&](int64_t axis) {
          auto bn = layers::BatchNormalization({.axis = axis, .momentum = 0.9, .epsilon = 0.01, .center = center,
                                                .scale = scale});
          bn->set_dtype_policy(policy);
          return bn;
        };
        auto fused = make_bn(-1), composite = make_bn(1);
        (*fused)(x);
        (*composite)(ops::transpose(x, {0, 3, 1, 2}));
        std::vector<Tensor> weights = fused->get_weights();
        for (size_t i = 0; i < weights.size(); ++i) {
          const bool variance = i + 1 == weights.size();
          weights[i] = make(uniform(4, variance ? 0.5 : -1, 1.5, 30 + i), Shape{4}, weights[i].dtype());
        }
        fused->set_weights(weights);
        composite->set_weights(weights);
        const Run f = run(fused, x, w, {0, 1, 2, 3}, {0, 1, 2, 3});
        const Run c = run(composite, x, w, {0, 3, 1, 2}, {0, 2, 3, 1});
        const double tol = policy == "mixed_float16" ? 5e-3 : (dt == DType::float32 ? 1e-4 : 1e-10);
        CHECK(f.y_train.dtype() == (policy == "mixed_float16" ? DType::float16 : dt));
        check_values(f.y_train, values(c.y_train), tol);
        check_values(f.y_infer, values(c.y_infer), tol);
        check_values(f.dx, values(c.dx), policy == "mixed_float16" ? 2e-2 : tol * 10);
        REQUIRE(f.dweights.size() == c.dweights.size());
        for (size_t i = 0; i < f.dweights.size(); ++i) check_values(f.dweights[i], values(c.dweights[i]), tol * 10);
        for (size_t i = 0; i < 2; ++i) check_values(f.moving[i], values(c.moving[i]), tol);
      }
}

TEST_CASE("traced fit: BatchNormalization runs as fused_batch_norm with a fused_batch_norm_grad backward") {
  const Shape s{32, 6, 6, 3};
  Tensor x = make(uniform(s.num_elements(), -1, 1, 3), s);
  std::vector<double> yv(32);
  for (int i = 0; i < 32; ++i) yv[size_t(i)] = i % 3;
  Tensor y = ops::cast(make(yv, Shape{32}), DType::int64);
  auto m = keras::Sequential({layers::Conv2D(4, {3, 3}, {.input_shape = {6, 6, 3}}), layers::BatchNormalization(),
                              layers::Flatten(), layers::Dense(3)});
  m->compile({.optimizer = "adam", .loss = keras::losses::SparseCategoricalCrossentropy({.from_logits = true})});
  auto h = m->fit(x, y, {.batch_size = 16, .epochs = 2, .verbose = 0});
  REQUIRE(m->train_function());
  const std::string g = m->train_function()->graph_str();
  CHECK(g.find("fused_batch_norm(") != std::string::npos);
  CHECK(g.find("fused_batch_norm_grad(") != std::string::npos);
  CHECK(h.history["loss"].back() < h.history["loss"].front());
  m->evaluate(x, y, {.batch_size = 16, .verbose = 0});
  REQUIRE(m->test_function());
  CHECK(m->test_function()->graph_str().find("fused_batch_norm_inference(") != std::string::npos);
}

// Keras 3.15's BatchNormalization with a mask (tests/data/batch_norm/make_fixtures.py):
// training takes the moments over the unmasked positions (count + 1e-7 in the
// denominators) and normalizes every position with them; inference ignores the mask.
TEST_CASE("BatchNormalization: a mask restricts the training statistics, as Keras 3 (fixture)") {
  std::map<std::string, Tensor> fx;
  for (auto& [k, v] : keras::core::load_npz(std::string(KERAS_TEST_DATA_DIR) + "/batch_norm/batch_norm_mask.npz"))
    fx[k] = v;
  for (const std::string name : {"last", "axis1"}) {
    CAPTURE(name);
    const Tensor x = fx.at(name + "_x"), mask = fx.at(name + "_mask");
    auto bn = layers::BatchNormalization({.axis = name == "last" ? -1 : 1, .momentum = 0.5, .epsilon = 0.01});
    (*bn)(x);
    const int64_t ch = fx.at(name + "_gamma").shape()[0];
    bn->set_weights({fx.at(name + "_gamma"), fx.at(name + "_beta"), ops::zeros({ch}), ops::ones({ch})});
    Tensor y = (*bn)(x, {.training = true, .masks = {mask}});
    check_values(y, values(fx.at(name + "_y_train")), 1e-5);
    check_values(bn->moving_mean.value(), values(fx.at(name + "_moving_mean")), 1e-6);
    check_values(bn->moving_variance.value(), values(fx.at(name + "_moving_variance")), 1e-6);
    check_values((*bn)(x, {.training = false, .masks = {mask}}), values(fx.at(name + "_y_infer")), 1e-5);
  }
  auto bn = layers::BatchNormalization({.name = "bn"});
  CHECK_THROWS_WITH_AS((*bn)(ops::zeros({2, 3, 4}), {.training = true, .masks = {ops::ones({2}, DType::bool_)}}),
                       doctest::Contains("bn: expected a mask with one dimension less than the inputs"),
                       std::invalid_argument);
}
