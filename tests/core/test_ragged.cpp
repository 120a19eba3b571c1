// test_ragged.cpp - RaggedTensor (core/ragged.h) against TensorFlow on the fixtures of
// tests/data/ragged/make_fixtures.py: factories, to_tensor / from_tensor, reductions,
// gather, concat, boolean_mask, elementwise ops, gradients w.r.t. the flat values, and
// bad input.
#include <string>

#include "core/ragged.h"
#include "helpers.h"
#include "tf_fixture.h"

using namespace th;
using core::RaggedTensor;
namespace ragged = core::ragged;

namespace {

Tensor fx(const std::string& name) { return th::tf_fixture(name); }

bool has_fx(const std::string& name) { return th::has_tf_fixture(name); }

// The fixture NAME as a RaggedTensor (NAME_values + NAME_splits0, 1, ...).
RaggedTensor rt_fx(const std::string& name) {
  std::vector<Tensor> splits;
  for (int l = 0; has_fx(name + "_splits" + std::to_string(l)); ++l) splits.push_back(fx(name + "_splits" + std::to_string(l)));
  return RaggedTensor::from_nested_row_splits(fx(name + "_values"), splits);
}

void same_dense(const Tensor& got, const Tensor& want, double tol = 1e-6) {
  INFO("got " << got.shape().str() << " " << core::dtype_name(got.dtype()) << ", want " << want.shape().str() << " "
       << core::dtype_name(want.dtype()));
  REQUIRE(got.dtype() == want.dtype());
  REQUIRE(got.shape() == want.shape());
  check_values(got, values(want), tol);
}

void same(const RaggedTensor& got, const std::string& name, double tol = 1e-6) {
  CAPTURE(name);
  if (!has_fx(name + "_values")) {  // a dense result
    REQUIRE_FALSE(got.is_ragged());
    same_dense(got.flat_values(), fx(name), tol);
    return;
  }
  RaggedTensor want = rt_fx(name);
  REQUIRE(got.ragged_rank() == want.ragged_rank());
  for (int64_t l = 0; l < want.ragged_rank(); ++l) {
    CHECK(got.nested_row_splits()[l].to_vector<int64_t>() == want.nested_row_splits()[l].to_vector<int64_t>());
  }
  same_dense(got.flat_values(), want.flat_values(), tol);
}

}  // namespace

TEST_CASE("ragged: factories agree with TensorFlow's encodings") {
  RaggedTensor rt1 = rt_fx("rt1");
  CHECK(rt1.ragged_rank() == 1);
  CHECK(rt1.rank() == 2);
  CHECK(rt1.nrows() == 4);
  CHECK(rt1.shape() == std::vector<int64_t>{4, -1});
  CHECK(rt1.bounding_shape() == fx("rt1_bounding_shape").to_vector<int64_t>());
  CHECK(rt1.row_lengths().to_vector<int64_t>() == std::vector<int64_t>{3, 0, 2, 1});
  CHECK(rt1.value_rowids().to_vector<int64_t>() == std::vector<int64_t>{0, 0, 0, 2, 2, 3});
  CHECK(rt1.row_starts().to_vector<int64_t>() == std::vector<int64_t>{0, 3, 3, 5});
  CHECK(rt1.row_limits().to_vector<int64_t>() == std::vector<int64_t>{3, 3, 5, 6});

  // The same tensor from lengths, from row ids, from nested vectors.
  same(RaggedTensor::from_row_lengths(rt1.flat_values(), rt1.row_lengths()), "rt1");
  same(RaggedTensor::from_value_rowids(rt1.flat_values(), rt1.value_rowids(), 4), "rt1");
  same(RaggedTensor::from_value_rowids(core::constant({1.0, 2.0, 3.0, 4.0, 5.0}), core::constant({0, 0, 2, 2, 2}), 4),
       "from_rowids");
  same(ragged::constant(std::vector<std::vector<double>>{{7}, {8, 9}, {}, {10}}), "rt2");
  RaggedTensor rt3 = ragged::constant(std::vector<std::vector<std::vector<int>>>{{{1, 2}, {3}}, {}, {{4, 5, 6}, {}, {7}}});
  same(rt3, "rt3");
  CHECK(rt3.dtype() == DType::int32);
  CHECK(rt3.shape() == std::vector<int64_t>{3, -1, -1});
  CHECK(rt3.values().ragged_rank() == 1);
  CHECK(rt3.values().values().ragged_rank() == 0);
  auto lengths = rt3.nested_row_lengths();
  REQUIRE(lengths.size() == 2);
  same(RaggedTensor::from_nested_row_lengths(rt3.flat_values(), lengths), "rt3");
  // int32 splits are accepted and stored as int64 (TensorFlow's default row_splits dtype).
  RaggedTensor r32 = RaggedTensor::from_row_splits(core::constant({1, 2, 3}), core::constant({0, 1, 3}));
  CHECK(r32.row_splits().dtype() == DType::int64);
  CHECK(r32.str() == "<tf.RaggedTensor [[1], [2, 3]]>");
  CHECK(rt3.str() == "<tf.RaggedTensor [[[1, 2], [3]], [], [[4, 5, 6], [], [7]]]>");
  CHECK(ragged::constant(std::vector<std::vector<double>>{{1.5, 2}, {}}).str() == "<tf.RaggedTensor [[1.5, 2.0], []]>");
}

