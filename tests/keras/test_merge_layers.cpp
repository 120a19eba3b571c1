// test_merge_layers.cpp - Add, Subtract, Multiply, Average, Maximum, Minimum,
// Concatenate and Dot: the layer harness, and their values against loops written here
// from Keras 3's definitions (keras/src/layers/merging/*.py).
#include <algorithm>
#include <cmath>
#include <functional>

#include "layer_harness.h"

using namespace th;
namespace layers = keras::layers;

namespace {

// n x d inputs as (tensor, values).
struct In {
  Tensor t;
  std::vector<double> v;
};
In input(const Shape& s, uint32_t seed) {
  In in{Tensor(), uniform(s.num_elements(), -2, 2, seed)};
  in.t = make(in.v, s, DType::float64);
  return in;
}

// The elementwise merge of k same-shape inputs, computed per element.
std::vector<double> fold(const std::vector<In>& ins, const std::function<double(double, double)>& f) {
  std::vector<double> out = ins[0].v;
  for (size_t i = 1; i < ins.size(); ++i)
    for (size_t j = 0; j < out.size(); ++j) out[j] = f(out[j], ins[i].v[j]);
  return out;
}

// Calls a merge layer in float64 (Keras's dtype="float64"; a float32 layer would cast the
// float64 inputs to float32).
Tensor call(const keras::LayerPtr& layer, const std::vector<In>& ins) {
  layer->set_dtype_policy("float64");
  std::vector<Tensor> xs;
  for (const In& i : ins) xs.push_back(i.t);
  return (*layer)(xs, false)[0];
}

}  // namespace

TEST_CASE("layer harness: the merge layers" * doctest::test_suite("layer_harness")) {
  const Shape s{3, 4};
  run_layer_test({"add", [] { return layers::Add(); }, {s, s, s}, {}, {3, 4}});
  run_layer_test({"subtract", [] { return layers::Subtract(); }, {s, s}, {}, {3, 4}});
  run_layer_test({"multiply", [] { return layers::Multiply(); }, {s, s}, {}, {3, 4}});
  run_layer_test({"average", [] { return layers::Average(); }, {s, s, s}, {}, {3, 4}});
  run_layer_test({"maximum", [] { return layers::Maximum(); }, {s, s}, {}, {3, 4}});
  run_layer_test({"minimum", [] { return layers::Minimum(); }, {s, s}, {}, {3, 4}});
  run_layer_test({"concatenate", [] { return layers::Concatenate(); }, {Shape{3, 2}, Shape{3, 5}}, {}, {3, 7}});
  run_layer_test({"concatenate axis 1", [] { return layers::Concatenate(1); }, {Shape{2, 3, 4}, Shape{2, 1, 4}}, {},
                  {2, 4, 4}});
  run_layer_test({"dot", [] { return layers::Dot(1); }, {s, s}, {}, {3, 1}});
  run_layer_test({"dot 3-d normalized", [] { return layers::Dot(std::vector<int64_t>{2, 1}, true); },
                  {Shape{2, 3, 4}, Shape{2, 4, 5}}, {}, {2, 3, 5}});
}

TEST_CASE("merge layers: elementwise values against per-element loops") {
  const Shape s{3, 4};
  std::vector<In> three = {input(s, 1), input(s, 2), input(s, 3)};
  std::vector<In> two = {three[0], three[1]};
  check_values(call(layers::Add(), three), fold(three, [](double a, double b) { return a + b; }), 1e-12);
  check_values(call(layers::Subtract(), two), fold(two, [](double a, double b) { return a - b; }), 1e-12);
  check_values(call(layers::Multiply(), three), fold(three, [](double a, double b) { return a * b; }), 1e-12);
  auto avg = fold(three, [](double a, double b) { return a + b; });
  for (double& x : avg) x /= 3;
  check_values(call(layers::Average(), three), avg, 1e-12);
  check_values(call(layers::Maximum(), three), fold(three, [](double a, double b) { return std::max(a, b); }), 0);
  check_values(call(layers::Minimum(), three), fold(three, [](double a, double b) { return std::min(a, b); }), 0);
  // Subtract is a - b, not b - a: the order of the inputs matters.
  auto swapped = fold({two[1], two[0]}, [](double a, double b) { return a - b; });
  CHECK(values(call(layers::Subtract(), two)) != swapped);
}

