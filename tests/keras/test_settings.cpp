// test_settings.cpp - keras::config (keras/settings.h): epsilon and floatx change what
// Keras 3 says they change (numbers from Keras 3.15 with the same settings), and bad
// values raise. (image_data_format: tests/keras/test_channels_first.cpp.)
#include <stdexcept>

#include "helpers.h"
#include "keras/keras.h"

using namespace th;
namespace layers = keras::layers;

namespace {
// Restores the defaults when a test ends, however it ends.
struct Defaults {
  ~Defaults() {
    keras::config::set_epsilon(1e-7);
    keras::config::set_floatx("float32");
    keras::mixed_precision::clear_global_policy();
  }
};
float loss_value(const keras::losses::LossPtr& loss, const Tensor& y, const Tensor& p) {
  return (*loss)(y, p).item<float>();
}
}  // namespace

TEST_CASE("keras::config::set_epsilon: the losses' clipping and guards use it, as Keras's") {
  Defaults restore;
  const Tensor y = core::constant(std::vector<float>{1, 0, 1}, Shape{1, 3});
  const Tensor p = core::constant(std::vector<float>{0, 1, 0.5f}, Shape{1, 3});
  CHECK(keras::config::epsilon() == doctest::Approx(1e-7));
  CHECK(loss_value(keras::losses::get("binary_crossentropy"), y, p) == doctest::Approx(10.917874336).epsilon(1e-5));
  keras::config::set_epsilon(1e-3);
  CHECK(keras::config::epsilon() == doctest::Approx(1e-3));
  CHECK(loss_value(keras::losses::get("binary_crossentropy"), y, p) == doctest::Approx(4.836223602).epsilon(1e-5));
  CHECK(loss_value(keras::losses::get("categorical_crossentropy"), core::constant(std::vector<float>{0, 1, 0}, Shape{1, 3}),
                   core::constant(std::vector<float>{1, 0, 0}, Shape{1, 3})) == doctest::Approx(6.907755374).epsilon(1e-5));
  CHECK(loss_value(keras::losses::get("mean_absolute_percentage_error"), core::constant(std::vector<float>{0, 2}, Shape{1, 2}),
                   core::constant(std::vector<float>{1, 1}, Shape{1, 2})) == doctest::Approx(50024.996).epsilon(1e-5));
  CHECK_THROWS_WITH_AS(keras::config::set_epsilon(0), doctest::Contains("finite positive"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(keras::config::set_epsilon(std::nan("")), doctest::Contains("finite positive"),
                       std::invalid_argument);
  CHECK(keras::config::epsilon() == doctest::Approx(1e-3));
}

TEST_CASE("keras::config::set_floatx: the default dtype policy of layers, until a policy is set") {
  Defaults restore;
  CHECK(keras::config::floatx() == "float32");
  keras::mixed_precision::clear_global_policy();  // (other tests set one)
  keras::config::set_floatx("float64");
  CHECK(keras::config::floatx() == "float64");
  CHECK(keras::mixed_precision::global_policy().name() == "float64");
  auto dense = layers::Dense(2);
  (*dense)(ops::ones({1, 3}));
  CHECK(dense->kernel.value().dtype() == DType::float64);
  CHECK(dense->dtype_policy().compute_dtype() == DType::float64);
  // An explicit global policy wins over floatx, as Keras's set_dtype_policy.
  keras::mixed_precision::set_global_policy("mixed_float16");
  CHECK(keras::mixed_precision::global_policy().name() == "mixed_float16");
  keras::mixed_precision::clear_global_policy();
  CHECK(keras::mixed_precision::global_policy().name() == "float64");
  CHECK_THROWS_WITH_AS(keras::config::set_floatx("int32"),
                       doctest::Contains("Unknown `floatx` value: int32"), std::invalid_argument);
  CHECK(keras::config::floatx() == "float64");
}
