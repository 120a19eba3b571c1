// test_dataset_regroup.cpp - the Dataset transformations that regroup elements:
// enumerate, rebatch, window and flat_map, with the values and cardinalities
// tf.data gives (checked against TensorFlow 2).
#include <limits>
#include <stdexcept>
#include <vector>

#include "helpers.h"
#include "keras/data/dataset.h"

using namespace th;
namespace data = keras::data;
using data::Dataset;
using data::Element;

namespace {
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
using Rows = std::vector<std::vector<int64_t>>;

std::vector<int64_t> ints(const Tensor& t) { return ops::cast(t, DType::int64).to_vector<int64_t>(); }

// Component c of every element, as integers (one row per element).
Rows column(const Dataset& ds, size_t c = 0, size_t limit = 100) {
  Rows out;
  data::Iterator it = ds.make_iterator();
  while (out.size() < limit) {
    std::optional<Element> e = it.next();
    if (!e) break;
    out.push_back(ints((*e)[c]));
  }
  return out;
}

Dataset filtered(const Dataset& ds) {  // the same elements, cardinality unknown
  return ds.filter([](const Element&) { return true; });
}
}  // namespace

TEST_CASE("Dataset: enumerate pairs an int64 index with each element") {
  Dataset ds = Dataset::range(5).map([](const Tensor& x) { return ops::multiply(x, core::constant(int64_t(10))); });
  Dataset en = ds.enumerate(3);
  CHECK(en.cardinality() == 5);
  CHECK(column(en, 0) == Rows{{3}, {4}, {5}, {6}, {7}});
  CHECK(column(en, 1) == Rows{{0}, {10}, {20}, {30}, {40}});
  Element first = *en.begin();
  CHECK(first.size() == 2);
  CHECK(first[0].dtype() == DType::int64);
  CHECK(first[0].rank() == 0);
  // Tuples stay flat: (index, x, y), so a function can take the three tensors.
  Tensor x = core::constant({1.0f, 2.0f}), y = core::constant({7, 8});
  Dataset pairs = Dataset::from_tensor_slices({x, y}).enumerate();
  CHECK(pairs.begin()->spec() == "(int64 (), float32 (), int32 ())");
  Dataset sums = pairs.map([](const Tensor& i, const Tensor& a, const Tensor& b) {
    return ops::add(ops::cast(i, DType::float32), ops::add(a, ops::cast(b, DType::float32)));
  });
  check_values(*sums.begin()->begin(), std::vector<double>{8.0});
  // Cardinalities as tf.data reports them.
  CHECK(ds.repeat().enumerate().cardinality() == data::INFINITE_CARDINALITY);
  CHECK(filtered(ds).enumerate().cardinality() == data::UNKNOWN_CARDINALITY);
  CHECK(Dataset::range(0).enumerate().cardinality() == 0);
  // Indices stop below int64's maximum, as range(start, max) does: the cardinality says so.
  Dataset edge = Dataset::range(5).enumerate(kMax - 2);
  CHECK(edge.cardinality() == 2);
  CHECK(column(edge, 1) == Rows{{0}, {1}});
  std::vector<int64_t> idx;
  for (const Element& e : edge) idx.push_back(e[0].to_vector<int64_t>()[0]);
  CHECK(idx == std::vector<int64_t>{kMax - 2, kMax - 1});
  // An infinite dataset cannot be enumerated past it.
  data::Iterator inf = Dataset::range(3).repeat().enumerate(kMax - 1).make_iterator();
  CHECK(inf.next().has_value());
  CHECK_THROWS_MSG(inf.next(), std::overflow_error, "enumerate: the index reached int64's maximum");
}

