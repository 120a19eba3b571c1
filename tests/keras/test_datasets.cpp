#include <unistd.h>
#include <zlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "files.h"
#include "helpers.h"
#include "skips.h"
#include "test_data_dir.h"
#include "keras/datasets/fashion_mnist.h"
#include "keras/datasets/mnist.h"

using namespace th;
namespace fs = std::filesystem;
namespace datasets = keras::datasets;

namespace {

// An IDX header: magic (0, 0, type, rank) and big-endian dimensions.
std::string idx_header(int type, const std::vector<uint32_t>& dims) {
  std::string h{'\0', '\0', static_cast<char>(type), static_cast<char>(dims.size())};
  for (uint32_t d : dims)
    for (int s = 24; s >= 0; s -= 8) h += static_cast<char>((d >> s) & 0xff);
  return h;
}

std::string bytes_of(int n, int start = 0) {
  std::string s;
  for (int i = 0; i < n; ++i) s += static_cast<char>(start + i);
  return s;
}

// A small MNIST-like folder: 3 train and 2 test images of 2x2.
void write_dataset(const TempDir& dir, bool compressed) {
  auto put = [&](const std::string& name, const std::string& bytes) {
    if (compressed) write_bytes(dir.file(name + ".gz"), gzip(bytes));
    else write_bytes(dir.file(name), bytes);
  };
  put("train-images-idx3-ubyte", idx_header(0x08, {3, 2, 2}) + bytes_of(12));
  put("train-labels-idx1-ubyte", idx_header(0x08, {3}) + bytes_of(3, 7));
  put("t10k-images-idx3-ubyte", idx_header(0x08, {2, 2, 2}) + bytes_of(8, 100));
  put("t10k-labels-idx1-ubyte", idx_header(0x08, {2}) + bytes_of(2, 1));
}

}  // namespace

TEST_CASE("test paths: the built-in fixture folder, or KERAS_CPP_TEST_DATA_DIR's (a binary run elsewhere)") {
  CHECK(fs::exists(fs::path(KERAS_TEST_DATA_DIR) / "ragged"));  // where this run reads fixtures
  const char* saved = std::getenv("KERAS_CPP_TEST_DATA_DIR");
  const std::string restore = saved ? saved : "";
  ::unsetenv("KERAS_CPP_TEST_DATA_DIR");
  const std::string built = KERAS_TEST_DATA_DIR;
  ::setenv("KERAS_CPP_TEST_DATA_DIR", "/elsewhere/tests/data", 1);
  CHECK(std::string(KERAS_TEST_DATA_DIR) == "/elsewhere/tests/data");
  ::setenv("KERAS_CPP_TEST_DATA_DIR", "", 1);  // empty: the built-in path
  CHECK(std::string(KERAS_TEST_DATA_DIR) == built);
  if (saved) ::setenv("KERAS_CPP_TEST_DATA_DIR", restore.c_str(), 1);
  else ::unsetenv("KERAS_CPP_TEST_DATA_DIR");
}

