// test_ragged_function.cpp - RaggedTensors inside keras::function: ragged arguments as
// traced parts (one trace for every row length), ragged ops as graph nodes equal to the
// eager ops and to TensorFlow's tf.function (tests/data/ragged_function/make_fixtures.py),
// ragged results, gradients to the flat values, a traced train step on a ragged batch, and
// the errors.
#include <doctest/doctest.h>

#include <map>
#include <string>

#include <keras/keras.h>

#include "core/export.h"
#include "core/function.h"
#include "core/npy.h"
#include "core/ragged.h"
#include "core/autodiff.h"
#include "error_of.h"
#include "helpers.h"
#include "test_data_dir.h"

namespace {

using namespace th;
using keras::core::RaggedTensor;
namespace ragged = keras::core::ragged;

const std::map<std::string, Tensor>& fixtures() {
  static const std::map<std::string, Tensor> m = [] {
    std::map<std::string, Tensor> out;
    for (auto& [k, v] : core::load_npz(std::string(KERAS_TEST_DATA_DIR) + "/ragged_function/tf_fixtures.npz")) out[k] = v;
    return out;
  }();
  return m;
}
Tensor fx(const std::string& name) {
  auto it = fixtures().find(name);
  REQUIRE_MESSAGE(it != fixtures().end(), "fixture array " << name);
  return it->second;
}
RaggedTensor rt_fx(const std::string& name) {
  return RaggedTensor::from_row_splits(fx(name + "_values"), fx(name + "_splits0"));
}

// Same dtype, shape and bits.
void same(const Tensor& got, const Tensor& want) {
  INFO("got " << got.shape().str() << ", want " << want.shape().str());
  REQUIRE(got.dtype() == want.dtype());
  REQUIRE(got.shape() == want.shape());
  check_values(got, values(want), 0.0);
}
void same(const RaggedTensor& got, const RaggedTensor& want) {
  REQUIRE(got.ragged_rank() == want.ragged_rank());
  same(got.flat_values(), want.flat_values());
  for (size_t l = 0; l < got.nested_row_splits().size(); ++l) same(got.nested_row_splits()[l], want.nested_row_splits()[l]);
}

// The ops of the TensorFlow fixture, on a ragged_rank-1 float32 tensor.
std::vector<Tensor> fixture_ops(const RaggedTensor& rt) {
  const RaggedTensor big = ragged::map_flat_values(
      [](const Tensor& v) { return ops::greater(v, ops::scalar_like(v, 2.0)); }, rt);
  return {rt.to_tensor(-1.0),
          rt.to_tensor(0.0, {-1, 3}),
          ragged::reduce_sum(rt, 1).flat_values(),
          ragged::reduce_mean(rt, 1).flat_values(),
          ragged::reduce_max(rt, 1).flat_values(),
          rt.row_lengths(),
          ragged::map_flat_values([](const Tensor& v) { return ops::add(ops::multiply(v, ops::scalar_like(v, 2.0)),
                                                                         ops::scalar_like(v, 1.0)); }, rt).as_tensor(),
          ragged::boolean_mask(rt, big).as_tensor(),
          ragged::reduce_sum(rt, 0).flat_values()};
}

const char* kPatterns[] = {"p0", "p1", "p2", "p3"};

}  // namespace

TEST_CASE("ragged function: one trace serves every row length and equals TensorFlow's tf.function and eager") {
  auto fn = keras::core::function([](const Tensor& x) {
    const RaggedTensor rt = ragged::ragged_of(x);
    CHECK(rt.ragged_rank() == 1);
    return fixture_ops(rt);
  });
  const char* names[] = {"to_tensor", "to_tensor_shape", "sum", "mean", "max", "row_lengths", "mapped", "masked", "sum_axis0"};
  for (const char* p : kPatterns) {
    CAPTURE(p);
    const RaggedTensor rt = rt_fx(p);
    const auto out = fn(rt.as_tensor());
    const auto eager = fixture_ops(rt);
    REQUIRE(out.size() == 9);
    for (size_t i = 0; i < out.size(); ++i) {
      CAPTURE(names[i]);
      const std::string name = std::string(p) + "_" + names[i];
      if (ragged::is_ragged(out[i]) || fixtures().count(name + "_values")) {
        REQUIRE(ragged::is_ragged(eager[i]) == ragged::is_ragged(out[i]));
        const RaggedTensor got = ragged::ragged_of(out[i]);
        REQUIRE(got.defined());
        same(got, ragged::ragged_of(eager[i]));
        same(got, rt_fx(name));
      } else {
        same(out[i], eager[i]);
        same(out[i], fx(name));
      }
    }
  }
  CHECK(fn.tracing_count() == 1);
  CHECK(fn.num_graphs() == 1);
  CHECK(fn.graph_str().find("ragged.reduce_sum") != std::string::npos);
}

