// The block-parallel cumsum / cumprod of gpu/scan.cu, run on the host through its model
// (gpu/scan_tile.cuh: the kernels' arithmetic in their order, the very helpers the GPU
// runs) against the CPU kernels' sequential scan, in every CUDA build, also without a GPU:
// integers (wrapping around) equal exactly, floats within the rounding bound of two sums
// of the same terms in different orders, NaN and infinities where the CPU has them, and
// the first element (-0.0 included) is x[0] itself. Compiled by nvcc (CUDA builds only).
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "core/ops_reduce.h"
#include "gpu/scan_tile.cuh"
#include "helpers.h"
#include "host_tensors.h"

using namespace th;
using host_tensors::dtype_of;
using host_tensors::tensor_of;
namespace kc = keras::core::cuda;

namespace {

// Lines shorter than a tile, a tile and one element more, several tiles with a ragged
// end, and more tiles than one chunk of the carries pass (kScanThreads tiles).
const std::vector<int64_t> kLengths = {1, 7, kc::kScanTile - 1, kc::kScanTile, kc::kScanTile + 1,
                                       3 * kc::kScanTile + 17, (kc::kScanThreads + 3) * kc::kScanTile + 5};

template <class T>
std::vector<T> cpu_scan(bool prod, const std::vector<T>& x) {
  const Tensor y = prod ? ops::cumprod(tensor_of(x), 0) : ops::cumsum(tensor_of(x), 0);
  const T* p = y.data<T>();
  return std::vector<T>(p, p + x.size());
}

template <class T>
std::vector<T> model_scan(bool prod, const std::vector<T>& x) {
  std::vector<T> y(x.size());
  kc::scan_tiled_model(prod, x.data(), y.data(), int64_t(x.size()));
  return y;
}

// Sums: |model - cpu| <= 2 (j + 1) eps sum_{i<=j} |x_i| (each within (j + 1) eps of the
// exact prefix); products (of positive and negative factors): the same relative to the
// product of |x_i|.
template <class T>
void check_float(bool prod, const std::vector<T>& x) {
  const std::vector<T> a = cpu_scan(prod, x), b = model_scan(prod, x);
  const double eps = std::numeric_limits<T>::epsilon();
  double mag = prod ? 1.0 : 0.0;
  for (size_t j = 0; j < x.size(); ++j) {
    mag = prod ? mag * std::fabs(double(x[j])) : mag + std::fabs(double(x[j]));
    CAPTURE(j);
    if (std::isnan(a[j]) || std::isinf(a[j])) {
      CHECK((std::isnan(a[j]) ? std::isnan(b[j]) : a[j] == b[j]));
      continue;
    }
    CHECK(std::fabs(double(a[j]) - double(b[j])) <= 2.0 * double(j + 1) * eps * mag);
  }
}

template <class T>
void check_floats(uint32_t seed) {
  for (int64_t n : kLengths) {
    CAPTURE(n);
    const auto u = uniform(n, -3.0, 3.0, seed);
    std::vector<T> sums(u.begin(), u.end()), factors(u.size());
    for (size_t i = 0; i < factors.size(); ++i) factors[i] = T((u[i] < 0 ? -1.0 : 1.0) * (0.9 + std::fabs(u[i]) / 15));
    check_float(false, sums);
    // Products of a million factors in [0.9, 1.1] drift below the normal range, where the
    // relative bound does not hold: the longest line checks sums only.
    if (n < kc::kScanThreads * kc::kScanTile) check_float(true, factors);
    // NaN and infinities: the prefixes holding them are NaN / infinite on both.
    if (n > 100) {
      std::vector<T> odd = sums;
      odd[size_t(n / 3)] = std::numeric_limits<T>::infinity();
      check_float(false, odd);
      odd[size_t(n / 2)] = -std::numeric_limits<T>::infinity();
      check_float(false, odd);
      odd[size_t(n / 4)] = std::numeric_limits<T>::quiet_NaN();
      check_float(false, odd);
    }
  }
}

template <class T>
void check_ints(uint64_t seed) {
  std::mt19937_64 g(seed);
  for (int64_t n : kLengths) {
    CAPTURE(n);
    std::vector<T> x(static_cast<size_t>(n));
    for (T& v : x) v = T(g());  // any bits: sums and products wrap around
    CHECK(model_scan(false, x) == cpu_scan(false, x));
    CHECK(model_scan(true, x) == cpu_scan(true, x));
  }
}

}  // namespace

TEST_CASE("cuda scan model: the block-parallel cumsum / cumprod against the CPU's sequential scan") {
  SUBCASE("float32") { check_floats<float>(91); }
  SUBCASE("float64") { check_floats<double>(92); }
  SUBCASE("integers wrap around as on the CPU, exactly") {
    check_ints<int32_t>(93);
    check_ints<int64_t>(94);
    check_ints<uint8_t>(95);
  }
  SUBCASE("the first element is x[0] itself (-0.0 stays -0.0)") {
    for (int64_t n : kLengths) {
      std::vector<float> x(size_t(n), -0.0f);
      const std::vector<float> s = model_scan(false, x), p = model_scan(true, x);
      CHECK(std::signbit(s[0]));
      CHECK(std::signbit(s.back()));  // -0 + -0 + ... is -0, as the CPU's
      CHECK(std::signbit(cpu_scan(false, x).back()));
      CHECK(p[0] == 0.0f);
      CHECK(std::signbit(p[0]));
    }
  }
}
