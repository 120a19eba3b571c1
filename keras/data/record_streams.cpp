#include "keras/data/record_streams.h"

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "core/atomic_file.h"

namespace keras::data::detail {

void check_compression_type(const std::string& c, const std::string& who) {
  if (c != "" && c != "GZIP" && c != "ZLIB")
    throw std::invalid_argument(who + ": expected compression_type \"\", \"GZIP\" or \"ZLIB\", but received \"" + c +
                                "\"");
}

std::size_t ByteSource::read_fully(char* out, std::size_t n) {
  std::size_t got = 0;
  while (got < n) {
    const std::size_t k = read(out + got, n - got);
    if (k == 0) break;
    got += k;
  }
  return got;
}

namespace {
constexpr std::size_t kChunk = 1 << 16;

int window_bits(const std::string& compression_type) { return compression_type == "GZIP" ? 15 + 16 : 15; }

class FileSource : public ByteSource {
 public:
  FileSource(const std::string& path, std::string who) : who_(std::move(who)) {
    f_ = std::fopen(path.c_str(), "rb");
    if (!f_) throw std::runtime_error(who_ + ": cannot open the file (no such file, or not readable)");
  }
  ~FileSource() override { std::fclose(f_); }
  std::size_t read(char* out, std::size_t n) override {
    const std::size_t k = std::fread(out, 1, n, f_);
    if (k < n && std::ferror(f_)) throw std::runtime_error(who_ + ": reading the file failed");
    return k;
  }

 private:
  std::FILE* f_ = nullptr;
  std::string who_;
};

// zlib's inflate over a file, into a buffer that read() serves from (records are small:
// inflating straight into them would call zlib for every few bytes); a stream that ends is
// followed by another one when more input remains (concatenated gzip members).
class InflateSource : public ByteSource {
 public:
  InflateSource(const std::string& path, const std::string& type, std::string who)
      : file_(path, who), who_(std::move(who)), in_(kChunk), out_(4 * kChunk) {
    if (inflateInit2(&z_, window_bits(type)) != Z_OK) throw std::runtime_error(who_ + ": zlib could not start");
  }
  ~InflateSource() override { inflateEnd(&z_); }
  std::size_t read(char* out, std::size_t n) override {
    std::size_t got = 0;
    while (got < n) {
      if (pos_ == len_ && !refill()) break;
      const std::size_t k = std::min(n - got, len_ - pos_);
      std::memcpy(out + got, out_.data() + pos_, k);
      pos_ += k;
      got += k;
    }
    return got;
  }

 private:
  // Inflates the next bytes into out_; false at the end of the input.
  bool refill() {
    pos_ = len_ = 0;
    while (len_ == 0) {
      if (z_.avail_in == 0 && !eof_) {
        const std::size_t k = file_.read(in_.data(), in_.size());
        if (k == 0) eof_ = true;
        z_.next_in = reinterpret_cast<Bytef*>(in_.data());
        z_.avail_in = static_cast<uInt>(k);
      }
      if (z_.avail_in == 0 && eof_) {
        if (in_stream_) throw std::runtime_error(who_ + ": the compressed data is truncated");
        return false;
      }
      if (ended_) {  // another member follows
        if (inflateReset(&z_) != Z_OK) throw std::runtime_error(who_ + ": zlib could not restart");
        ended_ = false;
      }
      in_stream_ = true;
      z_.next_out = reinterpret_cast<Bytef*>(out_.data());
      z_.avail_out = static_cast<uInt>(out_.size());
      const int rc = inflate(&z_, Z_NO_FLUSH);
      len_ = out_.size() - z_.avail_out;
      if (rc == Z_STREAM_END) {
        ended_ = true;
        in_stream_ = false;
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        throw std::runtime_error(who_ + ": the compressed data is corrupt (" + (z_.msg ? z_.msg : "zlib error") + ")");
      }
    }
    return true;
  }
  FileSource file_;
  std::string who_;
  std::vector<char> in_, out_;
  std::size_t pos_ = 0, len_ = 0;
  z_stream z_{};
  bool eof_ = false, ended_ = false, in_stream_ = false;
};

class FileSink : public ByteSink {
 public:
  FileSink(const std::string& path, const std::string& who) : file_(path, who.c_str()) {}
  void write(std::string_view b) override {
    buf_.append(b.data(), b.size());
    if (buf_.size() >= kChunk) flush();
  }
  void flush() override {
    file_.write(buf_);
    buf_.clear();
  }
  void close() override {
    flush();
    file_.commit();
  }

 protected:
  core::AtomicFile file_;
  std::string buf_;
};

class DeflateSink : public ByteSink {
 public:
  DeflateSink(const std::string& path, const std::string& type, int level, std::string who)
      : file_(path, who.c_str()), who_(std::move(who)), out_(kChunk) {
    if (level < -1 || level > 9)
      throw std::invalid_argument(who_ + ": expected compression_level -1 (zlib's default) to 9, but received " +
                                  std::to_string(level));
    if (deflateInit2(&z_, level, Z_DEFLATED, window_bits(type), 8, Z_DEFAULT_STRATEGY) != Z_OK)
      throw std::runtime_error(who_ + ": zlib could not start");
  }
  ~DeflateSink() override { deflateEnd(&z_); }
  void write(std::string_view b) override { pump(b, Z_NO_FLUSH); }
  void flush() override { pump({}, Z_SYNC_FLUSH); }
  void close() override {
    pump({}, Z_FINISH);
    file_.commit();
  }

 private:
  void pump(std::string_view b, int mode) {
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(b.data()));
    z_.avail_in = static_cast<uInt>(b.size());
    while (true) {
      z_.next_out = reinterpret_cast<Bytef*>(out_.data());
      z_.avail_out = static_cast<uInt>(out_.size());
      const int rc = deflate(&z_, mode);
      if (rc == Z_STREAM_ERROR) throw std::runtime_error(who_ + ": zlib failed");
      file_.write(out_.data(), out_.size() - z_.avail_out);
      if (mode == Z_FINISH ? rc == Z_STREAM_END : (z_.avail_in == 0 && z_.avail_out != 0)) return;
    }
  }
  core::AtomicFile file_;
  std::string who_;
  std::vector<char> out_;
  z_stream z_{};
};
}  // namespace

std::unique_ptr<ByteSource> open_source(const std::string& path, const std::string& type, const std::string& who) {
  check_compression_type(type, who);
  if (type.empty()) return std::make_unique<FileSource>(path, who);
  return std::make_unique<InflateSource>(path, type, who);
}

std::unique_ptr<ByteSink> open_sink(const std::string& path, const std::string& type, int level,
                                    const std::string& who) {
  check_compression_type(type, who);
  if (type.empty()) return std::make_unique<FileSink>(path, who);
  return std::make_unique<DeflateSink>(path, type, level, who);
}

}  // namespace keras::data::detail
