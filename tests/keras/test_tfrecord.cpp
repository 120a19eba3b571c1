// TFRecord files, fixed-length records and tf.train.Example against TensorFlow itself
// (tests/data/tfrecord/make_fixtures.py): the records TensorFlow's TFRecordDataset reads
// from its own files (none, GZIP, ZLIB) and its errors on damaged copies, the records of
// FixedLengthRecordDataset, what tf.io.parse_example / parse_single_example make of a set
// of Examples under 15 specs (dense, sequence, sparse, ragged; defaults; errors), and the
// bytes of Example.SerializeToString(deterministic=True).
#include <filesystem>
#include <string>
#include <vector>

#include "core/crc32c.h"
#include "error_of.h"
#include "files.h"
#include "helpers.h"
#include "json_fixtures.h"
#include "keras/keras.h"

using namespace th;
using keras::Value;
namespace io = keras::io;
namespace data = keras::data;

namespace {

std::string fixture(const std::string& name) { return std::string(KERAS_TEST_DATA_DIR) + "/tfrecord/" + name; }
const Value& expected() { return json_fixture("tfrecord/expected.json"); }

std::string unhex(const std::string& h) {
  std::string out;
  for (size_t i = 0; i + 1 < h.size(); i += 2) out.push_back(static_cast<char>(std::stoi(h.substr(i, 2), nullptr, 16)));
  return out;
}
std::string hex(const std::string& s) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) out += {digits[c >> 4], digits[c & 15]};
  return out;
}

std::vector<std::string> records_of(const data::Dataset& ds) {
  std::vector<std::string> out;
  for (const data::Element& e : ds) out.push_back(e[0].item<std::string>());
  return out;
}
std::vector<std::string> expected_records(const Value& list) {
  std::vector<std::string> out;
  for (const Value& r : list.as_list()) out.push_back(unhex(r.as_string()));
  return out;
}
bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

keras::DType dtype_of(const std::string& name) {
  return name == "float32" ? keras::DType::float32 : name == "int64" ? keras::DType::int64 : keras::DType::string;
}

keras::Tensor default_of(const Value& v, keras::DType dtype) {
  if (dtype == keras::DType::string) return keras::constant(v.as_string());
  if (v.type() == Value::Type::list) return keras::ops::cast(keras::constant(numbers(v)), dtype);
  return keras::ops::cast(keras::constant(v.as_double()), dtype);
}

io::Features spec_of(const Value& spec) {
  io::Features out;
  for (const auto& [key, d] : spec.items()) {
    const keras::DType dtype = dtype_of(d.at("dtype").as_string());
    const std::string type = d.at("type").as_string();
    keras::Tensor def = d.contains("default") ? default_of(d.at("default"), dtype) : keras::Tensor();
    if (type == "fixed")
      out[key] = io::FixedLenFeature{d.at("shape").as_ints(), dtype, def};
    else if (type == "seq")
      out[key] = io::FixedLenSequenceFeature{d.at("shape").as_ints(), dtype, true, def};
    else if (type == "var")
      out[key] = io::VarLenFeature{dtype};
    else
      out[key] = io::RaggedFeature{dtype};
  }
  return out;
}

// The values of a float32 / int64 / string tensor as the fixture lists them.
void check_values(const keras::Tensor& t, const Value& want) {
  const auto& list = want.as_list();
  REQUIRE(t.size() == int64_t(list.size()));
  if (t.dtype() == keras::DType::string) {
    auto got = t.to_vector<std::string>();
    for (size_t i = 0; i < list.size(); ++i) CHECK(hex(got[i]) == list[i].as_string());
  } else {
    auto got = keras::ops::cast(t, keras::DType::float64).to_vector<double>();
    for (size_t i = 0; i < list.size(); ++i) CHECK(got[i] == list[i].as_double());
  }
}

