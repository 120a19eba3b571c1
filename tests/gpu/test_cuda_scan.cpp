// The block-parallel cumsum / cumprod of gpu/scan.cu (lines of 256 elements or more, fewer
// than 16384 of them) on a GPU against the CPU's sequential scan: float results within the
// rounding bound of two orders of the same terms, |gpu - cpu| <= 2 n eps cumsum(|x|)
// (cumprod: 2 n eps cumprod(|x|)), n the line's length; the same bits at every run.
// Integers (exact) are in test_cuda_math.cpp's table; the arithmetic itself is checked on
// the host by test_cuda_scan_model.cu. Without a GPU the test reports skipped.
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include "core/ops_math.h"
#include "core/ops_reduce.h"
#include "cuda_cases.h"

using namespace cuda_cases;

TEST_CASE("cuda scan: long float lines within rounding of the CPU's sequential scan, the same bits run to run" *
          doctest::skip(no_gpu())) {
  const std::vector<std::pair<Shape, int64_t>> specs = {
      {Shape{9000}, 0}, {Shape{2, 5000}, 1}, {Shape{3, 4100, 2}, 1}, {Shape{300, 2}, 0}};
  for (DType dt : {DType::float32, DType::float64})
    for (const auto& [shape, axis] : specs)
      for (bool prod : {false, true}) {
        CAPTURE(core::dtype_name(dt));
        CAPTURE(shape.num_elements());
        CAPTURE(prod);
        Tensor x = finite(shape, dt, 85);  // in (-3, 3)
        if (prod) x = ops::add(ops::scalar_like(x, 1.0), ops::multiply(x, ops::scalar_like(x, 0.03)));
        auto f = [&](const Tensor& t) { return prod ? ops::cumprod(t, axis) : ops::cumsum(t, axis); };
        const Tensor xd = ops::abs(ops::cast(x, DType::float64));
        const auto mag = values(prod ? ops::cumprod(xd, axis) : ops::cumsum(xd, axis));
        const auto cpu = values(f(x)), gpu = values(f(x.to(Device::cuda(0)))),
                   again = values(f(x.to(Device::cuda(0))));
        const double eps = dt == DType::float32 ? double(std::numeric_limits<float>::epsilon())
                                                : std::numeric_limits<double>::epsilon();
        const double n = double(shape[axis]);
        REQUIRE(gpu.size() == cpu.size());
        CHECK(gpu == again);
        for (size_t i = 0; i < cpu.size(); ++i) {
          CAPTURE(i);
          CHECK(std::fabs(cpu[i] - gpu[i]) <= 2.0 * n * eps * mag[i]);
        }
      }
}
