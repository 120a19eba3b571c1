// strings_hash.cpp - keras::strings: to_hash_bucket_fast (FarmHash's Fingerprint64) and
// to_hash_bucket_strong (SipHash-2-4), the hashes TensorFlow buckets strings with
// (core/string_ops.h). Written from the algorithms' published descriptions.
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

#include "core/strings_util.h"

namespace keras::core::strings {
using namespace detail;

namespace {
// ---- Fingerprint64: farmhashna::Hash64 (little-endian reads) ----------------------------
constexpr uint64_t k0 = 0xc3a5c85c97cb3127ULL;
constexpr uint64_t k1 = 0xb492b66fbe98f273ULL;
constexpr uint64_t k2 = 0x9ae16a3b2f90404fULL;

uint64_t fetch64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;  // (the host is little-endian, as FarmHash's reads)
}
uint32_t fetch32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
uint64_t rotr(uint64_t v, int s) { return s == 0 ? v : (v >> s) | (v << (64 - s)); }
uint64_t shift_mix(uint64_t v) { return v ^ (v >> 47); }

uint64_t hash_len16(uint64_t u, uint64_t v, uint64_t mul) {
  uint64_t a = (u ^ v) * mul;
  a ^= a >> 47;
  uint64_t b = (v ^ a) * mul;
  b ^= b >> 47;
  return b * mul;
}

uint64_t hash_len0to16(const char* s, size_t len) {
  if (len >= 8) {
    const uint64_t mul = k2 + len * 2;
    const uint64_t a = fetch64(s) + k2, b = fetch64(s + len - 8);
    const uint64_t c = rotr(b, 37) * mul + a, d = (rotr(a, 25) + b) * mul;
    return hash_len16(c, d, mul);
  }
  if (len >= 4) {
    const uint64_t mul = k2 + len * 2;
    const uint64_t a = fetch32(s);
    return hash_len16(len + (a << 3), fetch32(s + len - 4), mul);
  }
  if (len > 0) {
    const auto a = static_cast<uint8_t>(s[0]), b = static_cast<uint8_t>(s[len >> 1]),
               c = static_cast<uint8_t>(s[len - 1]);
    const auto y = static_cast<uint32_t>(a) + (static_cast<uint32_t>(b) << 8);
    const auto z = static_cast<uint32_t>(len) + (static_cast<uint32_t>(c) << 2);
    return shift_mix(y * k2 ^ z * k0) * k2;
  }
  return k2;
}

uint64_t hash_len17to32(const char* s, size_t len) {
  const uint64_t mul = k2 + len * 2;
  const uint64_t a = fetch64(s) * k1, b = fetch64(s + 8);
  const uint64_t c = fetch64(s + len - 8) * mul, d = fetch64(s + len - 16) * k2;
  return hash_len16(rotr(a + b, 43) + rotr(c, 30) + d, a + rotr(b + k2, 18) + c, mul);
}

uint64_t hash_len33to64(const char* s, size_t len) {
  const uint64_t mul = k2 + len * 2;
  const uint64_t a = fetch64(s) * k2, b = fetch64(s + 8);
  const uint64_t c = fetch64(s + len - 8) * mul, d = fetch64(s + len - 16) * k2;
  const uint64_t y = rotr(a + b, 43) + rotr(c, 30) + d;
  const uint64_t z = hash_len16(y, a + rotr(b + k2, 18) + c, mul);
  const uint64_t e = fetch64(s + 16) * mul, f = fetch64(s + 24);
  const uint64_t g = (y + fetch64(s + len - 32)) * mul, h = (z + fetch64(s + len - 24)) * mul;
  return hash_len16(rotr(e + f, 43) + rotr(g, 30) + h, e + rotr(f + a, 18) + g, mul);
}

std::pair<uint64_t, uint64_t> weak_hash32(uint64_t w, uint64_t x, uint64_t y, uint64_t z, uint64_t a, uint64_t b) {
  a += w;
  b = rotr(b + a + z, 21);
  const uint64_t c = a;
  a += x;
  a += y;
  b += rotr(a, 44);
  return {a + z, b + c};
}
std::pair<uint64_t, uint64_t> weak_hash32(const char* s, uint64_t a, uint64_t b) {
  return weak_hash32(fetch64(s), fetch64(s + 8), fetch64(s + 16), fetch64(s + 24), a, b);
}

uint64_t hash64(const char* s, size_t len) {
  if (len <= 16) return hash_len0to16(s, len);
  if (len <= 32) return hash_len17to32(s, len);
  if (len <= 64) return hash_len33to64(s, len);
  constexpr uint64_t seed = 81;
  uint64_t x = seed, y = seed * k1 + 113, z = shift_mix(y * k2 + 113) * k2;
  std::pair<uint64_t, uint64_t> v{0, 0}, w{0, 0};
  x = x * k2 + fetch64(s);
  const char* end = s + ((len - 1) / 64) * 64;
  const char* last64 = end + ((len - 1) & 63) - 63;
  do {  // 64 bytes at a time
    x = rotr(x + y + v.first + fetch64(s + 8), 37) * k1;
    y = rotr(y + v.second + fetch64(s + 48), 42) * k1;
    x ^= w.second;
    y += v.first + fetch64(s + 40);
    z = rotr(z + w.first, 33) * k1;
    v = weak_hash32(s, v.second * k1, x + w.first);
    w = weak_hash32(s + 32, z + w.second, y + fetch64(s + 16));
    std::swap(z, x);
    s += 64;
  } while (s != end);
  const uint64_t mul = k1 + ((z & 0xff) << 1);
  s = last64;  // the last 64 bytes
  w.first += (len - 1) & 63;
  v.first += w.first;
  w.first += v.first;
  x = rotr(x + y + v.first + fetch64(s + 8), 37) * mul;
  y = rotr(y + v.second + fetch64(s + 48), 42) * mul;
  x ^= w.second * 9;
  y += v.first * 9 + fetch64(s + 40);
  z = rotr(z + w.first, 33) * mul;
  v = weak_hash32(s, v.second * mul, x + w.first);
  w = weak_hash32(s + 32, z + w.second, y + fetch64(s + 16));
  std::swap(z, x);
  return hash_len16(hash_len16(v.first, w.first, mul) + shift_mix(y) * k0 + z,
                    hash_len16(v.second, w.second, mul) + x, mul);
}

// ---- SipHash-2-4 ----------------------------------------------------------------------
uint64_t rotl(uint64_t v, int s) { return (v << s) | (v >> (64 - s)); }

struct SipState {
  uint64_t v0, v1, v2, v3;
  void round() {
    v0 += v1, v1 = rotl(v1, 13), v1 ^= v0, v0 = rotl(v0, 32);
    v2 += v3, v3 = rotl(v3, 16), v3 ^= v2;
    v0 += v3, v3 = rotl(v3, 21), v3 ^= v0;
    v2 += v1, v1 = rotl(v1, 17), v1 ^= v2, v2 = rotl(v2, 32);
  }
  void block(uint64_t m) {
    v3 ^= m;
    round(), round();
    v0 ^= m;
  }
};

uint64_t siphash24(const std::array<uint64_t, 2>& key, std::string_view s) {
  SipState st{key[0] ^ 0x736f6d6570736575ULL, key[1] ^ 0x646f72616e646f6dULL,
              key[0] ^ 0x6c7967656e657261ULL, key[1] ^ 0x7465646279746573ULL};
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) st.block(fetch64(s.data() + i));
  uint64_t last = static_cast<uint64_t>(s.size()) << 56;
  for (size_t k = 0; i + k < s.size(); ++k) last |= static_cast<uint64_t>(static_cast<uint8_t>(s[i + k])) << (8 * k);
  st.block(last);
  st.v2 ^= 0xff;
  st.round(), st.round(), st.round(), st.round();
  return st.v0 ^ st.v1 ^ st.v2 ^ st.v3;
}

