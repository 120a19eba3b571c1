// test_composite_function.cpp - SparseTensors and tf.sets inside keras::function: sparse
// arguments (no retrace per number of entries), sparse ops as graph nodes equal to the
// eager ops and TensorFlow's fixtures, traced gradients, and the errors (accessors,
// export, jit_compile, a set result's unknown dense shape).
#include <doctest/doctest.h>

#include "core/export.h"
#include "core/function.h"
#include "core/sets.h"
#include "error_of.h"
#include "sparse_fixture.h"

namespace {

using namespace th;
namespace sparse = keras::core::sparse;
namespace sets = keras::core::sets;
using keras::core::SparseTensor;

SparseTensor sp_of(const Tensor& t) { return sparse::sparse_of(t); }

}  // namespace

TEST_CASE("composite function: sparse ops on sparse arguments run as graph nodes and match TensorFlow") {
  const SparseFixture& f = sparse_fixture();
  const SparseTensor a = f.sparse("A"), b = f.sparse("B"), c = f.sparse("C"), e = f.sparse("E");
  auto fn = keras::core::function([](const Tensor& ta, const Tensor& tb, const Tensor& tc, const Tensor& te,
                                     const Tensor& d, const Tensor& m) {
    const SparseTensor sa = sp_of(ta), sb = sp_of(tb), sc = sp_of(tc), se = sp_of(te);
    CHECK(sa.symbolic());
    CHECK(sa.shape() == std::vector<int64_t>{4, 5});
    const auto filled = sparse::fill_empty_rows(se, -1.0);
    return std::vector<Tensor>{
        sparse::to_dense(sa),                                         // 0
        sparse::to_dense(sa, 7.0),                                    // 1
        sparse::add(sa, sparse::reorder(sb)).as_tensor(),             // 2
        sparse::add(sa, d),                                           // 3
        sparse::sparse_dense_matmul(sa, m),                           // 4
        sparse::reduce_sum(sc, {1}),                                  // 5
        sparse::reduce_max(sc, {2}, true),                            // 6
        sparse::reshape(sa, {2, 10}).as_tensor(),                     // 7
        sparse::slice(sc, {0, 1, 1}, {2, 2, 5}).as_tensor(),          // 8
        sparse::transpose(sc, {2, 0, 1}).as_tensor(),                 // 9
        sparse::concat(1, {sa, sparse::reorder(sb)}).as_tensor(),     // 10
        filled.output.as_tensor(),                                    // 11
        filled.empty_row_indicator,                                   // 12
        sparse::to_dense(sparse::from_dense(d)),                      // 13
        sparse::reduce_sum(sa, {}),                                   // 14
    };
  });
  const auto out = fn(a.as_tensor(), b.as_tensor(), c.as_tensor(), e.as_tensor(), f("D"), f("M"));
  REQUIRE(out.size() == 15);
  f.same(out[0], "to_dense_A");
  f.same(out[1], "to_dense_A_7");
  f.same(sp_of(out[2]), "add_A_B");
  f.same(out[3], "add_A_D");
  f.same(out[4], "matmul_A_M", 1e-12);
  f.same(out[5], "reduce_sum_C_1");
  f.same(out[6], "reduce_max_C_2k");
  f.same(sp_of(out[7]), "reshape_A");
  f.same(sp_of(out[8]), "slice_C");
  f.same(sp_of(out[9]), "transpose_C");
  f.same(sp_of(out[10]), "concat_1");
  f.same(sp_of(out[11]), "fill_E");
  f.same(out[12], "fill_E.empty");
  check_values(out[13], values(f("D")));
  check_values(out[14], values(sparse::reduce_sum(a)), 0.0);  // bit for bit the eager op
  CHECK(fn.tracing_count() == 1);
  CHECK(fn.graph_str().find("composite(") != std::string::npos);
  CHECK(fn.graph_str().find("[sparse.sparse_dense_matmul(00)]") != std::string::npos);
}

