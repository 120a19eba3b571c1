#include "layer_harness.h"

using namespace th;
namespace layers = keras::layers;

TEST_CASE("layer harness: Dense" * doctest::test_suite("layer_harness")) {
  run_layer_test({"dense", [] { return layers::Dense(4, {.activation = "relu"}); }, {Shape{3, 5}}, {},
                  {3, 4}, 2, 2});
  run_layer_test({"dense 3-d", [] { return layers::Dense(2, {.use_bias = false}); }, {Shape{2, 3, 5}}, {},
                  {2, 3, 2}, 1, 1});
}

TEST_CASE("Dense: parameter count, default names, input spec errors") {
  layers::reset_uids();
  auto d = layers::Dense(300);
  CHECK(d->name() == "dense");
  CHECK(layers::Dense(10)->name() == "dense_1");
  (*d)(ops::zeros({2, 784}));
  CHECK(d->count_params() == 235500);
  CHECK_THROWS_MSG((*d)(ops::zeros({32, 100})), std::invalid_argument,
                   "dense: expected axis -1 of input shape to have value 784, but received input with shape (32, 100)");
  CHECK_THROWS_MSG(layers::Dense(0), std::invalid_argument, "expected units > 0, but received 0");
  CHECK_THROWS_MSG((*layers::Dense(3))(ops::zeros({4})), std::invalid_argument, "expected min_ndim=2");
}

TEST_CASE("Dense: activation as a string, a function or a lambda; regularizers add losses") {
  Tensor x = core::constant({{1.0f, -2.0f}});
  auto a = layers::Dense(1, {.activation = "relu", .kernel_initializer = "ones"});
  check_values((*a)(x), std::vector<float>{0});
  auto b = layers::Dense(1, {.activation = [](const Tensor& t) { return ops::multiply(t, t); },
                             .kernel_initializer = "ones"});
  check_values((*b)(x), std::vector<float>{1});
  auto c = layers::Dense(1, {.kernel_initializer = "ones", .kernel_regularizer = "l2"});
  (*c)(x);
  REQUIRE(c->losses().size() == 1);
  check_values(c->losses()[0], std::vector<float>{0.02f});  // 0.01 * (1 + 1)
}

TEST_CASE("trainable = false freezes a layer's weights") {
  auto d = layers::Dense(3);
  (*d)(ops::zeros({1, 2}));
  d->set_trainable(false);
  CHECK(d->trainable_weights().empty());
  CHECK(d->non_trainable_weights().size() == 2);
  d->set_trainable(true);
  CHECK(d->trainable_weights().size() == 2);
}

TEST_CASE("get_weights / set_weights check shapes") {
  auto d = layers::Dense(2, {.kernel_initializer = "zeros"});
  (*d)(ops::zeros({1, 3}));
  auto w = d->get_weights();
  REQUIRE(w.size() == 2);
  d->set_weights({ops::ones({3, 2}), ops::ones({2})});
  check_values((*d)(ops::ones({1, 3})), std::vector<float>{4, 4});
  CHECK_THROWS_MSG(d->set_weights({ops::ones({2, 2}), ops::ones({2})}), std::invalid_argument,
                   "expects shape (3, 2)");
  CHECK_THROWS_MSG(d->set_weights({ops::ones({3, 2})}), std::invalid_argument, "expected 2 arrays");
}
