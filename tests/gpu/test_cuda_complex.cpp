// The CUDA complex kernels and the FFT against the CPU's: one table of cases on
// complex64/complex128 tensors (arithmetic with broadcasting, comparisons, neg, exp, abs,
// real, imag, angle, complex, casts, sum/mean/prod, matmul, keras.ops's compositions) and on the FFT's forms
// (fft, ifft, fft2, ifft2, rfft, irfft, stft, istft, pair and complex forms, batches,
// odd and prime lengths, empty tensors, gradients), each run on CPU inputs and on their
// copies on GPU:0 (tests/gpu/cuda_cases.h: complex results compared part by part within
// the part dtype's tolerance, errors identical). Without a GPU the CPU side runs and the
// comparison is reported as skipped.
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "core/autodiff.h"
#include "core/cuda_backend.h"
#include "core/kernel_support.h"
#include "cuda_cases.h"
#include "helpers.h"
#include "skips.h"

using namespace th;
using core::Device;
using namespace cuda_cases;

namespace {

const double kNan = std::numeric_limits<double>::quiet_NaN(), kInf = std::numeric_limits<double>::infinity();

// A complex tensor with seeded parts in [-3, 3) and, from 12 elements on, the awkward ones:
// signed zeros, NaN in one part or both, infinities in one part or both.
Tensor cvals(const Shape& s, DType dt, uint32_t seed, bool special = true) {
  auto re = uniform(s.num_elements(), -3.0, 3.0, seed), im = uniform(s.num_elements(), -3.0, 3.0, seed + 1000);
  if (special && re.size() >= 12) {
    re[1] = 0.0, im[1] = -0.0;
    re[3] = kNan;
    im[5] = kInf;
    re[7] = -kInf, im[7] = kInf;
    re[9] = -0.0, im[9] = 0.0;
    im[11] = kNan, re[11] = kNan;
    re[2] = -1.0, im[2] = -0.0;  // angle -pi
    re[4] = kInf, im[4] = 0.0;
  }
  const DType part = dt == DType::complex64 ? DType::float32 : DType::float64;
  return ops::complex(make(re, s, part), make(im, s, part));
}

std::vector<Case> elementwise_cases() {
  std::vector<Case> cs;
  for (DType dt : {DType::complex64, DType::complex128}) {
    const std::string d = core::dtype_name(dt);
    cs.push_back({"real / imag / angle / abs and the parts' signs " + d, [](auto& x) {
                    return std::vector{ops::real(x[0]), ops::imag(x[0]), ops::angle(x[0]), ops::abs(x[0]),
                                       ops::signbit(ops::real(x[0])), ops::signbit(ops::imag(x[0]))};
                  }, {cvals({3, 5}, dt, 1)}});
    cs.push_back({"neg / exp " + d, [](auto& x) { return std::vector{ops::negative(x[0]), ops::exp(x[0])}; },
                  {cvals({2, 7}, dt, 2)}});
    using B = Tensor (*)(const Tensor&, const Tensor&);
    const std::vector<std::pair<const char*, B>> arith = {
        {"add", ops::add}, {"subtract", ops::subtract}, {"multiply", ops::multiply}, {"divide", ops::divide},
        {"equal", ops::equal}, {"not_equal", ops::not_equal}};
    for (const auto& [name, f] : arith) {
      cs.push_back({std::string(name) + " " + d, [f = f](auto& x) { return std::vector{f(x[0], x[1])}; },
                    {cvals({12}, dt, 3), cvals({12}, dt, 4)}});
      cs.push_back({std::string(name) + " broadcast " + d, [f = f](auto& x) { return std::vector{f(x[0], x[1])}; },
                    {cvals({2, 3, 4}, dt, 5), cvals({3, 1}, dt, 6)}});
      cs.push_back({std::string(name) + " scalar " + d, [f = f](auto& x) {
                      return std::vector{f(x[0], x[1]), f(x[1], x[0])};
                    }, {cvals({3, 4}, dt, 7), cvals({}, dt, 8)}});
      cs.push_back({std::string(name) + " by zero, infinities and NaN " + d,
                    [f = f](auto& x) { return std::vector{f(x[0], x[1])}; },
                    {cvals({12, 1}, dt, 9), cvals({1, 12}, dt, 10)}});
    }
    cs.push_back({"equal of a tensor with itself (NaN differs) " + d,
                  [](auto& x) { return std::vector{ops::equal(x[0], x[0]), ops::not_equal(x[0], x[0])}; },
                  {cvals({12}, dt, 11)}});
    cs.push_back({"conj / polar / view_as_real / view_as_complex / isreal " + d, [](auto& x) {
                    return std::vector{ops::conj(x[0]), ops::view_as_real(x[0]), ops::isreal(x[0]),
                                       ops::polar(ops::abs(x[0]), ops::real(x[0])),
                                       ops::view_as_complex(ops::view_as_real(x[0]))};
                  }, {cvals({4, 3}, dt, 12)}});
    cs.push_back({"empty complex tensors " + d, [](auto& x) {
                    return std::vector{ops::add(x[0], x[0]), ops::abs(x[0]), ops::real(x[0]), ops::exp(x[0]),
                                       ops::cast(x[0], DType::float32), ops::multiply(x[0], x[1])};
                  }, {cvals({0, 3}, dt, 13), cvals({1, 3}, dt, 14)}});
  }
  for (DType part : {DType::float32, DType::float64})
    cs.push_back({std::string("complex(re, im) broadcast ") + core::dtype_name(part), [](auto& x) {
                    return std::vector{ops::complex(x[0], x[1]), ops::complex(x[1], x[0])};
                  }, {awkward({2, 3, 4}, part, 15), awkward({4}, part, 16)}});
  // Casts: complex to complex, to and from every real dtype (beyond int32: saturates).
  for (DType from : {DType::complex64, DType::complex128})
    for (DType to : {DType::complex64, DType::complex128, DType::float32, DType::float64, DType::int32,
                     DType::int64, DType::uint8, DType::bool_, DType::float16, DType::bfloat16})
      cs.push_back({std::string("cast ") + core::dtype_name(from) + " -> " + core::dtype_name(to),
                    [to](auto& x) { return std::vector{ops::cast(x[0], to), ops::cast(ops::multiply(x[0], x[1]), to)}; },
                    {cvals({16}, from, 17), ops::cast(core::constant(1e9), from)}});
  for (DType from : {DType::float32, DType::float64, DType::int32, DType::int64, DType::uint8, DType::bool_,
                     DType::float16, DType::bfloat16})
    for (DType to : {DType::complex64, DType::complex128})
      cs.push_back({std::string("cast ") + core::dtype_name(from) + " -> " + core::dtype_name(to),
                    [to](auto& x) { return std::vector{ops::cast(x[0], to)}; }, {awkward({16}, from, 18)}});
  // matmul (cuBLAS's Cgemm/Zgemm; OpenBLAS's on the CPU): transposes (no conjugation),
  // batches with broadcast batch axes, vectors, an empty contraction.
  struct M {
    Shape a, b;
    bool ta, tb;
  };
  for (DType dt : {DType::complex64, DType::complex128})
    for (const M& m : {M{{3, 4}, {4, 5}, false, false}, M{{4, 3}, {4, 5}, true, false}, M{{3, 4}, {5, 4}, false, true},
                       M{{4, 3}, {5, 4}, true, true}, M{{2, 3, 4}, {2, 4, 5}, false, false},
                       M{{2, 1, 3, 4}, {1, 5, 4, 2}, false, false}, M{{2, 3, 4}, {4, 5}, false, false},
                       M{{4}, {4, 5}, false, false}, M{{3, 0}, {0, 2}, false, false}, M{{0, 3}, {3, 2}, false, false}})
      cs.push_back({std::string("matmul ") + core::dtype_name(dt) + " " + m.a.str() + " x " + m.b.str(),
                    [m](auto& x) { return std::vector{ops::matmul(x[0], x[1], m.ta, m.tb)}; },
                    {cvals(m.a, dt, 26, false), cvals(m.b, dt, 27, false)}});
  // sum, mean, prod over axes (keepdims too), with NaN and infinities, and an empty axis.
  for (DType dt : {DType::complex64, DType::complex128})
    for (const ops::Axes& axes : {ops::Axes{}, ops::Axes{0}, ops::Axes{1}, ops::Axes{-1}, ops::Axes{0, 2}})
      for (bool keep : {false, true})
        cs.push_back({std::string("sum / mean / prod ") + core::dtype_name(dt), [axes, keep](auto& x) {
                        return std::vector{ops::sum(x[0], axes, keep), ops::mean(x[0], axes, keep),
                                           ops::prod(x[0], axes, keep), ops::sum(x[1], axes, keep),
                                           ops::mean(x[1], axes, keep), ops::prod(x[1], axes, keep)};
                      }, {cvals({2, 3, 4}, dt, 30, false), cvals({2, 3, 4}, dt, 31)}});
  cs.push_back({"sum / mean / prod of an empty axis", [](auto& x) {
                  return std::vector{ops::sum(x[0], {1}), ops::mean(x[0], {1}), ops::prod(x[0], {1})};
                }, {cvals({3, 0}, DType::complex64, 32)}});
  cs.push_back({"matmul of complex64 and complex128 (same error)",
                [](auto& x) { return std::vector{ops::matmul(x[0], x[1])}; },
                {cvals({2, 2}, DType::complex64, 28), cvals({2, 2}, DType::complex128, 29)}});
  cs.push_back({"complex64 + complex128 (same error)", [](auto& x) { return std::vector{ops::add(x[0], x[1])}; },
                {cvals({3}, DType::complex64, 19), cvals({3}, DType::complex128, 20)}});
  cs.push_back({"broadcast mismatch (same error)", [](auto& x) { return std::vector{ops::multiply(x[0], x[1])}; },
                {cvals({3}, DType::complex64, 21), cvals({4}, DType::complex64, 22)}});
  cs.push_back({"complex of mixed float dtypes (same error)",
                [](auto& x) { return std::vector{ops::complex(x[0], x[1])}; },
                {awkward({3}, DType::float32, 23), awkward({3}, DType::float64, 24)}});
  cs.push_back({"cast_exact of a complex tensor (same error)",
                [](auto& x) { return std::vector{ops::cast_exact(x[0], DType::float32)}; },
                {cvals({3}, DType::complex64, 25)}});
  return cs;
}

std::vector<Case> fft_cases() {
  std::vector<Case> cs;
  for (DType dt : {DType::float32, DType::float64}) {
    const std::string d = core::dtype_name(dt);
    // Powers of two (radix-2 on the CPU), odd, even non-power-of-two and prime lengths
    // (Bluestein), batches of rank 1 to 3.
    for (int64_t n : {1, 2, 8, 7, 12, 15, 64, 257})
      for (const Shape& batch : {Shape{}, Shape{3}, Shape{2, 2}}) {
        std::vector<int64_t> dims = batch.dims();
        dims.push_back(n);
        const Shape s(dims);
        cs.push_back({"fft / ifft n=" + std::to_string(n) + " batch " + batch.str() + " " + d, [](auto& x) {
                        const ops::ComplexPair f = ops::fft({x[0], x[1]}), g = ops::ifft({x[0], x[1]});
                        return std::vector{f.real, f.imag, g.real, g.imag};
                      }, {finite(s, dt, 30), finite(s, dt, 31)}});
      }
    cs.push_back({"fft2 / ifft2 " + d, [](auto& x) {
                    const ops::ComplexPair f = ops::fft2({x[0], x[1]}), g = ops::ifft2({x[0], x[1]});
                    return std::vector{f.real, f.imag, g.real, g.imag};
                  }, {finite({2, 6, 5}, dt, 32), finite({2, 6, 5}, dt, 33)}});
    for (std::optional<int64_t> len : {std::optional<int64_t>{}, std::optional<int64_t>{9},
                                       std::optional<int64_t>{4}, std::optional<int64_t>{16}})
      cs.push_back({"rfft / irfft fft_length=" + (len ? std::to_string(*len) : std::string("default")) + " " + d,
                    [len](auto& x) {
                      const ops::ComplexPair f = ops::rfft(x[0], len);
                      return std::vector{f.real, f.imag, ops::irfft(f, len), ops::irfft({x[1], x[2]}, len)};
                    }, {finite({3, 11}, dt, 34), finite({3, 6}, dt, 35), finite({3, 6}, dt, 36)}});
    cs.push_back({"stft / istft " + d, [](auto& x) {
                    const ops::ComplexPair f = ops::stft(x[0], 8, 4, 16, "hann", true);
                    const ops::ComplexPair g = ops::stft(x[0], 7, 3, 9, "", false);
                    return std::vector{f.real, f.imag, g.real, g.imag, ops::istft(f, 8, 4, 16, 40, "hann", true)};
                  }, {finite({2, 40}, dt, 37)}});
    cs.push_back({"fft of empty tensors " + d, [](auto& x) {
                    const ops::ComplexPair f = ops::fft({x[0], x[0]}), g = ops::ifft({x[1], x[1]});
                    return std::vector{f.real, f.imag, g.real, g.imag};
                  }, {finite({0, 8}, dt, 38), finite({3, 0}, dt, 39)}});
    // A NaN (both parts) spreads over its row on any FFT algorithm; the other rows stay finite.
    cs.push_back({"fft with a NaN in one row " + d, [](auto& x) {
                    const ops::ComplexPair f = ops::fft({x[0], x[0]}), g = ops::ifft({x[0], x[0]});
                    return std::vector{f.real, f.imag, g.real, g.imag};
                  }, {make({1, 2, kNan, 4, 5, 6, 7, 8, 9, 10}, Shape{2, 5}, dt)}});
    // Gradients through the pair forms (the fft rule is an fft again).
    cs.push_back({"gradients of fft, ifft, rfft and irfft " + d, [](auto& x) {
                    core::GradientTape tape;
                    tape.watch(x[0]);
                    tape.watch(x[1]);
                    const ops::ComplexPair f = ops::fft({x[0], x[1]}), g = ops::ifft({x[1], x[0]});
                    const ops::ComplexPair r = ops::rfft(x[0], 7);
                    const Tensor loss = ops::add(
                        ops::add(ops::sum(ops::multiply(f.real, x[2])), ops::sum(ops::multiply(g.imag, x[2]))),
                        ops::add(ops::sum(ops::square(r.imag)), ops::sum(ops::square(ops::irfft({x[0], x[1]}, 9)))));
                    auto grads = tape.gradient(loss, {x[0], x[1]});
                    return std::vector{loss, grads[0], grads[1]};
                  }, {finite({3, 6}, dt, 40), finite({3, 6}, dt, 41), finite({6}, dt, 42)}});
  }
  for (DType dt : {DType::complex64, DType::complex128}) {
    const std::string d = core::dtype_name(dt);
    cs.push_back({"fft / ifft / fft2 / ifft2 / irfft of complex tensors " + d, [](auto& x) {
                    return std::vector{ops::fft(x[0]), ops::ifft(x[0]), ops::fft2(x[0]), ops::ifft2(x[0]),
                                       ops::irfft(x[0]), ops::irfft(x[0], 7)};
                  }, {cvals({2, 3, 5}, dt, 43, false)}});
  }
  cs.push_back({"fft of parts of two dtypes (same error)", [](auto& x) {
                  const ops::ComplexPair f = ops::fft({x[0], x[1]});
                  return std::vector{f.real};
                }, {finite({4}, DType::float32, 44), finite({4}, DType::float64, 45)}});
  cs.push_back({"rfft with fft_length 0 (same error)", [](auto& x) {
                  return std::vector{ops::rfft(x[0], 0).real};
                }, {finite({4}, DType::float32, 46)}});
  return cs;
}

}  // namespace