TEST_CASE("composite function: a sparse argument's number of entries is not part of the signature") {
  const Tensor w = make(uniform(6 * 2, -1.0, 1.0, 3), Shape{6, 2});
  int traced = 0;
  auto fn = keras::core::function([&](const Tensor& x, const Tensor& k) {
    ++traced;
    return sparse::sparse_dense_matmul(sp_of(x), k);
  });
  for (int nnz : {1, 4, 9, 0}) {
    std::vector<double> v(24, 0.0);
    for (int i = 0; i < nnz; ++i) v[size_t(i * 5 % 24)] = 1.5 + i;
    const SparseTensor x = sparse::from_dense(make(v, Shape{4, 6}));
    REQUIRE(x.nnz() == nnz);
    check_values(fn(x.as_tensor(), w), values(sparse::sparse_dense_matmul(x, w)), 0.0);
  }
  CHECK(fn.tracing_count() == 1);
  CHECK(traced == 1);
  // A dense tensor of the same shape is another signature: it traces (and sparse_of gives
  // nothing for it).
  CHECK(error_of([&] { fn(ops::zeros({4, 6}), w); }).find("is an undefined SparseTensor") != std::string::npos);
  CHECK(traced == 2);
}

TEST_CASE("composite function: gradients of sparse values and dense operands trace, equal to eager and TensorFlow") {
  const SparseFixture& f = sparse_fixture();
  const SparseTensor a = f.sparse("A"), c = f.sparse("C");
  // Values (a SparseTensor built in the trace from known indices) and dense operands.
  auto g_matmul = keras::core::function([&](const Tensor& va, const Tensor& m) {
    keras::core::GradientTape tape;
    tape.watch(va);
    tape.watch(m);
    const Tensor l = ops::sum(ops::multiply(f("W43"), sparse::sparse_dense_matmul(a.with_values(va), m)));
    return tape.gradient(l, std::vector<Tensor>{va, m});
  });
  const auto gm = g_matmul(a.values(), f("M"));
  f.same(gm[0], "g_matmul.grad0", 1e-12);
  f.same(gm[1], "g_matmul.grad1", 1e-12);
  auto g_to_dense = keras::core::function([&](const Tensor& va) {
    keras::core::GradientTape tape;
    tape.watch(va);
    return tape.gradient(ops::sum(ops::multiply(f("W45"), sparse::to_dense(a.with_values(va)))), va);
  });
  f.same(g_to_dense(a.values()), "g_to_dense.grad0", 1e-12);
  auto g_add = keras::core::function([&](const Tensor& va, const Tensor& d) {
    keras::core::GradientTape tape;
    tape.watch(va);
    tape.watch(d);
    return tape.gradient(ops::sum(ops::multiply(f("W45"), sparse::add(a.with_values(va), d))),
                         std::vector<Tensor>{va, d});
  });
  const auto ga = g_add(a.values(), f("D"));
  f.same(ga[0], "g_add_sd.grad0", 1e-12);
  f.same(ga[1], "g_add_sd.grad1", 1e-12);
  auto g_sum = keras::core::function([&](const Tensor& vc) {
    keras::core::GradientTape tape;
    tape.watch(vc);
    return tape.gradient(ops::sum(ops::multiply(f("W23"), sparse::reduce_sum(c.with_values(vc), {1}))), vc);
  });
  f.same(g_sum(c.values()), "g_reduce_sum.grad0", 1e-12);

  // A sparse argument: the dense operand's gradient, bit for bit the eager one's.
  auto g_arg = keras::core::function([](const Tensor& x, const Tensor& m) {
    keras::core::GradientTape tape;
    tape.watch(m);
    return tape.gradient(ops::sum(ops::square(sparse::sparse_dense_matmul(sp_of(x), m, true))), m);
  });
  keras::core::GradientTape tape;
  const Tensor m4 = f("M4");
  tape.watch(m4);
  const Tensor eager = tape.gradient(ops::sum(ops::square(sparse::sparse_dense_matmul(a, m4, true))), m4);
  check_values(g_arg(a.as_tensor(), m4), values(eager), 0.0);
}

