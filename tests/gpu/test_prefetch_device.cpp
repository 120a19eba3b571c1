// test_prefetch_device.cpp - Dataset::prefetch_to_device: the same elements, in order,
// on the target device (the GPU cases report skipped on machines without one), and the
// errors for bad arguments.
#include <string>
#include <vector>

#include "keras/keras.h"
#include "helpers.h"
#include "skips.h"

using namespace th;
using core::Device;
namespace data = keras::data;
namespace layers = keras::layers;

namespace {
bool no_gpu() { return th::skip_without("gpu", core::cuda_device_count() > 0); }

data::Dataset pipeline() {
  Tensor x = ops::reshape(ops::arange(0.0, 60.0), {20, 3});
  Tensor y = ops::cast(ops::arange(0.0, 20.0), DType::int32);
  return data::Dataset::from_tensor_slices({{"x", x}, {"y", y}}).shuffle(20, {.seed = 3, .reshuffle_each_iteration = false}).batch(6);
}

// Every element of `got` equals the one of `want` at the same position, on `device`.
void check_same_elements(const data::Dataset& want, const data::Dataset& got, Device device) {
  std::vector<data::Element> a, b;
  for (const data::Element& e : want) a.push_back(e);
  for (const data::Element& e : got) b.push_back(e);
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    CHECK(b[i].names() == a[i].names());
    REQUIRE(b[i].size() == a[i].size());
    for (size_t c = 0; c < a[i].size(); ++c) {
      CHECK(b[i][c].device() == device);
      CHECK(b[i][c].dtype() == a[i][c].dtype());
      CHECK(b[i][c].shape() == a[i][c].shape());
      CHECK(values(b[i][c].to(Device::cpu())) == values(a[i][c]));
    }
  }
}
}  // namespace

TEST_CASE("device prefetch: to the CPU it is a prefetch (same elements, same order, names kept)") {
  check_same_elements(pipeline(), pipeline().prefetch_to_device(Device::cpu()), Device::cpu());
  check_same_elements(pipeline(), pipeline().prefetch_to_device(Device::cpu(), 1), Device::cpu());
  // A pass that stops early joins its thread; the dataset iterates again from the start.
  data::Dataset ds = pipeline().prefetch_to_device(Device::cpu(), 3);
  for (const data::Element& e : ds) {
    CHECK(e.size() == 2);
    break;
  }
  check_same_elements(pipeline(), ds, Device::cpu());
  CHECK(ds.cardinality() == pipeline().cardinality());
}

TEST_CASE("device prefetch: string components stay on the CPU; bad arguments are refused by name") {
  data::Dataset words = data::Dataset::from_tensor_slices(core::constant(std::vector<std::string>{"a", "bc", "def"})).batch(2);
  std::vector<std::string> seen;
  for (const data::Element& e : words.prefetch_to_device(Device::cpu()))
    for (const std::string& s : e[0].to_vector<std::string>()) seen.push_back(s);
  CHECK(seen == std::vector<std::string>{"a", "bc", "def"});
  CHECK_THROWS_MSG(pipeline().prefetch_to_device(Device::cpu(), -2), std::invalid_argument,
                   "prefetch_to_device: expected buffer_size >= 1 or AUTOTUNE (-1), but received -2");
  const int n = core::cuda_device_count();
  const std::string missing = "GPU:" + std::to_string(n) + " does not exist";
  CHECK_THROWS_MSG(pipeline().prefetch_to_device(Device::cuda(n)), std::invalid_argument, missing.c_str());
}

TEST_CASE("device prefetch: elements arrive on the GPU, equal, and a model on the GPU fits from them" *
          doctest::skip(no_gpu())) {
  check_same_elements(pipeline(), pipeline().prefetch_to_device(Device::cuda(0)), Device::cuda(0));
  check_same_elements(pipeline(), pipeline().prefetch_to_device(Device::cuda(0), 5), Device::cuda(0));
  // Many passes in a row: pinned blocks and copy events are reused, the values stay right.
  data::Dataset ds = pipeline().prefetch_to_device(Device::cuda(0), 2);
  for (int pass = 0; pass < 20; ++pass) check_same_elements(pipeline(), ds, Device::cuda(0));

  // The same fit from CPU batches and from device-prefetched ones gives the same weights.
  auto fitted = [](bool prefetch) {
    keras::DeviceScope scope(Device::cuda(0));
    ops::set_random_seed(5);
    auto m = keras::Sequential({layers::Dense(4, {.activation = "relu", .input_shape = {3}}), layers::Dense(1)});
    m->compile({.optimizer = keras::optimizers::get("sgd"), .loss = "mse"});
    Tensor x = ops::reshape(ops::arange(0.0f, 1.2f, 0.01f), {40, 3});
    Tensor y = ops::sum(x, {1}, true);
    data::Dataset ds = data::Dataset::from_tensor_slices({x, y}).batch(8);
    m->fit(prefetch ? ds.prefetch_to_device(Device::cuda(0)) : ds, {.epochs = 3, .verbose = 0});
    std::vector<double> w;
    for (const auto& v : m->weights())
      for (double d : values(v.value().to(Device::cpu()))) w.push_back(d);
    return w;
  };
  CHECK(fitted(true) == fitted(false));
}
