// test_onnx_export.cpp - export(format = "onnx"): the file's structure read back with an
// independent protobuf reader (tests/onnx/proto_reader.h): opset, inputs and outputs with
// the symbolic batch axis, nodes in topological order, weights stored exactly (in ONNX's
// layout for kernels, recurrent weights in ONNX's gate order); the typed errors for what
// ONNX export cannot write, with nothing left on disk. onnxruntime's numbers: tests/onnx/check_onnx.py.
#include <algorithm>
#include <cstring>
#include <map>
#include <set>
#include <string>

#include "error_of.h"
#include "files.h"
#include "helpers.h"
#include "keras/keras.h"
#include "onnx/onnx_cases.h"
#include "onnx/proto_reader.h"

using namespace th;
namespace layers = keras::layers;

namespace {
int64_t elem_size(int64_t onnx_type) {
  switch (onnx_type) {
    case 1: case 6: return 4;
    case 2: case 3: case 9: return 1;  // uint8, int8 (quantized weights), bool
    case 7: case 11: return 8;
  }
  FAIL("unexpected element type " << onnx_type);
  return 0;
}

// Every node input is a graph input, an initializer or an earlier node's output (or ""
// for an omitted optional input); every value is made once; every graph output is made;
// initializers hold prod(dims) elements.
void check_well_formed(const pr::Graph& g) {
  std::set<std::string> defined;
  auto define = [&](const std::string& n) {
    CHECK_MESSAGE(!n.empty(), "an empty value name");
    CHECK_MESSAGE(defined.insert(n).second, "value '" << n << "' is defined twice");
  };
  for (const pr::ValueInfo& v : g.inputs) define(v.name);
  for (const pr::TensorP& t : g.inits) {
    define(t.name);
    int64_t n = 1;
    for (int64_t d : t.dims) n *= d;
    CHECK_MESSAGE(int64_t(t.raw.size()) == n * elem_size(t.type), "initializer " << t.name);
  }
  std::set<std::string> node_names;
  for (const pr::Node& n : g.nodes) {
    CHECK_MESSAGE(node_names.insert(n.name).second, "node name '" << n.name << "' is used twice");
    for (const std::string& in : n.inputs)
      CHECK_MESSAGE((in.empty() || defined.count(in)), n.name << " reads '" << in << "' before it is defined");
    for (const std::string& out : n.outputs) define(out);
  }
  for (const pr::ValueInfo& v : g.outputs) CHECK_MESSAGE(defined.count(v.name), "output " << v.name << " is not made");
}

std::vector<float> floats_of(const std::string& raw) {
  std::vector<float> v(raw.size() / 4);
  std::memcpy(v.data(), raw.data(), v.size() * 4);
  return v;
}

const pr::Node& first(const pr::Graph& g, const std::string& op) {
  for (const pr::Node& n : g.nodes)
    if (n.op == op) return n;
  FAIL("no " << op << " node");
  return g.nodes.at(0);
}
}  // namespace

TEST_CASE("onnx export: a Sequential MLP's file holds the graph, the exact weights and a dynamic batch") {
  layers::reset_uids();
  auto m = keras::Sequential({layers::Dense(16, {.activation = "relu", .input_shape = {8}}), layers::Dropout(0.5),
                              layers::Dense(4, {.activation = "softmax"})});
  const pr::Model p = pr::model(keras::saving::export_onnx(*m));
  CHECK(p.ir_version == 8);
  CHECK(p.producer == "keras-cpp");
  REQUIRE(p.opsets.size() == 1);
  CHECK(p.opsets[0] == std::pair<std::string, int64_t>{"", 17});
  const pr::Graph& g = p.graph;
  check_well_formed(g);
  CHECK(g.ops() == std::vector<std::string>{"MatMul", "Add", "Relu", "Identity", "MatMul", "Add", "Softmax", "Identity"});
  REQUIRE(g.inputs.size() == 1);
  CHECK(g.inputs[0].name == "input_layer");  // the Sequential's InputLayer
  CHECK(g.inputs[0].elem == 1);
  REQUIRE(g.inputs[0].dims.size() == 2);
  CHECK(g.inputs[0].dims[0].param == "batch");
  CHECK(g.inputs[0].dims[1].value == 8);
  REQUIRE(g.outputs.size() == 1);
  CHECK(g.outputs[0].name == "dense_1");
  CHECK(g.outputs[0].dims[0].param == "batch");
  CHECK(g.outputs[0].dims[1].value == 4);
  CHECK(first(g, "Softmax").attr("axis")->i == -1);
  // The first MatMul reads the input and the kernel, stored bit for bit.
  const pr::Node& mm = first(g, "MatMul");
  CHECK(mm.inputs[0] == "input_layer");
  const pr::TensorP* kernel = g.init(mm.inputs[1]);
  REQUIRE(kernel != nullptr);
  CHECK(kernel->dims == std::vector<int64_t>{8, 16});
  CHECK(floats_of(kernel->raw) == m->layers()[0]->get_weights()[0].to_vector<float>());
}

