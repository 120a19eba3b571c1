// test_mixed_precision_layers.cpp - recurrent layers, GroupNormalization and the attention
// softmaxes under Keras 3 dtype policies (mixed_float16, mixed_bfloat16, float64, float32),
// and compile()'s auto_scale_loss, against Keras 3
// (tests/data/mixed_precision/make_layer_fixtures.py: layer_policies.json).
#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>

#include "files.h"
#include "helpers.h"
#include "keras/keras.h"
#include "keras/mixed_precision.h"
#include "keras/optimizers/loss_scale_optimizer.h"
#include "test_data_dir.h"

using namespace th;
namespace mp = keras::mixed_precision;
namespace opt = keras::optimizers;
namespace layers = keras::layers;
using core::Variable;

namespace {
const keras::Value& fixture() {
  static const keras::Value fx = [] {
    std::ifstream f(std::string(KERAS_TEST_DATA_DIR) + "/mixed_precision/layer_policies.json");
    REQUIRE(f.good());
    std::stringstream ss;
    ss << f.rdbuf();
    return keras::Value::from_json(ss.str());
  }();
  return fx;
}

// A float32 tensor from the fixture's {"shape", "data"}.
Tensor tensor_of(const keras::Value& v) {
  std::vector<int64_t> dims;
  for (const keras::Value& d : v.at("shape").as_list()) dims.push_back(d.as_int());
  std::vector<double> flat;
  for (const keras::Value& e : v.at("data").as_list()) flat.push_back(e.as_double());
  return make(flat, Shape(dims));
}

std::vector<double> flat_of(const keras::Value& v) {
  std::vector<double> flat;
  for (const keras::Value& e : v.at("data").as_list()) flat.push_back(e.as_double());
  return flat;
}

// Sets the fixture's (float32) weights on `layer`, each cast to its variable's dtype (as
// Keras's set_weights does).
template <class L>
void set_weights(const L& layer, const keras::Value& list) {
  const std::vector<Variable> ws = layer->weights();
  REQUIRE(ws.size() == list.as_list().size());
  std::vector<Tensor> out;
  for (size_t i = 0; i < ws.size(); ++i) out.push_back(ops::cast(tensor_of(list.as_list()[i]), ws[i].dtype()));
  layer->set_weights(out);
}

// The last part of a weight's name or Keras path ("kernel").
std::string last_part(const std::string& name) { return name.substr(name.rfind('/') + 1); }

Tensor bool_of(const keras::Value& v) {
  const Tensor m = tensor_of(v);
  return ops::greater(m, ops::scalar_like(m, 0.5));
}

// The largest |got - want| / (1 + |want|).
double max_error(const Tensor& got, const std::vector<double>& want) {
  REQUIRE(got.size() == int64_t(want.size()));
  const std::vector<double> g = ops::cast(got, DType::float64).to_vector<double>();
  double e = 0;
  for (size_t i = 0; i < want.size(); ++i) e = std::max(e, std::fabs(g[i] - want[i]) / (1.0 + std::fabs(want[i])));
  return e;
}

// Sets the global policy while it lives, then restores the one before.
struct GlobalPolicy {
  explicit GlobalPolicy(const std::string& name) : before(mp::global_policy()) { mp::set_global_policy(name); }
  ~GlobalPolicy() { mp::set_global_policy(before); }
  mp::DTypePolicy before;
};

const char* const kPolicies[] = {"mixed_float16", "mixed_bfloat16", "float64", "float32"};

// Forward tolerances (relative, as max_error) per policy, then those after two SGD steps.
double forward_tol(const std::string& p) {
  return p == "mixed_float16" ? 4e-3 : p == "mixed_bfloat16" ? 3e-2 : p == "float64" ? 5e-7 : 1e-5;
}
double fit_tol(const std::string& p) {
  return p == "mixed_float16" ? 4e-3 : p == "mixed_bfloat16" ? 3e-2 : p == "float64" ? 1e-6 : 1e-5;
}

// The fixture's recurrent layer named "rnn", made under the global policy.
keras::LayerPtr rnn_layer(const std::string& kind) {
  const keras::ShapeSpec in{5, 3};
  if (kind == "simple_rnn") return layers::SimpleRNN(4, {.name = "rnn", .input_shape = in});
  if (kind == "lstm") return layers::LSTM(4, {.return_sequences = true, .name = "rnn", .input_shape = in});
  if (kind == "gru") return layers::GRU(4, {.name = "rnn", .input_shape = in});
  if (kind == "gru_v1") return layers::GRU(4, {.reset_after = false, .name = "rnn", .input_shape = in});
  return layers::Bidirectional(layers::LSTM(3), {.name = "rnn", .input_shape = in});
}

// Checks a model made by `make` (weights set) against the fixture record: its forward
// output, then fit()'s loss and weights after two SGD steps, traced and eager.
void check_fit(const std::function<keras::ModelPtr()>& make, const keras::Value& want, const std::string& policy) {
  const Tensor x = tensor_of(want.at("x")), y = tensor_of(want.at("y"));
  const Tensor f = (*make())(x);
  CHECK(f.dtype() == DType::float32);
  CHECK(max_error(f, flat_of(want.at("forward"))) <= forward_tol(policy));
  for (bool eager : {false, true}) {
    CAPTURE(eager);
    auto m = make();
    m->compile({.optimizer = opt::SGD({.learning_rate = 0.1}), .loss = "mse", .run_eagerly = eager});
    const bool lso = std::dynamic_pointer_cast<opt::LossScaleOptimizer>(m->optimizer()) != nullptr;
    CHECK(lso == (want.at("optimizer_class").as_string() == "LossScaleOptimizer"));
    auto hist = m->fit(x, y, {.batch_size = 4, .epochs = 1, .verbose = 0, .shuffle = false});
    const double loss = want.at("fit_loss").as_double();
    CHECK(std::fabs(hist.history.at("loss")[0] - loss) <= fit_tol(policy) * (1.0 + std::fabs(loss)));
    const std::vector<Tensor> w = m->get_weights();
    const auto& fw = want.at("fit_weights").as_list();
    REQUIRE(w.size() == fw.size());
    for (size_t i = 0; i < w.size(); ++i) {
      CAPTURE(i);
      CHECK(core::dtype_name(w[i].dtype()) == want.at("weight_dtypes").as_list()[i].as_string());
      CHECK(max_error(w[i], flat_of(fw[i])) <= fit_tol(policy));
    }
  }
}
}  // namespace