TEST_CASE("ragged: to_tensor and from_tensor") {
  same_dense(rt_fx("rt1").to_tensor(), fx("rt1_to_tensor"));
  same_dense(rt_fx("rt1").to_tensor(-1.0, {3, 2}), fx("rt1_to_tensor_shape"));
  same_dense(rt_fx("rt3").to_tensor(), fx("rt3_to_tensor"));
  same_dense(rt_fx("rt4").to_tensor(0.5), fx("rt4_to_tensor"), 1e-12);
  // An empty ragged tensor pads to all default values.
  RaggedTensor empty = RaggedTensor::from_row_lengths(core::constant(std::vector<float>{}), core::constant({0, 0}));
  same_dense(empty.to_tensor(3.0), ops::fill({2, 0}, 3.0));

  Tensor dense = fx("dense");
  same(RaggedTensor::from_tensor(dense), "ft_plain");
  same(RaggedTensor::from_tensor(dense, {.padding = core::constant(0)}), "ft_padding");
  same(RaggedTensor::from_tensor(dense, {.lengths = core::constant({1, 4, 0})}), "ft_lengths");
  Tensor dense3 = fx("dense3");
  same(RaggedTensor::from_tensor(dense3, {.padding = core::constant({0, 0})}), "ft3_padding");
  same(RaggedTensor::from_tensor(dense3, {.padding = core::constant(0), .ragged_rank = 2}), "ft3_rank2");
  // Round trip.
  same_dense(RaggedTensor::from_tensor(dense, {.padding = core::constant(0)}).to_tensor(0.0, {3, 4}), dense);
}

