#include "keras/datasets/fashion_mnist.h"

#include <cstdlib>

#include "keras/datasets/cache.h"
#include "keras/datasets/dataset_files.h"

namespace keras::datasets::fashion_mnist {

const char* const class_names[10] = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                     "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};

std::pair<Split, Split> load_data(const std::string& directory) {
  std::string dir = directory;
  if (dir.empty()) {
    const char* env = std::getenv("FASHION_MNIST_DIR");
    const std::string debian = "/usr/share/datasets/fashion-mnist", keras = cache_dir() + "/fashion-mnist";
    dir = env && *env ? env : (!detail::exists(debian) && detail::exists(keras)) ? keras : debian;
  }
  return detail::load_idx_dataset(
      dir, "fashion_mnist",
      "install Debian's package with `apt-get install dataset-fashion-mnist`, or set "
      "FASHION_MNIST_DIR or pass the folder that holds the files");
}

}  // namespace keras::datasets::fashion_mnist
