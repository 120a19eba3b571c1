// test_ragged_dataset.cpp - RaggedTensors inside Dataset elements (as tf.data): the
// Dataset::ragged_batch dataset through shuffle, map, zip, take, prefetch, unbatch and
// rebatching; from_tensor_slices of a ragged tensor (its rows); batch of ragged elements
// (one more ragged dimension); and batch's error on dense elements of different lengths.
#include <keras/keras.h>

#include <algorithm>

#include "error_of.h"
#include "helpers.h"

using namespace th;
using keras::RaggedTensor;
using keras::data::Dataset;
using keras::data::Element;
namespace ragged = keras::ragged;

namespace {

// Elements (tokens (i % 4,) int64 = i repeated, label i int32) for i in [0, n).
Dataset sequences(int n) {
  return Dataset::range(n).map([](const keras::Tensor& i) {
    const int64_t v = i.item<int64_t>();
    return Element{ops::fill({v % 4}, double(v), keras::DType::int64), keras::constant(int32_t(v))};
  });
}

// The rows of a ragged batch component as vectors.
std::vector<std::vector<int64_t>> rows_of(const keras::Tensor& t) {
  REQUIRE(ragged::is_ragged(t));
  const RaggedTensor rt = ragged::ragged_of(t);
  const std::vector<int64_t> splits = rt.row_splits().to_vector<int64_t>();
  const std::vector<int64_t> flat = rt.flat_values().to_vector<int64_t>();
  std::vector<std::vector<int64_t>> out;
  for (size_t r = 0; r + 1 < splits.size(); ++r) out.emplace_back(flat.begin() + splits[r], flat.begin() + splits[r + 1]);
  return out;
}

}  // namespace

TEST_CASE("Dataset::ragged_batch is a dataset of ragged components") {
  const Dataset ds = sequences(7).ragged_batch(3);
  CHECK(ds.cardinality() == 3);
  std::vector<std::vector<std::vector<int64_t>>> batches;
  std::vector<std::vector<int32_t>> labels;
  for (const Element& b : ds) {
    REQUIRE(b.size() == 2);
    batches.push_back(rows_of(b[0]));
    CHECK_FALSE(ragged::is_ragged(b[1]));  // scalars stack into a dense (batch,) tensor
    labels.push_back(b[1].to_vector<int32_t>());
  }
  REQUIRE(batches.size() == 3);
  CHECK(batches[0] == std::vector<std::vector<int64_t>>{{}, {1}, {2, 2}});
  CHECK(batches[1] == std::vector<std::vector<int64_t>>{{3, 3, 3}, {}, {5}});
  CHECK(batches[2] == std::vector<std::vector<int64_t>>{{6, 6}});
  CHECK(labels[2] == std::vector<int32_t>{6});
  // drop_remainder drops the short last batch.
  int n = 0;
  for (const Element& b : sequences(7).ragged_batch(3, {.drop_remainder = true})) n += int(b[1].size());
  CHECK(n == 6);
  CHECK_THROWS_AS(sequences(2).ragged_batch(0), std::invalid_argument);
}

