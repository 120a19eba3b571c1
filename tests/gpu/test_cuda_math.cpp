// The CUDA kernels of the elementwise math and bitwise ops, cumsum / cumprod, range /
// linspace / eye, searchsorted and the segment max / min / prod against the CPU ones: a
// table of op cases (the helpers of cuda_cases.h), each run on CPU inputs and on their
// copies on GPU:0, with the same per-dtype tolerances and identical errors. Creation ops
// are placed by a DeviceScope on their first input's device. Without a GPU the comparisons
// report skipped; the CPU side of every case and `supports()` are checked everywhere.
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "core/autodiff.h"
#include "core/cuda_backend.h"
#include "core/device_scope.h"
#include "core/kernel_support.h"
#include "core/ops_math.h"
#include "core/ops_reduce.h"
#include "cuda_cases.h"
#include "helpers.h"
#include "skips.h"

using namespace th;
using core::Device;
using namespace cuda_cases;

namespace {
const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();

std::vector<Case> math_cases() {
  std::vector<Case> cs;
  using U = Tensor (*)(const Tensor&);
  const std::vector<std::pair<const char*, U>> floats = {
      {"erf", ops::erf}, {"erfc", ops::erfc}, {"erfinv", ops::erfinv}, {"exp2", ops::exp2}, {"log2", ops::log2},
      {"log10", ops::log10}, {"cbrt", ops::cbrt}, {"tan", ops::tan}, {"sinh", ops::sinh}, {"cosh", ops::cosh},
      {"arcsin", ops::arcsin}, {"arccos", ops::arccos}, {"arctan", ops::arctan}, {"arcsinh", ops::arcsinh},
      {"arccosh", ops::arccosh}, {"arctanh", ops::arctanh}, {"i0", ops::i0}, {"bessel_i1", ops::bessel_i1},
      {"trunc", ops::trunc}};
  // In and out of each domain: [-1, 1] and its ends, near-1 arguments of erfinv, the
  // Bessel functions' asymptotic range and their overflow, signed zeros.
  const std::vector<double> special = {-1, 1, -0.0, 0.0, 0.5, -0.5, 0.999999, -0.9999999999, 1e-300, 2.5, -2.5,
                                       29.9, 30.5, -45, 700, -712, 720, 1e5, 1e100, -1e300, nan, inf, -inf};
  for (DType dt : {DType::float32, DType::float64})
    for (const auto& [name, f] : floats) {
      const std::string d = std::string(" ") + core::dtype_name(dt);
      cs.push_back({name + d, [f = f](auto& x) { return std::vector{f(x[0])}; }, {awkward({3, 7}, dt, 70)}});
      cs.push_back({name + std::string(" at special values") + d, [f = f](auto& x) { return std::vector{f(x[0])}; },
                    {make(special, Shape{int64_t(special.size())}, dt)}});
    }
  const Tensor signs = make({-0.0, 0.0, -nan, nan, -inf, inf, -2, 3}, Shape{8}, DType::float64);
  for (DType dt : {DType::float32, DType::float64, DType::int32, DType::int64, DType::uint8, DType::bool_})
    cs.push_back({std::string("signbit ") + core::dtype_name(dt), [](auto& x) {
                    return std::vector{ops::signbit(x[0]), ops::signbit(x[1])};
                  }, {awkward({4, 5}, dt, 71), core::is_floating(dt) ? ops::cast(signs, dt) : awkward({3}, dt, 72)}});
  for (DType dt : {DType::int32, DType::int64, DType::uint8})
    cs.push_back({std::string("bitwise_invert ") + core::dtype_name(dt),
                  [](auto& x) { return std::vector{ops::bitwise_invert(x[0])}; }, {awkward({4, 5}, dt, 73)}});
  cs.push_back({"empty erf / signbit", [](auto& x) { return std::vector{ops::erf(x[0]), ops::signbit(x[0])}; },
                {ops::zeros({0, 3})}});

  using B = Tensor (*)(const Tensor&, const Tensor&);
  const std::vector<std::pair<const char*, B>> float_binary = {
      {"arctan2", ops::arctan2}, {"hypot", ops::hypot}, {"fmod", ops::fmod}, {"nextafter", ops::nextafter}};
  for (DType dt : {DType::float32, DType::float64})
    for (const auto& [name, f] : float_binary) {
      cs.push_back({std::string(name) + " broadcast " + core::dtype_name(dt),
                    [f = f](auto& x) { return std::vector{f(x[0], x[1])}; },
                    {awkward({2, 3, 4}, dt, 74), awkward({3, 1}, dt, 75)}});
      cs.push_back({std::string(name) + " zeros, infinities, NaN " + core::dtype_name(dt),
                    [f = f](auto& x) { return std::vector{f(x[0], x[1])}; },
                    {make({0, -0.0, 1, -1, inf, -inf, nan, 3, 1e-30, 5}, Shape{10, 1}, dt),
                     make({0, -0.0, inf, -inf, nan, -2, 7}, Shape{7}, dt)}});
    }
  const std::vector<std::pair<const char*, B>> int_binary = {
      {"bitwise_and", ops::bitwise_and}, {"bitwise_or", ops::bitwise_or}, {"bitwise_xor", ops::bitwise_xor},
      {"bitwise_left_shift", ops::bitwise_left_shift}, {"bitwise_right_shift", ops::bitwise_right_shift},
      {"gcd", ops::gcd}, {"lcm", ops::lcm}};
  for (DType dt : {DType::int32, DType::int64, DType::uint8})
    for (const auto& [name, f] : int_binary) {
      const std::string d = std::string(" ") + core::dtype_name(dt);
      cs.push_back({name + std::string(" broadcast") + d, [f = f](auto& x) { return std::vector{f(x[0], x[1])}; },
                    {awkward({2, 3, 4}, dt, 76), awkward({4}, dt, 77)}});
      // Shift amounts past the width and negative ones (clamped), the lowest value (gcd
      // and lcm of its magnitude, wrapping), zeros.
      const double low = dt == DType::int32 ? -2147483648.0 : (dt == DType::int64 ? -9.2e18 : 255);
      const std::vector<double> amounts = dt == DType::uint8 ? std::vector<double>{0, 1, 7, 8, 9, 200}
                                                             : std::vector<double>{-1, 0, 1, 31, 32, 100};
      cs.push_back({name + std::string(" extremes") + d, [f = f](auto& x) { return std::vector{f(x[0], x[1])}; },
                    {make({low, 0, 1, 6, 255, 12}, Shape{6, 1}, dt), make(amounts, Shape{6}, dt)}});
    }
  for (DType dt : {DType::int32, DType::int64, DType::uint8})
    cs.push_back({std::string("integer fmod ") + core::dtype_name(dt),
                  [](auto& x) { return std::vector{ops::fmod(x[0], x[1])}; },
                  {awkward({12}, dt, 78), make(dt == DType::uint8 ? std::vector<double>{3, 2, 5, 7}
                                                                   : std::vector<double>{3, -2, 5, -1}, Shape{4, 1}, dt)}});
  cs.push_back({"integer fmod of the lowest int32 by -1", [](auto& x) { return std::vector{ops::fmod(x[0], x[1])}; },
                {make({-2147483648.0, 7}, Shape{2}, DType::int32), make({-1}, Shape{1}, DType::int32)}});
  cs.push_back({"integer fmod by zero (same error)", [](auto& x) { return std::vector{ops::fmod(x[0], x[1])}; },
                {make({4, 5}, Shape{2}, DType::int64), make({2, 0}, Shape{2}, DType::int64)}});
  cs.push_back({"bitwise_and of floats (same error)", [](auto& x) { return std::vector{ops::bitwise_and(x[0], x[0])}; },
                {awkward({3}, DType::float32, 79)}});
  cs.push_back({"gradients of erf, arctan2, hypot and i0", [](auto& x) {
                  core::GradientTape tape;
                  tape.watch(x[0]);
                  tape.watch(x[1]);
                  const Tensor l = ops::sum(ops::add(ops::add(ops::erf(x[0]), ops::arctan2(x[0], x[1])),
                                                     ops::multiply(ops::hypot(x[0], x[1]), ops::i0(x[1]))));
                  return tape.gradient(l, {x[0], x[1]});
                }, {finite({3, 4}, DType::float32, 80), finite({4}, DType::float32, 81)}});
  return cs;
}

std::vector<Case> scan_creation_search_segment_cases() {
  std::vector<Case> cs;
  for (DType dt : {DType::float32, DType::float64, DType::int32, DType::int64, DType::uint8})
    for (std::optional<int64_t> axis : {std::optional<int64_t>{}, std::optional<int64_t>{0},
                                        std::optional<int64_t>{1}, std::optional<int64_t>{-1}})
      cs.push_back({std::string("cumsum / cumprod ") + core::dtype_name(dt), [axis](auto& x) {
                      return std::vector{ops::cumsum(x[0], axis), ops::cumprod(x[0], axis)};
                    }, {awkward({3, 4, 5}, dt, 82)}});
  // Long lines take the block-parallel scan (gpu/scan.cu): integers exactly the CPU's
  // (floats: test_cuda_scan.cpp, within rounding).
  for (DType dt : {DType::int32, DType::int64, DType::uint8})
    for (const Shape& s : {Shape{2, 5000}, Shape{1, 3 * 4096 + 17}})
      cs.push_back({std::string("cumsum / cumprod of long lines ") + core::dtype_name(dt), [](auto& x) {
                      return std::vector{ops::cumsum(x[0], 1), ops::cumprod(x[0], 1)};
                    }, {awkward(s, dt, 85)}});
  cs.push_back({"cumsum / cumprod of long strided lines int32", [](auto& x) {
                  return std::vector{ops::cumsum(x[0], 1), ops::cumprod(x[0], 1)};
                }, {awkward({3, 4100, 2}, DType::int32, 86)}});
  cs.push_back({"cumsum of bools, empty cumsum / cumprod", [](auto& x) {
                  return std::vector{ops::cumsum(x[0], 1), ops::cumsum(x[1], 0), ops::cumprod(x[1], 1)};
                }, {awkward({3, 4}, DType::bool_, 83), ops::zeros({0, 3})}});
  cs.push_back({"cumsum / cumprod gradients", [](auto& x) {
                  core::GradientTape tape;
                  tape.watch(x[0]);
                  const Tensor l = ops::sum(ops::add(ops::cumsum(x[0], 1), ops::cumprod(x[0], 0)));
                  return tape.gradient(l, std::vector<Tensor>{x[0]});
                }, {finite({3, 4}, DType::float64, 84)}});
  // Creation ops on the device of the case's first input.
  for (DType dt : {DType::float32, DType::float64, DType::int32, DType::int64, DType::uint8})
    cs.push_back({std::string("range / linspace ") + core::dtype_name(dt), [dt](auto& x) {
                    core::DeviceScope scope(x[0].device());
                    std::vector<Tensor> r = {ops::linspace(-2.5, 7, 11, dt), ops::linspace(3, 4, 1, dt),
                                             ops::linspace(0, 1, 0, dt), ops::linspace(1, 0.1, 7, dt)};
                    if (core::is_integer(dt)) {
                      r.push_back(ops::range(dt == DType::uint8 ? 250.0 : -7.0, 255.0, 3.0, dt));
                      r.push_back(ops::range(5.0, 0.0, -1.0, dt));
                    } else {
                      r.push_back(ops::range(-1.5, 2.0, 0.1, dt));
                      r.push_back(ops::range(1e9, 1e9 + 10, 0.7, dt));
                      r.push_back(ops::range(3.0, 3.0, 1.0, dt));
                    }
                    return r;
                  }, {ops::zeros({1})}});
  cs.push_back({"range int32 (the default)", [](auto& x) {
                  core::DeviceScope scope(x[0].device());
                  return std::vector{ops::range(10), ops::range(-20, 20, 7), ops::range(5, -5, -3)};
                }, {ops::zeros({1})}});
  for (DType dt : {DType::float32, DType::float64, DType::int32, DType::int64, DType::uint8, DType::bool_})
    cs.push_back({std::string("eye ") + core::dtype_name(dt), [dt](auto& x) {
                    core::DeviceScope scope(x[0].device());
                    return std::vector{ops::eye(3, 5, dt), ops::eye(4, 2, dt), ops::eye(0, 3, dt), ops::eye(1, {}, dt)};
                  }, {ops::zeros({1})}});
  const Tensor seq = make({-inf, -3, -1, 0, 0, 0, 2, 2.5, 7, inf, nan}, Shape{11}, DType::float64);
  for (DType dt : {DType::float32, DType::float64, DType::int32, DType::int64, DType::uint8})
    for (const char* side : {"left", "right"})
      cs.push_back({std::string("searchsorted ") + side + " " + core::dtype_name(dt), [side](auto& x) {
                      return std::vector{ops::searchsorted(x[0], x[1], side), ops::searchsorted(x[2], x[1], side)};
                    }, {core::is_floating(dt) ? ops::cast(seq, dt) : ops::sort(awkward({9}, dt, 85)),
                        awkward({4, 6}, dt, 86), ops::zeros({0}, dt)}});
  cs.push_back({"searchsorted of no values", [](auto& x) { return std::vector{ops::searchsorted(x[0], x[1])}; },
                {make({1, 2, 3}, Shape{3}, DType::float32), ops::zeros({2, 0})}});
  // Segments 1 and 4 are empty (the identity); ids int32 and int64.
  for (DType dt : {DType::float32, DType::float64, DType::int32, DType::int64, DType::uint8})
    for (DType id_dt : {DType::int32, DType::int64})
      cs.push_back({std::string("segment max / min / prod ") + core::dtype_name(dt), [](auto& x) {
                      return std::vector{ops::segment_max(x[0], x[1], 5), ops::segment_min(x[0], x[1], 5),
                                         ops::segment_prod(x[0], x[1], 5), ops::segment_max(x[0], x[2], {}, true),
                                         ops::segment_min(x[0], x[2], {}, true)};
                    }, {awkward({7, 3}, dt, 87), make({3, 0, 2, 3, 0, 3, 2}, Shape{7}, id_dt),
                        make({0, 0, 2, 2, 2, 3, 3}, Shape{7}, id_dt)}});
  cs.push_back({"segment max / prod of no rows, of empty rows", [](auto& x) {
                  return std::vector{ops::segment_max(x[0], x[1], 3), ops::segment_prod(x[2], x[3], 2)};
                }, {ops::zeros({0, 2}), make({}, Shape{0}, DType::int32), ops::zeros({3, 0}),
                    make({1, 0, 1}, Shape{3}, DType::int64)}});
  cs.push_back({"segment max / prod gradients", [](auto& x) {
                  core::GradientTape tape;
                  tape.watch(x[0]);
                  const Tensor l = ops::sum(ops::add(ops::segment_max(x[0], x[1], 3), ops::segment_prod(x[0], x[1], 3)));
                  return tape.gradient(l, std::vector<Tensor>{x[0]});
                }, {make({1, 3, 3, 0, 2, -1, 0, 0, 4}, Shape{9}, DType::float32),
                    make({0, 0, 0, 1, 1, 1, 2, 2, 2}, Shape{9}, DType::int32)}});
  cs.push_back({"segment_min with an id out of range (same error)",
                [](auto& x) { return std::vector{ops::segment_min(x[0], x[1], 2)}; },
                {awkward({3}, DType::float32, 88), make({0, 2, 1}, Shape{3}, DType::int32)}});
  cs.push_back({"segment_prod with a negative id (same error)",
                [](auto& x) { return std::vector{ops::segment_prod(x[0], x[1], 2)}; },
                {awkward({3, 2}, DType::int64, 89), make({0, -1, 1}, Shape{3}, DType::int64)}});
  return cs;
}
}  // namespace

