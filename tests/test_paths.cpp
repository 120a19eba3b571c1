// test_paths.cpp - the absolute paths the tests read (see test_data_dir.h): the one object
// that holds them, from its command line (tests/meson.build). An environment variable
// overrides each, for a test binary run away from its build tree (the GPU machine's copy,
// tests/gpu/device_bundle.sh): KERAS_CPP_TEST_DATA_DIR, KERAS_CPP_EXAMPLES_DIR,
// KERAS_CPP_RUN_EXPORTED.
#include <cstdlib>

#include "examples_dir.h"
#include "export_dir.h"
#include "test_data_dir.h"

namespace keras_tests {
namespace {
const char* path_or_env(const char* env, const char* built) {
  const char* v = std::getenv(env);
  return v && *v ? v : built;
}
}  // namespace

const char* test_data_dir() { return path_or_env("KERAS_CPP_TEST_DATA_DIR", KERAS_TEST_DATA_DIR_PATH); }
const char* examples_dir() { return path_or_env("KERAS_CPP_EXAMPLES_DIR", KERAS_EXAMPLES_DIR_PATH); }
const char* run_exported_path() { return path_or_env("KERAS_CPP_RUN_EXPORTED", KERAS_RUN_EXPORTED_PATH); }
}  // namespace keras_tests
