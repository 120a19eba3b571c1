#include "keras/utils/tar_reader.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <stdexcept>

#include "core/compression.h"

namespace keras::utils::detail {
namespace {

std::string field(const char* h, std::size_t off, std::size_t len) {
  return std::string(h + off, strnlen(h + off, len));
}

// An octal number field (spaces and NULs around it), or GNU's base-256 form.
bool parse_number(const char* f, std::size_t len, uint64_t& out) {
  if (static_cast<unsigned char>(f[0]) & 0x80) {  // base-256: big-endian, top bit set
    uint64_t v = static_cast<unsigned char>(f[0]) & 0x7f;
    for (std::size_t i = 1; i < len; ++i) {
      if (v >> 55) return false;
      v = (v << 8) | static_cast<unsigned char>(f[i]);
    }
    out = v;
    return true;
  }
  uint64_t v = 0;
  bool digits = false;
  for (std::size_t i = 0; i < len; ++i) {
    const char c = f[i];
    if (c == ' ' || c == 0) {
      if (digits) break;
      continue;
    }
    if (c < '0' || c > '7' || v >> 60) return false;
    v = v * 8 + static_cast<uint64_t>(c - '0');
    digits = true;
  }
  out = v;
  return true;
}

bool checksum_ok(const char* h) {
  uint64_t stored = 0;
  if (!parse_number(h + 148, 8, stored)) return false;
  uint64_t sum = 0;
  for (int i = 0; i < 512; ++i) sum += (i >= 148 && i < 156) ? ' ' : static_cast<unsigned char>(h[i]);
  return sum == stored;
}

// PAX records "<len> key=value\n": the path, linkpath and size ones.
struct Pending {  // what PAX / GNU headers set for the next member
  std::string name, linkname;
  bool has_name = false, has_link = false, has_size = false;
  uint64_t size = 0;
};

void apply_pax(std::string_view rec, Pending& next, const std::string& who) {
  while (!rec.empty()) {
    const std::size_t sp = rec.find(' ');
    uint64_t len = 0;
    if (sp == std::string_view::npos || sp == 0) throw std::runtime_error(who + ": a malformed PAX header record");
    for (std::size_t i = 0; i < sp; ++i) {
      if (rec[i] < '0' || rec[i] > '9' || len > (uint64_t(1) << 40))
        throw std::runtime_error(who + ": a malformed PAX header length");
      len = len * 10 + static_cast<uint64_t>(rec[i] - '0');
    }
    if (len <= sp + 1 || len > rec.size() || rec[len - 1] != '\n')
      throw std::runtime_error(who + ": a malformed PAX header record");
    const std::string_view kv = rec.substr(sp + 1, len - sp - 2);
    const std::size_t eq = kv.find('=');
    if (eq != std::string_view::npos) {
      const std::string_view key = kv.substr(0, eq), value = kv.substr(eq + 1);
      if (key == "path") {
        next.name = std::string(value);
        next.has_name = true;
      }
      if (key == "linkpath") {
        next.linkname = std::string(value);
        next.has_link = true;
      }
      if (key == "size") {
        uint64_t v = 0;
        for (char c : value) {
          if (c < '0' || c > '9' || v > (uint64_t(1) << 59)) throw std::runtime_error(who + ": a malformed PAX size");
          v = v * 10 + static_cast<uint64_t>(c - '0');
        }
        next.size = v;
        next.has_size = true;
      }
    }
    rec.remove_prefix(static_cast<std::size_t>(len));
  }
}

}  // namespace

bool looks_like_tar(std::string_view bytes) {
  return bytes.size() >= 512 && !std::all_of(bytes.begin(), bytes.begin() + 512, [](char c) { return c == 0; }) &&
         checksum_ok(bytes.data());
}

std::string tar_bytes(std::string bytes, const std::string& who) {
  if (core::compression::is_gzip(bytes)) return core::compression::gunzip(bytes, uint64_t(16) << 30, who);
  if (bytes.rfind("BZh", 0) == 0)
    throw std::runtime_error(who + ": bzip2-compressed archives are not supported (gzip is)");
  if (bytes.rfind("\xfd"
                  "7zXZ",
                  0) == 0)
    throw std::runtime_error(who + ": xz-compressed archives are not supported (gzip is)");
  return bytes;
}

void walk_tar(std::string_view tar, const std::string& who, const std::function<void(const TarEntry&)>& visit) {
  std::size_t pos = 0;
  Pending pending;
  while (true) {
    if (tar.size() - pos < 512) {
      if (pos == tar.size()) break;  // no end blocks: tolerated, as Python's tarfile
      throw std::runtime_error(who + ": a tar header is truncated at byte " + std::to_string(pos));
    }
    const char* h = tar.data() + pos;
    if (std::all_of(h, h + 512, [](char c) { return c == 0; })) break;  // the end
    if (!checksum_ok(h)) throw std::runtime_error(who + ": bad tar header checksum at byte " + std::to_string(pos));
    uint64_t size = 0;
    if (!parse_number(h + 124, 12, size))
      throw std::runtime_error(who + ": bad size field at byte " + std::to_string(pos));
    const char type = h[156];
    if (pending.has_size && type != 'x' && type != 'g') size = pending.size;
    pos += 512;
    if (size > tar.size() - pos)
      throw std::runtime_error(who + ": a member at byte " + std::to_string(pos - 512) +
                               " runs past the end of the archive");
    const std::string_view data = tar.substr(pos, static_cast<std::size_t>(size));
    pos += static_cast<std::size_t>(std::min<uint64_t>((size + 511) / 512 * 512, tar.size() - pos));
    if (type == 'x') {  // PAX extended header for the next member
      apply_pax(data, pending, who);
      continue;
    }
    if (type == 'g') continue;         // global PAX header: nothing we use
    if (type == 'L' || type == 'K') {  // GNU long name / long link name of the next member
      (type == 'L' ? pending.name : pending.linkname) = std::string(data.substr(0, strnlen(data.data(), data.size())));
      (type == 'L' ? pending.has_name : pending.has_link) = true;
      continue;
    }
    TarEntry e;
    e.type = type == 0 ? '0' : type;
    if (pending.has_name) {
      e.name = pending.name;
    } else {
      e.name = field(h, 0, 100);
      if (std::memcmp(h + 257, "ustar", 5) == 0 && h[345]) e.name = field(h, 345, 155) + "/" + e.name;
    }
    e.linkname = pending.has_link ? pending.linkname : field(h, 157, 100);
    if (e.type == '0' || e.type == '7') e.data = data;
    visit(e);
    pending = Pending();
  }
}

}  // namespace keras::utils::detail
