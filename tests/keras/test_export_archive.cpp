// test_export_archive.cpp - ExportArchive, load_archive and ArchiveLayer: several
// endpoints sharing their variables, loaded variables that every endpoint reads,
// gradients through a loaded endpoint, an exported model fine-tuned inside a new model as
// the original trains, and damaged archives rejected cleanly.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "export_dir.h"
#include "files.h"
#include "helpers.h"
#include "keras/keras.h"
#include "layer_harness.h"
#include "test_data_dir.h"

using namespace th;
namespace layers = keras::layers;

namespace {
Tensor ramp(int64_t batch, int64_t width) {
  std::vector<double> v(static_cast<size_t>(batch * width));
  for (size_t i = 0; i < v.size(); ++i) v[i] = 0.01 * double(i % 100) - 0.3;
  return make(v, Shape{batch, width});
}

// in (6) -> Dense(8, relu) "hidden" -> BatchNormalization -> Dense(3, softmax) "head";
// the encoder is the model up to "hidden".
struct Net {
  keras::Ref<keras::FunctionalModel> model, encoder;
};
Net net() {
  ops::set_random_seed(4);
  auto in = keras::Input({6}, {.name = "x"});
  auto h = layers::Dense(8, {.activation = "relu", .name = "hidden"})(in);
  auto b = layers::BatchNormalization({.name = "bn"})(h);
  auto out = layers::Dense(3, {.activation = "softmax", .name = "head"})(b);
  Net n{keras::Functional({in}, {out}, {.name = "net"}), keras::Functional({in}, {h}, {.name = "encoder"})};
  // Moving statistics that are not the initial ones, so inference reads them.
  auto& bn = *n.model->get_layer("bn");
  bn.non_trainable_weights()[0].assign(make(uniform(8, -0.2, 0.2, 5), Shape{8}));
  bn.non_trainable_weights()[1].assign(make(uniform(8, 0.5, 1.5, 6), Shape{8}));
  return n;
}

std::string write_archive(const Net& n, const std::string& path) {
  keras::ExportArchive archive;
  archive.track(*n.model);
  archive.add_endpoint("serve", [&](const std::vector<Tensor>& in) { return (*n.model)(in, false); },
                       {{{-1, 6}, DType::float32}});
  archive.track_and_add_endpoint("features", n.encoder);
  archive.add_variable_collection("head_weights", n.model->get_layer("head")->weights());
  archive.write_out(path);
  return th::read_bytes(path);
}

void check_close(const Tensor& a, const Tensor& b, double tol = 1e-6) { check_values(a, values(b), tol); }
}  // namespace

TEST_CASE("ExportArchive: endpoints share the model's variables, loaded as variables every endpoint reads") {
  TempDir dir;
  Net n = net();
  const std::string path = dir.file("net.karchive");
  write_archive(n, path);
  keras::LoadedArchive a = keras::load_archive(path);
  CHECK(a.endpoint_names() == std::vector<std::string>{"serve", "features"});
  CHECK(a.has_endpoint("serve"));
  CHECK_FALSE(a.has_endpoint("train"));
  CHECK(a.signature("features")[0].shape == std::vector<int64_t>{-1, 6});  // from the model's inputs
  CHECK(a.output_dtypes("serve") == std::vector<DType>{DType::float32});

  // The variables: the model's weights, once each, named by their paths.
  const auto weights = n.model->weights();
  REQUIRE(a.variables().size() == weights.size());
  for (size_t i = 0; i < weights.size(); ++i) {
    CAPTURE(i);
    CHECK(a.variables()[i].name() == weights[i].path());
    CHECK(a.variables()[i].trainable() == weights[i].trainable());
    CHECK(values(a.variables()[i].value()) == values(weights[i].value()));
  }
  CHECK(a.variable("hidden/kernel").shape() == Shape{6, 8});
  CHECK(a.trainable_variables().size() == 6);      // two Dense kernels and biases, gamma, beta
  CHECK(a.non_trainable_variables().size() == 2);  // the moving mean and variance
  CHECK(a.variable_collection_names() == std::vector<std::string>{"head_weights"});
  const auto head = a.variable_collection("head_weights");
  REQUIRE(head.size() == 2);
  CHECK(head[0].same_as(a.variable("head/kernel")));

  // Each endpoint computes what the model does, at any batch size.
  for (int64_t batch : {1, 5, 17}) {
    const Tensor x = ramp(batch, 6);
    check_close(a.call("serve", {x})[0], n.model->predict(x));
    check_close(a.call("features", {x})[0], n.encoder->predict(x));
  }

  // Shared state: a new hidden kernel changes both endpoints, a new head bias only one.
  const Tensor x = ramp(4, 6);
  const Tensor features_before = a.call("features", {x})[0];
  const Tensor k = make(uniform(48, -0.5, 0.5, 8), Shape{6, 8});
  a.variable("hidden/kernel").assign(k);
  n.model->get_layer("hidden")->weights()[0].assign(k);
  check_close(a.call("features", {x})[0], n.encoder->predict(x));
  CHECK(values(a.call("features", {x})[0]) != values(features_before));
  const Tensor features_now = a.call("features", {x})[0];
  a.variable("head/bias").assign(core::constant({0.5f, -0.5f, 1.0f}));
  n.model->get_layer("head")->weights()[1].assign(core::constant({0.5f, -0.5f, 1.0f}));
  check_close(a.call("serve", {x})[0], n.model->predict(x));
  CHECK(values(a.call("features", {x})[0]) == values(features_now));

  // Errors name what was expected and what was received.
  CHECK_THROWS_MSG(a.call("train", {x}), std::invalid_argument,
                   "LoadedArchive: no endpoint named 'train'; the archive has 'serve', 'features'");
  CHECK_THROWS_MSG(a.call("serve", {ramp(2, 5)}), std::invalid_argument,
                   "LoadedArchive: endpoint 'serve': expected input 0 to be float32 (None, 6), but received float32 (2, 5)");
  CHECK_THROWS_MSG(a.variable("nothing"), std::invalid_argument, "no variable named 'nothing'");
  CHECK_THROWS_MSG(a.variable_collection("all"), std::invalid_argument,
                   "no variable collection named 'all'; the archive has 'head_weights'");
  CHECK_THROWS_MSG(a.call("serve", {x}, {}), std::invalid_argument, "expected 8 variables, but received 0");
}

