// test_sparse_grad.cpp - gradients of SparseTensor values (and of dense operands) under a
// GradientTape, against tf.GradientTape's (tests/data/sparse/make_fixtures.py): the same
// weighted-sum losses, float64.
#include <doctest/doctest.h>

#include <functional>

#include "sparse_fixture.h"

namespace {

using namespace th;
namespace sparse = keras::core::sparse;
using keras::core::SparseTensor;

// sum(w[:n] * v) for a 1-d v of n elements.
Tensor wsum(const Tensor& w, const Tensor& v) {
  return ops::sum(ops::multiply(ops::slice(w, {0}, {v.shape()[0]}), v));
}

// Runs loss(xs) under a tape watching xs and checks the loss and each gradient against
// the fixture's name.loss, name.grad<i>.
void check_grads(const std::string& name, const std::vector<Tensor>& xs,
                 const std::function<Tensor(const std::vector<Tensor>&)>& loss) {
  const SparseFixture& f = sparse_fixture();
  CAPTURE(name);
  keras::core::GradientTape tape;
  for (const Tensor& x : xs) tape.watch(x);
  const Tensor l = loss(xs);
  f.same(l, name + ".loss", 1e-12);
  const std::vector<Tensor> g = tape.gradient(l, xs);
  for (size_t i = 0; i < xs.size(); ++i) {
    REQUIRE(g[i].defined());
    f.same(g[i], name + ".grad" + std::to_string(i), 1e-12);
  }
}

}  // namespace

TEST_CASE("sparse gradients: values and dense operands match tf.GradientTape") {
  const SparseFixture& f = sparse_fixture();
  const SparseTensor a = f.sparse("A"), b = f.sparse("B"), c = f.sparse("C"), e = f.sparse("E");
  const SparseTensor bo = sparse::reorder(b);
  const Tensor w8 = f("w8");
  check_grads("g_to_dense", {a.values()}, [&](const std::vector<Tensor>& x) {
    return ops::sum(ops::multiply(f("W45"), sparse::to_dense(a.with_values(x[0]))));
  });
  check_grads("g_reorder", {b.values()}, [&](const std::vector<Tensor>& x) {
    return wsum(w8, sparse::reorder(b.with_values(x[0])).values());
  });
  check_grads("g_add_ss", {a.values(), bo.values()}, [&](const std::vector<Tensor>& x) {
    return wsum(w8, sparse::add(a.with_values(x[0]), bo.with_values(x[1])).values());
  });
  check_grads("g_add_sd", {a.values(), f("D")}, [&](const std::vector<Tensor>& x) {
    return ops::sum(ops::multiply(f("W45"), sparse::add(a.with_values(x[0]), x[1])));
  });
  check_grads("g_matmul", {a.values(), f("M")}, [&](const std::vector<Tensor>& x) {
    return ops::sum(ops::multiply(f("W43"), sparse::sparse_dense_matmul(a.with_values(x[0]), x[1])));
  });
  check_grads("g_reduce_sum", {c.values()}, [&](const std::vector<Tensor>& x) {
    return ops::sum(ops::multiply(f("W23"), sparse::reduce_sum(c.with_values(x[0]), {1})));
  });
  check_grads("g_slice", {c.values()}, [&](const std::vector<Tensor>& x) {
    return wsum(w8, sparse::slice(c.with_values(x[0]), {0, 1, 1}, {2, 2, 5}).values());
  });
  check_grads("g_transpose", {c.values()}, [&](const std::vector<Tensor>& x) {
    return wsum(w8, sparse::transpose(c.with_values(x[0]), {2, 0, 1}).values());
  });
  check_grads("g_retain", {a.values()}, [&](const std::vector<Tensor>& x) {
    return wsum(w8, sparse::retain(a.with_values(x[0]), keras::core::constant({true, false, true, true})).values());
  });
  check_grads("g_from_dense", {f("D")}, [&](const std::vector<Tensor>& x) {
    return wsum(f("w32"), sparse::from_dense(x[0]).values());
  });
  check_grads("g_fill", {e.values(), keras::core::constant(-1.0, DType::float64)},
              [&](const std::vector<Tensor>& x) {
                return wsum(w8, sparse::fill_empty_rows(e.with_values(x[0]), x[1]).output.values());
              });
}