TEST_CASE("onnx export: every case model is a well-formed graph with its inputs' names, dtypes and outputs") {
  for (const onnx_cases::Case& c : onnx_cases::all_cases()) {
    CAPTURE(c.name);
    const pr::Graph g = pr::model(keras::saving::export_onnx(*c.model)).graph;
    check_well_formed(g);
    REQUIRE(g.inputs.size() == c.inputs.size());
    for (size_t i = 0; i < c.inputs.size(); ++i) {
      const int64_t want = c.inputs[i].dtype() == DType::int32 ? 6 : c.inputs[i].dtype() == DType::uint8 ? 2 : 1;
      CHECK(g.inputs[i].elem == want);
      REQUIRE(int64_t(g.inputs[i].dims.size()) == c.inputs[i].rank());
      CHECK(g.inputs[i].dims[0].param == "batch");
      for (size_t d = 1; d < g.inputs[i].dims.size(); ++d) {  // a size, or unknown (no value, no name)
        const pr::Dim& dim = g.inputs[i].dims[d];
        CHECK(((dim.value == c.inputs[i].shape()[int64_t(d)]) || (dim.value == -1 && dim.param.empty())));
      }
    }
    const std::vector<Tensor> out = onnx_cases::predictions(c);
    REQUIRE(g.outputs.size() == out.size());
    for (size_t i = 0; i < out.size(); ++i) {
      REQUIRE(int64_t(g.outputs[i].dims.size()) == out[i].rank());
      for (size_t d = 1; d < g.outputs[i].dims.size(); ++d) {
        const pr::Dim& dim = g.outputs[i].dims[d];
        CHECK(((dim.value == out[i].shape()[int64_t(d)]) || (dim.value == -1 && dim.param.empty())));
      }
    }
  }
}

TEST_CASE("onnx export: Functional inputs and outputs are named after their layers; kernels are in ONNX's layout") {
  layers::reset_uids();
  auto img = keras::Input({5, 5, 2}, {.name = "img"});
  auto meta = keras::Input({3}, {.name = "meta"});
  auto conv = layers::Conv2D(4, {3, 2}, {.strides = {2, 1}, .padding = "same", .name = "conv"});
  auto head = layers::Dense(2, {.name = "head"});
  auto y = head(layers::Concatenate(-1, {.name = "cat"})({layers::Flatten()(conv(img)), meta}));
  auto m = keras::Functional({img, meta}, {keras::KerasTensor(y), meta});
  const pr::Graph g = pr::model(keras::saving::export_onnx(*m)).graph;
  check_well_formed(g);
  REQUIRE(g.inputs.size() == 2);
  CHECK(g.inputs[0].name == "img");
  CHECK(g.inputs[1].name == "meta");
  REQUIRE(g.outputs.size() == 2);
  CHECK(g.outputs[0].name == "head");
  CHECK(g.outputs[1].name == "meta_1");  // an input returned as an output: renamed, never shadowed
  // NHWC -> NCHW, Conv, back; TensorFlow's "same" padding as explicit pads (odd pixel last).
  const pr::Node& c = first(g, "Conv");
  CHECK(c.attr("strides")->ints == std::vector<int64_t>{2, 1});
  CHECK(c.attr("kernel_shape")->ints == std::vector<int64_t>{3, 2});
  CHECK(c.attr("pads")->ints == std::vector<int64_t>{1, 0, 1, 1});
  CHECK(c.attr("group")->i == 1);
  CHECK(first(g, "Transpose").attr("perm")->ints == std::vector<int64_t>{0, 3, 1, 2});
  const pr::TensorP* w = g.init(c.inputs[1]);
  REQUIRE(w != nullptr);
  CHECK(w->dims == std::vector<int64_t>{4, 2, 3, 2});  // (out, in, kh, kw) from Keras's (kh, kw, in, out)
  const std::vector<float> k = conv->get_weights()[0].to_vector<float>(), o = floats_of(w->raw);
  for (int64_t co = 0; co < 4; ++co)
    for (int64_t ci = 0; ci < 2; ++ci)
      for (int64_t kh = 0; kh < 3; ++kh)
        for (int64_t kw = 0; kw < 2; ++kw)
          CHECK(o[size_t(((co * 2 + ci) * 3 + kh) * 2 + kw)] == k[size_t(((kh * 2 + kw) * 2 + ci) * 4 + co)]);
}