TEST_CASE("ragged function: gather, masks, concat, ragged operands and ragged tensors built inside") {
  auto fn = keras::core::function([](const Tensor& x, const Tensor& y, const Tensor& idx, const Tensor& mask,
                                     const Tensor& vals, const Tensor& splits, const Tensor& rowids) {
    const RaggedTensor a = ragged::ragged_of(x), b = ragged::ragged_of(y);
    const RaggedTensor built = RaggedTensor::from_row_splits(vals, splits);
    const RaggedTensor by_ids = RaggedTensor::from_value_rowids(vals, rowids, 4);
    return std::vector<Tensor>{
        ragged::gather(a, idx).as_tensor(),
        ragged::boolean_mask(a, mask).as_tensor(),
        ragged::concat({a, b}, 0).as_tensor(),
        ragged::concat({a, b}, 1).as_tensor(),
        (a * b + a).as_tensor(),
        (a - 1.5).as_tensor(),
        built.as_tensor(),
        ragged::reduce_sum(by_ids, 1).flat_values(),
        built.to_tensor(),
        built.value_rowids(),
    };
  });
  auto eager_of = [](const RaggedTensor& a, const RaggedTensor& b, const Tensor& idx, const Tensor& mask, const Tensor& vals,
                     const Tensor& splits, const Tensor& rowids) {
    const RaggedTensor built = RaggedTensor::from_row_splits(vals, splits);
    return std::vector<Tensor>{ragged::gather(a, idx).as_tensor(), ragged::boolean_mask(a, mask).as_tensor(),
                               ragged::concat({a, b}, 0).as_tensor(), ragged::concat({a, b}, 1).as_tensor(),
                               (a * b + a).as_tensor(), (a - 1.5).as_tensor(), built.as_tensor(),
                               ragged::reduce_sum(RaggedTensor::from_value_rowids(vals, rowids, 4), 1).flat_values(),
                               built.to_tensor(), built.value_rowids()};
  };
  struct Case {
    RaggedTensor a;
    std::vector<int64_t> idx;
    std::vector<bool> mask;
    std::vector<double> vals;
    std::vector<int64_t> splits, rowids;
  };
  const std::vector<Case> cases = {
      {ragged::constant(std::vector<std::vector<double>>{{1, 2}, {}, {3, 4, 5}}), {2, 0, 2}, {true, false, true},
       {1, 2, 3}, {0, 1, 1, 3}, {0, 2, 3}},
      {ragged::constant(std::vector<std::vector<double>>{{}, {6}, {7, 8}, {}, {9}}), {1, 4}, {false, false, true, true, true},
       {4, 5, 6, 7, 8}, {0, 5}, {0, 0, 1, 3, 3}},
      {ragged::constant(std::vector<std::vector<double>>{{}, {}}), {}, {true, true}, {}, {0}, {}},
  };
  for (size_t c = 0; c < cases.size(); ++c) {
    CAPTURE(c);
    const Case& k = cases[c];
    const RaggedTensor b = k.a * 3.0;
    const Tensor idx = core::constant(k.idx, Shape{int64_t(k.idx.size())});
    std::vector<int> m(k.mask.begin(), k.mask.end());
    const Tensor mask = ops::cast(core::constant(m, Shape{int64_t(m.size())}), DType::bool_);
    const Tensor vals = make(k.vals, Shape{int64_t(k.vals.size())});
    const Tensor splits = core::constant(k.splits, Shape{int64_t(k.splits.size())});
    const Tensor rowids = core::constant(k.rowids, Shape{int64_t(k.rowids.size())});
    const auto out = fn(k.a.as_tensor(), b.as_tensor(), idx, mask, vals, splits, rowids);
    const auto want = eager_of(k.a, b, idx, mask, vals, splits, rowids);
    REQUIRE(out.size() == want.size());
    for (size_t i = 0; i < out.size(); ++i) {
      CAPTURE(i);
      REQUIRE(ragged::is_ragged(out[i]) == ragged::is_ragged(want[i]));
      if (ragged::is_ragged(out[i])) same(ragged::ragged_of(out[i]), ragged::ragged_of(want[i]));
      else same(out[i], want[i]);
    }
  }
  CHECK(fn.tracing_count() == int(cases.size()));  // the dense arguments' shapes differ per case
  // Bad row partitions built inside raise when the graph runs, with the eager op's message.
  const RaggedTensor a = cases[0].a;
  CHECK(error_of([&] {
          fn(a.as_tensor(), (a * 3.0).as_tensor(), core::constant(std::vector<int64_t>{0}, Shape{1}),
             ops::cast(core::constant(std::vector<int>{1, 1, 1}, Shape{3}), DType::bool_), make({1, 2}, Shape{2}),
             core::constant(std::vector<int64_t>{0, 3, 1, 2}, Shape{4}), core::constant(std::vector<int64_t>{0, 1}, Shape{2}));
        }).find("RaggedTensor.from_row_splits") == 0);
}

