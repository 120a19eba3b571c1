// npy.cpp - NumPy .npy files (format versions 1.0, 2.0 and 3.0) and .npz archives.
//
// .npy layout: the magic "\x93NUMPY", a major and a minor version byte, the header
// length (uint16 little-endian in 1.0, uint32 in 2.0 and 3.0), then the header: a Python
// dict literal with the keys 'descr', 'fortran_order' and 'shape', padded with spaces
// and a final newline so the data starts at a multiple of 64 bytes. The data follows,
// raw.
//
// .npz is a zip archive holding one NAME.npy member per array (numpy.savez stores them,
// numpy.savez_compressed deflates them). The reader walks the central directory (the
// end record, its ZIP64 form, each entry with its ZIP64 extra field), so data
// descriptors and the ZIP64 local headers NumPy writes need no special case.
//
// Everything read from a file is checked before it is used: the header length against
// the file size, every dimension and the element count against overflow, the data size
// against the bytes actually present, every zip offset and size against the file size
// (and a deflated member's size against deflate's maximal ratio), so no allocation
// depends on an unchecked number.
#include "core/npy.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <limits>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/atomic_file.h"
#include "core/compression.h"
#include "core/tensor_impl.h"

static_assert(std::endian::native == std::endian::little,
              "npy.cpp assumes a little-endian host");

namespace keras::core {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr std::size_t kMagicLen = 6;
constexpr std::size_t kAlign = 64;            // data alignment NumPy uses
constexpr std::size_t kGrowthAxisDigits = 21;  // NumPy's spare room for the first axis

// ---- dtypes ---------------------------------------------------------------------------

const char* descr_of(DType d) {
  switch (d) {
    case DType::float32: return "<f4";
    case DType::float64: return "<f8";
    case DType::int32: return "<i4";
    case DType::int64: return "<i8";
    case DType::uint8: return "|u1";
    case DType::bool_: return "|b1";
    case DType::complex64: return "<c8";
    case DType::complex128: return "<c16";
    case DType::float16: return "<f2";
    case DType::bfloat16:  // NumPy has no bfloat16: refused by make_header
    case DType::string: break;  // refused by make_header
  }
  return "";
}

// ---- errors ---------------------------------------------------------------------------

// ctx is the start of every message: "load_npy: 'a.npy'" or
// "load_npz: 'w.npz': member 'x.npy'".
[[noreturn]] void fail_at(const std::string& ctx, const std::string& problem) {
  throw std::runtime_error(ctx + ": " + problem);
}

std::string errno_text(int err) { return std::strerror(err); }

std::string quoted(const std::string& path) { return "'" + path + "'"; }

// ---- POSIX file helpers ---------------------------------------------------------------

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { close(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void reset(int fd) {
    close();
    fd_ = fd;
  }
  // Closes now; returns 0 or the errno of a failing close (which can report a failed
  // delayed write).
  int close() {
    if (fd_ < 0) return 0;
    int rc = ::close(fd_);
    fd_ = -1;
    return rc == 0 ? 0 : errno;
  }

 private:
  int fd_;
};

// ---- byte sources ---------------------------------------------------------------------

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
  void read_at(uint64_t offset, void* dst, std::size_t n) const override {
    if (n == 0) return;
    if (offset > n_ || n > n_ - offset) throw std::logic_error("npy: read past the buffer");
    std::memcpy(dst, p_ + offset, n);
  }

 private:
  const char* p_;
  std::size_t n_;
};

class FileSource : public Source {
 public:
  FileSource(const std::string& path, const std::string& ctx) : ctx_(ctx) {
    fd_.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd_.get() < 0) fail_at(ctx, "cannot open: " + errno_text(errno));
    struct stat st;
    if (::fstat(fd_.get(), &st) != 0) fail_at(ctx, "cannot stat: " + errno_text(errno));
    if (!S_ISREG(st.st_mode)) fail_at(ctx, "not a regular file");
    size_ = static_cast<uint64_t>(st.st_size);
  }
  uint64_t size() const override { return size_; }
  void read_at(uint64_t offset, void* dst, std::size_t n) const override {
    char* p = static_cast<char*>(dst);
    std::size_t got = 0;
    while (got < n) {
      ssize_t r = ::pread(fd_.get(), p + got, n - got, static_cast<off_t>(offset + got));
      if (r < 0) {
        if (errno == EINTR) continue;
        fail_at(ctx_, "read failed: " + errno_text(errno));
      }
      if (r == 0) fail_at(ctx_, "file is truncated (it changed while being read)");
      got += static_cast<std::size_t>(r);
    }
  }