TEST_CASE("onnx export: LSTM, GRU and SimpleRNN are ONNX's recurrent ops with Keras's weights in their layouts") {
  layers::reset_uids();
  auto x = keras::Input({6, 3}, {.name = "x"});
  auto lstm = layers::LSTM(4, {.return_sequences = true, .name = "lstm"});
  auto gru = layers::GRU(2, {.reset_after = false, .go_backwards = true, .name = "gru"});
  auto rnn = layers::SimpleRNN(5, {.activation = "relu", .name = "rnn"});
  auto m = keras::Functional({x}, {lstm(x), gru(x), rnn(x)});
  const pr::Graph g = pr::model(keras::saving::export_onnx(*m)).graph;
  check_well_formed(g);
  // LSTM: W (1, 4u, input) with Keras's gates i, f, c, o as ONNX's i, o, f, c; B = [bias, 0].
  const pr::Node& l = first(g, "LSTM");
  CHECK(l.attr("hidden_size")->i == 4);
  CHECK(l.attr("direction")->s == "forward");
  CHECK(l.attr("activations")->strings == std::vector<std::string>{"Sigmoid", "Tanh", "Tanh"});
  const pr::TensorP* w = g.init(l.inputs.at(1));
  REQUIRE(w != nullptr);
  CHECK(w->dims == std::vector<int64_t>{1, 16, 3});
  const std::vector<float> k = lstm->get_weights()[0].to_vector<float>(), wo = floats_of(w->raw);
  const int keras_gate[4] = {0, 3, 1, 2};  // ONNX gate -> Keras gate
  for (int gate = 0; gate < 4; ++gate)
    for (int64_t u = 0; u < 4; ++u)
      for (int64_t i = 0; i < 3; ++i)
        CHECK(wo[size_t((gate * 4 + u) * 3 + i)] == k[size_t(i * 16 + keras_gate[gate] * 4 + u)]);
  const pr::TensorP* b = g.init(l.inputs.at(3));
  REQUIRE(b != nullptr);
  CHECK(b->dims == std::vector<int64_t>{1, 32});
  const std::vector<float> kb = lstm->get_weights()[2].to_vector<float>(), bo = floats_of(b->raw);
  for (int gate = 0; gate < 4; ++gate)
    for (int64_t u = 0; u < 4; ++u) CHECK(bo[size_t(gate * 4 + u)] == kb[size_t(keras_gate[gate] * 4 + u)]);
  for (size_t i = 16; i < 32; ++i) CHECK(bo[i] == 0.0f);
  // GRU without reset_after: linear_before_reset 0, read backwards; SimpleRNN: ONNX's RNN.
  const pr::Node& gr = first(g, "GRU");
  CHECK(gr.attr("linear_before_reset")->i == 0);
  CHECK(gr.attr("direction")->s == "reverse");
  CHECK(gr.attr("activations")->strings == std::vector<std::string>{"Sigmoid", "Tanh"});
  CHECK(g.init(gr.inputs.at(1))->dims == std::vector<int64_t>{1, 6, 3});
  const pr::Node& r = first(g, "RNN");
  CHECK(r.attr("activations")->strings == std::vector<std::string>{"Relu"});
  CHECK(g.init(r.inputs.at(2))->dims == std::vector<int64_t>{1, 5, 5});
}

