// creation.cpp - CPU kernels of fill, range, linspace, eye and the random number ops.
//
// Random numbers: Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as
// 1, 2, 3", SC 2011). Element i of a random tensor uses the block with counter
// (i mod 2^32, i / 2^32, attempt, 0) under the key (seed mod 2^32, seed / 2^32), so
// its value depends only on (seed, i) and not on how the work is split.
//   uniform float32: top 24 bits of word 0;  float64: top 53 bits of words 0-1
//   uniform int:     minval + (words 0-1 as 64 bits) mod (maxval - minval)
//   normal:          Box-Muller on two 53-bit uniforms (words 0-1 and 2-3), cosine branch
//   truncated:       normal with attempt = 0, 1, ... until |z| <= 2
#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "core/cpu/convert.h"
#include "core/cpu/isa.h"
#include "core/cpu/parallel.h"
#include "core/dispatch.h"
#include "core/init.h"
#include "core/kernel_math.h"

namespace keras::core::cpu {
namespace {

template <class F>
void visit(DType d, F&& f) {
  switch (d) {
    case DType::float32: return f(float{});
    case DType::float64: return f(double{});
    case DType::int32: return f(int32_t{});
    case DType::int64: return f(int64_t{});
    case DType::uint8: return f(uint8_t{});
    case DType::int8: return f(int8_t{});
    case DType::int16: return f(int16_t{});
    case DType::uint16: return f(uint16_t{});
    case DType::uint32: return f(uint32_t{});
    case DType::bool_: return f(bool{});
  }
}

// ---- Philox4x32-10 (core/kernel_math.h, shared with the CUDA kernels) -------------------
using Block = kmath::PhiloxBlock;
using kmath::bits64;
using kmath::philox;
using kmath::unit53;

// A standard normal from one block (Box-Muller; u1 in (0, 1] keeps the log finite).
inline double normal_from(const Block& b) {
  const double u1 = 1.0 - unit53(b.w[0], b.w[1]);
  const double u2 = unit53(b.w[2], b.w[3]);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

// The element `v` rounded to T, then nudged into [lo, hi) if rounding left it.
template <class T>
T into_half_open(double v, double lo, double hi) {
  T t = static_cast<T>(v);
  while (static_cast<double>(t) >= hi) t = std::nextafter(t, -std::numeric_limits<T>::infinity());
  while (static_cast<double>(t) < lo) t = std::nextafter(t, std::numeric_limits<T>::infinity());
  return t;
}

constexpr int64_t kRandomGrain = 1 << 12;

// f(i, w) for each element i of [b, e), w its Philox block's first `words` words
// (attempt 0), generated kBlocks at a time by the ISA table's vector generator.
template <class F>
void with_blocks(uint64_t seed, int64_t b, int64_t e, int words, F&& f) {
  constexpr int64_t kBlocks = 1024;
  uint32_t buf[4 * kBlocks];
  const auto gen = isa_kernels().philox_words;
  for (int64_t s = b; s < e; s += kBlocks) {
    const int64_t n = std::min(kBlocks, e - s);
    gen(seed, uint64_t(s), n, 0, words, buf);
    for (int64_t j = 0; j < n; ++j) {
      const uint32_t w[4] = {buf[j], words > 1 ? buf[n + j] : 0u, words > 2 ? buf[2 * n + j] : 0u,
                             words > 3 ? buf[3 * n + j] : 0u};
      f(s + j, w);
    }
  }
}

// attrs.k, or the seed derived from (attrs.k, counter) when the op has a counter input.
uint64_t op_seed(const OpCall& c) {
  if (c.inputs.empty()) return static_cast<uint64_t>(c.attrs.k);
  return ops::derive_seed(c.attrs.k, *c.in(0).data<int64_t>());
}

void random_uniform_kernel(OpCall& c) {
  Tensor& y = c.outputs[0];
  const uint64_t seed = op_seed(c);
  const double lo = c.attrs.alpha, hi = c.attrs.beta;
  visit(y.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* out = static_cast<T*>(y.raw_mutable_data());
    if constexpr (std::is_same_v<T, float>) {
      if (lo == 0.0 && hi == 1.0) {  // u itself: 24 bits, exact in float (what the general form gives)
        parallel_for(y.size(), kRandomGrain, [&](int64_t b, int64_t e) {
          constexpr int64_t kBlocks = 1024;
          uint32_t buf[kBlocks];
          const auto gen = isa_kernels().philox_words;
          for (int64_t s = b; s < e; s += kBlocks) {
            const int64_t n = std::min(kBlocks, e - s);
            gen(seed, uint64_t(s), n, 0, 1, buf);
            for (int64_t j = 0; j < n; ++j) out[s + j] = static_cast<float>(buf[j] >> 8) * 0x1.0p-24f;
          }
        });
        return;
      }
      parallel_for(y.size(), kRandomGrain, [&](int64_t b, int64_t e) {
        with_blocks(seed, b, e, 1, [&](int64_t i, const uint32_t* w) {
          const double u = static_cast<double>(w[0] >> 8) * 0x1.0p-24;
          out[i] = into_half_open<float>(lo + u * (hi - lo), lo, hi);
        });
      });
    } else if constexpr (std::is_same_v<T, double>) {
      parallel_for(y.size(), kRandomGrain, [&](int64_t b, int64_t e) {
        with_blocks(seed, b, e, 2, [&](int64_t i, const uint32_t* w) {
          out[i] = into_half_open<double>(lo + unit53(w[0], w[1]) * (hi - lo), lo, hi);
        });
      });
    } else if constexpr (std::is_same_v<T, int32_t> || std::is_same_v<T, int64_t>) {
      const int64_t ilo = static_cast<int64_t>(lo);
      // maxval - minval as unsigned (maxval may be 2^63, which int64 cannot hold); a
      // width of 0 stands for the full 2^64 range.
      const uint64_t top = hi >= 9223372036854775808.0 ? uint64_t{1} << 63
                                                       : uint64_t(static_cast<int64_t>(hi));
      const uint64_t width = top - uint64_t(ilo);
      parallel_for(y.size(), kRandomGrain, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) {
          const Block r = philox(seed, uint64_t(i), 0);
          const uint64_t bits = bits64(r.w[0], r.w[1]);
          out[i] = static_cast<T>(static_cast<int64_t>(uint64_t(ilo) + (width ? bits % width : bits)));
        }
      });
    } else {
      throw_invalid(std::string(c.name()) + ": no CPU kernel for dtype " + dtype_name(y.dtype()));
    }
  });
}

