// record_streams.h - (internal to keras/data) byte streams of record files: a file read
// as it is or decompressed on the fly (GZIP, ZLIB), and the matching writers, so that
// TFRecord and fixed-length record files are streamed, never read whole. zlib stays in
// record_streams.cpp.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace keras::data::detail {

// The compression types of tf.data's record files: "" (none), "GZIP", "ZLIB"; anything
// else raises std::invalid_argument starting with `who`.
void check_compression_type(const std::string& compression_type, const std::string& who);

// Reads a file's (decompressed) bytes in order. Errors (a missing file, corrupt or
// truncated compressed data) raise std::runtime_error starting with `who`.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Up to n bytes into out; fewer only at the end of the stream (0 there).
  virtual std::size_t read(char* out, std::size_t n) = 0;
  // Reads n bytes (fewer only at the end); returns the count.
  std::size_t read_fully(char* out, std::size_t n);
};

// `path` opened for reading with `compression_type`. A gzip file of several members reads
// as their concatenation.
std::unique_ptr<ByteSource> open_source(const std::string& path, const std::string& compression_type,
                                        const std::string& who);

// Writes a file atomically (a temporary file renamed over `path` by close(); without
// close() the target is left as it was), compressed on the fly.
class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual void write(std::string_view bytes) = 0;
  // Pushes buffered bytes to the temporary file (a sync flush of the compressor).
  virtual void flush() = 0;
  // Ends the stream and renames the file over its target.
  virtual void close() = 0;
};

// A sink for `path` with `compression_type` and zlib's `level` (-1: zlib's default).
std::unique_ptr<ByteSink> open_sink(const std::string& path, const std::string& compression_type, int level,
                                    const std::string& who);

}  // namespace keras::data::detail