 private:
  Fd fd_;
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
  StoredStream(const Source& src, uint64_t begin, uint64_t end)
      : src_(src), pos_(begin), end_(end) {}

 protected:
  std::size_t read_some(void* dst, std::size_t n) override {
    std::size_t k = static_cast<std::size_t>(std::min<uint64_t>(n, end_ - pos_));
    src_.read_at(pos_, dst, k);
    pos_ += k;
    return k;
  }

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
  std::size_t read_some(void* dst, std::size_t n) override {
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

 private:
  const Source& src_;
  uint64_t pos_, end_;
  compression::RawInflater inflater_;
  const std::string& ctx_;
  std::vector<char> buf_;
};

// The header dict as NumPy writes it (keys sorted, ", " after every item, spare spaces
// so the first axis can grow in place), then the full prefix: magic, version, length,
// header, padding and '\n' up to a multiple of 64 bytes. Version 2.0 only when the
// header does not fit a uint16 length.
std::string make_header(const Tensor& t) {
  if (t.dtype() == DType::string)
    throw std::invalid_argument("save_npy: a string tensor of shape " + t.shape().str() +
                                " cannot be written (.npy files hold fixed-size elements)");
  if (t.dtype() == DType::bfloat16)
    throw std::invalid_argument("save_npy: a bfloat16 tensor of shape " + t.shape().str() +
                                " cannot be written (NumPy has no bfloat16: cast it to float32 first)");
  std::string dict = "{'descr': '";
  dict += descr_of(t.dtype());
  dict += "', 'fortran_order': False, 'shape': (";
  const Shape& s = t.shape();
  for (int64_t i = 0; i < s.rank(); ++i) {
    if (i > 0) dict += ", ";
    dict += std::to_string(s[i]);
  }
  if (s.rank() == 1) dict += ",";
  dict += "), }";
  if (s.rank() > 0) {
    std::size_t digits = std::to_string(s[0]).size();
    if (digits < kGrowthAxisDigits) dict.append(kGrowthAxisDigits - digits, ' ');
  }

  auto wrap = [&](int major, std::size_t len_bytes) {
    std::size_t hlen = dict.size() + 1;  // + '\n'
    std::size_t pad = kAlign - (kMagicLen + 2 + len_bytes + hlen) % kAlign;
    std::size_t total = hlen + pad;
    std::string out(kMagic, kMagicLen);
    out += static_cast<char>(major);
    out += static_cast<char>(0);
    for (std::size_t i = 0; i < len_bytes; ++i)
      out += static_cast<char>((total >> (8 * i)) & 0xff);
    out += dict;
    out.append(pad, ' ');
    out += '\n';
    return std::pair<std::string, std::size_t>(std::move(out), total);
  };
  auto [v1, total1] = wrap(1, 2);
  if (total1 <= 0xffff) return v1;
  return wrap(2, 4).first;
}

// A parser for the small subset of Python literals a .npy header uses: a dict of string
// keys whose values are strings, True/False, or tuples of non-negative integers.
class HeaderParser {
 public:
  HeaderParser(std::string_view text, const std::string& ctx) : s_(text), ctx_(ctx) {}

  struct Header {
    std::string descr;
    bool fortran_order = false;
    std::vector<int64_t> shape;
  };

