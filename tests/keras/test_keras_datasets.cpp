// keras::datasets' loaders of Keras's dataset files (imdb, reuters, boston_housing,
// california_housing, mnist.npz, cifar10, cifar100) against what Keras 3's own loaders
// return for the same files (tests/data/datasets/make_fixtures.py: small files in the
// formats of Keras's, NumPy's protocol-3 and Python 2 pickles included).
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/npy.h"
#include "core/npz_members.h"
#include "files.h"
#include "helpers.h"
#include "keras/config.h"
#include "keras/datasets/cache.h"
#include "keras/datasets/cifar.h"
#include "keras/datasets/dataset_files.h"
#include "keras/datasets/housing.h"
#include "keras/datasets/imdb.h"
#include "keras/datasets/mnist.h"
#include "keras/datasets/reuters.h"
#include "keras/datasets/unpickle.h"
#include "keras/settings.h"
#include "keras/utils/numerical.h"
#include "test_data_dir.h"

using namespace th;
namespace fs = std::filesystem;
namespace datasets = keras::datasets;
using keras::Value;

namespace {

std::string fixture(const std::string& name) { return std::string(KERAS_TEST_DATA_DIR) + "/datasets/" + name; }

const Value& expected_cases() {
  static const Value v = [] {
    std::ifstream in(fixture("expected.json"));
    std::stringstream s;
    s << in.rdbuf();
    return Value::from_json(s.str());
  }();
  return v.at("cases");
}

core::Tensor expected_array(const std::string& name) {
  static const auto arrays = core::load_npz(fixture("expected.npz"));
  for (const auto& [k, v] : arrays)
    if (k == name) return v;
  FAIL("no expected array " << name);
  return {};
}

std::optional<int64_t> opt(const Value& options, const std::string& key, std::optional<int64_t> fallback) {
  const Value* v = options.find(key);
  if (!v) return fallback;
  if (v->is_null()) return std::nullopt;
  return v->as_int();
}

void check_split(const datasets::SequenceSplit& got, const Value& x, const Value& y, const std::string& what) {
  INFO(what);
  REQUIRE(got.x.size() == x.as_list().size());
  for (std::size_t i = 0; i < got.x.size(); ++i) {
    std::vector<int64_t> row(got.x[i].begin(), got.x[i].end());
    CHECK(row == x.as_list()[i].as_ints());
  }
  CHECK(got.y.dtype() == DType::int64);
  CHECK(got.y.to_vector<int64_t>() == y.as_ints());
}

// Same shape, dtype and bytes.
bool equal_exact(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && a.dtype() == b.dtype() &&
         std::memcmp(a.cpu().raw_data(), b.cpu().raw_data(), a.nbytes()) == 0;
}

void check_arrays(const datasets::Split& train, const datasets::Split& test, const std::string& prefix) {
  INFO(prefix);
  CHECK(equal_exact(train.x, expected_array(prefix + "/x_train")));
  CHECK(equal_exact(train.y, expected_array(prefix + "/y_train")));
  CHECK(equal_exact(test.x, expected_array(prefix + "/x_test")));
  CHECK(equal_exact(test.y, expected_array(prefix + "/y_test")));
}

// Sets an environment variable for a scope.
struct EnvVar {
  std::string name, saved;
  bool had;
  EnvVar(const std::string& n, const std::string& value) : name(n) {
    const char* s = std::getenv(n.c_str());
    had = s != nullptr;
    saved = s ? s : "";
    ::setenv(n.c_str(), value.c_str(), 1);
  }
  ~EnvVar() {
    if (had)
      ::setenv(name.c_str(), saved.c_str(), 1);
    else
      ::unsetenv(name.c_str());
  }
};

}  // namespace