TEST_CASE("supports: the math, scan, creation, search and segment kernels on CUDA") {
  const bool cuda = core::cuda::built_with_cuda();
  for (const char* op : {"erf", "erfinv", "i0", "bessel_i1", "trunc", "arccosh", "arctan2", "hypot", "nextafter",
                         "fmod", "cumsum", "cumprod", "range", "linspace", "eye", "searchsorted",
                         "unsorted_segment_max", "unsorted_segment_min", "unsorted_segment_prod", "signbit"}) {
    CAPTURE(op);
    CHECK(core::supports(op, Device::cuda(0), DType::float64) == cuda);
  }
  for (const char* op : {"bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_left_shift", "bitwise_right_shift",
                         "bitwise_invert", "gcd", "lcm", "fmod", "cumsum", "searchsorted", "unsorted_segment_prod"}) {
    CAPTURE(op);
    CHECK(core::supports(op, Device::cuda(0), DType::uint8) == cuda);
    CHECK(core::supports(op, Device::cuda(0), DType::int64) == cuda);
  }
  CHECK(core::supports("eye", Device::cuda(0), DType::bool_) == cuda);
  CHECK(core::supports("signbit", Device::cuda(0), DType::bool_) == cuda);
  CHECK_FALSE(core::supports("erf", Device::cuda(0), DType::int32));
  CHECK_FALSE(core::supports("bitwise_and", Device::cuda(0), DType::float32));
  CHECK_FALSE(core::supports("gcd", Device::cuda(0), DType::bool_));
  CHECK_FALSE(core::supports("cumsum", Device::cuda(0), DType::bool_));
  CHECK_FALSE(core::supports("range", Device::cuda(0), DType::bool_));
}

TEST_CASE("cuda math: the table itself: every case runs on the CPU, and the error cases raise there") {
  std::vector<Case> all = math_cases();
  for (Case& c : scan_creation_search_segment_cases()) all.push_back(std::move(c));
  CHECK(run_table_on_cpu(all) == 4);
  MESSAGE(all.size() << " CPU/CUDA cases");
}

TEST_CASE("cuda math: the elementwise math and bitwise ops equal the CPU" * doctest::skip(no_gpu())) {
  for (const Case& c : math_cases()) run_case(c);
}

TEST_CASE("cuda math: cumsum, cumprod, range, linspace, eye, searchsorted and the segment ops equal the CPU" *
          doctest::skip(no_gpu())) {
  for (const Case& c : scan_creation_search_segment_cases()) run_case(c);
}
