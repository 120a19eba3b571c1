// housing.h - keras.datasets.boston_housing and keras.datasets.california_housing: the
// regression datasets (float64 features and prices), from Keras's .npz files (read from
// Keras's cache or a path: keras-cpp downloads nothing), split as Keras does.
//
//   auto [train, test] = keras::datasets::boston_housing::load_data();  // x (404, 13)
#pragma once
#include <cstdint>
#include <string>
#include <utility>

#include "keras/datasets/idx.h"

namespace keras::datasets::boston_housing {

/// load_data's options: Keras's keyword arguments and defaults.
struct LoadDataOptions {
  /// The file: relative to Keras's dataset cache (then the working folder), or absolute.
  std::string path = "boston_housing.npz";
  double test_split = 0.2;  ///< in [0, 1): the last fraction of the shuffled rows
  int64_t seed = 113;       ///< NumPy RandomState seed of the shuffle
};

/// ((x_train, y_train), (x_test, y_test)): 506 rows of 13 float64 features and the median
/// price (y (n,)), shuffled by RandomState(seed), the first int(n * (1 - test_split)) for
/// training. A missing file raises std::runtime_error naming it and its address.
std::pair<Split, Split> load_data(const LoadDataOptions& options = {});

}  // namespace keras::datasets::boston_housing

namespace keras::datasets::california_housing {

/// load_data's options: Keras's keyword arguments and defaults.
struct LoadDataOptions {
  /// "large" (20,640 rows) or "small" (the first 600), before the shuffle.
  std::string version = "large";
  /// The file: relative to Keras's dataset cache (then the working folder), or absolute.
  std::string path = "california_housing.npz";
  double test_split = 0.2;  ///< in [0, 1): the last fraction of the shuffled rows
  int64_t seed = 113;       ///< NumPy RandomState seed of the shuffle
};

/// ((x_train, y_train), (x_test, y_test)): 8 float32 features per district and the median
/// house value, as boston_housing's split. An unknown version raises Keras's message.
std::pair<Split, Split> load_data(const LoadDataOptions& options = {});

}  // namespace keras::datasets::california_housing