void check_output(const keras::Tensor& t, const Value& want) {
  const std::string kind = want.at("kind").as_string();
  if (kind == "dense") {
    CHECK(t.shape().dims() == want.at("shape").as_ints());
    CHECK(t.dtype() == dtype_of(want.at("dtype").as_string()));
    check_values(t, want.at("values"));
  } else if (kind == "sparse") {
    REQUIRE(keras::sparse::is_sparse(t));
    keras::SparseTensor sp = keras::sparse::sparse_of(t);
    std::vector<int64_t> flat;
    for (const Value& row : want.at("indices").as_list())
      for (int64_t x : row.as_ints()) flat.push_back(x);
    CHECK(sp.indices().to_vector<int64_t>() == flat);
    CHECK(sp.shape() == want.at("dense_shape").as_ints());
    check_values(sp.values(), want.at("values"));
  } else {
    REQUIRE(keras::ragged::is_ragged(t));
    keras::RaggedTensor rt = keras::ragged::ragged_of(t);
    CHECK(keras::ops::cast(rt.row_splits(), keras::DType::int64).to_vector<int64_t>() == want.at("splits").as_ints());
    check_values(rt.flat_values(), want.at("values"));
  }
}

}  // namespace

TEST_CASE("tfrecord: TFRecordDataset reads TensorFlow's files, plain, GZIP and ZLIB") {
  const auto want = expected_records(expected().at("records"));
  CHECK(records_of(data::TFRecordDataset(fixture("records.tfrecord"))) == want);
  CHECK(records_of(data::TFRecordDataset(fixture("records_gzip.tfrecord"), {.compression_type = "GZIP"})) == want);
  CHECK(records_of(data::TFRecordDataset(fixture("records_zlib.tfrecord"), {.compression_type = "ZLIB"})) == want);
  // several files in turn, iterated twice
  auto both = data::TFRecordDataset({fixture("records.tfrecord"), fixture("records.tfrecord")});
  CHECK(records_of(both).size() == 2 * want.size());
  CHECK(records_of(both).size() == 2 * want.size());
  // the reader alone
  io::TFRecordReader r(fixture("records_gzip.tfrecord"), {.compression_type = "GZIP"});
  std::vector<std::string> got;
  while (auto rec = r.next()) got.push_back(*rec);
  CHECK(got == want);
  CHECK_FALSE(r.next().has_value());
}

TEST_CASE("tfrecord: damaged files raise TensorFlow's corrupted / truncated record errors") {
  TempDir dir;
  const std::string raw = read_bytes(fixture("records.tfrecord"));
  for (const Value& c : expected().at("damaged").as_list()) {
    std::string bytes = raw;
    if (c.contains("flip"))
      bytes[size_t(c.at("flip").as_int())] ^= 1;
    else
      bytes.resize(size_t(c.at("cut").as_int()));
    const std::string path = dir.file("damaged.tfrecord");
    write_bytes(path, bytes);
    INFO("flip/cut " << (c.contains("flip") ? c.at("flip").as_int() : -c.at("cut").as_int()));
    if (c.contains("records")) {
      CHECK(records_of(data::TFRecordDataset(path)) == expected_records(c.at("records")));
    } else {
      const std::string msg = error_of<std::runtime_error>([&] { records_of(data::TFRecordDataset(path)); });
      CHECK_MESSAGE(contains(msg, "TFRecordDataset(" + path + "): " + c.at("error").as_string()), msg);
    }
    // the same damage inside a GZIP stream gives the same error (offsets are in the stream)
    if (c.contains("error")) {
      write_bytes(path, gzip(bytes));
      const std::string msg =
          error_of<std::runtime_error>([&] { records_of(data::TFRecordDataset(path, {.compression_type = "GZIP"})); });
      CHECK_MESSAGE(contains(msg, c.at("error").as_string()), msg);
    }
  }
  // a corrupt compressed stream, a missing file, and a record longer than allowed
  write_bytes(dir.file("bad.gz"), gzip(raw).substr(0, 40));
  CHECK(contains(error_of<std::runtime_error>(
                     [&] { records_of(data::TFRecordDataset(dir.file("bad.gz"), {.compression_type = "GZIP"})); }),
                 "truncated"));
  CHECK(contains(error_of<std::runtime_error>([&] { records_of(data::TFRecordDataset(dir.file("none.tfrecord"))); }),
                 "cannot open"));
  CHECK(contains(error_of<std::runtime_error>([&] {
                   records_of(data::TFRecordDataset(fixture("records.tfrecord"), {.max_record_bytes = 100}));
                 }),
                 "the record at 37 has 300 bytes, more than max_record_bytes (100)"));
  // a length the file does not hold allocates nothing: it is a truncated record
  std::string huge(12, '\0');
  for (int i = 0; i < 8; ++i) huge[size_t(i)] = char(((uint64_t{1} << 40) >> (8 * i)) & 0xFF);
  const uint32_t crc = keras::core::masked_crc32c(huge.data(), 8);
  for (int i = 0; i < 4; ++i) huge[size_t(8 + i)] = char((crc >> (8 * i)) & 0xFF);
  write_bytes(dir.file("huge.tfrecord"), huge + "abc");
  CHECK(contains(error_of<std::runtime_error>([&] {
                   records_of(
                       data::TFRecordDataset(dir.file("huge.tfrecord"), {.max_record_bytes = uint64_t{1} << 41}));
                 }),
                 "truncated record at 0"));
  CHECK(error_of([] { data::TFRecordDataset(std::vector<std::string>{}); }) ==
        "TFRecordDataset: expected at least one file name, but received none");
  CHECK(error_of([&] { data::TFRecordDataset(fixture("records.tfrecord"), {.compression_type = "gzip"}); }) ==
        "TFRecordDataset: expected compression_type \"\", \"GZIP\" or \"ZLIB\", but received \"gzip\"");
}

