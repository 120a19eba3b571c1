// fuzz_function_file.cpp - libFuzzer target: core::load_function_bytes (exported graph
// files) on arbitrary bytes. A clean std::invalid_argument is expected; any other
// exception or crash is a finding. A file that loads is run once on ones.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>

#include "core/export.h"
#include "core/ops.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    core::LoadedFunction f =
        core::load_function_bytes(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz");
    std::vector<core::Tensor> in;
    for (const core::TensorSpec& s : f.signature()) {
      std::vector<int64_t> dims = s.shape;
      int64_t n = 1;
      for (int64_t& d : dims) {
        d = d < 0 ? 2 : d;
        n *= d;
      }
      if (n > (1 << 16)) return 0;  // keep runs small
      in.push_back(core::ops::ones(core::Shape(dims), s.dtype));
    }
    f(in);
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
