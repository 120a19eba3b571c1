// npz.cpp - NumPy .npz archives: a zip archive holding one NAME.npy member per array
// (numpy.savez stores them, numpy.savez_compressed deflates them). The reader walks the central directory (the
// end record, its ZIP64 form, each entry with its ZIP64 extra field), so data
// descriptors and the ZIP64 local headers NumPy writes need no special case.
//
// Every zip offset and size read is checked against the file size (and a deflated
// member's size against deflate's maximal ratio) before it is used, so no allocation
// depends on an unchecked number; each member is parsed as a .npy file (core/npy.cpp).
#include <algorithm>
#include <cstdint>
#include <functional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/atomic_file.h"
#include "core/compression.h"
#include "core/npy.h"
#include "core/npy_io.h"
#include "core/npz_members.h"

namespace keras::core {
namespace {
using namespace npy_io;

constexpr uint32_t kLocalSig = 0x04034b50, kCentralSig = 0x02014b50, kEndSig = 0x06054b50,
                   kEnd64Sig = 0x06064b50, kEnd64LocatorSig = 0x07064b50;
constexpr uint32_t kMax32 = 0xffffffffu;
constexpr uint16_t kMax16 = 0xffff;
constexpr std::size_t kLocalSize = 30, kCentralSize = 46, kEndSize = 22, kEnd64Size = 56,
                      kLocatorSize = 20;
constexpr uint16_t kDosDate = (0 << 9) | (1 << 5) | 1;  // 1980-01-01: reproducible files
// deflate's best case is about 1032:1, so a member claiming more is corrupt.
constexpr uint64_t kMaxDeflateRatio = 1032;

void put16(std::string& s, uint16_t v) {
  s += static_cast<char>(v & 0xff);
  s += static_cast<char>(v >> 8);
}
void put32(std::string& s, uint32_t v) {
  for (int i = 0; i < 4; ++i) s += static_cast<char>((v >> (8 * i)) & 0xff);
}
void put64(std::string& s, uint64_t v) {
  for (int i = 0; i < 8; ++i) s += static_cast<char>((v >> (8 * i)) & 0xff);
}
uint16_t get16(const unsigned char* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
uint32_t get32(const unsigned char* p) {
  return uint32_t(p[0]) | (uint32_t(p[1]) << 8) | (uint32_t(p[2]) << 16) | (uint32_t(p[3]) << 24);
}
uint64_t get64(const unsigned char* p) { return uint64_t(get32(p)) | (uint64_t(get32(p + 4)) << 32); }

struct ZipEntry {
  std::string name;
  uint16_t flags = 0, method = 0;
  uint32_t crc = 0;
  uint64_t csize = 0, usize = 0, offset = 0;
};

// Reads member `key` (its name without ".npy") from a stream of `usize` bytes.
using MemberReader = std::function<void(std::string key, Stream& s, uint64_t usize, const std::string& mctx)>;

// Walks the archive's members in order, checking each one's zip structure, size and CRC-32
// around `read`.
void walk_npz(const Source& src, const std::string& ctx, const MemberReader& read) {
  const uint64_t size = src.size();
  // The end of central directory record: the last signature in the final 64 KiB + 22
  // bytes whose comment length reaches the end of the file.
  if (size < kEndSize)
    fail_at(ctx, "not a zip file (" + std::to_string(size) +
                     " bytes, too short for the end of central directory record)");
  const uint64_t tail_len = std::min<uint64_t>(size, kEndSize + 0xffff);
  std::vector<unsigned char> tail(static_cast<std::size_t>(tail_len));
  src.read_at(size - tail_len, tail.data(), tail.size());
  std::size_t end_pos = std::string::npos;  // within tail
  for (std::size_t i = tail.size() - kEndSize + 1; i-- > 0;) {
    if (get32(&tail[i]) == kEndSig && i + kEndSize + get16(&tail[i + 20]) == tail.size()) {
      end_pos = i;
      break;
    }
  }
  if (end_pos == std::string::npos)
    fail_at(ctx, "not a zip file (no end of central directory record)");
  const unsigned char* e = &tail[end_pos];
  const uint64_t end_offset = size - tail_len + end_pos;
  uint64_t disk = get16(e + 4), cd_disk = get16(e + 6);
  uint64_t entries_disk = get16(e + 8), entries = get16(e + 10);
  uint64_t cd_size = get32(e + 12), cd_offset = get32(e + 16);
  uint64_t cd_end_limit = end_offset;  // the central directory ends before this
  if (entries == kMax16 || entries_disk == kMax16 || cd_size == kMax32 || cd_offset == kMax32) {
    // ZIP64: a locator right before the end record points to the ZIP64 end record.
    if (end_offset < kLocatorSize)
      fail_at(ctx, "corrupt zip: the ZIP64 end of central directory locator is missing");
    unsigned char loc[kLocatorSize];
    src.read_at(end_offset - kLocatorSize, loc, kLocatorSize);
    if (get32(loc) != kEnd64LocatorSig)
      fail_at(ctx, "corrupt zip: the ZIP64 end of central directory locator is missing");
    uint64_t e64_offset = get64(loc + 8);
    if (get32(loc + 16) > 1 || get32(loc + 4) != 0)
      fail_at(ctx, "multi-disk zip archives are not supported");
    if (e64_offset > end_offset - kLocatorSize || end_offset - kLocatorSize - e64_offset < kEnd64Size)
      fail_at(ctx, "corrupt zip: the ZIP64 end of central directory record at offset " +
                       std::to_string(e64_offset) + " lies outside the file");
    unsigned char e64[kEnd64Size];
    src.read_at(e64_offset, e64, kEnd64Size);
    if (get32(e64) != kEnd64Sig)
      fail_at(ctx, "corrupt zip: bad ZIP64 end of central directory signature");
    disk = get32(e64 + 16);
    cd_disk = get32(e64 + 20);
    entries_disk = get64(e64 + 24);
    entries = get64(e64 + 32);
    cd_size = get64(e64 + 40);
    cd_offset = get64(e64 + 48);
    cd_end_limit = e64_offset;
  }
  if (disk != 0 || cd_disk != 0 || entries_disk != entries)
    fail_at(ctx, "multi-disk zip archives are not supported");
  if (cd_offset > cd_end_limit || cd_size > cd_end_limit - cd_offset)
    fail_at(ctx, "corrupt zip: the central directory (offset " + std::to_string(cd_offset) +
                     ", " + std::to_string(cd_size) + " bytes) does not fit before the end "
                     "record at offset " + std::to_string(cd_end_limit));
  if (entries > cd_size / kCentralSize)
    fail_at(ctx, "corrupt zip: " + std::to_string(entries) + " entries cannot fit in a " +
                     std::to_string(cd_size) + "-byte central directory");
  std::vector<unsigned char> cd(static_cast<std::size_t>(cd_size));
  src.read_at(cd_offset, cd.data(), cd.size());

  // Central directory entries.
  std::vector<ZipEntry> list;
  list.reserve(static_cast<std::size_t>(entries));
  std::size_t p = 0;
  for (uint64_t i = 0; i < entries; ++i) {
    const std::string where = "corrupt zip: central directory entry " + std::to_string(i);
    if (cd.size() - p < kCentralSize) fail_at(ctx, where + " is truncated");
    const unsigned char* c = &cd[p];
    if (get32(c) != kCentralSig) fail_at(ctx, where + " has a bad signature");
    ZipEntry z;
    z.flags = get16(c + 8);
    z.method = get16(c + 10);
    z.crc = get32(c + 16);
    z.csize = get32(c + 20);
    z.usize = get32(c + 24);
    const std::size_t name_len = get16(c + 28), extra_len = get16(c + 30),
                      comment_len = get16(c + 32);
    uint64_t entry_disk = get16(c + 34);
    z.offset = get32(c + 42);
    if (cd.size() - p - kCentralSize < name_len + extra_len + comment_len)
      fail_at(ctx, where + " is truncated");
    z.name.assign(reinterpret_cast<const char*>(c + kCentralSize), name_len);
    // The ZIP64 extra field holds, in this order, each field whose 32-bit value is
    // all ones.
    const unsigned char* x = c + kCentralSize + name_len;
    std::size_t xp = 0;
    while (extra_len - xp >= 4) {
      uint16_t id = get16(x + xp), len = get16(x + xp + 2);
      if (extra_len - xp - 4 < len) fail_at(ctx, where + " ('" + z.name + "') has a truncated extra field");
      if (id == 0x0001) {
        const unsigned char* f = x + xp + 4;
        std::size_t fp = 0;
        auto take = [&](uint64_t& v, std::size_t bytes) {
          if (len - fp < bytes)
            fail_at(ctx, where + " ('" + z.name + "') has a truncated ZIP64 extra field");
          v = bytes == 8 ? get64(f + fp) : get32(f + fp);
          fp += bytes;
        };
        if (z.usize == kMax32) take(z.usize, 8);
        if (z.csize == kMax32) take(z.csize, 8);
        if (z.offset == kMax32) take(z.offset, 8);
        if (entry_disk == kMax16) take(entry_disk, 4);
      }
      xp += 4 + std::size_t(len);
    }
    if (entry_disk != 0) fail_at(ctx, "multi-disk zip archives are not supported");
    p += kCentralSize + name_len + extra_len + comment_len;
    list.push_back(std::move(z));
  }

  std::set<std::string> seen;
  for (const ZipEntry& z : list) {
    const std::string mctx = ctx + ": member '" + z.name + "'";
    if (z.name.size() < 4 || z.name.compare(z.name.size() - 4, 4, ".npy") != 0)
      fail_at(mctx, "not a .npy member (an .npz archive holds only NAME.npy arrays)");
    std::string key = z.name.substr(0, z.name.size() - 4);
    if (!seen.insert(key).second) fail_at(mctx, "duplicate array name '" + key + "'");
    if (z.flags & 1) fail_at(mctx, "encrypted zip members are not supported");
    if (z.method != 0 && z.method != 8)
      fail_at(mctx, "unsupported compression method " + std::to_string(z.method) +
                        " (supported: 0 stored, 8 deflate)");
    // The local header: its name and extra field lengths give where the data starts.
    if (z.offset > cd_offset || cd_offset - z.offset < kLocalSize)
      fail_at(mctx, "corrupt zip: the local header offset " + std::to_string(z.offset) +
                        " lies outside the file's data area (which ends at " +
                        std::to_string(cd_offset) + ")");
    unsigned char lh[kLocalSize];
    src.read_at(z.offset, lh, kLocalSize);
    if (get32(lh) != kLocalSig)
      fail_at(mctx, "corrupt zip: bad local header signature at offset " + std::to_string(z.offset));
    const uint64_t data_begin = z.offset + kLocalSize + get16(lh + 26) + get16(lh + 28);
    if (data_begin > cd_offset || z.csize > cd_offset - data_begin)
      fail_at(mctx, "corrupt zip: the member's " + std::to_string(z.csize) +
                        " bytes of data at offset " + std::to_string(data_begin) +
                        " run past the data area (which ends at " + std::to_string(cd_offset) + ")");
    const uint64_t data_end = data_begin + z.csize;
    if (z.method == 0) {
      if (z.csize != z.usize)
        fail_at(mctx, "corrupt zip: a stored member's compressed size " + std::to_string(z.csize) +
                          " differs from its size " + std::to_string(z.usize));
      StoredStream s(src, data_begin, data_end);
      read(key, s, z.usize, mctx);
      if (s.crc() != z.crc) fail_at(mctx, "CRC-32 mismatch: the data is corrupt");
    } else {
      if (z.usize / kMaxDeflateRatio > z.csize + 64)
        fail_at(mctx, "corrupt zip: " + std::to_string(z.csize) +
                          " bytes of deflate data cannot expand to the declared " +
                          std::to_string(z.usize) + " bytes");
      InflateStream s(src, data_begin, data_end, mctx);
      read(key, s, z.usize, mctx);
      char extra;
      if (s.read(&extra, 1) != 0)
        fail_at(mctx, "the member decompresses to more than its declared " +
                          std::to_string(z.usize) + " bytes");
      if (s.crc() != z.crc) fail_at(mctx, "CRC-32 mismatch: the data is corrupt");
    }
  }
}

std::vector<std::pair<std::string, Tensor>> read_npz(const Source& src, const std::string& ctx) {
  std::vector<std::pair<std::string, Tensor>> out;
  walk_npz(src, ctx, [&](std::string key, Stream& s, uint64_t usize, const std::string& mctx) {
    out.emplace_back(std::move(key), parse_npy(s, usize, mctx, "member"));
  });
  return out;
}

}  // namespace

void save_npz(const std::string& path, const std::vector<std::pair<std::string, Tensor>>& arrays,
              bool compress) {
  std::set<std::string> names;
  for (const auto& [name, t] : arrays) {
    if (name.empty()) throw std::invalid_argument("save_npz: an array name is empty");
    if (name.size() > kMax16 - 4)
      throw std::invalid_argument("save_npz: the array name '" + name.substr(0, 40) +
                                  "...' is longer than a zip entry name can be (65531 bytes)");
    if (!names.insert(name).second)
      throw std::invalid_argument("save_npz: duplicate array name '" + name + "'");
    if (!t.defined())
      throw std::invalid_argument("save_npz: the tensor '" + name + "' is undefined (empty handle)");
  }
  AtomicFile f(path, "save_npz");
  std::string central;
  uint64_t count = 0;
  for (const auto& [name, t] : arrays) {
    Tensor host = t.cpu();
    const std::string header = make_header(host);
    const std::string_view data(static_cast<const char*>(host.raw_data()), host.nbytes());
    const std::string member = name + ".npy";
    uint32_t crc = compression::crc32(0, header.data(), header.size());
    crc = compression::crc32(crc, data.data(), data.size());
    const uint64_t usize = header.size() + data.size();
    std::string packed;
    if (compress) packed = compression::deflate_raw({header, data});
    const uint64_t csize = compress ? packed.size() : usize;
    const uint64_t offset = f.written();
    const bool big = usize >= kMax32 || csize >= kMax32;
    const bool far = offset >= kMax32;
    const bool utf8 = std::any_of(member.begin(), member.end(),
                                  [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
    const uint16_t version = big || far ? 45 : 20;
    const uint16_t flags = utf8 ? 0x800 : 0;
    const uint16_t method = compress ? 8 : 0;

    std::string local;
    put32(local, kLocalSig);
    put16(local, version);
    put16(local, flags);
    put16(local, method);
    put16(local, 0);  // time 00:00
    put16(local, kDosDate);
    put32(local, crc);
    put32(local, big ? kMax32 : static_cast<uint32_t>(csize));
    put32(local, big ? kMax32 : static_cast<uint32_t>(usize));
    put16(local, static_cast<uint16_t>(member.size()));
    put16(local, big ? 20 : 0);
    local += member;
    if (big) {  // a local ZIP64 extra field holds both sizes
      put16(local, 0x0001);
      put16(local, 16);
      put64(local, usize);
      put64(local, csize);
    }
    f.write(local);
    if (compress) {
      f.write(packed);
    } else {
      f.write(header);
      f.write(data.data(), data.size());
    }

    std::string extra;
    if (usize >= kMax32) put64(extra, usize);
    if (csize >= kMax32) put64(extra, csize);
    if (far) put64(extra, offset);
    put32(central, kCentralSig);
    put16(central, (3 << 8) | 20);  // made by: Unix, zip 2.0
    put16(central, version);
    put16(central, flags);
    put16(central, method);
    put16(central, 0);
    put16(central, kDosDate);
    put32(central, crc);
    put32(central, csize >= kMax32 ? kMax32 : static_cast<uint32_t>(csize));
    put32(central, usize >= kMax32 ? kMax32 : static_cast<uint32_t>(usize));
    put16(central, static_cast<uint16_t>(member.size()));
    put16(central, static_cast<uint16_t>(extra.empty() ? 0 : extra.size() + 4));
    put16(central, 0);  // comment
    put16(central, 0);  // disk
    put16(central, 0);  // internal attributes
    put32(central, 0100644u << 16);  // external attributes: a regular file, rw-r--r--
    put32(central, far ? kMax32 : static_cast<uint32_t>(offset));
    central += member;
    if (!extra.empty()) {
      put16(central, 0x0001);
      put16(central, static_cast<uint16_t>(extra.size()));
      central += extra;
    }
    ++count;
  }
  const uint64_t cd_offset = f.written();
  f.write(central);
  std::string end;
  const bool zip64 = count >= kMax16 || central.size() >= kMax32 || cd_offset >= kMax32;
  if (zip64) {
    const uint64_t end64_offset = f.written();
    put32(end, kEnd64Sig);
    put64(end, kEnd64Size - 12);
    put16(end, (3 << 8) | 45);
    put16(end, 45);
    put32(end, 0);
    put32(end, 0);
    put64(end, count);
    put64(end, count);
    put64(end, central.size());
    put64(end, cd_offset);
    put32(end, kEnd64LocatorSig);
    put32(end, 0);
    put64(end, end64_offset);
    put32(end, 1);
  }
  put32(end, kEndSig);
  put16(end, 0);
  put16(end, 0);
  put16(end, zip64 ? kMax16 : static_cast<uint16_t>(count));
  put16(end, zip64 ? kMax16 : static_cast<uint16_t>(count));
  put32(end, zip64 ? kMax32 : static_cast<uint32_t>(central.size()));
  put32(end, zip64 ? kMax32 : static_cast<uint32_t>(cd_offset));
  put16(end, 0);  // comment
  f.write(end);
  f.commit();
}

std::vector<std::pair<std::string, Tensor>> load_npz(const std::string& path) {
  const std::string ctx = "load_npz: " + quoted(path);
  FileSource src(path, ctx);
  return read_npz(src, ctx);
}

std::vector<std::pair<std::string, Tensor>> load_npz_bytes(const void* data, std::size_t size,
                                                           const std::string& name) {
  const std::string ctx = "load_npz: " + quoted(name);
  MemorySource src(data, size);
  return read_npz(src, ctx);
}
std::vector<std::pair<std::string, std::string>> load_npz_members(const std::string& path) {
  const std::string ctx = "load_npz: " + quoted(path);
  FileSource src(path, ctx);
  std::vector<std::pair<std::string, std::string>> out;
  walk_npz(src, ctx, [&](std::string key, Stream& s, uint64_t usize, const std::string& mctx) {
    std::string bytes(static_cast<std::size_t>(usize), '\0');
    if (s.read(bytes.data(), bytes.size()) != bytes.size()) fail_at(mctx, "member is truncated: its data ends early");
    out.emplace_back(std::move(key), std::move(bytes));
  });
  return out;
}
}  // namespace keras::core