void random_normal_kernel(OpCall& c) {
  Tensor& y = c.outputs[0];
  const uint64_t seed = op_seed(c);
  const double mean = c.attrs.alpha, stddev = c.attrs.beta;
  const bool truncated = c.op == OpId::TruncatedNormal;
  visit(y.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>) {
      T* out = static_cast<T*>(y.raw_mutable_data());
      parallel_for(y.size(), kRandomGrain, [&](int64_t b, int64_t e) {
        with_blocks(seed, b, e, 4, [&](int64_t i, const uint32_t* w) {
          double z = normal_from(Block{{w[0], w[1], w[2], w[3]}});
          // P(|z| > 2) = 0.0455, so 64 attempts never all fail in practice; the last
          // resort keeps the loop bounded and the result in range.
          for (uint32_t attempt = 1; truncated && std::fabs(z) > 2.0; ++attempt)
            z = attempt < 64 ? normal_from(philox(seed, uint64_t(i), attempt)) : 0.0;
          out[i] = static_cast<T>(mean + stddev * z);
        });
      });
    } else {
      throw_invalid(std::string(c.name()) + ": no CPU kernel for dtype " + dtype_name(y.dtype()));
    }
  });
}

// n elements of `dtype` at p set to `value` (converted like cast).
void fill_value(void* p, DType dtype, int64_t n, double value) {
  visit(dtype, [&](auto tag) {
    using T = decltype(tag);
    T v;
    convert(&value, DType::float64, &v, dtype, 1);
    T* out = static_cast<T*>(p);
    parallel_for(n, kElementwiseGrain, [&](int64_t b, int64_t e) { std::fill(out + b, out + e, v); });
  });
}

void fill_kernel(OpCall& c) {
  Tensor& y = c.outputs[0];
  fill_value(y.raw_mutable_data(), y.dtype(), y.size(), c.attrs.alpha);
}

