// fuzz_archive_file.cpp - libFuzzer target: keras::core::load_archive_bytes (archives of
// ExportArchive, and graph files) on arbitrary bytes, with the header's size and checksum
// fixed up. A clean std::invalid_argument is expected; any other exception or crash is a
// finding. An archive that loads has each endpoint run once on ones.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>

#include "fixed_header.h"
#include "core/export_archive.h"
#include "core/ops.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes = with_fixed_header(data, size);
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
