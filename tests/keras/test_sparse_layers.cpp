// test_sparse_layers.cpp - SparseTensor inputs through Reshape, Flatten, Permute, Identity,
// Concatenate and the merge layers (Add, Subtract, Average, Multiply, Maximum, Minimum)
// against Keras 3 on TensorFlow (tests/data/sparse_layers/sparse_layers.npz, written by
// make_fixtures.py there): which results stay sparse, their indices and values, and the
// dense ones; a functional model of two sparse inputs into Dense layers against Keras's
// predictions, trained eagerly and traced to the same weights; the sparse ops under them
// (sparse::maximum, minimum, multiply) with their gradients and errors.
#include <doctest/doctest.h>

#include <string>

#include "core/autodiff.h"
#include "helpers.h"
#include "keras/keras.h"
#include "npz_fixtures.h"

using namespace th;
namespace layers = keras::layers;
namespace sparse = keras::sparse;

namespace {

const std::string kFile = "sparse_layers/sparse_layers.npz";

Tensor fixture(const std::string& name) { return npz_array(kFile, name); }

bool fixture_is_sparse(const std::string& name) { return npz_arrays(kFile).count(name + ".indices") > 0; }

keras::SparseTensor sparse_fixture(const std::string& name) {
  const Tensor shape = fixture(name + ".dense_shape");
  return keras::SparseTensor(fixture(name + ".indices"), fixture(name + ".values"), shape.to_vector<int64_t>());
}

// The fixture `name`'s value as the same kind (a sparse handle, or dense).
Tensor input(const std::string& name) {
  return fixture_is_sparse(name) ? sparse_fixture(name).as_tensor() : fixture(name);
}

// got against Keras's result `name`: sparse with the same indices and values, or dense.
void check_result(const Tensor& got, const std::string& name) {
  CAPTURE(name);
  if (!fixture_is_sparse(name)) {
    REQUIRE_FALSE(sparse::is_sparse(got));
    check_values(got, values(fixture(name)), 1e-6);
    return;
  }
  REQUIRE(sparse::is_sparse(got));
  const keras::SparseTensor s = sparse::sparse_of(got);
  const keras::SparseTensor want = sparse_fixture(name);
  CHECK(s.shape() == want.shape());
  CHECK(s.host_indices() == want.host_indices());
  check_values(s.values(), values(want.values()), 1e-6);
}

Tensor call1(const keras::LayerPtr& layer, const Tensor& x) { return (*layer)(std::vector<Tensor>{x})[0]; }
Tensor call2(const keras::LayerPtr& layer, std::vector<Tensor> xs) { return (*layer)(xs)[0]; }

}  // namespace

TEST_CASE("sparse layers: Reshape, Flatten, Permute and Identity keep a SparseTensor sparse, as Keras") {
  check_result(call1(layers::Reshape({2, 3}), input("P")), "reshape");
  check_result(call1(layers::Reshape({-1, 2}), input("P")), "reshape_neg");
  check_result(call1(layers::Flatten(), input("R")), "flatten");
  check_result(call1(layers::Flatten({.data_format = "channels_first"}), input("R")), "flatten_cf");
  check_result(call1(layers::Permute({2, 1}), input("R")), "permute");
  check_result(call1(layers::Identity(), input("P")), "identity");
}

TEST_CASE("sparse layers: the merge layers and Concatenate on sparse and dense inputs, as Keras") {
  struct Merge {
    const char* name;
    std::function<keras::LayerPtr()> make;
  };
  const Merge merges[] = {
      {"add", [] { return layers::Add(); }},         {"subtract", [] { return layers::Subtract(); }},
      {"average", [] { return layers::Average(); }}, {"multiply", [] { return layers::Multiply(); }},
      {"maximum", [] { return layers::Maximum(); }}, {"minimum", [] { return layers::Minimum(); }}};
  for (const Merge& m : merges) {
    const std::string n = m.name;
    check_result(call2(m.make(), {input("P"), input("Q")}), n + "_ss");
    check_result(call2(m.make(), {input("P"), input("D")}), n + "_sd");
    check_result(call2(m.make(), {input("D"), input("P")}), n + "_ds");
  }
  check_result(call2(layers::Add(), {input("P"), input("Q"), input("P")}), "add_sss");
  check_result(call2(layers::Average(), {input("P"), input("Q"), input("P")}), "average_sss");
  check_result(call2(layers::Multiply(), {input("P"), input("Q"), input("P")}), "multiply_sss");
  check_result(call2(layers::Concatenate(), {input("P"), input("Q")}), "concatenate_ss");
  check_result(call2(layers::Concatenate(), {input("P"), input("D")}), "concatenate_sd");
  check_result(call2(layers::Concatenate(1), {input("R"), input("S")}), "concatenate_axis1");
}