// The product of the input's dimensions (attrs.axes; all when empty), as a scalar.
void size_kernel(OpCall& c) {
  const Shape& s = c.in(0).shape();
  double n = 1.0;
  if (c.attrs.axes.empty()) n = static_cast<double>(c.in(0).size());
  for (int64_t a : c.attrs.axes) n *= static_cast<double>(s[a < 0 ? a + s.rank() : a]);
  Tensor& y = c.outputs[0];
  fill_value(y.raw_mutable_data(), y.dtype(), 1, n);
}

// Values computed in double, then converted to the dtype (saturating, like cast).
template <class F>
void fill_from_double(Tensor& y, F value_at) {
  const DType dt = y.dtype();
  const size_t es = dtype_size(dt);
  char* out = static_cast<char*>(y.raw_mutable_data());
  parallel_for(y.size(), kElementwiseGrain, [&](int64_t b, int64_t e) {
    double buf[256];
    for (int64_t s = b; s < e; s += 256) {
      const int64_t m = std::min<int64_t>(256, e - s);
      for (int64_t j = 0; j < m; ++j) buf[j] = value_at(s + j);
      convert(buf, DType::float64, out + static_cast<size_t>(s) * es, dt, m);
    }
  });
}

void range_kernel(OpCall& c) {
  Tensor& y = c.outputs[0];
  if (is_integer(y.dtype())) {  // exact: start + i * delta in wrapping 64-bit arithmetic
    const uint64_t start = uint64_t(c.attrs.begin[0]), delta = uint64_t(c.attrs.strides[0]);
    visit(y.dtype(), [&](auto tag) {
      using T = decltype(tag);
      T* out = static_cast<T*>(y.raw_mutable_data());
      parallel_for(y.size(), kElementwiseGrain, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i)
          out[i] = static_cast<T>(static_cast<int64_t>(start + uint64_t(i) * delta));
      });
    });
    return;
  }
  const double start = c.attrs.alpha, delta = c.attrs.beta;
  fill_from_double(y, [=](int64_t i) { return start + static_cast<double>(i) * delta; });
}

void linspace_kernel(OpCall& c) {
  Tensor& y = c.outputs[0];
  const double start = c.attrs.alpha, stop = c.attrs.beta;
  const int64_t n = y.size();
  const double step = n > 1 ? (stop - start) / static_cast<double>(n - 1) : 0.0;
  const bool integral = is_integer(y.dtype());
  fill_from_double(y, [=](int64_t i) {
    double v = (i == n - 1 && n > 1) ? stop : start + static_cast<double>(i) * step;
    return integral ? std::floor(v) : v;
  });
}

void eye_kernel(OpCall& c) {
  Tensor& y = c.outputs[0];
  const int64_t rows = y.shape()[0], cols = y.shape()[1];
  fill_value(y.raw_mutable_data(), y.dtype(), y.size(), 0.0);
  const size_t es = dtype_size(y.dtype());
  unsigned char one[8];
  const double v = 1.0;
  convert(&v, DType::float64, one, y.dtype(), 1);
  char* out = static_cast<char*>(y.raw_mutable_data());
  for (int64_t i = 0, n = std::min(rows, cols); i < n; ++i)
    std::memcpy(out + static_cast<size_t>(i * cols + i) * es, one, es);
}

}  // namespace
}  // namespace keras::core::cpu

namespace keras::core {
void register_cpu_creation_kernels() {
  using K = Device::Kind;
  register_kernel(OpId::Fill, K::CPU, cpu::fill_kernel);
  register_kernel(OpId::Size, K::CPU, cpu::size_kernel);
  register_kernel(OpId::Range, K::CPU, cpu::range_kernel);
  register_kernel(OpId::Linspace, K::CPU, cpu::linspace_kernel);
  register_kernel(OpId::Eye, K::CPU, cpu::eye_kernel);
  register_kernel(OpId::RandomUniform, K::CPU, cpu::random_uniform_kernel);
  register_kernel(OpId::RandomNormal, K::CPU, cpu::random_normal_kernel);
  register_kernel(OpId::TruncatedNormal, K::CPU, cpu::random_normal_kernel);
}
}  // namespace keras::core
