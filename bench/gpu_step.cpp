// gpu_step.cpp - the GPU benchmarks of issue 13, each against the hardware measured in
// the same program on GPU:0 (no peer framework runs on the GPU machine):
//  - "mlp_step": the Fashion-MNIST MLP 784-300-100-10's Adam train step at batch 256 and
//    1024 (fit() over device-resident random data, traced steps, no shuffle, verbose 0;
//    wall time per step with the device synchronized at the end), against the same
//    step's GEMMs alone (ops::matmul on cuBLAS, the shapes of step_floor.cpp: x.W per
//    layer, x^T.dy per layer, dy.W^T for every layer but the first); "ratio" = step / GEMMs
//    (the target is at most 1.3).
//  - "bandwidth": elementwise add, relu and exp, the sum reduction, cumsum of one line
//    (the block-parallel scan) and 2x2 max and average pooling with stride 2 (cuDNN, or
//    the direct kernels with KERAS_CPP_CUDNN=0: the "cudnn" field says which was asked)
//    over 2^26 float32 values, in GB/s of bytes read and written, against a
//    device-to-device copy of the same size; "of_copy" = the op's GB/s / the copy's (the
//    target is at least 0.8).
// Prints one JSON line per figure. Without a CUDA device it prints one line saying so and
// exits 0. Usage: bench_gpu_step [--steps 200] [--no-mlp] (--no-mlp: bandwidth only)
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "bench_util.h"
#include "core/cuda_backend.h"
#include "keras/keras.h"

namespace layers = keras::layers;
namespace ops = keras::ops;
using keras::Device;
using keras::Tensor;

