// fuzz_archive_file.cpp - libFuzzer target: keras::core::load_archive_bytes (archives of
// ExportArchive, and graph files) on arbitrary bytes, with the header's size and checksum
// fixed up. A clean std::invalid_argument is expected; any other exception or crash is a
// finding. An archive that loads has each endpoint run once on ones.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>

#include "core/compression.h"
#include "core/export_archive.h"
#include "core/ops.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The header's payload size and CRC-32 are set to match the mutated payload, so the
  // fuzzer explores the reader past the checksum.
  std::string bytes(reinterpret_cast<const char*>(data), size);
  constexpr size_t kHeader = 8 + 4 + 8 + 4;
  if (bytes.size() >= kHeader) {
    const uint64_t n = bytes.size() - kHeader;
    const uint32_t crc = keras::core::compression::crc32(0, bytes.data() + kHeader, n);
    std::memcpy(&bytes[12], &n, 8);
    std::memcpy(&bytes[20], &crc, 4);
  }
  try {
    keras::core::LoadedArchive a = keras::core::load_archive_bytes(bytes, "fuzz");
    for (const std::string& name : a.endpoint_names()) {
      if (a.graph_str(name).find("while_loop(") != std::string::npos) continue;  // may loop for ever, by design
      std::vector<keras::core::Tensor> in;
      bool small = true;
      for (const keras::core::TensorSpec& s : a.signature(name)) {
        std::vector<int64_t> dims = s.shape;
        int64_t n = 1;
        for (int64_t& d : dims) {
          d = d < 0 ? 2 : d;
          small = small && d <= (1 << 16) && (n *= d) <= (1 << 16);  // keep runs small
        }
        if (!small) break;
        in.push_back(keras::core::ops::ones(keras::core::Shape(dims), s.dtype));
      }
      if (small) a.call(name, in);
    }
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
