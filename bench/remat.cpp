// remat.cpp - what rematerialization trades: the host allocator's peak during a training
// step and the step's time, for a deep MLP (8 x Dense(512, gelu)) at batch 2048, the layers made in the scope, with each
// RematScope mode, eager and traced (train_on_batch on one batch, median of the steps after
// a warm-up). One JSON line per (mode, remat).
// Usage: bench_remat [--steps 10] [--threads 2]
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "bench_util.h"
#include "keras/keras.h"

namespace layers = keras::layers;
namespace ops = keras::ops;
using keras::Tensor;

int main(int argc, char** argv) {
  int steps = 10, threads = 2;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    if (k == "--steps") steps = std::atoi(argv[i + 1]);
    else if (k == "--threads") threads = std::atoi(argv[i + 1]);
    else {
      std::fprintf(stderr, "unknown flag %s (flags: --steps --threads)\n", argv[i]);
      return 2;
    }
  }
  keras::set_num_threads(threads);
  const int64_t batch = 2048, width = 512, depth = 8;
  ops::set_random_seed(1);
  const Tensor x = ops::random_normal({batch, width}), y = ops::random_normal({batch, 1});
  for (bool eager : {true, false}) {
    for (const char* mode : {"none", "full", "activations"}) {
      std::vector<layers::LayerPtr> stack;
      {
        std::optional<keras::RematScope> scope;
        if (std::string(mode) != "none") scope.emplace(mode);
        stack.push_back(layers::Dense(width, {.activation = "gelu", .input_shape = {width}}));
        for (int i = 1; i < depth; ++i) stack.push_back(layers::Dense(width, {.activation = "gelu"}));
        stack.push_back(layers::Dense(1));
      }
      auto model = keras::Sequential(stack);
      model->compile({.optimizer = "sgd", .loss = "mse", .run_eagerly = eager});
      model->train_on_batch({x}, {y});  // build, trace
      model->train_on_batch({x}, {y});
      std::vector<double> ms;
      size_t peak = 0;
      for (int s = 0; s < steps; ++s) {
        keras::host::reset_peak_memory_stats();
        const size_t before = keras::host::memory_stats().bytes_in_use;
        auto t0 = bench::Clock::now();
        model->train_on_batch({x}, {y});
        ms.push_back(1e3 * bench::seconds_since(t0));
        peak = std::max(peak, keras::host::memory_stats().peak_bytes_in_use - before);
      }
      std::printf("{\"bench\":\"remat\",\"model\":\"mlp%lldx%lld-gelu\",\"batch\":%lld,\"mode\":\"%s\",\"remat\":\"%s\","
                  "\"threads\":%d,\"step_ms\":%.2f,\"step_peak_mb\":%.1f}\n",
                  (long long)depth, (long long)width, (long long)batch, eager ? "eager" : "function", mode,
                  keras::get_num_threads(), bench::median(ms), double(peak) / (1 << 20));
      std::fflush(stdout);
    }
  }
  return 0;
}
