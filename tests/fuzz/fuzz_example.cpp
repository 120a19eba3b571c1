// fuzz_example.cpp - libFuzzer target: tf.train.Example parsing and TFRecord framing on
// arbitrary bytes. The input is parsed as one Example (Example::parse, then serialized
// again), as a batch for parse_example under a spec of every feature kind, and as a
// TFRecord file (GZIP or ZLIB when it starts like one) whose records are parsed in turn. The errors the readers report
// (std::invalid_argument, std::runtime_error) are expected; any other exception or crash is a
// finding.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "keras/data/example.h"
#include "keras/data/tfrecord.h"
#include "temp_file.h"

namespace {
namespace io = keras::core::io;
using keras::core::DType;

const io::Features& spec() {
  static const io::Features s{
      {"a", io::FixedLenFeature{{2}, DType::float32, keras::core::constant({0.0f, 1.0f})}},
      {"b", io::FixedLenSequenceFeature{{}, DType::int64, true}},
      {"c", io::VarLenFeature{DType::string}},
      {"d", io::RaggedFeature{DType::float32}},
      {"", io::VarLenFeature{DType::int64}},
  };
  return s;
}

std::size_t parse_all(const std::string& bytes) {
  std::size_t sum = 0;
  try {
    const io::Example ex = io::Example::parse(bytes);
    sum += ex.features().size() + ex.serialize().size();
  } catch (const std::invalid_argument&) {
  }
  try {
    const auto out = io::parse_example(
        keras::core::constant(std::vector<std::string>{bytes, bytes.substr(bytes.size() / 2)}, keras::core::Shape{2}),
        spec());
    for (const auto& kv : out) sum += std::size_t(kv.second.size());
  } catch (const std::invalid_argument&) {
  }
  return sum;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  std::size_t sum = parse_all(bytes);
  if (write_fuzz_temp(bytes)) {
    try {
      // bytes that start like a gzip or zlib stream are read as one (the streamed inflate)
      const auto b0 = size > 1 ? data[0] : 0, b1 = size > 1 ? data[1] : 0;
      const char* type = b0 == 0x1f && b1 == 0x8b ? "GZIP" : b0 == 0x78 && (b0 * 256 + b1) % 31 == 0 ? "ZLIB" : "";
      io::TFRecordReader reader(fuzz_temp_path(), {.compression_type = type}, uint64_t{1} << 20);
      while (auto record = reader.next()) sum += parse_all(*record);
    } catch (const std::runtime_error&) {
    }
  }
  return sum == 1 ? 1 : 0;  // keeps the reads
}
