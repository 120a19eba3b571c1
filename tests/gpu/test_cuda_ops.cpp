// The CUDA kernels against the CPU ones: one table of op cases, each run on CPU inputs
// and on the same inputs copied to GPU:0; results must agree within per-dtype tolerances
// (exactly for integers and bools, NaN where NaN), and an error on one device must be the
// same error on the other. Without a GPU these cases are reported as skipped; what a
// backend supports (`supports()`) is checked everywhere.
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "core/autodiff.h"
#include "core/cuda_backend.h"
#include "core/dispatch.h"
#include "core/function.h"
#include "core/kernel_support.h"
#include "core/training.h"
#include "cuda_cases.h"
#include "helpers.h"
#include "skips.h"

using namespace th;
using core::Device;

using namespace cuda_cases;

namespace {
std::vector<Case> elementwise_cases() {
  std::vector<Case> cs;
  using U = Tensor (*)(const Tensor&);
  const std::vector<std::pair<const char*, U>> floats = {
      {"neg", ops::negative}, {"abs", ops::abs}, {"sign", ops::sign}, {"exp", ops::exp}, {"expm1", ops::expm1},
      {"log", ops::log}, {"log1p", ops::log1p}, {"sqrt", ops::sqrt}, {"rsqrt", ops::rsqrt},
      {"square", ops::square}, {"reciprocal", ops::reciprocal}, {"sin", ops::sin}, {"cos", ops::cos},
      {"tanh", ops::tanh}, {"sigmoid", ops::sigmoid}, {"relu", ops::relu}, {"relu6", ops::relu6},
      {"selu", ops::selu}, {"silu", ops::silu}, {"softplus", ops::softplus}, {"softsign", ops::softsign},
      {"floor", ops::floor}, {"ceil", ops::ceil}, {"round", ops::round}, {"isnan", ops::isnan},
      {"isfinite", ops::isfinite}};
  for (DType dt : {DType::float32, DType::float64})
    for (const auto& [name, f] : floats)
      cs.push_back({std::string(name) + " " + core::dtype_name(dt), [f = f](auto& x) { return std::vector{f(x[0])}; },
                    {awkward({3, 7}, dt, 1)}});
  for (DType dt : {DType::int32, DType::int64})
    for (U f : {U(ops::negative), U(ops::abs), U(ops::sign), U(ops::square), U(ops::relu)})
      cs.push_back({std::string("integer unary ") + core::dtype_name(dt),
                    [f](auto& x) { return std::vector{f(x[0])}; }, {awkward({4, 5}, dt, 2)}});
  cs.push_back({"leaky_relu", [](auto& x) { return std::vector{ops::leaky_relu(x[0], 0.3)}; },
                {awkward({10}, DType::float32, 3)}});
  cs.push_back({"elu", [](auto& x) { return std::vector{ops::elu(x[0], 0.7)}; }, {awkward({10}, DType::float64, 4)}});
  for (bool approx : {true, false})
    cs.push_back({"gelu", [approx](auto& x) { return std::vector{ops::gelu(x[0], approx)}; },
                  {awkward({10}, DType::float32, 5)}});
  cs.push_back({"logical_not", [](auto& x) { return std::vector{ops::logical_not(x[0])}; },
                {awkward({9}, DType::bool_, 6)}});

  using B = Tensor (*)(const Tensor&, const Tensor&);
  const std::vector<std::pair<const char*, B>> arith = {
      {"add", ops::add}, {"subtract", ops::subtract}, {"multiply", ops::multiply}, {"maximum", ops::maximum},
      {"minimum", ops::minimum}, {"equal", ops::equal}, {"less", ops::less},
      {"greater_equal", ops::greater_equal}, {"not_equal", ops::not_equal}};
  // Broadcasting: (2, 3, 4) with (3, 1), and a scalar.
  for (DType dt : {DType::float32, DType::float64, DType::int32, DType::int64})
    for (const auto& [name, f] : arith) {
      cs.push_back({std::string(name) + " broadcast " + core::dtype_name(dt),
                    [f = f](auto& x) { return std::vector{f(x[0], x[1])}; },
                    {awkward({2, 3, 4}, dt, 7), awkward({3, 1}, dt, 8)}});
      cs.push_back({std::string(name) + " scalar " + core::dtype_name(dt),
                    [f = f](auto& x) { return std::vector{f(x[0], x[1])}; },
                    {awkward({5}, dt, 9), make({2}, Shape{}, dt)}});
    }
  for (DType dt : {DType::float32, DType::float64})
    cs.push_back({"power", [](auto& x) { return std::vector{ops::power(x[0], x[1])}; },
                  {awkward({3, 4}, dt, 33), awkward({4}, dt, 34)}});
  for (DType dt : {DType::int32, DType::int64, DType::uint8})
    cs.push_back({"integer power (wraps)", [](auto& x) { return std::vector{ops::power(x[0], x[1])}; },
                  {awkward({3, 4}, dt, 35), make({0, 1, 7, 30}, Shape{4}, dt)}});
  for (DType dt : {DType::float64, DType::int64}) {
    cs.push_back({"floor_divide", [](auto& x) { return std::vector{ops::floor_divide(x[0], x[1])}; },
                  {awkward({12}, dt, 10), make({3, -2, 5, -7}, Shape{4, 1}, dt)}});
    cs.push_back({"mod", [](auto& x) { return std::vector{ops::mod(x[0], x[1])}; },
                  {awkward({12}, dt, 11), make({3, -2, 5, -7}, Shape{4, 1}, dt)}});
    cs.push_back({"divide", [](auto& x) { return std::vector{ops::divide(x[0], x[1])}; },
                  {awkward({6}, DType::float32, 12), awkward({6}, DType::float32, 13)}});
  }
  cs.push_back({"integer floor_divide by zero (same error)",
                [](auto& x) { return std::vector{ops::floor_divide(x[0], x[1])}; },
                {make({1, 2}, Shape{2}, DType::int32), make({1, 0}, Shape{2}, DType::int32)}});
  cs.push_back({"integer power with a negative exponent (same error)",
                [](auto& x) { return std::vector{ops::power(x[0], x[1])}; },
                {make({1, 2}, Shape{2}, DType::int64), make({2, -1}, Shape{2}, DType::int64)}});
  cs.push_back({"logical_and", [](auto& x) { return std::vector{ops::logical_and(x[0], x[1])}; },
                {awkward({2, 5}, DType::bool_, 14), awkward({5}, DType::bool_, 15)}});
  cs.push_back({"where", [](auto& x) { return std::vector{ops::where(x[0], x[1], x[2])}; },
                {awkward({3, 1}, DType::bool_, 16), awkward({1, 4}, DType::float32, 17), awkward({3, 4}, DType::float32, 18)}});
  for (DType from : {DType::float32, DType::float64, DType::int64, DType::bool_})
    for (DType to : {DType::float32, DType::int32, DType::uint8, DType::bool_})
      cs.push_back({std::string("cast ") + core::dtype_name(from) + " -> " + core::dtype_name(to),
                    [to](auto& x) { return std::vector{ops::cast(x[0], to)}; },
                    {from == DType::bool_ ? awkward({16}, from, 19)   // beyond int32: saturates or wraps as on the CPU
                                          : ops::multiply(awkward({16}, from, 19), make({1e9}, Shape{}, from))}});
  cs.push_back({"arithmetic on bools (same error)", [](auto& x) { return std::vector{ops::add(x[0], x[0])}; },
                {awkward({4}, DType::bool_, 27)}});
  cs.push_back({"full_like / zeros_like", [](auto& x) {
                  return std::vector{ops::full_like(x[0], 2.5), ops::zeros_like(x[0])};
                }, {awkward({2, 3}, DType::float64, 20)}});
  return cs;
}

std::vector<Case> reduction_and_matmul_cases() {
  std::vector<Case> cs;
  for (DType dt : {DType::float32, DType::float64, DType::int32, DType::int64})
    for (const ops::Axes& axes : {ops::Axes{}, ops::Axes{0}, ops::Axes{1}, ops::Axes{-1}, ops::Axes{0, 2}})
      for (bool keep : {false, true})
        cs.push_back({std::string("reductions ") + core::dtype_name(dt), [axes, keep](auto& x) {
                        return std::vector{ops::sum(x[0], axes, keep), ops::mean(x[0], axes, keep),
                                           ops::max(x[0], axes, keep), ops::min(x[0], axes, keep),
                                           ops::prod(x[0], axes, keep)};
                      }, {awkward({2, 3, 4}, dt, 21)}});
  cs.push_back({"all / any", [](auto& x) {
                  return std::vector{ops::all(x[0], {1}), ops::any(x[0], {0}), ops::all(x[0]), ops::any(x[0])};
                }, {awkward({4, 6}, DType::bool_, 22)}});
  cs.push_back({"mean of an empty axis", [](auto& x) { return std::vector{ops::mean(x[0], {1})}; },
                {ops::zeros({3, 0})}});
  for (int64_t axis : {0, 1, -1})
    cs.push_back({"argmax / argmin (NaN wins, first on ties)", [axis](auto& x) {
                    return std::vector{ops::argmax(x[0], axis), ops::argmin(x[0], axis, DType::int32)};
                  }, {awkward({4, 5, 3}, DType::float32, 23)}});
  struct M {
    Shape a, b;
    bool ta, tb;
  };
  for (DType dt : {DType::float32, DType::float64, DType::int32, DType::int64})
    for (const M& m : {M{{3, 4}, {4, 5}, false, false}, M{{4, 3}, {4, 5}, true, false}, M{{3, 4}, {5, 4}, false, true},
                       M{{4, 3}, {5, 4}, true, true}, M{{2, 3, 4}, {2, 4, 5}, false, false},
                       M{{2, 1, 3, 4}, {1, 5, 4, 2}, false, false}, M{{2, 3, 4}, {4, 5}, false, false},
                       M{{3, 0}, {0, 2}, false, false}})
      cs.push_back({std::string("matmul ") + core::dtype_name(dt) + " " + m.a.str() + " x " + m.b.str(),
                    [m](auto& x) { return std::vector{ops::matmul(x[0], x[1], m.ta, m.tb)}; },
                    {finite(m.a, dt, 24), finite(m.b, dt, 25)}});
  return cs;
}
std::vector<Case> shape_and_nn_cases() {
  std::vector<Case> cs;
  for (DType dt : {DType::float32, DType::int64, DType::bool_, DType::uint8}) {
    const std::string d = core::dtype_name(dt);
    cs.push_back({"transpose / slice / broadcast_to / tile / pad " + d, [](auto& x) {
                    return std::vector{ops::transpose(x[0], {2, 0, 1}), ops::slice(x[0], {1, 0, 1}, {1, 2, 2}),
                                       ops::broadcast_to(ops::slice(x[0], {0, 0, 0}, {2, 1, 3}), Shape{4, 2, 3, 3}),
                                       ops::tile(x[0], {2, 1, 3}), ops::pad(x[0], {{1, 0}, {0, 2}, {1, 1}}, 1.0)};
                  }, {awkward({2, 3, 3}, dt, 40)}});
    cs.push_back({"concatenate / gather " + d, [](auto& x) {
                    return std::vector{ops::concatenate({x[0], x[1]}, 1), ops::gather(x[0], x[2], 1),
                                       ops::gather(x[1], x[2], 0)};
                  }, {awkward({2, 3}, dt, 41), awkward({2, 4}, dt, 42), make({1, 0, 1, 1}, Shape{2, 2}, DType::int32)}});
  }
  for (DType dt : {DType::float32, DType::float64, DType::int32, DType::int64, DType::uint8})
    cs.push_back({std::string("take_along_axis / unsorted_segment_sum ") + core::dtype_name(dt), [](auto& x) {
                    return std::vector{ops::take_along_axis(x[0], x[1], 1), ops::unsorted_segment_sum(x[0], x[2], 4)};
                  }, {finite({3, 4}, dt, 53), make({0, -1, 3, 1, 2, 2, -4, 0, 1, 1, 1, 1}, Shape{3, 4}, DType::int64),
                      make({3, 0, 3}, Shape{3}, DType::int32)}});
  cs.push_back({"unsorted_segment_sum of uint8 wraps around", [](auto& x) {
                  return std::vector{ops::unsorted_segment_sum(x[0], x[1], 3)};
                }, {make({200, 100, 255, 1, 7, 128, 128}, Shape{7}, DType::uint8),
                    make({0, 0, 1, 1, 2, 0, 0}, Shape{7}, DType::int64)}});
  cs.push_back({"take_along_axis with an index out of range (same error)",
                [](auto& x) { return std::vector{ops::take_along_axis(x[0], x[1], 0)}; },
                {awkward({2, 2}, DType::float32, 54), make({0, -3}, Shape{1, 2}, DType::int64)}});
  cs.push_back({"unsorted_segment_sum with an id out of range (same error)",
                [](auto& x) { return std::vector{ops::unsorted_segment_sum(x[0], x[1], 2)}; },
                {awkward({3}, DType::float32, 55), make({0, 2, 1}, Shape{3}, DType::int32)}});
  cs.push_back({"gather with an index out of range (same error)",
                [](auto& x) { return std::vector{ops::gather(x[0], x[1], 0)}; },
                {awkward({3, 2}, DType::float32, 43), make({0, 3}, Shape{2}, DType::int64)}});
  for (DType dt : {DType::float32, DType::float64})
    for (int64_t axis : {0, 1, -1})
      cs.push_back({"softmax / log_softmax", [axis](auto& x) {
                      return std::vector{ops::softmax(x[0], axis), ops::log_softmax(x[0], axis)};
                    }, {awkward({4, 5, 3}, dt, 44)}});
  cs.push_back({"the fused cross-entropies", [](auto& x) {
                  return std::vector{ops::sparse_softmax_cross_entropy_with_logits(x[0], x[1]),
                                     ops::softmax_cross_entropy_with_logits(ops::softmax(x[1]), x[1])};
                }, {make({0, 3, 1, 2}, Shape{4}, DType::int64), finite({4, 5}, DType::float32, 45)}});
  cs.push_back({"a label out of range (same error)", [](auto& x) {
                  return std::vector{ops::sparse_softmax_cross_entropy_with_logits(x[0], x[1])};
                }, {make({0, 5}, Shape{2}, DType::int32), finite({2, 5}, DType::float32, 46)}});
  cs.push_back({"one_hot", [](auto& x) {
                  return std::vector{ops::one_hot(x[0], 4), ops::one_hot(x[0], 3, {.on_value = 2, .off_value = -1,
                                                                                    .axis = 0, .dtype = DType::int32})};
                }, {make({0, 3, 5, 1, 2, 0}, Shape{2, 3}, DType::int64)}});
  // Random numbers: the same generator on both devices (a counter input places the op on
  // the counter's device).
  for (DType dt : {DType::float32, DType::float64, DType::int32, DType::int64})
    cs.push_back({std::string("random_uniform ") + core::dtype_name(dt), [dt](auto& x) {
                    ops::RandomOptions o{.minval = -3, .maxval = 7, .dtype = dt, .seed = 42, .counter = x[0]};
                    return std::vector{ops::random_uniform({1000}, o)};
                  }, {core::constant(int64_t(5))}});
  for (DType dt : {DType::float32, DType::float64})
    cs.push_back({"random_normal / truncated_normal / size", [dt](auto& x) {
                    ops::RandomOptions o{.mean = 1, .stddev = 2, .dtype = dt, .seed = 7, .counter = x[0],
                                         .shape_like = x[1]};
                    return std::vector{ops::random_normal({4, 250}, o), ops::truncated_normal({4, 250}, o),
                                       ops::size(x[1], DType::float32, {1})};
                  }, {core::constant(int64_t(3)), ops::zeros({4, 250})}});
  // A Dense layer's step: forward, loss, and the gradients the tape computes.
  cs.push_back({"a Dense step's loss and gradients", [](auto& x) {
                  core::GradientTape tape;
                  tape.watch(x[1]);
                  tape.watch(x[2]);
                  const Tensor h = ops::relu(ops::add(ops::matmul(x[0], x[1]), x[2]));
                  const Tensor loss = ops::mean(ops::sparse_softmax_cross_entropy_with_logits(x[3], h));
                  auto g = tape.gradient(loss, {x[1], x[2]});
                  return std::vector{loss, g[0], g[1]};
                }, {finite({8, 6}, DType::float32, 47), finite({6, 5}, DType::float32, 48),
                    finite({5}, DType::float32, 49), make({0, 1, 2, 3, 4, 0, 1, 2}, Shape{8}, DType::int64)}});
  // The same step traced by keras::function (the passes fuse it on either device).
  cs.push_back({"a traced Dense step", [](auto& x) {
                  auto f = core::function([](const Tensor& a, const Tensor& w, const Tensor& b, const Tensor& y) {
                    core::GradientTape tape;
                    tape.watch(w);
                    tape.watch(b);
                    const Tensor h = ops::relu(ops::add(ops::matmul(a, w), b));
                    const Tensor loss = ops::mean(ops::sparse_softmax_cross_entropy_with_logits(y, h));
                    auto g = tape.gradient(loss, {w, b});
                    return std::vector{loss, g[0], g[1]};
                  });
                  f(x[0], x[1], x[2], x[3]);
                  return f(x[0], x[1], x[2], x[3]);
                }, {finite({8, 6}, DType::float32, 50), finite({6, 5}, DType::float32, 51),
                    finite({5}, DType::float32, 52), make({4, 1, 2, 3, 4, 0, 1, 2}, Shape{8}, DType::int64)}});
  return cs;
}

// sort, argsort and top_k: every sortable dtype and axis, both directions, and a line with
// ties, -0 beside +0 and several NaNs (the order must match the CPU's exactly).
std::vector<Case> sort_cases() {
  std::vector<Case> cs;
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  const Tensor ties = make({1, -0.0, 0.0, nan, 1, -2, nan, 0.0, -0.0, 1, inf, -inf}, Shape{2, 6}, DType::float32);
  for (DType dt : {DType::float32, DType::float64, DType::int32, DType::int64, DType::uint8})
    for (int64_t axis : {0, 1, -1})
      for (bool desc : {false, true})
        cs.push_back({std::string("sort / argsort ") + core::dtype_name(dt), [axis, desc](auto& x) {
                        return std::vector{ops::sort(x[0], axis, desc), ops::argsort(x[0], axis, desc)};
                      }, {awkward({4, 5, 3}, dt, 60)}});
  for (int64_t axis : {0, -1})
    for (bool desc : {false, true})
      cs.push_back({"sort / argsort with ties, -0 and NaNs", [axis, desc](auto& x) {
                      return std::vector{ops::sort(x[0], axis, desc), ops::argsort(x[0], axis, desc)};
                    }, {ties}});
  for (DType dt : {DType::float32, DType::float64, DType::int32, DType::int64, DType::uint8})
    for (int64_t k : {0, 2, 5})
      for (bool sorted : {true, false})
        cs.push_back({std::string("top_k ") + core::dtype_name(dt), [k, sorted](auto& x) {
                        const ops::TopK r = ops::top_k(x[0], k, sorted);
                        return std::vector{r.values, r.indices};
                      }, {awkward({4, 5}, dt, 61)}});
  for (bool sorted : {true, false})
    cs.push_back({"top_k with ties, -0 and NaNs", [sorted](auto& x) {
                    const ops::TopK r = ops::top_k(x[0], 4, sorted);
                    return std::vector{r.values, r.indices};
                  }, {ties}});
  cs.push_back({"sort / top_k of empty lines", [](auto& x) {
                  return std::vector{ops::sort(x[0], 1), ops::argsort(x[0], 0), ops::top_k(x[0], 0).values};
                }, {ops::zeros({3, 0})}});
  return cs;
}
}  // namespace

