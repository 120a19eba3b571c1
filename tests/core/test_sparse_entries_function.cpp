// test_sparse_entries_function.cpp - the entries of sparse tensors inside keras::function:
// values(), indices() and with_values() of symbolic sparse tensors, and ops whose number of
// entries depends on the values (from_dense, retain by a mask computed from the values,
// fill_empty_rows, add with a threshold), with one trace for every number of entries;
// against TensorFlow's tf.function (tests/data/sparse_function/make_fixtures.py), the
// eager ops, gradients, and the error where the graph would hold a number of entries.
#include <doctest/doctest.h>

#include <map>
#include <string>

#include <keras/keras.h>

#include "core/function.h"
#include "core/npy.h"
#include "core/sparse.h"
#include "error_of.h"
#include "helpers.h"
#include "test_data_dir.h"

namespace {

using namespace th;
namespace sparse = keras::core::sparse;
using keras::core::SparseTensor;

Tensor fx(const std::string& name) {
  static const std::map<std::string, Tensor> m = [] {
    std::map<std::string, Tensor> out;
    for (auto& [k, v] : core::load_npz(std::string(KERAS_TEST_DATA_DIR) + "/sparse_function/tf_fixtures.npz")) out[k] = v;
    return out;
  }();
  auto it = m.find(name);
  REQUIRE_MESSAGE(it != m.end(), "fixture array " << name);
  return it->second;
}

void same(const Tensor& got, const Tensor& want) {
  INFO("got " << got.shape().str() << ", want " << want.shape().str());
  REQUIRE(got.dtype() == want.dtype());
  REQUIRE(got.shape() == want.shape());
  check_values(got, values(want), 0.0);
}

// The function of the fixture (entries_fn there), on a sparse (3, 3) float32 sp and a dense x.
std::vector<Tensor> entries_fn(const SparseTensor& sp, const Tensor& x) {
  const SparseTensor d = sparse::from_dense(x);
  const SparseTensor kept = sparse::retain(sp, ops::greater(sp.values(), ops::scalar_like(sp.values(), 0.0)));
  const SparseTensor doubled = sp.with_values(ops::multiply(sp.values(), ops::scalar_like(sp.values(), 2.0)));
  const SparseTensor filled = sparse::fill_empty_rows(sp, -1.0).output;
  const SparseTensor summed = sparse::add(sp, sp, 0.5);
  return {ops::sum(d.values()), sparse::to_dense(kept), sparse::to_dense(doubled), filled.indices(),
          ops::sum(summed.values()), ops::reshape(ops::size(d.values(), DType::int64), {1})};
}

}  // namespace

TEST_CASE("sparse entries in a function: values, indices, with_values and value-dependent ops equal tf.function's, one trace") {
  auto fn = keras::core::function([](const Tensor& sp, const Tensor& x) { return entries_fn(sparse::sparse_of(sp), x); });
  const char* names[] = {"from_dense_sum", "retained", "doubled", "filled_indices", "add_sum", "nnz"};
  for (const char* c : {"c0", "c1", "c2"}) {  // 3, 1 and 0 entries; from_dense of 2, 1 and 0
    CAPTURE(c);
    const std::string k = c;
    const SparseTensor sp(fx(k + "_indices"), fx(k + "_values"), std::vector<int64_t>{3, 3});
    const auto got = fn(sp.as_tensor(), fx(k + "_x"));
    const auto eager = entries_fn(sp, fx(k + "_x"));
    REQUIRE(got.size() == 6);
    for (size_t r = 0; r < got.size(); ++r) {
      CAPTURE(names[r]);
      same(got[r], fx(k + "_" + names[r]));
      same(got[r], eager[r]);
    }
  }
  CHECK(fn.tracing_count() == fx("tracing_count").item<int64_t>());  // 1, as TensorFlow's
  // In the graph: one node per read of the entries.
  CHECK(fn.graph_str().find("SparseTensor.values()") != std::string::npos);
  CHECK(fn.graph_str().find("SparseTensor.with_values") != std::string::npos);
}

TEST_CASE("sparse entries in a function: gradients through values() equal eager") {
  const Tensor x = make({0, 1.5, -2, 0, 0, 3}, Shape{2, 3});
  auto loss_of = [](const Tensor& v) {
    const SparseTensor sp = sparse::from_dense(v);
    return ops::sum(ops::multiply(ops::square(sp.values()), ops::scalar_like(v, 0.5)));
  };
  auto grad = keras::core::function([&](const Tensor& v) {
    keras::core::GradientTape tape;
    tape.watch(v);
    return tape.gradient(loss_of(v), v);
  });
  keras::core::GradientTape tape;
  tape.watch(x);
  const Tensor eager = tape.gradient(loss_of(x), x);
  same(grad(x), eager);
  check_values(grad(x), std::vector<double>{0, 1.5, -2, 0, 0, 3}, 0.0);  // d(0.5 v^2)/dv = v where stored, 0 elsewhere
  const Tensor y = make({1, 0, 0, 0, 0, 4}, Shape{2, 3});  // other entries: the same graph
  check_values(grad(y), std::vector<double>{1, 0, 0, 0, 0, 4}, 0.0);
  CHECK(grad.tracing_count() == 1);
}

TEST_CASE("sparse entries in a function: a graph holding a number of entries raises naming the op") {
  const SparseTensor sp(core::constant(std::vector<int64_t>{0, 1, 2, 0}, Shape{2, 2}), make({1, 2}, Shape{2}),
                        std::vector<int64_t>{3, 3});
  auto held = keras::core::function([](const Tensor& t) {
    const Tensor v = sparse::sparse_of(t).values();
    return ops::reshape(v, {v.shape()[0], 1});  // the stand-in's count as a C++ number
  });
  CHECK(error_of([&] { held(sp.as_tensor()); }) ==
        "function: the traced graph depends on a size known only when the graph runs (a sparse tensor's number of "
        "entries, or the last dimension of a set operation's result): reshape holds a size read from it at trace "
        "time; use ops that follow the size when the graph runs (reshape with -1, reductions), or run this part "
        "eagerly");
  auto follows = keras::core::function([](const Tensor& t) {
    return ops::reshape(sparse::sparse_of(t).values(), {-1, 1});
  });
  same(follows(sp.as_tensor()), make({1, 2}, Shape{2, 1}));
  // nnz() is a C++ number: it has no traced form.
  auto nnz = keras::core::function([](const Tensor& t) { return ops::fill({1}, double(sparse::sparse_of(t).nnz())); });
  CHECK(error_of([&] { nnz(sp.as_tensor()); }).find("SparseTensor.nnz(): this sparse tensor (dense shape [3,3], "
                                                     "float32) is a value of a traced function") == 0);
}
