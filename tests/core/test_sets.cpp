// test_sets.cpp - tf.sets (size, intersection, union, difference) on dense and sparse
// inputs against TensorFlow's results (tests/data/sparse/make_fixtures.py), and errors.
#include <doctest/doctest.h>

#include "core/sets.h"
#include "error_of.h"
#include "sparse_fixture.h"

namespace {

using namespace th;
namespace sets = keras::core::sets;
namespace sparse = keras::core::sparse;
using keras::core::SparseTensor;

}  // namespace

TEST_CASE("sets: size, intersection, union, difference match TensorFlow") {
  const SparseFixture& f = sparse_fixture();
  const Tensor a = f("set_a"), b = f("set_b"), d3 = f("set_d3");
  const SparseTensor s = f.sparse("S"), s3 = f.sparse("S3");
  f.same(sets::size(s), "size_S");
  f.same(sets::size(s3), "size_S3");
  f.same(sets::intersection(a, b), "inter_dd");
  f.same(sets::union_(a, b), "union_dd");
  f.same(sets::difference(a, b), "diff_dd");
  f.same(sets::difference(a, b, false), "diff_dd_ba");
  f.same(sets::intersection(s, b), "inter_sd");
  f.same(sets::union_(a, s), "union_ds");
  f.same(sets::difference(a, s), "diff_ds");
  f.same(sets::difference(s, a), "diff_sd");
  f.same(sets::difference(s, sparse::from_dense(b)), "diff_ss");
  f.same(sets::intersection(keras::core::constant({{1}}), keras::core::constant({{2}})), "inter_empty");
  f.same(sets::union_(s3, d3), "union_3d");
  f.same(sets::intersection(d3, s3), "inter_3d");
  // uint8 and the other narrow integers too (TensorFlow's sets take them); an empty input
  // gives an empty result of width 0.
  const SparseTensor u = sets::union_(ops::cast(a, DType::uint8), ops::cast(b, DType::uint8));
  CHECK(u.dtype() == DType::uint8);
  for (DType d : {DType::int8, DType::int16, DType::uint16, DType::uint32}) {
    const SparseTensor n = sets::union_(ops::cast(a, d), ops::cast(b, d));
    CHECK(n.dtype() == d);
    CHECK(ops::cast(n.values(), DType::int64).to_vector<int64_t>() ==
          ops::cast(u.values(), DType::int64).to_vector<int64_t>());
  }
  CHECK(u.indices().to_vector<int64_t>() == f("union_dd.indices").to_vector<int64_t>());
  const SparseTensor none = sets::union_(ops::zeros({0, 3}, DType::int32), ops::zeros({0, 2}, DType::int32));
  CHECK(none.shape() == std::vector<int64_t>{0, 0});
  CHECK(none.nnz() == 0);
}

TEST_CASE("sets: errors name what was wrong") {
  const SparseFixture& f = sparse_fixture();
  const Tensor a = f("set_a");
  CHECK(error_of([&] { sets::intersection(keras::core::constant({1, 2}), keras::core::constant({2})); }) ==
        "sets.intersection: expected a of rank >= 2, but received shape (2,)");
  CHECK(error_of([&] { sets::union_(keras::core::constant({{1.0, 2.0}}), keras::core::constant({{2.0}})); }) ==
        "sets.union: expected a of dtype int8, int16, int32, int64, uint8, uint16 or uint32, but received float32");
  CHECK(error_of([&] { sets::union_(a, ops::cast(a, DType::int64)); }) ==
        "sets.union: expected a and b of one dtype, but received int32 and int64");
  CHECK(error_of([&] { sets::difference(a, keras::core::constant({{1}, {2}})); }) ==
        "sets.difference: mismatched shapes [3] vs [2] (every dimension but the last must match)");
  SparseTensor unordered(keras::core::constant({{2, 1}, {0, 0}}, DType::int64), keras::core::constant({1, 1}),
                         {3, 4});
  CHECK(error_of([&] { sets::size(unordered); }) ==
        "sets.size: indices[1] = [0,0] is out of order. Many sparse ops require sorted indices; use "
        "sparse::reorder to create a correctly ordered copy");
  check_values(sets::size(unordered, false), std::vector<int>{1, 0, 1});
  CHECK(error_of([&] { sets::size(SparseTensor()); }) == "sets.size: a is an undefined SparseTensor");
}
