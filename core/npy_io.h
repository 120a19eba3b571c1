// npy_io.h - (engine-internal: core/npy.cpp and core/npz.cpp) what the .npy and .npz
// readers and writers share: the error wording, random-access byte sources (a file or a
// memory buffer), sequential streams over them (stored or deflated bytes, with a running
// CRC-32), and the .npy format itself (the header NumPy writes, and the checked parse of
// one array from a stream).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/compression.h"
#include "core/tensor.h"

namespace keras::core::npy_io {

// ctx is the start of every message: "load_npy: 'a.npy'" or
// "load_npz: 'w.npz': member 'x.npy'".
[[noreturn]] void fail_at(const std::string& ctx, const std::string& problem);
std::string errno_text(int err);
std::string quoted(const std::string& path);

// Random access to the bytes of a file or of a memory buffer. Callers check offsets
// against size() first; a short read means the file changed while being read.
class Source {
 public:
  virtual ~Source() = default;
  virtual uint64_t size() const = 0;
  virtual void read_at(uint64_t offset, void* dst, std::size_t n) const = 0;
};

class MemorySource : public Source {
 public:
  MemorySource(const void* data, std::size_t n) : p_(static_cast<const char*>(data)), n_(n) {}
  uint64_t size() const override { return n_; }
  void read_at(uint64_t offset, void* dst, std::size_t n) const override;

 private:
  const char* p_;
  std::size_t n_;
};

// A regular file, opened read-only (ctx words the errors).
class FileSource : public Source {
 public:
  FileSource(const std::string& path, const std::string& ctx);
  ~FileSource() override;
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;
  uint64_t size() const override { return size_; }
  void read_at(uint64_t offset, void* dst, std::size_t n) const override;

 private:
  int fd_ = -1;
  uint64_t size_ = 0;
  std::string ctx_;
};

// A sequential stream of bytes with a CRC-32 of everything read.
class Stream {
 public:
  virtual ~Stream() = default;
  // Reads up to n bytes; fewer only at the end of the stream.
  std::size_t read(void* dst, std::size_t n) {
    std::size_t got = read_some(dst, n);
    crc_ = compression::crc32(crc_, dst, got);
    return got;
  }
  uint32_t crc() const { return crc_; }

 protected:
  virtual std::size_t read_some(void* dst, std::size_t n) = 0;

 private:
  uint32_t crc_ = 0;
};

// The bytes [begin, end) of a source, as stored.
class StoredStream : public Stream {
 public:
  StoredStream(const Source& src, uint64_t begin, uint64_t end) : src_(src), pos_(begin), end_(end) {}

 protected:
  std::size_t read_some(void* dst, std::size_t n) override;

 private:
  const Source& src_;
  uint64_t pos_, end_;
};

// The raw-deflate-compressed bytes [begin, end) of a source, decompressed.
class InflateStream : public Stream {
 public:
  InflateStream(const Source& src, uint64_t begin, uint64_t end, const std::string& ctx)
      : src_(src), pos_(begin), end_(end), inflater_(ctx), ctx_(ctx), buf_(1 << 16) {}

 protected:
  std::size_t read_some(void* dst, std::size_t n) override;

 private:
  const Source& src_;
  uint64_t pos_, end_;
  compression::RawInflater inflater_;
  const std::string& ctx_;
  std::vector<char> buf_;
};

// The .npy prefix NumPy writes for `t` (a CPU tensor): magic, version, header length,
// the header dict and its padding (core/npy.cpp).
std::string make_header(const Tensor& t);

// Reads one .npy array from a stream of `total` bytes (the file size, or a zip member's
// uncompressed size); `noun` ("file" or "member") words the messages.
Tensor parse_npy(Stream& in, uint64_t total, const std::string& ctx, const char* noun);

}  // namespace keras::core::npy_io
