// test_cuda_sync.cpp - no host synchronisation inside a traced train step on the GPU: the
// optimizer kernels read the learning rate and the iteration on the device, the random ops
// derive their seed there, so a step of an MLP with Dropout queues its kernels and returns
// without reading device memory. Counted by the CUDA backend's device_to_host_copies
// (core/cuda_backend.h: every device-to-host copy). train_on_batch returns its logs, which
// are read back (one copy per logged value, as Keras's logs are numbers): the steps may
// add exactly those and nothing else. Nor may they upload from pageable host memory
// (host_to_device_copies: CUDA waits for the device before such a copy): the step's
// constants were captured on the device when it was traced. Skipped without a GPU.
#include <string>

#include "core/cuda_backend.h"
#include "helpers.h"
#include "keras/keras.h"
#include "skips.h"

using namespace th;
using core::Device;
namespace layers = keras::layers;

namespace {
bool no_gpu() { return th::skip_without("gpu", core::cuda_device_count() > 0); }
}  // namespace

TEST_CASE("cuda no host sync: traced train steps of an MLP with Dropout read back only their logs" *
          doctest::skip(no_gpu())) {
  const Device gpu = Device::cuda(0);
  for (const std::string opt : {"adam", "rmsprop", "nadam", "adamw", "sgd"}) {
    CAPTURE(opt);
    keras::DeviceScope scope(gpu);
    auto m = keras::Sequential({layers::Dense(32, {.activation = "relu", .input_shape = {8}}),
                                layers::Dropout(0.25, {.seed = 3}),  // a counter input: seed derived on the GPU
                                layers::Dense(16, {.activation = "relu"}),
                                layers::Dropout(0.1),  // unseeded: the seed is drawn on the host
                                layers::Dense(4)});
    m->compile({.optimizer = keras::optimizers::get(opt), .loss = "mse"});
    const Tensor x = ops::random_uniform({16, 8}, {.seed = 1}), y = ops::random_uniform({16, 4}, {.seed = 2});
    REQUIRE(x.device() == gpu);
    for (int i = 0; i < 2; ++i) m->train_on_batch({x}, {y});  // builds, traces, first uses
    const Tensor w0 = m->trainable_weights()[0].value();
    REQUIRE(w0.device() == gpu);
    const std::vector<float> before_w = w0.to_vector<float>();
    keras::gpu::synchronize(0);
    const size_t before = core::cuda::device_to_host_copies(0);
    const size_t uploads_before = core::cuda::host_to_device_copies(0);
    size_t logged = 0;
    const int steps = 5;
    for (int i = 0; i < steps; ++i) logged += m->train_on_batch({x}, {y}).size();
    const size_t copies = core::cuda::device_to_host_copies(0) - before;
    const size_t uploads = core::cuda::host_to_device_copies(0) - uploads_before;
    CHECK(logged == size_t(steps));  // {"loss"} per step
    CHECK_MESSAGE(copies == logged, copies << " device-to-host copies in " << steps << " steps, " << logged
                                           << " of them the logs");
    CHECK_MESSAGE(uploads == 0, uploads << " synchronous host-to-device copies in " << steps << " steps");
    // The steps trained: the first kernel moved.
    CHECK(m->trainable_weights()[0].value().to_vector<float>() != before_w);
  }
}
