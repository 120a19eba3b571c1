// npy_io.cpp - the byte sources and streams of core/npy_io.h.
#include "core/npy_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace keras::core::npy_io {

void fail_at(const std::string& ctx, const std::string& problem) { throw std::runtime_error(ctx + ": " + problem); }

std::string errno_text(int err) { return std::strerror(err); }

std::string quoted(const std::string& path) { return "'" + path + "'"; }

void MemorySource::read_at(uint64_t offset, void* dst, std::size_t n) const {
  if (n == 0) return;
  if (offset > n_ || n > n_ - offset) throw std::logic_error("npy: read past the buffer");
  std::memcpy(dst, p_ + offset, n);
}

FileSource::FileSource(const std::string& path, const std::string& ctx) : ctx_(ctx) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) fail_at(ctx, "cannot open: " + errno_text(errno));
  struct stat st;
  std::string problem;
  if (::fstat(fd_, &st) != 0) problem = "cannot stat: " + errno_text(errno);
  else if (!S_ISREG(st.st_mode)) problem = "not a regular file";
  if (!problem.empty()) {  // the destructor does not run for a constructor that throws
    ::close(fd_);
    fd_ = -1;
    fail_at(ctx, problem);
  }
  size_ = static_cast<uint64_t>(st.st_size);
}

FileSource::~FileSource() {
  if (fd_ >= 0) ::close(fd_);
}

void FileSource::read_at(uint64_t offset, void* dst, std::size_t n) const {
  char* p = static_cast<char*>(dst);
  std::size_t got = 0;
  while (got < n) {
    ssize_t r = ::pread(fd_, p + got, n - got, static_cast<off_t>(offset + got));
    if (r < 0) {
      if (errno == EINTR) continue;
      fail_at(ctx_, "read failed: " + errno_text(errno));
    }
    if (r == 0) fail_at(ctx_, "file is truncated (it changed while being read)");
    got += static_cast<std::size_t>(r);
  }
}

std::size_t StoredStream::read_some(void* dst, std::size_t n) {
  std::size_t k = static_cast<std::size_t>(std::min<uint64_t>(n, end_ - pos_));
  src_.read_at(pos_, dst, k);
  pos_ += k;
  return k;
}

std::size_t InflateStream::read_some(void* dst, std::size_t n) {
  char* out = static_cast<char*>(dst);
  std::size_t got = 0;
  while (got < n && !inflater_.finished()) {
    if (inflater_.needs_input()) {
      if (pos_ == end_)
        fail_at(ctx_, "the compressed data is truncated (it ends before the end of the "
                      "deflate stream)");
      std::size_t k = static_cast<std::size_t>(std::min<uint64_t>(buf_.size(), end_ - pos_));
      src_.read_at(pos_, buf_.data(), k);
      pos_ += k;
      inflater_.feed(buf_.data(), k);
    }
    std::size_t k = inflater_.inflate(out + got, n - got);
    if (k == 0 && !inflater_.needs_input() && !inflater_.finished())
      fail_at(ctx_, "corrupt deflate data (no progress)");
    got += k;
  }
  return got;
}

}  // namespace keras::core::npy_io
