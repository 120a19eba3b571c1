// export_dir.h - the run_exported program, which loads exported graph files with the
// engine's objects alone (see test_data_dir.h).
#pragma once

namespace keras_tests {
const char* run_exported_path();
}  // namespace keras_tests

#define KERAS_RUN_EXPORTED (::keras_tests::run_exported_path())