TEST_CASE("supports: what each backend can run, by op name, device and dtype") {
  CHECK(core::supports("matmul", Device::cpu(), DType::float32));
  CHECK(core::supports("add", Device::cpu(), DType::int64));
  CHECK(core::supports("equal", Device::cpu(), DType::string));
  CHECK_FALSE(core::supports("add", Device::cpu(), DType::string));
  CHECK(core::supports("fft", Device::cpu(), DType::complex64));
  const bool cuda = core::cuda::built_with_cuda();
  CHECK(core::supports("matmul", Device::cuda(0), DType::float32) == cuda);
  CHECK(core::supports("apply_adam", Device::cuda(0), DType::float32) == cuda);
  CHECK(core::supports("sum", Device::cuda(0), DType::int64) == cuda);
  CHECK_FALSE(core::supports("matmul", Device::cuda(0), DType::uint8));  // declared: floats and int32/int64
  CHECK_FALSE(core::supports("sum", Device::cuda(0), DType::bool_));
  CHECK(core::supports("sort", Device::cuda(0), DType::float32) == cuda);
  CHECK_FALSE(core::supports("sort", Device::cuda(0), DType::bool_));
  CHECK(core::supports("conv", Device::cuda(0), DType::float64) == cuda);
  CHECK(core::supports("max_pool_grad", Device::cuda(0), DType::float32) == cuda);
  CHECK_FALSE(core::supports("conv", Device::cuda(0), DType::int32));
  CHECK(core::supports("cholesky", Device::cuda(0), DType::float32) == cuda);  // tests/gpu/test_cuda_linalg.cpp
  CHECK(core::supports("add", Device::cuda(0), DType::complex64) == cuda);  // tests/gpu/test_cuda_complex.cpp
  CHECK_THROWS_MSG(core::supports("no_such_op", Device::cpu(), DType::float32), std::invalid_argument,
                   "no op is named 'no_such_op'");
}