  Header parse() {
    Header h;
    bool have_descr = false, have_order = false, have_shape = false;
    skip_ws();
    expect('{', "the header must start with '{'");
    skip_ws();
    while (peek() != '}') {
      std::string key = parse_string("a dict key");
      skip_ws();
      expect(':', "expected ':' after key '" + key + "'");
      skip_ws();
      if (key == "descr") {
        if (have_descr) fail("duplicate key 'descr'");
        have_descr = true;
        if (peek() != '\'' && peek() != '"')
          fail_at(ctx_, "unsupported dtype: 'descr' is not a simple dtype string "
                            "(structured arrays are not supported)");
        h.descr = parse_string("the 'descr' value");
      } else if (key == "fortran_order") {
        if (have_order) fail("duplicate key 'fortran_order'");
        have_order = true;
        h.fortran_order = parse_bool();
      } else if (key == "shape") {
        if (have_shape) fail("duplicate key 'shape'");
        have_shape = true;
        h.shape = parse_shape();
      } else {
        fail("unexpected key '" + key + "' (expected 'descr', 'fortran_order' and 'shape')");
      }
      skip_ws();
      if (peek() == ',') {
        ++pos_;
        skip_ws();
      } else if (peek() != '}') {
        fail("expected ',' or '}' after the value of '" + key + "'");
      }
    }
    ++pos_;  // '}'
    skip_ws();
    if (pos_ != s_.size()) fail("unexpected text after the header dict");
    if (!have_descr) fail("the header has no 'descr' key");
    if (!have_order) fail("the header has no 'fortran_order' key");
    if (!have_shape) fail("the header has no 'shape' key");
    return h;
  }

 private:
  [[noreturn]] void fail(const std::string& what) {
    fail_at(ctx_, "malformed header: " + what + " (at offset " + std::to_string(pos_) +
                          " of header \"" + printable(s_) + "\")");
  }
  static std::string printable(std::string_view v) {
    while (!v.empty() && (v.back() == ' ' || v.back() == '\n')) v.remove_suffix(1);
    std::string out;
    for (char c : v.substr(0, 200)) {
      unsigned char u = static_cast<unsigned char>(c);
      if (u >= 0x20 && u < 0x7f) {
        out += c;
      } else {
        static const char hex[] = "0123456789abcdef";
        out += "\\x";
        out += hex[u >> 4];
        out += hex[u & 15];
      }
    }
    if (v.size() > 200) out += "...";
    return out;
  }
  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  void skip_ws() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' ||
                                s_[pos_] == '\r'))
      ++pos_;
  }
  void expect(char c, const std::string& what) {
    if (peek() != c) fail(what);
    ++pos_;
  }
  std::string parse_string(const std::string& what) {
    char q = peek();
    if (q != '\'' && q != '"') fail("expected a quoted string as " + what);
    ++pos_;
    std::string out;
    while (pos_ < s_.size() && s_[pos_] != q) {
      if (s_[pos_] == '\\' || s_[pos_] == '\n') fail("unsupported character in " + what);
      out += s_[pos_++];
    }
    if (pos_ >= s_.size()) fail("unterminated string in " + what);
    ++pos_;
    return out;
  }
  bool parse_bool() {
    if (s_.substr(pos_, 4) == "True") {
      pos_ += 4;
      return true;
    }
    if (s_.substr(pos_, 5) == "False") {
      pos_ += 5;
      return false;
    }
    fail("'fortran_order' must be True or False");
  }
  std::vector<int64_t> parse_shape() {
    std::vector<int64_t> dims;
    expect('(', "'shape' must be a tuple");
    skip_ws();
    bool trailing_comma = false;
    while (peek() != ')') {
      dims.push_back(parse_dim(dims.size()));
      skip_ws();
      trailing_comma = false;
      if (peek() == ',') {
        ++pos_;
        trailing_comma = true;
        skip_ws();
      } else if (peek() != ')') {
        fail("expected ',' or ')' in 'shape'");
      }
    }
    ++pos_;  // ')'
    if (dims.size() == 1 && !trailing_comma) fail("'shape' (n) is not a tuple; expected (n,)");
    return dims;
  }
  int64_t parse_dim(std::size_t axis) {
    if (peek() == '-') fail("dimension " + std::to_string(axis) + " of 'shape' is negative");
    if (peek() < '0' || peek() > '9')
      fail("expected a non-negative integer as dimension " + std::to_string(axis) +
           " of 'shape'");
    int64_t v = 0;
    while (peek() >= '0' && peek() <= '9') {
      int digit = peek() - '0';
      if (v > (std::numeric_limits<int64_t>::max() - digit) / 10)
        fail("dimension " + std::to_string(axis) + " of 'shape' does not fit in int64");
      v = v * 10 + digit;
      ++pos_;
    }
    if (peek() == 'L') ++pos_;  // Python 2 long literal, written by old NumPy
    return v;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
  const std::string& ctx_;
};

