// fashion_mnist.h - keras.datasets.fashion_mnist: the Fashion-MNIST images and labels,
// read from the IDX files of Debian's dataset-fashion-mnist package
// (/usr/share/datasets/fashion-mnist, or $FASHION_MNIST_DIR, or an explicit folder).
#pragma once
#include <string>
#include <utility>

#include "core/tensor.h"

namespace keras::datasets::fashion_mnist {

struct Split {
  core::Tensor x;  // uint8 (n, 28, 28)
  core::Tensor y;  // uint8 (n,), class ids 0..9
};
// (train (60000 images), test (10000 images)), as Keras's load_data().
// Missing or malformed files throw std::runtime_error naming the file and the problem.
std::pair<Split, Split> load_data(const std::string& directory = "");

// Reads one IDX file (optionally gzip-compressed): the magic number, the dimensions and
// the data are checked against the file size before anything is allocated.
core::Tensor read_idx(const std::string& path);

// The class names, index = label.
extern const char* const class_names[10];

}  // namespace keras::datasets::fashion_mnist