TEST_CASE("tfrecord: TFRecordWriter writes TensorFlow's bytes, atomically, compressed or not") {
  TempDir dir;
  const auto recs = expected_records(expected().at("records"));
  {
    io::TFRecordWriter w(dir.file("plain.tfrecord"));
    for (size_t i = 0; i < recs.size(); ++i) {
      if (i == 2)
        w.write(keras::constant(std::vector<std::string>{recs[2]}));  // a string tensor
      else
        w.write(recs[i]);
    }
    w.flush();
    CHECK_FALSE(std::filesystem::exists(dir.file("plain.tfrecord")));  // appears at close
  }
  CHECK(read_bytes(dir.file("plain.tfrecord")) == read_bytes(fixture("records.tfrecord")));
  for (std::string type : {"GZIP", "ZLIB"}) {
    for (int level : {-1, 0, 9}) {
      const std::string path = dir.file("c.tfrecord");
      io::TFRecordWriter w(path, {.compression_type = type, .compression_level = level});
      for (const auto& r : recs) w.write(r);
      w.flush();  // a sync flush in the middle of the stream
      w.write(recs[0]);
      w.close();
      auto want = recs;
      want.push_back(recs[0]);
      CHECK(records_of(data::TFRecordDataset(path, {.compression_type = type})) == want);
      CHECK(static_cast<unsigned char>(read_bytes(path)[0]) == (type == "GZIP" ? 0x1f : 0x78));
    }
  }
  // an existing file is replaced only when the writer closes
  write_bytes(dir.file("keep.tfrecord"), "old");
  {
    io::TFRecordWriter w(dir.file("keep.tfrecord"), "GZIP");
    w.write("new");
    CHECK(read_bytes(dir.file("keep.tfrecord")) == "old");
  }
  CHECK(records_of(data::TFRecordDataset(dir.file("keep.tfrecord"), {.compression_type = "GZIP"})) ==
        std::vector<std::string>{"new"});
  // a writer unwound by an exception keeps the old file
  try {
    io::TFRecordWriter w(dir.file("keep.tfrecord"));
    w.write("partial");
    throw std::runtime_error("the program fails while writing");
  } catch (const std::runtime_error&) {
  }
  CHECK(records_of(data::TFRecordDataset(dir.file("keep.tfrecord"), {.compression_type = "GZIP"})) ==
        std::vector<std::string>{"new"});
  CHECK(dir.entries().size() == 3);  // plain, c and keep.tfrecord: no temporary file left
  io::TFRecordWriter closed(dir.file("x.tfrecord"));
  closed.close();
  CHECK_THROWS_AS(closed.write("a"), std::logic_error);
  CHECK(error_of([&] { io::TFRecordWriter(dir.file("y"), {.compression_type = "ZIP", .compression_level = 3}); }) ==
        "TFRecordWriter(" + dir.file("y") +
            "): expected compression_type \"\", \"GZIP\" or \"ZLIB\", but received \"ZIP\"");
  CHECK(contains(
      error_of([&] { io::TFRecordWriter(dir.file("y"), {.compression_type = "GZIP", .compression_level = 11}); }),
      "expected compression_level -1 (zlib's default) to 9, but received 11"));
  CHECK(contains(error_of([&] { io::TFRecordWriter(dir.file("y")).write(keras::constant({1.0f})); }),
                 "expected a string tensor, but received dtype float32"));
  CHECK_THROWS_AS(io::TFRecordWriter(dir.path.string()), keras::core::NotRegularFileError);
}

