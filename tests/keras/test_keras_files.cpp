// Keras 3's files: `.keras` and `.weights.h5` written by Keras 3.15 (tests/data/keras_files,
// made by make_fixtures.py) load and predict what Keras predicted; keras-cpp writes files
// that load back (and that tests/keras_files/check_in_keras.py loads in Keras); hostile
// and unsupported files raise typed errors.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "files.h"
#include "helpers.h"
#include "keras/keras.h"
#include "keras/saving/feature_space_file.h"
#include "keras/saving/format.h"
#include "keras/saving/zip_archive.h"
#include "layer_fixtures.h"

namespace {
namespace ops = keras::core::ops;
using keras::Tensor;
using keras::saving::format::FormatError;

const std::vector<std::string> kModels = {"seq_mlp", "functional_multi", "conv",      "rnn",
                                          "attention", "activations",     "nested",    "spatial",
                                          "sequence1d", "volumes",        "misc",      "masked",
                                          "images",     "options",      "noise_norm", "color",       "gqa",        "conv_lstm",
                                          "stacked_rnn", "reversible", "preprocess", "quantized", "lora", "resample", "masked_merge"};

std::string fixture(const std::string& name) { return th::fixture_path("keras_files", name); }

std::vector<Tensor> arrays(const std::string& model, const char* kind) {
  std::vector<Tensor> out;
  for (int i = 0; std::filesystem::exists(fixture(model + "." + kind + std::to_string(i) + ".npy")); ++i)
    out.push_back(keras::core::load_npy(fixture(model + "." + kind + std::to_string(i) + ".npy")));
  return out;
}

std::vector<Tensor> predict(keras::Model& model, const std::vector<Tensor>& inputs) {
  keras::layers::Tensors out = model(inputs, false);
  return std::vector<Tensor>(out.begin(), out.end());
}

double max_diff(const Tensor& a, const Tensor& b) {
  REQUIRE(a.shape() == b.shape());
  return ops::max(ops::abs(ops::cast(a, keras::DType::float64) - ops::cast(b, keras::DType::float64)))
      .item<double>();
}

void check_outputs(const std::vector<Tensor>& got, const std::vector<Tensor>& want, double tol = 1e-5) {
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    INFO("output " << i);
    CHECK(max_diff(got[i], want[i]) <= tol);
  }
}

void zero_weights(keras::Model& m) {
  for (keras::Variable v : m.weights()) v.assign(ops::zeros_like(v.value()));
}

std::string with_member(const std::string& keras_file, const std::string& member, const std::string& bytes) {
  auto members = keras::saving::detail::read_zip(th::read_bytes(keras_file), {"config.json", "metadata.json",
                                                                             "model.weights.h5"}, keras_file);
  members[member] = bytes;
  return keras::saving::detail::write_zip({{"metadata.json", members["metadata.json"]},
                                           {"config.json", members["config.json"]},
                                           {"model.weights.h5", members["model.weights.h5"]}});
}
}  // namespace

TEST_CASE("Keras 3 .keras files load and predict as Keras did") {
  for (const std::string& name : kModels) {
    INFO(name);
    keras::ModelPtr m = keras::models::load_model(fixture(name + ".keras"));
    check_outputs(predict(*m, arrays(name, "in")), arrays(name, "out"));
  }
}

TEST_CASE("Keras 3 .weights.h5 files load into the same architecture") {
  for (const std::string& name : kModels) {
    INFO(name);
    keras::ModelPtr m = keras::models::load_model(fixture(name + ".keras"));
    zero_weights(*m);
    m->load_weights(fixture(name + ".weights.h5"));
    check_outputs(predict(*m, arrays(name, "in")), arrays(name, "out"));
    zero_weights(*m);
    m->load_weights(fixture(name + ".keras"));  // the weights of a .keras file, as Keras allows
    check_outputs(predict(*m, arrays(name, "in")), arrays(name, "out"));
  }
}