TEST_CASE("composite function: errors name the accessor or the op") {
  const SparseFixture& f = sparse_fixture();
  const SparseTensor a = f.sparse("A");
  // values() is a graph value (tests/core/test_sparse_entries_function.cpp); nnz() has no
  // traced form.
  auto values_of = keras::core::function([](const Tensor& x) { return sp_of(x).values(); });
  check_values(values_of(a.as_tensor()), values(a.values()), 0.0);
  auto nnz_of = keras::core::function([](const Tensor& x) { return ops::fill({1}, double(sp_of(x).nnz())); });
  CHECK(error_of([&] { nnz_of(a.as_tensor()); }).find("SparseTensor.nnz()") == 0);
  // Arguments are checked at trace time, with the eager op's message.
  auto bad = keras::core::function([](const Tensor& x, const Tensor& m) { return sparse::sparse_dense_matmul(sp_of(x), m); });
  CHECK(error_of([&] { bad(a.as_tensor(), f("M4")); }) ==
        "sparse.sparse_dense_matmul: cannot multiply A and B because the inner dimensions do not match: 5 vs. 4 "
        "(A [4,5], B (4, 3))");
  // Export and jit_compile refuse the host nodes, naming the op.
  CHECK(error_of([&] {
          keras::core::export_graph(
              [&](const std::vector<Tensor>& in) { return std::vector<Tensor>{sparse::to_dense(a.with_values(in[0]))}; },
              {{{4}, DType::float64}});
        }).find("export: the function uses sparse.") == 0);
  auto jit = keras::core::function([](const Tensor& x) { return sparse::to_dense(sp_of(x)); },
                                   {.name = "jit", .jit_compile = true});
  CHECK(error_of([&] { jit(a.as_tensor()); }) ==
        "jit: jit_compile=true cannot compile sparse.to_dense (a sparse or ragged op, run on the host); trace with "
        "jit_compile unset or false");
}

TEST_CASE("composite function: set ops inside a traced function equal TensorFlow's") {
  const SparseFixture& f = sparse_fixture();
  auto fn = keras::core::function([](const Tensor& a, const Tensor& b, const Tensor& s) {
    const SparseTensor inter = sets::intersection(a, b);
    CHECK(inter.unknown_last_dim());
    return std::vector<Tensor>{inter.as_tensor(), sets::union_(a, sp_of(s)).as_tensor(), sets::size(inter),
                               sets::size(sp_of(s))};
  });
  const auto out = fn(f("set_a"), f("set_b"), f.sparse("S").as_tensor());
  f.same(sp_of(out[0]), "inter_dd");
  f.same(sp_of(out[1]), "union_ds");
  check_values(out[2], values(sets::size(sets::intersection(f("set_a"), f("set_b")))), 0.0);
  f.same(out[3], "size_S");
}