TEST_CASE("tfrecord: FixedLengthRecordDataset equals TensorFlow's, plain and GZIP") {
  for (const Value& c : expected().at("fixed").as_list()) {
    const std::string path = fixture(c.at("file").as_string());
    data::FixedLengthRecordDatasetOptions o{
        .header_bytes = c.contains("header_bytes") ? c.at("header_bytes").as_int() : 0,
        .footer_bytes = c.contains("footer_bytes") ? c.at("footer_bytes").as_int() : 0,
        .compression_type = c.at("compression").as_string()};
    const int64_t record_bytes = c.at("record_bytes").as_int();
    INFO(c.at("file").as_string() << " record_bytes " << record_bytes << " header " << o.header_bytes);
    if (c.contains("records")) {
      CHECK(records_of(data::FixedLengthRecordDataset(path, record_bytes, o)) == expected_records(c.at("records")));
      continue;
    }
    const std::string msg =
        error_of<std::runtime_error>([&] { records_of(data::FixedLengthRecordDataset(path, record_bytes, o)); });
    std::string want = c.at("error").as_string();
    const std::string tf_path = "tests/data/tfrecord/" + c.at("file").as_string();
    if (auto at = want.find(tf_path); at != std::string::npos) want.replace(at, tf_path.size(), path);
    if (contains(want, "Excluding"))
      CHECK_MESSAGE(msg == "FixedLengthRecordDataset: " + want, msg);
    else  // TensorFlow's GZIP reader fails with an internal error on a file shorter than its header
      CHECK_MESSAGE(contains(msg, "has body length 18446744073709551609 bytes"), msg);
  }
  CHECK(error_of([] { data::FixedLengthRecordDataset(fixture("fixed.bin"), 0); }) ==
        "FixedLengthRecordDataset: expected record_bytes >= 1, but received 0");
  CHECK(error_of([] { data::FixedLengthRecordDataset(fixture("fixed.bin"), 1, {.footer_bytes = -1}); }) ==
        "FixedLengthRecordDataset: expected header_bytes and footer_bytes >= 0, but received 0 and -1");
}

TEST_CASE("example: parse_example and parse_single_example equal TensorFlow's") {
  std::vector<std::string> examples;
  for (const Value& e : expected().at("examples").as_list()) examples.push_back(unhex(e.as_string()));
  // the fixture's records file holds the same Examples
  CHECK(records_of(data::TFRecordDataset(fixture("examples.tfrecord"))) == examples);
  int index = 0;
  for (const Value& c : expected().at("parse").as_list()) {
    INFO("case " << index++);
    std::vector<std::string> batch;
    for (int64_t i : c.at("examples").as_ints()) batch.push_back(examples[size_t(i)]);
    const io::Features spec = spec_of(c.at("spec"));
    const bool single = c.at("mode").as_string() == "single";
    auto run = [&] {
      return single ? io::parse_single_example(keras::constant(batch[0]), spec)
                    : io::parse_example(keras::constant(batch, keras::Shape{int64_t(batch.size())}), spec);
    };
    if (c.contains("error")) {
      const std::string msg = error_of(run);
      const std::string want = c.at("error").as_string();
      if (contains(want, "Could not parse example input"))
        CHECK_MESSAGE(contains(msg, "parse_example: Could not parse example input (example 1: "), msg);
      else
        CHECK(msg == "parse_example: " + want);
      continue;
    }
    const auto out = run();
    CHECK(out.size() == c.at("outputs").items().size());
    for (const auto& [key_, want] : c.at("outputs").items()) {
      const std::string key = key_;
      INFO("feature " << key);
      REQUIRE(out.count(key) == 1);
      check_output(out.at(key), want);
    }
  }
}