TEST_CASE("keras-cpp writes .keras and .weights.h5 files that load back with the same predictions") {
  // KERAS_CPP_KERAS_FILES_OUT=<folder> keeps them, with inputs and keras-cpp's outputs as
  // .npy files, for tests/keras_files/check_in_keras.py.
  th::TempDir tmp;
  const char* keep = std::getenv("KERAS_CPP_KERAS_FILES_OUT");
  const std::string dir = keep ? keep : tmp.path.string();
  std::filesystem::create_directories(dir);
  for (const std::string& name : kModels) {
    INFO(name);
    keras::ModelPtr m = keras::models::load_model(fixture(name + ".keras"));
    const std::vector<Tensor> in = arrays(name, "in");
    const std::vector<Tensor> want = predict(*m, in);
    const std::string path = dir + "/" + name + ".keras";
    m->save(path);
    m->save_weights(dir + "/" + name + ".weights.h5");
    for (size_t i = 0; i < in.size(); ++i) keras::core::save_npy(dir + "/" + name + ".in" + std::to_string(i) + ".npy", in[i]);
    for (size_t i = 0; i < want.size(); ++i)
      keras::core::save_npy(dir + "/" + name + ".out" + std::to_string(i) + ".npy", want[i]);
    keras::ModelPtr back = keras::models::load_model(path);
    check_outputs(predict(*back, in), want, 0.0);
    zero_weights(*back);
    back->load_weights(dir + "/" + name + ".weights.h5");
    check_outputs(predict(*back, in), want, 0.0);
  }
  // A model made in C++, trained a step, written in Keras's format.
  namespace layers = keras::layers;
  auto model = keras::Sequential({layers::Dense(7, {.activation = "relu", .input_shape = {5}}), layers::Dropout(0.2),
                                  layers::Dense(3, {.activation = "softmax"})});
  model->compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy"});
  const Tensor x = th::make(th::uniform(40), keras::Shape{8, 5});
  model->fit(x, ops::cast(keras::core::constant(std::vector<int64_t>{0, 1, 2, 0, 1, 2, 0, 1}), keras::DType::int32),
             {.epochs = 1, .verbose = 0});
  model->save(dir + "/cpp_mlp.keras");
  keras::core::save_npy(dir + "/cpp_mlp.in0.npy", x);
  keras::core::save_npy(dir + "/cpp_mlp.out0.npy", (*model)(x, false));
  check_outputs({(*keras::models::load_model(dir + "/cpp_mlp.keras"))(x, false)}, {(*model)(x, false)}, 0.0);
  // The same model fine-tuned with LoRA (trained factors: the file holds the merged
  // kernels), then quantized to int8 (the first Dense layer keeps its LoRA factors).
  for (auto& l : model->layers())
    if (auto d = std::dynamic_pointer_cast<layers::DenseLayer>(l)) d->enable_lora(2);
  model->fit(x, ops::cast(keras::core::constant(std::vector<int64_t>{2, 1, 0, 0, 1, 2, 2, 1}), keras::DType::int32),
             {.epochs = 3, .verbose = 0});
  for (const char* name : {"cpp_lora", "cpp_lora_int8"}) {
    if (std::string(name) == "cpp_lora_int8") model->quantize("int8");
    const Tensor want = (*model)(x, false);
    model->save(dir + "/" + name + ".keras");
    const Tensor loaded = (*keras::models::load_model(dir + "/" + name + ".keras"))(x, false);
    // (int8: the merged kernel is quantized again, which moves the outputs by up to a
    // quantization step; Keras must then predict what the loaded model predicts)
    check_outputs({loaded}, {want}, std::string(name) == "cpp_lora" ? 1e-6 : 0.02);
    keras::core::save_npy(dir + "/" + name + ".in0.npy", x);
    keras::core::save_npy(dir + "/" + name + ".out0.npy", loaded);
  }
  // LoRA on two of MultiHeadAttention's projections: each child group holds its merged
  // kernel, and the loaded attention (no LoRA in its config) predicts the same.
  auto seq = keras::Input({4, 6});
  auto mha = layers::MultiHeadAttention(2, 3);
  auto att = keras::Functional({seq}, {(*mha)({seq, seq})});
  mha->query_dense->enable_lora(2);
  mha->value_dense->enable_lora(2, {.lora_alpha = 4});
  for (auto& w : att->trainable_weights()) w.assign(th::make(th::uniform(w.shape().num_elements(), -0.5, 0.5), w.shape()));
  const Tensor sx = th::make(th::uniform(2 * 4 * 6), keras::Shape{2, 4, 6});
  const Tensor want = (*att)(sx, false);
  att->save(dir + "/cpp_lora_mha.keras");
  att->save_weights(dir + "/cpp_lora_mha.weights.h5");
  keras::core::save_npy(dir + "/cpp_lora_mha.in0.npy", sx);
  keras::core::save_npy(dir + "/cpp_lora_mha.out0.npy", want);
  check_outputs({(*keras::models::load_model(dir + "/cpp_lora_mha.keras"))(sx, false)}, {want}, 1e-6);
  // int4: an Embedding in blocks of 2 columns, a Dense in blocks of 4 inputs, an
  // EinsumDense in blocks of 2 rows, a Dense per channel with LoRA on top (the file holds
  // its merged kernel, quantized again).
  {
    auto ids = keras::Input({3}, {.dtype = keras::DType::int32});
    auto h = layers::Flatten()(layers::Embedding(12, 5, {.name = "emb"})(ids));
    auto h2 = layers::Dense(9, {.activation = "relu", .name = "hidden"})(h);
    auto h3 = layers::EinsumDense("ab,bc->ac", 4, {.bias_axes = "c", .name = "mix"})(h2);
    auto y = layers::Dense(3, {.name = "head"})(h3);
    auto m4 = keras::Functional({ids}, {y});
    m4->get_layer("emb")->quantize("int4/2");
    m4->get_layer("hidden")->quantize("int4/4");
    m4->get_layer("mix")->quantize("int4/2");
    m4->get_layer("head")->quantize("int4/-1");
    auto head = std::dynamic_pointer_cast<layers::DenseLayer>(m4->get_layer("head"));
    head->enable_lora(2);
    head->lora_kernel_b.assign(th::make(th::uniform(6, -0.3, 0.3), keras::Shape{2, 3}));
    const Tensor x4 = ops::cast(th::make({0, 3, 11, 5, 5, 1, 7, 2, 9, 10, 4, 6}, keras::Shape{4, 3}), keras::DType::int32);
    const Tensor want4 = (*m4)(x4, false);
    m4->save(dir + "/cpp_int4.keras");
    const Tensor loaded4 = (*keras::models::load_model(dir + "/cpp_int4.keras"))(x4, false);
    check_outputs({loaded4}, {want4}, 0.05);  // (the merged kernel moves by up to a quantization step)
    keras::core::save_npy(dir + "/cpp_int4.in0.npy", x4);
    keras::core::save_npy(dir + "/cpp_int4.out0.npy", loaded4);
  }
  // float8 training: a Dense and an EinsumDense after two traced training steps (their
  // scales and histories moved), saved and read back.
  {
    auto in8 = keras::Input({4});
    auto h8 = layers::Dense(5, {.activation = "tanh", .name = "hidden"})(in8);
    auto m8 = keras::Functional({in8}, {layers::EinsumDense("ab,bc->ac", 2, {.bias_axes = "c", .name = "head"})(h8)});
    m8->quantize("float8");
    m8->compile({.optimizer = keras::optimizers::SGD({.learning_rate = 0.05}), .loss = "mse"});
    const Tensor x8 = th::make(th::uniform(32, -2, 2), keras::Shape{8, 4});
    for (int i = 0; i < 2; ++i) m8->train_on_batch({x8}, {ops::zeros({8, 2})});
    const Tensor want8 = (*m8)(x8, false);
    m8->save(dir + "/cpp_float8.keras");
    check_outputs({(*keras::models::load_model(dir + "/cpp_float8.keras"))(x8, false)}, {want8}, 1e-7);
    keras::core::save_npy(dir + "/cpp_float8.in0.npy", x8);
    keras::core::save_npy(dir + "/cpp_float8.out0.npy", want8);
  }
  // GPTQ and AWQ: a model quantized block by block (4 bits in groups of 8; Dense and 3-D
  // EinsumDense kernels), written with every weight (kernel_zero, awq_scales).
  for (const std::string name : {"cpp_gptq", "cpp_awq"}) {
    keras::ModelPtr mq = keras::models::load_model(std::string(KERAS_TEST_DATA_DIR) + "/quantize/gptq_float.keras");
    const Tensor tokens = ops::cast(th::make(th::uniform(40, 0, 39), keras::Shape{40}), keras::DType::int32);
    const keras::quantizers::QuantizationLayerStructure structure{
        {mq->get_layer("emb")}, {mq->get_layer("block1"), mq->get_layer("block2")}};
    if (name == "cpp_gptq")
      keras::quantizers::gptq_quantize(*mq, {.dataset = {tokens}, .num_samples = 6, .sequence_length = 8,
                                             .group_size = 8, .quantization_layer_structure = structure});
    else
      keras::quantizers::awq_quantize(*mq, {.dataset = {tokens}, .num_samples = 6, .sequence_length = 8,
                                            .group_size = 8, .quantization_layer_structure = structure});
    const Tensor xq = ops::cast(th::make(th::uniform(24, 0, 39), keras::Shape{3, 8}), keras::DType::int32);
    const Tensor wantq = (*mq)(xq, false);
    mq->save(dir + "/" + name + ".keras");
    check_outputs({(*keras::models::load_model(dir + "/" + name + ".keras"))(xq, false)}, {wantq}, 0.0);
    keras::core::save_npy(dir + "/" + name + ".in0.npy", xq);
    keras::core::save_npy(dir + "/" + name + ".out0.npy", wantq);
  }
  {  // A quantized layer's quantization_config is honoured: 3 bits against a 4-bit policy
     // is refused by name.
    std::string c3 = keras::saving::detail::read_zip(th::read_bytes(dir + "/cpp_gptq.keras"), {"config.json"},
                                                     "cpp_gptq.keras")["config.json"];
    const size_t at = c3.find("\"weight_bits\": 4");
    REQUIRE(at != std::string::npos);
    c3.replace(at, 16, "\"weight_bits\": 3");
    th::TempDir edit;
    th::write_bytes(edit.file("g3.keras"), with_member(dir + "/cpp_gptq.keras", "config.json", c3));
    CHECK_THROWS_MSG(keras::models::load_model(edit.file("g3.keras")), std::invalid_argument,
                     "has quantization_config=");
  }
  // model.to_json(): Keras reads it with model_from_json (check_in_keras.py), compiled.
  {
    auto a = keras::Input({3}, {.name = "a"}), b = keras::Input({2}, {.name = "b"});
    auto y = layers::Dense(2, {.activation = "relu"})(layers::Concatenate()({a, layers::Dense(4)(b)}));
    auto mj = keras::Functional({a, b}, {y});
    mj->compile({.optimizer = keras::optimizers::Adam({.learning_rate = 0.005}), .loss = "huber", .metrics = {"mae"}});
    th::write_bytes(dir + "/cpp_json.json", mj->to_json(1));
    mj->save_weights(dir + "/cpp_json.weights.h5");
    const Tensor xa = th::make(th::uniform(6), keras::Shape{2, 3}), xb = th::make(th::uniform(4), keras::Shape{2, 2});
    keras::core::save_npy(dir + "/cpp_json.in0.npy", xa);
    keras::core::save_npy(dir + "/cpp_json.in1.npy", xb);
    keras::core::save_npy(dir + "/cpp_json.out0.npy", (*mj)({xa, xb}, false));
  }
  att->load_weights(dir + "/cpp_lora_mha.weights.h5");  // back into the LoRA model: factors zeroed
  check_outputs({(*att)(sx, false)}, {want}, 1e-6);
  CHECK(ops::all(ops::equal(mha->query_dense->lora_kernel_b.value(), ops::zeros({2, 3}))).item<bool>());
}