TEST_CASE("LoadedArchive: gradients reach the inputs and the variables; calls join a traced function") {
  TempDir dir;
  Net n = net();
  const std::string path = dir.file("net.karchive");
  write_archive(n, path);
  keras::LoadedArchive a = keras::load_archive(path);
  const Tensor x = ramp(5, 6);
  const Tensor w = make(uniform(15, 0.5, 1.5, 3), Shape{5, 3});

  std::vector<Tensor> want, got;
  {
    keras::GradientTape tape;
    Tensor xv = x;
    tape.watch(xv);
    Tensor loss = ops::sum(ops::multiply((*n.model)(xv, false), w));
    std::vector<core::Variable> vars = n.model->trainable_weights();
    want = tape.gradient(loss, vars);
  }
  {
    keras::GradientTape tape;
    Tensor loss = ops::sum(ops::multiply(a.call("serve", {x})[0], w));
    got = tape.gradient(loss, a.trainable_variables());
  }
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    CAPTURE(i);
    REQUIRE(got[i].defined());
    check_close(got[i], want[i], 1e-5);
  }
  {  // and to the input
    keras::GradientTape t1, t2;
    Tensor xa = x, xb = x;
    t1.watch(xa);
    t2.watch(xb);
    Tensor ga = t1.gradient(ops::sum(ops::multiply(a.call("serve", {xa})[0], w)), xa);
    Tensor gb = t2.gradient(ops::sum(ops::multiply((*n.model)(xb, false), w)), xb);
    check_close(ga, gb, 1e-5);
  }

  // Inside a traced function, the endpoint's ops join the trace, and the graph reads the
  // variables when it runs.
  auto f = keras::function([&](const Tensor& in) { return a.call("features", {in})[0]; });
  check_close(f(x), n.encoder->predict(x));
  a.variable("hidden/bias").assign(ops::ones({8}));
  n.model->get_layer("hidden")->weights()[1].assign(ops::ones({8}));
  check_close(f(x), n.encoder->predict(x));
  CHECK(f.tracing_count() == 1);
}