void check_buckets(int64_t num_buckets, const char* op) {
  if (num_buckets < 1)
    throw_invalid(std::string(op) + ": expected num_buckets >= 1, but received " + std::to_string(num_buckets));
}
}  // namespace

uint64_t fingerprint64(std::string_view s) { return hash64(s.data(), s.size()); }

static Tensor to_hash_bucket_fast_eager(const Tensor& input, int64_t num_buckets);
Tensor to_hash_bucket_fast(const Tensor& input, int64_t num_buckets) {
  return traced_host_op({input}, [num_buckets](const std::vector<Tensor>& in) { return to_hash_bucket_fast_eager(in[0], num_buckets); });
}
static Tensor to_hash_bucket_fast_eager(const Tensor& input, int64_t num_buckets) {
  const std::string* in = string_input(input, "to_hash_bucket_fast");
  check_buckets(num_buckets, "to_hash_bucket_fast");
  return generate<int64_t>(input.shape(), DType::int64, [&](int64_t i) {
    return static_cast<int64_t>(fingerprint64(in[i]) % static_cast<uint64_t>(num_buckets));
  });
}

static Tensor to_hash_bucket_strong_eager(const Tensor& input, int64_t num_buckets, const std::array<uint64_t, 2>& key);
Tensor to_hash_bucket_strong(const Tensor& input, int64_t num_buckets, const std::array<uint64_t, 2>& key) {
  return traced_host_op({input}, [num_buckets, key](const std::vector<Tensor>& in) { return to_hash_bucket_strong_eager(in[0], num_buckets, key); });
}
static Tensor to_hash_bucket_strong_eager(const Tensor& input, int64_t num_buckets, const std::array<uint64_t, 2>& key) {
  const std::string* in = string_input(input, "to_hash_bucket_strong");
  check_buckets(num_buckets, "to_hash_bucket_strong");
  return generate<int64_t>(input.shape(), DType::int64, [&](int64_t i) {
    return static_cast<int64_t>(siphash24(key, in[i]) % static_cast<uint64_t>(num_buckets));
  });
}

}  // namespace keras::core::strings
