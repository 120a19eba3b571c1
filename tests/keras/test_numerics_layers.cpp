// test_numerics_layers.cpp - NaN through Keras activations, Embedding's float ids, and
// BatchNormalization on an empty batch.
#include <limits>

#include "layer_harness.h"

using namespace th;
namespace layers = keras::layers;
namespace act = keras::activations;

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
}  // namespace

TEST_CASE("activations: NaN propagates through relu (all options), relu6, hard_sigmoid, hard_silu") {
  Tensor x = core::constant({kNaN, -1.0, 0.0, 2.0, 7.0, kInf, -kInf});
  check_values(act::relu(x), std::vector<double>{kNaN, 0, 0, 2, 7, kInf, 0});
  check_values(act::relu6(x), std::vector<double>{kNaN, 0, 0, 2, 6, 6, 0});
  check_values(act::relu(x, 0.0, 3.0), std::vector<double>{kNaN, 0, 0, 2, 3, 3, 0});
  check_values(act::relu(x, 0.1, 3.0), std::vector<double>{kNaN, -0.1, 0, 2, 3, 3, -kInf});
  check_values(act::relu(x, 0.1), std::vector<double>{kNaN, -0.1, 0, 2, 7, kInf, -kInf});
  check_values(act::relu(x, 0.0, std::nullopt, 0.5), std::vector<double>{kNaN, 0, 0, 2, 7, kInf, 0});
  check_values(act::hard_sigmoid(x), std::vector<double>{kNaN, 1.0 / 3, 0.5, 5.0 / 6, 1, 1, 0});
  check_values(act::hard_silu(x), std::vector<double>{kNaN, -1.0 / 3, 0, 5.0 / 3, 7, kInf, kNaN});
  check_values(act::elu(x), std::vector<double>{kNaN, std::expm1(-1.0), 0, 2, 7, kInf, -1});
  check_values(act::celu(x), std::vector<double>{kNaN, std::expm1(-1.0), 0, 2, 7, kInf, -1});
  check_values(act::hard_tanh(x), std::vector<double>{kNaN, -1, 0, 1, 1, 1, -1});
  check_values(act::sparse_sigmoid(x), std::vector<double>{kNaN, 0, 0.5, 1, 1, 1, 0});
  check_values(act::softplus(x).cpu(), std::vector<double>{kNaN, std::log1p(std::exp(-1.0)), std::log(2.0),
                                                           2 + std::log1p(std::exp(-2.0)),
                                                           7 + std::log1p(std::exp(-7.0)), kInf, 0});
  // Layers built on them too.
  check_values((*layers::ReLU())(core::constant({kNaN, -2.0})), std::vector<double>{kNaN, 0});
}

TEST_CASE("Embedding: a non-integral or NaN float id raises naming the value") {
  auto e = layers::Embedding(4, 2, {.name = "emb"});
  (*e)(core::constant({0}));
  e->set_weights({core::constant({{0.f, 1.f}, {2.f, 3.f}, {4.f, 5.f}, {6.f, 7.f}})});
  check_values((*e)(core::constant({1.0f, 3.0f})), std::vector<float>{2, 3, 6, 7});  // integral floats: fine
  CHECK_THROWS_MSG((*e)(core::constant({1.0, kNaN})), core::ConversionError,
                   "emb: expected integer ids, but received cast_exact: cannot convert nan to dtype int32");
  CHECK_THROWS_MSG((*e)(core::constant({2.5f, 0.0f})), core::ConversionError, "2.5");
  CHECK_THROWS_MSG((*e)(core::constant({5e9}, DType::float64)), core::ConversionError, "5000000000");
  CHECK_THROWS_MSG((*e)(core::constant({4.0f})), std::invalid_argument, "emb: expected ids in [0, 4)");
  // Inside a traced function the check runs with the graph.
  auto f = keras::function([&](const Tensor& ids) { return (*e)(ids); });
  check_values(f(core::constant({2.0f})), std::vector<float>{4, 5});
  CHECK_THROWS_MSG(f(core::constant({kNaN})), core::ConversionError, "cannot convert nan");
}

TEST_CASE("BatchNormalization: a training call on an empty batch leaves the moving statistics") {
  auto bn = layers::BatchNormalization();
  Tensor x = core::constant({{1.f, 2.f}, {3.f, 6.f}});
  (*bn)(x, true);
  std::vector<double> mean = values(bn->moving_mean.value()), var = values(bn->moving_variance.value());
  Tensor empty = ops::zeros({0, 2});
  Tensor y = (*bn)(empty, true);
  CHECK(y.shape() == Shape{0, 2});
  check_values(bn->moving_mean.value(), mean);
  check_values(bn->moving_variance.value(), var);
  // and in a traced training step
  auto step = keras::function([&](const Tensor& v) { return (*bn)(v, true); });
  CHECK(step(empty).shape() == Shape{0, 2});
  check_values(bn->moving_mean.value(), mean);
  check_values(bn->moving_variance.value(), var);
}

// AddressSanitizer aborts on a huge allocation instead of returning null.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif

TEST_CASE("add_weight: out of memory names the layer's weight, its shape and the bytes" *
          doctest::skip(kAddressSanitizer)) {
  auto d = layers::Dense(int64_t{1} << 44, {.name = "huge"});  // 4 x 2^44 float32: 256 TiB
  try {
    (*d)(ops::zeros({1, 4}));
    FAIL("expected OutOfMemoryError");
  } catch (const core::OutOfMemoryError& e) {
    const std::string m = e.what();
    CHECK(m.find("huge/kernel: cannot create the weight of shape (4, 17592186044416)") != std::string::npos);
    CHECK(m.find("281474976710656 bytes") != std::string::npos);
  }
}
