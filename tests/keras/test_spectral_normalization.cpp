// test_spectral_normalization.cpp - SpectralNormalization: the layer harness, Keras 3's
// outputs and updated weights after a training call (tests/data/norm/spectral_*.npz,
// written by tests/data/npz/make_spectral_fixtures.py), eager and traced fit, the
// spectral norm it reaches, save and load, and errors.
#include <functional>
#include <map>
#include <stdexcept>

#include "files.h"
#include "layer_harness.h"
#include "test_data_dir.h"

using namespace th;
namespace layers = keras::layers;

namespace {
std::map<std::string, Tensor> load(const std::string& name) {
  std::map<std::string, Tensor> a;
  for (auto& [k, v] : core::load_npz(std::string(KERAS_TEST_DATA_DIR) + "/norm/spectral_" + name + ".npz")) a[k] = v;
  return a;
}

// The layer's weight whose name ends in "/<base>".
keras::Variable weight(const keras::LayerPtr& l, const std::string& base) {
  for (const keras::Variable& v : l->weights())
    if (v.name().size() > base.size() && v.name().substr(v.name().size() - base.size() - 1) == "/" + base) return v;
  FAIL("no weight " << base);
  return {};
}

// The largest singular value of a (m, n) matrix, by many power iterations.
double spectral_norm(const Tensor& w) {
  Tensor u = ops::ones({1, w.shape()[1]}, w.dtype());
  for (int i = 0; i < 200; ++i) {
    Tensor v = ops::normalize(ops::matmul(u, w, false, true), -1);
    u = ops::normalize(ops::matmul(v, w), -1);
  }
  Tensor v = ops::normalize(ops::matmul(u, w, false, true), -1);
  return ops::matmul(ops::matmul(v, w), u, false, true).item<double>();
}
}  // namespace

TEST_CASE("SpectralNormalization: the layer harness" * doctest::test_suite("layer_harness")) {
  run_layer_test({"spectral_normalization dense", [] { return layers::SpectralNormalization(layers::Dense(3)); },
                  {Shape{4, 5}}, {}, {4, 3}, 3, 2});
  run_layer_test({"spectral_normalization conv",
                  [] { return layers::SpectralNormalization(layers::Conv2D(2, 3), {.power_iterations = 2}); },
                  {Shape{2, 5, 5, 1}}, {}, {2, 3, 3, 2}, 3, 2});
}

TEST_CASE("SpectralNormalization: Keras 3's outputs and weights after a training call, then in inference") {
  const std::vector<std::pair<std::string, std::function<keras::LayerPtr()>>> cases = {
      {"dense", [] { return layers::SpectralNormalization(layers::Dense(3)); }},
      {"conv_iterations",
       [] { return layers::SpectralNormalization(layers::Conv2D(2, 3), {.power_iterations = 3}); }},
      {"embedding", [] { return layers::SpectralNormalization(layers::Embedding(6, 4)); }},
  };
  for (const auto& [name, make_layer] : cases) {
    CAPTURE(name);
    auto a = load(name);
    keras::LayerPtr l = make_layer();
    (*l)(a.at("x"), false);  // builds
    for (const auto& [key, value] : a)
      if (key.rfind("w_", 0) == 0) weight(l, key.substr(2)).assign(value);
    check_values((*l)(a.at("x"), true), values(a.at("y_train")), 2e-5);
    for (const auto& [key, value] : a)
      if (key.rfind("after_", 0) == 0) {
        CAPTURE(key);
        check_values(weight(l, key.substr(6)).value(), values(value), 2e-5);
      }
    check_values((*l)(a.at("x"), false), values(a.at("y_infer")), 2e-5);
  }
}

TEST_CASE("SpectralNormalization: training drives the kernel's spectral norm to 1, eager and traced fit alike") {
  auto make_model = [](bool traced) {
    auto in = keras::Input({6});
    auto sn = layers::SpectralNormalization(layers::Dense(4, {.kernel_initializer = keras::initializers::get("ones")}),
                                            {.power_iterations = 2});
    auto out = layers::Dense(1, {.kernel_initializer = keras::initializers::get("ones")})(sn(in));
    auto model = keras::Functional({in}, {out});
    model->compile({.optimizer = "sgd", .loss = "mse", .run_eagerly = !traced});
    return std::make_pair(model, sn);
  };
  Tensor x = make(uniform(32 * 6, -1, 1, 3), Shape{32, 6}), y = make(uniform(32, -1, 1, 4), Shape{32, 1});
  std::vector<std::vector<double>> kernels;
  for (bool traced : {false, true}) {
    auto [model, sn] = make_model(traced);
    sn->vector_u.assign(ops::ones({1, 4}));  // the same start in both runs
    model->fit({x}, {y}, {.batch_size = 8, .epochs = 3, .verbose = 0, .shuffle = false});
    CHECK(spectral_norm(sn->kernel.value()) == doctest::Approx(1.0).epsilon(0.05));
    kernels.push_back(values(sn->kernel.value()));
  }
  REQUIRE(kernels[0].size() == kernels[1].size());
  for (size_t i = 0; i < kernels[0].size(); ++i) CHECK(kernels[0][i] == doctest::Approx(kernels[1][i]).epsilon(1e-5));
}

TEST_CASE("SpectralNormalization: an all-zero kernel stays; config, save and load; errors") {
  auto sn = layers::SpectralNormalization(layers::Dense(2, {.kernel_initializer = keras::initializers::get("zeros")}));
  Tensor x = ops::ones({3, 4});
  (*sn)(x, true);
  CHECK(values(sn->kernel.value()) == std::vector<double>(8, 0.0));

  auto in = keras::Input({4});
  auto model = keras::Functional({in}, {layers::SpectralNormalization(layers::Dense(3), {.power_iterations = 2})(in)});
  keras::Config c = model->get_layer(1)->get_config();
  CHECK(c.at("power_iterations").as_int() == 2);
  CHECK(c.at("layer").at("class_name").as_string() == "Dense");
  TempDir dir;
  for (const char* file : {"m.keras", "m.kcpp"}) {
    CAPTURE(file);
    model->save(dir.file(file));
    keras::ModelPtr loaded = keras::models::load_model(dir.file(file));
    check_values(loaded->predict({x}, {.verbose = 0})[0], values(model->predict({x}, {.verbose = 0})[0]), 1e-6);
    CHECK(loaded->get_layer(1)->weights().size() == 3);
  }
  CHECK_THROWS_WITH_AS(layers::SpectralNormalization(layers::Dense(2), {.power_iterations = 0}),
                       doctest::Contains("power_iterations=0"), std::invalid_argument);
  CHECK_THROWS_WITH_AS((*layers::SpectralNormalization(layers::Flatten()))(ops::ones({2, 3, 2}), false),
                       doctest::Contains("no weight named kernel nor embeddings"), std::invalid_argument);
}
