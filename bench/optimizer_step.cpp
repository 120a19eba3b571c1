// optimizer_step.cpp - one optimizer step (Optimizer::apply_gradients) over the variables of
// the Fashion-MNIST MLP 784-300-100-10 (six variables, 266,610 float32 parameters) with
// fixed gradients: the update alone, without the model. Built-in optimizers take their fused
// update ops (core/training.h) where a kernel fits; --composite turns those off
// (core::training::set_fused_enabled(false)) so one binary times both paths, alternating.
// Prints one JSON line. Usage:
//   bench_optimizer_step [--optimizer rmsprop|nadam|adagrad|adadelta|adamax|ftrl|lion|adam|sgd|...]
//                        [--threads N] [--iters 50] [--composite]
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "bench_util.h"
#include "core/core.h"
#include "core/training.h"
#include "keras/optimizers.h"

namespace ops = keras::core::ops;
using keras::core::Tensor;
using keras::core::Variable;

int main(int argc, char** argv) {
  if (int t = bench::threads_flag(argc, argv)) keras::core::set_num_threads(t);
  std::string name = "rmsprop";
  int iters = 50;
  bool composite = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--optimizer" && i + 1 < argc) name = argv[++i];
    else if (a == "--iters" && i + 1 < argc) iters = std::atoi(argv[++i]);
    else if (a == "--composite") composite = true;
    else if (a == "--threads" && i + 1 < argc) ++i;
    else {
      std::fprintf(stderr, "bench_optimizer_step: unknown flag '%s'\n", a.c_str());
      return 2;
    }
  }
  keras::core::training::set_fused_enabled(!composite);
  const std::vector<int64_t> widths = {784, 300, 100, 10};
  ops::RandomOptions o;
  o.minval = -0.1;
  o.maxval = 0.1;
  std::vector<Variable> vars;
  std::vector<Tensor> grads;
  int64_t params = 0;
  for (size_t l = 0; l + 1 < widths.size(); ++l) {
    using keras::core::Shape;
    for (const Shape& shape : {Shape{widths[l], widths[l + 1]}, Shape{widths[l + 1]}}) {
      vars.emplace_back(ops::random_uniform(shape, o), "v" + std::to_string(vars.size()));
      grads.push_back(ops::random_uniform(shape, o));
      params += vars.back().shape().num_elements();
    }
  }
  auto opt = keras::optimizers::get(name);
  opt->apply_gradients(grads, vars);  // builds the slots
  const double t = bench::time_per_call([&] { opt->apply_gradients(grads, vars); }, iters, 9);
  std::printf("{\"bench\":\"optimizer_step\",\"optimizer\":\"%s\",\"path\":\"%s\",\"isa\":\"%s\",\"threads\":%d,"
              "\"params\":%lld,\"step_ms\":%.4f}\n",
              name.c_str(), composite ? "composite" : "fused", bench::isa(), keras::core::get_num_threads(),
              (long long)params, t * 1e3);
  return 0;
}