TEST_CASE("supports: the complex kernels and fft on each backend") {
  const bool cuda = core::cuda::built_with_cuda();
  for (const char* op : {"add", "subtract", "multiply", "divide", "equal", "not_equal", "neg", "exp", "abs",
                         "cast", "real", "imag", "angle", "fft"})
    for (DType dt : {DType::complex64, DType::complex128}) {
      CAPTURE(op);
      CHECK(core::supports(op, Device::cpu(), dt));
      CHECK(core::supports(op, Device::cuda(0), dt) == cuda);
    }
  CHECK(core::supports("fft", Device::cuda(0), DType::float64) == cuda);
  CHECK(core::supports("add", Device::cuda(0), DType::float32) == cuda);  // the real kernels keep their dtypes
  CHECK_FALSE(core::supports("log", Device::cuda(0), DType::complex64));  // no complex log on either device
  CHECK_FALSE(core::supports("log", Device::cpu(), DType::complex64));
  CHECK(core::supports("matmul", Device::cpu(), DType::complex128));
  CHECK(core::supports("matmul", Device::cuda(0), DType::complex64) == cuda);
  CHECK(core::supports("sum", Device::cuda(0), DType::complex64) == cuda);
  CHECK(core::supports("prod", Device::cpu(), DType::complex128));
  CHECK_FALSE(core::supports("max", Device::cuda(0), DType::complex64));  // complex numbers have no order
  CHECK_FALSE(core::supports("max", Device::cpu(), DType::complex64));
}

