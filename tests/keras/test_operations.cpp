// test_operations.cpp - keras.ops calls on KerasTensors as nodes of functional graphs:
// built in C++ (operators and keras::ops overloads), their names, shapes and dtypes, both
// file formats, and Keras 3's own .keras files holding them
// (tests/data/operations/make_fixtures.py writes those and Keras's outputs).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "error_of.h"
#include "files.h"
#include "helpers.h"
#include "keras/keras.h"
#include "keras/layers/operation_table.h"
#include "layer_harness.h"
#include "npz_fixtures.h"

using namespace th;
namespace ops = keras::core::ops;
using keras::DType;
using keras::KerasTensor;
using keras::layers::ShapeSpec;

namespace {

std::vector<std::string> names(const std::vector<keras::LayerPtr>& ls) {
  std::vector<std::string> out;
  for (const auto& l : ls) out.push_back(l->name());
  return out;
}

void check_close(const Tensor& got, const Tensor& want, double tol, const std::string& what) {
  INFO(what);
  REQUIRE(got.shape() == want.shape());
  const auto g = values(ops::cast(got, DType::float64));
  const auto w = values(ops::cast(want, DType::float64));
  for (size_t i = 0; i < g.size(); ++i) REQUIRE(g[i] == doctest::Approx(w[i]).epsilon(tol).scale(1.0));
}

}  // namespace

TEST_CASE("keras.ops on KerasTensors record operation nodes named as Keras names them") {
  keras::layers::reset_uids();
  KerasTensor x = keras::Input({4});
  KerasTensor h = keras::layers::Dense(3)(x);
  KerasTensor s = ops::relu(h + 3.0) * (1.0 / 6.0);
  KerasTensor y = ops::concatenate({s, h}, -1);
  auto m = keras::Functional({x}, {y});
  CHECK(names(m->layers()) == std::vector<std::string>{"input_layer", "dense"});
  CHECK(names(m->operations()) == std::vector<std::string>{"input_layer", "dense", "add", "relu", "multiply", "concatenate"});
  CHECK(y.shape() == ShapeSpec{-1, 6});
  auto* add = dynamic_cast<keras::layers::OperationLayer*>(m->operations()[2].get());
  REQUIRE(add != nullptr);
  CHECK(add->keras_class() == "Add");
  CHECK(add->keras_module() == "keras.src.ops.numpy");

  // The summary lists the operations by their Keras class, as Keras's.
  const std::string summary = m->summary_string();
  CHECK(summary.find("add (Add)") != std::string::npos);
  CHECK(summary.find("relu (Relu)") != std::string::npos);
  CHECK(summary.find("concatenate (Concatenate)") != std::string::npos);

  const Tensor in = make(uniform(8), {2, 4});
  const Tensor hv = m->get_layer("dense")->operator()(in);
  const Tensor want = ops::concatenate({ops::relu(hv + 3.0) * (1.0 / 6.0), hv}, -1);
  check_close(m->predict(in), want, 1e-6, "values");
}

TEST_CASE("operation nodes: shapes with an unknown batch, and dtypes as Keras gives them") {
  KerasTensor x = keras::Input({4});
  KerasTensor i = keras::Input({4}, {.dtype = DType::int32});
  CHECK(ops::reshape(x, {-1, 2, 2}).shape() == ShapeSpec{-1, 2, 2});
  CHECK(ops::mean(x, {0}).shape() == ShapeSpec{4});  // the batch axis reduced away
  CHECK(ops::sum(x).shape() == ShapeSpec{});
  CHECK(ops::transpose(x).shape() == ShapeSpec{4, -1});
  CHECK((i + 2.0).dtype() == DType::float32);  // a Python float with int32 gives float32
  CHECK(ops::add(i, 2).dtype() == DType::int32);
  CHECK((i / 2.0).dtype() == DType::float32);
  CHECK((x > 0.0).dtype() == DType::bool_);
  CHECK(ops::argmax(x, 1).dtype() == DType::int32);
  CHECK(ops::cast(x, DType::int32).dtype() == DType::int32);
  auto tk = keras::layers::operation("TopK", {x}, keras::Config::from_json(R"({"k": 2})"));
  REQUIRE(tk.size() == 2);
  CHECK(tk[0].dtype() == DType::float32);
  CHECK(tk[1].dtype() == DType::int32);
  CHECK(tk[1].shape() == ShapeSpec{-1, 2});
  CHECK(ops::get_item(x, {ops::Slice(), 0}).shape() == ShapeSpec{-1});
  CHECK(ops::get_item(x, {ops::Ellipsis, ops::NewAxis, ops::Slice(1, 3)}).shape() == ShapeSpec{-1, 1, 2});
}

