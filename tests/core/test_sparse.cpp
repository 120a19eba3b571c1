// test_sparse.cpp - SparseTensor and the tf.sparse ops against TensorFlow's results
// (tests/data/sparse/make_fixtures.py), and their errors.
#include <doctest/doctest.h>

#include "error_of.h"
#include "sparse_fixture.h"

namespace {

using namespace th;
namespace sparse = keras::core::sparse;
using keras::core::SparseTensor;

Tensor i64(std::initializer_list<std::initializer_list<int64_t>> rows) {
  return keras::core::constant(rows, DType::int64);
}

}  // namespace

TEST_CASE("sparse: construction validates indices, values and dense_shape") {
  const Tensor v2 = keras::core::constant({1.0, 2.0});
  SparseTensor ok(i64({{0, 0}, {3, 4}}), v2, {4, 5});
  CHECK(ok.nnz() == 2);
  CHECK(ok.rank() == 2);
  CHECK(ok.ordered());
  CHECK(ok.dense_shape().to_vector<int64_t>() == std::vector<int64_t>{4, 5});
  CHECK_FALSE(SparseTensor(i64({{3, 4}, {0, 0}}), v2, {4, 5}).ordered());
  CHECK_FALSE(SparseTensor(i64({{1, 1}, {1, 1}}), v2, {4, 5}).ordered());  // repeated

  // The first bad entry, its position and the shape, as TensorFlow words it.
  CHECK(error_of([&] { SparseTensor(i64({{0, 0}, {0, 7}}), v2, {4, 5}); }) ==
        "SparseTensor: indices[1] = [0,7] is out of bounds: need 0 <= index < [4,5]");
  CHECK(error_of([&] { SparseTensor(i64({{0, -1}, {9, 9}}), v2, {4, 5}); }) ==
        "SparseTensor: indices[0] = [0,-1] is out of bounds: need 0 <= index < [4,5]");
  CHECK(error_of([&] { SparseTensor(keras::core::constant({{0, 0}}), keras::core::constant({1.0}), {4, 5}); }) ==
        "SparseTensor: expected indices of dtype int64, but received int32 (use ops::cast)");
  CHECK(error_of([&] { SparseTensor(keras::core::constant({0, 0}, DType::int64), v2, {4, 5}); }) ==
        "SparseTensor: expected indices of rank 2 (N, rank), but received shape (2,)");
  CHECK(error_of([&] { SparseTensor(i64({{0, 0}}), v2, {4, 5}); }) ==
        "SparseTensor: expected one value per index, 1, but received values of shape (2,) for "
        "indices of shape (1, 2)");
  CHECK(error_of([&] { SparseTensor(i64({{0, 0}}), keras::core::constant({{1.0}}), {4, 5}); }) ==
        "SparseTensor: expected values of rank 1 (N,), but received shape (1, 1)");
  CHECK(error_of([&] { SparseTensor(i64({{0, 0}}), keras::core::constant({1.0}), {4, -5}); }) ==
        "SparseTensor: expected a non-negative dense_shape, but received [4,-5] (dimension 1)");
  CHECK(error_of([&] { SparseTensor(i64({{0, 0}}), keras::core::constant({1.0}), {4, 5, 6}); }) ==
        "SparseTensor: indices of shape (1, 2) address 2 dimensions, but dense_shape [4,5,6] has 3");
  CHECK(error_of([&] {
          SparseTensor(i64({{0, 0}}), keras::core::constant({1.0}), keras::core::constant({4, 5}));
        }) == "SparseTensor: expected dense_shape to be a 1-d int64 tensor, but received int32 (2,)");
  CHECK(error_of([&] { SparseTensor(Tensor(), v2, {4}); }) == "SparseTensor: indices is an undefined tensor");
  CHECK(error_of([] { sparse::to_dense(SparseTensor()); }) ==
        "sparse.to_dense: sp_input is an undefined SparseTensor");
  // A dense shape too large to materialize is fine for a sparse tensor.
  SparseTensor huge(i64({{0, 0}, {(int64_t{1} << 40) - 1, 7}}), v2, {int64_t{1} << 40, int64_t{1} << 40});
  CHECK(sparse::reduce_sum(huge).item<float>() == 3.0f);
  CHECK_THROWS_AS(sparse::to_dense(huge), std::overflow_error);
}

