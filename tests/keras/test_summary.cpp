// keras::summary (tf.summary) against TensorFlow itself: tests/data/summary/make_fixtures.py
// wrote an event file with tf.summary; the same calls here must give the same events byte
// for byte (the wall times aside), except the PNG bytes of images, compared as decoded
// pixels. Then the writer's rules (default writer and step per thread, record_if, scopes,
// closing, flushing) and the errors.
#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "core/protobuf_wire.h"
#include "error_of.h"
#include "files.h"
#include "keras/keras.h"
#include "test_data_dir.h"

using namespace th;
namespace summary = keras::summary;
namespace io = keras::io;
using keras::Tensor;
using keras::core::DType;
using keras::core::Shape;

namespace {

std::string fixture() { return std::string(KERAS_TEST_DATA_DIR) + "/summary/events.tfevents"; }

Tensor histogram_data(int n) {
  std::vector<float> v;
  for (int i = 0; i < n; ++i) v.push_back(static_cast<float>((i * 37 % 101) / 7.0 - 5.0));
  return keras::core::constant(v);
}
Tensor image_data(int64_t k, int64_t h, int64_t w, int64_t c) {
  std::vector<uint8_t> v;
  for (int64_t i = 0; i < k * h * w * c; ++i) v.push_back(static_cast<uint8_t>((i * 29 + 7) % 256));
  return keras::core::constant(v, Shape{k, h, w, c});
}
Tensor audio_data(int64_t k, int64_t t, int64_t c) {
  std::vector<float> v;
  for (int64_t i = 0; i < k * t * c; ++i) v.push_back(static_cast<float>(((i * 13) % 25) / 10.0 - 1.2));
  return keras::core::constant(v, Shape{k, t, c});
}

// The calls of make_fixtures.py, in its order, to `logdir`; returns the event file.
std::string write_fixture_calls(const std::string& logdir) {
  auto writer = summary::create_file_writer(logdir);
  {
    auto scope = writer.as_default();
    summary::scalar("loss", 0.5, 0);
    summary::scalar("count", keras::core::constant(3, DType::int32), 1);
    summary::scalar("third", keras::core::constant(1.0 / 3.0, DType::float64), 2, "one third");
    {
      keras::NameScope train("train");
      summary::scalar("accuracy", 0.75, 3);
    }
    summary::scalar("odd name: a/b c", -2.0, -4);
    summary::histogram("weights", histogram_data(200), 5);
    summary::histogram("five", histogram_data(50), 6, {.buckets = 5});
    summary::histogram("empty", keras::core::constant(std::vector<float>{}), 7);
    summary::histogram("single", keras::core::constant(std::vector<float>{2.5f, 2.5f, 2.5f}), 8);
    summary::histogram("no_buckets", histogram_data(4), 9, {.buckets = 0});
    summary::histogram("ints", keras::core::constant({{1, 2}, {2, 9}}, DType::int32), 10);
    summary::histogram("nan", keras::core::constant(std::vector<float>{1.0f, NAN, 3.0f}), 11);
    summary::histogram("one_bucket", histogram_data(10), 12, {.buckets = 1});
    summary::text("greeting", "hello", 13);
    summary::text("table", keras::core::constant({{"a", "b"}, {"", "\xc3\xa9t\xc3\xa9"}}), 14, "a table");
    summary::image("rgb", image_data(2, 3, 4, 3), 15);
    summary::image("gray_float",
                   keras::core::constant(std::vector<float>{-0.5f, 0.3f, 1.2f, 0.999f}, Shape{1, 2, 2, 1}), 16);
    summary::image("rgba_max2", image_data(5, 2, 1, 4), 17, {.max_outputs = 2});
    summary::image("gray_alpha", image_data(1, 2, 2, 2), 18);
    summary::image("none", image_data(2, 2, 2, 3), 19, {.max_outputs = 0});
    summary::audio("mono", audio_data(2, 5, 1), 44100, 20);
    summary::audio("stereo_max1", audio_data(3, 4, 2), 8000, 21, {.max_outputs = 1, .encoding = "wav"});
    summary::write("custom", keras::core::constant({{int64_t{1}, int64_t{-2}}, {int64_t{3}, int64_t{4}}}), 22,
                   {.plugin_name = "my_plugin",
                    .plugin_content = "\x01\x02",
                    .display_name = "My summary",
                    .description = "generic"});
    summary::write("plain", keras::core::constant(std::vector<double>{1.5, 2.5}), 23);
    keras::core::protobuf::Writer value, raw;
    value.bytes_field(1, "raw_value");
    value.float_field(2, 4.25f);
    raw.bytes_field(1, value.bytes());
    summary::write_raw_pb(keras::core::constant(raw.bytes()), 24);
    summary::experimental::set_step(25);
    summary::scalar("default_step", 1.0);
    summary::experimental::set_step(std::nullopt);
    {
      auto inner = writer.as_default(26);
      summary::scalar("as_default_step", 2.0);
    }
    {
      auto off = summary::record_if(false);
      CHECK_FALSE(summary::scalar("not_recorded", 3.0, 27));
    }
    auto on = summary::record_if([] { return true; });
    summary::scalar("recorded", 4.0, 28);
  }
  writer.close();
  return writer.path();
}

std::vector<std::string> records(const std::string& path) {
  io::TFRecordReader r(path);
  std::vector<std::string> out;
  while (auto rec = r.next()) out.push_back(*rec);
  return out;
}

bool is_png_image_event(const summary::Event& e) {
  return !e.summary.empty() && e.summary[0].metadata.plugin_name == "images" && e.summary[0].tensor->size() > 2;
}

}  // namespace

