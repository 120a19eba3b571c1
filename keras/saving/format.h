// format.h - the container of keras-cpp's model, weights and checkpoint files, and the
// tensor lists stored in it. Every field is little-endian.
//
//   header    magic "\x89KERASCPP\r\n\x1a\n" (12 bytes), u32 format version (1),
//             u32 file kind (1 model, 2 weights, 3 checkpoint), u32 section count (<= 16),
//             u32 CRC-32 of the 24 bytes before it
//   section   u64 name length (1..32) + name ([a-z_]), u64 payload length, u32 CRC-32 of
//             the payload, u32 CRC-32 of the section header fields, then the payload;
//             names are unique; nothing may follow the last section
//   sections  "config", "compile", "metadata": JSON text (keras::Config::to_json);
//             "weights", "optimizer": tensor lists
//   tensors   u64 count, then per tensor: u64 name length + name (unique, 1..4096 bytes),
//             u8 dtype (1 float32, 2 float64, 3 int32, 4 int64, 5 uint8, 6 bool), u32 rank
//             (<= 8), i64 dims, u64 byte count (= elements x dtype size), the data, and a
//             u32 CRC-32 of the record (name to data)
//
// Reading checks every length and dimension (overflow-safe) against the bytes left
// before allocating, every CRC, and raises FormatError naming the source, the section
// and what was expected.
#pragma once
#include <cstdint>
#include <iosfwd>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/tensor.h"

namespace keras::saving::format {

// A malformed, truncated or corrupted file.
class FormatError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr uint32_t kVersion = 1;
// Raises FormatError unless version is kVersion, naming both versions (a newer one: the
// file was written by a newer keras-cpp). `where` names the field ("file header").
void check_format_version(int64_t version, const std::string& source, const std::string& where);
enum class FileKind : uint32_t { model = 1, weights = 2, checkpoint = 3 };
const char* kind_name(FileKind kind);

struct Section {
  std::string name;
  std::string payload;
};
// Writes the header and the sections (names must be known section names, unique).
void write_container(std::ostream& out, FileKind kind, const std::vector<Section>& sections);

struct Container {
  FileKind kind = FileKind::model;
  std::vector<std::pair<std::string, std::string_view>> sections{};  // views into the bytes
  const std::string_view* find(const std::string& name) const;
};
// Parses and verifies the container (`source` names the file in messages). The views
// point into `bytes`.
Container read_container(std::string_view bytes, const std::string& source);

struct NamedTensor {
  std::string name;
  core::Tensor value;
};
std::string encode_tensors(const std::vector<NamedTensor>& tensors);
// `where` names the file and section in messages ("model.kcpp, section 'weights'").
std::vector<NamedTensor> decode_tensors(std::string_view payload, const std::string& where);

namespace detail {
// For fuzz targets only: with false, checksum mismatches are ignored on the calling
// thread, so that mutated inputs reach the parsers behind the checksums.
void set_verify_checksums(bool verify);
}  // namespace detail

// Reads a whole file (its size checked against `max_bytes` before allocating);
// std::runtime_error naming the path when it cannot be read.
std::string read_file(const std::string& path, uint64_t max_bytes = uint64_t(1) << 40);

}  // namespace keras::saving::format