TEST_CASE("onnx export: stateful recurrent layers and activations ONNX's recurrent ops lack raise") {
  auto x = keras::Input({4, 3});
  auto raises = [&](const keras::LayerPtr& l, const std::string& what) {
    auto m = keras::Functional({x}, {(*l)(x)});
    const std::string e = th::error_of([&] { keras::saving::export_onnx(*m); });
    CHECK_MESSAGE(e.find(what) != std::string::npos, e);
  };
  raises(layers::LSTM(2, {.recurrent_activation = "hard_sigmoid", .name = "hs"}),
         "layer 'hs' (LSTM): recurrent_activation 'hard_sigmoid' has no ONNX recurrent activation");
  raises(layers::GRU(2, {.activation = "gelu"}), "activation 'gelu' has no ONNX recurrent activation");
  auto stateful = keras::Input({4, 3}, {.batch_size = 2});
  auto m = keras::Functional({stateful}, {layers::SimpleRNN(2, {.stateful = true, .name = "s"})(stateful)});
  CHECK(th::error_of([&] { keras::saving::export_onnx(*m); }).find("layer 's' (SimpleRNN): a stateful layer") !=
        std::string::npos);
}

TEST_CASE("onnx export: export_graph(format = \"onnx\") writes the bytes; an unknown format raises") {
  TempDir dir;
  auto m = keras::Sequential({layers::Dense(3, {.input_shape = {2}})});
  m->export_graph(dir.file("m.onnx"), {.format = "onnx"});
  CHECK(read_bytes(dir.file("m.onnx")) == keras::saving::export_onnx(*m));
  CHECK(dir.entries() == std::vector<std::string>{"m.onnx"});
  const std::string msg = error_of([&] { m->export_graph(dir.file("m.tf"), {.format = "tf_saved_model"}); });
  CHECK(msg.find("unknown format 'tf_saved_model'; expected 'kgraph' (keras-cpp's graph file, the default), 'archive' or 'onnx'") !=
        std::string::npos);
  CHECK(dir.entries() == std::vector<std::string>{"m.onnx"});
}

TEST_CASE("onnx export: a layer with no ONNX mapping raises OnnxExportError naming it; the old file stays") {
  TempDir dir;
  write_bytes(dir.file("m.onnx"), "old");
  auto x = keras::Input({4, 3});
  auto m = keras::Functional({x}, {layers::Dense(2)(layers::RNN(layers::LSTMCell(5), {.name = "encoder"})(x))});
  try {
    m->export_graph(dir.file("m.onnx"), {.format = "onnx"});
    FAIL("no exception");
  } catch (const keras::saving::OnnxExportError& e) {
    CHECK(e.layer_class() == "RNN");
    CHECK(e.layer_name() == "encoder");
    CHECK(std::string(e.what()).find("export(format='onnx'): layer 'encoder' (RNN): no ONNX mapping for this layer "
                                     "class; the layers that export are: Activation, ActivityRegularization, Add,") == 0);
  }
  CHECK(read_bytes(dir.file("m.onnx")) == "old");
  CHECK(dir.entries() == std::vector<std::string>{"m.onnx"});
}

namespace {
class MyDense : public layers::DenseLayer {  // a subclass keeps the class name "Dense"
 public:
  MyDense() : DenseLayer(3) {}
  Tensor call(const Tensor& x, bool training) override { return ops::multiply(DenseLayer::call(x, training), 2.0); }
};
class Twice : public keras::Model {
 public:
  Twice() : Model({.name = "twice"}, "Twice") {}
  Tensor call(const Tensor& x, bool) override { return ops::multiply(x, 2.0); }
};
}  // namespace

