// test_dataset.cpp - keras::data::Dataset: every transformation's values and
// cardinality, determinism, errors from map functions and generators, destruction in
// mid-iteration, and fit / evaluate / predict on datasets.
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "helpers.h"
#include "keras/data/dataset.h"
#include "keras/keras.h"

using namespace th;
namespace data = keras::data;
using data::Dataset;
using data::Element;

// The whole file also runs under ThreadSanitizer (./setup.sh tsan).
TEST_SUITE_BEGIN("data_pipeline");

namespace {
// The values of a dataset whose elements have one integer scalar component.
std::vector<int64_t> scalars(const Dataset& ds) {
  std::vector<int64_t> v;
  for (const Element& e : ds) {
    REQUIRE(e.size() == 1);
    REQUIRE(e[0].size() == 1);
    v.push_back(ops::cast(e[0], DType::int64).item<int64_t>());
  }
  return v;
}

// Iterates a dataset to the end; returns the number of elements.
int64_t drain(const Dataset& ds) {
  int64_t n = 0;
  for (const Element& e : ds) n += e.empty() ? 0 : 1;
  return n;
}

std::vector<int64_t> iota(int64_t a, int64_t b) {
  std::vector<int64_t> v;
  for (int64_t i = a; i < b; ++i) v.push_back(i);
  return v;
}

struct MapError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
}  // namespace

TEST_CASE("Dataset: Element is a tuple with optional names") {
  Tensor a = core::constant({1.0f, 2.0f}), b = core::constant(3);
  Element t{a, b};
  CHECK(t.size() == 2);
  CHECK(!t.named());
  CHECK(t[1].item<int>() == 3);
  CHECK(t.spec() == "(float32 (2,), int32 ())");
  CHECK_THROWS_AS(t[2], std::out_of_range);
  CHECK_THROWS_WITH_AS(t["x"], doctest::Contains("tuple of 2 components"), std::out_of_range);
  Element d{{"label", b}, {"image", a}};  // keys sorted
  CHECK(d.names() == std::vector<std::string>{"image", "label"});
  CHECK(d["label"].item<int>() == 3);
  CHECK(d[0].shape() == Shape{2});
  CHECK(d.spec() == "{'image': float32 (2,), 'label': int32 ()}");
  CHECK_THROWS_WITH_AS(d["labels"], doctest::Contains("the keys are 'image', 'label'"), std::out_of_range);
  CHECK_THROWS_AS(Element({a, b}, {"x", "x"}), std::invalid_argument);
}

