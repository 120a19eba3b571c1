// text_line_dataset.h - TextLineDataset (tf.data.TextLineDataset): the lines of one or
// more text files, in order, as scalar string tensors. The line end ("\n", or "\r\n") is
// removed; a last line without one is kept; an empty file gives no elements.
// compression_type "" reads the file as it is, "GZIP" and "ZLIB" decompress it on the fly:
// every file is streamed a chunk at a time, never held whole. Skipping a header is
// .skip(1), as in tf.data.
//   auto lines = keras::data::TextLineDataset({"a.txt", "b.txt.gz"}, {.compression_type = "GZIP"});
//   for (const auto& e : lines.batch(32)) { ... e[0] is a (32,) string tensor ... }
#pragma once
#include <string>
#include <vector>

#include "keras/data/dataset.h"

namespace keras::data {

/// Options of TextLineDataset (tf.data.TextLineDataset's keyword arguments).
struct TextLineDatasetOptions {
  /// "" (default: plain text), "GZIP" or "ZLIB".
  std::string compression_type = "";
  /// The most (decompressed) bytes read from one file: std::runtime_error past it, so a
  /// hostile file (a decompression bomb, a line that never ends) cannot run or grow without
  /// bound.
  uint64_t max_file_bytes = uint64_t{1} << 32;
};

/// The lines of `filenames`, file after file. A bad compression_type or an empty file
/// list raises std::invalid_argument; a file that cannot be read raises
/// std::runtime_error naming it when the iteration reaches it (as tf.data's NotFoundError).
Dataset TextLineDataset(const std::vector<std::string>& filenames, const TextLineDatasetOptions& options = {});
/// The lines of one file.
Dataset TextLineDataset(const std::string& filename, const TextLineDatasetOptions& options = {});

}  // namespace keras::data
