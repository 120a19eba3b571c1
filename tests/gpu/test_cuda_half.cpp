// test_cuda_half.cpp - float16 and bfloat16 on CUDA (gpu/half.cu): casts to and from every
// dtype and fill give the CPU's bits exactly; matmul (cuBLAS, float32 accumulation)
// agrees within one rounding of the half type; other ops run through the float32 path on
// the GPU as on the CPU, so a mixed-precision layer runs there. The GPU comparisons report
// skipped on machines without one; the CPU side of every case and supports() are checked
// everywhere.
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "keras/keras.h"
#include "cuda_cases.h"
#include "core/kernel_support.h"

using namespace cuda_cases;
namespace layers = keras::layers;

namespace {

// Values at the edges of the half types: overflow to infinity (65520 and up for float16),
// the largest finite values, ties at both precisions, subnormals, NaN, infinities, -0.
Tensor edges(DType dt) {
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  std::vector<double> v = {0.0,     -0.0,     1.0,         -2.5,       65504.0,   65519.99, 65520.0, 70000.0,
                           -1e6,    1e-7,     6e-8,        1.00048828125, 1.0009765625, 3.0e38,  -3.4e38, nan,
                           inf,     -inf,     0.333333333, 1.00390625,  257.0,     -129.0,   1e-40,   255.5};
  if (core::is_integer(dt) || dt == DType::bool_)
    for (auto& x : v) x = std::isfinite(x) ? std::fmod(std::round(x), 1000.0) : 7.0;
  if (dt == DType::uint8)
    for (auto& x : v) x = std::fabs(std::fmod(x, 256.0));
  if (dt == DType::bool_)
    for (auto& x : v) x = x != 0.0;
  if (dt == DType::float32)
    for (auto& x : v)
      if (std::fabs(x) > 3.4e38) x = -inf;
  return make(v, {24}, dt);
}

const std::vector<DType> kOthers = {DType::float32, DType::float64, DType::int32, DType::int64, DType::uint8, DType::bool_};

std::vector<Case> cast_cases() {
  std::vector<Case> cases;
  for (DType half : {DType::float16, DType::bfloat16}) {
    const std::string h = core::dtype_name(half);
    for (DType other : kOthers) {
      const std::string o = core::dtype_name(other);
      cases.push_back({"cast " + o + " -> " + h, [half](const std::vector<Tensor>& in) { return std::vector<Tensor>{ops::cast(in[0], half)}; },
                       {edges(other)}});
      // From the half type: the CPU's half values first (the same bits on both devices).
      cases.push_back({"cast " + h + " -> " + o,
                       [other](const std::vector<Tensor>& in) { return std::vector<Tensor>{ops::cast(in[0], other)}; },
                       {ops::cast(edges(DType::float64), half)}});
    }
    const DType to = half == DType::float16 ? DType::bfloat16 : DType::float16;
    cases.push_back({"cast " + h + " -> " + core::dtype_name(to),
                     [to](const std::vector<Tensor>& in) { return std::vector<Tensor>{ops::cast(in[0], to)}; },
                     {ops::cast(edges(DType::float64), half)}});
    // Through the float32 path: an elementwise op, a reduction and a softmax.
    cases.push_back({"add/exp/sum/softmax " + h,
                     [](const std::vector<Tensor>& in) {
                       return std::vector<Tensor>{ops::add(in[0], in[1]), ops::exp(in[0]), ops::sum(in[1], {1}),
                                                  ops::softmax(in[0], -1)};
                     },
                     {ops::cast(finite({3, 8}, DType::float32, 3), half), ops::cast(finite({3, 8}, DType::float32, 4), half)}});
  }
  return cases;
}

// Half matmul: float32 accumulation in another order than the CPU's, each result rounded
// once: within one unit in the last place of the half type.
void check_matmul(DType half, bool ta, bool tb, const Shape& sa, const Shape& sb) {
  CAPTURE(core::dtype_name(half));
  CAPTURE(ta);
  CAPTURE(tb);
  const Tensor a = ops::cast(finite(sa, DType::float32, 11), half), b = ops::cast(finite(sb, DType::float32, 12), half);
  const Tensor cpu = ops::matmul(a, b, ta, tb);
  const Tensor gpu = ops::matmul(a.to(Device::cuda(0)), b.to(Device::cuda(0)), ta, tb);
  CHECK(gpu.device() == Device::cuda(0));
  REQUIRE(gpu.dtype() == half);
  REQUIRE(gpu.shape() == cpu.shape());
  const double ulp = half == DType::float16 ? 0x1p-10 : 0x1p-7;
  const auto x = values(cpu), y = values(gpu.cpu());
  for (size_t i = 0; i < x.size(); ++i) {
    CAPTURE(i);
    CHECK(std::fabs(x[i] - y[i]) <= ulp * std::max(1.0, std::fabs(x[i])));
  }
}

}  // namespace