TEST_CASE("keras_datasets: imdb and reuters load_data equal Keras 3's, option by option") {
  int ran = 0;
  for (const Value& c : expected_cases().as_list()) {
    const std::string name = c.at("name").as_string();
    INFO(name);
    const Value& o = c.at("options");
    const std::string path = fixture(c.at("file").as_string());
    std::pair<datasets::SequenceSplit, datasets::SequenceSplit> got;
    datasets::SequenceLoadOptions opts{.path = path};
    opts.num_words = opt(o, "num_words", std::nullopt);
    opts.skip_top = opt(o, "skip_top", 0).value();
    opts.maxlen = opt(o, "maxlen", std::nullopt);
    if (const Value* t = o.find("test_split")) opts.test_split = t->as_double();
    opts.seed = opt(o, "seed", 113).value();
    opts.start_char = opt(o, "start_char", 1);
    opts.oov_char = opt(o, "oov_char", 2);
    opts.index_from = opt(o, "index_from", 3).value();
    auto run = [&] {
      got =
          c.at("dataset").as_string() == "imdb" ? datasets::imdb::load_data(opts) : datasets::reuters::load_data(opts);
    };
    if (const Value* err = c.find("error")) {
      CHECK_THROWS_WITH_AS(run(), doctest::Contains(err->as_string().c_str()), std::invalid_argument);
    } else {
      run();
      check_split(got.first, c.at("x_train"), c.at("y_train"), "train");
      check_split(got.second, c.at("x_test"), c.at("y_test"), "test");
    }
    ++ran;
  }
  CHECK(ran == 11);
}

TEST_CASE("keras_datasets: the sequences go straight into pad_sequences, and the word index reads") {
  auto [train, test] = datasets::imdb::load_data({.path = fixture("imdb.npz"), .num_words = 100});
  Tensor x = keras::utils::pad_sequences(train.x, {.maxlen = 8});
  CHECK(x.shape() == core::Shape({40, 8}));
  CHECK(x.dtype() == DType::int32);
  const auto index = datasets::imdb::get_word_index(fixture("imdb_word_index.json"));
  CHECK(index.size() == 5);
  CHECK(index.at("film") == 19);
  CHECK(index.at("zebra") == 87000);
  CHECK(datasets::reuters::get_label_names().size() == 46);
  CHECK(datasets::reuters::get_label_names()[3] == "earn");
  CHECK_THROWS_WITH_AS(datasets::imdb::load_data({.path = fixture("imdb.npz"), .test_split = 0.5}),
                       doctest::Contains("Unrecognized keyword arguments: test_split"), std::invalid_argument);
}

