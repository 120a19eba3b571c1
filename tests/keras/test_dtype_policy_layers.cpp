// test_dtype_policy_layers.cpp - layers and models under Keras 3 dtype policies (autocast of
// inputs and variables, float32 weights, the float32 last layer, configs) and compile()/fit()
// in mixed precision with the automatic LossScaleOptimizer, against Keras 3
// (tests/data/mixed_precision/make_fixtures.py: policy_models.json).
#include <fstream>
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
keras::Value fixture() {
  std::ifstream f(std::string(KERAS_TEST_DATA_DIR) + "/mixed_precision/policy_models.json");
  REQUIRE(f.good());
  std::stringstream ss;
  ss << f.rdbuf();
  return keras::Value::from_json(ss.str());
}

// A float32 tensor from nested JSON lists (a vector or a matrix).
Tensor tensor_of(const keras::Value& v) {
  std::vector<double> flat;
  std::vector<int64_t> dims{static_cast<int64_t>(v.as_list().size())};
  for (const keras::Value& row : v.as_list()) {
    if (row.type() == keras::Value::Type::list) {
      if (dims.size() == 1) dims.push_back(static_cast<int64_t>(row.as_list().size()));
      for (const keras::Value& e : row.as_list()) flat.push_back(e.as_double());
    } else {
      flat.push_back(row.as_double());
    }
  }
  return make(flat, Shape(dims));
}

std::vector<double> flat_of(const keras::Value& v) { return values(tensor_of(v)); }

// Sets the global policy for one test and restores float32 after it.
struct GlobalPolicy {
  explicit GlobalPolicy(const std::string& name) { mp::set_global_policy(name); }
  ~GlobalPolicy() { mp::set_global_policy("float32"); }
};

// The fixture's model: Dense(8, relu) -> Dense(2) -> Activation("linear", dtype="float32"),
// made under the global policy, with the fixture's weights.
keras::ModelPtr make_model(const keras::Value& fx) {
  auto m = keras::Sequential({layers::Dense(8, {.activation = "relu", .name = "d1", .input_shape = {4}}),
                              layers::Dense(2, {.name = "d2"}),
                              layers::Activation("linear", {.name = "out", .dtype = "float32"})});
  std::vector<Tensor> w;
  for (const keras::Value& t : fx.at("weights").as_list()) w.push_back(tensor_of(t));
  m->set_weights(w);
  return m;
}

double tolerance(const std::string& policy) { return policy == "mixed_float16" ? 2e-3 : 1.6e-2; }
}  // namespace

TEST_CASE("dtype policies: a Dense model's dtypes and forward outputs as Keras 3") {
  const keras::Value fx = fixture();
  const Tensor x = tensor_of(fx.at("x"));
  for (const std::string policy : {"mixed_float16", "mixed_bfloat16"}) {
    CAPTURE(policy);
    GlobalPolicy scope(policy);
    const keras::Value& want = fx.at(policy);
    auto m = make_model(fx);
    CHECK(m->dtype_policy().name() == want.at("model_dtype_policy").as_string());
    CHECK(m->get_layer("d1")->compute_dtype() == mp::DTypePolicy(policy).compute_dtype());
    CHECK(m->get_layer("d1")->variable_dtype() == DType::float32);
    CHECK(m->get_layer("d1")->dtype() == DType::float32);  // Keras's layer.dtype: the variable dtype
    size_t i = 0;
    for (const Variable& w : m->weights())
      CHECK(core::dtype_name(w.dtype()) == want.at("weight_dtypes").as_list()[i++].as_string());
    // Each layer's output dtype: the compute dtype, float32 for the float32 last layer.
    Tensor h = x;
    i = 0;
    for (const keras::LayerPtr& l : m->layers()) {
      h = (*l)(h);
      CHECK(core::dtype_name(h.dtype()) == want.at("layer_output_dtypes").as_list()[i++].as_string());
    }
    Tensor y = (*m)(x);
    CHECK(y.dtype() == DType::float32);
    check_values(y, flat_of(want.at("forward")), tolerance(policy));
    // Symbolic outputs carry the same dtypes.
    auto in = keras::Input({4});
    auto k1 = layers::Dense(3)(in);
    CHECK(k1.dtype() == mp::DTypePolicy(policy).compute_dtype());
    CHECK(layers::Activation("linear", {.dtype = "float32"})(k1).dtype() == DType::float32);
  }
}