namespace {
// A user's layer: y = x * scale * factor + shift (tests/keras_files/check_in_keras.py
// defines the same class in Python, registered with Keras's default package).
class ScaleShift : public keras::layers::Layer {
 public:
  explicit ScaleShift(double factor, const keras::LayerOptions& o = {}) : Layer("ScaleShift", o), factor_(factor) {}
  void build(const keras::ShapeSpec& s) override {
    scale = add_weight("scale", keras::Shape{s.back()}, {.initializer = keras::initializers::get("ones")});
    shift = add_weight("shift", keras::Shape{s.back()}, {.initializer = keras::initializers::get("zeros")});
  }
  Tensor call(const Tensor& x, bool) override {
    return ops::add(ops::multiply(ops::multiply(x, scale.value()), ops::scalar_like(x, factor_)), shift.value());
  }
  keras::Config get_config() const override {
    keras::Config c = base_config();
    c["factor"] = factor_;
    return c;
  }
  static std::shared_ptr<ScaleShift> from_config(const keras::Config& c) {
    return keras::layers::make<ScaleShift>(c.at("factor").as_double(), keras::layers::layer_options_from(c));
  }
  keras::Variable scale, shift;

 private:
  double factor_;
};
}  // namespace

TEST_CASE("keras-cpp writes a user's layer as Keras writes a registered class: registered_name Custom>Name") {
  keras::saving::register_serializable<ScaleShift>("ScaleShift");
  th::TempDir tmp;
  const char* keep = std::getenv("KERAS_CPP_KERAS_FILES_OUT");
  const std::string dir = keep ? keep : tmp.path.string();
  std::filesystem::create_directories(dir);
  ops::set_random_seed(21);
  auto model = keras::Sequential({keras::layers::Dense(6, {.activation = "tanh", .input_shape = {4}}),
                                  keras::layers::make<ScaleShift>(1.5, keras::LayerOptions{.name = "scale_shift"}),
                                  keras::layers::Dense(2)});
  auto& custom = dynamic_cast<ScaleShift&>(*model->get_layer("scale_shift"));
  const Tensor x = th::make(th::uniform(12), keras::Shape{3, 4});
  (*model)(x);
  custom.scale.assign(th::make({0.5, 1, 2, -1, 3, 0.25}, keras::Shape{6}));
  custom.shift.assign(th::make({0.1, 0.2, 0.3, 0.4, 0.5, 0.6}, keras::Shape{6}));
  const Tensor want = (*model)(x, false);
  model->save(dir + "/cpp_custom.keras");
  keras::core::save_npy(dir + "/cpp_custom.in0.npy", x);
  keras::core::save_npy(dir + "/cpp_custom.out0.npy", want);

  auto members = keras::saving::detail::read_zip(th::read_bytes(dir + "/cpp_custom.keras"), {"config.json"}, "cpp_custom");
  const keras::Value config = keras::Value::from_json(members["config.json"]);
  const keras::Value& entry = config.at("config").at("layers").as_list().at(2);  // (after InputLayer, Dense)
  CHECK(entry.at("class_name").as_string() == "ScaleShift");
  CHECK(entry.at("registered_name").as_string() == "Custom>ScaleShift");
  CHECK(entry.at("module").is_null());
  CHECK(config.at("config").at("layers").as_list().at(1).at("registered_name").is_null());  // a built-in: as Keras
  check_outputs({(*keras::models::load_model(dir + "/cpp_custom.keras"))(x, false)}, {want}, 0.0);
}