TEST_CASE("ragged: reductions over the ragged and uniform axes") {
  RaggedTensor rt1 = rt_fx("rt1");
  for (std::string op : {"sum", "mean", "max", "min", "prod"}) {
    CAPTURE(op);
    using Fn = RaggedTensor (*)(const RaggedTensor&, int64_t);
    Fn f = op == "sum" ? Fn(ragged::reduce_sum) : op == "mean" ? Fn(ragged::reduce_mean)
           : op == "max" ? Fn(ragged::reduce_max) : op == "min" ? Fn(ragged::reduce_min) : Fn(ragged::reduce_prod);
    same(f(rt1, 1), "rt1_" + op + "_axis1", 1e-5);
    same(f(rt1, -1), "rt1_" + op + "_axis1", 1e-5);
    same(f(rt1, 0), "rt1_" + op + "_axis0", 1e-5);
  }
  same_dense(ragged::reduce_sum(rt1), fx("rt1_sum_all"), 1e-5);
  same(ragged::reduce_sum(rt_fx("rt3"), 2), "rt3_sum_axis2");
  same(ragged::reduce_max(rt_fx("rt3"), 2), "rt3_max_axis2");
  // Every axis of ragged rank 2 (axes 0 and 1 give ragged results: rows as long as the
  // longest combined), and of ragged rank 2 with an inner uniform axis.
  for (std::string op : {"sum", "max", "mean", "prod"}) {
    for (int axis : {0, 1}) {
      CAPTURE(op);
      CAPTURE(axis);
      using Fn = RaggedTensor (*)(const RaggedTensor&, int64_t);
      Fn f = op == "sum" ? Fn(ragged::reduce_sum) : op == "max" ? Fn(ragged::reduce_max)
             : op == "mean" ? Fn(ragged::reduce_mean) : Fn(ragged::reduce_prod);
      same(f(rt_fx("rt3"), axis), "rt3_" + op + "_axis" + std::to_string(axis), 1e-12);
    }
  }
  for (int axis : {0, 1, 2, 3}) {
    CAPTURE(axis);
    same(ragged::reduce_sum(rt_fx("rt5"), axis), "rt5_sum_axis" + std::to_string(axis), 1e-6);
    same(ragged::reduce_min(rt_fx("rt5"), axis), "rt5_min_axis" + std::to_string(axis), 1e-6);
  }
  RaggedTensor rt4 = rt_fx("rt4");
  same(ragged::reduce_sum(rt4, 1), "rt4_sum_axis1", 1e-12);
  same(ragged::reduce_sum(rt4, 2), "rt4_sum_axis2", 1e-12);
  same(ragged::reduce_sum(rt4, 0), "rt4_sum_axis0", 1e-12);
  same(ragged::reduce_mean(rt4, 1), "rt4_mean_axis1", 1e-12);
  same(ragged::reduce_max(rt4, 1), "rt4_max_axis1", 1e-12);
  // Integer means divide as TensorFlow's truediv: float64, NaN for an empty row.
  RaggedTensor ints = ragged::constant(std::vector<std::vector<int>>{{1, 2, 3}, {}, {4}});
  Tensor m = ragged::reduce_mean(ints, 1).to_tensor();
  CHECK(m.dtype() == DType::float64);
  check_values(m, std::vector<double>{2.0, NAN, 4.0});
  CHECK_THROWS_AS(ragged::reduce_sum(rt1, 2), std::invalid_argument);
}

TEST_CASE("ragged: gather, concat, boolean_mask, elementwise, map_flat_values") {
  RaggedTensor rt1 = rt_fx("rt1"), rt2 = rt_fx("rt2"), rt3 = rt_fx("rt3");
  same(ragged::gather(rt1, core::constant({3, 0, 0, 1})), "rt1_gather");
  same(ragged::gather(rt3, core::constant({2, 0})), "rt3_gather");
  same(ragged::concat({rt1, rt2}, 0), "rt1_concat0");
  same(ragged::concat({rt1, rt2}, 1), "rt1_concat1");
  same(ragged::concat({rt3, rt3}, 0), "rt3_concat0");
  same(ragged::concat({rt3, ragged::gather(rt3, core::constant({1, 2, 0}))}, 1), "rt3_concat1");
  same(ragged::boolean_mask(rt1, core::constant({true, false, true, true})), "rt1_mask_rows");
  RaggedTensor positive = rt1.with_flat_values(ops::greater(rt1.flat_values(), ops::zeros({}, DType::float32)));
  same(ragged::boolean_mask(rt1, positive), "rt1_mask_ragged");
  same(rt1 * rt1 + 2.0 - rt1 / 4.0, "rt1_arith", 1e-5);
  same(ragged::map_flat_values([](const Tensor& v) { return ops::square(v); }, rt1), "rt1_map", 1e-6);
  // A dense operand broadcasts against the inner dimensions.
  RaggedTensor rt4 = rt_fx("rt4");
  RaggedTensor shifted = rt4 + core::constant(std::vector<double>{1.0, -1.0});
  check_values(shifted.flat_values() - rt4.flat_values(), std::vector<double>{1, -1, 1, -1, 1, -1, 1, -1, 1, -1});
}