TEST_CASE("ragged function: gradients through to_tensor and reductions reach the flat values, equal to eager") {
  auto loss_of = [](const RaggedTensor& rt, const Tensor& w) {
    const Tensor dense = rt.to_tensor(0.0, {-1, 4});
    Tensor l = ops::sum(ops::multiply(dense, w));
    l = ops::add(l, ops::sum(ops::square(ragged::reduce_sum(rt, 1).flat_values())));
    const RaggedTensor nonempty = ragged::boolean_mask(rt, ops::greater(rt.row_lengths(), core::constant(int64_t{0})));
    l = ops::add(l, ops::sum(ragged::reduce_max(nonempty, 1).flat_values()));
    return ops::add(l, ops::sum(ragged::reduce_mean(nonempty, 1).flat_values()));
  };
  const Tensor w = make(uniform(4, -1, 1, 5), Shape{4});
  auto fn = keras::core::function([&](const Tensor& x) {
    const RaggedTensor rt = ragged::ragged_of(x);
    keras::core::GradientTape tape;
    tape.watch(rt.flat_values());
    const Tensor l = loss_of(rt, w);
    return std::vector<Tensor>{l, tape.gradient(l, rt.flat_values())};
  });
  for (const char* p : kPatterns) {
    CAPTURE(p);
    const RaggedTensor rt = rt_fx(p);
    const auto out = fn(rt.as_tensor());
    keras::core::GradientTape tape;
    tape.watch(rt.flat_values());
    const Tensor l = loss_of(rt, w);
    const Tensor g = tape.gradient(l, rt.flat_values());
    same(out[0], l);
    REQUIRE(out[1].defined());
    same(out[1], g);
  }
  CHECK(fn.tracing_count() == 1);
  // A tape outside the function differentiates the call with respect to the flat values.
  auto f2 = keras::core::function([&](const Tensor& x) { return loss_of(ragged::ragged_of(x), w); });
  const RaggedTensor rt = rt_fx("p1");
  keras::core::GradientTape outer;
  outer.watch(rt.flat_values());
  const Tensor g = outer.gradient(f2(rt.as_tensor()), rt.flat_values());
  keras::core::GradientTape eager;
  eager.watch(rt.flat_values());
  same(g, eager.gradient(loss_of(rt, w), rt.flat_values()));
}