DType dtype_from_descr(const std::string& descr, const std::string& ctx) {
  static const struct {
    const char* code;
    DType dtype;
  } kTypes[] = {{"f4", DType::float32}, {"f8", DType::float64}, {"i4", DType::int32},
                {"i8", DType::int64},   {"u1", DType::uint8},   {"b1", DType::bool_},
                {"c8", DType::complex64}, {"c16", DType::complex128}, {"f2", DType::float16}};
  const std::string supported =
      "supported: '<f4' (float32), '<f8' (float64), '<i4' (int32), '<i8' (int64), "
      "'|u1' (uint8), '|b1' (bool), '<c8' (complex64), '<c16' (complex128), '<f2' (float16)";
  if (descr == "?") return DType::bool_;
  if (descr.size() == 3 || descr.size() == 4) {
    char order = descr[0];
    std::string code = descr.substr(1);
    for (const auto& t : kTypes) {
      if (code != t.code) continue;
      bool one_byte = dtype_size(t.dtype) == 1;
      if (order == '<' || order == '=' || (one_byte && (order == '|' || order == '>')))
        return t.dtype;
      if (order == '>')
        fail_at(ctx, "big-endian dtype '" + descr + "' is not supported (convert it with "
                         "arr.astype(arr.dtype.newbyteorder('<')); " + supported + ")");
    }
  }
  fail_at(ctx, "unsupported dtype '" + descr + "' (" + supported + ")");
}

// Reads one .npy array from a stream of `total` bytes (the file size, or a zip member's
// uncompressed size); `noun` ("file" or "member") words the messages.
Tensor parse_npy(Stream& in, uint64_t total, const std::string& ctx, const char* noun) {
  // Magic and version.
  unsigned char pre[12];
  std::size_t got = in.read(pre, 10);
  if (got < kMagicLen || std::memcmp(pre, kMagic, kMagicLen) != 0)
    fail_at(ctx, std::string("not a .npy ") + noun +
                     " (bad magic string; expected \\x93NUMPY, " + noun + " size " +
                     std::to_string(total) + " bytes)");
  if (got < 8) fail_at(ctx, std::string(noun) + " is truncated inside the version");
  const int major = pre[6], minor = pre[7];
  if (!((major == 1 || major == 2 || major == 3) && minor == 0))
    fail_at(ctx, "unsupported .npy format version " + std::to_string(major) + "." +
                     std::to_string(minor) + " (supported: 1.0, 2.0, 3.0)");
  const std::size_t len_bytes = major == 1 ? 2 : 4;
  if (got < 10) fail_at(ctx, std::string(noun) + " is truncated inside the header length");
  if (len_bytes == 4 && in.read(pre + 10, 2) < 2)
    fail_at(ctx, std::string(noun) + " is truncated inside the header length");
  uint64_t header_len = 0;
  for (std::size_t i = 0; i < len_bytes; ++i) header_len |= uint64_t(pre[8 + i]) << (8 * i);
  const uint64_t prefix = 8 + len_bytes;
  if (total < prefix) fail_at(ctx, std::string(noun) + " is truncated inside the header length");
  const uint64_t after_prefix = total - prefix;
  if (header_len > after_prefix)
    fail_at(ctx, std::string(noun) + " is truncated: the header length is " +
                     std::to_string(header_len) + " bytes but only " +
                     std::to_string(after_prefix) + " bytes follow");

  // Header (its size is bounded by the total size, checked above).
  std::string text(static_cast<std::size_t>(header_len), '\0');
  if (in.read(text.data(), text.size()) != header_len)
    fail_at(ctx, std::string(noun) + " is truncated inside the header");
  HeaderParser::Header h = HeaderParser(text, ctx).parse();

  DType dtype = dtype_from_descr(h.descr, ctx);
  if (h.fortran_order)
    fail_at(ctx, "fortran_order=True (column-major) arrays are not supported; save a "
                 "C-order array (e.g. np.ascontiguousarray)");
  // Element count and data size, overflow-checked.
  const uint64_t item = dtype_size(dtype);
  uint64_t count = 1;
  for (std::size_t i = 0; i < h.shape.size(); ++i) {
    uint64_t d = static_cast<uint64_t>(h.shape[i]);
    if (d != 0 && count > (uint64_t(std::numeric_limits<int64_t>::max()) / item) / d)
      fail_at(ctx, "shape is too large: the element count overflows (dimension " +
                       std::to_string(i) + " is " + std::to_string(d) + ")");
    count *= d;
  }
  const uint64_t data_bytes = count * item;
  const uint64_t available = total - prefix - header_len;
  Shape shape(h.shape);
  if (available < data_bytes)
    fail_at(ctx, std::string(noun) + " is truncated: shape " + shape.str() + " of dtype " +
                     dtype_name(dtype) + " needs " + std::to_string(data_bytes) +
                     " bytes of data but the " + noun + " has " + std::to_string(available));
  if (available > data_bytes)
    fail_at(ctx, std::string(noun) + " is longer than its header says: shape " + shape.str() +
                     " of dtype " + dtype_name(dtype) + " needs " + std::to_string(data_bytes) +
                     " bytes of data but the " + noun + " has " + std::to_string(available));

  Tensor out = empty(shape, dtype);
  if (data_bytes > 0) {
    if (in.read(out.raw_mutable_data(), static_cast<std::size_t>(data_bytes)) != data_bytes)
      fail_at(ctx, std::string(noun) + " is truncated: its data ends early");
    if (dtype == DType::bool_) {  // any nonzero byte is true; store canonical 0/1
      auto* b = static_cast<unsigned char*>(out.raw_mutable_data());
      for (uint64_t i = 0; i < count; ++i) b[i] = b[i] != 0;
    }
  }
  return out;
}

