// mnist.h - keras.datasets.mnist: the MNIST handwritten digits, read from the four IDX
// files (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte,
// t10k-labels-idx1-ubyte, each optionally gzip-compressed) in a folder: `directory`,
// else $MNIST_DIR; or from Keras's mnist.npz: a path ending in .npz, else the one in
// Keras's dataset cache. Debian has no MNIST package.
#pragma once
#include <string>
#include <utility>

#include "core/tensor.h"
#include "keras/datasets/idx.h"

namespace keras::datasets::mnist {

using datasets::Split;  ///< x: uint8 (n, 28, 28); y: uint8 (n,), digits 0..9

/// (train (60000 images), test (10000 images)), as Keras's load_data(). `directory`: a
/// folder of the IDX files or a .npz file; empty: $MNIST_DIR, else mnist.npz in Keras's
/// cache (datasets::cache_dir()). With none of them, or a file missing, raises
/// std::runtime_error saying where to put them; a malformed file names it and the problem.
std::pair<Split, Split> load_data(const std::string& directory = "");

}  // namespace keras::datasets::mnist
