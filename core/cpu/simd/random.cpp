// random.cpp - the Philox4x32-10 blocks of the random ops, many counters at a time: the
// same rounds as core/kernel_math.h's philox (bit for bit). AVX-512 runs 16 counters per
// vector, AVX2 8; each round's 32 x 32 -> 64-bit products come from two vpmuludq (even
// and odd lanes) whose halves are blended back into the high and low words. The
// baseline copy calls kmath::philox block by block.
#include <algorithm>
#include <cstdint>

#if defined(__AVX2__) || defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "core/cpu/isa.h"
#include "core/kernel_math.h"

namespace keras::core::cpu::KERAS_CPP_ISA {
namespace {

// Blocks [from, to) one at a time (tails, counters whose low word wraps inside a vector).
void scalar_blocks(uint64_t seed, uint64_t first, int64_t n, uint32_t attempt, int words, uint32_t* out,
                   int64_t from, int64_t to) {
  for (int64_t i = from; i < to; ++i) {
    const kmath::PhiloxBlock b = kmath::philox(seed, first + uint64_t(i), attempt);
    for (int w = 0; w < words; ++w) out[w * n + i] = b.w[w];
  }
}

#if defined(__AVX512F__)
using V = __m512i;
constexpr int64_t kLanes = 16;
inline V splat(uint32_t x) { return _mm512_set1_epi32(int(x)); }
inline V lane_ids() { return _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15); }
inline V add(V a, V b) { return _mm512_add_epi32(a, b); }
inline V xor3(V a, V b, V c) { return _mm512_xor_si512(_mm512_xor_si512(a, b), c); }
// hi and lo words of each lane's product with m (m splat in every lane).
inline void mul_hi_lo(V c, V m, V& hi, V& lo) {
  const V even = _mm512_mul_epu32(c, m), odd = _mm512_mul_epu32(_mm512_srli_epi64(c, 32), m);
  hi = _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(even, 32), odd);
  lo = _mm512_mask_blend_epi32(0xAAAA, even, _mm512_slli_epi64(odd, 32));
}
inline void store(uint32_t* p, V v) { _mm512_storeu_si512(p, v); }
#elif defined(__AVX2__)
using V = __m256i;
constexpr int64_t kLanes = 8;
inline V splat(uint32_t x) { return _mm256_set1_epi32(int(x)); }
inline V lane_ids() { return _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7); }
inline V add(V a, V b) { return _mm256_add_epi32(a, b); }
inline V xor3(V a, V b, V c) { return _mm256_xor_si256(_mm256_xor_si256(a, b), c); }
inline void mul_hi_lo(V c, V m, V& hi, V& lo) {
  const V even = _mm256_mul_epu32(c, m), odd = _mm256_mul_epu32(_mm256_srli_epi64(c, 32), m);
  hi = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
  lo = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
}
inline void store(uint32_t* p, V v) { _mm256_storeu_si256(reinterpret_cast<V*>(p), v); }
#endif

void philox_words(uint64_t seed, uint64_t first, int64_t n, uint32_t attempt, int words, uint32_t* out) {
  int64_t i = 0;
#if defined(__AVX2__) || defined(__AVX512F__)
  const V m0 = splat(0xD2511F53u), m1 = splat(0xCD9E8D57u), ids = lane_ids();
  const uint32_t key0 = static_cast<uint32_t>(seed), key1 = static_cast<uint32_t>(seed >> 32);
  for (; i + kLanes <= n; i += kLanes) {
    const uint64_t index = first + uint64_t(i);
    if (static_cast<uint32_t>(index) > UINT32_MAX - uint32_t(kLanes - 1)) {  // the low word wraps in this vector
      scalar_blocks(seed, first, n, attempt, words, out, i, i + kLanes);
      continue;
    }
    V c0 = add(splat(static_cast<uint32_t>(index)), ids), c1 = splat(static_cast<uint32_t>(index >> 32));
    V c2 = splat(attempt), c3 = splat(0);
    uint32_t k0 = key0, k1 = key1;
    for (int round = 0; round < 10; ++round) {
      if (round > 0) {
        k0 += 0x9E3779B9u;
        k1 += 0xBB67AE85u;
      }
      V hi0, lo0, hi1, lo1;
      mul_hi_lo(c0, m0, hi0, lo0);
      mul_hi_lo(c2, m1, hi1, lo1);
      c0 = xor3(hi1, c1, splat(k0));
      c2 = xor3(hi0, c3, splat(k1));
      c1 = lo1;
      c3 = lo0;
    }
    const V word[4] = {c0, c1, c2, c3};
    for (int w = 0; w < words; ++w) store(out + w * n + i, word[w]);
  }
#endif
  scalar_blocks(seed, first, n, attempt, words, out, i, n);
}

}  // namespace

void fill_random(IsaKernels& k) { k.philox_words = &philox_words; }

}  // namespace keras::core::cpu::KERAS_CPP_ISA