TEST_CASE("test_datasets: read_idx reads every element type, gzip-compressed or not") {
  TempDir dir;
  const std::string u8 = idx_header(0x08, {2, 3}) + bytes_of(6, 250);
  write_bytes(dir.file("u8"), u8);
  write_bytes(dir.file("u8.gz"), gzip(u8));
  for (const std::string& p : {dir.file("u8"), dir.file("u8.gz")}) {
    Tensor t = datasets::read_idx(p);
    CHECK(t.dtype() == DType::uint8);
    CHECK(t.shape() == Shape{2, 3});
    CHECK(t.to_vector<uint8_t>() == std::vector<uint8_t>{250, 251, 252, 253, 254, 255});
  }
  // Big-endian int32, float32 and float64.
  std::string i32 = idx_header(0x0C, {2}) + std::string("\xff\xff\xff\xfe\x00\x01\x00\x00", 8);
  Tensor a = datasets::read_idx_bytes(i32.data(), i32.size());
  CHECK(a.dtype() == DType::int32);
  CHECK(a.to_vector<int32_t>() == std::vector<int32_t>{-2, 65536});
  std::string f32 = idx_header(0x0D, {1, 1}) + std::string("\x3f\xc0\x00\x00", 4);  // 1.5f
  Tensor b = datasets::read_idx_bytes(f32.data(), f32.size());
  CHECK(b.dtype() == DType::float32);
  CHECK(b.shape() == Shape{1, 1});
  CHECK(b.item<double>() == 1.5);
  std::string f64 = idx_header(0x0E, {1}) + std::string("\xc0\x04\x00\x00\x00\x00\x00\x00", 8);  // -2.5
  Tensor c = datasets::read_idx_bytes(f64.data(), f64.size());
  CHECK(c.dtype() == DType::float64);
  CHECK(c.item<double>() == -2.5);
  // An empty dimension is valid.
  std::string empty = idx_header(0x08, {0, 28, 28});
  CHECK(datasets::read_idx_bytes(empty.data(), empty.size()).shape() == Shape{0, 28, 28});
  // The fuzz seeds are valid files.
  int seeds = 0;
  for (const auto& e : fs::directory_iterator(fs::path(KERAS_TEST_DATA_DIR) / ".." / "fuzz" / "corpus" / "idx")) {
    CAPTURE(e.path().string());
    CHECK_NOTHROW(datasets::read_idx(e.path().string()));
    ++seeds;
  }
  CHECK(seeds >= 4);
  // The old name still works.
  CHECK(keras::datasets::fashion_mnist::read_idx(dir.file("u8")).shape() == Shape{2, 3});
}