TEST_CASE("Dataset: from_tensor_slices of a tensor, a tuple and a dict") {
  Tensor x = core::constant({{1, 2}, {3, 4}, {5, 6}});
  Tensor y = core::constant({10, 20, 30});
  Dataset one = Dataset::from_tensor_slices(x);
  CHECK(one.cardinality() == 3);
  std::vector<std::vector<int>> rows;
  for (const Element& e : one) {
    CHECK(e[0].shape() == Shape{2});
    CHECK(e[0].dtype() == DType::int32);
    rows.push_back(e[0].to_vector<int>());
  }
  CHECK(rows == std::vector<std::vector<int>>{{1, 2}, {3, 4}, {5, 6}});

  Dataset tup = Dataset::from_tensor_slices({x, y});
  int i = 0;
  for (const Element& e : tup) {
    CHECK(e.size() == 2);
    CHECK(e[1].item<int>() == 10 * (i + 1));
    CHECK(e[0].to_vector<int>() == std::vector<int>{2 * i + 1, 2 * i + 2});
    ++i;
  }
  CHECK(i == 3);

  Dataset dict = Dataset::from_tensor_slices({{"features", x}, {"label", y}});
  Element first = *dict.begin();
  CHECK(first["label"].item<int>() == 10);
  CHECK(first["features"].to_vector<int>() == std::vector<int>{1, 2});

  // Iterating twice gives the same elements.
  CHECK(scalars(Dataset::from_tensor_slices(y)) == std::vector<int64_t>{10, 20, 30});
  CHECK(scalars(Dataset::from_tensor_slices(y)) == scalars(Dataset::from_tensor_slices(y)));

  CHECK_THROWS_WITH_AS(Dataset::from_tensor_slices({x, core::constant({1, 2})}),
                       "from_tensor_slices: all components must have the same first dimension, but component 0 has "
                       "shape (3, 2) and component 1 has shape (2,)",
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(Dataset::from_tensor_slices(core::constant(1.0f)), doctest::Contains("is a scalar"),
                       std::invalid_argument);
  CHECK_THROWS_AS(Dataset::from_tensor_slices(Element{}), std::invalid_argument);
}

TEST_CASE("Dataset: range, from_tensors, take, skip, repeat and their cardinalities") {
  CHECK(scalars(Dataset::range(5)) == iota(0, 5));
  CHECK(scalars(Dataset::range(2, 11, 3)) == std::vector<int64_t>{2, 5, 8});
  CHECK(scalars(Dataset::range(5, 0, -2)) == std::vector<int64_t>{5, 3, 1});
  CHECK(Dataset::range(2, 11, 3).cardinality() == 3);
  CHECK(Dataset::range(5, 0, -2).cardinality() == 3);
  CHECK(Dataset::range(5, 5).cardinality() == 0);
  CHECK((*Dataset::range(1).begin())[0].dtype() == DType::int64);
  CHECK_THROWS_AS(Dataset::range(0, 5, 0), std::invalid_argument);

  Dataset t = Dataset::from_tensors({core::constant({1, 2, 3})});
  CHECK(t.cardinality() == 1);
  CHECK((*t.begin())[0].shape() == Shape{3});

  Dataset r = Dataset::range(10);
  CHECK(scalars(r.take(3)) == iota(0, 3));
  CHECK(r.take(3).cardinality() == 3);
  CHECK(r.take(30).cardinality() == 10);
  CHECK(r.take(-1).cardinality() == 10);
  CHECK(scalars(r.skip(7)) == iota(7, 10));
  CHECK(r.skip(7).cardinality() == 3);
  CHECK(r.skip(70).cardinality() == 0);
  CHECK(scalars(r.skip(-1)).empty());
  CHECK(scalars(Dataset::range(3).repeat(2)) == std::vector<int64_t>{0, 1, 2, 0, 1, 2});
  CHECK(Dataset::range(3).repeat(2).cardinality() == 6);
  CHECK(Dataset::range(3).repeat().cardinality() == data::INFINITE_CARDINALITY);
  CHECK(Dataset::range(3).repeat().take(7).cardinality() == 7);
  CHECK(scalars(Dataset::range(3).repeat().take(7)) == std::vector<int64_t>{0, 1, 2, 0, 1, 2, 0});
  CHECK(Dataset::range(0).repeat().cardinality() == 0);
  CHECK(scalars(Dataset::range(0).repeat()).empty());  // does not loop forever
  CHECK(Dataset::range(3).repeat(0).cardinality() == 0);
  CHECK_THROWS_AS(r.take(-2), std::invalid_argument);
}

TEST_CASE("Dataset: batch stacks elements; drop_remainder; shape errors name the element") {
  Dataset r = Dataset::range(10);
  std::vector<std::vector<int64_t>> got;
  for (const Element& b : r.batch(4)) got.push_back(b[0].to_vector<int64_t>());
  CHECK(got == std::vector<std::vector<int64_t>>{{0, 1, 2, 3}, {4, 5, 6, 7}, {8, 9}});
  CHECK(r.batch(4).cardinality() == 3);
  CHECK(r.batch(4, {.drop_remainder = true}).cardinality() == 2);
  int n = 0;
  for (const Element& b : r.batch(4, {.drop_remainder = true})) {
    CHECK(b[0].shape() == Shape{4});
    ++n;
  }
  CHECK(n == 2);
  CHECK(Dataset::range(3).repeat().batch(2).cardinality() == data::INFINITE_CARDINALITY);

  // Tensor slices take the fast path (one copy per component); the values are the same.
  Tensor x = ops::reshape(ops::range(0, 30), {10, 3});
  Tensor y = ops::range(100, 110);
  Dataset ds = Dataset::from_tensor_slices({{"x", x}, {"y", y}}).batch(4);
  std::vector<Element> batches;
  for (const Element& b : ds) batches.push_back(b);
  REQUIRE(batches.size() == 3);
  CHECK(batches[0]["x"].shape() == Shape{4, 3});
  CHECK(batches[2]["x"].shape() == Shape{2, 3});
  check_values(batches[1]["x"], iota(12, 24));
  check_values(batches[2]["y"], std::vector<int>{108, 109});
  // The generic path (through map) gives the same batches.
  Dataset slow = Dataset::from_tensor_slices({{"x", x}, {"y", y}}).map([](const Element& e) { return e; }).batch(4);
  int k = 0;
  for (const Element& b : slow) {
    CHECK(b.names() == std::vector<std::string>{"x", "y"});
    CHECK(values(b["x"]) == values(batches[size_t(k)]["x"]));
    ++k;
  }
  // take and skip keep the fast path exact.
  std::vector<int64_t> lens;
  for (const Element& b : Dataset::from_tensor_slices(y).skip(1).take(6).batch(4)) lens.push_back(b[0].shape()[0]);
  CHECK(lens == std::vector<int64_t>{4, 2});

  Dataset ragged = Dataset::from_generator([] {
    return [i = 0]() mutable -> std::optional<Element> {
      if (i == 4) return std::nullopt;
      ++i;
      return Element(ops::ones({i == 4 ? 3 : 2}));
    };
  });
  CHECK_THROWS_WITH_AS(
      [&] { for (const Element& b : ragged.batch(4)) (void)b; }(),
      "batch: cannot batch component 0 of element 3 (float32 (3,)) with element 0 (the first of the batch) (float32 (2,)); "
      "use ragged_batch or padded_batch for elements of different shapes",
      std::invalid_argument);
  CHECK_THROWS_AS(r.batch(0), std::invalid_argument);
}

TEST_CASE("Dataset: padded_batch pads to the longest, or to padded_shapes, with padding values") {
  // Element i is the vector [1, ..., i] (int32), plus a scalar label i.
  Dataset ds = Dataset::range(1, 5).map([](const Tensor& i) {
    Tensor v = ops::range(1, i.item<int64_t>() + 1);
    return Element{v, ops::cast(i, DType::int32)};
  });
  std::vector<Element> bs;
  for (const Element& b : ds.padded_batch(2)) bs.push_back(b);
  REQUIRE(bs.size() == 2);
  CHECK(bs[0][0].shape() == Shape{2, 2});
  check_values(bs[0][0], std::vector<int>{1, 0, 1, 2});
  check_values(bs[1][0], std::vector<int>{1, 2, 3, 0, 1, 2, 3, 4});
  check_values(bs[1][1], std::vector<int>{3, 4});
  CHECK(ds.padded_batch(3).cardinality() == 2);
  CHECK(ds.padded_batch(3, {.drop_remainder = true}).cardinality() == 1);

  Element b = *ds.padded_batch(2, {.padded_shapes = {{5}, {}}, .padding_values = {-1, 0}}).begin();
  CHECK(b[0].shape() == Shape{2, 5});
  check_values(b[0], std::vector<int>{1, -1, -1, -1, -1, 1, 2, -1, -1, -1});
  CHECK_THROWS_WITH_AS(
      [&] { for (const Element& e : ds.padded_batch(4, {.padded_shapes = {{3}, {}}})) (void)e; }(),
      "padded_batch: component 0 of element 3 has shape (4,), larger than padded_shapes[0] (3,)", std::invalid_argument);
}

TEST_CASE("Dataset: unbatch inverts batch") {
  Tensor x = ops::reshape(ops::range(0, 12), {6, 2});
  Dataset ds = Dataset::from_tensor_slices({x, ops::range(0, 6)}).batch(4).unbatch();
  CHECK(ds.cardinality() == data::UNKNOWN_CARDINALITY);
  int i = 0;
  for (const Element& e : ds) {
    CHECK(e[0].to_vector<int>() == std::vector<int>{2 * i, 2 * i + 1});
    CHECK(e[1].item<int>() == i);
    ++i;
  }
  CHECK(i == 6);
  CHECK(Dataset::range(3).batch(2).repeat().unbatch().cardinality() == data::INFINITE_CARDINALITY);
  CHECK_THROWS_WITH_AS([] { for (const Element& e : Dataset::range(3).unbatch()) (void)e; }(),
                       doctest::Contains("unbatch: component 0 of element 0 is a scalar"), std::invalid_argument);
}

TEST_CASE("Dataset: map and filter, with tuple unpacking") {
  Dataset r = Dataset::range(6);
  CHECK(scalars(r.map([](const Tensor& x) { return x * int64_t(10); })) == std::vector<int64_t>{0, 10, 20, 30, 40, 50});
  CHECK(r.map([](const Tensor& x) { return x; }).cardinality() == 6);
  Dataset pairs = Dataset::zip({r, r.map([](const Tensor& x) { return x * int64_t(2); })});
  CHECK(scalars(pairs.map([](const Tensor& a, const Tensor& b) { return a + b; })) == std::vector<int64_t>{0, 3, 6, 9, 12, 15});
  CHECK_THROWS_WITH_AS([&] { scalars(pairs.map([](const Tensor& a) { return a; })); }(),
                       doctest::Contains("map: the function takes 1 tensor argument, but the element has 2 components"),
                       std::invalid_argument);

  Dataset even = r.filter([](const Tensor& x) { return ops::equal(ops::mod(x, core::constant(int64_t(2))), core::constant(int64_t(0))); });
  CHECK(scalars(even) == std::vector<int64_t>{0, 2, 4});
  CHECK(even.cardinality() == data::UNKNOWN_CARDINALITY);
  CHECK(scalars(r.filter([](const Element& e) { return e[0].item<int64_t>() > 3; })) == std::vector<int64_t>{4, 5});
  CHECK_THROWS_WITH_AS([&] { scalars(r.filter([](const Tensor& x) { return x; })); }(),
                       "filter: the predicate must return a bool or a scalar bool tensor, but returned int64 ()",
                       std::invalid_argument);
}

TEST_CASE("Dataset: zip and concatenate") {
  Dataset a = Dataset::range(5), b = Dataset::range(10, 13);
  Dataset z = Dataset::zip({a, b});
  CHECK(z.cardinality() == 3);
  std::vector<std::pair<int64_t, int64_t>> got;
  for (const Element& e : z) got.push_back({e[0].item<int64_t>(), e[1].item<int64_t>()});
  CHECK(got == std::vector<std::pair<int64_t, int64_t>>{{0, 10}, {1, 11}, {2, 12}});
  CHECK(Dataset::zip({a, b.repeat()}).cardinality() == 5);
  CHECK(Dataset::zip({a.repeat(), b.repeat()}).cardinality() == data::INFINITE_CARDINALITY);
  CHECK(Dataset::zip({a, a.filter([](const Element&) { return true; })}).cardinality() == data::UNKNOWN_CARDINALITY);
  Dataset named = Dataset::zip({Dataset::from_tensor_slices({{"x", ops::range(0, 3)}}),
                                Dataset::from_tensor_slices({{"y", ops::range(3, 6)}})});
  CHECK((*named.begin())["y"].item<int>() == 3);
  Dataset clash = Dataset::zip({Dataset::from_tensor_slices({{"x", ops::range(0, 3)}}),
                                Dataset::from_tensor_slices({{"x", ops::range(3, 6)}})});
  CHECK(!(*clash.begin()).named());  // repeated keys: a tuple
  CHECK((*clash.begin())[1].item<int>() == 3);

  Dataset c = a.concatenate(b);
  CHECK(c.cardinality() == 8);
  CHECK(scalars(c) == std::vector<int64_t>{0, 1, 2, 3, 4, 10, 11, 12});
  CHECK(a.concatenate(b.repeat()).cardinality() == data::INFINITE_CARDINALITY);
  CHECK(a.concatenate(b.filter([](const Element&) { return true; })).cardinality() == data::UNKNOWN_CARDINALITY);
  Dataset bad = a.concatenate(Dataset::from_tensor_slices(core::constant({1.0f})));
  CHECK_THROWS_WITH_AS(scalars(bad),
                       "concatenate: the datasets' elements must have the same structure and dtypes, but the first "
                       "dataset gives (int64 (),) and the second (float32 (),)",
                       std::invalid_argument);
}

TEST_CASE("Dataset: shuffle is a seeded permutation, reshuffled per iteration") {
  Dataset r = Dataset::range(100);
  Dataset s = r.shuffle(100, {.seed = 3});
  CHECK(s.cardinality() == 100);
  std::vector<int64_t> p1 = scalars(s), p2 = scalars(s);
  std::vector<int64_t> sorted = p1;
  std::sort(sorted.begin(), sorted.end());
  CHECK(sorted == iota(0, 100));
  CHECK(p1 != iota(0, 100));
  CHECK(p1 != p2);  // the second iteration reshuffles
  // The order depends only on the seed and the iteration index.
  Dataset s2 = r.shuffle(100, {.seed = 3});
  CHECK(scalars(s2) == p1);
  CHECK(scalars(s2) == p2);
  Dataset fixed = r.shuffle(100, {.seed = 3, .reshuffle_each_iteration = false});
  CHECK(scalars(fixed) == scalars(fixed));
  CHECK(scalars(fixed) == p1);
  CHECK(scalars(r.shuffle(100, {.seed = 4})) != p1);
  // Global seed: set_random_seed makes unseeded shuffles reproducible.
  ops::set_random_seed(11);
  std::vector<int64_t> g1 = scalars(r.shuffle(100));
  ops::set_random_seed(11);
  CHECK(scalars(r.shuffle(100)) == g1);
  // A small buffer only moves elements a bounded distance forward.
  std::vector<int64_t> local = scalars(r.shuffle(4, {.seed = 1}));
  for (size_t i = 0; i < local.size(); ++i) CHECK(local[i] <= int64_t(i) + 3);
  // shuffle before repeat reshuffles every epoch.
  std::vector<int64_t> two = scalars(Dataset::range(10).shuffle(10, {.seed = 5}).repeat(2));
  CHECK(std::vector<int64_t>(two.begin(), two.begin() + 10) != std::vector<int64_t>(two.begin() + 10, two.end()));
  CHECK_THROWS_AS(r.shuffle(0), std::invalid_argument);

  // Over tensor slices the buffer holds row indices and batch gathers the rows at once;
  // the order is the one of the element path (here forced through an identity map).
  Tensor v = ops::reshape(ops::range(0, 100), {50, 2});
  Dataset by_index = Dataset::from_tensor_slices({v, ops::range(0, 50)}).shuffle(20, {.seed = 2});
  Dataset by_element = Dataset::from_tensor_slices({v, ops::range(0, 50)}).map([](const Element& e) { return e; }).shuffle(20, {.seed = 2});
  std::vector<int64_t> order;
  for (const Element& e : by_index) order.push_back(e[1].item<int64_t>());
  std::vector<int64_t> order2;
  for (const Element& e : by_element) order2.push_back(e[1].item<int64_t>());
  CHECK(order == order2);
  std::vector<double> gathered, stacked;
  for (const Element& b : by_index.skip(3).take(40).repeat(2).batch(8)) {
    CHECK(b[0].shape()[1] == 2);
    for (double d : values(b[0])) gathered.push_back(d);
  }
  for (const Element& b : by_element.skip(3).take(40).repeat(2).batch(8))
    for (double d : values(b[0])) stacked.push_back(d);
  CHECK(gathered.size() == 160);
  CHECK(gathered == stacked);
}

TEST_CASE("Dataset: parallel map keeps the order; shuffle + map is the same for 1 and 4 threads") {
  auto pipeline = [](int64_t threads) {
    return Dataset::range(200)
        .shuffle(50, {.seed = 9})
        .map([](const Tensor& x) { return ops::multiply(ops::cast(x, DType::float32), core::constant(0.5f)); },
             {.num_parallel_calls = threads})
        .batch(16);
  };
  auto collect = [](const Dataset& ds) {
    std::vector<double> v;
    for (const Element& b : ds)
      for (double d : values(b[0])) v.push_back(d);
    return v;
  };
  std::vector<double> seq = collect(pipeline(0)), one = collect(pipeline(1)), four = collect(pipeline(4));
  CHECK(seq.size() == 200);
  CHECK(one == seq);
  CHECK(four == seq);
  CHECK(collect(pipeline(data::AUTOTUNE)) == seq);
  CHECK(pipeline(4).cardinality() == 13);
  // Map functions running ops on several threads while the engine's pool is busy too.
  Tensor big = ops::ones({64, 4096});
  Dataset heavy = Dataset::range(32).map([&](const Tensor& i) { return ops::sum(ops::multiply(big, ops::cast(i, DType::float32))); },
                                         {.num_parallel_calls = 3});
  int64_t i = 0;
  for (const Element& e : heavy) {
    CHECK(e[0].item<double>() == doctest::Approx(double(i) * 64 * 4096));
    ++i;
  }
  CHECK(i == 32);
}

TEST_CASE("Dataset: cache keeps the first complete iteration") {
  auto calls = std::make_shared<std::atomic<int>>(0);
  Dataset ds = Dataset::range(5).map([calls](const Tensor& x) {
    ++*calls;
    return x;
  }).cache();
  CHECK(ds.cardinality() == 5);
  CHECK(scalars(ds.take(2)) == iota(0, 2));  // partial: nothing cached
  CHECK(scalars(ds) == iota(0, 5));
  const int after_fill = calls->load();
  CHECK(after_fill == 7);
  CHECK(scalars(ds) == iota(0, 5));
  CHECK(calls->load() == after_fill);
  // A shuffle after the cache still reshuffles each epoch.
  Dataset sc = ds.shuffle(5, {.seed = 1});
  std::vector<int64_t> e1 = scalars(sc), e2 = scalars(sc);
  CHECK(e1 != e2);
  CHECK(calls->load() == after_fill);
}

TEST_CASE("Dataset: from_generator restarts per iteration; prefetch delivers every element") {
  auto gen = Dataset::from_generator([] {
    return [i = 0]() mutable -> std::optional<Element> {
      if (i == 5) return std::nullopt;
      return Element{core::constant(i), core::constant(float(i++) * 2)};
    };
  });
  CHECK(gen.cardinality() == data::UNKNOWN_CARDINALITY);
  for (int pass = 0; pass < 2; ++pass) {
    int i = 0;
    for (const Element& e : gen) {
      CHECK(e[0].item<int>() == i);
      CHECK(e[1].item<float>() == 2.0f * float(i));
      ++i;
    }
    CHECK(i == 5);
  }
  Dataset pf = Dataset::range(1000).map([](const Tensor& x) { return x + int64_t(1); }, {.num_parallel_calls = 2}).prefetch(3);
  CHECK(pf.cardinality() == 1000);
  CHECK(scalars(pf) == iota(1, 1001));
  CHECK(scalars(pf.take(10)) == iota(1, 11));
  CHECK(scalars(Dataset::range(3).prefetch(0)) == iota(0, 3));
  CHECK_THROWS_AS(Dataset::range(3).prefetch(-2), std::invalid_argument);
  // Iterator::next() and range-for agree.
  data::Iterator it = Dataset::range(2).make_iterator();
  CHECK(it.next()->operator[](0).item<int64_t>() == 0);
  CHECK(it.next()->operator[](0).item<int64_t>() == 1);
  CHECK(!it.next());
  CHECK(!it.next());
}

TEST_CASE("Dataset: errors in map and generators reach the consumer as the original exception") {
  auto failing_map = [](const Tensor& x) {
    if (x.item<int64_t>() == 7) throw MapError("bad element 7");
    return x;
  };
  for (int64_t threads : {0, 1, 3}) {
    CAPTURE(threads);
    Dataset ds = Dataset::range(20).map(failing_map, {.num_parallel_calls = threads});
    std::vector<int64_t> seen;
    CHECK_THROWS_WITH_AS([&] { for (const Element& e : ds) seen.push_back(e[0].item<int64_t>()); }(), "bad element 7",
                         MapError);
    CHECK(seen == iota(0, 7));  // every element before the failing one, in order
    // Through prefetch (a background thread) as well.
    CHECK_THROWS_AS(scalars(ds.prefetch(2)), MapError);
    CHECK_THROWS_AS(drain(ds.batch(4).prefetch(2)), MapError);
  }
  Dataset gen = Dataset::from_generator([] {
    return [i = 0]() mutable -> std::optional<Element> {
      if (i == 3) throw std::runtime_error("generator broke at 3");
      return Element(core::constant(i++));
    };
  });
  std::vector<int64_t> seen;
  CHECK_THROWS_WITH_AS([&] { for (const Element& e : gen.prefetch(8)) seen.push_back(e[0].item<int>()); }(),
                       "generator broke at 3", std::runtime_error);
  CHECK(seen == iota(0, 3));
  // An upstream error under a parallel map comes after the elements already mapped.
  seen.clear();
  CHECK_THROWS_WITH_AS([&] {
    for (const Element& e : gen.map([](const Tensor& x) { return x; }, {.num_parallel_calls = 2})) seen.push_back(e[0].item<int>());
  }(), "generator broke at 3", std::runtime_error);
  CHECK(seen == iota(0, 3));
}

TEST_CASE("Dataset: destroying an iterator in mid-stream stops its threads promptly") {
  auto mapped = std::make_shared<std::atomic<int>>(0);
  auto slow = [mapped](const Tensor& x) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    ++*mapped;
    return x;
  };
  // Infinite pipelines: the threads would run forever if nobody stopped them.
  Dataset ds = Dataset::range(1000000).repeat().map(slow, {.num_parallel_calls = 4}).prefetch(8);
  CHECK(ds.cardinality() == data::INFINITE_CARDINALITY);
  // (A destructor that never returns hangs the test: setup.sh's time limit fails it.)
  for (int round = 0; round < 3; ++round) {
    data::Iterator it = ds.make_iterator();
    for (int i = 0; i < 20; ++i) CHECK(it.next()->operator[](0).item<int64_t>() == i);
  }  // each iterator is destroyed here with its prefetch thread and map pool busy
  {
    int n = 0;
    for (const Element& e : Dataset::range(1000000).prefetch(4)) {
      (void)e;
      if (++n == 5) break;  // leaving a range-for early
    }
  }
  const int after = mapped->load();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  CHECK(mapped->load() == after);  // nothing runs any more
}