TEST_CASE("onnx export: subclasses, custom activations, masks and subclassed models raise OnnxExportError") {
  auto export_error = [](const keras::Model& m) -> std::pair<std::string, std::string> {
    try {
      keras::saving::export_onnx(m);
    } catch (const keras::saving::OnnxExportError& e) {
      return {e.layer_class() + " " + e.layer_name(), e.what()};
    }
    return {"(no exception)", ""};
  };
  auto x = keras::Input({4});
  auto mine = keras::make<MyDense>();
  auto r1 = export_error(*keras::Functional({x}, {mine(x)}));
  CHECK(r1.first == "Dense " + mine->name());
  auto custom = layers::Dense(2, {.activation = [](const Tensor& t) { return t * 3.0; }, .name = "odd"});
  auto r2 = export_error(*keras::Functional({x}, {custom(x)}));
  CHECK(r2.first == "Dense odd");
  CHECK(r2.second == "export(format='onnx'): layer 'odd' (Dense): activation 'custom' has no ONNX mapping "
                     "(only keras.activations' built-in functions export)");
  auto ids = keras::Input({5}, {.dtype = DType::int32});
  auto emb = layers::Embedding(10, 2, {.mask_zero = true, .name = "tokens"});
  auto r3 = export_error(*keras::Functional({ids}, {emb(ids)}));
  CHECK(r3.first == "Embedding tokens");
  CHECK(r3.second.find("mask_zero=True: masks are not part of an ONNX export") != std::string::npos);
  auto sub = keras::make<Twice>();
  (*sub)(ops::ones({1, 4}));
  auto r4 = export_error(*sub);
  CHECK(r4.first == "Twice twice");
  CHECK(r4.second.find("build the model with keras::Functional or keras::Sequential") != std::string::npos);
}

TEST_CASE("onnx export: a Sequential model's input comes from its InputLayer, its options or its first layer") {
  auto pixels = keras::make<keras::InputLayer>(layers::ShapeSpec{4, 4}, DType::uint8, "pixels", 2);
  auto a = keras::Sequential({pixels, layers::Flatten(), layers::Rescaling(1.0 / 255)});
  const pr::Graph ga = pr::model(keras::saving::export_onnx(*a)).graph;
  REQUIRE(ga.inputs.size() == 1);
  CHECK(ga.inputs[0].name == "pixels");
  CHECK(ga.inputs[0].elem == 2);                // uint8
  CHECK(ga.inputs[0].dims[0].value == 2);       // a fixed batch size stays fixed
  CHECK(ga.ops() == std::vector<std::string>{"Flatten", "Cast", "Mul", "Add", "Identity"});
  auto b = keras::Sequential({layers::Dense(2)}, {.input_shape = {3}});
  const pr::Graph gb = pr::model(keras::saving::export_onnx(*b)).graph;
  CHECK(gb.inputs[0].dims[0].param == "batch");
  CHECK(gb.inputs[0].dims[1].value == 3);
}

TEST_CASE("onnx export: a Sequential model without an input shape takes input_signature") {
  auto m = keras::Sequential({layers::Dense(3)});  // not built yet: the signature builds it
  CHECK(error_of([&] { keras::saving::export_onnx(*m); })
            .find("export(format='onnx') needs the Sequential model's input shape; give .input_signature") !=
        std::string::npos);
  const pr::Graph g = pr::model(keras::saving::export_onnx(*m, {{{-1, 5}, DType::float32}})).graph;
  check_well_formed(g);
  REQUIRE(g.inputs.size() == 1);
  CHECK(g.inputs[0].dims[0].param == "batch");
  CHECK(g.inputs[0].dims[1].value == 5);
  CHECK(g.init(first(g, "MatMul").inputs[1])->dims == std::vector<int64_t>{5, 3});
  CHECK(error_of([&] { keras::saving::export_onnx(*m, {{{-1, 5}}, {{-1, 5}}}); })
            .find("expected 1 input specs in input_signature, but received 2") != std::string::npos);
}