TEST_CASE("supports: float16 and bfloat16 cast, fill and matmul on CUDA") {
  const bool cuda = core::cuda::built_with_cuda();
  for (DType half : {DType::float16, DType::bfloat16}) {
    for (const char* op : {"cast", "fill", "matmul"}) {
      CAPTURE(op);
      CHECK(core::supports(op, Device::cuda(0), half) == cuda);
    }
    // The other ops take half tensors through float32 (core/half_ops.h), on CUDA once cast does.
    CHECK(core::supports("exp", Device::cuda(0), half) == cuda);
    CHECK(core::supports("softmax", Device::cuda(0), half) == cuda);
  }
}

TEST_CASE("cuda half: the table itself runs on the CPU") {
  CHECK(cast_cases().size() == 2 * (2 * 6 + 2));
  CHECK(run_table_on_cpu(cast_cases()) == 0);
  // The CPU's own float16 rounding at the edges (what the GPU must reproduce).
  check_values(ops::cast(ops::cast(edges(DType::float64), DType::float16), DType::float64),
               std::vector<double>{0.0, -0.0, 1.0, -2.5, 65504.0, 65504.0, INFINITY, INFINITY, -INFINITY, 1.1920928955078125e-07,
                                   5.960464477539063e-08, 1.0, 1.0009765625, INFINITY, -INFINITY, NAN, INFINITY, -INFINITY,
                                   0.333251953125, 1.00390625, 257.0, -129.0, 0.0, 255.5},
               0.0);
}

TEST_CASE("cuda half: casts to and from every dtype equal the CPU's bits" * doctest::skip(no_gpu())) {
  for (const Case& c : cast_cases()) run_case(c);
}

TEST_CASE("cuda half: fill and matmul; a mixed_float16 Dense layer on the GPU" * doctest::skip(no_gpu())) {
  for (DType half : {DType::float16, DType::bfloat16}) {
    Tensor cpu = ops::full({7}, 0.1, half);
    Tensor gpu = keras::with_device(Device::cuda(0), [&] { return ops::full({7}, 0.1, half); });
    CHECK(gpu.device() == Device::cuda(0));
    CHECK(values(gpu.cpu()) == values(cpu));
    check_matmul(half, false, false, {5, 33}, {33, 7});
    check_matmul(half, true, false, {33, 5}, {33, 7});
    check_matmul(half, false, true, {2, 5, 33}, {7, 33});
    check_matmul(half, false, false, {3, 4, 0}, {0, 6});  // an empty contraction: zeros
  }
  // The same weights on both devices: the forward pass agrees within float16 rounding.
  keras::mixed_precision::set_global_policy("mixed_float16");
  auto dense = [](Device d) {
    return keras::with_device(d, [] {
      ops::set_random_seed(3);
      return layers::Dense(6, {.activation = "relu"});
    });
  };
  auto on_cpu = dense(Device::cpu());
  auto on_gpu = dense(Device::cuda(0));
  const Tensor x = finite({4, 9}, DType::float32, 5);
  const Tensor y_cpu = (*on_cpu)(x);
  const Tensor y_gpu = (*on_gpu)(x.to(Device::cuda(0)));
  keras::mixed_precision::set_global_policy("float32");
  CHECK(y_gpu.dtype() == DType::float16);
  CHECK(y_gpu.device() == Device::cuda(0));
  const auto a = values(y_cpu), b = values(y_gpu.cpu());
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) CHECK(std::fabs(a[i] - b[i]) <= 0x1p-10 * std::max(1.0, std::fabs(a[i])));
}