TEST_CASE("ragged function: a traced train step on ragged token batches equals eager bit for bit") {
  // Embedding + ragged mean pooling + a dense head, trained with SGD.
  auto make_weights = [] {
    return std::vector<keras::core::Variable>{keras::core::Variable(make(uniform(10 * 4, -0.5, 0.5, 21), Shape{10, 4}), "emb"),
                                              keras::core::Variable(make(uniform(4 * 2, -0.5, 0.5, 22), Shape{4, 2}), "w"),
                                              keras::core::Variable(ops::zeros(Shape{2}, DType::float32), "b")};
  };
  auto step_body = [](std::vector<keras::core::Variable>& vars, const RaggedTensor& ids, const Tensor& y) {
    keras::core::GradientTape tape;
    const Tensor emb = vars[0].value(), w = vars[1].value(), b = vars[2].value();
    tape.watch(emb);
    tape.watch(w);
    tape.watch(b);
    const RaggedTensor e = ragged::map_flat_values([&](const Tensor& t) { return ops::gather(emb, t); }, ids);
    const Tensor pooled = ragged::reduce_mean(e, 1).flat_values();
    const Tensor logits = ops::add(ops::matmul(pooled, w), b);
    const Tensor loss = ops::mean(ops::square(ops::subtract(logits, y)));
    const auto grads = tape.gradient(loss, std::vector<Tensor>{emb, w, b});
    for (size_t i = 0; i < vars.size(); ++i) vars[i].assign_sub(ops::multiply(grads[i], ops::scalar_like(grads[i], 0.1)));
    return loss;
  };
  auto traced_vars = make_weights();
  auto eager_vars = make_weights();
  auto step = keras::core::function([&](const Tensor& ids, const Tensor& y) {
    return step_body(traced_vars, ragged::ragged_of(ids), y);
  });
  const std::vector<std::vector<std::vector<int64_t>>> batches = {
      {{1, 2, 3}, {4}, {5, 6}}, {{7}, {8, 9, 1, 2}, {3}}, {{3, 3}, {0}, {9, 8, 7}, {6}}, {{2, 5}, {1}, {1, 1, 1}},
      {{4, 4, 4, 4, 4}, {}}, {{0}}};
  for (size_t s = 0; s < batches.size(); ++s) {
    CAPTURE(s);
    const RaggedTensor ids = ragged::constant(batches[s]);
    const Tensor y = make(uniform(int64_t(batches[s].size()) * 2, -1, 1, 30 + uint32_t(s)),
                          Shape{int64_t(batches[s].size()), 2});
    const Tensor traced_loss = step(ids.as_tensor(), y);
    const Tensor eager_loss = step_body(eager_vars, ids, y);
    CHECK(same_bits({traced_loss}, {eager_loss}));
    std::vector<Tensor> a, b;
    for (auto& v : traced_vars) a.push_back(v.value());
    for (auto& v : eager_vars) b.push_back(v.value());
    CHECK(same_bits(a, b));
  }
  // One graph serves every number of ids and rows (the gather's gradient holds no count;
  // the labels' batch size follows the rows).
  CHECK(step.tracing_count() == 1);
}

