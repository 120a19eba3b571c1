// strings_unicode.cpp - keras::strings: unicode_decode, unicode_encode (UTF-8; core/string_ops.h).
#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "core/strings_util.h"

namespace keras::core::strings {
using namespace detail;

namespace {
enum class Errors { replace, ignore, strict };

Errors parse_errors(const std::string& e, const char* op) {
  if (e == "replace") return Errors::replace;
  if (e == "ignore") return Errors::ignore;
  if (e == "strict") return Errors::strict;
  throw_invalid(std::string(op) + ": expected errors \"replace\", \"ignore\" or \"strict\", but received \"" + e + "\"");
}

void check_utf8(std::string enc, const char* op, const char* arg) {
  std::transform(enc.begin(), enc.end(), enc.begin(), [](unsigned char c) { return std::toupper(c); });
  if (enc != "UTF-8" && enc != "UTF8")
    throw_invalid(std::string(op) + ": expected " + arg + " \"UTF-8\" (the one encoding supported), but received \"" +
                  enc + "\"");
}

// Decodes the character at s[i]: its code point, or -1 for an ill-formed sequence; *len
// is the bytes it spans (for an ill-formed one, its longest prefix of a well-formed
// sequence, at least 1: Unicode's "maximal subpart", as ICU replaces).
int32_t decode_one(const std::string& s, size_t i, size_t* len) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  *len = 1;
  if (c < 0x80) return c;
  int need;
  int32_t cp;
  unsigned char lo = 0x80, hi = 0xBF;  // the range of the second byte
  if (c >= 0xC2 && c <= 0xDF) need = 1, cp = c & 0x1F;
  else if (c >= 0xE0 && c <= 0xEF) need = 2, cp = c & 0x0F, lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
  else if (c >= 0xF0 && c <= 0xF4) need = 3, cp = c & 0x07, lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
  else return -1;
  for (int k = 1; k <= need; ++k) {
    if (i + k >= s.size()) return -1;
    const unsigned char t = b(i + k);
    if (k == 1 ? (t < lo || t > hi) : (t < 0x80 || t > 0xBF)) return -1;
    cp = (cp << 6) | (t & 0x3F);
    *len = static_cast<size_t>(k) + 1;
  }
  return cp;
}

bool valid_code_point(int32_t cp) { return cp >= 0 && cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF); }