TEST_CASE("summary: the calls of make_fixtures.py give TensorFlow's events, byte for byte but the wall times") {
  TempDir dir;
  const std::string ours = write_fixture_calls(dir.file("logs"));
  CHECK(std::filesystem::path(ours).parent_path() == std::filesystem::path(dir.file("logs")));
  CHECK(std::filesystem::path(ours).filename().string().starts_with("events.out.tfevents."));
  CHECK(std::filesystem::path(ours).filename().string().ends_with(".v2"));
  const std::vector<summary::Event> tf_events = summary::read_events(fixture()), events = summary::read_events(ours);
  const std::vector<std::string> tf_records = records(fixture()), our_records = records(ours);
  REQUIRE(events.size() == tf_events.size());
  REQUIRE(events.size() == 29);  // the file version and 28 summaries (27 recorded, 1 raw)
  CHECK(events[0].file_version == "brain.Event:2");
  CHECK(tf_events[0].file_version == "brain.Event:2");
  int images = 0;
  for (size_t i = 1; i < events.size(); ++i) {
    const summary::Event &e = events[i], &t = tf_events[i];
    REQUIRE(e.summary.size() == 1);
    REQUIRE(t.summary.size() == 1);
    INFO("event " << i << ": " << t.summary[0].tag);
    CHECK(e.step == t.step);
    CHECK(e.wall_time > 1.7e9);
    if (!is_png_image_event(t)) {
      // Event.wall_time is the first 9 bytes (key and double); the rest is identical.
      CHECK(our_records[i].substr(9) == tf_records[i].substr(9));
      continue;
    }
    ++images;
    const summary::SummaryValue &v = e.summary[0], &tv = t.summary[0];
    CHECK(v.tag == tv.tag);
    CHECK(v.metadata == tv.metadata);
    REQUIRE(v.tensor->shape() == tv.tensor->shape());
    const auto ours_s = v.tensor->to_vector<std::string>(), theirs = tv.tensor->to_vector<std::string>();
    CHECK(ours_s[0] == theirs[0]);  // width
    CHECK(ours_s[1] == theirs[1]);  // height
    for (size_t k = 2; k < ours_s.size(); ++k) {
      const Tensor a = io::decode_png(keras::core::constant(ours_s[k])),
                   b = io::decode_png(keras::core::constant(theirs[k]));
      CHECK(a.shape() == b.shape());
      CHECK(a.to_vector<uint8_t>() == b.to_vector<uint8_t>());
    }
  }
  CHECK(images == 4);
  // What the reader makes of them: a scalar, a histogram's rows, text, the raw value.
  CHECK(events[1].summary[0].tag == "loss");
  CHECK(events[1].summary[0].metadata.plugin_name == "scalars");
  CHECK(events[1].summary[0].tensor->dtype() == DType::float32);
  CHECK(events[1].summary[0].tensor->item<float>() == 0.5f);
  CHECK(events[4].summary[0].tag == "train/accuracy");
  CHECK(events[5].step == -4);
  const Tensor rows = *events[7].summary[0].tensor;  // "five": 5 buckets of 50 values
  CHECK(rows.shape() == Shape{5, 3});
  double total = 0;
  for (int64_t i = 0; i < 5; ++i) total += rows.to_vector<double>()[size_t(i * 3 + 2)];
  CHECK(total == 50);
  CHECK(events[15].summary[0].tensor->to_vector<std::string>() ==
        std::vector<std::string>{"a", "b", "", "\xc3\xa9t\xc3\xa9"});
  CHECK(events[15].summary[0].metadata.description == "a table");
  CHECK(events[25].summary[0].tag == "raw_value");
  CHECK(events[25].summary[0].simple_value == 4.25f);
  CHECK_FALSE(events[25].summary[0].tensor.has_value());
}