TEST_CASE("example: Example serializes as TensorFlow's deterministic bytes and parses back") {
  for (const Value& c : expected().at("serialized").as_list()) {
    io::Example ex;
    for (const auto& [key, f] : c.at("features").items()) {
      const auto& kv = f.as_list();
      const std::string kind = kv[0].as_string();
      if (kind == "float") {
        std::vector<float> v;
        for (double x : numbers(kv[1])) v.push_back(float(x));
        ex.set_float_list(key, v);
      } else if (kind == "int64") {
        ex.set_int64_list(key, kv[1].as_ints());
      } else {
        std::vector<std::string> v;
        for (const Value& x : kv[1].as_list()) v.push_back(unhex(x.as_string()));
        ex.set_bytes_list(key, v);
      }
    }
    CHECK(hex(ex.serialize()) == c.at("hex").as_string());
    io::Example back = io::Example::parse(ex.serialize());
    CHECK(back.serialize() == ex.serialize());
    CHECK(back.features().at("b").int64s == std::vector<int64_t>{0, -1, int64_t(1) << 40});
  }
  // set(key, tensor): floats, integers and bools, strings
  io::Example ex;
  ex.set("x", keras::constant({{1.5, 2.0}, {3.0, 4.0}}))
      .set("n", keras::constant({1, -2}, keras::DType::int32))
      .set("b", keras::constant(std::vector<bool>{true, false}, keras::Shape{2}))
      .set("s", keras::constant({"a", "bc"}));
  auto parsed = io::parse_single_example(keras::constant(ex.serialize()),
                                         {{"x", io::FixedLenFeature{{2, 2}, keras::DType::float32}},
                                          {"n", io::VarLenFeature{keras::DType::int64}},
                                          {"b", io::FixedLenFeature{{2}, keras::DType::int64}},
                                          {"s", io::RaggedFeature{keras::DType::string}}});
  CHECK(parsed["x"].to_vector<float>() == std::vector<float>{1.5f, 2.0f, 3.0f, 4.0f});
  CHECK(keras::sparse::sparse_of(parsed["n"]).values().to_vector<int64_t>() == std::vector<int64_t>{1, -2});
  CHECK(parsed["b"].to_vector<int64_t>() == std::vector<int64_t>{1, 0});
  CHECK(parsed["s"].to_vector<std::string>() == std::vector<std::string>{"a", "bc"});
  CHECK(contains(
      error_of([] { io::Example().set("c", keras::ops::cast(keras::constant({1.0f}), keras::DType::complex64)); }),
      "expected a real, integer, bool or string tensor, but received dtype complex64"));
  CHECK(contains(error_of([] {
                   io::Example::parse(
                       "\x0a\x05"
                       "abc");
                 }),
                 "Could not parse example input"));
}

