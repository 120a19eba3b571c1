// fixed_header.h - for the file-format fuzz targets: the header's payload size and CRC-32
// (the layout of graph files and archives: magic 8 bytes, version u32, size u64, CRC u32)
// set to match the mutated payload, so the fuzzer explores the reader past the checksum.
#pragma once
#include <cstdint>
#include <cstring>
#include <string>

#include "core/compression.h"

inline std::string with_fixed_header(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  constexpr size_t kHeader = 8 + 4 + 8 + 4;
  if (bytes.size() >= kHeader) {
    const uint64_t n = bytes.size() - kHeader;
    const uint32_t crc = keras::core::compression::crc32(0, bytes.data() + kHeader, n);
    std::memcpy(&bytes[12], &n, 8);
    std::memcpy(&bytes[20], &crc, 4);
  }
  return bytes;
}