TEST_CASE("ragged function: nested functions, and errors naming the op") {
  const RaggedTensor rt = rt_fx("p1");
  auto inner = keras::core::function([](const Tensor& x) {
    return ragged::map_flat_values([](const Tensor& v) { return ops::square(v); }, ragged::ragged_of(x)).as_tensor();
  });
  auto outer = keras::core::function([&](const Tensor& x) { return ragged::reduce_sum(ragged::ragged_of(inner(x)), 1).flat_values(); });
  same(outer(rt.as_tensor()), ragged::reduce_sum(ragged::map_flat_values([](const Tensor& v) { return ops::square(v); }, rt), 1).flat_values());
  same(ragged::ragged_of(inner(rt.as_tensor())), ragged::map_flat_values([](const Tensor& v) { return ops::square(v); }, rt));

  auto bounding = keras::core::function([](const Tensor& x) {
    return core::constant(ragged::ragged_of(x).bounding_shape());
  });
  CHECK(error_of([&] { bounding(rt.as_tensor()); }).find("RaggedTensor.bounding_shape: inside a traced function") == 0);
  auto dense_op = keras::core::function([](const Tensor& x) { return ops::exp(x); });
  CHECK(error_of([&] { dense_op(rt.as_tensor()); }).find("is a RaggedTensor") != std::string::npos);
  auto sized = keras::core::function([](const Tensor& x) {
    const RaggedTensor r = ragged::ragged_of(x);
    return ops::fill({r.flat_values().shape()[0]}, 1.0);
  });
  // A graph that holds the number of values serves that number alone (a retrace per size).
  check_values(sized(rt.as_tensor()), std::vector<double>(size_t(rt.flat_values().shape()[0]), 1.0), 0.0);
  const RaggedTensor other = rt_fx("p0");
  check_values(sized(other.as_tensor()), std::vector<double>(size_t(other.flat_values().shape()[0]), 1.0), 0.0);
  CHECK(sized.tracing_count() == 2);
  // A size that only the row lengths give (the padded length) cannot be a C++ number.
  auto padded = keras::core::function([](const Tensor& x) {
    return ops::fill({ragged::ragged_of(x).to_tensor().shape()[1]}, 1.0);
  });
  CHECK(error_of([&] { padded(rt.as_tensor()); }).find("function: the traced graph depends on the row lengths of a "
                                                        "RaggedTensor argument") == 0);
  // Factories from lengths and from dense tensors trace too, their checks run with the graph.
  auto from_lengths = keras::core::function([](const Tensor& v, const Tensor& lengths, const Tensor& dense,
                                               const Tensor& dense_lengths) {
    return std::vector<Tensor>{
        RaggedTensor::from_nested_row_lengths(v, {lengths}).as_tensor(),
        RaggedTensor::from_tensor(dense, {.lengths = dense_lengths}).as_tensor(),
        RaggedTensor::from_tensor(dense, {.padding = core::constant(0.0f)}).as_tensor(),
        RaggedTensor::from_tensor(dense).as_tensor()};
  });
  const Tensor v = make({1, 2, 3}, Shape{3}), lengths = core::constant(std::vector<int64_t>{2, 0, 1}, Shape{3});
  const Tensor dense = make({1, 2, 0, 3, 0, 0}, Shape{2, 3}), dense_lengths = core::constant(std::vector<int64_t>{1, 3}, Shape{2});
  const auto built = from_lengths(v, lengths, dense, dense_lengths);
  same(ragged::ragged_of(built[0]), RaggedTensor::from_nested_row_lengths(v, {lengths}));
  same(ragged::ragged_of(built[1]), RaggedTensor::from_tensor(dense, {.lengths = dense_lengths}));
  same(ragged::ragged_of(built[2]), RaggedTensor::from_tensor(dense, {.padding = core::constant(0.0f)}));
  same(ragged::ragged_of(built[3]), RaggedTensor::from_tensor(dense));
  CHECK(error_of([&] { from_lengths(v, core::constant(std::vector<int64_t>{2, 0, 2}, Shape{3}), dense, dense_lengths); })
            .find("RaggedTensor.from_row_lengths") == 0);
  auto jit = keras::core::function([](const Tensor& x) { return ragged::ragged_of(x).to_tensor(); },
                                   {.name = "jit", .jit_compile = true});
  CHECK(error_of([&] { jit(rt.as_tensor()); }) ==
        "jit: jit_compile=true cannot compile RaggedTensor.to_tensor (a sparse or ragged op, run on the host); trace "
        "with jit_compile unset or false");
  CHECK(error_of([&] {
          keras::core::export_graph(
              [&](const std::vector<Tensor>& in) {
                return std::vector<Tensor>{RaggedTensor::from_row_splits(in[0], rt.row_splits()).to_tensor()};
              },
              {{{rt.flat_values().shape()[0]}, DType::float32}});
        }).find("export: the function uses RaggedTensor.") == 0);
}