TEST_CASE("cuda complex: the table itself: every case runs on the CPU, and the error cases raise there") {
  std::vector<Case> all = elementwise_cases();
  for (Case& c : fft_cases()) all.push_back(std::move(c));
  int errors = 0;
  for (const Case& c : all) {
    CAPTURE(c.name);
    const bool error_case = c.name.find("(same error)") != std::string::npos;
    bool threw = false;
    try {
      for (const Tensor& t : c.fn(c.inputs)) CHECK(t.defined());
    } catch (const std::exception& e) {
      threw = true;
      MESSAGE(std::string(e.what()));
    }
    CHECK(threw == error_case);
    errors += threw;
  }
  CHECK(errors == 7);
  MESSAGE(all.size() << " CPU/CUDA complex and FFT cases");
}

TEST_CASE("cuda complex: elementwise ops, complex, casts, reductions, matmul and the compositions equal the CPU" *
          doctest::skip(no_gpu())) {
  for (const Case& c : elementwise_cases()) run_case(c);
}

TEST_CASE("cuda complex: fft in every form equals the CPU (cuFFT)" * doctest::skip(no_gpu())) {
  for (const Case& c : fft_cases()) run_case(c);
}

TEST_CASE("cuda complex: an op without a complex kernel raises naming the op, the device and the dtype" *
          doctest::skip(no_gpu())) {
  const Tensor z = cvals({4}, DType::complex64, 50).to(Device::cuda(0));
  CHECK_THROWS_MSG(ops::log(z), std::invalid_argument, "complex64");
  CHECK_THROWS_MSG(ops::max(z), std::invalid_argument, "complex64");
  CHECK_THROWS_MSG(ops::sort(z), std::invalid_argument, "complex64");
}

TEST_CASE("cuda complex: cuFFT plans are reused and many lengths run in one process" * doctest::skip(no_gpu())) {
  // More (length, batch) pairs than the plan cache holds per device: it empties and refills.
  for (int64_t n = 1; n <= 70; ++n) {
    CAPTURE(n);
    const Tensor re = finite({2, n}, DType::float64, uint32_t(60 + n)), im = finite({2, n}, DType::float64, 61);
    const ops::ComplexPair cpu = ops::fft({re, im});
    const ops::ComplexPair gpu = ops::fft({re.to(Device::cuda(0)), im.to(Device::cuda(0))});
    compare(cpu.real, gpu.real);
    compare(cpu.imag, gpu.imag);
  }
}
