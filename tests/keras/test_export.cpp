// test_export.cpp - export_graph / Model::export_graph and load_function: outputs equal
// the model's for any batch size, control flow survives, state changes and host calls
// are refused, and damaged files are rejected cleanly.
#include <cmath>
#include <cstdio>
#include <string>

#include "export_dir.h"
#include "test_data_dir.h"
#include "files.h"
#include "helpers.h"
#include "keras/keras.h"

using namespace th;
namespace layers = keras::layers;

namespace {
// A user layer that is registered nowhere: the exported graph must not need it.
class Swish2 : public layers::Layer {
 public:
  Swish2() : Layer("Swish2") {}
  void build(const layers::ShapeSpec& s) override {
    beta = add_weight("beta", Shape{s.back()}, {.initializer = keras::initializers::get("ones")});
  }
  Tensor call(const Tensor& x, bool) override { return ops::multiply(x, ops::sigmoid(ops::multiply(x, beta.value()))); }
  core::Variable beta;
};

keras::Ref<keras::FunctionalModel> model_with_custom_layer() {
  ops::set_random_seed(9);
  auto in = keras::Input({6});
  auto h = layers::Dense(8, {.activation = "relu"})(in);
  h = (*keras::make<Swish2>())(h);
  h = layers::Flatten()(layers::Reshape({4, 2})(h));
  auto out = layers::Dense(3, {.activation = "softmax"})(h);
  return keras::Functional({in}, {out});
}

Tensor ramp(int64_t batch, int64_t width) {
  std::vector<double> v(static_cast<size_t>(batch * width));
  for (size_t i = 0; i < v.size(); ++i) v[i] = 0.01 * double(i % 100);
  return make(v, Shape{batch, width});
}

std::string run_program(const std::string& file, int batch) { return keras_tests::run_exported(file, std::to_string(batch)); }
}  // namespace

TEST_CASE("export: a model with a user-defined layer runs from its graph file, at any batch size") {
  th::TempDir dir;
  auto model = model_with_custom_layer();
  const std::string path = dir.file("model.kgraph");
  model->export_graph(path);
  keras::LoadedFunction f = keras::load_function(path);
  REQUIRE(f.signature().size() == 1);
  CHECK(f.signature()[0].shape == std::vector<int64_t>{-1, 6});
  for (int64_t batch : {1, 5, 17}) {
    const Tensor x = ramp(batch, 6);
    CHECK(values(f({x})[0]) == values(model->predict(x, {.batch_size = 64})));  // the same bits
  }
  CHECK(f.graph_str().find("matmul(") != std::string::npos);
  CHECK_THROWS_MSG(f({ramp(2, 5)}), std::invalid_argument,
                   "loaded function: expected input 0 to be float32 (None, 6), but received float32 (2, 5)");

  // A separate program that links only the engine loads it and gets the same outputs.
  const std::string out = run_program(path, 3);
  const double expected = ops::sum(ops::cast(model->predict(ramp(3, 6)), DType::float64)).item<double>();
  char want[64];
  std::snprintf(want, sizeof want, "sum=%.17g", expected);
  CHECK_MESSAGE(out.find(want) != std::string::npos, out);
  CHECK(out.find("shape=(3, 3)") != std::string::npos);
}