TEST_CASE("operation nodes: bad calls raise naming the op and what it takes") {
  KerasTensor x = keras::Input({4});
  CHECK(error_of([&] { keras::layers::operation("Frobnicate", {x}); }).find("no Keras operation 'Frobnicate'") !=
        std::string::npos);
  CHECK(error_of([&] { keras::layers::operation("Mean", {x}, keras::Config::from_json(R"({"axes": 1})")); })
            .find("unknown argument 'axes' (it takes axis, keepdims)") != std::string::npos);
  CHECK(error_of([&] { keras::layers::operation("Add", {1.0, 2.0}); }).find("at least one KerasTensor") !=
        std::string::npos);
  CHECK(error_of([&] { (void)ops::reshape(x, {3, 5}); }).find("reshape") != std::string::npos);
  CHECK(!keras::layers::is_operation("Conv2D"));
  CHECK(keras::layers::is_operation("TrueDivide"));
}

TEST_CASE("a model of layers and operations saves and loads in both formats, and trains traced") {
  KerasTensor x = keras::Input({6});
  KerasTensor h = keras::layers::Dense(8, {.activation = "tanh"})(x);
  KerasTensor g = ops::hard_sigmoid(h) * h + ops::mean(h, {-1}, true);
  KerasTensor y = keras::layers::Dense(2)(ops::get_item(g, {ops::Slice(), ops::Slice(0, 6)}));
  auto m = keras::Functional({x}, {y, ops::softmax(y)});
  const Tensor in = make(uniform(30), {5, 6});
  const auto want = m->predict(std::vector<Tensor>{in});
  TempDir dir;
  for (const char* file : {"m.kcpp", "m.keras"}) {
    const std::string path = dir.file(file);
    m->save(path);
    auto back = keras::models::load_model(path);
    const auto got = back->predict(std::vector<Tensor>{in});
    REQUIRE(got.size() == 2);
    for (size_t k = 0; k < 2; ++k) check_close(got[k], want[k], 1e-6, std::string(file) + " output " + std::to_string(k));
    CHECK(back->layers().size() == 3);
  }
  auto single = keras::Functional({x}, {y});
  single->compile({.optimizer = "adam", .loss = "mse"});
  const Tensor target = make(uniform(10), {5, 2});
  const auto before = single->evaluate(in, target, {.verbose = 0});
  single->fit(in, target, {.epochs = 20, .verbose = 0});
  CHECK(single->traced_steps());
  const auto after = single->evaluate(in, target, {.verbose = 0});
  CHECK(after.at("loss") < before.at("loss"));
}

TEST_CASE("Keras 3 .keras files whose graphs hold keras.ops calls load and match Keras") {
  const std::string dir = std::string(KERAS_TEST_DATA_DIR) + "/operations/";
  const Tensor& x = npz_array("operations/ops.npz", "x");
  const Tensor& i = npz_array("operations/ops.npz", "i");
  auto mix = keras::models::load_model(dir + "ops_mix.keras");
  const auto outs = mix->predict(std::vector<Tensor>{x, i});
  size_t checked = 0;
  for (size_t k = 0; k < outs.size(); ++k) {
    const Tensor& want = npz_array("operations/ops.npz", "ops_mix/" + std::to_string(k));
    CHECK_MESSAGE(outs[k].dtype() == want.dtype(), "output " << k << ": " << keras::core::dtype_name(outs[k].dtype())
                                                            << " vs " << keras::core::dtype_name(want.dtype()));
    check_close(outs[k], want, 2e-5, "ops_mix output " + std::to_string(k));
    ++checked;
  }
  CHECK(checked == 97);
  auto block = keras::models::load_model(dir + "ops_block.keras");
  // Keras's model.layers (its names: one counter for layers and operations).
  CHECK(names(block->layers()) ==
        std::vector<std::string>{"image", "conv", "re_lu", "multiply_5", "global_average_pooling2d", "dense", "head"});
  const Tensor& image = npz_array("operations/ops.npz", "image");
  const auto b = block->predict(std::vector<Tensor>{image});
  for (size_t k = 0; k < 2; ++k)
    check_close(b[k], npz_array("operations/ops.npz", "ops_block/" + std::to_string(k)), 2e-5,
                "ops_block output " + std::to_string(k));
  // Written again as a .keras file, read again: the same outputs.
  TempDir tmp;
  block->save(tmp.file("again.keras"));
  const auto again = keras::models::load_model(tmp.file("again.keras"))->predict(std::vector<Tensor>{image});
  for (size_t k = 0; k < 2; ++k) CHECK(same_bits({again[k]}, {b[k]}));
}

TEST_CASE("operation nodes: the layer harness" * doctest::test_suite("layer_harness")) {
  using keras::layers::OperationLayer;
  using keras::layers::detail::tensor_marker;
  run_layer_test({"operation Multiply by a constant", [] {
                    return keras::layers::make<OperationLayer>("Multiply", keras::Config::object(),
                                                               keras::Value::list({tensor_marker(0), 2.5}),
                                                               keras::Config::object());
                  },
                  {Shape{3, 5}}, {}, {3, 5}});
  run_layer_test({"operation Mean", [] {
                    return keras::layers::make<OperationLayer>("Mean", keras::Config::from_json(R"({"axis": -1, "keepdims": true})"),
                                                               keras::Value::list({tensor_marker(0)}),
                                                               keras::Config::object());
                  },
                  {Shape{3, 4, 5}}, {}, {3, 4, 1}});
}