TEST_CASE("merge layers: Concatenate places each input's values along the axis") {
  In a = input(Shape{2, 3, 2}, 4), b = input(Shape{2, 1, 2}, 5);
  // axis 1: out[i, j, k] = a[i, j, k] for j < 3, else b[i, j - 3, k].
  std::vector<double> want;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 4; ++j)
      for (int k = 0; k < 2; ++k) want.push_back(j < 3 ? a.v[size_t((i * 3 + j) * 2 + k)] : b.v[size_t(i * 2 + k)]);
  Tensor y = call(layers::Concatenate(1), {a, b});
  CHECK(y.shape() == Shape{2, 4, 2});
  check_values(y, want, 0);
  // The last axis (the default).
  In c = input(Shape{2, 3, 1}, 6);
  std::vector<double> last;
  for (int r = 0; r < 6; ++r) {
    last.push_back(a.v[size_t(r * 2)]);
    last.push_back(a.v[size_t(r * 2 + 1)]);
    last.push_back(c.v[size_t(r)]);
  }
  check_values(call(layers::Concatenate(), {a, c}), last, 0);
}

TEST_CASE("merge layers: Dot is a batched dot product; normalize makes it a cosine") {
  // (B, K) . (B, K) along axis 1 -> (B, 1).
  In a = input(Shape{3, 4}, 7), b = input(Shape{3, 4}, 8);
  std::vector<double> dots, cosines;
  for (int i = 0; i < 3; ++i) {
    double d = 0, na = 0, nb = 0;
    for (int k = 0; k < 4; ++k) {
      double x = a.v[size_t(i * 4 + k)], y = b.v[size_t(i * 4 + k)];
      d += x * y;
      na += x * x;
      nb += y * y;
    }
    dots.push_back(d);
    cosines.push_back(d / std::sqrt(na) / std::sqrt(nb));
  }
  Tensor y = call(layers::Dot(1), {a, b});
  CHECK(y.shape() == Shape{3, 1});
  check_values(y, dots, 1e-12);
  check_values(call(layers::Dot(-1, true), {a, b}), cosines, 1e-12);

  // (B, M, K) . (B, K, N) with axes (2, 1) -> (B, M, N): a batch of matrix products.
  In p = input(Shape{2, 3, 4}, 9), q = input(Shape{2, 4, 5}, 10);
  std::vector<double> mm;
  for (int bi = 0; bi < 2; ++bi)
    for (int m = 0; m < 3; ++m)
      for (int n = 0; n < 5; ++n) {
        double acc = 0;
        for (int k = 0; k < 4; ++k) acc += p.v[size_t((bi * 3 + m) * 4 + k)] * q.v[size_t((bi * 4 + k) * 5 + n)];
        mm.push_back(acc);
      }
  Tensor z = call(layers::Dot(std::vector<int64_t>{2, 1}), {p, q});
  CHECK(z.shape() == Shape{2, 3, 5});
  check_values(z, mm, 1e-12);

  // axes (1, 1) on (B, K, M) and (B, K, N): contracts the first feature axis of both.
  In r = input(Shape{2, 4, 3}, 11);
  std::vector<double> first;
  for (int bi = 0; bi < 2; ++bi)
    for (int m = 0; m < 3; ++m)
      for (int n = 0; n < 5; ++n) {
        double acc = 0;
        for (int k = 0; k < 4; ++k) acc += r.v[size_t((bi * 4 + k) * 3 + m)] * q.v[size_t((bi * 4 + k) * 5 + n)];
        first.push_back(acc);
      }
  check_values(call(layers::Dot(std::vector<int64_t>{1, 1}), {r, q}), first, 1e-12);
}

TEST_CASE("merge layers: gradients reach each input with the right sign and scale") {
  In a = input(Shape{2, 3}, 12), b = input(Shape{2, 3}, 13);
  auto grads = [&](const keras::LayerPtr& layer) {
    layer->set_dtype_policy("float64");
    keras::GradientTape tape;
    tape.watch(a.t);
    tape.watch(b.t);
    Tensor y = (*layer)({a.t, b.t}, true)[0];
    return tape.gradient(ops::sum(y), std::vector<Tensor>{a.t, b.t});
  };
  auto sub = grads(layers::Subtract());
  check_values(sub[0], std::vector<double>(6, 1.0), 0);
  check_values(sub[1], std::vector<double>(6, -1.0), 0);
  auto avg = grads(layers::Average());
  check_values(avg[0], std::vector<double>(6, 0.5), 1e-15);
  auto mul = grads(layers::Multiply());
  check_values(mul[0], b.v, 0);  // d(a*b)/da = b
  check_values(mul[1], a.v, 0);
  auto mx = grads(layers::Maximum());
  for (size_t i = 0; i < 6; ++i) CHECK(values(mx[0])[i] == (a.v[i] > b.v[i] ? 1.0 : 0.0));
}
