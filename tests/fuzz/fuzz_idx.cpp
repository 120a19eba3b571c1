// fuzz_idx.cpp - libFuzzer target: the IDX reader (gzip included) on arbitrary bytes.
// Errors the reader reports are expected; any other exception or crash is a finding.
#include <cstddef>
#include <cstdint>
#include <stdexcept>

#include "keras/datasets/idx.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    keras::datasets::read_idx_bytes(data, size, "fuzz");
  } catch (const std::runtime_error&) {
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