TEST_CASE("ArchiveLayer: an exported model fine-tuned inside a new model trains as the original") {
  TempDir dir;
  ops::set_random_seed(12);
  auto original = keras::Sequential({layers::Dense(5, {.activation = "tanh", .input_shape = {3}}), layers::Dense(2)});
  const std::string path = dir.file("m.karchive");
  original->export_graph(path, {.format = "archive"});  // Keras's model.export: endpoint "serve"

  auto base = layers::ArchiveLayer(path, {.input_shape = {3}});
  CHECK(base->class_name() == "ArchiveLayer");
  CHECK(base->weights().size() == 4);
  CHECK(base->trainable_weights().size() == 4);
  auto wrapped = keras::Sequential({base}, {.name = "wrapped"});
  const Tensor x = make(uniform(24, -1, 1, 1), Shape{8, 3});
  const Tensor y = make(uniform(16, -1, 1, 2), Shape{8, 2});
  check_close(wrapped->predict(x), original->predict(x));

  for (auto* m : {&original, &wrapped})
    (*m)->compile({.optimizer = keras::optimizers::SGD({.learning_rate = 0.1}), .loss = "mse"});
  auto h1 = original->fit(x, y, {.batch_size = 3, .epochs = 3, .verbose = 0, .shuffle = false});
  auto h2 = wrapped->fit(x, y, {.batch_size = 3, .epochs = 3, .verbose = 0, .shuffle = false});
  const auto w1 = original->get_weights(), w2 = wrapped->get_weights();
  REQUIRE(w1.size() == w2.size());
  for (size_t i = 0; i < w1.size(); ++i) check_close(w2[i], w1[i], 1e-5);
  CHECK(h2.history.at("loss").back() == doctest::Approx(h1.history.at("loss").back()).epsilon(1e-5));
  CHECK(wrapped->traced_steps());  // the endpoint's ops run in the traced train step

  // Saved and loaded: the archive is read again from its path, the fine-tuned weights from
  // the model file.
  const std::string saved = dir.file("wrapped.keras");
  wrapped->save(saved);
  auto loaded = keras::models::load_model(saved);
  check_close(loaded->predict(x), wrapped->predict(x));
  CHECK(loaded->get_layer(base->name())->get_config().at("filepath").as_string() == path);

  // Frozen: no trainable weights, and fit leaves them as they are.
  auto frozen = layers::ArchiveLayer(path, {.trainable = false});
  CHECK(frozen->trainable_weights().empty());
  CHECK(frozen->non_trainable_weights().size() == 4);

  const std::string no_predict = "ArchiveLayer: call_endpoint 'predict' is not an endpoint of '" + path + "'; it has 'serve'";
  CHECK_THROWS_MSG(layers::ArchiveLayer(path, {.call_endpoint = "predict"}), std::invalid_argument, no_predict.c_str());
  CHECK_THROWS_MSG(layers::ArchiveLayer(dir.file("missing.karchive")), std::runtime_error, "cannot open");
}

TEST_CASE("ArchiveLayer: the layer harness" * doctest::test_suite("layer_harness")) {
  TempDir dir;
  ops::set_random_seed(2);
  const std::string path = dir.file("enc.karchive");
  {
    auto in = keras::Input({4});
    auto out = layers::Dense(3, {.activation = "relu"})(layers::Dense(5)(in));
    auto m = keras::Functional({in}, {out});
    keras::ExportArchive archive;
    archive.track_and_add_endpoint("serve", m);
    archive.add_endpoint("train", [&](const std::vector<Tensor>& v) { return std::vector{ops::multiply((*m)(v[0], false), ops::scalar_like(v[0], 2.0))}; },
                         {{{-1, 4}, DType::float32}});
    archive.write_out(path);
  }
  run_layer_test({"archive layer", [&] { return layers::ArchiveLayer(path); }, {Shape{2, 4}}, {}, {2, 3}, 4, 4});
  run_layer_test({"archive layer, training endpoint",
                  [&] { return layers::ArchiveLayer(path, {.call_training_endpoint = "train"}); }, {Shape{2, 4}}, {},
                  {2, 3}, 4, 4, /*training_differs=*/true});
}

TEST_CASE("ExportArchive: what cannot be archived raises, naming it") {
  TempDir dir;
  keras::ExportArchive archive;
  CHECK_THROWS_MSG(archive.bytes(), std::logic_error, "ExportArchive: no endpoints have been added yet");
  core::Variable v(core::constant({1.0f, 2.0f}), "v");
  v.set_path("scale");
  auto body = [&](const std::vector<Tensor>& in) { return std::vector<Tensor>{ops::multiply(in[0], v.value())}; };
  archive.add_endpoint("serve", body, {{{-1, 2}, DType::float32}});
  CHECK(archive.variables().size() == 1);  // tracked by reading it
  CHECK_THROWS_MSG(archive.add_endpoint("serve", body, {{{2}, DType::float32}}), std::invalid_argument,
                   "ExportArchive: endpoint name 'serve' is already taken");
  CHECK_THROWS_MSG(archive.add_endpoint("2serve", body, {{{2}, DType::float32}}), std::invalid_argument,
                   "endpoint name '2serve' is not valid: expected letters, digits and '_', not starting with a digit");
  CHECK_THROWS_MSG(archive.add_endpoint("step",
                                        [&](const std::vector<Tensor>& in) {
                                          v.assign_add(in[0]);
                                          return std::vector<Tensor>{v.value()};
                                        },
                                        {{{2}, DType::float32}}),
                   std::invalid_argument, "ExportArchive: endpoint 'step': the function changes state (assign_variable)");
  CHECK_THROWS_MSG(archive.add_endpoint("branch",
                                        [&](const std::vector<Tensor>& in) {
                                          return std::vector<Tensor>{ops::cond(
                                              ops::greater(ops::sum(in[0]), ops::scalar_like(in[0], 0.0)),
                                              [&] { return ops::multiply(in[0], v.value()); }, [&] { return in[0]; })};
                                        },
                                        {{{2}, DType::float32}}),
                   std::invalid_argument, "reads variable 'scale' inside a cond or while_loop body");
  CHECK_THROWS_MSG(archive.add_variable_collection("serve", {core::Variable()}), std::invalid_argument,
                   "variable collection 'serve': variable 0 is undefined");
  CHECK_THROWS_MSG(archive.track({core::Variable()}), std::invalid_argument, "variable 0 is undefined");
  auto unshaped = keras::Sequential({layers::Dense(2)});
  CHECK_THROWS_MSG(archive.track_and_add_endpoint("dense", unshaped), std::invalid_argument,
                   "does not know its input shapes; give input_signature");
  CHECK(archive.endpoint_names() == std::vector<std::string>{"serve"});

  // The variable's value at write time is what the archive holds.
  v.assign(core::constant({3.0f, 4.0f}));
  const std::string path = dir.file("scale.karchive");
  archive.write_out(path);
  keras::LoadedArchive a = keras::load_archive(path);
  check_values(a.call("serve", {core::constant({{1.0f, 1.0f}})})[0], std::vector<float>{3, 4});
  CHECK(a.variable("scale").trainable());
}