TEST_CASE("example: bad specs and inputs raise naming what was expected") {
  const keras::Tensor one = keras::constant(io::Example().set_int64_list("i", {1}).serialize());
  auto spec1 = [](io::FeatureSpec f) { return io::Features{{"i", std::move(f)}}; };
  CHECK(error_of([&] {
          io::parse_single_example(one, spec1(io::FixedLenFeature{{}, keras::DType::float64}));
        }) == "parse_single_example: feature 'i': expected dtype float32, int64 or string, but received float64");
  CHECK(error_of([&] {
          io::parse_single_example(one, spec1(io::FixedLenFeature{{-1}, keras::DType::int64}));
        }) == "parse_single_example: feature 'i': expected a fully defined shape, but received [-1]");
  CHECK(error_of([&] {
          io::parse_single_example(one, spec1(io::FixedLenSequenceFeature{{}, keras::DType::int64}));
        }) ==
        "parse_single_example: feature 'i': Unsupported: FixedLenSequenceFeature requires allow_missing to be True.");
  CHECK(
      error_of([&] {
        io::parse_single_example(one, spec1(io::FixedLenFeature{{2}, keras::DType::int64, keras::constant({1})}));
      }) ==
      "parse_single_example: feature 'i': expected a default_value of 2 elements (shape [2]), but received shape (1,)");
  CHECK(error_of([&] {
          io::parse_single_example(one, spec1(io::FixedLenFeature{{}, keras::DType::string, keras::constant(1)}));
        }) == "parse_single_example: feature 'i': expected a default_value of dtype string, but received int32");
  CHECK(error_of([&] { io::parse_example(one, spec1(io::VarLenFeature{keras::DType::int64})); }) ==
        "parse_example: expected `serialized` to be a 1-d string tensor, but received string ()");
  CHECK(error_of([&] {
          io::parse_single_example(keras::constant({1.0f}), spec1(io::VarLenFeature{keras::DType::int64}));
        }) == "parse_single_example: expected `serialized` to be a scalar string tensor, but received float32 (1,)");
  // a traced function cannot parse (its result shapes depend on the data)
  auto traced = keras::function([&](const keras::Tensor& s) {
    return io::parse_example(s, spec1(io::VarLenFeature{keras::DType::int64})).at("i");
  });
  CHECK_THROWS_AS(traced(keras::constant(std::vector<std::string>{one.item<std::string>()}, keras::Shape{1})),
                  std::invalid_argument);
}

TEST_CASE("example: a TFRecord pipeline of Examples trains a model") {
  TempDir dir;
  {
    io::TFRecordWriter w(dir.file("train.tfrecord"), "GZIP");
    for (int i = 0; i < 40; ++i) {
      const float x = float(i % 8) / 8.0f;
      w.write(io::Example().set_float_list("x", {x, 1.0f - x}).set_int64_list("y", {i % 2}).serialize());
    }
  }
  const io::Features spec{{"x", io::FixedLenFeature{{2}, keras::DType::float32}},
                          {"y", io::FixedLenFeature{{}, keras::DType::int64}}};
  auto ds = data::TFRecordDataset(dir.file("train.tfrecord"), {.compression_type = "GZIP"})
                .batch(8)
                .map([&](const keras::Tensor& records) {
                  auto f = io::parse_example(records, spec);
                  return data::Element{f["x"], f["y"]};
                });
  int batches = 0;
  for (const data::Element& e : ds) {
    CHECK(e[0].shape().dims() == std::vector<int64_t>{8, 2});
    CHECK(e[1].dtype() == keras::DType::int64);
    ++batches;
  }
  CHECK(batches == 5);
  auto model = keras::Sequential({keras::layers::Dense(2, {.input_shape = {2}})});
  model->compile({.optimizer = "sgd", .loss = "sparse_categorical_crossentropy"});
  auto history = model->fit(ds, {.epochs = 2, .verbose = 0});
  CHECK(history.history.at("loss").size() == 2);
}