TEST_CASE("ragged batches go through shuffle, map, zip, take, prefetch and unbatch") {
  const Dataset base = sequences(12).ragged_batch(4);
  // shuffle + prefetch: the same batches in another order.
  std::vector<int32_t> seen;
  for (const Element& b : base.shuffle(8, {.seed = 3}).prefetch(2)) {
    const auto rows = rows_of(b[0]);
    const auto lab = b[1].to_vector<int32_t>();
    for (size_t r = 0; r < rows.size(); ++r) {
      CHECK(int64_t(rows[r].size()) == lab[r] % 4);
      for (int64_t v : rows[r]) CHECK(v == lab[r]);
      seen.push_back(lab[r]);
    }
  }
  std::sort(seen.begin(), seen.end());
  CHECK(seen == std::vector<int32_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
  // map sees the ragged handle and can return a ragged one.
  const Dataset doubled = base.map([](const keras::Tensor& x, const keras::Tensor& y) {
    const RaggedTensor rt = ragged::ragged_of(x);
    return Element{(rt * 2.0).as_tensor(), y};
  });
  const Element first = *doubled.take(1).begin();
  CHECK(rows_of(first[0]) == std::vector<std::vector<int64_t>>{{}, {2}, {4, 4}, {6, 6, 6}});
  // zip keeps each side's components.
  int batches = 0;
  for (const Element& z : Dataset::zip({base, base.map([](const Element& e) { return e[1]; })})) {
    CHECK(z.size() == 3);
    CHECK(ragged::is_ragged(z[0]));
    ++batches;
  }
  CHECK(batches == 3);
  // unbatch gives the elements back: dense rows of their own lengths.
  int i = 0;
  for (const Element& e : base.unbatch()) {
    CHECK(e[0].shape() == keras::Shape{i % 4});
    CHECK(e[1].item<int32_t>() == i);
    ++i;
  }
  CHECK(i == 12);
  // rebatch re-slices the ragged batches across their boundaries.
  std::vector<int64_t> sizes;
  for (const Element& b : base.rebatch(5)) {
    sizes.push_back(ragged::ragged_of(b[0]).nrows());
    const auto rows = rows_of(b[0]);
    const auto lab = b[1].to_vector<int32_t>();
    for (size_t r = 0; r < rows.size(); ++r) CHECK(int64_t(rows[r].size()) == lab[r] % 4);
  }
  CHECK(sizes == std::vector<int64_t>{5, 5, 2});
  // cache + repeat iterate the ragged batches twice.
  int total = 0;
  for (const Element& b : base.cache().repeat(2)) total += int(b[1].size());
  CHECK(total == 24);
}

TEST_CASE("from_tensor_slices of a ragged tensor yields its rows; batch adds a ragged dimension") {
  const RaggedTensor rt = ragged::constant<int64_t>({{1, 2}, {}, {3, 4, 5}, {6}});
  const Dataset rows = Dataset::from_tensor_slices(Element{rt.as_tensor(), keras::constant(std::vector<int32_t>{0, 1, 2, 3})});
  CHECK(rows.cardinality() == 4);
  std::vector<std::vector<int64_t>> got;
  for (const Element& e : rows) {
    CHECK_FALSE(ragged::is_ragged(e[0]));  // a row of a ragged_rank-1 tensor is dense
    got.push_back(e[0].to_vector<int64_t>());
  }
  CHECK(got == std::vector<std::vector<int64_t>>{{1, 2}, {}, {3, 4, 5}, {6}});
  // Shuffled slices take the row-gather path; batches of ragged slices stay ragged.
  std::vector<int32_t> order;
  for (const Element& b : rows.shuffle(4, {.seed = 1}).batch(2)) {
    const auto rs = rows_of(b[0]);
    const auto lab = b[1].to_vector<int32_t>();
    for (size_t r = 0; r < rs.size(); ++r) CHECK(rs[r] == got[size_t(lab[r])]);
    order.insert(order.end(), lab.begin(), lab.end());
  }
  std::sort(order.begin(), order.end());
  CHECK(order == std::vector<int32_t>{0, 1, 2, 3});
  // Ragged elements batched: one more ragged dimension (ragged_rank 2), as tf.data.
  const Dataset nested = Dataset::from_tensors(Element{rt.as_tensor()}).repeat(3).batch(2);
  std::vector<int64_t> nrows;
  for (const Element& b : nested) {
    const RaggedTensor r = ragged::ragged_of(b[0]);
    REQUIRE(r.ragged_rank() == 2);
    nrows.push_back(r.nrows());
    CHECK(r.values().nrows() == 4 * r.nrows());  // each row is all of rt
    CHECK(ragged::gather(r.values(), keras::constant(std::vector<int64_t>{0, 1, 2, 3})).str() == rt.str());
  }
  CHECK(nrows == std::vector<int64_t>{2, 1});
  // ragged_batch of ragged elements does the same.
  const Element rb = *Dataset::from_tensors(Element{rt.as_tensor()}).repeat(2).ragged_batch(2).begin();
  CHECK(ragged::ragged_of(rb[0]).ragged_rank() == 2);
}

TEST_CASE("batch on elements of different lengths points to ragged_batch") {
  const std::string msg = error_of([] {
    for (const Element& b : sequences(3).batch(3)) (void)b;
  });
  CHECK(msg.find("batch: cannot batch component 0 of element 1") != std::string::npos);
  CHECK(msg.find("use ragged_batch or padded_batch") != std::string::npos);
  // ragged_batch: the axes after the first must agree.
  const Dataset mixed = Dataset::range(2).map([](const keras::Tensor& i) { return ops::ones({2, i.item<int64_t>() + 1}); });
  CHECK(error_of([&] {
          for (const Element& b : mixed.ragged_batch(2)) (void)b;
        }).find("ragged_batch: expected component 0 to have one dtype and the same sizes after the first axis") !=
        std::string::npos);
}
