#include "keras/datasets/mnist.h"

#include <cstdlib>
#include <stdexcept>

#include "core/npy.h"
#include "keras/datasets/cache.h"
#include "keras/datasets/dataset_files.h"

namespace keras::datasets::mnist {
namespace {

// Keras's mnist.npz: x_train, y_train, x_test, y_test.
std::pair<Split, Split> load_npz_file(const std::string& path) {
  const auto arrays = core::load_npz(path);
  auto get = [&](const char* name) { return detail::npz_array(arrays, name, path); };
  return {{get("x_train"), get("y_train")}, {get("x_test"), get("y_test")}};
}

bool ends_with_npz(const std::string& s) { return s.size() >= 4 && s.compare(s.size() - 4, 4, ".npz") == 0; }

}  // namespace

std::pair<Split, Split> load_data(const std::string& directory) {
  const std::string cached = cache_dir() + "/mnist.npz";
  const std::string hint =
      "download the four MNIST IDX files (train-images-idx3-ubyte.gz, "
      "train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz) "
      "into a folder and set MNIST_DIR to it or pass it to mnist::load_data(directory), or put "
      "Keras's mnist.npz (https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz) at '" +
      cached + "' (Debian has no MNIST package)";
  std::string dir = directory;
  if (dir.empty()) {
    const char* env = std::getenv("MNIST_DIR");
    if (env && *env) {
      dir = env;
    } else if (detail::exists(cached)) {
      dir = cached;
    } else {
      throw std::runtime_error("mnist.load_data: no folder given; " + hint);
    }
  }
  if (ends_with_npz(dir)) return load_npz_file(dir);
  return detail::load_idx_dataset(dir, "mnist", hint);
}

}  // namespace keras::datasets::mnist