TEST_CASE("Dataset: rebatch re-slices batches across their boundaries") {
  CHECK(column(Dataset::range(10).batch(4).rebatch(3)) == Rows{{0, 1, 2}, {3, 4, 5}, {6, 7, 8}, {9}});
  CHECK(column(Dataset::range(10).batch(4).rebatch(3, {.drop_remainder = true})) == Rows{{0, 1, 2}, {3, 4, 5}, {6, 7, 8}});
  CHECK(column(Dataset::range(6).batch(2).rebatch(5)) == Rows{{0, 1, 2, 3, 4}, {5}});
  CHECK(column(Dataset::range(10).batch(4, {.drop_remainder = true}).rebatch(3, {.drop_remainder = true})) ==
        Rows{{0, 1, 2}, {3, 4, 5}});
  CHECK(column(Dataset::range(6).batch(2).repeat().rebatch(5), 0, 3) == Rows{{0, 1, 2, 3, 4}, {5, 0, 1, 2, 3}, {4, 5, 0, 1, 2}});
  // The same as unbatch().batch(n), for every component, names kept.
  Tensor img = ops::reshape(core::constant(std::vector<float>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13}), {7, 2});
  Tensor lab = core::constant(std::vector<int32_t>{0, 1, 2, 3, 4, 5, 6});
  Dataset batches = Dataset::from_tensor_slices({{"image", img}, {"label", lab}}).batch(3);
  Dataset re = batches.rebatch(2), ref = batches.unbatch().batch(2);
  CHECK(re.cardinality() == data::UNKNOWN_CARDINALITY);  // as tf.data reports, even for known inputs
  data::Iterator a = re.make_iterator(), b = ref.make_iterator();
  int n = 0;
  for (std::optional<Element> x = a.next(), y = b.next(); x || y; x = a.next(), y = b.next(), ++n) {
    REQUIRE(x.has_value());
    REQUIRE(y.has_value());
    CHECK(x->names() == std::vector<std::string>{"image", "label"});
    CHECK(x->spec() == y->spec());
    CHECK(ints((*x)["image"]) == ints((*y)["image"]));
    CHECK(ints((*x)["label"]) == ints((*y)["label"]));
  }
  CHECK(n == 4);
  // Bad input: named errors.
  CHECK_THROWS_MSG(Dataset::range(4).rebatch(0), std::invalid_argument, "rebatch: expected batch_size >= 1, but received 0");
  CHECK_THROWS_MSG(column(Dataset::range(4).rebatch(2)), std::invalid_argument,
                   "rebatch: component 0 of element 0 is a scalar (int64 ()); expected batches with a first axis");
  Dataset ragged = Dataset::from_tensors(core::constant({1.0f, 2.0f}))
                       .concatenate(Dataset::from_tensors(ops::reshape(core::constant({1.0f, 2.0f}), {1, 2})));
  CHECK_THROWS_MSG(column(ragged.rebatch(2)), std::invalid_argument,
                   "rebatch: element 1 (float32 (1, 2),) does not match element 0 (float32 (2,),)");
}

TEST_CASE("Dataset: window yields datasets of elements, composing with flat_map") {
  auto windows = [](const data::WindowDataset& w) {
    Rows out;
    for (const Dataset& d : w) {
      std::vector<int64_t> v;
      for (const Element& e : d) v.push_back(ints(e[0])[0]);
      out.push_back(v);
    }
    return out;
  };
  Dataset r = Dataset::range(10);
  CHECK(windows(r.window(3)) == Rows{{0, 1, 2}, {3, 4, 5}, {6, 7, 8}, {9}});
  CHECK(r.window(3).cardinality() == 4);
  CHECK(windows(r.window(3, {.shift = 2})) == Rows{{0, 1, 2}, {2, 3, 4}, {4, 5, 6}, {6, 7, 8}, {8, 9}});
  CHECK(r.window(3, {.shift = 2}).cardinality() == 5);
  CHECK(windows(r.window(3, {.shift = 1, .stride = 3})) ==
        Rows{{0, 3, 6}, {1, 4, 7}, {2, 5, 8}, {3, 6, 9}, {4, 7}, {5, 8}, {6, 9}, {7}, {8}, {9}});
  CHECK(r.window(3, {.shift = 1, .stride = 3}).cardinality() == 10);
  CHECK(windows(r.window(3, {.shift = 2, .drop_remainder = true})) == Rows{{0, 1, 2}, {2, 3, 4}, {4, 5, 6}, {6, 7, 8}});
  CHECK(r.window(3, {.shift = 2, .drop_remainder = true}).cardinality() == 4);
  CHECK(windows(r.window(3, {.shift = 1, .stride = 3, .drop_remainder = true})) ==
        Rows{{0, 3, 6}, {1, 4, 7}, {2, 5, 8}, {3, 6, 9}});
  CHECK(r.window(3, {.shift = 1, .stride = 3, .drop_remainder = true}).cardinality() == 4);
  CHECK(windows(r.window(2, {.shift = 5})) == Rows{{0, 1}, {5, 6}});
  CHECK(r.window(2, {.shift = 5}).cardinality() == 2);
  CHECK(windows(r.window(20)) == Rows{{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}});
  CHECK(r.window(20).cardinality() == 1);
  CHECK(r.window(20, {.drop_remainder = true}).cardinality() == 0);
  CHECK(windows(r.window(20, {.drop_remainder = true})).empty());
  CHECK(Dataset::range(0).window(2).cardinality() == 0);
  CHECK(windows(Dataset::range(0).window(2)).empty());
  CHECK(r.repeat().window(2).cardinality() == data::INFINITE_CARDINALITY);
  CHECK(filtered(r).window(2).cardinality() == data::UNKNOWN_CARDINALITY);
  // Each window is a dataset with a known cardinality, iterable again.
  data::WindowDataset::Iterator it = r.window(4).make_iterator();
  std::optional<Dataset> w0 = it.next();
  REQUIRE(w0.has_value());
  CHECK(w0->cardinality() == 4);
  CHECK(column(*w0) == column(*w0));
  // TF's idiom: sliding frames as batches.
  Dataset frames = r.window(3, {.shift = 1, .drop_remainder = true}).flat_map([](Dataset w) { return w.batch(3); });
  CHECK(frames.cardinality() == data::UNKNOWN_CARDINALITY);
  Rows want;
  for (int64_t s = 0; s + 2 < 10; ++s) want.push_back({s, s + 1, s + 2});
  CHECK(column(frames) == want);
  CHECK(column(r.window(3).flat_map([](const Dataset& w) { return w.batch(3); })) == Rows{{0, 1, 2}, {3, 4, 5}, {6, 7, 8}, {9}});
  // Windows keep the element's structure.
  Tensor x = core::constant({1.0f, 2.0f, 3.0f}), y = core::constant({4, 5, 6});
  Dataset tw = Dataset::from_tensor_slices({x, y}).window(2).flat_map([](const Dataset& w) { return w.batch(2); });
  CHECK(column(tw, 1) == Rows{{4, 5}, {6}});
  CHECK(tw.begin()->spec() == "(float32 (2,), int32 (2,))");
  // Bad arguments.
  CHECK_THROWS_MSG(r.window(0), std::invalid_argument, "window: expected size >= 1, but received 0");
  CHECK_THROWS_MSG(r.window(2, {.shift = 0}), std::invalid_argument, "window: expected shift >= 1, but received 0");
  CHECK_THROWS_MSG(r.window(2, {.stride = -1}), std::invalid_argument, "window: expected stride >= 1, but received -1");
  CHECK_THROWS_MSG(r.window(kMax, {.stride = 2}), std::invalid_argument, "spans more input elements than an int64 counts");
}