TEST_CASE("supports: every op with a CPU kernel has a CUDA kernel (CUDA builds)" *
          doctest::skip(th::skip_without("cuda build", core::cuda::built_with_cuda()))) {
  // Run by dispatch itself on every device, with no kernel of their own: views, variable
  // reads, composite values and optimization barriers. (The CPU answers for an op's
  // kernel, not for each dtype its checks take; CUDA kernels declare their dtypes, each
  // compared with the CPU in the tables of tests/gpu/.)
  const std::vector<std::string> no_kernel = {"reshape", "read_variable", "composite", "optimization_barrier"};
  const DType dtypes[] = {DType::float32, DType::float64, DType::int32,     DType::int64,
                          DType::uint8,   DType::bool_,   DType::complex64, DType::complex128};
  int ops_checked = 0;
  for (int i = 0; i < core::kNumOps; ++i) {
    const std::string name = core::op_name(core::OpId(i));
    if (std::find(no_kernel.begin(), no_kernel.end(), name) != no_kernel.end()) continue;
    bool cpu = false, cuda = false;
    for (DType dt : dtypes) {
      cpu = cpu || core::supports(name, Device::cpu(), dt);
      cuda = cuda || core::supports(name, Device::cuda(0), dt);
    }
    if (!cpu) continue;
    CAPTURE(name);
    CHECK(cuda);
    ++ops_checked;
  }
  MESSAGE(ops_checked << " ops with kernels on both devices");
}

