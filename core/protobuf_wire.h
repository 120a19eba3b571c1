// protobuf_wire.h - the protocol-buffer wire format, written and read field by field (no
// protobuf library): what the ONNX export, TensorBoard's event files and tf.train.Example
// records (keras/data/example.h) are made of.
//
// Each field is a key (field number << 3 | wire type) then a varint (wire type 0), 8
// little-endian bytes (1: fixed64, double), a varint length and that many bytes (2:
// strings, nested messages, packed repeated numbers) or 4 little-endian bytes (5: fixed32,
// float).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace keras::core::protobuf {

/// Wire types.
enum Wire : uint32_t {
  kVarint = 0,           ///< int32, int64, uint64, bool, enum
  kFixed64 = 1,          ///< fixed64, sfixed64, double
  kLengthDelimited = 2,  ///< string, bytes, messages, packed repeated fields
  kFixed32 = 5,          ///< fixed32, sfixed32, float
};

/// Appends protobuf fields to a byte string.
class Writer {
 public:
  /// A base-128 varint.
  void varint(uint64_t v);
  /// A field's key.
  void key(uint32_t field, uint32_t wire_type);
  /// An int64 / int32 / enum field (a negative value as its 10-byte two's complement).
  void int_field(uint32_t field, int64_t v);
  /// A float field (wire type 5).
  void float_field(uint32_t field, float v);
  /// A double field (wire type 1).
  void double_field(uint32_t field, double v);
  /// A string, bytes or nested-message field.
  void bytes_field(uint32_t field, std::string_view bytes);
  /// A packed repeated int64 field (nothing for no values).
  void packed_ints(uint32_t field, const std::vector<int64_t>& values);
  /// A packed repeated float field (nothing for no values).
  void packed_floats(uint32_t field, const std::vector<float>& values);
  /// A packed repeated double field (nothing for no values).
  void packed_doubles(uint32_t field, const std::vector<double>& values);
  /// The bytes written so far.
  const std::string& bytes() const { return out_; }

 private:
  std::string out_;
};

/// Reads the fields of one message from bytes it does not own. Every read is bounds
/// checked: a truncated or malformed message raises std::runtime_error whose message
/// starts with the reader's `who`.
class Reader {
 public:
  /// A reader of `data`, naming itself `who` in its errors.
  Reader(std::string_view data, std::string who) : p_(data), who_(std::move(who)) {}
  /// Whether every byte was read.
  bool done() const { return p_.empty(); }
  /// Reads the next key: its field number and wire type (a field number of 0, or a wire
  /// type other than 0, 1, 2 and 5, raises).
  void next(uint32_t& field, uint32_t& wire_type);
  /// A varint (at most 10 bytes).
  uint64_t varint();
  /// 4 little-endian bytes.
  uint32_t fixed32();
  /// 8 little-endian bytes.
  uint64_t fixed64();
  /// A length-delimited field's bytes (a view into the data).
  std::string_view bytes();
  /// Skips a field's value of `wire_type`.
  void skip(uint32_t wire_type);
  /// The name the reader's errors start with.
  const std::string& who() const { return who_; }

 private:
  [[noreturn]] void fail(const std::string& what) const;
  uint64_t little_endian(int n, const char* what);  // n little-endian bytes
  std::string_view p_;
  std::string who_;
};

}  // namespace keras::core::protobuf