TEST_CASE("Keras files: unsupported classes and options raise, naming the layer, the class and the option") {
  th::TempDir dir;
  const std::string src = fixture("seq_mlp.keras");
  auto members = keras::saving::detail::read_zip(th::read_bytes(src), {"config.json"}, src);
  const std::string config = members["config.json"];
  auto edited = [&](const std::string& from, const std::string& to) {
    std::string c = config;
    const size_t at = c.find(from);
    REQUIRE(at != std::string::npos);
    c.replace(at, from.size(), to);
    const std::string path = dir.file("edited.keras");
    th::write_bytes(path, with_member(src, "config.json", c));
    return path;
  };
  CHECK_THROWS_MSG(keras::models::load_model(edited("\"class_name\": \"Dropout\"", "\"class_name\": \"JaxLayer\"")),
                   std::invalid_argument, "is a Keras JaxLayer, a class keras-cpp does not have");
  // A quantization_config on a float layer is inert (Keras reads it only under a quantized
  // policy; Keras 3.15's model.quantize leaves one on every layer it visits).
  CHECK_NOTHROW(keras::models::load_model(edited("\"quantization_config\": null",
                                                 "\"quantization_config\": {\"class_name\": \"Float8QuantizationConfig\"}")));
  CHECK_THROWS_MSG(keras::models::load_model(edited("\"axis\": -1", "\"axis\": 1, \"xx\": 0")),
                   std::invalid_argument, "BatchNormalization");
  CHECK_THROWS_MSG(keras::models::load_model(edited("\"class_name\": \"Sequential\"", "\"class_name\": \"MyModel\"")),
                   std::invalid_argument, "keras-cpp reads Sequential and Functional models");
}