TEST_CASE("dtype policies: autocast of inputs and variables, as Keras 3") {
  auto d = layers::Dense(2, {.kernel_initializer = "ones", .dtype = "mixed_float16"});
  // A float64 input is cast to the compute dtype, the float32 kernel read as float16.
  Tensor y = d(ops::ones({3, 4}, DType::float64));
  CHECK(y.dtype() == DType::float16);
  CHECK(d->kernel.dtype() == DType::float32);
  check_values(y, std::vector<double>(6, 4.0));
  // Integer inputs are not autocast (Keras casts floating tensors only).
  auto id = layers::Activation("linear", {.dtype = "mixed_float16"});
  CHECK(id(ops::ones({2}, DType::int32)).dtype() == DType::int32);
  // autocast = false: inputs keep their dtype.
  auto no_cast = layers::Activation("linear", {.dtype = "mixed_float16", .autocast = false});
  CHECK(no_cast(ops::ones({2}, DType::float32)).dtype() == DType::float32);
  // The gradient reaches the float32 variable through the float16 read.
  core::GradientTape tape;
  Tensor loss = ops::sum(ops::cast(d(ops::ones({1, 4})), DType::float32));
  auto g = tape.gradient(loss, std::vector<Variable>{d->kernel});
  REQUIRE(g[0].defined());
  CHECK(g[0].dtype() == DType::float32);
  check_values(g[0], std::vector<double>(8, 1.0));
  // Outside a call the variable reads in its own dtype.
  CHECK(d->kernel.value().dtype() == DType::float32);
}

TEST_CASE("dtype policies: LayerOptions::dtype takes names, DTypes and policies; the default is the global policy") {
  CHECK(layers::Dense(1)->dtype_policy().name() == "float32");
  {
    GlobalPolicy scope("mixed_bfloat16");
    CHECK(layers::Dense(1)->dtype_policy().name() == "mixed_bfloat16");
    CHECK(layers::Dense(1, {.dtype = DType::float64})->compute_dtype() == DType::float64);
  }
  CHECK(layers::Dense(1, {.dtype = mp::DTypePolicy("mixed_float16")})->compute_dtype() == DType::float16);
  CHECK_THROWS_WITH_AS(layers::Dense(1, {.dtype = "mixed_int8"}),
                       doctest::Contains("cannot convert 'mixed_int8' to a mixed precision DTypePolicy"),
                       std::invalid_argument);
  auto d = layers::Dense(1, {.dtype = "float64"});
  d(ops::ones({1, 2}, DType::float64));
  CHECK(d->kernel.dtype() == DType::float64);
  CHECK_THROWS_AS(d->set_dtype_policy("float32"), std::logic_error);  // it has weights
}

TEST_CASE("dtype policies: configs hold Keras 3's DTypePolicy and read both forms back") {
  const keras::Value fx = fixture();
  GlobalPolicy scope("mixed_float16");
  auto m = make_model(fx);
  size_t i = 0;
  for (const keras::LayerPtr& l : m->layers())
    CHECK(l->get_config().at("dtype").to_json() == fx.at("mixed_float16").at("configs").as_list()[i++].to_json());
  mp::set_global_policy("float32");
  auto back = layers::deserialize(layers::serialize(*m->get_layer("d1")));
  CHECK(back->dtype_policy().name() == "mixed_float16");
  keras::Config old_form = layers::serialize(*m->get_layer("d2"));
  old_form["config"]["dtype"] = "mixed_bfloat16";  // a plain name, as older configs hold
  CHECK(layers::deserialize(old_form)->compute_dtype() == DType::bfloat16);
  // A Keras .keras file keeps the policies (the float32 last layer included).
  TempDir dir;
  m->save(dir.file("mixed.keras"));
  auto loaded = keras::models::load_model(dir.file("mixed.keras"));
  CHECK(loaded->get_layer("d1")->dtype_policy().name() == "mixed_float16");
  CHECK(loaded->get_layer("out")->dtype_policy().name() == "float32");
  Tensor x = tensor_of(fx.at("x"));
  check_values((*loaded)(x), values((*m)(x)), 0.0);
}

