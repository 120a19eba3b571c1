// kernel_math.h - (engine-internal) scalar arithmetic that the CPU kernels (core/cpu/)
// and the CUDA kernels (gpu/*.cu) both compile, so that both devices compute the same
// values by construction: the Philox4x32-10 counter-based generator of the random ops and
// the seed derivation of those with a counter input, the integer rules of floor_divide,
// mod and power, and the algorithms of erfinv and the Bessel functions I0 and I1. Functions are host+device under nvcc and plain inline
// functions elsewhere; the only library calls are <cmath>'s, which CUDA also provides on
// the device (their last bits may differ between the devices; the iterations and series
// below converge to double precision either way).
#pragma once
#include <cmath>
#include <cstdint>
#include <type_traits>

#if defined(__CUDACC__)
#define KERAS_CPP_HD __host__ __device__
#else
#define KERAS_CPP_HD
#endif

namespace keras::core::kmath {

/// One Philox4x32-10 block (Salmon et al., SC 2011): counter (index mod 2^32, index / 2^32,
/// attempt, 0) under the key (seed mod 2^32, seed / 2^32).
struct PhiloxBlock {
  uint32_t w[4];
};
KERAS_CPP_HD inline PhiloxBlock philox(uint64_t seed, uint64_t index, uint32_t attempt) {
  uint32_t c0 = static_cast<uint32_t>(index), c1 = static_cast<uint32_t>(index >> 32);
  uint32_t c2 = attempt, c3 = 0;
  uint32_t k0 = static_cast<uint32_t>(seed), k1 = static_cast<uint32_t>(seed >> 32);
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      k0 += 0x9E3779B9u;
      k1 += 0xBB67AE85u;
    }
    const uint64_t p0 = uint64_t{0xD2511F53u} * c0;
    const uint64_t p1 = uint64_t{0xCD9E8D57u} * c2;
    const uint32_t hi0 = static_cast<uint32_t>(p0 >> 32), lo0 = static_cast<uint32_t>(p0);
    const uint32_t hi1 = static_cast<uint32_t>(p1 >> 32), lo1 = static_cast<uint32_t>(p1);
    c0 = hi1 ^ c1 ^ k0;
    c1 = lo1;
    c2 = hi0 ^ c3 ^ k1;
    c3 = lo0;
  }
  return {{c0, c1, c2, c3}};
}

/// The 64 bits hi:lo.
KERAS_CPP_HD inline uint64_t bits64(uint32_t hi, uint32_t lo) { return (uint64_t{hi} << 32) | lo; }
/// [0, 1) with 53 random bits.
KERAS_CPP_HD inline double unit53(uint32_t hi, uint32_t lo) {
  return static_cast<double>(bits64(hi, lo) >> 11) * 0x1.0p-53;
}

/// The unsigned type integer arithmetic on T wraps in: T's promoted type made unsigned
/// (unsigned int for int8 to uint16, so that two uint16 multiplied cannot overflow the
/// signed int they would promote to). Results cast back to T wrap like TensorFlow's.
template <class T>
using wrap_t = std::make_unsigned_t<decltype(T() + T())>;
/// x + y, x - y, x * y for integers, wrapping (no signed-overflow UB).
template <class T>
KERAS_CPP_HD inline T wrap_add(T x, T y) { return static_cast<T>(static_cast<wrap_t<T>>(x) + static_cast<wrap_t<T>>(y)); }
template <class T>
KERAS_CPP_HD inline T wrap_sub(T x, T y) { return static_cast<T>(static_cast<wrap_t<T>>(x) - static_cast<wrap_t<T>>(y)); }
template <class T>
KERAS_CPP_HD inline T wrap_mul(T x, T y) { return static_cast<T>(static_cast<wrap_t<T>>(x) * static_cast<wrap_t<T>>(y)); }

/// Integer floor division (y != 0): rounds toward negative infinity; x / -1 negates
/// without the INT_MIN trap.
template <class T>
KERAS_CPP_HD inline T floor_div(T x, T y) {
  if constexpr (std::is_signed_v<T>)
    if (y == T(-1)) return T(T(0) - x);
  T q = T(x / y);
  if constexpr (std::is_signed_v<T>)
    if ((x % y != 0) && ((x < 0) != (y < 0))) --q;
  return q;
}