TEST_CASE("cuda ops: the table itself: every case runs on the CPU, and the error cases raise there") {
  std::vector<Case> all = elementwise_cases();
  for (auto* more : {reduction_and_matmul_cases, shape_and_nn_cases, sort_cases})
    for (Case& c : more()) all.push_back(std::move(c));
  CHECK(run_table_on_cpu(all) == 7);
  MESSAGE(all.size() << " CPU/CUDA cases");
}

TEST_CASE("cuda ops: elementwise, broadcasting, where, cast and fill equal the CPU" * doctest::skip(no_gpu())) {
  for (const Case& c : elementwise_cases()) run_case(c);
}

TEST_CASE("cuda ops: reductions, arg-reductions and matmul equal the CPU" * doctest::skip(no_gpu())) {
  for (const Case& c : reduction_and_matmul_cases()) run_case(c);
}

TEST_CASE("cuda ops: data movement, softmax, cross-entropies, one_hot and a Dense step equal the CPU" *
          doctest::skip(no_gpu())) {
  for (const Case& c : shape_and_nn_cases()) run_case(c);
}

TEST_CASE("cuda ops: sort, argsort and top_k equal the CPU" * doctest::skip(no_gpu())) {
  for (const Case& c : sort_cases()) run_case(c);
}

TEST_CASE("cuda ops: an op without a CUDA kernel raises naming the op, the device and the dtype" *
          doctest::skip(no_gpu())) {
  const Tensor x = awkward({5}, DType::float32, 26).to(Device::cuda(0));
  // (sort has CUDA kernels for the numeric dtypes, not for bool, which the CPU sorts.)
  CHECK_THROWS_MSG(ops::sort(ops::cast(x, DType::bool_)), std::invalid_argument,
                   "sort: no kernel for device GPU:0 and dtype bool");
  CHECK_THROWS_MSG(ops::matmul(ops::cast(x, DType::uint8), ops::cast(x, DType::uint8)), std::invalid_argument,
                   "dtype uint8");
  CHECK_THROWS_MSG(ops::add(x, x.cpu()), std::invalid_argument, "is on GPU:0 and input 1 is on CPU:0");
}

TEST_CASE("cuda ops: the fused Adam and SGD updates equal the CPU" * doctest::skip(no_gpu())) {
  auto step = [](Device d) {
    auto w = core::Variable(finite({300}, DType::float32, 30).to(d), "w");
    auto m = core::Variable(ops::zeros_like(w.value()), "m"), v = core::Variable(ops::zeros_like(w.value()), "v");
    auto s = core::Variable(finite({300}, DType::float32, 31).to(d), "s");
    auto vel = core::Variable(ops::zeros_like(s.value()), "vel");
    const Tensor g = finite({300}, DType::float32, 32).to(d);
    const Tensor lr = core::constant(0.01f).to(d), it = core::constant(int64_t(3)).to(d);
    for (int i = 0; i < 3; ++i) {
      core::training::apply_adam(w, g, m, v, nullptr, lr, 0.9, 0.999, 1e-7, it);
      core::training::apply_sgd(s, g, lr, 0.9, true, &vel);
    }
    return std::vector{w.value(), m.value(), v.value(), s.value(), vel.value()};
  };
  const auto cpu = step(Device::cpu()), gpu = step(Device::cuda(0));
  for (size_t i = 0; i < cpu.size(); ++i) compare(cpu[i], gpu[i]);
}
