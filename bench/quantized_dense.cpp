// quantized_dense.cpp - inference of the Fashion-MNIST MLP 784-300-100-10 with float32
// weights and after model->quantize(mode) (--mode: "int8" by default, Keras's int8 Dense:
// the inputs quantized per row, the exact int8 product, de-scaling; "int4", "int4/<n>",
// "float8", or GPTQ / AWQ: "gptq/<bits>/<group>", "awq/4/<group>", each Dense a block
// calibrated on 32 windows of 16 random tokens through a 784-wide Embedding), in one
// process, alternating (bench::time_alternating): the time of one predict_on_batch and the
// weight bytes of each (and, for GPTQ / AWQ, the seconds the quantization took). Prints
// one JSON line per variant.
// Usage: bench_quantized_dense [--threads N] [--batch 128] [--iters 200] [--mode int8]
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include "bench_util.h"
#include "keras/keras.h"

namespace ops = keras::core::ops;
namespace layers = keras::layers;

int main(int argc, char** argv) {
  if (int t = bench::threads_flag(argc, argv)) keras::core::set_num_threads(t);
  int64_t batch = 128;
  int iters = 200;
  std::string mode = "int8";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--batch" && i + 1 < argc) batch = std::atoll(argv[++i]);
    else if (a == "--iters" && i + 1 < argc) iters = std::atoi(argv[++i]);
    else if (a == "--mode" && i + 1 < argc) mode = argv[++i];
    else if (a == "--threads" && i + 1 < argc) ++i;
    else {
      std::fprintf(stderr, "bench_quantized_dense: unknown flag '%s'\n", a.c_str());
      return 2;
    }
  }
  auto make = [] {
    keras::utils::set_random_seed(7);
    return keras::Sequential({layers::Dense(300, {.activation = "relu", .input_shape = {784}}),
                              layers::Dense(100, {.activation = "relu"}), layers::Dense(10)});
  };
  auto fp = make();
  auto q = make();
  const auto start = std::chrono::steady_clock::now();
  if (mode.rfind("gptq/", 0) == 0 || mode.rfind("awq/", 0) == 0) {
    const keras::mixed_precision::DTypePolicy policy = keras::mixed_precision::DTypePolicy::quantized(mode, "float32");
    const keras::quantizers::CalibratedPolicyParams p = keras::quantizers::calibrated_policy_params(policy);
    auto embedding = layers::Embedding(1000, 784);
    const keras::Tensor tokens = ops::cast(ops::random_uniform({4096}, {.minval = 0, .maxval = 1000}), keras::DType::int32);
    const keras::quantizers::QuantizationLayerStructure structure{{embedding}, q->layers()};
    if (policy.quantization_mode() == "gptq")
      keras::quantizers::gptq_quantize(*q, {.dataset = {tokens}, .weight_bits = p.weight_bits, .num_samples = 32,
                                            .sequence_length = 16, .group_size = p.group_size,
                                            .quantization_layer_structure = structure});
    else
      keras::quantizers::awq_quantize(*q, {.dataset = {tokens}, .num_samples = 32, .sequence_length = 16,
                                           .group_size = p.group_size, .quantization_layer_structure = structure});
  } else {
    q->quantize(mode);
  }
  const double quantize_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const keras::Tensor x = ops::random_uniform({batch, 784});
  auto bytes = [](const keras::Model& m) {
    int64_t b = 0;
    for (const auto& w : m.weights()) b += w.shape().num_elements() * int64_t(keras::core::dtype_size(w.dtype()));
    return b;
  };
  const double err = ops::max(ops::abs(ops::subtract(fp->predict_on_batch({x})[0], q->predict_on_batch({x})[0])))
                         .item<double>();
  const auto [t_fp, t_q] = bench::time_alternating([&] { fp->predict_on_batch({x}); },
                                                   [&] { q->predict_on_batch({x}); }, iters);
  for (bool quantized : {false, true})
    std::printf("{\"bench\":\"quantized_dense\",\"weights\":\"%s\",\"isa\":\"%s\",\"threads\":%d,\"batch\":%lld,"
                "\"weight_bytes\":%lld,\"predict_ms\":%.4f,\"max_abs_diff_vs_float\":%.3g,\"quantize_s\":%.3f}\n",
                quantized ? mode.c_str() : "float32", bench::isa(), keras::core::get_num_threads(), (long long)batch,
                (long long)bytes(quantized ? *q : *fp), (quantized ? t_q : t_fp) * 1e3, quantized ? err : 0.0,
                quantized ? quantize_s : 0.0);
}