// ---- fit / evaluate / predict on datasets --------------------------------------------------------
namespace {
std::pair<Tensor, Tensor> regression_data(int64_t n) {
  auto xv = uniform(n * 3, -1, 1, 5);
  std::vector<double> yv(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) yv[size_t(i)] = xv[size_t(3 * i)] - 2 * xv[size_t(3 * i + 1)] + 0.5 * xv[size_t(3 * i + 2)];
  return {make(xv, Shape{n, 3}), make(yv, Shape{n, 1})};
}

keras::Ref<keras::SequentialModel> small_model() {
  ops::set_random_seed(21);
  auto m = keras::Sequential({keras::layers::Dense(8, {.activation = "tanh", .input_shape = {3}}), keras::layers::Dense(1)});
  m->compile({.optimizer = "adam", .loss = "mse", .metrics = {"mae"}});
  return m;
}
}  // namespace

TEST_CASE("fit on a Dataset reaches the same weights as fit on tensors with the same batches") {
  auto [x, y] = regression_data(70);
  auto a = small_model();
  auto ha = a->fit(x, y, {.batch_size = 16, .epochs = 3, .verbose = 0, .shuffle = false});
  auto b = small_model();
  auto hb = b->fit(Dataset::from_tensor_slices({x, y}).batch(16), {.epochs = 3, .verbose = 0});
  auto wa = a->get_weights(), wb = b->get_weights();
  REQUIRE(wa.size() == wb.size());
  for (size_t i = 0; i < wa.size(); ++i) CHECK(values(wa[i]) == values(wb[i]));
  CHECK(ha.history["loss"] == hb.history["loss"]);
  CHECK(ha.history["mae"] == hb.history["mae"]);

  // evaluate and predict on a dataset agree with the tensor versions.
  keras::Logs ea = a->evaluate(x, y, {.batch_size = 16, .verbose = 0});
  keras::Logs eb = b->evaluate(Dataset::from_tensor_slices({x, y}).batch(16), {.verbose = 0});
  CHECK(eb["loss"] == doctest::Approx(ea["loss"]).epsilon(1e-6));
  CHECK(eb["mae"] == doctest::Approx(ea["mae"]).epsilon(1e-6));
  Tensor pa = a->predict(x, {.batch_size = 16});
  Tensor pb = b->predict(Dataset::from_tensor_slices(x).batch(16));
  CHECK(pb.shape() == Shape{70, 1});
  CHECK(values(pa) == values(pb));
  // predict takes the first component of (x, y) elements too.
  Tensor pc = b->predict(Dataset::from_tensor_slices({x, y}).batch(32).prefetch(2));
  CHECK(values(pc) == values(pb));
}