TEST_CASE("export: functions with control flow; what cannot be exported raises, naming it") {
  th::TempDir dir;
  const std::string path = dir.file("f.kgraph");
  keras::export_function(
      [](const std::vector<Tensor>& in) {
        return std::vector<Tensor>{ops::cond(ops::greater(ops::sum(in[0]), ops::scalar_like(in[0], 0.0)),
                                             [&] { return ops::tanh(ops::add(in[0], in[0])); },  // fused, then unfused
                                             [&] { return ops::neg(in[0]); })};
      },
      {{{-1, 2}, DType::float32}}, path);
  keras::LoadedFunction f = keras::load_function(path);
  check_values(f({core::constant({{1.0f, 2.0f}})})[0], std::vector<float>{std::tanh(2.0f), std::tanh(4.0f)});
  check_values(f({core::constant({{-1.0f, -2.0f}, {0.0f, 0.5f}})})[0], std::vector<float>{1, 2, 0, -0.5f});

  core::Variable v(core::constant(1.0f), "v");
  CHECK_THROWS_MSG(keras::export_function(
                       [&](const std::vector<Tensor>& in) {
                         v.assign_add(ops::sum(in[0]));
                         return std::vector<Tensor>{v.value()};
                       },
                       {{{2}, DType::float32}}, path),
                   std::invalid_argument, "export: the function changes state (assign_variable)");
  CHECK_THROWS_MSG(keras::export_function(
                       [](const std::vector<Tensor>& in) {
                         return ops::host_function([](const std::vector<Tensor>& x) { return x; }, in, {{{2}, DType::float32}});
                       },
                       {{{2}, DType::float32}}, path),
                   std::invalid_argument, "export: the function calls host_function");
  CHECK_THROWS_MSG(keras::export_function(
                       [](const std::vector<Tensor>& in) {
                         return std::vector<Tensor>{ops::reshape(in[0], {in[0].shape()[0] * 2, 1})};
                       },
                       {{{-1, 2}, DType::float32}}, path),
                   std::invalid_argument, "export: the graph depends on the size of the -1 dimensions");
}

TEST_CASE("load_function: damaged, truncated and foreign files are rejected with a clear error") {
  th::TempDir dir;
  auto model = model_with_custom_layer();
  const std::string path = dir.file("m.kgraph");
  model->export_graph(path);
  const std::string good = th::read_bytes(path);
  CHECK_THROWS_MSG(core::load_function_bytes("not a graph"), std::invalid_argument, "bad magic number");
  CHECK_THROWS_MSG(core::load_function(dir.file("missing.kgraph")), std::invalid_argument, "cannot open");
  int rejected = 0;
  for (size_t len = 0; len < good.size(); len += 7) {  // every truncation (in steps)
    CHECK_THROWS_AS(core::load_function_bytes(good.substr(0, len)), std::invalid_argument);
    ++rejected;
  }
  for (size_t i = 0; i < good.size(); i += 3) {  // a flipped byte: the checksum or a check catches it
    std::string bad = good;
    bad[i] = char(bad[i] ^ 0x5a);
    CHECK_THROWS_AS(core::load_function_bytes(bad), std::invalid_argument);
  }
  MESSAGE(rejected << " truncations rejected, file of " << good.size() << " bytes");
  // Found by fuzzing: a well-formed file whose ops disagree with its recorded shapes (it
  // would have allocated 20 TB when run) is refused when loaded.
  CHECK_THROWS_MSG(core::load_function(std::string(KERAS_TEST_DATA_DIR) + "/graph_files/huge_sum.kgraph"),
                   std::invalid_argument, "corrupt graph file: node sum makes float32 (1, 1) where the file says float32 ()");
  // And one whose constant's element count overflows when multiplied by its dtype's size.
  CHECK_THROWS_MSG(core::load_function(std::string(KERAS_TEST_DATA_DIR) + "/graph_files/huge_constant.kgraph"),
                   std::invalid_argument, "corrupt graph file: a constant exceeds the file");
  // And one whose subgraph input index is negative as a signed number.
  CHECK_THROWS_MSG(core::load_function(std::string(KERAS_TEST_DATA_DIR) + "/graph_files/negative_input_index.kgraph"),
                   std::invalid_argument, "corrupt graph file: input index out of range");
  // And one with a comparison given one input (every op's number of inputs is checked).
  CHECK_THROWS_MSG(core::load_function(std::string(KERAS_TEST_DATA_DIR) + "/graph_files/wrong_arity.kgraph"),
                   std::invalid_argument, "corrupt graph file: node greater: greater: expected 2 inputs, but received 1");
}

TEST_CASE("load_function: the fuzzing seeds are valid graph files") {
  for (const char* name : {"mlp.kgraph", "cond.kgraph"}) {
    CAPTURE(name);
    keras::LoadedFunction f = keras::load_function(std::string(KERAS_TEST_DATA_DIR) + "/../fuzz/corpus/function_file/" + name);
    std::vector<Tensor> in;
    for (const auto& s : f.signature()) {
      std::vector<int64_t> d = s.shape;
      for (int64_t& x : d) x = x < 0 ? 3 : x;
      in.push_back(ops::ones(Shape(d), s.dtype));
    }
    CHECK(!f(in).empty());
  }
}