namespace {
class TwoDense : public keras::Model {
 public:
  TwoDense() {
    a = track(keras::layers::Dense(3));
    b = track(keras::layers::Dense(1));
  }
  Tensor call(const Tensor& x, bool training) override { return (*b)((*a)(x, training)); }
  keras::Ref<keras::layers::DenseLayer> a, b;
};
}  // namespace

TEST_CASE("Keras files: a subclassed model is refused in Keras's formats, and keeps .kcpp") {
  th::TempDir dir;
  auto m = keras::make<TwoDense>();
  (*m)(ops::ones({2, 4}), false);
  CHECK_THROWS_MSG(m->save(dir.file("m.keras")), std::invalid_argument,
                   "a Keras 3 .keras file cannot describe; save it as a .kcpp file");
  CHECK_THROWS_MSG(m->save_weights(dir.file("m.weights.h5")), std::invalid_argument,
                   "Sequential and Functional models only");
  CHECK(dir.entries().empty());  // nothing written
  m->save_weights(dir.file("m.kcpp"));
  auto other = keras::make<TwoDense>();
  (*other)(ops::ones({2, 4}), false);
  other->load_weights(dir.file("m.kcpp"));
  CHECK(th::same_bits(other->get_weights(), m->get_weights()));
}

TEST_CASE("Keras files: corrupt archives and hostile HDF5 weights raise typed errors") {
  th::TempDir dir;
  const std::string good = th::read_bytes(fixture("seq_mlp.keras"));
  for (size_t n : {size_t(0), size_t(10), good.size() / 2, good.size() - 1}) {
    th::write_bytes(dir.file("cut.keras"), good.substr(0, n));
    CHECK_THROWS_AS(keras::models::load_model(dir.file("cut.keras")), std::exception);
  }
  std::string flipped = good;
  flipped[flipped.size() / 2] ^= 0x5a;  // inside the stored weights: the member's CRC-32 fails
  th::write_bytes(dir.file("flip.keras"), flipped);
  CHECK_THROWS_AS(keras::models::load_model(dir.file("flip.keras")), FormatError);
  keras::saving::detail::ZipLimits small;
  small.member_bytes = {{"config.json", 100}};
  CHECK_THROWS_MSG(keras::saving::detail::read_zip(good, {"config.json"}, "g.keras", small), FormatError,
                   "g.keras: the member 'config.json' claims");  // checked before reading it
  small.max_members = 2;
  CHECK_THROWS_MSG(keras::saving::detail::read_zip(good, {}, "g.keras", small), FormatError,
                   "the zip archive has 3 members; expected at most 2");
  th::write_bytes(dir.file("noh5.keras"), with_member(fixture("seq_mlp.keras"), "model.weights.h5", "not hdf5"));
  CHECK_THROWS_MSG(keras::models::load_model(dir.file("noh5.keras")), FormatError, "not an HDF5 file");

  CHECK_THROWS_MSG(keras::models::load_model(fixture("seq_mlp.weights.h5")), std::invalid_argument,
                   "seq_mlp.weights.h5: this HDF5 file holds no model_config (a whole model saved with");
  keras::ModelPtr m = keras::models::load_model(fixture("seq_mlp.keras"));
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"unallocated", "needs 4398046511104 bytes, but 0 are stored"},
      {"compressed", "compressed or filtered"},
      {"float16", "holds 1 (a different architecture?)"},  // (float16 reads; one dataset is too few)
      {"string", "unsupported element type"},
      {"rank9", "rank 9 is out of range"},
      {"softlink", "soft and external links are not accepted"},
      {"wrong_shape", "expected 'dense/kernel' with shape (6, 8) float32, but the file has 'layers/dense/vars/0' with shape (7, 8)"},
  };
  const std::vector<Tensor> before = m->get_weights();
  for (const auto& [name, message] : cases) {
    INFO(name);
    CHECK_THROWS_MSG(m->load_weights(fixture("hostile_" + name + ".weights.h5")), std::exception, message.c_str());
  }
  CHECK(th::same_bits(m->get_weights(), before));  // nothing was changed
}

