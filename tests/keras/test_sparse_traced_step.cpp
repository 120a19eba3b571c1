// test_sparse_traced_step.cpp - a model with a sparse input (Input(..., {.sparse = true})
// -> Dense) trains with traced steps: the eager steps' weights (bit for bit) and losses,
// one trace over batches with different numbers of entries, and one relaxed graph for
// a partial last batch.
#include <doctest/doctest.h>

#include "error_of.h"
#include "helpers.h"
#include "keras/keras.h"

using namespace th;
namespace layers = keras::layers;
namespace sparse = keras::sparse;

namespace {

// n rows of `features` columns, about a third of them non-zero (seeded), float32: each
// batch holds its own number of entries.
keras::SparseTensor rows(int64_t n, int64_t features, uint32_t seed) {
  std::vector<double> u = uniform(n * features, 0.0, 1.0, seed), v = uniform(n * features, -2.0, 2.0, seed + 1);
  for (size_t i = 0; i < u.size(); ++i)
    if (u[i] > 0.35) v[i] = 0.0;
  return sparse::from_dense(make(v, Shape{n, features}));
}

keras::Ref<keras::FunctionalModel> model(bool run_eagerly) {
  auto in = keras::Input({8}, {.sparse = true});
  auto h = layers::Dense(4, {.activation = "relu"})(in);
  auto m = keras::Functional({in}, {layers::Dense(2)(h)});
  m->compile({.optimizer = keras::optimizers::Adam({.learning_rate = 0.01}), .loss = "mse", .run_eagerly = run_eagerly});
  return m;
}

}  // namespace

TEST_CASE("sparse traced step: fit traces once over batches of different nnz and equals the eager steps") {
  keras::ops::set_random_seed(7);
  const keras::SparseTensor x = rows(48, 8, 31);
  const Tensor y = make(uniform(48 * 2, -1.0, 1.0, 9), Shape{48, 2});
  auto traced = model(false), eager = model(true);
  eager->set_weights(traced->get_weights());
  // Batches of 16 rows: their numbers of entries differ.
  std::vector<int64_t> nnz;
  for (int64_t b = 0; b < 3; ++b) nnz.push_back(sparse::slice(x, {b * 16, 0}, {16, 8}).nnz());
  CHECK((nnz[0] != nnz[1] || nnz[1] != nnz[2]));
  auto ht = traced->fit(x.as_tensor(), y, {.batch_size = 16, .epochs = 4, .verbose = 0, .shuffle = false});
  auto he = eager->fit(x.as_tensor(), y, {.batch_size = 16, .epochs = 4, .verbose = 0, .shuffle = false});
  REQUIRE(traced->train_function() != nullptr);
  CHECK(traced->train_function()->tracing_count() == 1);
  CHECK(traced->train_function()->graph_str().find("sparse.sparse_dense_matmul") != std::string::npos);
  CHECK(eager->train_function() == nullptr);
  CHECK(ht.history["loss"].back() < ht.history["loss"].front());
  for (size_t e = 0; e < 4; ++e) CHECK(ht.history["loss"][e] == doctest::Approx(he.history["loss"][e]).epsilon(1e-6));
  const auto wt = traced->get_weights(), we = eager->get_weights();
  for (size_t i = 0; i < wt.size(); ++i) check_values(wt[i], values(we[i]), 0.0);
  check_values(traced->predict(x.as_tensor(), {.batch_size = 16}), values(eager->predict(x.as_tensor(), {.batch_size = 16})),
               1e-6);
}

TEST_CASE("sparse traced step: a partial last batch relaxes the graph once; shuffled batches trace nothing more") {
  keras::ops::set_random_seed(8);
  const keras::SparseTensor x = rows(40, 8, 41);
  const Tensor y = make(uniform(40 * 2, -1.0, 1.0, 10), Shape{40, 2});
  auto traced = model(false), eager = model(true);
  eager->set_weights(traced->get_weights());
  auto ht = traced->fit(x.as_tensor(), y, {.batch_size = 16, .epochs = 3, .verbose = 0, .shuffle = false});
  auto he = eager->fit(x.as_tensor(), y, {.batch_size = 16, .epochs = 3, .verbose = 0, .shuffle = false});
  // 16, 16, 8: the batch of 8 traces once more and the relaxed graph serves both sizes.
  CHECK(traced->train_function()->tracing_count() == 2);
  CHECK(traced->train_function()->num_graphs() == 1);
  for (size_t e = 0; e < 3; ++e) CHECK(ht.history["loss"][e] == doctest::Approx(he.history["loss"][e]).epsilon(1e-6));
  const auto wt = traced->get_weights(), we = eager->get_weights();
  for (size_t i = 0; i < wt.size(); ++i) check_values(wt[i], values(we[i]), 0.0);
  traced->fit(x.as_tensor(), y, {.batch_size = 16, .epochs = 2, .verbose = 0, .seed = 3});
  CHECK(traced->train_function()->tracing_count() == 2);
}