TEST_CASE("ragged function: a Keras model on ragged ids (Embedding, GlobalAveragePooling1D, Dense) traces, its train step equal to eager") {
  auto build = [] {
    auto in = keras::Input({-1}, {.dtype = keras::DType::int64, .ragged = true});
    keras::KerasTensor h = keras::layers::Embedding(12, 4)(in);
    h = keras::layers::GlobalAveragePooling1D()(h);
    h = keras::layers::Dense(2)(h);
    return keras::Functional({in}, {h});
  };
  auto traced_model = build();
  auto eager_model = build();
  eager_model->set_weights(traced_model->get_weights());
  auto step_of = [](keras::Ref<keras::FunctionalModel>& model, const Tensor& ids, const Tensor& y) {
    keras::core::GradientTape tape;
    const Tensor out = (*model)(ids, true);
    const Tensor loss = ops::mean(ops::square(ops::subtract(out, y)));
    std::vector<keras::core::Variable> vars = model->trainable_weights();
    const auto grads = tape.gradient(loss, vars);
    for (size_t i = 0; i < vars.size(); ++i) vars[i].assign_sub(ops::multiply(grads[i], ops::scalar_like(grads[i], 0.05)));
    return loss;
  };
  auto step = keras::core::function([&](const Tensor& ids, const Tensor& y) { return step_of(traced_model, ids, y); });
  const std::vector<std::vector<std::vector<int64_t>>> batches = {
      {{1, 2, 3}, {4}, {5, 6}}, {{7, 11}, {8, 9, 1, 2}, {3}}, {{3}, {10, 0, 9}, {8, 7}, {1}, {2, 2}}, {{5, 6, 7, 8, 9}}};
  for (size_t s = 0; s < batches.size(); ++s) {
    CAPTURE(s);
    const Tensor ids = ragged::constant(batches[s]).as_tensor();
    const int64_t rows = int64_t(batches[s].size());
    const Tensor y = make(uniform(rows * 2, -1, 1, 40 + uint32_t(s)), Shape{rows, 2});
    CHECK(same_bits({step(ids, y)}, {step_of(eager_model, ids, y)}));
    CHECK(same_bits(traced_model->get_weights(), eager_model->get_weights()));
  }
  CHECK(step.tracing_count() == 1);  // batches of 6, 7, 9 and 5 ids in 3, 3, 5 and 1 rows
}

TEST_CASE("ragged function: a ragged_rank-2 argument") {
  auto fn = keras::core::function([](const Tensor& x) {
    const RaggedTensor rt = ragged::ragged_of(x);
    CHECK(rt.ragged_rank() == 2);
    return std::vector<Tensor>{rt.to_tensor(), ragged::reduce_sum(rt, 2).as_tensor(), ragged::reduce_max(rt, 1).as_tensor(),
                               (rt * 2.0).as_tensor(), ragged::gather(rt, core::constant(std::vector<int64_t>{1, 0}, Shape{2})).as_tensor()};
  });
  auto eager = [](const RaggedTensor& rt) {
    return std::vector<Tensor>{rt.to_tensor(), ragged::reduce_sum(rt, 2).as_tensor(), ragged::reduce_max(rt, 1).as_tensor(),
                               (rt * 2.0).as_tensor(), ragged::gather(rt, core::constant(std::vector<int64_t>{1, 0}, Shape{2})).as_tensor()};
  };
  const std::vector<RaggedTensor> cases = {
      ragged::constant(std::vector<std::vector<std::vector<double>>>{{{1, 2}, {}}, {{3}, {4, 5, 6}, {7}}}),
      ragged::constant(std::vector<std::vector<std::vector<double>>>{{}, {{8}, {}, {9, 10}}, {{11}}}),
  };
  for (size_t c = 0; c < cases.size(); ++c) {
    CAPTURE(c);
    const auto out = fn(cases[c].as_tensor());
    const auto want = eager(cases[c]);
    for (size_t i = 0; i < out.size(); ++i) {
      CAPTURE(i);
      REQUIRE(ragged::is_ragged(out[i]) == ragged::is_ragged(want[i]));
      if (ragged::is_ragged(out[i])) same(ragged::ragged_of(out[i]), ragged::ragged_of(want[i]));
      else same(out[i], want[i]);
    }
  }
  CHECK(fn.tracing_count() == 1);
}
