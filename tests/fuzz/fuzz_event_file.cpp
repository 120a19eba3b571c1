// fuzz_event_file.cpp - libFuzzer target: TensorBoard event files (keras::summary's reader)
// on arbitrary bytes. The input is framed as one TFRecord record with valid CRCs, so the
// Event, Summary, SummaryMetadata and TensorProto parsers see the bytes themselves, and
// read back with summary::read_events; then the raw input is read as a whole event file.
// The errors the reader reports (std::runtime_error) are expected; any other exception or
// crash is a finding.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>

#include "core/crc32c.h"
#include "keras/summary.h"
#include "temp_file.h"

namespace {

// Reads `file_bytes` as an event file; returns a sum over what was read.
std::size_t read_file(const std::string& file_bytes) {
  if (!write_fuzz_temp(file_bytes)) return 0;
  std::size_t sum = 0;
  try {
    for (const keras::summary::Event& e : keras::summary::read_events(fuzz_temp_path())) {
      sum += std::size_t(e.step) + e.graph_def.size() + e.file_version.size();
      for (const keras::summary::SummaryValue& v : e.summary) {
        sum += v.tag.size() + v.metadata.serialize().size();
        if (v.tensor) sum += std::size_t(v.tensor->size());
      }
    }
  } catch (const std::runtime_error&) {
  }
  return sum;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  char header[12];
  const uint64_t n = size;
  std::memcpy(header, &n, 8);
  const uint32_t len_crc = keras::core::masked_crc32c(header, 8),
                 data_crc = keras::core::masked_crc32c(bytes.data(), size);
  std::memcpy(header + 8, &len_crc, 4);
  std::string record(header, 12);
  record += bytes;
  record.append(reinterpret_cast<const char*>(&data_crc), 4);
  const std::size_t sum = read_file(record) + read_file(bytes);
  return sum == 1 ? 1 : 0;  // keeps the reads
}
