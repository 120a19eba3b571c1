#include "keras/datasets/mnist.h"

#include <cstdlib>
#include <stdexcept>

namespace keras::datasets::mnist {

std::pair<Split, Split> load_data(const std::string& directory) {
  const std::string hint =
      "download the four MNIST IDX files (train-images-idx3-ubyte.gz, "
      "train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz) "
      "into a folder and set MNIST_DIR to it or pass it to mnist::load_data(directory) "
      "(Debian has no MNIST package)";
  std::string dir = directory;
  if (dir.empty()) {
    const char* env = std::getenv("MNIST_DIR");
    if (!env || !*env) throw std::runtime_error("mnist.load_data: no folder given; " + hint);
    dir = env;
  }
  return detail::load_idx_dataset(dir, "mnist", hint);
}

}  // namespace keras::datasets::mnist
