// temp_file.h - for the fuzz targets whose readers take a path: one temporary file per
// process (removed at exit), which each input is written to before it is read.
#pragma once
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

// The process's temporary file.
inline const std::string& fuzz_temp_path() {
  static const std::string path = [] {
    char t[] = "/tmp/keras_cpp_fuzz_XXXXXX";
    const int fd = ::mkstemp(t);
    if (fd >= 0) ::close(fd);
    static std::string p = t;
    std::atexit([] { std::remove(p.c_str()); });
    return p;
  }();
  return path;
}

// Writes `bytes` to the temporary file; false when it cannot be written.
inline bool write_fuzz_temp(const std::string& bytes) {
  std::FILE* f = std::fopen(fuzz_temp_path().c_str(), "wb");
  if (!f) return false;
  const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  return std::fclose(f) == 0 && ok;
}