TEST_CASE("summary: no default writer writes nothing; a default writer needs a step") {
  CHECK_FALSE(summary::has_default_writer());
  CHECK_FALSE(summary::should_record_summaries());
  CHECK_FALSE(summary::scalar("x", 1.0, 3));
  CHECK_FALSE(summary::scalar("x", 1.0));  // no step is fine without a writer
  TempDir dir;
  auto writer = summary::create_file_writer(dir.file("a"));
  auto scope = writer.as_default();
  CHECK(summary::has_default_writer());
  CHECK(summary::default_writer() == writer);
  CHECK(summary::should_record_summaries());
  CHECK(error_of([] { summary::scalar("x", 1.0); }) ==
        "No step set. Please specify one either through the `step` argument or through "
        "keras::summary::experimental::set_step()");
  {
    auto off = summary::record_if(false);  // not recorded: the step is not needed
    CHECK_FALSE(summary::should_record_summaries());
    CHECK_FALSE(summary::scalar("x", 1.0));
  }
  CHECK(summary::scalar("x", 1.0, 0));
}

TEST_CASE("summary: default writers and steps nest per thread; record_if is asked at each summary") {
  TempDir dir;
  auto a = summary::create_file_writer(dir.file("a")), b = summary::create_file_writer(dir.file("b"));
  CHECK(a.logdir() == dir.file("a"));
  CHECK_FALSE(a == b);
  {
    auto sa = a.as_default(10);
    summary::scalar("v", 1.0);  // a, step 10
    {
      auto sb = b.as_default(20);
      summary::scalar("v", 2.0);  // b, step 20
      std::thread other([] {
        CHECK_FALSE(summary::has_default_writer());  // the default is this thread's
        CHECK_FALSE(summary::experimental::get_step().has_value());
      });
      other.join();
      {
        auto noop = summary::create_noop_writer().as_default(99);  // changes nothing
        CHECK(summary::default_writer() == b);
        CHECK(summary::experimental::get_step() == 20);
      }
    }
    CHECK(summary::experimental::get_step() == 10);
    int64_t step = 0;
    auto every_other = summary::record_if([&] { return step % 2 == 0; });
    for (step = 0; step < 5; ++step) summary::scalar("sampled", double(step), step);
    summary::scalar("v", 3.0);  // step 5 is odd: not written
  }
  CHECK_FALSE(summary::has_default_writer());
  CHECK_FALSE(summary::experimental::get_step().has_value());
  auto events_a = summary::read_events(a.path()), events_b = summary::read_events(b.path());
  REQUIRE(events_a.size() == 5);  // version, v@10, sampled@0, @2, @4
  CHECK(events_a[1].step == 10);
  CHECK(events_a[2].summary[0].tag == "sampled");
  CHECK(events_a[3].step == 2);
  CHECK(events_a[4].step == 4);
  REQUIRE(events_b.size() == 2);
  CHECK(events_b[1].step == 20);
  CHECK(events_b[1].summary[0].tensor->item<float>() == 2.0f);
  {
    auto outer = b.as_default();  // restores "no default writer" at its end
    a.set_as_default(7);          // stays until changed
    CHECK(summary::default_writer() == a);
    CHECK(summary::experimental::get_step() == 7);
    summary::create_noop_writer().set_as_default();  // changes nothing
    CHECK(summary::default_writer() == a);
    a.close();
    // A closed default writer raises, as TensorFlow's does.
    CHECK(error_of<std::runtime_error>([] { summary::scalar("x", 1.0, 1); }).find("is closed") != std::string::npos);
  }
  summary::experimental::set_step(std::nullopt);
  CHECK_FALSE(summary::has_default_writer());
}