TEST_CASE(
    "sparse layers: two sparse inputs through Concatenate and Flatten into Dense: Keras's predictions, "
    "and eager and traced fit give the same weights") {
  auto build = [] {
    auto a = keras::Input({6}, {.sparse = true}), b = keras::Input({2, 3}, {.sparse = true});
    auto h = layers::Concatenate()(std::vector<keras::KerasTensor>{a, layers::Flatten()(b)});
    h = layers::Dense(4, {.activation = "relu"})(h);
    return keras::Functional({a, b}, {layers::Dense(2)(h)});
  };
  auto model = build();
  std::vector<Tensor> w;
  for (int i = 0; i < 4; ++i) w.push_back(fixture("model.w" + std::to_string(i)));
  model->set_weights(w);
  const std::vector<Tensor> x{input("P"), input("R")};
  check_values(model->predict(x)[0], values(fixture("model.pred")), 1e-5);
  check_values((*model)(x)[0], values(fixture("model.pred")), 1e-5);

  const Tensor y = make(uniform(6, -1, 1, 7), Shape{3, 2});
  std::vector<std::vector<Tensor>> trained;
  for (bool eager : {true, false}) {
    auto m = build();
    m->set_weights(w);
    m->compile({.optimizer = "sgd", .loss = "mse", .run_eagerly = eager});
    m->fit(x, {y}, {.batch_size = 2, .epochs = 3, .verbose = 0, .shuffle = false});
    trained.push_back(m->get_weights());
  }
  for (size_t i = 0; i < trained[0].size(); ++i) check_values(trained[1][i], values(trained[0][i]), 1e-6);
  CHECK(values(trained[0][0]) != values(w[0]));  // it trained
}

TEST_CASE("sparse ops: maximum, minimum and multiply: entries, gradients of the values, errors") {
  // a: (0,1)=1 (1,0)=-2 (1,2)=3; b: (0,1)=-4 (1,1)=5 (1,2)=6
  const keras::SparseTensor a(ops::reshape(core::constant(std::vector<int64_t>{0, 1, 1, 0, 1, 2}), {3, 2}),
                              core::constant({1.0, -2.0, 3.0}), std::vector<int64_t>{2, 3});
  const keras::SparseTensor b(ops::reshape(core::constant(std::vector<int64_t>{0, 1, 1, 1, 1, 2}), {3, 2}),
                              core::constant({-4.0, 5.0, 6.0}), std::vector<int64_t>{2, 3});
  const keras::SparseTensor mx = sparse::maximum(a, b), mn = sparse::minimum(a, b), pr = sparse::multiply(a, b);
  CHECK(mx.host_indices() == std::vector<int64_t>{0, 1, 1, 0, 1, 1, 1, 2});
  check_values(mx.values(), std::vector<double>{1.0, 0.0, 5.0, 6.0});
  check_values(mn.values(), std::vector<double>{-4.0, -2.0, 0.0, 3.0});
  CHECK(pr.host_indices() == std::vector<int64_t>{0, 1, 1, 2});
  check_values(pr.values(), std::vector<double>{-4.0, 18.0});
  const Tensor d = core::constant({{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}});
  check_values(sparse::multiply(a, d).values(), std::vector<double>{2.0, -8.0, 18.0});
  // Gradients reach the values that took part.
  core::GradientTape tape;
  tape.watch(a.values());
  tape.watch(b.values());
  tape.watch(d);
  const Tensor loss =
      ops::add(ops::sum(sparse::maximum(a, b).values()),
               ops::add(ops::sum(sparse::multiply(a, b).values()), ops::sum(sparse::multiply(a, d).values())));
  auto g = tape.gradient(loss, {a.values(), b.values(), d});
  check_values(g[0], std::vector<double>{1.0 + -4.0 + 2.0, 0.0 + 0.0 + 4.0,
                                         0.0 + 6.0 + 6.0});  // max picks a at (0,1), 0 at (1,0)
  check_values(g[1], std::vector<double>{0.0 + 1.0, 1.0, 1.0 + 3.0});
  check_values(g[2], std::vector<double>{0.0, 1.0, 0.0, -2.0, 0.0, 3.0});
  CHECK_THROWS_WITH_AS(sparse::maximum(a, sparse::from_dense(ops::ones({3, 2}))),
                       doctest::Contains("sparse.maximum: expected the second operand to have the sparse one's shape "
                                         "[2,3] (no broadcasting), but received [3,2]"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(sparse::multiply(a, ops::ones({2, 3}, DType::float64)),
                       doctest::Contains("sparse.multiply: expected both operands to have the same dtype, but "
                                         "received float32 and float64"),
                       std::invalid_argument);
}

TEST_CASE("sparse layers: the merge layers traced in a keras::function equal the eager calls") {
  const std::vector<std::function<keras::LayerPtr()>> makes = {
      [] { return layers::Add(); },        [] { return layers::Subtract(); }, [] { return layers::Average(); },
      [] { return layers::Multiply(); },   [] { return layers::Maximum(); },  [] { return layers::Minimum(); },
      [] { return layers::Concatenate(); }};
  auto dense_of = [](const Tensor& t) { return sparse::is_sparse(t) ? sparse::to_dense(sparse::sparse_of(t)) : t; };
  for (const auto& make : makes) {
    auto layer = make();
    CAPTURE(layer->name());
    auto fn = keras::function([&](const Tensor& a, const Tensor& b) { return dense_of(call2(layer, {a, b})); });
    for (const auto& [a, b] : {std::pair{"P", "Q"}, std::pair{"Q", "P"}})
      check_values(fn(input(a), input(b)), values(dense_of(call2(layer, {input(a), input(b)}))), 0.0);
    CHECK(fn.tracing_count() == 1);  // another number of entries, the same graph
  }
}
