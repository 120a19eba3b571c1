// examples_dir.h - where the example programs are built (see test_data_dir.h).
#pragma once

namespace keras_tests {
const char* examples_dir();
}  // namespace keras_tests

#define KERAS_EXAMPLES_DIR (::keras_tests::examples_dir())
