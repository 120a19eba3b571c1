// keras::data on string tensors: slices, batches and maps of string components (as
// tf.data with tf.string), element by element; TextLineDataset as tf.data.TextLineDataset.
#include <fstream>

#include "core/compression.h"
#include "error_of.h"
#include "files.h"
#include "helpers.h"
#include "keras/data/dataset.h"
#include "keras/keras.h"

using namespace th;
namespace data = keras::data;
using data::Dataset;
using data::Element;

TEST_CASE("Dataset: string components slice, batch and map") {
  Tensor text = core::constant({"alpha", "b", "", "delta"});
  Tensor label = core::constant({1, 2, 3, 4});
  std::vector<std::string> seen;
  std::vector<int> labels;
  for (const Element& e : Dataset::from_tensor_slices({text, label})) {
    CHECK(e[0].dtype() == DType::string);
    CHECK(e[0].shape() == Shape{});
    seen.push_back(e[0].item<std::string>());
    labels.push_back(e[1].item<int>());
  }
  CHECK(seen == std::vector<std::string>{"alpha", "b", "", "delta"});
  CHECK(labels == std::vector<int>{1, 2, 3, 4});

  std::vector<std::vector<std::string>> batches;
  for (const Element& e : Dataset::from_tensor_slices(text).batch(3)) batches.push_back(e[0].to_vector<std::string>());
  CHECK(batches == std::vector<std::vector<std::string>>{{"alpha", "b", ""}, {"delta"}});

  Tensor rows = core::constant(std::vector<std::string>{"a", "b", "c", "d"}, Shape{2, 2});
  std::vector<std::vector<std::string>> got;
  for (const Element& e : Dataset::from_tensor_slices(rows)) got.push_back(e[0].to_vector<std::string>());
  CHECK(got == std::vector<std::vector<std::string>>{{"a", "b"}, {"c", "d"}});

  Dataset lengths = Dataset::from_tensor_slices(text).map([](const Element& e) {
    return Element{keras::strings::length(e[0])};
  });
  std::vector<int> n;
  for (const Element& e : lengths) n.push_back(e[0].item<int>());
  CHECK(n == std::vector<int>{5, 1, 0, 5});
}