TEST_CASE("dtype policies: fit() under mixed_float16 and mixed_bfloat16 as Keras 3") {
  const keras::Value fx = fixture();
  const Tensor x = tensor_of(fx.at("x")), y = tensor_of(fx.at("y"));
  for (const std::string policy : {"mixed_float16", "mixed_bfloat16"}) {
    for (bool eager : {false, true}) {
      CAPTURE(policy);
      CAPTURE(eager);
      GlobalPolicy scope(policy);
      const keras::Value& want = fx.at(policy);
      auto m = make_model(fx);
      m->compile({.optimizer = opt::SGD({.learning_rate = 0.1}), .loss = "mse", .run_eagerly = eager});
      auto lso = std::dynamic_pointer_cast<opt::LossScaleOptimizer>(m->optimizer());
      CHECK((lso != nullptr) == (want.at("optimizer_class").as_string() == "LossScaleOptimizer"));
      auto hist = m->fit(x, y, {.batch_size = 8, .epochs = 1, .verbose = 0, .shuffle = false});
      CHECK(hist.history.at("loss")[0] == doctest::Approx(want.at("fit_loss").as_double()).epsilon(tolerance(policy)));
      std::vector<Tensor> w = m->get_weights();
      for (size_t i = 0; i < w.size(); ++i) {
        CAPTURE(i);
        CHECK(w[i].dtype() == DType::float32);
        check_values(w[i], flat_of(want.at("fit_weights").as_list()[i]), tolerance(policy));
      }
      if (lso) {
        CHECK(lso->dynamic_scale() == want.at("fit_scale").as_double());
        CHECK(lso->iterations() == 2);
      }
    }
  }
}

TEST_CASE("dtype policies: a LossScaleOptimizer inside fit's train step skips, halves and grows as Keras 3") {
  const keras::Value fx = fixture();
  const keras::Value& want = fx.at("mixed_float16");
  const Tensor x = tensor_of(fx.at("x")), y = tensor_of(fx.at("y"));
  for (bool eager : {false, true}) {
    CAPTURE(eager);
    GlobalPolicy scope("mixed_float16");
    auto m = make_model(fx);
    auto lso = std::make_shared<opt::LossScaleOptimizer>(opt::SGD({.learning_rate = 0.1}), 1048576.0, 2);
    m->compile({.optimizer = lso, .loss = "mse", .run_eagerly = eager});
    CHECK(m->optimizer() == lso);  // not wrapped twice
    for (int64_t i = 0; i < 8; ++i) {
      CAPTURE(i);
      m->train_on_batch({ops::slice(x, {2 * i, 0}, {2, 4})}, {ops::slice(y, {2 * i, 0}, {2, 2})});
      CHECK(lso->dynamic_scale() == want.at("lso_scales").as_list()[size_t(i)].as_double());
      CHECK(lso->iterations() == want.at("lso_iterations").as_list()[size_t(i)].as_int());
    }
    if (!eager) CHECK(m->train_function());  // the steps ran traced
    std::vector<Tensor> w = m->get_weights();
    for (size_t i = 0; i < w.size(); ++i) check_values(w[i], flat_of(want.at("lso_weights").as_list()[i]), 2e-3);
  }
}

TEST_CASE("dtype policies: BatchNormalization normalizes half inputs in float32, as Keras 3") {
  GlobalPolicy scope("mixed_float16");
  auto bn = layers::BatchNormalization();
  Tensor x = make(uniform(24, -3.0, 3.0), {6, 4});
  Tensor y = bn(x, true);
  CHECK(y.dtype() == DType::float16);
  for (const Variable& w : bn->weights()) CHECK(w.dtype() == DType::float32);
  // The same as a float32 layer on the float16-rounded input, rounded once to float16.
  auto ref = layers::BatchNormalization({.name = "bn_ref"});
  ref->set_dtype_policy("float32");
  Tensor want = ops::cast(ref(ops::cast(ops::cast(x, DType::float16), DType::float32), true), DType::float16);
  check_values(y, values(want), 0.0);
  check_values(bn->moving_mean, values(ref->moving_mean), 1e-7);
}

