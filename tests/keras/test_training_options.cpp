// test_training_options.cpp - fit's sample_weight and class_weight, compile's
// loss_weights, and Functional models' outputs, each against values computed here from
// the data and the weights (Keras 3's definitions: a weighted loss is
// sum(w_i * loss_i) / batch_size, "sum_over_batch_size"), not against another fit.
//
// Every model starts from zero weights and takes one full-batch SGD step, so the loss
// logged for the epoch is the loss at the zero weights and the new weights are
// -learning_rate * gradient, both written out by hand below.
#include <cmath>
#include <map>

#include "keras/data/dataset.h"
#include "keras/keras.h"
#include "reference.h"

using namespace th;
namespace layers = keras::layers;

namespace {

constexpr double kLr = 0.1;
constexpr int64_t kN = 9;

keras::Ref<keras::SequentialModel> zero_dense(int64_t units, const std::string& activation, const std::string& loss) {
  auto m = keras::Sequential({layers::Dense(units, {.activation = activation, .kernel_initializer = "zeros",
                                                    .input_shape = {2}})});
  m->compile({.optimizer = keras::optimizers::SGD({.learning_rate = kLr}), .loss = loss});
  return m;
}

double sign(double v) { return v > 0 ? 1.0 : v < 0 ? -1.0 : 0.0; }

}  // namespace

TEST_CASE("fit: sample_weight scales each sample's loss and gradient (mse, by hand)") {
  const auto xv = uniform(kN * 2, -1, 1, 21), yv = uniform(kN, -2, 2, 22), wv = uniform(kN, 0, 3, 23);
  Tensor x = make(xv, Shape{kN, 2}), y = make(yv, Shape{kN, 1}), w = make(wv, Shape{kN});
  // At zero weights the prediction is 0: loss = sum(w y^2) / n; d loss / d k_j =
  // -2/n sum(w y x_j), d loss / d b = -2/n sum(w y).
  double loss = 0, gb = 0, gk[2] = {0, 0};
  for (int64_t i = 0; i < kN; ++i) {
    const double wy = wv[size_t(i)] * yv[size_t(i)];
    loss += wy * yv[size_t(i)] / kN;
    gb += -2.0 * wy / kN;
    for (int j = 0; j < 2; ++j) gk[j] += -2.0 * wy * xv[size_t(i * 2 + j)] / kN;
  }
  auto check_model = [&](keras::SequentialModel& m, const keras::callbacks::History& h) {
    CHECK(h.history.at("loss")[0] == doctest::Approx(loss).epsilon(1e-5));
    auto ws = m.get_weights();
    check_values(ws[0], std::vector<double>{-kLr * gk[0], -kLr * gk[1]}, 1e-5);
    check_values(ws[1], std::vector<double>{-kLr * gb}, 1e-5);
  };
  auto a = zero_dense(1, "linear", "mse");
  check_model(*a, a->fit(x, y, {.batch_size = kN, .epochs = 1, .verbose = 0, .shuffle = false, .sample_weight = w}));
  // The same from a Dataset of (x, y, sample_weight).
  auto b = zero_dense(1, "linear", "mse");
  check_model(*b, b->fit(keras::data::Dataset::from_tensor_slices({x, y, w}).batch(kN), {.epochs = 1, .verbose = 0}));
  // evaluate's sample_weight: the same weighted loss.
  auto c = zero_dense(1, "linear", "mse");
  CHECK(c->evaluate(x, y, {.verbose = 0, .sample_weight = w})["loss"] == doctest::Approx(loss).epsilon(1e-5));
}

TEST_CASE("fit: class_weight weights each sample by its class (softmax cross-entropy, by hand)") {
  const auto xv = uniform(kN * 2, -1, 1, 31);
  std::vector<int> yv;
  for (int64_t i = 0; i < kN; ++i) yv.push_back(int((i * 7) % 3));
  const std::map<int64_t, double> cw = {{0, 1.0}, {1, 2.5}, {2, 0.25}};
  Tensor x = make(xv, Shape{kN, 2}), y = core::constant(yv);
  // Zero weights: every probability is 1/3, each loss log(3); the gradient of the weighted
  // mean cross-entropy with respect to the logits of sample i is cw_i (1/3 - onehot_i) / n.
  double loss = 0, gb[3] = {0, 0, 0}, gk[2][3] = {{0, 0, 0}, {0, 0, 0}};
  for (int64_t i = 0; i < kN; ++i) {
    const double c = cw.at(yv[size_t(i)]);
    loss += c * std::log(3.0) / kN;
    for (int k = 0; k < 3; ++k) {
      const double g = c * (1.0 / 3 - (yv[size_t(i)] == k ? 1.0 : 0.0)) / kN;
      gb[k] += g;
      for (int j = 0; j < 2; ++j) gk[j][k] += g * xv[size_t(i * 2 + j)];
    }
  }
  auto m = zero_dense(3, "softmax", "sparse_categorical_crossentropy");
  auto h = m->fit(x, y, {.batch_size = kN, .epochs = 1, .verbose = 0, .shuffle = false, .class_weight = cw});
  CHECK(h.history.at("loss")[0] == doctest::Approx(loss).epsilon(1e-5));
  auto ws = m->get_weights();
  std::vector<double> want_k;
  for (int j = 0; j < 2; ++j)
    for (int k = 0; k < 3; ++k) want_k.push_back(-kLr * gk[j][k]);
  check_values(ws[0], want_k, 1e-5);
  check_values(ws[1], std::vector<double>{-kLr * gb[0], -kLr * gb[1], -kLr * gb[2]}, 1e-5);
}