TEST_CASE("Keras files: the fuzz seeds of tests/fuzz/corpus/keras_file are valid inputs") {
  const std::filesystem::path corpus = std::filesystem::path(KERAS_TEST_DATA_DIR) / ".." / "fuzz" / "corpus" / "keras_file";
  int models = 0, feature_spaces = 0;
  for (const auto& e : std::filesystem::directory_iterator(corpus)) {
    const std::string bytes = th::read_bytes(e.path().string());
    if (e.path().extension() != ".keras") continue;
    if (e.path().stem() == "feature_space") {
      CHECK(keras::saving::load_feature_space_from_memory(bytes, e.path().string()).output_names().size() == 10);
      ++feature_spaces;
    } else {
      CHECK(keras::saving::load_model_from_memory(bytes, {}, e.path().string()) != nullptr);
      ++models;
    }
  }
  CHECK(models == 7);  // seq_mlp, functional_multi, quantized, lora, operations, attention, tfidf
  CHECK(feature_spaces == 1);
  CHECK(keras::Value::from_json(th::read_bytes((corpus / "json").string())).at("a").as_list().size() == 4);
}

TEST_CASE("Keras files: the compile config is restored when keras-cpp can honour it, else a warning") {
  // options.keras: compiled by Keras with Adam(0.01) and loss "mse", trained one step.
  keras::ModelPtr m = keras::models::load_model(fixture("options.keras"));
  REQUIRE(m->compiled());
  const keras::Config opt = keras::optimizers::serialize(*m->optimizer());
  CHECK(opt.at("class_name").as_string() == "Adam");
  CHECK(std::fabs(opt.at("config").at("learning_rate").as_double() - 0.01) < 1e-7);
  const std::vector<Tensor> in = arrays("options", "in");
  CHECK(std::isfinite(m->train_on_batch({in[0]}, {ops::zeros({3, 2})}).at("loss")));  // it trains
  CHECK_FALSE(keras::models::load_model(fixture("options.keras"), {.compile = false})->compiled());

  // Keras's base optimizer options (use_ema here) are restored.
  th::TempDir dir;
  const std::string src = fixture("options.keras");
  std::string config = keras::saving::detail::read_zip(th::read_bytes(src), {"config.json"}, src)["config.json"];
  const std::string from = "\"use_ema\": false";
  REQUIRE(config.find(from) != std::string::npos);
  std::string with_ema = config;
  with_ema.replace(with_ema.find(from), from.size(), "\"use_ema\": true");
  th::write_bytes(dir.file("ema.keras"), with_member(src, "config.json", with_ema));
  keras::ModelPtr ema = keras::models::load_model(dir.file("ema.keras"));
  REQUIRE(ema->compiled());
  CHECK(ema->optimizer()->uses_ema());
  // An optimizer option keras-cpp lacks: loaded, not compiled (Keras warns the same way).
  std::string unknown = config;
  unknown.replace(unknown.find(from), from.size(), "\"use_ema\": false, \"some_future_option\": 2");
  th::write_bytes(dir.file("unknown.keras"), with_member(src, "config.json", unknown));
  ema = keras::models::load_model(dir.file("unknown.keras"));
  CHECK_FALSE(ema->compiled());
  check_outputs(predict(*ema, in), arrays("options", "out"));
}