TEST_CASE("composite function: a set result's dense shape follows each run, as tf.function's (None, None)") {
  const SparseFixture& f = sparse_fixture();
  // to_dense and dense ops on a set result whose last dimension (the widest set) is known
  // only when the graph runs: one trace serves every width.
  auto fn = keras::core::function([](const Tensor& a, const Tensor& b) {
    const Tensor u = sparse::to_dense(sets::union_(a, b), -1.0);
    const Tensor i = sparse::to_dense(sets::intersection(a, b));
    return std::vector<Tensor>{u, ops::sum(i, {-1}), ops::reshape(ops::multiply(u, ops::scalar_like(u, 2.0)), {-1}),
                               sparse::reduce_sum(sets::difference(a, b), {1})};
  });
  auto eager = [](const Tensor& a, const Tensor& b) {
    const Tensor u = sparse::to_dense(sets::union_(a, b), -1.0);
    return std::vector<Tensor>{u, ops::sum(sparse::to_dense(sets::intersection(a, b)), {-1}),
                               ops::reshape(ops::multiply(u, ops::scalar_like(u, 2.0)), {-1}),
                               sparse::reduce_sum(sets::difference(a, b), {1})};
  };
  const auto out = fn(f("set_a"), f("set_b"));
  check_values(out[0], values(sparse::to_dense(f.sparse("union_dd"), -1.0)), 0.0);  // TensorFlow's union
  CHECK(out[0].shape() == Shape{3, 5});
  check_values(out[1], values(ops::sum(sparse::to_dense(f.sparse("inter_dd")), {-1})), 0.0);
  check_values(out[3], values(sparse::reduce_sum(f.sparse("diff_dd"), {1})), 0.0);
  const std::vector<std::pair<Tensor, Tensor>> others = {
      {f("set_a"), f("set_a")},  // union width 4
      {f("set_b"), f("set_a")},
      {make({1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3}, Shape{3, 4}, DType::int32),  // union width 2, intersection 0
       make({4, 4, 4, 4, 5, 5, 5, 5, 6, 6, 6, 6}, Shape{3, 4}, DType::int32)}};
  for (size_t k = 0; k < others.size(); ++k) {
    CAPTURE(k);
    const auto got = fn(others[k].first, others[k].second), want = eager(others[k].first, others[k].second);
    for (size_t r = 0; r < got.size(); ++r) {
      REQUIRE(got[r].shape() == want[r].shape());
      check_values(got[r], values(want[r]), 0.0);
    }
  }
  CHECK(fn.tracing_count() == 1);
  // A graph that holds the width (read as a C++ number) raises, naming the op holding it;
  // so does an op that needs the width at trace time.
  auto sized = keras::core::function([](const Tensor& a, const Tensor& b) {
    const Tensor u = sparse::to_dense(sets::union_(a, b));
    return ops::reshape(u, {u.shape()[0] * u.shape()[1]});
  });
  CHECK(error_of([&] { sized(f("set_a"), f("set_b")); }) ==
        "function: the traced graph depends on a size known only when the graph runs (a sparse tensor's number of "
        "entries, or the last dimension of a set operation's result): reshape holds a size read from it at trace time; use ops that follow the size when the graph "
        "runs (reshape with -1, reductions), or run this part eagerly");
  auto reshaped = keras::core::function([](const Tensor& a, const Tensor& b) {
    return sparse::to_dense(sparse::reshape(sets::union_(a, b), {21}));
  });
  CHECK(error_of([&] { reshaped(f("set_a"), f("set_b")); })
            .find("sparse.reshape: inside a traced function, the dense shape of a set operation's result (the last "
                  "dimension known only when the graph runs) is not known at trace time") == 0);
}

TEST_CASE("composite function: under an outer tape, nested, and with an input_signature") {
  const SparseFixture& f = sparse_fixture();
  const SparseTensor a = f.sparse("A");
  const Tensor m = f("M");
  auto fn = keras::core::function([](const Tensor& x, const Tensor& w) {
    return ops::sum(ops::square(sparse::sparse_dense_matmul(sp_of(x), w)));
  });
  // A tape outside the function differentiates through its graph (recorded node by node).
  Tensor traced_grad, eager_grad;
  {
    keras::core::GradientTape tape;
    tape.watch(m);
    traced_grad = tape.gradient(fn(a.as_tensor(), m), m);
  }
  {
    keras::core::GradientTape tape;
    tape.watch(m);
    eager_grad = tape.gradient(ops::sum(ops::square(sparse::sparse_dense_matmul(a, m))), m);
  }
  REQUIRE(traced_grad.defined());
  check_values(traced_grad, values(eager_grad), 0.0);
  // An inner function called while an outer one traces is inlined, sparse argument included.
  auto outer = keras::core::function([&](const Tensor& x, const Tensor& w) {
    return ops::multiply(fn(x, w), keras::core::constant(2.0, DType::float64));
  });
  check_values(outer(a.as_tensor(), m), values(ops::multiply(fn(a.as_tensor(), m), keras::core::constant(2.0, DType::float64))),
               0.0);
  CHECK(outer.tracing_count() == 1);
  // A -1 batch size in the signature: one graph serves every dense shape's batch size.
  auto sig = keras::core::function(
      [](const Tensor& x, const Tensor& w) { return sparse::sparse_dense_matmul(sp_of(x), w); },
      {.input_signature = {{{-1, 5}, DType::float64}, {{5, 3}, DType::float64}}});
  check_values(sig(a.as_tensor(), m), values(sparse::sparse_dense_matmul(a, m)), 0.0);
  const SparseTensor two = sparse::slice(a, {0, 0}, {2, 5});
  check_values(sig(two.as_tensor(), m), values(sparse::sparse_dense_matmul(two, m)), 0.0);
  CHECK(sig.num_graphs() == 1);
}