TEST_CASE("summary: flushing, closing, max_queue and the files") {
  TempDir dir;
  auto w = summary::create_file_writer(dir.file("q"), {.max_queue = 0, .filename_suffix = ".mine"});
  CHECK(w.path().ends_with(".mine"));
  auto scope = w.as_default();
  summary::scalar("a", 1.0, 1);
  CHECK(summary::read_events(w.path()).size() == 2);  // max_queue 0: on disk at once
  auto big = summary::create_file_writer(dir.file("q"), {.max_queue = 1000, .flush_millis = 1000000});
  CHECK(big.path() != w.path());  // a second file in the same folder
  {
    auto s = big.as_default();
    for (int i = 0; i < 3; ++i) summary::scalar("b", double(i), i);
    summary::flush();  // the default writer
    CHECK(summary::read_events(big.path()).size() == 4);
    summary::scalar("b", 3.0, 3);
  }  // the scope's end flushes
  CHECK(summary::read_events(big.path()).size() == 5);
  big.close();
  big.close();  // twice: nothing
  big.flush();  // closed: nothing
  CHECK(big.closed());
  CHECK(error_of<std::runtime_error>([&] { auto s = big.as_default(); }).ends_with("is already closed"));
  CHECK(error_of<std::runtime_error>([&] { big.set_as_default(); }).ends_with("is already closed"));
  CHECK(error_of<std::runtime_error>([&] { big.init(); }).ends_with("is already closed"));
  CHECK(error_of([] { summary::create_file_writer(""); }) == "create_file_writer: `logdir` must not be empty");
  CHECK(error_of([&] { summary::create_file_writer(dir.file("x"), {.max_queue = -1}); }) ==
        "create_file_writer: max_queue must be >= 0, but received -1");
  write_bytes(dir.file("file"), "not a folder");
  CHECK(error_of<std::runtime_error>([&] {
          summary::create_file_writer(dir.file("file") + "/logs");
        }).starts_with("create_file_writer: cannot create the log folder"));
}

TEST_CASE("summary: bad data raises naming what was expected and received") {
  TempDir dir;
  auto w = summary::create_file_writer(dir.file("e"));
  auto scope = w.as_default(1);
  CHECK(error_of([] {
          summary::scalar("s", keras::core::constant({1.0f, 2.0f}));
        }) == "summary::scalar: expected a scalar, but received shape (2,)");
  CHECK(error_of([] { summary::scalar("s", keras::core::constant("x")); }) ==
        "summary::scalar: expected a real number, but received string");
  CHECK(error_of([] { summary::text("t", keras::core::constant(1.0f)); }) ==
        "summary::text: expected a string tensor, but received float32");
  CHECK(error_of([] { summary::histogram("h", keras::core::constant("x")); }) ==
        "summary::histogram: expected real numbers, but received string");
  CHECK(error_of([] {
          summary::image("i", keras::ops::reshape(image_data(1, 2, 2, 1), {2, 2, 1}));
        }) == "summary::image: expected images [k, height, width, channels], but received shape (2, 2, 1)");
  CHECK(error_of([] { summary::image("i", image_data(1, 1, 1, 5)); }) ==
        "summary::image: images must have 1, 2, 3 or 4 channels, but received shape (1, 1, 1, 5)");
  CHECK(error_of([] {
          summary::image("i", keras::ops::reshape(keras::core::constant("x"), {1, 1, 1, 1}));
        }) == "summary::image: expected numeric pixels, but received string");
  CHECK(error_of([] { summary::audio("a", audio_data(1, 2, 1), 0); }) ==
        "summary::audio: sample_rate must be > 0, but received 0");
  CHECK(error_of([] {
          summary::audio("a", keras::ops::zeros({1, 2, 1}, DType::float64), 8000);
        }) == "summary::audio: expected float32 samples, but received float64");
  CHECK(error_of([] { summary::audio("a", audio_data(1, 2, 1), 8000, std::nullopt, {.encoding = "mp3"}); }) ==
        "summary::audio: unknown encoding 'mp3' (only \"wav\")");
  CHECK(error_of([] { summary::write_raw_pb(keras::core::constant(1.0f)); }) ==
        "write_raw_pb: expected a string scalar or vector of serialized Summary messages, but received float32 of "
        "shape ()");
  // Nothing was written by the failed calls.
  CHECK(summary::read_events(w.path()).size() == 1);
}

