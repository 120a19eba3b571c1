// crc32c.h - CRC-32C (Castagnoli), the checksum of TFRecord files (TensorBoard's event
// files, keras::data::TFRecordDataset, keras::io::TFRecordWriter), and TFRecord's mask.
#pragma once
#include <cstddef>
#include <cstdint>

namespace keras::core {

/// CRC-32C of `n` bytes, continuing from `crc` (0 to start): the SSE 4.2 instruction
/// where the CPU has it, else a table-driven loop (8 bytes a step).
uint32_t crc32c(uint32_t crc, const void* data, std::size_t n);
/// TFRecord's masked CRC-32C of `n` bytes: the CRC rotated right by 15 bits plus
/// 0xa282ead8.
uint32_t masked_crc32c(const void* data, std::size_t n);

}  // namespace keras::core
