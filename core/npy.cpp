// npy.cpp - NumPy .npy files (format versions 1.0, 2.0 and 3.0). The .npz archives are
// core/npz.cpp; the byte sources and streams both read from are core/npy_io.cpp.
//
// .npy layout: the magic "\x93NUMPY", a major and a minor version byte, the header
// length (uint16 little-endian in 1.0, uint32 in 2.0 and 3.0), then the header: a Python
// dict literal with the keys 'descr', 'fortran_order' and 'shape', padded with spaces
// and a final newline so the data starts at a multiple of 64 bytes. The data follows,
// raw.
//
// Everything read from a file is checked before it is used: the header length against
// the file size, every dimension and the element count against overflow, the data size
// against the bytes actually present, so no allocation depends on an unchecked number.
#include "core/npy.h"

#include <bit>
#include <cstdint>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/atomic_file.h"
#include "core/npy_io.h"
#include "core/tensor_impl.h"

static_assert(std::endian::native == std::endian::little,
              "npy.cpp assumes a little-endian host");

namespace keras::core {
namespace npy_io {
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
    case DType::int8: return "|i1";
    case DType::int16: return "<i2";
    case DType::uint16: return "<u2";
    case DType::uint32: return "<u4";
    case DType::bool_: return "|b1";
    case DType::complex64: return "<c8";
    case DType::complex128: return "<c16";
    case DType::float16: return "<f2";
    case DType::bfloat16:  // NumPy has no bfloat16: refused by make_header
    case DType::string: break;  // refused by make_header
  }
  return "";
}

}  // namespace

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

namespace {

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
                {"c8", DType::complex64}, {"c16", DType::complex128}, {"f2", DType::float16},
                {"i1", DType::int8},   {"i2", DType::int16},   {"u2", DType::uint16},   {"u4", DType::uint32}};
  const std::string supported =
      "supported: '<f4' (float32), '<f8' (float64), '|i1' (int8), '<i2' (int16), '<i4' (int32), '<i8' (int64), "
      "'|u1' (uint8), '<u2' (uint16), '<u4' (uint32), '|b1' (bool), '<c8' (complex64), '<c16' (complex128), "
      "'<f2' (float16)";
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

}  // namespace

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

}  // namespace npy_io

using npy_io::FileSource;
using npy_io::MemorySource;
using npy_io::StoredStream;

void save_npy(const std::string& path, const Tensor& t) {
  if (!t.defined()) throw std::invalid_argument("save_npy: the tensor is undefined (empty handle)");
  Tensor host = t.cpu();
  const std::string header = npy_io::make_header(host);
  AtomicFile f(path, "save_npy");
  f.write(header);
  f.write(host.raw_data(), host.nbytes());
  f.commit();
}

Tensor load_npy(const std::string& path) {
  const std::string ctx = "load_npy: " + npy_io::quoted(path);
  FileSource src(path, ctx);
  StoredStream s(src, 0, src.size());
  return npy_io::parse_npy(s, src.size(), ctx, "file");
}

Tensor load_npy_bytes(const void* data, std::size_t size, const std::string& name) {
  const std::string ctx = "load_npy: " + npy_io::quoted(name);
  MemorySource src(data, size);
  StoredStream s(src, 0, size);
  return npy_io::parse_npy(s, size, ctx, "file");
}

}  // namespace keras::core
