// test_adaptive_pooling.cpp - AdaptiveAveragePooling1D/2D/3D and AdaptiveMaxPooling1D/2D/3D:
// the layer harness, Keras 3's outputs (numbers from Keras 3.15), channels_first, configs
// and errors.
#include <cmath>
#include <stdexcept>

#include "layer_harness.h"

using namespace th;
namespace layers = keras::layers;

namespace {
// numpy's (arange(n, dtype=float32) * step) % mod, in float32.
Tensor pattern(const Shape& s, float step, float mod) {
  std::vector<double> v;
  for (int64_t i = 0; i < s.num_elements(); ++i) v.push_back(std::fmod(float(i) * step, mod));
  return make(v, s, DType::float32);
}
}  // namespace

TEST_CASE("adaptive pooling: the layer harness" * doctest::test_suite("layer_harness")) {
  run_layer_test({"adaptive_average_pooling1d", [] { return layers::AdaptiveAveragePooling1D(3); }, {Shape{2, 7, 2}},
                  {}, {2, 3, 2}});
  run_layer_test({"adaptive_average_pooling2d", [] { return layers::AdaptiveAveragePooling2D({2, 3}); },
                  {Shape{2, 5, 7, 2}}, {}, {2, 2, 3, 2}});
  run_layer_test({"adaptive_average_pooling3d", [] { return layers::AdaptiveAveragePooling3D(2); },
                  {Shape{1, 3, 4, 5, 1}}, {}, {1, 2, 2, 2, 1}});
  run_layer_test({"adaptive_max_pooling1d", [] { return layers::AdaptiveMaxPooling1D(4); }, {Shape{2, 9, 1}}, {},
                  {2, 4, 1}});
  run_layer_test({"adaptive_max_pooling2d channels_first",
                  [] { return layers::AdaptiveMaxPooling2D(2, {.data_format = "channels_first"}); },
                  {Shape{2, 3, 5, 5}}, {}, {2, 3, 2, 2}});
  run_layer_test({"adaptive_max_pooling3d", [] { return layers::AdaptiveMaxPooling3D({1, 2, 3}); },
                  {Shape{1, 2, 3, 5, 2}}, {}, {1, 1, 2, 3, 2}});
}

TEST_CASE("adaptive pooling: Keras 3's outputs") {
  Tensor x2 = pattern({1, 5, 7, 2}, 0.37f, 5.0f);
  check_values((*layers::AdaptiveAveragePooling2D({2, 3}))(x2),
               std::vector<double>{0.92, 1.29, 2.4, 2.77, 3.88, 3.694444, 1.280001, 1.65, 2.76, 3.13, 3.684444,
                                   2.943334},
               2e-5);
  check_values((*layers::AdaptiveMaxPooling2D({2, 3}))(x2),
               std::vector<double>{1.84, 2.21, 3.32, 3.69, 4.8, 4.99, 2.200001, 2.57, 3.68, 4.050001, 4.98, 4.790001},
               2e-5);
  Tensor x1 = pattern({2, 7, 1}, 1.7f, 3.0f);
  check_values((*layers::AdaptiveAveragePooling1D(3))(x1), std::vector<double>{0.7, 1.1, 1.5, 1.6, 1.0, 1.400001},
               2e-5);
  check_values((*layers::AdaptiveMaxPooling1D(3))(x1), std::vector<double>{1.7, 2.1, 2.5, 2.9, 2.0, 2.400002}, 2e-5);
  check_values((*layers::AdaptiveAveragePooling3D({1, 2, 2}))(pattern({1, 2, 3, 5, 1}, 0.9f, 4.0f)),
               std::vector<double>{1.9, 2.033333, 2.066666, 1.866666}, 2e-5);
  // channels_first: the same numbers on the transposed input
  Tensor cf = (*layers::AdaptiveAveragePooling2D({2, 3}, {.data_format = "channels_first"}))(
      ops::transpose(x2, {0, 3, 1, 2}));
  CHECK(cf.shape() == Shape{1, 2, 2, 3});
  check_values(ops::transpose(cf, {0, 2, 3, 1}), values((*layers::AdaptiveAveragePooling2D({2, 3}))(x2)), 1e-6);
}

TEST_CASE("adaptive pooling: configs as Keras's, and errors") {
  keras::Config c = layers::AdaptiveMaxPooling2D(4)->get_config();
  CHECK(c.at("output_size").as_ints() == std::vector<int64_t>{4, 4});
  CHECK(c.at("data_format").as_string() == "channels_last");
  CHECK(layers::AdaptiveMaxPooling2D(4)->name().rfind("adaptive_max_pooling2d", 0) == 0);
  CHECK_THROWS_WITH_AS(layers::AdaptiveAveragePooling2D({2, 3, 4}), doctest::Contains("output_size"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(layers::AdaptiveAveragePooling1D(0), doctest::Contains("output_size"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(layers::AdaptiveMaxPooling1D(2, {.data_format = "nhwc"}), doctest::Contains("nhwc"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS((*layers::AdaptiveMaxPooling2D(2))(ops::zeros({2, 3, 4})), doctest::Contains("ndim=4"),
                       std::invalid_argument);
}
