// Dataset::interleave and Dataset::list_files against tf.data (TensorFlow 2.21's outputs
// for the same pipelines, written here), and the sharded-TFRecord pipeline they make.
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "error_of.h"
#include "files.h"
#include "helpers.h"
#include "keras/keras.h"

using namespace th;
namespace data = keras::data;

namespace {
std::vector<int64_t> ints(const data::Dataset& ds) {
  std::vector<int64_t> out;
  for (const data::Element& e : ds) out.push_back(e[0].item<int64_t>());
  return out;
}
std::vector<std::string> strings(const data::Dataset& ds) {
  std::vector<std::string> out;
  for (const data::Element& e : ds) out.push_back(e[0].item<std::string>());
  return out;
}
// range(10 x, 10 x + size(x)) for each x
template <class Size>
data::Dataset blocks(const data::Dataset& xs, Size size, data::InterleaveOptions o) {
  return xs.interleave(
      [size](const keras::Tensor& x) {
        const int64_t v = x.item<int64_t>();
        return data::Dataset::range(10 * v, 10 * v + size(v));
      },
      o);
}
}  // namespace

TEST_CASE("interleave: tf.data's order for cycle and block lengths, ended and empty inputs") {
  auto same = [](int64_t v) { return v; };
  CHECK(ints(blocks(data::Dataset::range(1, 6), same, {.cycle_length = 2, .block_length = 1})) ==
        std::vector<int64_t>{10, 20, 21, 30, 31, 40, 32, 41, 42, 50, 43, 51, 52, 53, 54});
  CHECK(ints(blocks(data::Dataset::range(1, 6), same, {.cycle_length = 3, .block_length = 2})) ==
        std::vector<int64_t>{10, 20, 21, 30, 31, 40, 41, 32, 42, 43, 50, 51, 52, 53, 54});
  CHECK(ints(blocks(data::Dataset::range(0, 4), [](int64_t v) { return v % 3; },
                    {.cycle_length = 2, .block_length = 3})) == std::vector<int64_t>{10, 20, 21});
  CHECK(ints(blocks(data::Dataset::range(1, 3), [](int64_t) { return int64_t{3}; }, {.cycle_length = 5})) ==
        std::vector<int64_t>{10, 20, 11, 21, 12, 22});
  // cycle_length 1 is flat_map; AUTOTUNE reads every element once
  auto one = blocks(data::Dataset::range(1, 4), same, {.cycle_length = 1});
  CHECK(ints(one) == ints(data::Dataset::range(1, 4).flat_map([&](const keras::Tensor& x) {
          const int64_t v = x.item<int64_t>();
          return data::Dataset::range(10 * v, 10 * v + v);
        })));
  CHECK(ints(blocks(data::Dataset::range(1, 6), same, {})).size() == 15);
  CHECK(one.cardinality() == data::UNKNOWN_CARDINALITY);
  CHECK(ints(one) == ints(one));  // iterated again
  CHECK(ints(blocks(data::Dataset::range(0), same, {.cycle_length = 2})).empty());
  CHECK(error_of([] { data::Dataset::range(3).interleave_fn(nullptr); }) ==
        "interleave: expected a function, but received an empty one");
  CHECK(error_of([] { blocks(data::Dataset::range(3), [](int64_t v) { return v; }, {.cycle_length = 0}); }) ==
        "interleave: expected cycle_length >= 1 or AUTOTUNE (-1), but received 0");
  CHECK(error_of([] { blocks(data::Dataset::range(3), [](int64_t v) { return v; }, {.block_length = 0}); }) ==
        "interleave: expected block_length >= 1, but received 0");
}

TEST_CASE("list_files: sorted matches, shuffled by default, tf.data's error without one") {
  TempDir dir;
  for (const char* n : {"b.txt", "a.txt", "c.dat", "d.txt"}) write_bytes(dir.file(n), n);
  const std::string p = dir.path.string() + "/";
  CHECK(strings(data::Dataset::list_files(p + "*.txt", {.shuffle = false})) ==
        std::vector<std::string>{p + "a.txt", p + "b.txt", p + "d.txt"});
  CHECK(strings(data::Dataset::list_files({p + "d*", p + "a*"}, {.shuffle = false})) ==
        std::vector<std::string>{p + "a.txt", p + "d.txt"});
  auto shuffled = data::Dataset::list_files(p + "?.*", {.seed = 7});
  const auto first = strings(shuffled);
  CHECK(std::set<std::string>(first.begin(), first.end()).size() == 4);
  CHECK(strings(data::Dataset::list_files(p + "?.*", {.seed = 7})) == first);  // the seed decides
  CHECK(error_of([&] { data::Dataset::list_files(p + "*.none"); }) ==
        "list_files: No files matched pattern: " + p + "*.none");
}

TEST_CASE("interleave: sharded TFRecord files read together") {
  TempDir dir;
  for (int shard = 0; shard < 3; ++shard) {
    keras::io::TFRecordWriter w(dir.file("train-" + std::to_string(shard) + ".tfrecord"));
    for (int i = 0; i < 2 + shard; ++i) w.write(std::to_string(shard) + ":" + std::to_string(i));
  }
  auto records = data::Dataset::list_files(dir.file("train-*.tfrecord"), {.shuffle = false})
                     .interleave([](const keras::Tensor& f) { return data::TFRecordDataset(f.item<std::string>()); },
                                 {.cycle_length = 2});
  CHECK(strings(records) == std::vector<std::string>{"0:0", "1:0", "0:1", "1:1", "1:2", "2:0", "2:1", "2:2", "2:3"});
}
