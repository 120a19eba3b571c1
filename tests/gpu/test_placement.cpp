// test_placement.cpp - device placement (core/device_scope.h, Model::to): scopes, the
// default device, what follows them, and the errors for devices that do not exist. The
// tests that place on a GPU report skipped on machines without one.
#include <string>
#include <thread>
#include <vector>

#include "keras/keras.h"
#include "helpers.h"
#include "skips.h"

using namespace th;
using core::Device;
namespace layers = keras::layers;

namespace {
bool no_gpu() { return th::skip_without("gpu", core::cuda_device_count() > 0); }

keras::Ref<keras::SequentialModel> small_model() {
  auto m = keras::Sequential({layers::Dense(4, {.activation = "relu", .input_shape = {3}}), layers::Dense(1)});
  m->compile({.optimizer = keras::optimizers::get("adam"), .loss = "mse", .metrics = {"mae"}});
  return m;
}

void check_all_on(const keras::Ref<keras::SequentialModel>& m, Device d) {
  for (const auto& w : m->weights()) CHECK_MESSAGE(w.value().device() == d, w.name());
  for (const auto& v : m->optimizer()->variables()) CHECK_MESSAGE(v.value().device() == d, v.name());
}
}  // namespace

TEST_CASE("placement: the CPU is the default; scopes nest, restore and are per thread") {
  CHECK(keras::current_device() == Device::cpu());
  CHECK(keras::default_device() == Device::cpu());
  CHECK_FALSE(core::in_device_scope());
  {
    keras::DeviceScope outer(Device::cpu());
    CHECK(core::in_device_scope());
    CHECK(keras::current_device() == Device::cpu());
    bool other_thread_scoped = true;
    std::thread([&] { other_thread_scoped = core::in_device_scope(); }).join();
    CHECK_FALSE(other_thread_scoped);
    {
      keras::DeviceScope inner(Device::cpu());
      CHECK(core::ops::zeros({2}).device() == Device::cpu());
    }
    CHECK(core::in_device_scope());
  }
  CHECK_FALSE(core::in_device_scope());
  // The callable form returns what the callable does.
  Tensor t = keras::with_device(Device::cpu(), [] { return core::ops::ones({3}); });
  CHECK(t.device() == Device::cpu());
  keras::set_default_device(Device::cpu());
  CHECK(keras::default_device() == Device::cpu());
}

TEST_CASE("placement: a GPU that does not exist is refused by name, and nothing changes") {
  const int n = core::cuda_device_count();
  const std::string missing = "GPU:" + std::to_string(n) + " does not exist";
  const std::string count = "(" + std::to_string(n) + " CUDA devices visible";
  CHECK_THROWS_MSG(keras::DeviceScope(Device::cuda(n)), std::invalid_argument, missing.c_str());
  CHECK_THROWS_MSG(keras::DeviceScope(Device::cuda(n)), std::invalid_argument, count.c_str());
  CHECK_THROWS_MSG(keras::set_default_device(Device::cuda(n)), std::invalid_argument,
                   ("set_default_device: device " + missing.substr(0)).c_str());
  CHECK_FALSE(core::in_device_scope());
  CHECK(keras::current_device() == Device::cpu());
  auto m = small_model();
  Tensor x = ops::ones({8, 3}), y = ops::zeros({8, 1});
  m->fit(x, y, {.batch_size = 4, .epochs = 1, .verbose = 0});
  CHECK_THROWS_MSG(m->to(Device::cuda(n)), std::invalid_argument, missing.c_str());
  check_all_on(m, Device::cpu());
  CHECK(m->device() == Device::cpu());
  m->to(Device::cpu());  // where it is: nothing moves
  check_all_on(m, Device::cpu());
  m->fit(x, y, {.batch_size = 4, .epochs = 1, .verbose = 0});
}

TEST_CASE("placement: creation ops, variables, weights and optimizer state follow a GPU scope" *
          doctest::skip(no_gpu())) {
  const Device gpu = Device::cuda(0);
  keras::DeviceScope scope(gpu);
  CHECK(keras::current_device() == gpu);
  CHECK(ops::zeros({2, 3}).device() == gpu);
  CHECK(ops::arange(5).device() == gpu);
  CHECK(ops::random_uniform({4}).device() == gpu);
  CHECK(core::constant({1.0f, 2.0f}).device() == Device::cpu());  // host values stay
  keras::Variable v(core::constant({1.0f, 2.0f}), "v");
  CHECK(v.value().device() == gpu);
  v.assign(core::constant({3.0f, 4.0f}));  // a host value is copied to the variable
  CHECK(v.value().device() == gpu);
  CHECK(v.value().to_vector<float>() == std::vector<float>{3, 4});
  {
    keras::DeviceScope cpu(Device::cpu());
    CHECK(ops::zeros({2}).device() == Device::cpu());
  }
  auto m = small_model();
  Tensor x = ops::ones({8, 3}).cpu(), y = ops::zeros({8, 1}).cpu();
  m->fit(x, y, {.batch_size = 4, .epochs = 1, .verbose = 0});  // batches copied to the GPU
  check_all_on(m, gpu);
  // An op mixing devices names both.
  CHECK_THROWS_MSG(ops::add(ops::zeros({2}), core::constant({1.0f, 2.0f})), std::invalid_argument,
                   "input 0 is on GPU:0 and input 1 is on CPU:0");
}

TEST_CASE("placement: model.to moves a trained model and training goes on as on the CPU" *
          doctest::skip(no_gpu())) {
  ops::set_random_seed(7);
  Tensor x = ops::random_uniform({32, 3}), y = ops::random_uniform({32, 1});
  auto on_cpu = small_model(), moved = small_model();
  moved->set_weights(on_cpu->get_weights());
  on_cpu->fit(x, y, {.batch_size = 8, .epochs = 2, .verbose = 0, .shuffle = false});
  moved->fit(x, y, {.batch_size = 8, .epochs = 1, .verbose = 0, .shuffle = false});
  moved->to(Device::cuda(0));
  check_all_on(moved, Device::cuda(0));
  CHECK(moved->device() == Device::cuda(0));
  moved->fit(x, y, {.batch_size = 8, .epochs = 1, .verbose = 0, .shuffle = false});
  const auto a = on_cpu->get_weights(), b = moved->get_weights();
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) check_values(b[i].cpu(), values(a[i]), 1e-5);
  moved->to(Device::cpu());
  check_all_on(moved, Device::cpu());
}

TEST_CASE("placement: an eager call of a model on the GPU copies CPU inputs there, as TensorFlow does" *
          doctest::skip(no_gpu())) {
  ops::set_random_seed(9);
  Tensor x = ops::random_uniform({5, 3});
  auto on_cpu = small_model(), on_gpu = small_model();
  on_cpu->build({{-1, 3}});
  on_gpu->build({{-1, 3}});
  on_gpu->set_weights(on_cpu->get_weights());
  on_gpu->to(Device::cuda(0));
  const Tensor y = (*on_gpu)(x);  // x lives on the CPU
  CHECK(y.device() == Device::cuda(0));
  check_values(y.cpu(), values((*on_cpu)(x)), 1e-5);
  // Nested layers see the placed inputs (only the outermost call copies).
  CHECK((*on_gpu)(x.to(Device::cuda(0))).device() == Device::cuda(0));
}
