// tfrecord.h - TensorFlow's record files: TFRecord (tf.data.TFRecordDataset,
// tf.io.TFRecordWriter) and fixed-length records (tf.data.FixedLengthRecordDataset).
//
// A TFRecord file is a sequence of records, each: its length (uint64, little-endian), the
// masked CRC-32C of those 8 bytes, the data, the masked CRC-32C of the data. Files may be
// GZIP- or ZLIB-compressed as a whole; they are streamed (read and decompressed a chunk
// at a time, never whole). The records are usually serialized tf.train.Example messages
// (keras/data/example.h parses them).
//
//   {
//     keras::io::TFRecordWriter w("train.tfrecord.gz", {.compression_type = "GZIP"});
//     for (...) w.write(example.serialize());
//   }  // closed: the file appears
//   auto ds = keras::data::TFRecordDataset("train.tfrecord.gz", {.compression_type = "GZIP"})
//                 .batch(32)
//                 .map([&](const keras::Tensor& records) { return
//                 keras::data::Element(keras::io::parse_example(records, spec)); });
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "keras/data/dataset.h"

namespace keras::data::detail {
class ByteSink;
class ByteSource;
}  // namespace keras::data::detail

namespace keras::core::io {

/// tf.io.TFRecordOptions: how a TFRecord file is compressed.
struct TFRecordOptions {
  /// "" (none, the default), "GZIP" or "ZLIB" (another value raises
  /// std::invalid_argument).
  std::string compression_type = "";
  /// zlib's compression level, 0 to 9; -1 is zlib's default (6), as TensorFlow's.
  int compression_level = -1;
};

/// tf.io.TFRecordWriter: writes records to a TFRecord file. The bytes go to a temporary
/// file next to `path`, renamed over it by close() (or the destructor), so a crash never
/// leaves a half-written file nor loses the file `path` held before; TensorFlow writes in
/// place instead. flush() pushes buffered bytes to the temporary file.
class TFRecordWriter {
 public:
  /// A writer of `path` (std::runtime_error when its folder is not writable;
  /// keras::core::NotRegularFileError when `path` is a directory or a device).
  explicit TFRecordWriter(const std::string& path, const TFRecordOptions& options = {});
  /// A writer with compression_type "", "GZIP" or "ZLIB" (TensorFlow's string form).
  TFRecordWriter(const std::string& path, const char* compression_type);
  /// Closes the file when close() was not called (an error is then lost: call close()),
  /// except while an exception unwinds the scope that made the writer: then the records
  /// written are dropped and `path` keeps what it held.
  ~TFRecordWriter();
  TFRecordWriter(const TFRecordWriter&) = delete;             ///< not copyable
  TFRecordWriter& operator=(const TFRecordWriter&) = delete;  ///< not copyable
  /// Appends one record (any bytes).
  void write(std::string_view record);
  /// Appends each element of a string tensor (a scalar: one record) in row-major order;
  /// another dtype raises std::invalid_argument naming it.
  void write(const Tensor& records);
  /// Pushes what is buffered (and the compressor's pending bytes) to the temporary file.
  void flush();
  /// Finishes the file and renames it over `path`; later writes raise std::logic_error.
  void close();

 private:
  std::unique_ptr<data::detail::ByteSink> sink_;
  std::string who_;
  int uncaught_ = 0;  // std::uncaught_exceptions() when made
};

/// Reads the records of one TFRecord file in order (tf.compat.v1.io.tf_record_iterator).
/// A record whose length or data fails its CRC raises std::runtime_error "...: corrupted
/// record at <offset>"; a record cut short by the end of the file raises "...: truncated
/// record at <offset>" (offsets in the decompressed stream, as TensorFlow's DataLossError);
/// fewer than 12 bytes after the last record end the file, as in TensorFlow.
class TFRecordReader {
 public:
  /// A reader of `path` (std::runtime_error when it cannot be opened). Records longer than
  /// `max_record_bytes` are refused before anything is allocated.
  explicit TFRecordReader(const std::string& path, const TFRecordOptions& options = {},
                          uint64_t max_record_bytes = uint64_t{1} << 32);
  ~TFRecordReader();                                     ///< closes the file
  TFRecordReader(TFRecordReader&&) noexcept;             ///< movable
  TFRecordReader& operator=(TFRecordReader&&) noexcept;  ///< movable
  /// The next record, or nullopt at the end of the file.
  std::optional<std::string> next();

 private:
  std::unique_ptr<data::detail::ByteSource> src_;
  std::string who_;
  uint64_t offset_ = 0, max_ = 0;
};

}  // namespace keras::core::io

namespace keras::data {

/// Options of TFRecordDataset (tf.data.TFRecordDataset's keyword arguments).
struct TFRecordDatasetOptions {
  /// "" (none), "GZIP" or "ZLIB".
  std::string compression_type = "";
  /// The longest record accepted (bytes): a longer one raises std::runtime_error before
  /// anything is allocated.
  uint64_t max_record_bytes = uint64_t{1} << 32;
};

/// tf.data.TFRecordDataset: the records of `filenames`, file after file, each a scalar
/// string tensor. An empty file list or a bad compression_type raises
/// std::invalid_argument; a file that cannot be read, a corrupted or truncated record
/// raise std::runtime_error (naming the file and the record's offset) when the iteration
/// reaches them. data::auto_shard (FILE) gives each worker some of the files.
Dataset TFRecordDataset(const std::vector<std::string>& filenames, const TFRecordDatasetOptions& options = {});
/// The records of one file.
Dataset TFRecordDataset(const std::string& filename, const TFRecordDatasetOptions& options = {});

/// Options of FixedLengthRecordDataset (tf.data.FixedLengthRecordDataset's).
struct FixedLengthRecordDatasetOptions {
  int64_t header_bytes = 0;           ///< skipped at the start of each file
  int64_t footer_bytes = 0;           ///< skipped at the end of each file
  std::string compression_type = "";  ///< "" (none), "GZIP" or "ZLIB"
};

/// tf.data.FixedLengthRecordDataset: the records of `record_bytes` bytes of each file,
/// after its header and before its footer, as scalar string tensors (tf.io.decode_raw
/// turns them into numbers: keras::io::decode_raw). A body whose length is not a multiple
/// of record_bytes raises std::runtime_error with TensorFlow's message ("Excluding the
/// header (2 bytes) and footer (1 bytes), input file "a.bin" has body length 10 bytes,
/// which is not an exact multiple of the record length (3 bytes).") when the iteration
/// reaches it; record_bytes below 1, negative header or footer sizes, an empty file list
/// and a bad compression_type raise std::invalid_argument at once.
Dataset FixedLengthRecordDataset(const std::vector<std::string>& filenames, int64_t record_bytes,
                                 const FixedLengthRecordDatasetOptions& options = {});
/// The records of one file.
Dataset FixedLengthRecordDataset(const std::string& filename, int64_t record_bytes,
                                 const FixedLengthRecordDatasetOptions& options = {});

}  // namespace keras::data
