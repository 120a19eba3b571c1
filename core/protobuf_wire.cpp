#include "core/protobuf_wire.h"

#include <cstring>
#include <stdexcept>

namespace keras::core::protobuf {

namespace {
void little_endian(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFFu));
}

template <class T>
uint64_t bits_of(T v) {
  static_assert(sizeof(T) == 4 || sizeof(T) == 8);
  std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t> u;
  std::memcpy(&u, &v, sizeof u);
  return u;
}
}  // namespace

void Writer::varint(uint64_t v) {
  while (v >= 0x80) {
    out_.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out_.push_back(static_cast<char>(v));
}

void Writer::key(uint32_t field, uint32_t wire_type) { varint((uint64_t{field} << 3) | wire_type); }

void Writer::int_field(uint32_t field, int64_t v) {
  key(field, kVarint);
  varint(static_cast<uint64_t>(v));
}

void Writer::float_field(uint32_t field, float v) {
  key(field, kFixed32);
  little_endian(out_, bits_of(v), 4);
}

void Writer::double_field(uint32_t field, double v) {
  key(field, kFixed64);
  little_endian(out_, bits_of(v), 8);
}

void Writer::bytes_field(uint32_t field, std::string_view bytes) {
  key(field, kLengthDelimited);
  varint(bytes.size());
  out_.append(bytes.data(), bytes.size());
}

void Writer::packed_ints(uint32_t field, const std::vector<int64_t>& values) {
  if (values.empty()) return;
  Writer body;
  for (int64_t v : values) body.varint(static_cast<uint64_t>(v));
  bytes_field(field, body.bytes());
}

void Writer::packed_floats(uint32_t field, const std::vector<float>& values) {
  if (values.empty()) return;
  std::string body;
  for (float v : values) little_endian(body, bits_of(v), 4);
  bytes_field(field, body);
}

void Writer::packed_doubles(uint32_t field, const std::vector<double>& values) {
  if (values.empty()) return;
  std::string body;
  for (double v : values) little_endian(body, bits_of(v), 8);
  bytes_field(field, body);
}

void Reader::fail(const std::string& what) const { throw std::runtime_error(who_ + ": " + what); }

uint64_t Reader::varint() {
  uint64_t v = 0;
  for (int i = 0; i < 10; ++i) {
    if (p_.empty()) fail("truncated varint");
    const auto b = static_cast<unsigned char>(p_[0]);
    p_.remove_prefix(1);
    v |= uint64_t{b & 0x7Fu} << (7 * i);
    if (!(b & 0x80)) return v;
  }
  fail("a varint longer than 10 bytes");
}

void Reader::next(uint32_t& field, uint32_t& wire_type) {
  const uint64_t k = varint();
  wire_type = static_cast<uint32_t>(k & 7);
  if (k >> 3 == 0 || k >> 3 > 0x1FFFFFFF) fail("a field number of " + std::to_string(k >> 3));
  field = static_cast<uint32_t>(k >> 3);
  if (wire_type != kVarint && wire_type != kFixed64 && wire_type != kLengthDelimited && wire_type != kFixed32)
    fail("field " + std::to_string(field) + " has wire type " + std::to_string(wire_type) + " (expected 0, 1, 2 or 5)");
}

uint64_t Reader::little_endian(int n, const char* what) {
  if (p_.size() < size_t(n)) fail(std::string("truncated ") + what);
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v |= uint64_t{static_cast<unsigned char>(p_[size_t(i)])} << (8 * i);
  p_.remove_prefix(size_t(n));
  return v;
}

uint32_t Reader::fixed32() { return static_cast<uint32_t>(little_endian(4, "fixed32")); }

uint64_t Reader::fixed64() { return little_endian(8, "fixed64"); }

std::string_view Reader::bytes() {
  const uint64_t n = varint();
  if (n > p_.size())
    fail("a length-delimited field of " + std::to_string(n) + " bytes where " + std::to_string(p_.size()) + " remain");
  std::string_view out = p_.substr(0, size_t(n));
  p_.remove_prefix(size_t(n));
  return out;
}

void Reader::skip(uint32_t wire_type) {
  switch (wire_type) {
    case kVarint:
      varint();
      break;
    case kFixed64:
      fixed64();
      break;
    case kLengthDelimited:
      bytes();
      break;
    case kFixed32:
      fixed32();
      break;
    default:
      fail("wire type " + std::to_string(wire_type));
  }
}

}  // namespace keras::core::protobuf
