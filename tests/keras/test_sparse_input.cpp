// test_sparse_input.cpp - keras::Input(..., {.sparse = true}) feeding a Dense layer: the
// model called on SparseTensors, their gradients, fit / predict with sparse x, and the
// errors of dense ops on a sparse handle.
#include <doctest/doctest.h>

#include "error_of.h"
#include "files.h"
#include "helpers.h"
#include "keras/keras.h"

using namespace th;
namespace layers = keras::layers;
namespace sparse = keras::sparse;

namespace {

// n rows of `features` columns, about a quarter of them non-zero (seeded), float32.
keras::SparseTensor sparse_rows(int64_t n, int64_t features, uint32_t seed) {
  std::vector<double> u = uniform(n * features, 0.0, 1.0, seed), v = uniform(n * features, -2.0, 2.0, seed + 1);
  for (size_t i = 0; i < u.size(); ++i)
    if (u[i] > 0.25) v[i] = 0.0;
  return sparse::from_dense(make(v, Shape{n, features}));
}

keras::Ref<keras::FunctionalModel> model_on(bool sparse_input) {
  auto in = keras::Input({6}, {.sparse = sparse_input});
  return keras::Functional({in}, {layers::Dense(3, {.activation = "tanh"})(in)});
}

}  // namespace

TEST_CASE("sparse input: a Dense layer on Input(sparse) computes what it does on the dense input") {
  const keras::SparseTensor x = sparse_rows(10, 6, 3);
  auto ms = model_on(true), md = model_on(false);
  md->set_weights(ms->get_weights());
  const Tensor xs = x.as_tensor(), xd = sparse::to_dense(x);
  CHECK(sparse::is_sparse(xs));
  CHECK(xs.shape() == Shape{10, 6});
  check_values((*ms)(xs), values((*md)(xd)), 1e-6);
  check_values((*ms)(xd), values((*md)(xd)), 1e-6);  // a dense x still works

  // Gradients of the weights through sparse_dense_matmul are the dense path's.
  auto grad = [](keras::FunctionalModel& m, const Tensor& in) {
    keras::GradientTape tape;
    Tensor loss = ops::sum(ops::square(m(in)));
    return tape.gradient(loss, m.trainable_weights());
  };
  auto gs = grad(*ms, xs), gd = grad(*md, xd);
  REQUIRE(gs.size() == 2);
  for (size_t i = 0; i < gs.size(); ++i) check_values(gs[i], values(gd[i]), 1e-5);

  auto cfg = ms->get_layer(0)->get_config();
  CHECK(cfg.at("sparse").as_bool());
}

TEST_CASE("sparse input: fit and predict take sparse x, batched and shuffled, as dense x") {
  keras::ops::set_random_seed(2);
  const keras::SparseTensor x = sparse_rows(64, 6, 11);
  const Tensor xd = sparse::to_dense(x);
  const Tensor y = ops::matmul(xd, make(uniform(6 * 3, -1.0, 1.0, 5), Shape{6, 3}));
  auto ms = model_on(true), md = model_on(false);
  md->set_weights(ms->get_weights());
  for (auto* m : {ms.get(), md.get()})
    m->compile({.optimizer = keras::optimizers::SGD({.learning_rate = 0.1}), .loss = "mse"});
  auto hs = ms->fit(x.as_tensor(), y, {.batch_size = 8, .epochs = 5, .verbose = 0, .validation_split = 0.25, .seed = 4});
  auto hd = md->fit(xd, y, {.batch_size = 8, .epochs = 5, .verbose = 0, .validation_split = 0.25, .seed = 4});
  CHECK(hs.history["loss"].back() < hs.history["loss"].front());
  for (size_t e = 0; e < 5; ++e) {
    CHECK(hs.history["loss"][e] == doctest::Approx(hd.history["loss"][e]).epsilon(1e-5));
    CHECK(hs.history["val_loss"][e] == doctest::Approx(hd.history["val_loss"][e]).epsilon(1e-5));
  }
  const auto ws = ms->get_weights(), wd = md->get_weights();
  for (size_t i = 0; i < ws.size(); ++i) check_values(ws[i], values(wd[i]), 1e-5);
  check_values(ms->predict(x.as_tensor(), {.batch_size = 16}), values(md->predict(xd, {.batch_size = 16})), 1e-5);
  CHECK(ms->evaluate(x.as_tensor(), y, {.verbose = 0})["loss"] ==
        doctest::Approx(md->evaluate(xd, y, {.verbose = 0})["loss"]).epsilon(1e-5));
}