namespace {
// A gzip member (RFC 1952) and a ZLIB stream (RFC 1950) around the engine's raw deflate.
std::string gzip_of(const std::string& text) {
  const std::string body = keras::core::compression::deflate_raw({text});
  std::string out("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10);
  out += body;
  const uint32_t crc = keras::core::compression::crc32(0, text.data(), text.size());
  const auto size = static_cast<uint32_t>(text.size());
  for (int i = 0; i < 4; ++i) out += static_cast<char>((crc >> (8 * i)) & 0xFF);
  for (int i = 0; i < 4; ++i) out += static_cast<char>((size >> (8 * i)) & 0xFF);
  return out;
}
std::string zlib_of(const std::string& text) {
  uint32_t a = 1, b = 0;  // Adler-32
  for (unsigned char c : text) a = (a + c) % 65521, b = (b + a) % 65521;
  const uint32_t adler = (b << 16) | a;
  std::string out = "\x78\x9c" + keras::core::compression::deflate_raw({text});
  for (int i = 3; i >= 0; --i) out += static_cast<char>((adler >> (8 * i)) & 0xFF);
  return out;
}

std::vector<std::string> lines_of(const Dataset& ds) {
  std::vector<std::string> out;
  for (const Element& e : ds) {
    REQUIRE(e[0].rank() == 0);
    out.push_back(e[0].item<std::string>());
  }
  return out;
}
}  // namespace

TEST_CASE("TextLineDataset: lines of several files, CRLF, a last line without a newline, gzip") {
  th::TempDir dir;
  {
    std::ofstream(dir.file("a.txt"), std::ios::binary) << "a\r\nb\n\nc";  // tf.data: a, b, "", c
    std::ofstream(dir.file("b.txt"), std::ios::binary) << "x\n";
    std::ofstream(dir.file("empty.txt"), std::ios::binary) << "";
    std::ofstream(dir.file("c.gz"), std::ios::binary) << gzip_of("zipped\nlines\n");
    std::ofstream(dir.file("d.z"), std::ios::binary) << zlib_of("one\ntwo");
  }
  CHECK(lines_of(data::TextLineDataset({dir.file("a.txt"), dir.file("empty.txt"), dir.file("b.txt")})) ==
        std::vector<std::string>{"a", "b", "", "c", "x"});
  CHECK(lines_of(data::TextLineDataset(dir.file("a.txt")).skip(1).take(2)) == std::vector<std::string>{"b", ""});
  CHECK(lines_of(data::TextLineDataset(dir.file("c.gz"), {.compression_type = "GZIP"})) ==
        std::vector<std::string>{"zipped", "lines"});
  CHECK(lines_of(data::TextLineDataset(dir.file("d.z"), {.compression_type = "ZLIB"})) ==
        std::vector<std::string>{"one", "two"});
  // Batches of lines are string vectors, and map() applies a TextVectorization to them.
  auto tv = keras::layers::TextVectorization({.output_sequence_length = 2});
  tv->adapt(data::TextLineDataset(dir.file("a.txt")).batch(2));
  CHECK(tv->get_vocabulary() == std::vector<std::string>{"", "[UNK]", "c", "b", "a"});
  std::vector<Tensor> ids;
  for (const Element& e : data::TextLineDataset(dir.file("a.txt")).batch(4).map([&](const Tensor& t) { return tv(t); }))
    ids.push_back(e[0]);
  REQUIRE(ids.size() == 1);
  check_values(ids[0], std::vector<int>{4, 0, 3, 0, 0, 0, 2, 0});

  CHECK_THROWS_AS(lines_of(data::TextLineDataset(dir.file("missing.txt"))), std::runtime_error);
  CHECK_THROWS_AS(data::TextLineDataset(dir.file("a.txt"), {.compression_type = "BZ2"}), std::invalid_argument);
  CHECK_THROWS_AS(data::TextLineDataset(std::vector<std::string>{}), std::invalid_argument);
  CHECK_THROWS_AS(lines_of(data::TextLineDataset(dir.file("a.txt"), {.compression_type = "GZIP"})), std::runtime_error);
}

TEST_CASE("TextLineDataset: streamed files: long lines across chunks, gzip members, the byte cap") {
  th::TempDir dir;
  // Lines longer than the 64 KiB read chunk, and line ends on the chunk boundaries.
  const std::string long_line(200000, 'q'), edge(65535, 'e');
  const std::string text = long_line + "\r\n" + edge + "\n" + "short\n" + long_line;
  {
    std::ofstream(dir.file("long.txt"), std::ios::binary) << text;
    std::ofstream(dir.file("long.gz"), std::ios::binary) << gzip_of(text);
    // Two gzip members read as one stream (as gzip -c a b > ab.gz).
    std::ofstream(dir.file("members.gz"), std::ios::binary) << gzip_of("first\nsec") + gzip_of("ond\nthird\n");
    std::ofstream(dir.file("d.z"), std::ios::binary) << zlib_of(text);
  }
  const std::vector<std::string> want{long_line, edge, "short", long_line};
  CHECK(lines_of(data::TextLineDataset(dir.file("long.txt"))) == want);
  CHECK(lines_of(data::TextLineDataset(dir.file("long.gz"), {.compression_type = "GZIP"})) == want);
  CHECK(lines_of(data::TextLineDataset(dir.file("d.z"), {.compression_type = "ZLIB"})) == want);
  CHECK(lines_of(data::TextLineDataset(dir.file("members.gz"), {.compression_type = "GZIP"})) ==
        std::vector<std::string>{"first", "second", "third"});
  // Two passes read the same lines (each iteration opens the files again).
  auto ds = data::TextLineDataset({dir.file("members.gz"), dir.file("members.gz")}, {.compression_type = "GZIP"});
  CHECK(lines_of(ds).size() == 6);
  CHECK(lines_of(ds).size() == 6);
  // max_file_bytes caps the bytes read from one file.
  CHECK(th::error_of<std::runtime_error>([&] {
          lines_of(data::TextLineDataset(dir.file("long.gz"), {.compression_type = "GZIP", .max_file_bytes = 100000}));
        }).ends_with("the decompressed text exceeds 100000 bytes"));
  // A truncated gzip file raises when the reading reaches the cut.
  const std::string gz = gzip_of(text);
  std::ofstream(dir.file("cut.gz"), std::ios::binary) << gz.substr(0, gz.size() / 2);
  CHECK_THROWS_AS(lines_of(data::TextLineDataset(dir.file("cut.gz"), {.compression_type = "GZIP"})), std::runtime_error);
}
