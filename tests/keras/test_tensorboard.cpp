// The TensorBoard callback: event files read back with keras::summary::read_events (CRC-32C
// checked; the graph's nodes decoded field by field here); tests/keras/tensorboard/
// read_events.py reads the same files with the tensorboard package's own reader (README:
// "TensorBoard").
#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <set>

#include "../files.h"
#include "../helpers.h"
#include "core/crc32c.h"
#include "keras/keras.h"

namespace {
namespace ops = keras::ops;
using keras::Tensor;

// A minimal protocol-buffer reader: the fields of one message.
struct Field {
  int number = 0, wire = 0;
  uint64_t varint = 0;
  std::string bytes;  // length-delimited, or the 4/8 raw bytes of a fixed field
};
std::vector<Field> fields(const std::string& m) {
  std::vector<Field> out;
  size_t p = 0;
  auto varint = [&] {
    uint64_t v = 0;
    for (int shift = 0;; shift += 7) {
      REQUIRE(p < m.size());
      unsigned char c = static_cast<unsigned char>(m[p++]);
      v |= uint64_t(c & 0x7F) << shift;
      if (!(c & 0x80)) return v;
    }
  };
  while (p < m.size()) {
    Field f;
    uint64_t key = varint();
    f.number = int(key >> 3);
    f.wire = int(key & 7);
    if (f.wire == 0) f.varint = varint();
    else if (f.wire == 1 || f.wire == 5) {
      size_t n = f.wire == 1 ? 8 : 4;
      REQUIRE(p + n <= m.size());
      f.bytes = m.substr(p, n);
      p += n;
    } else {
      REQUIRE(f.wire == 2);
      size_t n = size_t(varint());
      REQUIRE(p + n <= m.size());
      f.bytes = m.substr(p, n);
      p += n;
    }
    out.push_back(f);
  }
  return out;
}
const Field* field(const std::vector<Field>& fs, int number) {
  for (const Field& f : fs)
    if (f.number == number) return &f;
  return nullptr;
}
struct Events {
  std::string file_version;
  std::map<std::string, std::map<int64_t, float>> scalars;     // tag -> step -> value
  std::map<std::string, std::map<int64_t, double>> histo_num;  // tag -> step -> count
  std::map<std::string, std::vector<std::string>> images;      // tag -> width, height, PNGs (the last step's)
  std::vector<std::vector<Field>> graph_nodes;
};
// The events of a file, read by keras::summary (CRCs checked): the scalars and histograms
// as the tensor summaries Keras 3 writes through tf.summary.
Events read_events(const std::string& path) {
  Events ev;
  for (const keras::summary::Event& e : keras::summary::read_events(path)) {
    CHECK(e.wall_time > 1.7e9);
    if (!e.file_version.empty()) ev.file_version = e.file_version;
    for (const keras::summary::SummaryValue& v : e.summary) {
      REQUIRE(v.tensor.has_value());
      if (v.metadata.plugin_name == "scalars") {
        ev.scalars[v.tag][e.step] = v.tensor->item<float>();
      } else if (v.metadata.plugin_name == "images") {
        ev.images[v.tag] = v.tensor->to_vector<std::string>();
      } else {
        REQUIRE(v.metadata.plugin_name == "histograms");
        const std::vector<double> rows = v.tensor->to_vector<double>();  // [left, right, count] rows
        double n = 0;
        for (size_t i = 2; i < rows.size(); i += 3) n += rows[i];
        ev.histo_num[v.tag][e.step] = n;
      }
    }
    if (!e.graph_def.empty())
      for (const Field& n : fields(e.graph_def))
        if (n.number == 1) ev.graph_nodes.push_back(fields(n.bytes));
  }
  return ev;
}

}  // namespace

TEST_CASE("CRC-32C: the check value of the Castagnoli polynomial") {
  CHECK(keras::core::crc32c(0, "123456789", 9) == 0xE3069283u);
  CHECK(keras::core::crc32c(0, "", 0) == 0u);
}

