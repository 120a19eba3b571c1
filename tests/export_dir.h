// export_dir.h - the run_exported program, which loads exported graph files with the
// engine's objects alone (see test_data_dir.h), and a helper that runs it.
#pragma once
#include <cstdio>
#include <string>

#include <doctest/doctest.h>

namespace keras_tests {
const char* run_exported_path();

// Runs `run_exported '<file>' <args>` and returns what it printed (stdout and stderr); the
// program must exit with 0.
inline std::string run_exported(const std::string& file, const std::string& args) {
  const std::string cmd = std::string(run_exported_path()) + " '" + file + "' " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  CHECK_MESSAGE(pclose(p) == 0, out);
  return out;
}
}  // namespace keras_tests

#define KERAS_RUN_EXPORTED (::keras_tests::run_exported_path())