TEST_CASE("sparse: reorder, to_dense, from_dense and retain match TensorFlow") {
  const SparseFixture& f = sparse_fixture();
  f.same(sparse::reorder(f.sparse("B")), "reorder_B");
  f.same(sparse::reorder(f.sparse("C")), "reorder_C");
  CHECK(sparse::reorder(f.sparse("C")).ordered());
  f.same(sparse::to_dense(f.sparse("A")), "to_dense_A");
  f.same(sparse::to_dense(f.sparse("A"), 7.0), "to_dense_A_7");
  f.same(sparse::from_dense(f("D")), "from_dense_D");
  f.same(sparse::retain(f.sparse("A"), keras::core::constant({true, false, true, false})), "retain_A");

  // to_dense needs canonical order, as TensorFlow's SparseToDense.
  CHECK(error_of([&] { sparse::to_dense(f.sparse("B")); }) ==
        "sparse.to_dense: indices[1] = [0,1] is out of order. Many sparse ops require sorted "
        "indices; use sparse::reorder to create a correctly ordered copy");
  SparseTensor rep(i64({{0, 1}, {0, 1}}), keras::core::constant({1.0, 2.0}), {2, 2});
  CHECK(error_of([&] { sparse::to_dense(rep); }) == "sparse.to_dense: indices[1] = [0,1] is repeated");
  // Unvalidated, a repeated index takes its last value, as TensorFlow's kernel.
  f.same(sparse::to_dense(f.sparse("R"), -1.0, false), "to_dense_R");
  f.same(sparse::to_dense(f.sparse("B"), 0.0, false), "to_dense_B");
  SparseTensor ints(i64({{0, 1}}), keras::core::constant({3}), {2, 2});
  CHECK_THROWS_AS(sparse::to_dense(ints, 2.5), keras::core::ConversionError);  // not an int32
  check_values(sparse::to_dense(ints, -1.0), std::vector<int>{-1, 3, -1, -1});
  CHECK(error_of([&] { sparse::retain(f.sparse("A"), keras::core::constant({true, false})); }) ==
        "sparse.retain: expected to_retain of dtype bool and shape (4,) (one flag per entry), but "
        "received bool (2,)");

  // NaN is not zero; a scalar and empty tensors.
  SparseTensor nan = sparse::from_dense(keras::core::constant({{0.0, 1.0}, {double(NAN), -0.0}}));
  CHECK(nan.indices().to_vector<int64_t>() == std::vector<int64_t>{0, 1, 1, 0});
  CHECK(std::isnan(nan.values().to_vector<float>()[1]));
  SparseTensor scalar = sparse::from_dense(keras::core::constant(5.0));
  CHECK(scalar.indices().shape() == Shape{1, 0});
  CHECK(sparse::to_dense(scalar).item<float>() == 5.0f);
  SparseTensor empty = sparse::from_dense(ops::zeros({0, 3}));
  CHECK(empty.nnz() == 0);
  CHECK(sparse::to_dense(empty).shape() == Shape{0, 3});
  CHECK(sparse::to_dense(sparse::from_dense(ops::zeros({2, 2}))).shape() == Shape{2, 2});
}