TEST_CASE("test_datasets: malformed IDX files raise runtime_error naming the file") {
  const std::string good = idx_header(0x08, {2, 2}) + bytes_of(4);
  const std::string gz = gzip(good);
  struct Case {
    const char* name;
    std::string bytes;
    const char* message;
  };
  std::vector<Case> cases = {
      {"empty", "", "too short for an IDX header (0 bytes"},
      {"bad magic", std::string("\x1f\x00\x08\x01\x00\x00\x00\x00", 8), "not an IDX file (bad magic number: the first two bytes are 31 and 0"},
      {"text", "hello, world", "not an IDX file (bad magic number"},
      {"unknown type", idx_header(0x07, {1}) + "x", "unknown element type 7"},
      {"int16", idx_header(0x0B, {1}) + "xx", "unsupported IDX element type 0x0B (int16)"},
      {"rank 0", idx_header(0x08, {}), "declares 0 dimensions"},
      {"truncated header", idx_header(0x08, {2, 2}).substr(0, 9), "truncated header: 2 dimensions need 12 bytes but the file has 9"},
      {"short data", good.substr(0, good.size() - 1), "holds 3 bytes of data but its header declares shape (2, 2) of uint8, which needs 4 bytes"},
      {"long data", good + "x", "holds 5 bytes of data"},
      {"wrong dimensions", idx_header(0x08, {2, 3}) + bytes_of(4), "declares shape (2, 3)"},
      {"huge dimensions", idx_header(0x0E, {0xffffffff, 0xffffffff, 0xffffffff}) + "x", "the shape overflows"},
      {"truncated gzip", gz.substr(0, gz.size() - 6), "the gzip data is truncated"},
      {"corrupt gzip", gz.substr(0, 10) + std::string(20, '\xff'), "corrupt gzip data"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    CHECK_THROWS_MSG(datasets::read_idx_bytes(c.bytes.data(), c.bytes.size(), "f.idx"), std::runtime_error,
                     c.message);
    CHECK_THROWS_MSG(datasets::read_idx_bytes(c.bytes.data(), c.bytes.size(), "f.idx"), std::runtime_error,
                     "read_idx: 'f.idx': ");
  }
  CHECK_THROWS_MSG(datasets::read_idx("/nonexistent/x-idx1-ubyte"), std::runtime_error,
                   "read_idx: '/nonexistent/x-idx1-ubyte': cannot open: No such file or directory");
}

TEST_CASE("test_datasets: mnist::load_data reads a folder of IDX files") {
  for (bool compressed : {false, true}) {
    CAPTURE(compressed);
    TempDir dir;
    write_dataset(dir, compressed);
    auto [train, test] = datasets::mnist::load_data(dir.path.string());
    CHECK(train.x.shape() == Shape{3, 2, 2});
    CHECK(train.x.dtype() == DType::uint8);
    CHECK(train.y.to_vector<uint8_t>() == std::vector<uint8_t>{7, 8, 9});
    CHECK(test.x.shape() == Shape{2, 2, 2});
    CHECK(test.x.to_vector<uint8_t>()[7] == 107);
    CHECK(test.y.to_vector<uint8_t>() == std::vector<uint8_t>{1, 2});
  }
  // $MNIST_DIR when no folder is given.
  TempDir dir;
  write_dataset(dir, true);
  const char* old = std::getenv("MNIST_DIR");
  const std::string saved = old ? old : "";
  ::setenv("MNIST_DIR", dir.path.c_str(), 1);
  CHECK(datasets::mnist::load_data().first.x.shape() == Shape{3, 2, 2});
  ::unsetenv("MNIST_DIR");
  CHECK_THROWS_MSG(datasets::mnist::load_data(), std::runtime_error,
                   "mnist.load_data: no folder given; download the four MNIST IDX files");
  CHECK_THROWS_MSG(datasets::mnist::load_data(), std::runtime_error, "set MNIST_DIR");
  if (old) ::setenv("MNIST_DIR", saved.c_str(), 1);
}

TEST_CASE("test_datasets: missing files and mismatched splits raise clear errors") {
  TempDir dir;
  const std::string d = dir.path.string();
  CHECK_THROWS_MSG(datasets::mnist::load_data(d), std::runtime_error,
                   ("mnist.load_data: cannot find '" + d + "/train-images-idx3-ubyte.gz' (or "
                    "'train-images-idx3-ubyte' uncompressed)").c_str());
  CHECK_THROWS_MSG(datasets::mnist::load_data(d), std::runtime_error, "set MNIST_DIR to it or pass it");
  CHECK_THROWS_MSG(datasets::fashion_mnist::load_data(d), std::runtime_error,
                   "fashion_mnist.load_data: cannot find");
  CHECK_THROWS_MSG(datasets::fashion_mnist::load_data(d), std::runtime_error,
                   "apt-get install dataset-fashion-mnist");
  write_dataset(dir, false);
  // Labels of rank 2, a count mismatch, float images.
  write_bytes(dir.file("t10k-labels-idx1-ubyte"), idx_header(0x08, {2, 1}) + bytes_of(2));
  CHECK_THROWS_MSG(datasets::mnist::load_data(d), std::runtime_error,
                   "the t10k labels must be uint8 of rank 1 (n,), but have shape (2, 1) of uint8");
  write_bytes(dir.file("t10k-labels-idx1-ubyte"), idx_header(0x08, {3}) + bytes_of(3));
  CHECK_THROWS_MSG(datasets::mnist::load_data(d), std::runtime_error,
                   "the t10k images (2, 2, 2) and labels (3,) differ in count");
  write_bytes(dir.file("train-images-idx3-ubyte"), idx_header(0x0D, {1, 1, 1}) + std::string(4, '\0'));
  CHECK_THROWS_MSG(datasets::mnist::load_data(d), std::runtime_error,
                   "the train images must be uint8 of rank 3 (n, rows, cols), but have shape (1, 1, 1) of float32");
}

TEST_CASE("test_datasets: fashion_mnist::load_data reads Debian's dataset-fashion-mnist" *
          doctest::skip(th::skip_without("fashion_mnist", th::have_fashion_mnist()))) {
  auto [train, test] = datasets::fashion_mnist::load_data();
  CHECK(train.x.shape() == Shape{60000, 28, 28});
  CHECK(train.y.shape() == Shape{60000});
  CHECK(test.x.shape() == Shape{10000, 28, 28});
  CHECK(test.y.dtype() == DType::uint8);
  CHECK(train.y.to_vector<uint8_t>()[0] == 9);  // an ankle boot, as in Keras
  CHECK(test.y.to_vector<uint8_t>()[0] == 9);
  CHECK(std::string(datasets::fashion_mnist::class_names[9]) == "Ankle boot");
}