TEST_CASE("keras_datasets: boston_housing, california_housing and mnist.npz equal Keras 3's") {
  const std::string boston = fixture("boston_housing.npz"), california = fixture("california_housing.npz");
  auto b = datasets::boston_housing::load_data({.path = boston});
  check_arrays(b.first, b.second, "boston_default");
  CHECK(b.first.x.shape() == core::Shape({40, 13}));
  b = datasets::boston_housing::load_data({.path = boston, .test_split = 0.3, .seed = 1});
  check_arrays(b.first, b.second, "boston_split");
  b = datasets::california_housing::load_data({.path = california});
  check_arrays(b.first, b.second, "california_large");
  b = datasets::california_housing::load_data({.version = "small", .path = california});
  check_arrays(b.first, b.second, "california_small");
  CHECK(b.first.x.shape()[0] + b.second.x.shape()[0] == 600);
  b = datasets::mnist::load_data(fixture("mnist.npz"));
  check_arrays(b.first, b.second, "mnist");

  CHECK_THROWS_WITH_AS(datasets::boston_housing::load_data({.path = boston, .test_split = 1}),
                       doctest::Contains("Invalid `test_split` argument"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(datasets::california_housing::load_data({.version = "medium", .path = california}),
                       doctest::Contains("must be one of 'small', 'large'. Received: version=medium"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(datasets::boston_housing::load_data({.path = boston, .seed = int64_t(1) << 32}),
                       doctest::Contains("Seed must be between 0 and 2**32 - 1"), std::invalid_argument);
}

TEST_CASE("keras_datasets: cifar10 and cifar100 from folders and archives equal Keras 3's") {
  for (const std::string& where : {fixture("cifar-10-batches-py"), fixture(""), fixture("cifar-10-python.tar.gz")}) {
    INFO(where);
    auto [train, test] = datasets::cifar10::load_data(where);
    check_arrays(train, test, "cifar10");
    CHECK(train.x.shape() == core::Shape({15, 32, 32, 3}));
    CHECK(train.y.dtype() == DType::uint8);
  }
  for (const std::string& where : {fixture(""), fixture("cifar-100-python.tar.gz")}) {
    auto [train, test] = datasets::cifar100::load_data("fine", where);
    check_arrays(train, test, "cifar100_fine");
    CHECK(train.y.dtype() == DType::int64);
    auto [ctrain, ctest] = datasets::cifar100::load_data("coarse", where);
    CHECK(equal_exact(ctrain.y, expected_array("cifar100_coarse/y_train")));
    CHECK(equal_exact(ctest.y, expected_array("cifar100_coarse/y_test")));
  }
  {
    keras::config::set_image_data_format("channels_first");
    auto [train, test] = datasets::cifar10::load_data(fixture("cifar-10-batches-py"));
    keras::config::set_image_data_format("channels_last");
    CHECK(train.x.shape() == core::Shape({15, 3, 32, 32}));
    CHECK(equal_exact(ops::transpose(train.x, {0, 2, 3, 1}), expected_array("cifar10/x_train")));
  }
  CHECK_THROWS_WITH_AS(datasets::cifar100::load_data("medium", fixture("")),
                       doctest::Contains("`label_mode` must be one of `\"fine\"`, `\"coarse\"`"),
                       std::invalid_argument);
}

TEST_CASE("keras_datasets: the loaders look in Keras's cache ($KERAS_HOME/datasets) and name what is missing") {
  TempDir home;
  EnvVar env("KERAS_HOME", home.path.string());
  CHECK(datasets::cache_dir() == home.path.string() + "/datasets");
  CHECK_THROWS_WITH_AS(datasets::imdb::load_data(), doctest::Contains("tf-keras-datasets/imdb.npz"),
                       std::runtime_error);
  CHECK_THROWS_WITH_AS(datasets::cifar10::load_data(),
                       doctest::Contains("https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"),
                       std::runtime_error);
  CHECK_THROWS_WITH_AS(datasets::reuters::load_data({.path = "/nowhere/reuters.npz"}),
                       doctest::Contains("'/nowhere/reuters.npz' does not exist"), std::runtime_error);

  fs::create_directories(home.path / "datasets" / "cifar-10-batches-py-target");
  fs::copy_file(fixture("imdb.npz"), home.path / "datasets" / "imdb.npz");
  fs::copy_file(fixture("mnist.npz"), home.path / "datasets" / "mnist.npz");
  fs::copy(fixture("cifar-10-batches-py"),
           home.path / "datasets" / "cifar-10-batches-py-target" / "cifar-10-batches-py");
  fs::copy_file(fixture("cifar-100-python.tar.gz"), home.path / "datasets" / "cifar-100-python-target_archive");
  auto [train, test] = datasets::imdb::load_data();
  auto [ktrain, ktest] = datasets::imdb::load_data({.path = fixture("imdb.npz")});
  CHECK(train.x == ktrain.x);
  {
    EnvVar no_dir("MNIST_DIR", "");
    auto m = datasets::mnist::load_data();
    check_arrays(m.first, m.second, "mnist");
  }
  auto c = datasets::cifar10::load_data();
  check_arrays(c.first, c.second, "cifar10");
  auto c100 = datasets::cifar100::load_data();  // from Keras 3's downloaded archive
  check_arrays(c100.first, c100.second, "cifar100_fine");
}

TEST_CASE("keras_datasets: the pickle reader takes only data and NumPy arrays, and checks every length") {
  namespace pk = datasets::pickle;
  // {'a': [1, -2, 300000, 2**40], b'k': (None, True, 1.5, 'x')} in protocol 2.
  const std::string ok(
      "\x80\x02}q\x00(X\x01\x00\x00\x00"
      "aq\x01]q\x02(K\x01J\xfe\xff\xff\xffJ\xe0\x93\x04\x00\x8a\x06\x00\x00"
      "\x00\x00\x00\x01"
      "eU\x01kq\x03(N\x88G\x3f\xf8\x00\x00\x00\x00\x00\x00X\x01\x00\x00\x00xtq\x04u.",
      67);
  pk::Ref d = pk::load(ok, "ok");
  REQUIRE(d->kind == pk::Kind::dict);
  CHECK(pk::to_ints(*d->find("a"), "a") == std::vector<int64_t>{1, -2, 300000, int64_t(1) << 40});
  const pk::Object* k = d->find("k");
  REQUIRE(k);
  REQUIRE(k->items.size() == 4);
  CHECK(k->items[0]->kind == pk::Kind::none);
  CHECK(k->items[1]->boolean);
  CHECK(k->items[2]->floating == 1.5);
  CHECK(k->items[3]->str == "x");

  CHECK_THROWS_WITH_AS(pk::load(std::string("\x80\x02"
                                            "cos\nsystem\n(S'ls'\ntR.",
                                            23),
                                "evil"),
                       doctest::Contains("refusing to load the global os.system"), std::runtime_error);
  CHECK_THROWS_WITH_AS(pk::load(std::string("\x80\x02X\xff\xff\x00\x00"
                                            "ab",
                                            9),
                                "short"),
                       doctest::Contains("truncated: 65535 bytes wanted, 2 left"), std::runtime_error);
  CHECK_THROWS_WITH_AS(pk::load(std::string("\x80\x02K\x01\x01.", 6), "odd"),
                       doctest::Contains("unsupported pickle opcode 0x01"), std::runtime_error);
  CHECK_THROWS_WITH_AS(pk::load(std::string("\x80\x02h\x05.", 5), "memo"),
                       doctest::Contains("memo entry 5 was never stored"), std::runtime_error);
  CHECK_THROWS_WITH_AS(pk::load(std::string("\x80\x02K\x01K\x02.", 7), "two"), doctest::Contains("STOP with 2 values"),
                       std::runtime_error);
  // A list that holds itself is refused; one dropped on the way is emptied (no leak).
  CHECK_THROWS_WITH_AS(pk::load(std::string("\x80\x02]q\x00h\x00"
                                            "a.",
                                            9),
                                "cycle"),
                       doctest::Contains("a container holds itself"), std::runtime_error);
  pk::Ref one = pk::load(std::string("\x80\x02]q\x00h\x00"
                                     "a0K\x01.",
                                     12),
                         "garbage");
  CHECK(one->kind == pk::Kind::integer);
  CHECK(one->integer == 1);
  // A cut-off file anywhere raises, never reads past the end.
  const std::string good = core::load_npz_members(fixture("imdb_py2.npz")).at(0).second;
  for (std::size_t n = 0; n < good.size(); n += 7)
    CHECK_THROWS_AS(pk::load_object_npy(std::string_view(good).substr(0, n), "cut"), std::runtime_error);
  CHECK(pk::load_object_npy(good, "whole") != nullptr);
}

TEST_CASE("keras_datasets: NumPy's legacy RandomState shuffle, as Keras shuffles with it") {
  datasets::detail::LegacyRandomState rng(113, "test");
  CHECK(rng.shuffled_range(10) == std::vector<int64_t>{9, 3, 6, 1, 0, 7, 4, 8, 2, 5});
  CHECK(rng.shuffled_range(5) == std::vector<int64_t>{3, 1, 4, 0, 2});  // the same generator, continued
  datasets::detail::LegacyRandomState zero(0, "test");
  const auto big = zero.shuffled_range(100000);
  CHECK(std::vector<int64_t>(big.begin(), big.begin() + 5) == std::vector<int64_t>{3582, 60498, 53227, 21333, 3885});
  CHECK(std::vector<int64_t>(big.end() - 3, big.end()) == std::vector<int64_t>{42613, 43567, 68268});
}

TEST_CASE("keras_datasets: the fuzz_pickle seeds are files the reader takes") {
  const fs::path corpus = fs::path(KERAS_TEST_DATA_DIR) / ".." / "fuzz" / "corpus" / "pickle";
  int seeds = 0;
  for (const auto& e : fs::directory_iterator(corpus)) {
    const std::string bytes = read_bytes(e.path().string());
    INFO(e.path().string());
    datasets::pickle::Ref r = bytes.rfind("\x93NUMPY", 0) == 0 ? datasets::pickle::load_object_npy(bytes, "seed")
                                                               : datasets::pickle::load(bytes, "seed");
    CHECK(r != nullptr);
    ++seeds;
  }
  CHECK(seeds == 3);
}