TEST_CASE("TensorBoard: epoch and batch scalars, learning rate, validation, histograms and the graph") {
  th::TempDir dir;
  ops::set_random_seed(3);
  Tensor x = ops::random_uniform({40, 3}, {.seed = 1});
  Tensor y = ops::sum(x, {1}, true);
  auto model = keras::Sequential({keras::layers::Dense(4, {.activation = "relu", .input_shape = {3}}),
                                  keras::layers::Dense(1)});
  model->compile({.optimizer = keras::optimizers::SGD({.learning_rate = 0.05}), .loss = "mse", .metrics = {"mae"}});
  auto tb = std::make_shared<keras::callbacks::TensorBoard>(keras::callbacks::TensorBoardOptions{
      .log_dir = dir.file("logs"), .histogram_freq = 2, .update_freq = 2});
  keras::callbacks::History h = model->fit(
      x, y, {.batch_size = 10, .epochs = 3, .verbose = 0, .callbacks = {tb}, .validation_split = 0.25});

  REQUIRE(std::filesystem::path(tb->train_event_file()).parent_path() == std::filesystem::path(dir.file("logs")) / "train");
  CHECK(std::filesystem::path(tb->train_event_file()).filename().string().rfind("events.out.tfevents.", 0) == 0);
  Events train = read_events(tb->train_event_file());
  Events val = read_events(tb->validation_event_file());
  CHECK(train.file_version == "brain.Event:2");
  CHECK(val.file_version == "brain.Event:2");
  // epoch_<name> at step = epoch, the values History holds (as float32).
  for (int e = 0; e < 3; ++e) {
    CHECK(train.scalars["epoch_loss"].at(e) == doctest::Approx(h.history["loss"][size_t(e)]).epsilon(1e-6));
    CHECK(train.scalars["epoch_mae"].at(e) == doctest::Approx(h.history["mae"][size_t(e)]).epsilon(1e-6));
    CHECK(train.scalars["epoch_learning_rate"].at(e) == doctest::Approx(0.05));
    CHECK(val.scalars["epoch_loss"].at(e) == doctest::Approx(h.history["val_loss"][size_t(e)]).epsilon(1e-6));
    CHECK(val.scalars["epoch_mae"].at(e) == doctest::Approx(h.history["val_mae"][size_t(e)]).epsilon(1e-6));
  }
  CHECK(val.scalars.count("epoch_learning_rate") == 0);
  // 30 training samples in batches of 10: 3 batches an epoch, global batches 1..9; every
  // 2nd is written.
  std::vector<int64_t> steps;
  for (const auto& [step, v] : train.scalars["batch_loss"]) steps.push_back(step);
  CHECK(steps == std::vector<int64_t>{2, 4, 6, 8});
  // evaluation_<name>_vs_iterations at the optimizer's iterations (3 steps an epoch).
  CHECK(val.scalars["evaluation_loss_vs_iterations"].size() == 3);
  CHECK(val.scalars["evaluation_loss_vs_iterations"].count(9) == 1);
  // Histograms of every weight at epochs 0 and 2.
  REQUIRE(model->weights().size() == 4);
  CHECK(train.histo_num.size() == 4);
  for (const keras::Variable& w : model->weights()) {
    CAPTURE(w.name());
    const double n = double(w.value().size());
    CHECK(train.histo_num[w.path() + "/histogram"] == std::map<int64_t, double>{{0, n}, {2, n}});
  }
  // Keras 3 names them by the weight's path.
  CHECK(train.histo_num.count(model->name() + "/" + model->layers()[0]->name() + "/kernel/histogram") == 1);
  // The traced train step's graph: named nodes with ops, inputs naming earlier nodes.
  REQUIRE(!train.graph_nodes.empty());
  std::set<std::string> names, op_names;
  for (const auto& n : train.graph_nodes) {
    std::string name = field(n, 1)->bytes;
    CHECK(names.insert(name).second);
    op_names.insert(field(n, 2)->bytes);
    for (const Field& f : n)
      if (f.number == 3) CHECK(names.count(f.bytes.substr(0, f.bytes.find(':'))) == 1);
  }
  CHECK(op_names.count("Placeholder") == 1);
  CHECK(op_names.count("read_variable") == 1);
}