TEST_CASE("ragged: gradients reach the flat values (checked against tf.GradientTape)") {
  RaggedTensor rt1 = rt_fx("rt1");
  Tensor c = core::constant({1.0, 2.0, 3.0, 4.0});
  Tensor w = fx("w");
  auto grad = [&](const std::function<Tensor(const RaggedTensor&)>& f) {
    core::GradientTape tape;
    Tensor v = rt1.flat_values();
    tape.watch(v);
    Tensor y = f(rt1.with_flat_values(v));
    return tape.gradient(y, v);
  };
  same_dense(grad([&](const RaggedTensor& r) { return ops::sum(ragged::reduce_sum(r * r, 1).to_tensor() * c); }),
             fx("grad_sum"), 1e-5);
  same_dense(grad([&](const RaggedTensor& r) { return ops::sum(r.to_tensor() * w); }), fx("grad_dense"), 1e-6);
  same_dense(grad([&](const RaggedTensor& r) {
               Tensor mx = ragged::reduce_max(r, 1).to_tensor();
               return ops::sum(ops::gather(mx, core::constant({0, 3})) * ops::gather(c, core::constant({0, 3})));
             }),
             fx("grad_max"), 1e-6);
  same_dense(grad([&](const RaggedTensor& r) {
               return ops::sum(ragged::gather(r, core::constant({3, 0, 0})).flat_values() *
                               ops::cast(ops::range(1, 8), DType::float32));
             }),
             fx("grad_gather"), 1e-6);
}

TEST_CASE("ragged: bad input raises typed errors naming what was expected") {
  Tensor v = core::constant({1.0, 2.0, 3.0});
  auto throws_with = [](auto f, const std::string& part) {
    try {
      f();
      FAIL("expected std::invalid_argument containing: " << part);
    } catch (const std::invalid_argument& e) {
      CHECK_MESSAGE(std::string(e.what()).find(part) != std::string::npos, std::string(e.what()));
    }
  };
  throws_with([&] { RaggedTensor::from_row_splits(v, core::constant({1, 3})); }, "start at 0");
  throws_with([&] { RaggedTensor::from_row_splits(v, core::constant({0, 2, 1, 3})); }, "non-decreasing");
  throws_with([&] { RaggedTensor::from_row_splits(v, core::constant({0, 2})); }, "number of values, 3");
  throws_with([&] { RaggedTensor::from_row_splits(v, core::constant({0.0, 3.0})); }, "int32 or int64");
  throws_with([&] { RaggedTensor::from_row_lengths(v, core::constant({2, -1, 2})); }, "non-negative");
  throws_with([&] { RaggedTensor::from_value_rowids(v, core::constant({0, 2, 1})); }, "non-decreasing value_rowids");
  throws_with([&] { RaggedTensor::from_row_splits(core::constant(1.0), core::constant({0, 1})); }, "rank >= 1");
  throws_with([&] { RaggedTensor::from_tensor(v); }, "ragged_rank");
  RaggedTensor rt1 = rt_fx("rt1"), rt2 = rt_fx("rt2");
  throws_with([&] { ragged::gather(rt1, core::constant({4})); }, "indices[0] = 4 is not in [0, 4)");
  throws_with([&] { ragged::gather(rt1, core::constant({-1})); }, "is not in [0, 4)");
  throws_with([&] { (void)(rt1 + rt2); }, "equal row partitions");
  throws_with([&] { ragged::concat({rt1, rt_fx("rt3")}, 0); }, "one dtype, ragged rank");
  throws_with([&] { ragged::concat({rt1, ragged::gather(rt2, core::constant({0}))}, 1); }, "same number of rows");
  throws_with([&] { ragged::boolean_mask(rt1, core::constant({true})); }, "1-d bool mask of 4 rows");
  throws_with([&] { ragged::map_flat_values([](const Tensor& x) { return ops::sum(x, {0}, true); }, rt1); },
              "keep the flat values' 6 rows");
  throws_with([&] { (void)rt1.to_tensor(0.0, {4, 2, 1}); }, "shape of rank 2");
  throws_with([&] { ragged::reduce_sum(rt1, 5); }, "expected axis in [-2, 2)");
  throws_with([&] { (void)(ragged::constant(std::vector<std::vector<int>>{{1}}) * 2.5); }, "2.5");
  CHECK_THROWS_AS(RaggedTensor().nrows(), std::invalid_argument);
}
