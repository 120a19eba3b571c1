// fashion_mnist.h - keras.datasets.fashion_mnist: the Fashion-MNIST images and labels,
// read from the IDX files of Debian's dataset-fashion-mnist package
// (/usr/share/datasets/fashion-mnist, or $FASHION_MNIST_DIR, or an explicit folder), or
// from the folder Keras's load_data() fills (datasets::cache_dir() + "/fashion-mnist").
#pragma once
#include <string>
#include <utility>

#include "core/tensor.h"
#include "keras/datasets/idx.h"

namespace keras::datasets::fashion_mnist {

using datasets::Split;  ///< x: uint8 (n, 28, 28); y: uint8 (n,), class ids 0..9
using datasets::read_idx;

/// (train (60000 images), test (10000 images)), as Keras's load_data(): from `directory`,
/// else $FASHION_MNIST_DIR, else /usr/share/datasets/fashion-mnist (when that folder does
/// not exist, Keras's cache folder fashion-mnist/ when it does). A missing file
/// raises std::runtime_error naming it and the package to install
/// (apt-get install dataset-fashion-mnist); a malformed one names the file and the problem.
std::pair<Split, Split> load_data(const std::string& directory = "");

/// The class names, index = label.
extern const char* const class_names[10];

}  // namespace keras::datasets::fashion_mnist
