// fuzz_tar.cpp - libFuzzer target: the tar walker (keras::utils' extract_archive and the
// CIFAR archives) on arbitrary bytes, gunzipped first when they start like gzip; every
// member's name, link and data are touched. Errors the reader reports are expected; any
// other exception or crash is a finding.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "keras/utils/tar_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace tar = keras::utils::detail;
  try {
    const std::string bytes = tar::tar_bytes(std::string(reinterpret_cast<const char*>(data), size), "fuzz");
    if (!tar::looks_like_tar(bytes)) return 0;
    std::size_t sum = 0;
    tar::walk_tar(bytes, "fuzz", [&](const tar::TarEntry& e) {
      sum += e.name.size() + e.linkname.size();
      for (char c : e.data) sum += static_cast<unsigned char>(c);
    });
    if (sum == 1) return 1;  // keeps the reads
  } catch (const std::runtime_error&) {
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
