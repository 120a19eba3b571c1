// fuzz_function_file.cpp - libFuzzer target: keras::core::load_function_bytes (exported graph
// files) on arbitrary bytes, with the header's size and checksum fixed up. A clean
// std::invalid_argument is expected; any other exception or crash is a finding. A file
// that loads is run once on ones.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <cstring>
#include <string>
#include <string_view>

#include "fixed_header.h"
#include "core/export.h"
#include "core/ops.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes = with_fixed_header(data, size);
  try {
    keras::core::LoadedFunction f = keras::core::load_function_bytes(bytes, "fuzz");
    if (f.graph_str().find("while_loop(") != std::string::npos) return 0;  // may loop for ever, by design
    std::vector<keras::core::Tensor> in;
    for (const keras::core::TensorSpec& s : f.signature()) {
      std::vector<int64_t> dims = s.shape;
      int64_t n = 1;
      for (int64_t& d : dims) {
        d = d < 0 ? 2 : d;
        if (d > (1 << 16) || (n *= d) > (1 << 16)) return 0;  // keep runs small
      }
      in.push_back(keras::core::ops::ones(keras::core::Shape(dims), s.dtype));
    }
    f(in);
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
