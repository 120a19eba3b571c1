// compression.h - whole-file reads and the zlib helpers shared by the file readers of
// core and keras (.npy/.npz, IDX, CSV): gzip streams, raw deflate, CRC-32. A public
// header: zlib itself stays in compression.cpp.
//
// Every function throws std::runtime_error whose message starts with `who` (for example
// "read_csv: 'data.csv.gz'") and names the problem.
#pragma once
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

namespace keras::core::compression {

// The whole content of a regular file; a file larger than max_bytes is refused before
// anything is allocated.
std::string read_file(const std::string& path, uint64_t max_bytes, const std::string& who);

// True when data starts with the gzip magic bytes 1f 8b.
bool is_gzip(std::string_view data);

// Decompresses a gzip stream (several concatenated members are read in turn). The
// output grows only with bytes actually produced and stops with an error past
// max_output bytes; a truncated or corrupt stream (bad CRC or length) raises.
std::string gunzip(std::string_view data, uint64_t max_output, const std::string& who);

// CRC-32 (ISO-HDLC, as zip and gzip use), continuing from `crc` (0 to start).
uint32_t crc32(uint32_t crc, const void* data, std::size_t n);

// Raw deflate (no zlib or gzip wrapper), as zip's method 8 stores it, of the pieces
// concatenated.
std::string deflate_raw(std::initializer_list<std::string_view> pieces);

// Incremental raw inflate: feed compressed input, pull decompressed output.
class RawInflater {
 public:
  explicit RawInflater(std::string who);
  ~RawInflater();
  RawInflater(const RawInflater&) = delete;
  RawInflater& operator=(const RawInflater&) = delete;

  // Makes `input` the next compressed bytes (the previous input must be consumed).
  void feed(const void* input, std::size_t n);
  // True when the previous input has been consumed entirely.
  bool needs_input() const;
  // Decompresses into out[0, n); returns the count produced (less than n only when more
  // input is needed or the stream ended). Corrupt data raises.
  std::size_t inflate(void* out, std::size_t n);
  // True once the end of the deflate stream has been decoded.
  bool finished() const { return finished_; }

 private:
  struct State;
  std::unique_ptr<State> state_;
  std::string who_;
  bool finished_ = false;
};

}  // namespace keras::core::compression