TEST_CASE("summary: images of other pixel types are scaled to uint8 as convert_image_dtype") {
  TempDir dir;
  auto w = summary::create_file_writer(dir.file("i"));
  auto scope = w.as_default(0);
  // int16: floor(x / 128) clipped at 0; int8: max(x, 0) * 2; uint16: x / 256.
  summary::image("i16", keras::core::constant(std::vector<int16_t>{-300, 0, 127, 128, 32767, -1}, Shape{1, 1, 6, 1}));
  summary::image("i8", keras::core::constant(std::vector<int8_t>{-5, 0, 1, 127}, Shape{1, 1, 4, 1}));
  summary::image("u16", keras::core::constant(std::vector<uint16_t>{255, 256, 65535}, Shape{1, 1, 3, 1}));
  w.flush();
  auto events = summary::read_events(w.path());
  REQUIRE(events.size() == 4);
  auto pixels = [&](int i) {
    return io::decode_png(keras::core::constant(events[size_t(i)].summary[0].tensor->to_vector<std::string>()[2]))
        .to_vector<uint8_t>();
  };
  CHECK(pixels(1) == std::vector<uint8_t>{0, 0, 0, 1, 255, 0});
  CHECK(pixels(2) == std::vector<uint8_t>{0, 0, 2, 254});
  CHECK(pixels(3) == std::vector<uint8_t>{0, 1, 255});
}

TEST_CASE("summary: histograms with infinities give TensorFlow's rows") {
  TempDir dir;
  auto w = summary::create_file_writer(dir.file("h"));
  auto scope = w.as_default(0);
  const double inf = INFINITY;
  summary::histogram("pos", keras::core::constant(std::vector<double>{1.0, inf, 3.0}), 0, {.buckets = 4});
  summary::histogram("neg", keras::core::constant(std::vector<double>{-inf, 1.0, 2.0}), 0, {.buckets = 4});
  summary::histogram("neg_buckets", keras::core::constant(std::vector<double>{1.0, 2.0}), 0, {.buckets = -3});
  w.flush();
  auto events = summary::read_events(w.path());
  REQUIRE(events.size() == 4);
  // tensorboard's _buckets (TensorFlow 2.21) on the same data: [[1, inf, 2], [inf, inf, 0] x 3].
  const auto pos = events[1].summary[0].tensor->to_vector<double>();
  CHECK(pos == std::vector<double>{1, inf, 2, inf, inf, 0, inf, inf, 0, inf, inf, 0});
  // [[-inf, nan, 0], [nan, nan, 0], [nan, nan, 0], [nan, 2, 0]].
  const auto neg = events[2].summary[0].tensor->to_vector<double>();
  CHECK(neg[0] == -inf);
  CHECK(std::isnan(neg[1]));
  CHECK(std::isnan(neg[9]));
  CHECK(neg[10] == 2);
  for (int i = 0; i < 4; ++i) CHECK(neg[size_t(i * 3 + 2)] == 0);
  CHECK(events[3].summary[0].tensor->shape() == Shape{0, 3});  // negative buckets: none
}