// ---- zip ------------------------------------------------------------------------------

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

std::vector<std::pair<std::string, Tensor>> read_npz(const Source& src, const std::string& ctx) {
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

  std::vector<std::pair<std::string, Tensor>> out;
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
    Tensor t;
    if (z.method == 0) {
      if (z.csize != z.usize)
        fail_at(mctx, "corrupt zip: a stored member's compressed size " + std::to_string(z.csize) +
                          " differs from its size " + std::to_string(z.usize));
      StoredStream s(src, data_begin, data_end);
      t = parse_npy(s, z.usize, mctx, "member");
      if (s.crc() != z.crc) fail_at(mctx, "CRC-32 mismatch: the data is corrupt");
    } else {
      if (z.usize / kMaxDeflateRatio > z.csize + 64)
        fail_at(mctx, "corrupt zip: " + std::to_string(z.csize) +
                          " bytes of deflate data cannot expand to the declared " +
                          std::to_string(z.usize) + " bytes");
      InflateStream s(src, data_begin, data_end, mctx);
      t = parse_npy(s, z.usize, mctx, "member");
      char extra;
      if (s.read(&extra, 1) != 0)
        fail_at(mctx, "the member decompresses to more than its declared " +
                          std::to_string(z.usize) + " bytes");
      if (s.crc() != z.crc) fail_at(mctx, "CRC-32 mismatch: the data is corrupt");
    }
    out.emplace_back(std::move(key), std::move(t));
  }
  return out;
}

}  // namespace

void save_npy(const std::string& path, const Tensor& t) {
  if (!t.defined()) throw std::invalid_argument("save_npy: the tensor is undefined (empty handle)");
  Tensor host = t.cpu();
  const std::string header = make_header(host);
  AtomicFile f(path, "save_npy");
  f.write(header);
  f.write(host.raw_data(), host.nbytes());
  f.commit();
}

Tensor load_npy(const std::string& path) {
  const std::string ctx = "load_npy: " + quoted(path);
  FileSource src(path, ctx);
  StoredStream s(src, 0, src.size());
  return parse_npy(s, src.size(), ctx, "file");
}

Tensor load_npy_bytes(const void* data, std::size_t size, const std::string& name) {
  const std::string ctx = "load_npy: " + quoted(name);
  MemorySource src(data, size);
  StoredStream s(src, 0, size);
  return parse_npy(s, size, ctx, "file");
}

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

}  // namespace keras::core