TEST_CASE("mixed precision layers: recurrent layers take dtype policies, as Keras 3") {
  for (const std::string policy : kPolicies) {
    GlobalPolicy scope(policy);
    const mp::DTypePolicy p(policy);
    for (const std::string kind : {"simple_rnn", "lstm", "gru", "gru_v1", "bidirectional"}) {
      CAPTURE(policy);
      CAPTURE(kind);
      const keras::Value& want = fixture().at(policy).at("rnn_" + kind);
      auto make = [&] {
        auto m = keras::Sequential({rnn_layer(kind), layers::Dense(2, {.name = "out", .dtype = "float32"})});
        set_weights(m, want.at("weights"));
        return m;
      };
      auto m = make();
      const keras::LayerPtr rnn = m->get_layer("rnn");
      CHECK(rnn->dtype_policy().name() == policy);
      // Weights in the variable dtype, named as Keras's and as under the float32 policy.
      std::vector<Variable> ws = m->weights(), ws32;
      {
        GlobalPolicy f32("float32");
        auto m32 = keras::Sequential({rnn_layer(kind), layers::Dense(2, {.name = "out"})});
        ws32 = m32->weights();
      }
      const auto& names = want.at("weight_names").as_list();
      REQUIRE(ws.size() == names.size());
      REQUIRE(ws.size() == ws32.size());
      for (size_t i = 0; i < ws.size(); ++i) {
        CHECK(core::dtype_name(ws[i].dtype()) == want.at("weight_dtypes").as_list()[i].as_string());
        CHECK(last_part(ws[i].name()) == last_part(names[i].as_string()));
        CHECK(ws[i].name() == ws32[i].name());
      }
      // Outputs in the compute dtype, the values as Keras's.
      const Tensor h = (*rnn)(tensor_of(want.at("x")));
      CHECK(core::dtype_name(h.dtype()) == want.at("rnn_output_dtype").as_string());
      CHECK(h.dtype() == p.compute_dtype());
      CHECK(max_error(h, flat_of(want.at("rnn_output"))) <= forward_tol(policy));
      check_fit(make, want, policy);
    }
  }
}