/// Integer modulo (y != 0) with the divisor's sign.
template <class T>
KERAS_CPP_HD inline T floor_mod(T x, T y) {
  if constexpr (std::is_signed_v<T>)
    if (y == T(-1)) return T(0);
  T r = T(x % y);
  if constexpr (std::is_signed_v<T>)
    if (r != 0 && ((r < 0) != (y < 0))) r = T(r + y);
  return r;
}

/// x^y for y >= 0, wrapping like TensorFlow (unsigned arithmetic, no overflow UB).
template <class T>
KERAS_CPP_HD inline T int_pow(T x, T y) {
  using U = wrap_t<T>;
  U r = 1, base = static_cast<U>(x);
  for (T e = y; e > 0; e = T(e >> 1)) {
    if (e & 1) r = static_cast<U>(r * base);
    base = static_cast<U>(base * base);
  }
  return static_cast<T>(r);
}

/// erfinv(y): a first guess good to ~2e-3 (Winitzki's closed form), then Halley steps on
/// erf(x) = y (cubic convergence: two reach double precision, a third confirms), with the
/// residual taken from erfc(x) - (1 - y) for |y| > 0.5 (1 - y is exact there, so the steps
/// keep full relative precision as y nears 1). erf'' = -2x erf', so a Halley step is
/// x -= r / (erf'(x) + x r). NaN outside [-1, 1], +-inf at +-1.
KERAS_CPP_HD inline double erfinv(double y) {
  if (y != y || y < -1 || y > 1) return std::nan("");
  if (y == 1) return HUGE_VAL;
  if (y == -1) return -HUGE_VAL;
  if (y == 0) return y;
  const double s = y < 0 ? -1.0 : 1.0, a = std::fabs(y);
  const double k = 0.147, l = std::log((1 - a) * (1 + a));
  const double t = 2 / (M_PI * k) + l / 2;
  double x = std::sqrt(std::sqrt(t * t - l / k) - t);
  const double two_over_sqrt_pi = 1.1283791670955126;
  for (int i = 0; i < 3; ++i) {
    const double d = two_over_sqrt_pi * std::exp(-x * x);
    if (d == 0) break;
    const double r = a > 0.5 ? -(std::erfc(x) - (1 - a)) : std::erf(x) - a;
    const double step = r / (d + x * r);
    x -= step;
    if (std::fabs(step) <= 1e-17 * x) break;
  }
  return s * x;
}

/// The modified Bessel function I0 (order 0, even) or I1 (order 1, odd) of |x|: the power
/// series (positive terms, no cancellation) below 30, the asymptotic expansion
/// e^x / sqrt(2 pi x) sum_k c_k x^-k above (its terms shrink until k ~ 2x, far past double
/// precision), with e^x split in two halves so that values up to the largest double do not
/// overflow early. NaN stays NaN, +-inf gives inf (I1: -inf at -inf).
KERAS_CPP_HD inline double bessel_i(int order, double x) {
  if (x != x) return x;
  const double a = std::fabs(x);
  double r;
  if (a == HUGE_VAL) {
    r = a;
  } else if (a < 30) {
    const double q = a * a / 4;
    double t = order == 0 ? 1.0 : a / 2, sum = t;
    for (int k = 1; k < 500 && t > sum * 1e-17; ++k) {
      t *= q / (double(k) * double(k + order));
      sum += t;
    }
    r = sum;
  } else {
    const double mu = 4.0 * order * order;
    double t = 1, sum = 1;
    for (int k = 1; k < 60; ++k) {
      const double odd = 2.0 * k - 1;
      t *= -(mu - odd * odd) / (double(k) * 8 * a);
      sum += t;
      if (std::fabs(t) < std::fabs(sum) * 1e-17) break;
    }
    const double h = std::exp(a / 2);
    r = h * (h * sum / std::sqrt(2 * M_PI * a));
  }
  return order == 1 && x < 0 ? -r : r;
}

/// The op seed of draw `counter` of a generator seeded with `seed` (ops::derive_seed: the
/// random ops with a counter input; a splitmix64 finalizer over both), on the host or, for
/// the CUDA random kernels, on the device from the counter in device memory.
KERAS_CPP_HD inline uint64_t derive_seed(int64_t seed, int64_t counter) {
  uint64_t z = static_cast<uint64_t>(seed) * 0x9E3779B97F4A7C15ull + (uint64_t(counter) + 1) * 0xD1B54A32D192ED03ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return z >> 1;
}

}  // namespace keras::core::kmath