TEST_CASE("summary: a traced function's graph; compact TensorProtos read back") {
  TempDir dir;
  auto w = summary::create_file_writer(dir.file("g"));
  auto f = keras::function([](const Tensor& x) { return keras::ops::relu(x * 2.0f); });
  CHECK_FALSE(summary::graph(f));  // no default writer
  auto scope = w.as_default();
  CHECK(error_of([&] { summary::graph(f); }) ==
        "summary::graph: the function has no graph yet (call it once to trace it)");
  f(keras::core::constant({1.0f, -2.0f}));
  CHECK(summary::graph(f));  // step 0, no step needed
  // Summaries are written when called: inside a trace they raise (no value yet), and
  // through host_function they are written at each run.
  auto inside = keras::function([](const Tensor& x) {
    summary::scalar("inside", keras::ops::sum(x), 1);
    return x;
  });
  CHECK(error_of([&] {
          inside(keras::core::constant({1.0f}));
        }).starts_with("keras::summary (\"inside\") needs a concrete value, but it was called while tracing"));
  auto via_host = keras::function([](const Tensor& x) {
    keras::ops::host_function(
        [](const std::vector<Tensor>& v) {
          const bool written = summary::scalar("host", keras::ops::sum(v[0]), 2);
          return std::vector<Tensor>{keras::core::constant(written)};
        },
        {x}, {{{}, DType::bool_}});
    return x * 2.0f;
  });
  via_host(keras::core::constant({1.0f, 2.0f}));
  via_host(keras::core::constant({3.0f, 4.0f}));
  // A Summary whose tensor gives one float_val for 3 elements (TensorFlow fills the rest
  // with it) and one int64 value unpacked.
  keras::core::protobuf::Writer dim, shape, tensor, tensor2, value, value2, s;
  dim.int_field(1, 3);
  shape.bytes_field(2, dim.bytes());
  tensor.int_field(1, 1);  // DT_FLOAT
  tensor.bytes_field(2, shape.bytes());
  tensor.packed_floats(5, {1.5f});
  value.bytes_field(1, "filled");
  value.bytes_field(8, tensor.bytes());
  tensor2.int_field(1, 9);  // DT_INT64, a scalar
  tensor2.bytes_field(2, "");
  tensor2.int_field(10, -7);
  value2.bytes_field(1, "int64");
  value2.bytes_field(8, tensor2.bytes());
  s.bytes_field(1, value.bytes());
  s.bytes_field(1, value2.bytes());
  CHECK(summary::write_raw_pb(keras::core::constant(s.bytes()), 3));
  w.close();
  auto events = summary::read_events(w.path());
  REQUIRE(events.size() == 5);
  CHECK(events[2].summary[0].tag == "host");  // the two runs of via_host
  CHECK(events[2].summary[0].tensor->item<float>() == 3.0f);
  CHECK(events[3].summary[0].tensor->item<float>() == 7.0f);
  events.erase(events.begin() + 2, events.begin() + 4);
  CHECK(events[1].step == 0);
  CHECK(!events[1].graph_def.empty());
  CHECK(events[1].graph_def.find("Placeholder") != std::string::npos);  // the input node
  REQUIRE(events[2].summary.size() == 2);
  CHECK(events[2].summary[0].tensor->to_vector<float>() == std::vector<float>{1.5f, 1.5f, 1.5f});
  CHECK(events[2].summary[1].tensor->item<int64_t>() == -7);
  // A shape that would fill more than 256 MiB from one value, or more values than the
  // shape holds, is refused.
  auto one_tensor = [&](int64_t dim0, const std::vector<float>& values) {
    keras::core::protobuf::Writer d, sh, t, v, sm;
    d.int_field(1, dim0);
    sh.bytes_field(2, d.bytes());
    t.int_field(1, 1);
    t.bytes_field(2, sh.bytes());
    t.packed_floats(5, values);
    v.bytes_field(1, "big");
    v.bytes_field(8, t.bytes());
    sm.bytes_field(1, v.bytes());
    auto w2 = summary::create_file_writer(dir.file("big"));
    auto s2 = w2.as_default(0);
    summary::write_raw_pb(keras::core::constant(sm.bytes()));
    w2.close();
    return error_of<std::runtime_error>([&] { summary::read_events(w2.path()); });
  };
  CHECK(one_tensor(int64_t{1} << 27, {1.0f}).ends_with("elements gives only 1 values (more than 256 MiB to fill)"));
  CHECK(one_tensor(1, {1.0f, 2.0f}).ends_with("a float32 TensorProto of 1 elements gives 2 values"));
}

TEST_CASE("summary: a damaged event file raises naming the offset") {
  TempDir dir;
  std::string bytes = read_bytes(fixture());
  bytes[40] = static_cast<char>(bytes[40] ^ 0x5a);  // inside the first record's data
  write_bytes(dir.file("bad.tfevents"), bytes);
  CHECK(error_of<std::runtime_error>([&] {
          summary::read_events(dir.file("bad.tfevents"));
        }).find("corrupted record at 12") != std::string::npos);
  CHECK_THROWS_AS(summary::read_events(dir.file("missing")), std::runtime_error);
}

TEST_CASE("summary: threads writing to one writer each get every event in" * doctest::test_suite("threads")) {
  TempDir dir;
  auto w = summary::create_file_writer(dir.file("t"), {.max_queue = 3});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([w, t] {
      auto scope = w.as_default();  // each thread's own default
      for (int64_t step = 0; step < 50; ++step) summary::scalar("thread_" + std::to_string(t), double(step), step);
    });
  for (auto& t : threads) t.join();
  CHECK_FALSE(summary::has_default_writer());
  w.close();
  std::map<std::string, std::vector<int64_t>> steps;
  for (const summary::Event& e : summary::read_events(w.path()))
    for (const summary::SummaryValue& v : e.summary) steps[v.tag].push_back(e.step);
  REQUIRE(steps.size() == 4);
  for (const auto& entry : steps) {
    CAPTURE(entry.first);
    REQUIRE(entry.second.size() == 50);
    for (int64_t i = 0; i < 50; ++i) CHECK(entry.second[size_t(i)] == i);  // in order within a thread
  }
}
