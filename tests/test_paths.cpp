// test_paths.cpp - the absolute paths the tests read (see test_data_dir.h): the one object
// that holds them, from its command line (tests/meson.build).
#include "test_data_dir.h"
#include "examples_dir.h"
#include "export_dir.h"

namespace keras_tests {
const char* test_data_dir() { return KERAS_TEST_DATA_DIR_PATH; }
const char* examples_dir() { return KERAS_EXAMPLES_DIR_PATH; }
const char* run_exported_path() { return KERAS_RUN_EXPORTED_PATH; }
}  // namespace keras_tests