TEST_CASE("Dataset: flat_map maps each element to a dataset and flattens") {
  Dataset ds = Dataset::range(1, 4).flat_map([](const Tensor& x) {
    return Dataset::from_tensors(x).repeat(x.to_vector<int64_t>()[0]);
  });
  CHECK(column(ds) == Rows{{1}, {2}, {2}, {3}, {3}, {3}});
  CHECK(column(ds) == column(ds));  // iterable again
  // Cardinality unknown, as tf.data reports (empty, finite and infinite inputs alike).
  CHECK(ds.cardinality() == data::UNKNOWN_CARDINALITY);
  auto two = [](const Element&) { return Dataset::range(2); };
  CHECK(Dataset::range(0).flat_map(two).cardinality() == data::UNKNOWN_CARDINALITY);
  CHECK(Dataset::range(3).repeat().flat_map(two).cardinality() == data::UNKNOWN_CARDINALITY);
  CHECK(column(Dataset::range(0).flat_map(two)).empty());
  // Empty inner datasets are skipped; an infinite input streams lazily.
  Dataset sparse = Dataset::range(5).flat_map([](const Tensor& x) {
    const int64_t v = x.to_vector<int64_t>()[0];
    return Dataset::range(v % 2 ? 0 : 1).map([v](const Tensor&) { return core::constant(v); });
  });
  CHECK(column(sparse) == Rows{{0}, {2}, {4}});
  CHECK(column(Dataset::range(3).repeat().flat_map(two), 0, 5) == Rows{{0}, {1}, {0}, {1}, {0}});
  // Batches split back into rows: flat_map(from_tensor_slices) is unbatch.
  Dataset rows = Dataset::range(5).batch(2).flat_map([](const Tensor& b) { return Dataset::from_tensor_slices(b); });
  CHECK(column(rows) == Rows{{0}, {1}, {2}, {3}, {4}});
  // Errors in the function reach the consumer.
  Dataset bad = Dataset::range(3).flat_map([](const Tensor& x) -> Dataset {
    if (x.to_vector<int64_t>()[0] == 1) throw std::domain_error("no dataset for 1");
    return Dataset::range(1);
  });
  CHECK_THROWS_AS(column(bad), std::domain_error);
  CHECK_THROWS_MSG(Dataset::range(3).flat_map_fn(nullptr), std::invalid_argument, "flat_map: expected a function");
}
