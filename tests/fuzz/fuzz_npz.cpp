// fuzz_npz.cpp - libFuzzer target: the .npz (zip) reader on arbitrary bytes.
// Errors the reader reports are expected; any other exception or crash is a finding.
#include <cstddef>
#include <cstdint>
#include <stdexcept>

#include "core/npy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    keras::core::load_npz_bytes(data, size, "fuzz");
  } catch (const std::runtime_error&) {
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
