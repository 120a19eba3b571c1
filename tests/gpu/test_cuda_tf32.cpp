// TensorFloat-32 (tf.config.experimental.enable_tensor_float_32_execution): off by
// default, so float32 GPU products are full float32; on, float32 matmul, fused_matmul
// (cuBLASLt) and convolutions (cuDNN) may round their inputs to TF32's 10-bit mantissa.
// The CPU kernels never change. As in TensorFlow's own example (1.0001 rounds to 1 in
// TF32), the inputs here are 1 + 2^-12: exact in float32, 1 in TF32.
#include "core/debugging.h"
#include "cuda_cases.h"
#include "helpers.h"
#include "keras/keras.h"

using namespace th;
using core::Device;
using cuda_cases::no_gpu;

namespace {

// Turns TF32 back off at the end of a test, even when a check fails.
struct Tf32On {
  Tf32On() { keras::config::enable_tensor_float_32_execution(true); }
  ~Tf32On() { keras::config::enable_tensor_float_32_execution(false); }
};

// n x n matrices of 1 + 2^-12 and of ones (n = 256): every partial sum of a product
// element is exact in float32, so the product is exactly n + n / 4096 = 256.0625 in full
// float32 and exactly 256 when the inputs are rounded to TF32 (10 mantissa bits).
constexpr int64_t kN = 256;
constexpr double kX = 1.0 + 1.0 / 4096, kExact = 256.0625;
Tensor filled(Device d) { return ops::full({kN, kN}, kX, DType::float32).to(d); }
Tensor ones(Device d) { return ops::ones({kN, kN}, DType::float32).to(d); }

double first(const Tensor& t) { return values(t.cpu())[0]; }

}  // namespace

TEST_CASE("cuda tf32: off by default, a process-wide switch, and the CPU kernels ignore it") {
  CHECK_FALSE(keras::config::tensor_float_32_execution_enabled());
  const double exact = first(ops::matmul(filled(Device::cpu()), ones(Device::cpu())));
  CHECK(exact == kExact);
  {
    Tf32On on;
    CHECK(keras::config::tensor_float_32_execution_enabled());
    CHECK(first(ops::matmul(filled(Device::cpu()), ones(Device::cpu()))) == exact);
  }
  CHECK_FALSE(keras::config::tensor_float_32_execution_enabled());
}

TEST_CASE("cuda tf32: float32 GPU products are full precision when off and TF32 when on" *
          doctest::skip(no_gpu())) {
  const Device gpu = Device::cuda(0);
  const Tensor a = filled(gpu), b = ones(gpu), bias = ops::zeros({kN}, DType::float32).to(gpu);
  const Tensor x = ops::full({1, 4, 4, kN}, kX, DType::float32).to(gpu);
  const Tensor k = ops::ones({1, 1, kN, 8}, DType::float32).to(gpu);
  // Off: full float32 (these sums are exact, so any summation order gives these bits).
  CHECK(first(ops::matmul(a, b)) == kExact);
  CHECK(first(ops::fused_matmul(a, b, bias, true)) == kExact);
  CHECK(first(ops::conv(x, k)) == kExact);
  const Tensor a64 = ops::cast(a, DType::float64), b64 = ops::cast(b, DType::float64);
  Tf32On on;
  // On: the inputs round to 1 on tensor cores (cuBLAS and cuBLASLt take TF32 for float32
  // products of this size on Ampere and later; the H100/H200 this runs on are).
  CHECK(first(ops::matmul(a, b)) == kN);
  CHECK(first(ops::fused_matmul(a, b, bias, true)) == kN);
  CHECK(first(ops::matmul(a64, b64)) == kExact);  // float64 never rounds to TF32
  // cuDNN's default math may pick a TF32 algorithm or an FMA one.
  const double c = first(ops::conv(x, k));
  CHECK((c == kN || c == kExact));
}