TEST_CASE("sparse: add, sparse_dense_matmul and reductions match TensorFlow") {
  const SparseFixture& f = sparse_fixture();
  const SparseTensor a = f.sparse("A"), bo = sparse::reorder(f.sparse("B")), c = f.sparse("C");
  f.same(sparse::add(a, bo), "add_A_B");  // a pair summing to 0 stays at threshold 0
  f.same(sparse::add(a, bo, 1.0), "add_A_B_t1");
  f.same(sparse::add(a, f.sparse("B")), "add_A_B");  // unordered input: the same canonical sum
  f.same(sparse::add(a, f("D")), "add_A_D");
  f.same(sparse::add(f("D"), a), "add_A_D");
  f.same(sparse::add(f.sparse("R"), f("R22")), "add_R_dense");  // a repeated index adds up
  f.same(sparse::sparse_dense_matmul(f.sparse("R"), f("R22")), "matmul_R", 1e-12);
  f.same(sparse::reduce_sum(f.sparse("R"), {1}), "reduce_sum_R");
  f.same(sparse::sparse_dense_matmul(a, f("M")), "matmul_A_M", 1e-12);
  f.same(sparse::sparse_dense_matmul(a, f("M4"), true), "matmul_At_M4", 1e-12);
  f.same(sparse::sparse_dense_matmul(a, f("M3"), false, true), "matmul_A_M3t", 1e-12);
  f.same(sparse::sparse_dense_matmul(f("L25"), f.sparse("E")), "matmul_dense_left", 1e-12);
  f.same(sparse::reduce_sum(c), "reduce_sum_C_all");
  f.same(sparse::reduce_sum(c, {1}), "reduce_sum_C_1");
  f.same(sparse::reduce_sum(c, {0, 2}, true), "reduce_sum_C_02k");
  f.same(sparse::reduce_sum(c, {-1}), "reduce_sum_C_m1");
  f.same(sparse::reduce_max(c, {1}), "reduce_max_C_1");
  f.same(sparse::reduce_max(c), "reduce_max_C_all");
  f.same(sparse::reduce_max(c, {2}, true), "reduce_max_C_2k");

  // Empty operands.
  SparseTensor none(Tensor(keras::core::ops::zeros({0, 2}, DType::int64)), ops::zeros({0}), {3, 2});
  check_values(sparse::sparse_dense_matmul(none, ops::ones({2, 4})), std::vector<double>(12, 0.0));
  check_values(sparse::reduce_max(none, {1}), std::vector<double>(3, 0.0));
  CHECK(sparse::add(none, none).nnz() == 0);

  CHECK(error_of([&] { sparse::add(a, c); }) == "sparse.add: operands' shapes do not match: [4,5] and [2,3,4]");
  CHECK(error_of([&] { sparse::add(a, a.with_values(ops::cast(a.values(), DType::float32))); }) ==
        "sparse.add: expected both operands to have the same dtype, but received float64 and float32");
  CHECK(error_of([&] { sparse::add(a, f("M")); }) ==
        "sparse.add: expected the dense operand to have the sparse one's shape [4,5] (no "
        "broadcasting), but received (5, 3)");
  CHECK(error_of([&] { sparse::sparse_dense_matmul(a, f("M4")); }) ==
        "sparse.sparse_dense_matmul: cannot multiply A and B because the inner dimensions do not "
        "match: 5 vs. 4 (A [4,5], B (4, 3))");
  CHECK(error_of([&] { sparse::sparse_dense_matmul(c, f("M")); }) ==
        "sparse.sparse_dense_matmul: expected a rank-2 sparse and a rank-2 dense operand, but "
        "received dense_shape [2,3,4] and b of shape (5, 3)");
  CHECK(error_of([&] { sparse::reduce_sum(c, {3}); }) ==
        "sparse.reduce_sum: expected an axis in [-3, 3), but received 3");
}