TEST_CASE("mixed precision layers: RNN(LSTMCell) casts given initial states to the compute dtype") {
  for (const std::string policy : kPolicies) {
    CAPTURE(policy);
    GlobalPolicy scope(policy);
    const keras::Value& want = fixture().at(policy).at("rnn_cell_states");
    auto cell = layers::LSTMCell(4);
    auto rnn = layers::RNN(cell, {.return_state = true, .name = "rnn"});
    rnn->build(keras::ShapeSpec{-1, 4, 3});
    set_weights(rnn, want.at("weights"));
    CHECK(core::dtype_name(cell->compute_dtype()) == want.at("cell_compute_dtype").as_string());
    // float32 initial states, as the fixture passes them.
    const std::vector<Tensor> out =
        (*rnn)(std::vector<Tensor>{tensor_of(want.at("x")), tensor_of(want.at("h0")), tensor_of(want.at("c0"))});
    REQUIRE(out.size() == 3);
    for (size_t i = 0; i < 3; ++i) {
      CAPTURE(i);
      CHECK(core::dtype_name(out[i].dtype()) == want.at("output_dtypes").as_list()[i].as_string());
      CHECK(max_error(out[i], flat_of(want.at("outputs").as_list()[i])) <= forward_tol(policy));
    }
  }
}

TEST_CASE("mixed precision layers: RecurrentOptions::dtype, configs and stateful states") {
  // Unset: the global policy at construction, for the layer and its cell.
  CHECK(layers::LSTM(2)->dtype_policy().name() == "float32");
  {
    GlobalPolicy scope("mixed_bfloat16");
    auto gru = layers::GRU(2);
    CHECK(gru->dtype_policy().name() == "mixed_bfloat16");
    CHECK(gru->cell()->dtype_policy().name() == "mixed_bfloat16");
  }
  auto lstm = layers::LSTM(3, {.stateful = true, .dtype = "mixed_float16"});
  CHECK(lstm->cell()->compute_dtype() == DType::float16);
  // The config holds the policy and reads it back.
  auto back = layers::deserialize(layers::serialize(*lstm));
  CHECK(back->dtype_policy().name() == "mixed_float16");
  CHECK(std::dynamic_pointer_cast<layers::RNNLayer>(std::shared_ptr<layers::Layer>(back))
            ->cell()
            ->dtype_policy()
            .name() == "mixed_float16");
  // A DType converts to its policy (float64 weights and outputs).
  auto f64 = layers::SimpleRNN(2, {.dtype = DType::float64});
  Tensor y = (*f64)(ops::ones({1, 2, 3}));
  CHECK(y.dtype() == DType::float64);
  CHECK(f64->cell()->get_weights()[0].dtype() == DType::float64);
  // Stateful: the states are float32 variables (Keras's variable_dtype); each call reads
  // them in float16 and stores its final states back as float32.
  Tensor out = (*lstm)(ops::ones({2, 4, 5}));
  CHECK(out.dtype() == DType::float16);
  REQUIRE(lstm->states().size() == 2);
  CHECK(lstm->states()[0].dtype() == DType::float32);
  check_values(lstm->states()[0], values(out), 0.0);  // h, the last output, exactly (float16 values)
  Tensor out2 = (*lstm)(ops::ones({2, 4, 5}));
  CHECK(out2.dtype() == DType::float16);
  CHECK(values(out2) != values(out));  // it went on from the stored states
}

TEST_CASE("mixed precision layers: a mixed Functional LSTM model, symbolic dtypes and a .keras round trip") {
  GlobalPolicy scope("mixed_float16");
  auto in = keras::Input({4, 3});
  auto h = layers::LSTM(5, {.return_sequences = true, .name = "lstm"})(in);
  CHECK(h.dtype() == DType::float16);
  auto g = layers::GRU(2, {.name = "gru"})(h);
  CHECK(g.dtype() == DType::float16);
  auto out = layers::Activation("linear", {.name = "out", .dtype = "float32"})(g);
  CHECK(out.dtype() == DType::float32);
  auto m = keras::Functional({in}, {out});
  std::vector<double> flat;
  for (int i = 0; i < 24; ++i) flat.push_back(0.1 * i - 1.0);
  const Tensor xs = make(flat, Shape{2, 4, 3});
  const Tensor y = (*m)(xs);
  CHECK(y.dtype() == DType::float32);
  TempDir dir;
  m->save(dir.file("rnn.keras"));
  mp::set_global_policy("float32");
  auto loaded = keras::models::load_model(dir.file("rnn.keras"));
  CHECK(loaded->get_layer("lstm")->dtype_policy().name() == "mixed_float16");
  CHECK(std::dynamic_pointer_cast<layers::RNNLayer>(std::shared_ptr<layers::Layer>(loaded->get_layer("gru")))
            ->cell()
            ->compute_dtype() == DType::float16);
  for (const Variable& w : loaded->weights()) CHECK(w.dtype() == DType::float32);
  check_values((*loaded)(xs), values(y), 0.0);
}