TEST_CASE("sparse input: dense ops and element reads on a sparse handle raise") {
  const keras::SparseTensor x(keras::constant({{0, 1}}, keras::DType::int64), keras::constant({2.0}), {2, 3});
  const Tensor t = x.as_tensor();
  CHECK(error_of([&] { ops::add(t, t); }) ==
        "add: input 0 is a SparseTensor (dense shape (2, 3), float32), which dense ops do not take: use a "
        "keras::sparse op, or sparse::to_dense");
  CHECK(error_of([&] { t.to_vector<float>(); }) ==
        "raw_data: the tensor stands for a SparseTensor of dense shape (2, 3) and has no dense elements (use "
        "sparse::to_dense)");
  CHECK(t.str() == x.str());
  CHECK(sparse::sparse_of(t).values().impl() == x.values().impl());
  CHECK_FALSE(sparse::is_sparse(ops::zeros({0})));
  CHECK_FALSE(sparse::sparse_of(ops::zeros({2})).defined());
  // keras::function takes it (its entries are read when the graph runs).
  auto f = keras::function([](const Tensor& a) { return sparse::to_dense(sparse::sparse_of(a)); });
  check_values(f(t), values(sparse::to_dense(x)), 0.0);
  auto in = keras::Input({2, 3}, {.sparse = true});
  auto d = layers::Dense(2);
  auto m = keras::Functional({in}, {d(in)});
  const keras::SparseTensor x3(keras::constant({{0, 1, 2}}, keras::DType::int64), keras::constant({2.0}), {1, 2, 3});
  CHECK(error_of([&] { (*m)(x3.as_tensor()); }).find("a sparse input must have rank 2 (batch, features), but received "
                                                    "dense shape (1, 2, 3)") != std::string::npos);
}

TEST_CASE("sparse input: Dataset elements slice, shuffle and batch sparse components; fit on them") {
  keras::ops::set_random_seed(3);
  const keras::SparseTensor x = sparse_rows(20, 6, 21);
  const Tensor xd = sparse::to_dense(x);
  const Tensor y = ops::matmul(xd, make(uniform(6 * 3, -1.0, 1.0, 6), Shape{6, 3}));
  namespace data = keras::data;
  // Batches of 8 in a shuffled order: each sparse batch is those rows of the dense x.
  auto ds = data::Dataset::from_tensor_slices({x.as_tensor(), y}).shuffle(20, {.seed = 1}).batch(8);
  auto dd = data::Dataset::from_tensor_slices({xd, y}).shuffle(20, {.seed = 1}).batch(8);
  auto it = dd.begin();
  int batches = 0;
  for (const data::Element& e : ds) {
    REQUIRE(sparse::is_sparse(e[0]));
    const keras::SparseTensor b = sparse::sparse_of(e[0]);
    CHECK(b.ordered());
    check_values(sparse::to_dense(b), values((*it)[0]), 0.0);
    check_values(e[1], values((*it)[1]), 0.0);
    ++it;
    ++batches;
  }
  CHECK(batches == 3);
  // One element: a sparse row of rank 1.
  auto one = data::Dataset::from_tensor_slices({x.as_tensor()}).skip(4).take(1);
  for (const data::Element& e : one) {
    REQUIRE(sparse::is_sparse(e[0]));
    check_values(sparse::to_dense(sparse::sparse_of(e[0])), values(xd[4]), 0.0);
  }
  // unbatch, rebatch and padded_batch (zeros: a larger dense shape) as on the dense x.
  auto same_stream = [](const data::Dataset& sparse_ds, const data::Dataset& dense_ds) {
    auto d = dense_ds.begin();
    int n = 0;
    for (const data::Element& e : sparse_ds) {
      REQUIRE(sparse::is_sparse(e[0]));
      CHECK(e[0].shape() == (*d)[0].shape());
      check_values(sparse::to_dense(sparse::sparse_of(e[0])), values((*d)[0]), 0.0);
      ++d;
      ++n;
    }
    CHECK(d == dense_ds.end());
    return n;
  };
  auto xs1 = data::Dataset::from_tensor_slices({x.as_tensor()});
  auto xd1 = data::Dataset::from_tensor_slices({xd});
  CHECK(same_stream(xs1.batch(4).unbatch(), xd1.batch(4).unbatch()) == 20);
  CHECK(same_stream(xs1.batch(4).rebatch(3), xd1.batch(4).rebatch(3)) == 7);
  CHECK(same_stream(xs1.padded_batch(8, {.padded_shapes = {{9}}}), xd1.padded_batch(8, {.padded_shapes = {{9}}})) == 3);
  CHECK(error_of([&] {
          for (const data::Element& e : xs1.padded_batch(8, {.padded_shapes = {{9}}, .padding_values = {1.0}})) (void)e;
        }).find("is sparse and pads with zeros only (its implicit value), but the padding value is 1") !=
        std::string::npos);
  // fit on the sparse dataset trains as on the dense one.
  auto ms = model_on(true), md = model_on(false);
  md->set_weights(ms->get_weights());
  for (auto* m : {ms.get(), md.get()})
    m->compile({.optimizer = keras::optimizers::SGD({.learning_rate = 0.1}), .loss = "mse"});
  auto hs = ms->fit(ds, {.epochs = 3, .verbose = 0});
  auto hd = md->fit(dd, {.epochs = 3, .verbose = 0});
  for (size_t e = 0; e < 3; ++e) CHECK(hs.history["loss"][e] == doctest::Approx(hd.history["loss"][e]).epsilon(1e-5));
}

TEST_CASE("sparse input: a saved model keeps its sparse Input and predicts the same from sparse x") {
  const keras::SparseTensor x = sparse_rows(5, 6, 31);
  auto m = model_on(true);
  const Tensor before = (*m)(x.as_tensor());
  TempDir dir;
  m->save(dir.file("sparse.kcpp"));
  keras::ModelPtr back = keras::models::load_model(dir.file("sparse.kcpp"));
  CHECK(back->get_layer(0)->get_config().at("sparse").as_bool());
  check_values(back->predict(x.as_tensor()), values(before), 1e-6);
}