namespace {

// Median seconds per call of f on the GPU: `iters` calls, then a device synchronization, per rep.
template <class F>
double gpu_time(F&& f, int iters, int reps = 5) {
  for (int i = 0; i < iters; ++i) f();
  keras::gpu::synchronize(0);
  std::vector<double> t;
  for (int r = 0; r < reps; ++r) {
    auto t0 = bench::Clock::now();
    for (int i = 0; i < iters; ++i) f();
    keras::gpu::synchronize(0);
    t.push_back(bench::seconds_since(t0) / iters);
  }
  return bench::median(t);
}

void mlp_step(int64_t batch, int steps) {
  const std::vector<int64_t> widths = {784, 300, 100, 10};
  ops::RandomOptions o;
  std::vector<Tensor> acts, weights;
  for (size_t l = 0; l < widths.size(); ++l) acts.push_back(ops::random_uniform({batch, widths[l]}, o));
  for (size_t l = 0; l + 1 < widths.size(); ++l) weights.push_back(ops::random_uniform({widths[l], widths[l + 1]}, o));
  const double t_gemm = gpu_time(
      [&] {
        for (size_t l = 0; l < weights.size(); ++l) ops::matmul(acts[l], weights[l]);
        for (size_t l = 0; l < weights.size(); ++l) ops::matmul(acts[l], acts[l + 1], true, false);
        for (size_t l = 1; l < weights.size(); ++l) ops::matmul(acts[l + 1], weights[l], false, true);
      },
      steps);

  const int64_t n = batch * steps;
  Tensor x = ops::random_uniform({n, 784}, o);
  std::vector<int32_t> labels(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) labels[size_t(i)] = int32_t((i * 7) % 10);
  Tensor y = keras::core::constant(labels).to(Device::cuda(0));
  auto model = keras::Sequential({layers::Dense(300, {.activation = "relu", .input_shape = {784}}),
                                  layers::Dense(100, {.activation = "relu"}), layers::Dense(10)});
  model->compile({.optimizer = keras::optimizers::Adam({.learning_rate = 1e-3}),
                  .loss = keras::losses::SparseCategoricalCrossentropy({.from_logits = true})});
  const keras::FitOptions fo{.batch_size = batch, .epochs = 1, .verbose = 0, .shuffle = false};
  model->fit(x, y, fo);  // traces the step, makes the optimizer's slots
  std::vector<double> t;
  for (int r = 0; r < 3; ++r) {
    keras::gpu::synchronize(0);
    auto t0 = bench::Clock::now();
    model->fit(x, y, fo);
    keras::gpu::synchronize(0);
    t.push_back(bench::seconds_since(t0) / steps);
  }
  const double t_step = bench::median(t);
  // fused_matmul's product: cuBLASLt with its epilogue unless KERAS_CPP_CUBLASLT=0.
  const char* lt = std::getenv("KERAS_CPP_CUBLASLT");
  const bool cublaslt = lt == nullptr || std::string(lt) != "0";
  std::printf("{\"bench\":\"gpu_step\",\"figure\":\"mlp_step\",\"batch\":%lld,\"cublaslt\":%s,\"step_ms\":%.4f,"
              "\"gemm_ms\":%.4f,\"ratio\":%.3f,\"samples_per_s\":%.0f}\n",
              (long long)batch, cublaslt ? "true" : "false", t_step * 1e3, t_gemm * 1e3, t_step / t_gemm,
              double(batch) / t_step);
  std::fflush(stdout);
}

void bandwidth() {
  const int64_t n = int64_t(1) << 26;
  const double bytes = double(n) * sizeof(float);
  ops::RandomOptions o;
  Tensor a = ops::random_uniform({n}, o), b = ops::random_uniform({n}, o);
  const Tensor images = ops::reshape(a, {64, 256, 64, 64});  // (batch, h, w, channels)
  Tensor dst = ops::empty_like(a);
  const double t_copy = gpu_time(
      [&] { keras::core::cuda::copy_device_to_device(dst.raw_mutable_data(), 0, a.raw_data(), 0, size_t(bytes)); }, 20);
  const double copy_gbps = 2 * bytes / t_copy / 1e9;
  struct Case {
    const char* op;
    double moved;  // bytes read + written, in units of one tensor
    std::function<void()> run;
  };
  const std::vector<Case> cases = {
      {"add", 3, [&] { ops::add(a, b); }},
      {"relu", 2, [&] { ops::relu(a); }},
      {"exp", 2, [&] { ops::exp(a); }},
      {"sum", 1, [&] { ops::sum(a); }},
      {"cumsum", 2, [&] { ops::cumsum(a, 0); }},
      {"max_pool", 1.25, [&] { ops::max_pool(images, 2, 2, "valid"); }},
      {"average_pool", 1.25, [&] { ops::average_pool(images, 2, 2, "valid"); }},
  };
  const char* env = std::getenv("KERAS_CPP_CUDNN");
  const bool cudnn = env == nullptr || std::string(env) != "0";
  for (const Case& c : cases) {
    const double t = gpu_time(c.run, 20);
    const double gbps = c.moved * bytes / t / 1e9;
    std::printf("{\"bench\":\"gpu_step\",\"figure\":\"bandwidth\",\"op\":\"%s\",\"elements\":%lld,\"gbps\":%.1f,"
                "\"copy_gbps\":%.1f,\"of_copy\":%.3f,\"cudnn\":%s}\n",
                c.op, (long long)n, gbps, copy_gbps, gbps / copy_gbps, cudnn ? "true" : "false");
  }
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  int steps = 200;
  bool mlp = true;
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--steps" && i + 1 < argc) steps = std::atoi(argv[i + 1]);
    if (std::string(argv[i]) == "--no-mlp") mlp = false;
  }
  if (keras::core::cuda_device_count() == 0) {
    std::printf("{\"bench\":\"gpu_step\",\"skipped\":\"no CUDA device visible\"}\n");
    return 0;
  }
  keras::DeviceScope scope(Device::cuda(0));
  if (mlp)
    for (int64_t batch : {256, 1024}) mlp_step(batch, steps);
  bandwidth();
  return 0;
}
