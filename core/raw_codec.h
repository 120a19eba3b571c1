// raw_codec.h - tf.io.decode_raw: the bytes of string elements read as numbers, as
// FixedLengthRecordDataset records and Example bytes features often hold them.
//   Tensor pixels = keras::io::decode_raw(records, keras::DType::uint8);  // (n,) -> (n, bytes)
#pragma once
#include <cstdint>
#include <optional>

#include "core/tensor.h"

namespace keras::core::io {

/// Options of decode_raw (tf.io.decode_raw's keyword arguments).
struct DecodeRawOptions {
  /// The bytes' order within each number (false: big-endian, swapped on this host).
  bool little_endian = true;
  /// Each string cut or zero-padded to this many bytes first (a multiple of out_type's
  /// size); unset: every string must have the same length.
  std::optional<int64_t> fixed_length{};
};

/// tf.io.decode_raw: each element of the string tensor `input` (shape S) read as numbers
/// of `out_type` (any dtype but string), giving shape S + [length / size]. Strings of
/// different lengths (without fixed_length), a length that is not a multiple of the
/// dtype's size, a string out_type or input raise std::invalid_argument naming them.
/// Bool reads each byte as false (0) or true (anything else).
Tensor decode_raw(const Tensor& input, DType out_type, const DecodeRawOptions& options = {});

}  // namespace keras::core::io
