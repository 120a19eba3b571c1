// test_data_dir.h - where the test fixtures live (tests/data). The path is compiled into
// test_paths.cpp alone, so the test files that read fixtures hold no absolute path and a
// clone of the checkout elsewhere reuses their cached objects.
#pragma once

namespace keras_tests {
const char* test_data_dir();
}  // namespace keras_tests

#define KERAS_TEST_DATA_DIR (::keras_tests::test_data_dir())
