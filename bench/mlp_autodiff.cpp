// mlp_autodiff.cpp - forward vs forward+backward time of the MLP 784-300-100-10
// (relu, sparse softmax cross-entropy, mean) with GradientTape, at a given batch size.
// The backward pass of this matmul-heavy graph should cost about two forward matmuls,
// so forward+backward / forward should be near 3.
// Usage: bench_mlp_autodiff [--batch 32] [--threads N] [--iters 300]
// Prints one JSON line; bench/autodiff_vs_libtorch.sh runs it next to the libtorch
// counterpart (bench/torch/mlp_autodiff_libtorch.cpp).
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench_util.h"
#include "core/core.h"

namespace ops = keras::core::ops;
using keras::core::Tensor;
using keras::core::Variable;

int main(int argc, char** argv) {
  int batch = 32, iters = 300;
  for (int i = 1; i + 1 < argc; ++i) {
    std::string k = argv[i];
    if (k == "--batch") batch = std::atoi(argv[i + 1]);
    if (k == "--iters") iters = std::atoi(argv[i + 1]);
  }
  if (int t = bench::threads_flag(argc, argv)) keras::core::set_num_threads(t);
  const int64_t sizes[] = {784, 300, 100, 10};
  std::vector<Variable> params;
  for (int l = 0; l < 3; ++l) {
    double limit = std::sqrt(6.0 / double(sizes[l] + sizes[l + 1]));  // glorot uniform
    params.emplace_back(ops::random_uniform({sizes[l], sizes[l + 1]},
                                            {.minval = -limit, .maxval = limit, .seed = 10 + l}),
                        "kernel");
    params.emplace_back(ops::zeros({sizes[l + 1]}), "bias");
  }
  Tensor x = ops::random_uniform({batch, 784}, {.seed = 1});
  Tensor y = ops::random_uniform({batch}, {.minval = 0, .maxval = 10, .dtype = keras::core::DType::int32, .seed = 2});

  auto forward = [&] {
    Tensor h = x;
    for (int l = 0; l < 3; ++l) {
      h = ops::add(ops::matmul(h, params[2 * l]), params[2 * l + 1]);
      if (l < 2) h = ops::relu(h);
    }
    return ops::mean(ops::sparse_softmax_cross_entropy_with_logits(y, h));
  };
  auto forward_backward = [&] {
    keras::core::GradientTape tape;
    Tensor loss = forward();
    return tape.gradient(loss, params);
  };
  std::vector<double> fwd, both;
  for (int r = 0; r < 5; ++r) {  // interleaved repeats; medians reported
    fwd.push_back(bench::time_per_call(forward, iters / 5 + 1, 1));
    both.push_back(bench::time_per_call(forward_backward, iters / 5 + 1, 1));
  }
  double f = bench::median(fwd) * 1e3, fb = bench::median(both) * 1e3;
  std::printf("{\"bench\":\"mlp_autodiff\",\"impl\":\"keras-cpp\",\"batch\":%d,\"threads\":%d,"
              "\"forward_ms\":%.4f,\"forward_backward_ms\":%.4f,\"ratio_fb_over_f\":%.3f,\"isa\":\"%s\"}\n",
              batch, keras::core::get_num_threads(), f, fb, fb / f, bench::isa());
  return 0;
}