TEST_CASE("TensorBoard: bad options raise, naming what was expected") {
  CHECK_THROWS_MSG(keras::callbacks::TensorBoard({.update_freq = "step"}), std::invalid_argument,
                   "update_freq must be \"epoch\", \"batch\" or a number of batches >= 1, but received \"step\"");
  CHECK_THROWS_MSG(keras::callbacks::TensorBoard({.update_freq = 0}), std::invalid_argument, "but received 0");
  CHECK_THROWS_MSG(keras::callbacks::TensorBoard({.histogram_freq = -1}), std::invalid_argument,
                   "histogram_freq must be >= 0");
}

TEST_CASE("TensorBoard: write_steps_per_second logs epoch_steps_per_second and batch_steps_per_second") {
  th::TempDir dir;
  Tensor x = ops::random_uniform({20, 3}, {.seed = 2});
  auto model = keras::Sequential({keras::layers::Dense(1, {.input_shape = {3}})});
  model->compile({.optimizer = "sgd", .loss = "mse"});
  auto tb = std::make_shared<keras::callbacks::TensorBoard>(keras::callbacks::TensorBoardOptions{
      .log_dir = dir.file("logs"), .write_graph = false, .write_steps_per_second = true, .update_freq = "batch"});
  model->fit(x, ops::sum(x, {1}, true), {.batch_size = 5, .epochs = 2, .verbose = 0, .callbacks = {tb}});
  Events train = read_events(tb->train_event_file());
  REQUIRE(train.scalars["epoch_steps_per_second"].size() == 2);
  for (const auto& [step, v] : train.scalars["epoch_steps_per_second"]) CHECK(v > 0);
  CHECK(train.scalars["batch_steps_per_second"].size() == 8);  // 4 batches an epoch, every batch
  CHECK(train.graph_nodes.empty());
  CHECK(tb->validation_event_file().empty());  // no validation data: no validation file
}

TEST_CASE("TensorBoard: write_images writes each weight as Keras 3 shapes it") {
  th::TempDir dir;
  auto model = keras::Sequential(
      {keras::layers::Conv2D(2, 3, {.input_shape = {5, 5, 1}}), keras::layers::Flatten(), keras::layers::Dense(3)});
  model->compile({.optimizer = "sgd", .loss = "mse"});
  auto tb = std::make_shared<keras::callbacks::TensorBoard>(keras::callbacks::TensorBoardOptions{
      .log_dir = dir.file("logs"), .histogram_freq = 1, .write_graph = false, .write_images = true});
  model->fit(ops::random_uniform({4, 5, 5, 1}, {.seed = 1}), ops::zeros({4, 3}),
             {.batch_size = 4, .epochs = 1, .verbose = 0, .callbacks = {tb}});
  Events train = read_events(tb->train_event_file());
  const std::string conv = model->name() + "/" + model->layers()[0]->name(),
                    dense = model->name() + "/" + model->layers()[2]->name();
  REQUIRE(train.images.size() == 4);
  // The conv kernel (3, 3, 1, 2) squeezed to (3, 3, 2): one 3x3 image per output channel.
  REQUIRE(train.images.count(conv + "/kernel/image") == 1);
  const auto& k = train.images[conv + "/kernel/image"];
  CHECK(k.size() == 2 + 2);
  CHECK(k[0] == "3");
  CHECK(k[1] == "3");
  // The Dense kernel (18, 3): transposed to its shorter axis as the height, 18 wide, 3 high.
  CHECK(train.images[dense + "/kernel/image"][0] == "18");
  CHECK(train.images[dense + "/kernel/image"][1] == "3");
  // A bias (3,): one row of 3 pixels.
  CHECK(train.images[dense + "/bias/image"][0] == "1");
  CHECK(train.images[dense + "/bias/image"][1] == "3");
  const Tensor pixels = keras::io::decode_png(keras::core::constant(train.images[dense + "/bias/image"][2]));
  CHECK(pixels.shape() == keras::core::Shape{3, 1, 1});
}
