// digest.h - SHA-256 (FIPS 180-4) and MD5 (RFC 1321) message digests, streamed: what
// keras::utils' get_file / hash_file / validate_file check downloaded files with, as
// Keras's hashlib calls do.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace keras::core {

/// What the 64-byte-block digests share: buffering, and the final padding (0x80, zeros,
/// the bit length).
class BlockDigest {
 public:
  virtual ~BlockDigest() = default;
  /// Adds `n` bytes.
  void update(const void* data, std::size_t n);
  /// The digest of everything added, lowercase hex (the object is spent afterwards).
  std::string hexdigest();

 protected:
  /// big_endian_length: how the final block writes the bit length (SHA-2: big-endian).
  explicit BlockDigest(bool big_endian_length) : big_endian_length_(big_endian_length) {}
  /// Mixes one 64-byte block into the state.
  virtual void block(const unsigned char* p) = 0;
  /// Writes the digest's bytes; returns their count.
  virtual std::size_t digest(unsigned char* out) const = 0;

 private:
  bool big_endian_length_;
  unsigned char buf_[64];
  std::size_t used_ = 0;
  uint64_t bytes_ = 0;
};

/// A streaming SHA-256: update() any number of times, then hexdigest().
class Sha256 : public BlockDigest {
 public:
  Sha256();

 private:
  void block(const unsigned char* p) override;
  std::size_t digest(unsigned char* out) const override;
  std::array<uint32_t, 8> h_;
};

/// A streaming MD5, as Sha256.
class Md5 : public BlockDigest {
 public:
  Md5();

 private:
  void block(const unsigned char* p) override;
  std::size_t digest(unsigned char* out) const override;
  std::array<uint32_t, 4> h_;
};

/// SHA-256 of `data`, lowercase hex.
std::string sha256_hex(std::string_view data);
/// MD5 of `data`, lowercase hex.
std::string md5_hex(std::string_view data);

}  // namespace keras::core