TEST_CASE("compile: loss_weights weight each output's loss and gradient (mse + mae, by hand)") {
  const auto xv = uniform(kN * 2, -1, 1, 41), y1v = uniform(kN, -2, 2, 42), y2v = uniform(kN, -2, 2, 43);
  Tensor x = make(xv, Shape{kN, 2}), y1 = make(y1v, Shape{kN, 1}), y2 = make(y2v, Shape{kN, 1});
  const double w1 = 2.0, w2 = 0.25;
  auto make_model = [&] {
    auto in = keras::Input({2});
    auto a = layers::Dense(1, {.kernel_initializer = "zeros", .name = "a"})(in);
    auto b = layers::Dense(1, {.kernel_initializer = "zeros", .name = "b"})(in);
    auto m = keras::Functional({in}, {a, b});
    m->compile({.optimizer = keras::optimizers::SGD({.learning_rate = kLr}), .loss = {"mse", "mae"},
                .loss_weights = {w1, w2}});
    return m;
  };
  // Zero predictions: loss = w1 mean(y1^2) + w2 mean|y1|; the heads' gradients are
  // w1 * -2/n sum(y1 x) and w2 * -1/n sum(sign(y2) x) (d|p - y|/dp = sign(p - y)).
  double loss = 0, ga[3] = {0, 0, 0}, gb[3] = {0, 0, 0};  // kernel 0, kernel 1, bias
  for (int64_t i = 0; i < kN; ++i) {
    const double y1i = y1v[size_t(i)], y2i = y2v[size_t(i)];
    loss += (w1 * y1i * y1i + w2 * std::fabs(y2i)) / kN;
    const double da = w1 * -2.0 * y1i / kN, db = w2 * -sign(y2i) / kN;
    for (int j = 0; j < 2; ++j) {
      ga[j] += da * xv[size_t(i * 2 + j)];
      gb[j] += db * xv[size_t(i * 2 + j)];
    }
    ga[2] += da;
    gb[2] += db;
  }
  auto e = make_model();
  CHECK(e->evaluate({x}, {y1, y2}, {.verbose = 0})["loss"] == doctest::Approx(loss).epsilon(1e-5));
  auto m = make_model();
  auto h = m->fit({x}, {y1, y2}, {.batch_size = kN, .epochs = 1, .verbose = 0, .shuffle = false});
  CHECK(h.history.at("loss")[0] == doctest::Approx(loss).epsilon(1e-5));
  auto ws = m->get_weights();  // a's kernel and bias, then b's
  REQUIRE(ws.size() == 4);
  check_values(ws[0], std::vector<double>{-kLr * ga[0], -kLr * ga[1]}, 1e-5);
  check_values(ws[1], std::vector<double>{-kLr * ga[2]}, 1e-5);
  check_values(ws[2], std::vector<double>{-kLr * gb[0], -kLr * gb[1]}, 1e-5);
  check_values(ws[3], std::vector<double>{-kLr * gb[2]}, 1e-5);
}

TEST_CASE("Functional: a two-input model's outputs equal the layers computed by hand") {
  // Two inputs of one shape, so that swapping them would go unnoticed by the shapes.
  auto in1 = keras::Input({3}, {.name = "first"});
  auto in2 = keras::Input({3}, {.name = "second"});
  auto relu_path = layers::Dense(4, {.activation = "relu", .bias_initializer = "glorot_uniform"});
  auto linear_path = layers::Dense(2, {.bias_initializer = "glorot_uniform"});
  auto head = layers::Dense(1, {.bias_initializer = "glorot_uniform"});
  auto out = head(layers::Concatenate()({relu_path(in1), linear_path(in2)}));
  auto model = keras::Functional({in1, in2}, {out});
  const int64_t n = 5;
  const auto x1 = uniform(n * 3, -1, 1, 51), x2 = uniform(n * 3, -1, 1, 52);
  std::vector<Tensor> pred = model->predict(std::vector<Tensor>{make(x1, Shape{n, 3}), make(x2, Shape{n, 3})});
  auto h1 = dense_ref(x1, n, relu_path->kernel.value(), relu_path->bias.value(), true);
  auto h2 = dense_ref(x2, n, linear_path->kernel.value(), linear_path->bias.value());
  auto want = dense_ref(concat_rows(h1, 4, h2, 2, n), n, head->kernel.value(), head->bias.value());
  REQUIRE(pred.size() == 1);
  CHECK(pred[0].shape() == Shape{n, 1});
  check_values(pred[0], want, 1e-5);
  // Named inputs by position: the swap gives other values.
  auto swapped = model->predict(std::vector<Tensor>{make(x2, Shape{n, 3}), make(x1, Shape{n, 3})});
  CHECK(values(swapped[0]) != values(pred[0]));
}