TEST_CASE("dtype policies: a Functional model under mixed_bfloat16 with a float32 output layer") {
  GlobalPolicy scope("mixed_bfloat16");
  auto in = keras::Input({3});
  auto h = layers::Dense(4, {.activation = "relu"})(in);
  CHECK(h.dtype() == DType::bfloat16);
  auto out = layers::Activation("softmax", {.dtype = "float32"})(layers::Dense(2)(h));
  CHECK(out.dtype() == DType::float32);
  auto m = keras::Functional({in}, {out});
  CHECK(m->dtype_policy().name() == "mixed_bfloat16");
  Tensor y = (*m)(ops::ones({5, 3}));
  CHECK(y.dtype() == DType::float32);
  m->compile({.optimizer = "sgd", .loss = "categorical_crossentropy"});
  CHECK_FALSE(std::dynamic_pointer_cast<opt::LossScaleOptimizer>(m->optimizer()));  // bfloat16: no loss scaling
  Tensor labels = ops::one_hot(core::constant(std::vector<int32_t>{0, 1, 0, 1, 1}), 2);
  auto hist = m->fit(ops::ones({5, 3}), labels, {.batch_size = 5, .epochs = 2, .verbose = 0});
  CHECK(std::isfinite(hist.history.at("loss")[1]));
}

TEST_CASE("dtype policies: LayerNormalization computes in float32 under mixed policies, as Keras 3") {
  GlobalPolicy scope("mixed_bfloat16");
  auto ln = layers::LayerNormalization();
  CHECK_FALSE(ln->autocast());  // Keras 3 sets autocast = False
  Tensor x = ops::cast(make(uniform(12, -3.0, 3.0), {3, 4}), DType::bfloat16);
  Tensor y = ln(x);
  CHECK(y.dtype() == DType::bfloat16);
  for (const Variable& w : ln->weights()) CHECK(w.dtype() == DType::float32);
  auto ref = layers::LayerNormalization({.name = "ln_ref"});
  ref->set_dtype_policy("float32");
  check_values(y, values(ops::cast(ref(ops::cast(x, DType::float32)), DType::bfloat16)), 0.0);
  // Not autocast: a float64 input is normalized in float64, the output in the compute dtype.
  CHECK(ln(ops::ones({2, 4}, DType::float64)).dtype() == DType::bfloat16);
}

TEST_CASE("dtype policies: a compiled mixed_float16 model saves and loads with its LossScaleOptimizer") {
  const keras::Value fx = fixture();
  GlobalPolicy scope("mixed_float16");
  const Tensor x = tensor_of(fx.at("x")), y = tensor_of(fx.at("y"));
  auto m = make_model(fx);
  m->compile({.optimizer = opt::Adam(), .loss = "mse"});
  m->fit(x, y, {.batch_size = 8, .epochs = 1, .verbose = 0});
  auto first = std::dynamic_pointer_cast<opt::LossScaleOptimizer>(m->optimizer());
  REQUIRE(first);
  CHECK(first->inner_optimizer()->iterations() == 2);
  // keras-cpp's own format keeps the compile state (its .keras files hold no compile_config).
  TempDir dir;
  m->save(dir.file("m.kcpp"));
  auto loaded = keras::models::load_model(dir.file("m.kcpp"));
  check_values((*loaded)(x), values((*m)(x)), 0.0);
  CHECK(loaded->get_layer("d1")->dtype_policy().name() == "mixed_float16");
  auto lso = std::dynamic_pointer_cast<opt::LossScaleOptimizer>(loaded->optimizer());
  REQUIRE(lso);
  CHECK(lso->iterations() == 2);
  CHECK(lso->dynamic_scale() == first->dynamic_scale());
  CHECK(lso->inner_optimizer()->iterations() == 2);  // the inner optimizer's state is saved too
  // Training resumes as the saved model's would (Adam's slots restored).
  loaded->fit(x, y, {.batch_size = 8, .epochs = 1, .verbose = 0, .shuffle = false});
  m->fit(x, y, {.batch_size = 8, .epochs = 1, .verbose = 0, .shuffle = false});
  CHECK(lso->iterations() == 4);
  check_values((*loaded)(x), values((*m)(x)), 0.0);
}