TEST_CASE("decode_raw: bytes as numbers, as tf.io.decode_raw") {
  using keras::DType;
  auto s = [](std::vector<std::string> v, std::vector<int64_t> shape) {
    return keras::constant(v, keras::Shape(shape));
  };
  auto r = io::decode_raw(s({std::string("\x01\0\0\0\x02\0\0\0", 8), std::string("\x03\0\0\0\x04\0\0\0", 8)}, {2}),
                          DType::int32);
  CHECK(r.shape().dims() == std::vector<int64_t>{2, 2});
  CHECK(r.to_vector<int32_t>() == std::vector<int32_t>{1, 2, 3, 4});
  CHECK(io::decode_raw(keras::constant(std::string("\x00\x01", 2)), DType::int16, {.little_endian = false})
            .to_vector<int16_t>() == std::vector<int16_t>{1});
  auto padded = io::decode_raw(s({"\x01\x02\x03", "\x04"}, {2}), DType::uint8, {.fixed_length = 2});
  CHECK(padded.to_vector<uint8_t>() == std::vector<uint8_t>{1, 2, 4, 0});
  CHECK(io::decode_raw(s({std::string("\0\0\x80\x3f", 4)}, {1}), DType::float32).to_vector<float>() ==
        std::vector<float>{1.0f});
  CHECK(io::decode_raw(s({std::string("\x01\0", 2)}, {1}), DType::bool_).to_vector<bool>() ==
        std::vector<bool>{true, false});
  CHECK(io::decode_raw(s({"ab", "cd"}, {1, 2}), DType::uint8).shape().dims() == std::vector<int64_t>{1, 2, 2});
  CHECK(io::decode_raw(s({"", ""}, {2}), DType::float32).shape().dims() == std::vector<int64_t>{2, 0});
  CHECK(io::decode_raw(s({}, {0}), DType::float32).shape().dims() == std::vector<int64_t>{0, 0});
  auto c = io::decode_raw(keras::constant(std::string("\x3f\x80\0\0\x40\0\0\0", 8)), DType::complex64,
                          {.little_endian = false});
  CHECK(keras::ops::real(c).to_vector<float>() == std::vector<float>{1.0f});
  CHECK(keras::ops::imag(c).to_vector<float>() == std::vector<float>{2.0f});
  CHECK(error_of([&] {
          io::decode_raw(s({std::string("\x01\0\0\0", 4), std::string("\x03\0\0", 3)}, {2}), DType::int32);
        }) ==
        "decode_raw: expected the input strings to all be the same size (element 0 has 4 bytes), but element 1 has 3");
  CHECK(error_of([&] { io::decode_raw(s({"abc"}, {1}), DType::int32); }) ==
        "decode_raw: Input to DecodeRaw has length 3 that is not a multiple of 4, the size of int32");
  CHECK(error_of([&] { io::decode_raw(s({"abc"}, {1}), DType::int16, {.fixed_length = 3}); }) ==
        "decode_raw: fixed_length (3) must be a non-negative multiple of the size of out_type int16 (2)");
  CHECK(error_of([&] { io::decode_raw(s({"ab"}, {1}), DType::string); }) ==
        "decode_raw: expected out_type to be a number or bool dtype, but received string");
  CHECK(error_of([&] { io::decode_raw(keras::constant({1.0f}), DType::uint8); }) ==
        "decode_raw: expected a string tensor, but received dtype float32");
  // FixedLengthRecordDataset's records as numbers
  auto ds = data::FixedLengthRecordDataset(fixture("fixed.bin"), 5, {.header_bytes = 2, .footer_bytes = 1}).batch(2);
  for (const data::Element& e : ds)
    CHECK(io::decode_raw(e[0], DType::uint8).to_vector<uint8_t>() ==
          std::vector<uint8_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
}

TEST_CASE("example: the fuzz_example seeds are Examples and TFRecord files the readers take") {
  const std::filesystem::path corpus =
      std::filesystem::path(KERAS_TEST_DATA_DIR) / ".." / "fuzz" / "corpus" / "example";
  int seeds = 0;
  for (const auto& e : std::filesystem::directory_iterator(corpus)) {
    INFO(e.path().string());
    if (e.path().extension() == ".tfrecord") {
      const bool gz = e.path().filename().string().find("gzip") != std::string::npos;
      const auto records = records_of(data::TFRecordDataset(e.path().string(), {.compression_type = gz ? "GZIP" : ""}));
      CHECK(records.size() == 5);
      CHECK(io::Example::parse(records[0]).features().size() == 5);
    } else {
      CHECK_FALSE(io::Example::parse(read_bytes(e.path().string())).features().empty());
    }
    ++seeds;
  }
  CHECK(seeds == 4);
}
