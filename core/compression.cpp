// compression.cpp - whole-file reads and zlib: gzip, raw deflate/inflate, CRC-32.
#include "core/compression.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <stdexcept>

namespace keras::core::compression {
namespace {

[[noreturn]] void fail(const std::string& who, const std::string& problem) {
  throw std::runtime_error(who + ": " + problem);
}

// zlib counts in uInt; larger buffers are processed in pieces of this size.
constexpr std::size_t kChunk = std::size_t(1) << 30;

}  // namespace

std::string read_file(const std::string& path, uint64_t max_bytes, const std::string& who) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail(who, std::string("cannot open: ") + std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st;
  if (::fstat(fd, &st) != 0) fail(who, std::string("cannot stat: ") + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) fail(who, "not a regular file");
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  if (size > max_bytes)
    fail(who, "the file has " + std::to_string(size) + " bytes, more than the limit of " +
                  std::to_string(max_bytes));
  std::string out(static_cast<std::size_t>(size), '\0');
  std::size_t got = 0;
  while (got < out.size()) {
    ssize_t r = ::read(fd, out.data() + got, out.size() - got);
    if (r < 0) {
      if (errno == EINTR) continue;
      fail(who, std::string("read failed: ") + std::strerror(errno));
    }
    if (r == 0) break;
    got += static_cast<std::size_t>(r);
  }
  if (got != out.size()) fail(who, "the file shrank while being read");
  return out;
}

bool is_gzip(std::string_view data) {
  return data.size() >= 2 && static_cast<unsigned char>(data[0]) == 0x1f &&
         static_cast<unsigned char>(data[1]) == 0x8b;
}

std::string gunzip(std::string_view data, uint64_t max_output, const std::string& who) {
  z_stream z{};
  if (inflateInit2(&z, 15 + 16) != Z_OK) fail(who, "zlib cannot initialize");
  struct Ender {
    z_stream* z;
    ~Ender() { inflateEnd(z); }
  } ender{&z};
  std::string out;
  std::size_t pos = 0;  // next unread input byte
  char buf[1 << 16];
  bool member_done = false;
  while (true) {
    if (z.avail_in == 0 && pos < data.size()) {
      std::size_t n = std::min(data.size() - pos, kChunk);
      z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data() + pos));
      z.avail_in = static_cast<uInt>(n);
      pos += n;
    }
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    int rc = ::inflate(&z, Z_NO_FLUSH);
    std::size_t produced = sizeof buf - z.avail_out;
    if (out.size() + produced > max_output)
      fail(who, "the gzip data decompresses to more than " + std::to_string(max_output) +
                    " bytes");
    out.append(buf, produced);
    if (rc == Z_STREAM_END) {
      member_done = true;
      // Another gzip member may follow (as `cat a.gz b.gz` makes); trailing zero bytes
      // (padding some tools add) are ignored.
      std::string_view rest(reinterpret_cast<const char*>(z.next_in), z.avail_in);
      std::string_view tail = data.substr(pos);
      if (rest.empty() && tail.empty()) break;
      std::string_view next = rest.empty() ? tail : rest;
      if (!is_gzip(next)) {
        bool zeros = std::all_of(rest.begin(), rest.end(), [](char c) { return c == 0; }) &&
                     std::all_of(tail.begin(), tail.end(), [](char c) { return c == 0; });
        if (zeros) break;
        fail(who, "unexpected bytes after the end of the gzip data");
      }
      if (inflateReset(&z) != Z_OK) fail(who, "zlib cannot reset");
      member_done = false;
      continue;
    }
    if (rc == Z_BUF_ERROR && z.avail_in == 0 && pos >= data.size()) break;  // input exhausted
    if (rc != Z_OK && rc != Z_BUF_ERROR)
      fail(who, std::string("corrupt gzip data (") + (z.msg ? z.msg : "zlib error " + std::to_string(rc)) + ")");
  }
  if (!member_done)
    fail(who, "the gzip data is truncated (the compressed stream ends before its end marker)");
  return out;
}

uint32_t crc32(uint32_t crc, const void* data, std::size_t n) {
  const Bytef* p = static_cast<const Bytef*>(data);
  uLong c = crc;
  while (n > 0) {
    std::size_t k = std::min(n, kChunk);
    c = ::crc32(c, p, static_cast<uInt>(k));
    p += k;
    n -= k;
  }
  return static_cast<uint32_t>(c);
}

std::string deflate_raw(std::initializer_list<std::string_view> pieces) {
  z_stream z{};
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("deflate: zlib cannot initialize");
  struct Ender {
    z_stream* z;
    ~Ender() { deflateEnd(z); }
  } ender{&z};
  std::string out;
  char buf[1 << 16];
  const std::string_view* piece = pieces.begin();
  std::size_t pos = 0;  // within *piece
  auto more_input = [&] {
    while (piece != pieces.end() && pos >= piece->size()) {
      ++piece;
      pos = 0;
    }
    return piece != pieces.end();
  };
  int rc;
  do {
    if (z.avail_in == 0 && more_input()) {
      std::size_t k = std::min(piece->size() - pos, kChunk);
      z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(piece->data() + pos));
      z.avail_in = static_cast<uInt>(k);
      pos += k;
    }
    const bool last = !more_input();  // every piece has been handed to zlib
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = ::deflate(&z, last ? Z_FINISH : Z_NO_FLUSH);
    if (rc == Z_STREAM_ERROR) throw std::runtime_error("deflate: zlib error");
    out.append(buf, sizeof buf - z.avail_out);
  } while (rc != Z_STREAM_END);
  return out;
}

struct RawInflater::State {
  z_stream z{};
};

RawInflater::RawInflater(std::string who) : state_(std::make_unique<State>()), who_(std::move(who)) {
  if (inflateInit2(&state_->z, -15) != Z_OK) fail(who_, "zlib cannot initialize");
}

RawInflater::~RawInflater() { inflateEnd(&state_->z); }

void RawInflater::feed(const void* input, std::size_t n) {
  if (n > kChunk) fail(who_, "internal error: inflate input chunk too large");
  state_->z.next_in = static_cast<Bytef*>(const_cast<void*>(input));
  state_->z.avail_in = static_cast<uInt>(n);
}

bool RawInflater::needs_input() const { return state_->z.avail_in == 0; }

std::size_t RawInflater::inflate(void* out, std::size_t n) {
  z_stream& z = state_->z;
  std::size_t produced = 0;
  char* o = static_cast<char*>(out);
  while (produced < n && !finished_) {
    std::size_t k = std::min(n - produced, kChunk);
    z.next_out = reinterpret_cast<Bytef*>(o + produced);
    z.avail_out = static_cast<uInt>(k);
    int rc = ::inflate(&z, Z_NO_FLUSH);
    produced += k - z.avail_out;
    if (rc == Z_STREAM_END) {
      finished_ = true;
    } else if (rc == Z_BUF_ERROR) {
      break;  // needs input
    } else if (rc != Z_OK) {
      fail(who_, std::string("corrupt deflate data (") +
                     (z.msg ? z.msg : "zlib error " + std::to_string(rc)) + ")");
    } else if (z.avail_in == 0 && z.avail_out != 0) {
      break;
    }
  }
  return produced;
}

}  // namespace keras::core::compression