TEST_CASE("mixed precision layers: GroupNormalization normalizes half inputs in float32, as Keras 3") {
  for (const std::string policy : kPolicies) {
    CAPTURE(policy);
    GlobalPolicy scope(policy);
    const keras::Value& want = fixture().at(policy).at("group_norm");
    auto make = [&] {
      auto m = keras::Sequential({layers::GroupNormalization({.groups = 2, .name = "gn", .input_shape = {6, 4}}),
                                  layers::Flatten({.name = "flat"}),
                                  layers::Dense(2, {.name = "out", .dtype = "float32"})});
      set_weights(m, want.at("weights"));
      return m;
    };
    auto m = make();
    size_t i = 0;
    for (const Variable& w : m->weights())
      CHECK(core::dtype_name(w.dtype()) == want.at("weight_dtypes").as_list()[i++].as_string());
    const Tensor g = (*m->get_layer("gn"))(tensor_of(want.at("x")));
    CHECK(core::dtype_name(g.dtype()) == want.at("gn_output_dtype").as_string());
    // Inputs of a few hundred overflow float16's sum of squares unless upcast.
    CHECK(max_error(g, flat_of(want.at("gn_output"))) <= forward_tol(policy));
    check_fit(make, want, policy);
  }
  // GroupNormalizationOptions::dtype: a policy of its own (float16 out of float32 inputs).
  auto gn = layers::GroupNormalization({.groups = 2, .dtype = "mixed_float16"});
  const Tensor y = (*gn)(ops::multiply(ops::ones({2, 4}), ops::scalar_like(ops::ones({}), 300.0)));
  CHECK(y.dtype() == DType::float16);
  CHECK(gn->get_weights()[0].dtype() == DType::float32);
  CHECK(layers::deserialize(layers::serialize(*gn))->dtype_policy().name() == "mixed_float16");
}

TEST_CASE("mixed precision layers: attention softmaxes and masks under dtype policies, as Keras 3") {
  for (const std::string policy : kPolicies) {
    CAPTURE(policy);
    GlobalPolicy scope(policy);
    const keras::Value& fx = fixture().at(policy);
    const keras::Value& want = fx.at("mha_fused");
    const Tensor q = tensor_of(want.at("q")), v = tensor_of(want.at("v")), mask = bool_of(want.at("mask"));
    auto mha = layers::MultiHeadAttention(2, 3, {.name = "mha"});
    (*mha)(std::vector<Tensor>{q, v});
    set_weights(mha, want.at("weights"));
    size_t i = 0;
    for (const Variable& w : mha->weights())
      CHECK(core::dtype_name(w.dtype()) == want.at("weight_dtypes").as_list()[i++].as_string());
    // Keras's dot_product_attention path: the softmax in float32 (a fully masked row is
    // uniform), the output in the compute dtype.
    const Tensor fused = (*mha)(std::vector<Tensor>{q, v, v, mask})[0];
    CHECK(core::dtype_name(fused.dtype()) == want.at("output_dtype").as_string());
    CHECK(max_error(fused, flat_of(want.at("output"))) <= forward_tol(policy));
    // The masked Softmax layer's path (scores returned): softmax in the compute dtype.
    keras::Config kw = keras::Config::object();
    kw["return_attention_scores"] = true;
    const std::vector<Tensor> r = (*mha)(std::vector<Tensor>{q, v, v, mask}, layers::CallArgs{.kwargs = kw});
    REQUIRE(r.size() == 2);
    CHECK(core::dtype_name(r[1].dtype()) == fx.at("mha_scores").at("scores_dtype").as_string());
    CHECK(max_error(r[0], flat_of(fx.at("mha_scores").at("output"))) <= forward_tol(policy));
    CHECK(max_error(r[1], flat_of(fx.at("mha_scores").at("scores"))) <= forward_tol(policy));
    // Softmax with a mask: -3e4 for masked float16 logits (no NaN for a fully masked row).
    const keras::Value& sm = fx.at("softmax_masked");
    const Tensor s = (*layers::Softmax())(std::vector<Tensor>{tensor_of(sm.at("x"))},
                                          layers::CallArgs{.masks = {bool_of(sm.at("mask"))}})[0];
    CHECK(core::dtype_name(s.dtype()) == sm.at("output_dtype").as_string());
    CHECK(max_error(s, flat_of(sm.at("output"))) <= forward_tol(policy));
    // Attention with a value mask: scores - 65504 in float16.
    const keras::Value& am = fx.at("attention_masked");
    const Tensor a = (*layers::Attention())(std::vector<Tensor>{tensor_of(am.at("q")), tensor_of(am.at("v"))},
                                            layers::CallArgs{.masks = {Tensor(), bool_of(am.at("vmask"))}})[0];
    CHECK(core::dtype_name(a.dtype()) == am.at("output_dtype").as_string());
    CHECK(max_error(a, flat_of(am.at("output"))) <= forward_tol(policy));
  }
}

