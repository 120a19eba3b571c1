// string_ops.h - TensorFlow's tf.strings ops on string tensors (keras::strings).
//
// A string tensor (dtype string) holds byte strings of any length; no encoding is assumed
// except where an op says so (unit "UTF8_CHAR", unicode_decode/encode). These ops run
// eagerly on the host: their output sizes depend on the values, so inside a traced
// function (keras::function) they raise. Bad arguments raise std::invalid_argument naming
// the op, what it expected and what it received (TensorFlow's InvalidArgumentError).
// Results are checked against TensorFlow 2.21 (tests/data/strings/make_fixtures.py).
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/ragged.h"
#include "core/tensor.h"

namespace keras::core::strings {


// ---- bytes and characters (core/string_ops.cpp) -------------------------------------------
/// The length of each element (int32): unit "BYTE" counts bytes, "UTF8_CHAR" counts UTF-8
/// characters (the bytes that do not continue a character, as TensorFlow).
Tensor length(const Tensor& input, const std::string& unit = "BYTE");
/// ASCII case mapping (encoding ""); encoding "utf-8" is not supported here (TensorFlow
/// maps every Unicode letter with ICU) and raises.
Tensor lower(const Tensor& input, const std::string& encoding = "");
Tensor upper(const Tensor& input, const std::string& encoding = "");
/// Removes leading and trailing ASCII whitespace (space, \t, \n, \v, \f, \r).
Tensor strip(const Tensor& input);
/// Bytes [pos, pos + len) of each element (characters with unit "UTF8_CHAR"); a negative
/// pos counts from the end; len is cut at the end of the string (a negative len takes the
/// rest with unit "BYTE", nothing with "UTF8_CHAR", as TensorFlow). pos and len have one
/// shape, and broadcast with input. A pos outside the string raises (with unit
/// "UTF8_CHAR", a negative pos with a negative len too, as TensorFlow).
Tensor substr(const Tensor& input, const Tensor& pos, const Tensor& len,
              const std::string& unit = "BYTE");
Tensor substr(const Tensor& input, int64_t pos, int64_t len, const std::string& unit = "BYTE");

// ---- splitting and joining (core/strings_split.cpp) -----------------------------------------
/// Splits each element of a scalar or 1-d input at `sep`, keeping empty parts ("a,,b" ->
/// "a", "", "b"; "" -> one empty part); an empty sep splits at runs of ASCII whitespace and
/// drops empty parts. At most maxsplit splits per element (-1: no limit).
RaggedTensor split(const Tensor& input, const std::string& sep = "", int64_t maxsplit = -1);
/// Each element's bytes, one per value (a scalar or 1-d input).
RaggedTensor bytes_split(const Tensor& input);
/// Elementwise concatenation with separator between inputs; the inputs have one shape
/// (scalars are repeated to it). No inputs give the scalar "".
Tensor join(const std::vector<Tensor>& inputs, const std::string& separator = "");
/// Concatenates the elements along `axis` (empty: every axis, in row-major order;
/// negative counts from the end) with separator between them, the first axis listed
/// varying fastest (as TensorFlow: axis {0, 2} of [[[a, b]], [[c, d]]] joins a, c, b, d).
/// An empty axis gives "".
Tensor reduce_join(const Tensor& input, const std::vector<int64_t>& axis = {}, bool keepdims = false,
                   const std::string& separator = "");

// ---- regular expressions, RE2 syntax (core/strings_regex.cpp) --------------------------------
/// Whether each whole element matches pattern (bool).
Tensor regex_full_match(const Tensor& input, const std::string& pattern);
/// Replaces matches of pattern by rewrite (\1 .. \9 name groups, \0 the match); all
/// non-overlapping matches when replace_global, else the first.
Tensor regex_replace(const Tensor& input, const std::string& pattern, const std::string& rewrite,
                     bool replace_global = true);

// ---- numbers (core/strings_number.cpp) --------------------------------------------------------
/// Parses each element as out_type (float32, float64, int32 or int64). Surrounding ASCII
/// whitespace is allowed; floats take C's syntax (1.5e3, .5, 0x1p3, inf, infinity, nan; out
/// of range gives +-inf or 0), integers an optional sign and decimal digits. Anything else,
/// or an integer out of range, raises naming the element.
Tensor to_number(const Tensor& input, DType out_type = DType::float32);
/// tf.strings.as_string's attributes: printf's %f (%e scientific, %g shortest) with
/// precision digits (-1: printf's default of 6) for floats, %d for integers; width pads to
/// that many characters with spaces, or with fill: one of "", " ", "0", "+", "-", "#" as a
/// printf flag. Bools print as true/false.
struct AsStringOptions {
  int precision = -1;       ///< digits after the point (-1: printf's default, 6)
  bool scientific = false;  ///< %e instead of %f
  bool shortest = false;    ///< %g instead of %f
  int width = -1;           ///< minimum characters (-1: none)
  std::string fill = "";    ///< the printf flag that pads to width ("" pads with spaces)
};
Tensor as_string(const Tensor& input, const AsStringOptions& options = {});
/// The scalar string made of templ with each placeholder replaced by the next input,
/// printed as tf.print does (summarize: elements shown at each end of an axis, -1 all).
Tensor format(const std::string& templ, const std::vector<Tensor>& inputs,
              const std::string& placeholder = "{}", int64_t summarize = 3);

// ---- Unicode (core/strings_unicode.cpp) ----------------------------------------------------
/// errors: "replace" (replacement_char for each ill-formed sequence, as ICU: the longest
/// prefix of a valid sequence counts as one), "ignore" (drop it) or "strict" (raise).
struct UnicodeDecodeOptions {
  std::string errors = "replace";     ///< "replace", "ignore" or "strict" (see above)
  int32_t replacement_char = 0xFFFD;  ///< the code point an ill-formed sequence becomes
  bool replace_control_characters = false;  ///< U+0000..U+001F become replacement_char
};
/// The code points (int32) of each element of a scalar or 1-d input; input_encoding "UTF-8".
RaggedTensor unicode_decode(const Tensor& input, const std::string& input_encoding,
                            const UnicodeDecodeOptions& options = {});
/// tf.strings.unicode_encode's options.
struct UnicodeEncodeOptions {
  std::string errors = "replace";  ///< for code points beyond U+10FFFF, negative, or surrogates
  int32_t replacement_char = 0xFFFD;  ///< what an invalid code point becomes with "replace"
};
/// One string per row of int32 code points: a RaggedTensor (ragged_rank 1), a 2-d tensor (one per row) or
/// a 1-d tensor (a scalar string); output_encoding "UTF-8".
Tensor unicode_encode(const RaggedTensor& input, const std::string& output_encoding,
                      const UnicodeEncodeOptions& options = {});
Tensor unicode_encode(const Tensor& input, const std::string& output_encoding,
                      const UnicodeEncodeOptions& options = {});

// ---- hashing (core/strings_hash.cpp) --------------------------------------------------------
/// Fingerprint64(element) mod num_buckets (int64): the bucket TensorFlow gives. num_buckets >= 1.
Tensor to_hash_bucket_fast(const Tensor& input, int64_t num_buckets);
/// SipHash-2-4 of each element with key {key[0], key[1]} mod num_buckets (int64).
Tensor to_hash_bucket_strong(const Tensor& input, int64_t num_buckets,
                             const std::array<uint64_t, 2>& key);
/// FarmHash's Fingerprint64 (farmhashna::Hash64), the hash TensorFlow's fingerprints use.
uint64_t fingerprint64(std::string_view s);

}  // namespace keras::core::strings