void append_utf8(int32_t cp, std::string& out) {
  const auto u = static_cast<uint32_t>(cp);
  if (u < 0x80) {
    out += static_cast<char>(u);
  } else if (u < 0x800) {
    out += static_cast<char>(0xC0 | (u >> 6));
    out += static_cast<char>(0x80 | (u & 0x3F));
  } else if (u < 0x10000) {
    out += static_cast<char>(0xE0 | (u >> 12));
    out += static_cast<char>(0x80 | ((u >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (u & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (u >> 18));
    out += static_cast<char>(0x80 | ((u >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((u >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (u & 0x3F));
  }
}
}  // namespace

RaggedTensor unicode_decode(const Tensor& input, const std::string& input_encoding,
                            const UnicodeDecodeOptions& o) {
  const std::string* in = string_input(input, "unicode_decode");
  check_utf8(input_encoding, "unicode_decode", "input_encoding");
  const Errors errors = parse_errors(o.errors, "unicode_decode");
  const int64_t rows = ragged_rows(input, "unicode_decode");
  std::vector<int32_t> values;
  std::vector<int64_t> splits{0};
  for (int64_t r = 0; r < rows; ++r) {
    const std::string& s = in[r];
    for (size_t i = 0, len = 0; i < s.size(); i += len) {
      int32_t cp = decode_one(s, i, &len);
      // A C0 control character counts as an error when replace_control_characters is set
      // (TensorFlow: replaced, or dropped with errors="ignore").
      if (cp < 0 || (o.replace_control_characters && cp <= 0x1F)) {
        if (errors == Errors::strict)
          throw_invalid("unicode_decode: invalid formatting on input string " + bytes_repr(s) + " at index " +
                        std::to_string(r) + " (byte " + std::to_string(i) +
                        (cp < 0 ? " is not well-formed UTF-8)" : " is a control character)"));
        if (errors == Errors::ignore) continue;
        cp = o.replacement_char;
      }
      values.push_back(cp);
    }
    splits.push_back(static_cast<int64_t>(values.size()));
  }
  return RaggedTensor::from_row_splits(constant(values), int64_vector(splits));
}

namespace {
Tensor encode_rows(const int32_t* cps, const std::vector<int64_t>& splits, const Shape& shape,
                   const std::string& encoding, const UnicodeEncodeOptions& o) {
  check_utf8(encoding, "unicode_encode", "output_encoding");
  const Errors errors = parse_errors(o.errors, "unicode_encode");
  if (errors == Errors::replace && !valid_code_point(o.replacement_char))
    throw_invalid("unicode_encode: replacement_char " + std::to_string(o.replacement_char) +
                  " is not a valid Unicode code point");
  return generate<std::string>(shape, DType::string, [&](int64_t r) {
    std::string out;
    for (int64_t k = splits[static_cast<size_t>(r)]; k < splits[static_cast<size_t>(r) + 1]; ++k) {
      int32_t cp = cps[k];
      if (!valid_code_point(cp)) {
        if (errors == Errors::strict)
          throw_invalid("unicode_encode: code point " + std::to_string(cp) + " of row " + std::to_string(r) +
                        " is out of range for Unicode, or is a surrogate");
        if (errors == Errors::ignore) continue;
        cp = o.replacement_char;
      }
      append_utf8(cp, out);
    }
    return out;
  });
}

void check_int32(const Tensor& t, const char* what) {
  tracing::check_not_tracing("unicode_encode");
  if (!t.defined()) throw_invalid(std::string("unicode_encode: ") + what + " is an undefined tensor");
  if (t.dtype() != DType::int32)
    throw_invalid(std::string("unicode_encode: expected ") + what + " to have dtype int32, but received dtype " +
                  dtype_name(t.dtype()) + " (shape " + t.shape().str() + ")");
}
}  // namespace

Tensor unicode_encode(const RaggedTensor& input, const std::string& output_encoding,
                      const UnicodeEncodeOptions& options) {
  if (input.ragged_rank() != 1)
    throw_invalid("unicode_encode: expected a RaggedTensor with one ragged dimension, but received ragged_rank " +
                  std::to_string(input.ragged_rank()));
  const Tensor& flat = input.flat_values();
  check_int32(flat, "input.values");
  const Tensor rs = input.row_splits();
  if (!rs.defined() || rs.dtype() != DType::int64 || rs.rank() != 1 || rs.size() < 1)
    throw_invalid("unicode_encode: expected input.row_splits to be a 1-d int64 tensor with at least one entry");
  std::vector<int64_t> splits = rs.to_vector<int64_t>();
  bool ok = splits.front() == 0 && splits.back() == flat.size() && flat.rank() == 1;
  for (size_t k = 1; ok && k < splits.size(); ++k) ok = splits[k] >= splits[k - 1];
  if (!ok)
    throw_invalid("unicode_encode: input.row_splits must start at 0, never decrease and end at the number of "
                  "values (" + std::to_string(flat.size()) + "), and values must be 1-d");
  const Tensor values = flat.cpu();
  return encode_rows(values.data<int32_t>(), splits, Shape{static_cast<int64_t>(splits.size()) - 1},
                     output_encoding, options);
}

Tensor unicode_encode(const Tensor& input, const std::string& output_encoding, const UnicodeEncodeOptions& options) {
  check_int32(input, "input");
  if (input.rank() < 1)
    throw_invalid("unicode_encode: expected input of rank >= 1 (code points along the last axis), but received "
                  "shape " + input.shape().str());
  const int64_t width = input.shape()[input.rank() - 1];
  std::vector<int64_t> outer(input.shape().dims().begin(), input.shape().dims().end() - 1);
  const Shape shape(outer);
  std::vector<int64_t> splits{0};
  for (int64_t r = 0; r < shape.num_elements(); ++r) splits.push_back(splits.back() + width);
  const Tensor x = input.cpu();
  return encode_rows(x.data<int32_t>(), splits, shape, output_encoding, options);
}

}  // namespace keras::core::strings