TEST_CASE("fit on a Dataset: sample weights, validation datasets, steps_per_epoch on an infinite dataset") {
  auto [x, y] = regression_data(64);
  Tensor w = ops::concat({ops::ones({32}), ops::zeros({32})}, 0);
  // (x, y, sample_weight) elements are the same as fit(..., sample_weight).
  auto a = small_model();
  a->fit(x, y, {.batch_size = 16, .epochs = 2, .verbose = 0, .shuffle = false, .sample_weight = w});
  auto b = small_model();
  b->fit(Dataset::from_tensor_slices({x, y, w}).batch(16), {.epochs = 2, .verbose = 0});
  CHECK(values(a->get_weights()[0]) == values(b->get_weights()[0]));

  // validation_data as a Dataset gives the val_ logs, equal to validation with tensors.
  auto c = small_model();
  auto hc = c->fit(x, y, {.batch_size = 16, .epochs = 2, .verbose = 0, .validation_data = {x, y}, .shuffle = false});
  auto d = small_model();
  auto hd = d->fit(Dataset::from_tensor_slices({x, y}).batch(16),
                   {.epochs = 2, .verbose = 0, .validation_data = Dataset::from_tensor_slices({x, y}).batch(16)});
  REQUIRE(hd.history.count("val_loss") == 1);
  CHECK(hd.history["val_loss"].size() == 2);
  for (size_t i = 0; i < 2; ++i) CHECK(hd.history["val_loss"][i] == doctest::Approx(hc.history["val_loss"][i]).epsilon(1e-6));

  // An infinite dataset needs steps_per_epoch; the iterator continues across epochs.
  Dataset inf = Dataset::from_tensor_slices({x, y}).repeat().batch(16);
  auto e = small_model();
  CHECK_THROWS_WITH_AS(e->fit(inf, {.epochs = 1, .verbose = 0}), doctest::Contains("steps_per_epoch"), std::invalid_argument);
  int64_t batches = 0;
  auto count = std::make_shared<keras::callbacks::LambdaCallback>(
      keras::callbacks::LambdaCallbackOptions{.on_train_batch_end = [&](int64_t, const keras::Logs&) { ++batches; }});
  auto he = e->fit(inf, {.epochs = 3, .verbose = 0, .callbacks = {count}, .steps_per_epoch = 6});
  CHECK(batches == 18);
  CHECK(he.history["loss"].size() == 3);
  // 3 epochs of 6 batches of an infinite stream = the 18 batches of 4.5 passes over the
  // data; the same batches as the tensors repeated.
  auto f = small_model();
  Tensor x5 = ops::concat({x, x, x, x, x}, 0), y5 = ops::concat({y, y, y, y, y}, 0);
  f->fit(ops::slice(x5, {0, 0}, {288, 3}), ops::slice(y5, {0, 0}, {288, 1}), {.batch_size = 16, .epochs = 1, .verbose = 0, .shuffle = false});
  CHECK(values(e->get_weights()[0]) == values(f->get_weights()[0]));

  // steps_per_epoch over a finite dataset (4 batches): a whole pass per epoch starts a
  // new iterator; a pass that runs out ends the epoch early (Keras 3 warns on stderr).
  Dataset four = Dataset::from_tensor_slices({x, y}).batch(16);
  batches = 0;
  small_model()->fit(four, {.epochs = 2, .verbose = 0, .callbacks = {count}, .steps_per_epoch = 4});
  CHECK(batches == 8);
  batches = 0;
  small_model()->fit(four, {.epochs = 2, .verbose = 0, .callbacks = {count}, .steps_per_epoch = 3});
  CHECK(batches == 4);  // 3, then the last one

  // class_weight applies to each batch of a dataset as it does to tensors.
  auto [xc, yc] = regression_data(32);
  Tensor labels = ops::cast(ops::greater(ops::slice(yc, {0, 0}, {32, 1}), core::constant(0.0f)), DType::int32);
  auto classifier = [] {
    ops::set_random_seed(5);
    auto m = keras::Sequential({keras::layers::Dense(2, {.activation = "softmax", .input_shape = {3}})});
    m->compile({.optimizer = "sgd", .loss = "sparse_categorical_crossentropy"});
    return m;
  };
  auto ca = classifier(), cb = classifier();
  ca->fit(xc, labels, {.batch_size = 8, .epochs = 1, .verbose = 0, .shuffle = false, .class_weight = {{0, 0.5}, {1, 2.0}}});
  cb->fit(Dataset::from_tensor_slices({xc, labels}).batch(8), {.epochs = 1, .verbose = 0, .class_weight = {{0, 0.5}, {1, 2.0}}});
  CHECK(values(ca->get_weights()[0]) == values(cb->get_weights()[0]));

  // evaluate and predict take `steps` for an infinite dataset.
  keras::Logs ev = e->evaluate(inf, {.verbose = 0, .steps = 4});
  keras::Logs ev_t = e->evaluate(x, y, {.batch_size = 16, .verbose = 0});
  CHECK(ev["loss"] == doctest::Approx(ev_t["loss"]).epsilon(1e-6));  // 4 batches = the 64 samples
  CHECK(e->predict(inf, {.steps = 3}).shape() == Shape{48, 1});
  CHECK_THROWS_WITH_AS(e->predict(inf), doctest::Contains("give steps"), std::invalid_argument);

  // Wrong structures and options give clear errors.
  auto g = small_model();
  CHECK_THROWS_WITH_AS(g->fit(Dataset::from_tensor_slices(x).batch(8), {.verbose = 0}),
                       doctest::Contains("expected dataset elements (x, y) or (x, y, sample_weight), but received (float32 (8, 3),)"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(g->fit(Dataset::from_tensor_slices({x, y}).batch(8), {.verbose = 0, .validation_split = 0.2}),
                       doctest::Contains("validation_split"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(g->fit(Dataset::from_tensor_slices({x, y}).batch(8).take(0), {.verbose = 0}),
                       "fit: the dataset is empty (it gave no batches)", std::invalid_argument);
  CHECK_THROWS_WITH_AS(g->evaluate(Dataset::from_tensor_slices({x, y}).batch(8).filter([](const Element&) { return false; }),
                                   {.verbose = 0}),
                       "evaluate: the dataset is empty (it gave no batches)", std::invalid_argument);
}

TEST_CASE("fit on a Dataset: the progress bar shows the total when the cardinality is known") {
  auto [x, y] = regression_data(40);
  Dataset known = Dataset::from_tensor_slices({x, y}).batch(16);
  Dataset unknown = Dataset::from_tensor_slices({x, y}).filter([](const Element&) { return true; }).batch(16);
  // The callbacks' params carry the step count only when it is known.
  auto params_of = [&](const Dataset& ds) {
    std::map<std::string, double> p;
    auto grab = std::make_shared<keras::callbacks::LambdaCallback>(keras::callbacks::LambdaCallbackOptions{});
    auto m = small_model();
    m->fit(ds, {.epochs = 1, .verbose = 0, .callbacks = {grab}});
    return grab->params();
  };
  CHECK(params_of(known).at("steps") == 3);
  CHECK(params_of(unknown).count("steps") == 0);

  // On a terminal (a pseudo-terminal here) the bar is redrawn in place: "3/3" with a
  // known total, Keras 3's "      1/Unknown" form otherwise; the first epoch learns the
  // total, so later epochs show it.
  auto run = [&](const Dataset& ds) {
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    REQUIRE(master >= 0);
    REQUIRE(grantpt(master) == 0);
    REQUIRE(unlockpt(master) == 0);
    int slave = open(ptsname(master), O_RDWR | O_NOCTTY);
    REQUIRE(slave >= 0);
    std::FILE* f = fdopen(slave, "w");
    REQUIRE(f);
    auto m = small_model();
    m->fit(ds, {.epochs = 2, .verbose = 0, .callbacks = {std::make_shared<keras::callbacks::ProgbarLogger>(1, f)}});
    std::fclose(f);
    fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
    std::string out;
    char buf[4096];
    for (ssize_t r; (r = read(master, buf, sizeof buf)) > 0;) out.append(buf, size_t(r));
    close(master);
    return out;
  };
  std::string k = run(known);
  CHECK(k.find("3/3 ") != std::string::npos);
  CHECK(k.find("Unknown") == std::string::npos);
  std::string u = run(unknown);
  CHECK(u.find("      1/Unknown ") != std::string::npos);
  const size_t epoch2 = u.find("Epoch 2/2");
  REQUIRE(epoch2 != std::string::npos);
  CHECK(u.find("3/3 ", epoch2) != std::string::npos);
  CHECK(u.find("Unknown", epoch2) == std::string::npos);
}

namespace {
// Two inputs ("wide", "deep") and two outputs ("main", "aux").
keras::Ref<keras::FunctionalModel> two_in_two_out() {
  ops::set_random_seed(5);
  auto wide = keras::Input({2}, {.name = "wide"});
  auto deep = keras::Input({3}, {.name = "deep"});
  auto h = keras::layers::Dense(4, {.activation = "tanh"})(deep);
  auto c = keras::layers::Concatenate()({wide, h});
  auto main_out = keras::layers::Dense(1, {.name = "main"})(c);
  auto aux_out = keras::layers::Dense(1, {.name = "aux"})(h);
  auto m = keras::Functional({wide, deep}, {main_out, aux_out});
  m->compile({.optimizer = "sgd", .loss = "mse", .loss_weights = {1.0, 0.5}});
  return m;
}
}  // namespace

TEST_CASE("fit on a Dataset: multi-input, multi-output models take positional or named elements") {
  auto [x, y] = regression_data(48);
  Tensor wide = ops::slice(x, {0, 0}, {48, 2}), deep = x;
  Tensor y_aux = y * 2.0;
  auto a = two_in_two_out();
  a->fit(std::vector<Tensor>{wide, deep}, std::vector<Tensor>{y, y_aux},
         {.batch_size = 16, .epochs = 2, .verbose = 0, .shuffle = false});
  // Positional: the inputs, then the targets.
  auto b = two_in_two_out();
  b->fit(Dataset::from_tensor_slices({wide, deep, y, y_aux}).batch(16), {.epochs = 2, .verbose = 0});
  // Named: keys are the input and output layers' names (any order).
  auto c = two_in_two_out();
  Dataset named = Dataset::from_tensor_slices({{"aux", y_aux}, {"deep", deep}, {"main", y}, {"wide", wide}}).batch(16);
  c->fit(named, {.epochs = 2, .verbose = 0});
  const auto wa = a->get_weights(), wb = b->get_weights(), wc = c->get_weights();
  REQUIRE(wa.size() == wb.size());
  for (size_t i = 0; i < wa.size(); ++i) {
    CHECK(values(wa[i]) == values(wb[i]));
    CHECK(values(wa[i]) == values(wc[i]));
  }
  keras::Logs ea = a->evaluate(std::vector<Tensor>{wide, deep}, std::vector<Tensor>{y, y_aux}, {.batch_size = 16, .verbose = 0});
  keras::Logs ec = c->evaluate(named, {.verbose = 0});
  CHECK(ec["loss"] == doctest::Approx(ea["loss"]).epsilon(1e-6));

  // Errors name the expected form and the keys.
  CHECK_THROWS_MSG(b->fit(Dataset::from_tensor_slices({wide, deep, y}).batch(16), {.verbose = 0}), std::invalid_argument,
                   "fit: expected dataset elements (x1, x2, y1, y2) or (x1, x2, y1, y2, sample_weight), "
                   "but received ");
  Dataset no_targets = Dataset::from_tensor_slices({{"deep", deep}, {"wide", wide}, {"y", y}}).batch(16);
  CHECK_THROWS_MSG(c->fit(no_targets, {.verbose = 0}), std::invalid_argument,
                   "name the model's inputs but not its targets: expected the keys 'main', 'aux'");
  Dataset extra = Dataset::from_tensor_slices({{"aux", y_aux}, {"deep", deep}, {"main", y}, {"wide", wide}, {"zz", y}}).batch(16);
  CHECK_THROWS_MSG(c->fit(extra, {.verbose = 0}), std::invalid_argument,
                   "the component 'zz' of the dataset's elements");
}

TEST_SUITE_END();