TEST_CASE("load_archive: damaged, truncated and foreign files are rejected; graph files load as 'serve'") {
  TempDir dir;
  Net n = net();
  const std::string good = write_archive(n, dir.file("net.karchive"));
  CHECK_THROWS_MSG(core::load_archive_bytes("not an archive"), std::invalid_argument, "not a keras-cpp archive (bad magic number)");
  for (size_t len = 0; len < good.size(); len += 11)
    CHECK_THROWS_AS(core::load_archive_bytes(good.substr(0, len)), std::invalid_argument);
  for (size_t i = 0; i < good.size(); i += 5) {  // a flipped byte: the checksum or a check catches it
    std::string bad = good;
    bad[i] = char(bad[i] ^ 0x5a);
    CHECK_THROWS_AS(core::load_archive_bytes(bad), std::invalid_argument);
  }
  // A graph file (export_graph) is an archive with one endpoint and no variables.
  const std::string kgraph = dir.file("net.kgraph");
  n.model->export_graph(kgraph);
  keras::LoadedArchive g = keras::load_archive(kgraph);
  CHECK(g.endpoint_names() == std::vector<std::string>{"serve"});
  CHECK(g.variables().empty());
  check_close(g.call("serve", {ramp(3, 6)})[0], n.model->predict(ramp(3, 6)));

  // The fuzzing seeds load and run.
  for (const auto& e : std::filesystem::directory_iterator(std::string(KERAS_TEST_DATA_DIR) + "/../fuzz/corpus/archive_file")) {
    CAPTURE(e.path().string());
    keras::LoadedArchive s = keras::load_archive(e.path().string());
    for (const std::string& name : s.endpoint_names()) {
      std::vector<Tensor> in;
      for (const auto& spec : s.signature(name)) {
        std::vector<int64_t> d = spec.shape;
        for (int64_t& x : d) x = x < 0 ? 3 : x;
        in.push_back(ops::ones(Shape(d), spec.dtype));
      }
      CHECK(!s.call(name, in).empty());
    }
  }
  // Writes the seeds when asked (tests/fuzz/corpus/archive_file holds this run's files).
  if (const char* out = std::getenv("KERAS_CPP_ARCHIVE_SEEDS_OUT")) {
    std::ofstream(std::string(out) + "/net.karchive", std::ios::binary) << good;
    keras::ExportArchive small;
    core::Variable s(core::constant({0.5f}), "s");
    small.add_endpoint("serve", [&](const std::vector<Tensor>& in) { return std::vector<Tensor>{ops::multiply(in[0], s.value())}; },
                       {{{-1}, DType::float32}});
    small.write_out(std::string(out) + "/small.karchive");
  }
}

TEST_CASE("ExportArchive: a program linked only with the engine runs an archive's endpoint") {
  TempDir dir;
  Net n = net();
  const std::string path = dir.file("net.karchive");
  write_archive(n, path);
  const std::string out = keras_tests::run_exported(path, "3 features");
  std::vector<double> v(18);
  for (size_t i = 0; i < v.size(); ++i) v[i] = 0.01 * double(i % 100);
  const double expected =
      ops::sum(ops::cast(n.encoder->predict(make(v, Shape{3, 6})), DType::float64)).item<double>();
  const size_t at = out.find("sum=");
  REQUIRE_MESSAGE(at != std::string::npos, out);
  CHECK(std::stod(out.substr(at + 4)) == doctest::Approx(expected).epsilon(1e-6));
  CHECK(out.find("shape=(3, 8)") != std::string::npos);
}
