// data::shard (tf.data.Dataset.shard) and data::auto_shard (tf.distribute's
// auto-sharding of a worker's input: AutoShardPolicy FILE, DATA, AUTO, OFF), with the
// file list of a TextLineDataset carried through the transformations after it.
#include <fstream>
#include <set>

#include "files.h"
#include "helpers.h"
#include "keras/data/dataset.h"
#include "keras/data/shard.h"
#include "keras/keras.h"

using namespace th;
namespace data = keras::data;
using data::AutoShardPolicy;
using data::Dataset;
using data::Element;

namespace {
std::vector<int64_t> ints_of(const Dataset& ds) {
  std::vector<int64_t> out;
  for (const Element& e : ds) out.push_back(e[0].item<int64_t>());
  return out;
}
// The lines of every element (scalars or batches of strings), in order.
std::vector<std::string> lines_of(const Dataset& ds) {
  std::vector<std::string> out;
  for (const Element& e : ds)
    for (int64_t i = 0; i < std::max<int64_t>(1, e[0].rank() == 0 ? 1 : e[0].shape()[0]); ++i)
      out.push_back(e[0].rank() == 0 ? e[0].item<std::string>() : e[0].to_vector<std::string>()[size_t(i)]);
  return out;
}
}  // namespace

TEST_CASE("data::shard keeps the elements index, index + n, ... (tf.data.Dataset.shard)") {
  // tf.data.Dataset.range(10).shard(3, 1) -> [1, 4, 7]; shard(3, 0) -> [0, 3, 6, 9]
  CHECK(ints_of(data::shard(Dataset::range(10), 3, 1)) == std::vector<int64_t>{1, 4, 7});
  CHECK(ints_of(data::shard(Dataset::range(10), 3, 0)) == std::vector<int64_t>{0, 3, 6, 9});
  CHECK(ints_of(data::shard(Dataset::range(10), 1, 0)) == ints_of(Dataset::range(10)));
  CHECK(ints_of(data::shard(Dataset::range(2), 3, 2)).empty());
  CHECK(data::shard(Dataset::range(10), 3, 1).cardinality() == 3);
  CHECK(data::shard(Dataset::range(10), 3, 0).cardinality() == 4);
  CHECK(data::shard(Dataset::range(2), 3, 2).cardinality() == 0);
  CHECK(data::shard(Dataset::range(3).repeat(), 2, 1).cardinality() == data::INFINITE_CARDINALITY);
  CHECK(ints_of(data::shard(Dataset::range(3).repeat(), 2, 1).take(4)) == std::vector<int64_t>{1, 0, 2, 1});
  // A second pass starts over.
  Dataset s = data::shard(Dataset::range(7), 2, 1);
  CHECK(ints_of(s) == std::vector<int64_t>{1, 3, 5});
  CHECK(ints_of(s) == std::vector<int64_t>{1, 3, 5});
  CHECK_THROWS_WITH_AS(data::shard(Dataset::range(3), 0, 0), doctest::Contains("expected num_shards >= 1, but received 0"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(data::shard(Dataset::range(3), 2, 2), doctest::Contains("expected 0 <= index < num_shards (2)"),
                       std::invalid_argument);
  CHECK_THROWS_AS(data::shard(Dataset::range(3), 2, -1), std::invalid_argument);
}

TEST_CASE("data::auto_shard: FILE gives each worker its own files through the whole pipeline; AUTO falls back to "
          "DATA with fewer files than workers") {
  th::TempDir dir;
  std::vector<std::string> files;
  std::set<std::string> all;
  for (int f = 0; f < 5; ++f) {
    files.push_back(dir.file("part" + std::to_string(f) + ".txt"));
    std::ofstream out(files.back());
    for (int l = 0; l < 3 + f; ++l) {
      out << "f" << f << "-l" << l << "\n";
      all.insert("f" + std::to_string(f) + "-l" + std::to_string(l));
    }
  }
  // A pipeline after the source: map (upper-case nothing: an identity on strings), filter, batch.
  auto pipeline = [&](const std::vector<std::string>& names) {
    return data::TextLineDataset(names)
        .map([](const Tensor& t) { return t; })
        .filter([](const Tensor&) { return keras::constant(true); })
        .batch(2);
  };
  const Dataset ds = pipeline(files);
  CHECK(data::source_files(ds) == files);
  CHECK(data::source_files(Dataset::range(3)).empty());

  // Two workers, FILE (and AUTO, which picks FILE: 5 files >= 2 workers): worker 0 reads
  // files 0, 2, 4 and worker 1 files 1, 3, in order, each through map, filter and batch.
  for (AutoShardPolicy policy : {AutoShardPolicy::FILE, AutoShardPolicy::AUTO}) {
    const Dataset w0 = data::auto_shard(ds, 2, 0, policy), w1 = data::auto_shard(ds, 2, 1, policy);
    CHECK(data::source_files(w0) == std::vector<std::string>{files[0], files[2], files[4]});
    CHECK(data::source_files(w1) == std::vector<std::string>{files[1], files[3]});
    CHECK(lines_of(w0) == lines_of(pipeline({files[0], files[2], files[4]})));
    CHECK(lines_of(w1) == lines_of(pipeline({files[1], files[3]})));
    std::set<std::string> seen;
    for (int worker : {0, 1})
      for (const std::string& line : lines_of(worker == 0 ? w0 : w1)) {
        CHECK_MESSAGE(seen.insert(line).second, line << " read by both workers");
        CHECK((line[1] - '0') % 2 == worker);  // "f<file>-l<line>": worker 0 has the even files
      }
    CHECK(seen == all);  // together: every line once
    for (const Element& e : w0) CHECK(e[0].shape()[0] <= 2);  // batched per worker
  }
  // Three workers over 5 files: 2, 2 and 1 files.
  CHECK(data::source_files(data::auto_shard(ds, 3, 2)) == std::vector<std::string>{files[2]});

  // Fewer files than workers: AUTO shards by DATA (every 2nd batch of the whole pipeline);
  // FILE refuses.
  const Dataset one = pipeline({files[4]});  // 7 lines: batches [0,1] [2,3] [4,5] [6]
  const Dataset d0 = data::auto_shard(one, 2, 0), d1 = data::auto_shard(one, 2, 1);
  CHECK(lines_of(d0) == std::vector<std::string>{"f4-l0", "f4-l1", "f4-l4", "f4-l5"});
  CHECK(lines_of(d1) == std::vector<std::string>{"f4-l2", "f4-l3", "f4-l6"});
  CHECK(lines_of(data::auto_shard(one, 2, 1, AutoShardPolicy::DATA)) == lines_of(d1));
  CHECK_THROWS_WITH_AS(data::auto_shard(one, 2, 0, AutoShardPolicy::FILE),
                       doctest::Contains("needs a source with at least 2 files (one per worker), but this dataset's "
                                         "source has 1"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(data::auto_shard(Dataset::range(4), 2, 0, AutoShardPolicy::FILE),
                       doctest::Contains("has 0 (it reads no file list)"), std::invalid_argument);
  // No file list (range, or a zip that joins datasets): AUTO is DATA.
  CHECK(ints_of(data::auto_shard(Dataset::range(6), 2, 1)) == std::vector<int64_t>{1, 3, 5});
  CHECK(data::source_files(Dataset::zip({ds, ds})).empty());
  // OFF, or one worker: the dataset as it is.
  CHECK(lines_of(data::auto_shard(ds, 2, 1, AutoShardPolicy::OFF)) == lines_of(ds));
  CHECK(lines_of(data::auto_shard(ds, 1, 0)) == lines_of(ds));
  CHECK_THROWS_WITH_AS(data::auto_shard(ds, 0, 0), doctest::Contains("auto_shard: expected num_workers >= 1, but received 0"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(data::auto_shard(ds, 2, 2), doctest::Contains("expected 0 <= index < num_workers (2)"),
                       std::invalid_argument);
}

TEST_CASE("data::applied_shard_policy: AUTO is FILE with at least as many files as workers, else DATA; OFF for one "
          "worker") {
  th::TempDir dir;
  std::vector<std::string> files;
  for (int f = 0; f < 3; ++f) {
    files.push_back(dir.file("p" + std::to_string(f) + ".txt"));
    std::ofstream(files.back()) << f << "\n";
  }
  const Dataset ds = data::TextLineDataset(files).batch(2);
  CHECK(data::applied_shard_policy(ds, 2) == AutoShardPolicy::FILE);
  CHECK(data::applied_shard_policy(ds, 3) == AutoShardPolicy::FILE);  // one file each
  CHECK(data::applied_shard_policy(ds, 4) == AutoShardPolicy::DATA);  // a worker would get no file
  CHECK(data::applied_shard_policy(data::TextLineDataset({files[0]}), 2) == AutoShardPolicy::DATA);
  CHECK(data::applied_shard_policy(Dataset::range(8), 2) == AutoShardPolicy::DATA);  // no files
  CHECK(data::applied_shard_policy(Dataset::zip({ds, ds}), 2) == AutoShardPolicy::DATA);  // the file list is dropped
  CHECK(data::applied_shard_policy(ds, 1) == AutoShardPolicy::OFF);
  CHECK(data::applied_shard_policy(ds, 2, AutoShardPolicy::OFF) == AutoShardPolicy::OFF);
  CHECK(data::applied_shard_policy(ds, 2, AutoShardPolicy::DATA) == AutoShardPolicy::DATA);
  CHECK(data::applied_shard_policy(Dataset::range(8), 2, AutoShardPolicy::FILE) == AutoShardPolicy::FILE);
}