TEST_CASE("sparse: reshape, slice, concat, transpose and fill_empty_rows match TensorFlow") {
  const SparseFixture& f = sparse_fixture();
  const SparseTensor a = f.sparse("A"), bo = sparse::reorder(f.sparse("B")), c = f.sparse("C");
  f.same(sparse::reshape(c, {6, -1}), "reshape_C");
  f.same(sparse::reshape(a, {2, 10}), "reshape_A");
  f.same(sparse::slice(c, {0, 1, 1}, {2, 2, 5}), "slice_C");
  f.same(sparse::slice(a, {5, 0}, {2, 2}), "slice_A_past");
  f.same(sparse::concat(1, {a, bo}), "concat_1");
  f.same(sparse::concat(0, {a, bo}), "concat_0");
  SparseTensor tall(i64({{5, 0}}), keras::core::constant(std::vector<double>{9.0}), {6, 2});
  f.same(sparse::concat(1, {a, tall}, true), "concat_expand");
  f.same(sparse::transpose(c, {2, 0, 1}), "transpose_C");
  f.same(sparse::transpose(a), "transpose_A");
  // take_rows (no TensorFlow op): rows 3, 1, 3 of A, as gathering the dense rows.
  const SparseTensor picked = sparse::take_rows(a, {3, 1, 3});
  CHECK(picked.ordered());
  check_values(sparse::to_dense(picked), values(ops::gather(f("to_dense_A"), keras::core::constant({3, 1, 3}), 0)), 0.0);
  CHECK(error_of([&] { sparse::take_rows(a, {0, 4}); }) ==
        "sparse.take_rows: rows[1] = 4 is out of bounds: need 0 <= row < 4");
  auto [filled, empty] = sparse::fill_empty_rows(f.sparse("E"), -1.0);
  f.same(filled, "fill_E");
  f.same(empty, "fill_E.empty");

  CHECK(error_of([&] { sparse::reshape(a, {3, -1}); }) ==
        "sparse.reshape: input to reshape is a SparseTensor with 20 dense values, but the "
        "requested shape requires a multiple of 3. input_shape=[4,5] output_shape=[3,-1]");
  CHECK(error_of([&] { sparse::reshape(a, {3, 7}); }) ==
        "sparse.reshape: input to reshape is a SparseTensor with 20 dense values, but the "
        "requested shape has 21. input_shape=[4,5] output_shape=[3,7]");
  CHECK(error_of([&] { sparse::reshape(a, {-1, -1}); }) ==
        "sparse.reshape: expected sizes >= 0 and at most one -1, but received [-1,-1]");
  CHECK(error_of([&] { sparse::slice(a, {0}, {1, 1}); }) ==
        "sparse.slice: expected start and size of length 2 (the rank of dense_shape [4,5]), but "
        "received [0] and [1,1]");
  CHECK(error_of([&] { sparse::slice(a, {0, -1}, {1, 1}); }) ==
        "sparse.slice: expected non-negative start and size, but received [0,-1] and [1,1]");
  CHECK(error_of([&] { sparse::concat(1, {a, tall}); }) ==
        "sparse.concat: input shapes must match: expected 4 for dimension 0 but got 6 at position 1");
  CHECK(error_of([&] { sparse::concat(0, {}); }) ==
        "sparse.concat: expected at least one SparseTensor, but received none");
  CHECK(error_of([&] { sparse::concat(2, {a}); }) == "sparse.concat: expected an axis in [-2, 2), but received 2");
  CHECK(error_of([&] { sparse::transpose(c, {0, 0, 1}); }) ==
        "sparse.transpose: expected perm to be a permutation of [0, 3), but received [0,0,1]");
  CHECK(error_of([&] { sparse::fill_empty_rows(a, keras::core::constant(1.0f)); }) ==
        "sparse.fill_empty_rows: expected default_value to be a scalar of dtype float64, but "
        "received float32 ()");
}

TEST_CASE("sparse: printing as TensorFlow's repr") {
  SparseTensor sp(i64({{0, 1}}), keras::core::constant({2.0}), {2, 2});
  CHECK(sp.str() ==
        "SparseTensor(indices=tf.Tensor([[0 1]], shape=(1, 2), dtype=int64), values=tf.Tensor([2.], "
        "shape=(1,), dtype=float32), dense_shape=tf.Tensor([2 2], shape=(2,), dtype=int64))");
}
