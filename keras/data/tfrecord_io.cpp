// tfrecord_io.cpp - TFRecord files record by record: TFRecordWriter and TFRecordReader.
#include <exception>
#include <stdexcept>

#include "core/crc32c.h"
#include "core/dispatch.h"
#include "keras/data/record_streams.h"
#include "keras/data/tfrecord.h"

namespace keras::core::io {

namespace {
uint64_t read_le64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= uint64_t{static_cast<unsigned char>(p[i])} << (8 * i);
  return v;
}
uint32_t read_le32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= uint32_t{static_cast<unsigned char>(p[i])} << (8 * i);
  return v;
}
void append_le(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFFu));
}
}  // namespace

TFRecordWriter::TFRecordWriter(const std::string& path, const TFRecordOptions& o)
    : who_("TFRecordWriter(" + path + ")") {
  sink_ = data::detail::open_sink(path, o.compression_type, o.compression_level, who_);
}

TFRecordWriter::TFRecordWriter(const std::string& path, const char* compression_type)
    : TFRecordWriter(path, TFRecordOptions{.compression_type = compression_type}) {}

TFRecordWriter::~TFRecordWriter() {
  if (!sink_ || std::uncaught_exceptions() > uncaught_) return;  // unwinding: the temporary file is removed
  try {
    sink_->close();
  } catch (...) {  // a destructor cannot throw; close() reports the error
  }
}

void TFRecordWriter::write(std::string_view record) {
  if (!sink_) throw std::logic_error(who_ + ": write after close()");
  std::string framed;
  framed.reserve(record.size() + 16);
  append_le(framed, record.size(), 8);
  append_le(framed, core::masked_crc32c(framed.data(), 8), 4);
  framed.append(record.data(), record.size());
  append_le(framed, core::masked_crc32c(record.data(), record.size()), 4);
  sink_->write(framed);
}

void TFRecordWriter::write(const Tensor& records) {
  if (!records.defined() || records.dtype() != core::DType::string)
    throw std::invalid_argument(
        who_ + ".write: expected a string tensor, but received " +
        (records.defined() ? std::string("dtype ") + core::dtype_name(records.dtype()) : "an undefined tensor"));
  core::tracing::check_not_tracing("TFRecordWriter.write");
  for (const std::string& r : records.to_vector<std::string>()) write(std::string_view(r));
}

void TFRecordWriter::flush() {
  if (!sink_) throw std::logic_error(who_ + ": flush after close()");
  sink_->flush();
}

void TFRecordWriter::close() {
  if (!sink_) return;
  auto sink = std::move(sink_);
  sink->close();
}

TFRecordReader::TFRecordReader(const std::string& path, const TFRecordOptions& o, uint64_t max_record_bytes)
    : src_(data::detail::open_source(path, o.compression_type, "TFRecordDataset(" + path + ")")),
      who_("TFRecordDataset(" + path + ")"),
      max_(max_record_bytes) {}

TFRecordReader::~TFRecordReader() = default;
TFRecordReader::TFRecordReader(TFRecordReader&&) noexcept = default;
TFRecordReader& TFRecordReader::operator=(TFRecordReader&&) noexcept = default;

std::optional<std::string> TFRecordReader::next() {
  if (!src_) return std::nullopt;
  char header[12];
  if (src_->read_fully(header, 12) < 12) {  // TensorFlow ends the file on a partial header
    src_.reset();
    return std::nullopt;
  }
  const uint64_t at = offset_;
  if (core::masked_crc32c(header, 8) != read_le32(header + 8))
    throw std::runtime_error(who_ + ": corrupted record at " + std::to_string(at) +
                             (at == 0 ? " (Is this even a TFRecord file?)" : ""));
  const uint64_t n = read_le64(header);
  if (n > max_)
    throw std::runtime_error(who_ + ": the record at " + std::to_string(at) + " has " + std::to_string(n) +
                             " bytes, more than max_record_bytes (" + std::to_string(max_) + ")");
  std::string data;
  // Grown as bytes arrive, so a length the file does not hold allocates nothing.
  while (data.size() < n) {
    const std::size_t step = static_cast<std::size_t>(std::min<uint64_t>(n - data.size(), 1 << 20));
    const std::size_t old = data.size();
    data.resize(old + step);
    const std::size_t got = src_->read_fully(data.data() + old, step);
    if (got < step) throw std::runtime_error(who_ + ": truncated record at " + std::to_string(at));
  }
  char crc[4];
  if (src_->read_fully(crc, 4) < 4) throw std::runtime_error(who_ + ": truncated record at " + std::to_string(at));
  if (core::masked_crc32c(data.data(), data.size()) != read_le32(crc))
    throw std::runtime_error(who_ + ": corrupted record at " + std::to_string(at + 12));
  offset_ = at + 16 + n;
  return data;
}

}  // namespace keras::core::io