TEST_CASE("mixed precision layers: MultiHeadAttention's sublayers follow a policy set after construction") {
  // As the registry does for a config's policy: the attention dropout and the projections
  // compute in float16 too.
  auto mha = layers::MultiHeadAttention(2, 3, {.dropout = 0.5, .seed = 3});
  mha->set_dtype_policy("mixed_float16");
  const Tensor q = ops::ones({2, 3, 4}), v = ops::ones({2, 5, 4});
  const Tensor y = (*mha)(std::vector<Tensor>{q, v}, layers::CallArgs{.training = true})[0];
  CHECK(y.dtype() == DType::float16);
  for (const Variable& w : mha->weights()) CHECK(w.dtype() == DType::float32);
  // Attention and AdditiveAttention likewise.
  for (auto att : {layers::LayerPtr(layers::Attention({.dropout = 0.5, .seed = 3})),
                   layers::LayerPtr(layers::AdditiveAttention({.dropout = 0.5, .seed = 3}))}) {
    CAPTURE(att->class_name());
    att->set_dtype_policy("mixed_bfloat16");
    const Tensor a = (*att)(std::vector<Tensor>{q, v}, layers::CallArgs{.training = true})[0];
    CHECK(a.dtype() == DType::bfloat16);
  }
}

TEST_CASE("mixed precision layers: compile()'s auto_scale_loss, as Keras 3") {
  const keras::Value& want = fixture().at("auto_scale_loss");
  GlobalPolicy scope("mixed_float16");
  for (bool automatic : {true, false}) {
    CAPTURE(automatic);
    auto m = keras::Sequential({layers::Dense(2, {.input_shape = {3}})});
    m->compile({.optimizer = opt::SGD(), .loss = "mse", .auto_scale_loss = automatic});
    const bool lso = std::dynamic_pointer_cast<opt::LossScaleOptimizer>(m->optimizer()) != nullptr;
    CHECK(lso == (want.at(automatic ? "true" : "false").as_string() == "LossScaleOptimizer"));
    CHECK(m->compile_options().auto_scale_loss == automatic);
    // Saved and restored with the compile options: an unwrapped optimizer stays unwrapped.
    m->fit(ops::ones({4, 3}), ops::zeros({4, 2}), {.batch_size = 4, .verbose = 0});
    TempDir dir;
    m->save(dir.file("m.kcpp"));
    auto loaded = keras::models::load_model(dir.file("m.kcpp"));
    CHECK(loaded->compile_options().auto_scale_loss == automatic);
    CHECK((std::dynamic_pointer_cast<opt::LossScaleOptimizer>(loaded->optimizer()) != nullptr) == lso);
  }
  // An explicit LossScaleOptimizer is kept either way.
  auto m = keras::Sequential({layers::Dense(2, {.input_shape = {3}})});
  m->compile(
      {.optimizer = std::make_shared<opt::LossScaleOptimizer>(opt::SGD()), .loss = "mse", .auto_scale_loss = false});
  CHECK(std::dynamic_pointer_cast<opt::LossScaleOptimizer>(m->optimizer()) != nullptr);
}
