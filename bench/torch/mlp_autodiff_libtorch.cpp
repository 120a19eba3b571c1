// mlp_autodiff_libtorch.cpp - the libtorch counterpart of bench/mlp_autodiff.cpp: the
// same MLP, loss and batch, timing forward (under NoGradGuard) and forward+backward
// (loss.backward() into fresh gradients). Built separately (bench/torch/meson.build)
// so the main build never needs libtorch.
// Usage: mlp_autodiff_libtorch [--batch 32] [--threads N] [--iters 300]
#include <dlfcn.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

namespace {
double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}
template <class F>
double per_call(F&& f, int iters) {
  for (int i = 0; i < iters; ++i) f();
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < iters; ++i) f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / iters;
}
}  // namespace

int main(int argc, char** argv) {
  int batch = 32, iters = 300, threads = 0;
  for (int i = 1; i + 1 < argc; ++i) {
    std::string k = argv[i];
    if (k == "--batch") batch = std::stoi(argv[i + 1]);
    if (k == "--iters") iters = std::stoi(argv[i + 1]);
    if (k == "--threads") threads = std::stoi(argv[i + 1]);
  }
  if (threads > 0) {
    torch::set_num_threads(threads);
    // Linear's GEMMs run on OpenBLAS's own pool: give it the same count.
    if (auto set = reinterpret_cast<void (*)(int)>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads")))
      set(threads);
  }
  torch::manual_seed(1);
  const int64_t sizes[] = {784, 300, 100, 10};
  std::vector<torch::Tensor> params;
  for (int l = 0; l < 3; ++l) {
    double limit = std::sqrt(6.0 / double(sizes[l] + sizes[l + 1]));
    params.push_back((torch::rand({sizes[l], sizes[l + 1]}) * 2 - 1).mul_(limit).requires_grad_());
    params.push_back(torch::zeros({sizes[l + 1]}).requires_grad_());
  }
  torch::Tensor x = torch::rand({batch, 784});
  torch::Tensor y = torch::randint(0, 10, {batch}, torch::kLong);
  auto forward = [&] {
    torch::Tensor h = x;
    for (int l = 0; l < 3; ++l) {
      h = torch::addmm(params[2 * l + 1], h, params[2 * l]);
      if (l < 2) h = torch::relu(h);
    }
    return torch::nn::functional::cross_entropy(h, y);
  };
  std::vector<double> fwd, both;
  for (int r = 0; r < 5; ++r) {
    fwd.push_back(per_call([&] {
      torch::NoGradGuard no_grad;
      forward();
    }, iters / 5 + 1));
    both.push_back(per_call([&] {
      for (auto& p : params) p.mutable_grad() = torch::Tensor();
      forward().backward();
    }, iters / 5 + 1));
  }
  double f = median(fwd) * 1e3, fb = median(both) * 1e3;
  std::printf("{\"bench\":\"mlp_autodiff\",\"impl\":\"libtorch\",\"batch\":%d,\"threads\":%d,"
              "\"forward_ms\":%.4f,\"forward_backward_ms\":%.4f,\"ratio_fb_over_f\":%.3f}\n",
              batch, torch::get_num_threads(), f, fb, fb / f);
  return 0;
}
