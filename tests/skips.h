// skips.h - the suite's rule for tests that need something optional (a GPU, a dataset
// package, NumPy): such a test carries `* doctest::skip(th::skip_without("name", present))`
// and is then reported as skipped (doctest's summary, setup.sh's "tests:" line), never as
// passed without having run.
//
// $KERAS_CPP_REQUIRE lists (space or comma separated) the dependencies that must be
// present: their tests are not skipped then, so a missing (or moved) dependency fails
// them. .ci/run sets it to what setup.sh installs.
#pragma once
#include <cstdlib>
#include <filesystem>
#include <string>

namespace th {

// Whether `name` is listed in $KERAS_CPP_REQUIRE.
inline bool required(const std::string& name) {
  const char* env = std::getenv("KERAS_CPP_REQUIRE");
  if (!env) return false;
  std::string list = env;
  for (char& c : list)
    if (c == ',') c = ' ';
  size_t pos = 0;
  while (pos < list.size()) {
    size_t end = list.find(' ', pos);
    if (end == std::string::npos) end = list.size();
    if (list.compare(pos, end - pos, name) == 0 && end - pos == name.size()) return true;
    pos = end + 1;
  }
  return false;
}

// The skip condition of a test needing `name`: absent and not required.
inline bool skip_without(const std::string& name, bool present) {
  return !present && !required(name);
}

// Debian's dataset-fashion-mnist (or $FASHION_MNIST_DIR), as the loader finds it.
inline std::string fashion_mnist_dir() {
  const char* env = std::getenv("FASHION_MNIST_DIR");
  return env && *env ? env : "/usr/share/datasets/fashion-mnist";
}
inline bool have_fashion_mnist() {
  const std::string dir = fashion_mnist_dir();
  return std::filesystem::exists(dir + "/train-images-idx3-ubyte.gz") ||
         std::filesystem::exists(dir + "/train-images-idx3-ubyte");
}

// scikit-learn's CSV datasets (Debian's python3-sklearn).
inline const char* boston_csv() {
  return "/usr/lib/python3/dist-packages/sklearn/datasets/data/boston_house_prices.csv";
}
inline bool have_boston_csv() { return std::filesystem::exists(boston_csv()); }

// python3 with NumPy (python3-sklearn depends on python3-numpy).
inline bool have_numpy() {
  static const bool have = std::system("/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1") == 0;
  return have;
}

}  // namespace th
