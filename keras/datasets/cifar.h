// cifar.h - keras.datasets.cifar10 and keras.datasets.cifar100: 32x32 colour images, read
// from the Python version of the CIFAR files (the pickled batches Keras reads), extracted
// in a folder or still in their .tar.gz archive. Without a path, Keras's cache is searched
// (keras-cpp downloads nothing).
//
//   auto [train, test] = keras::datasets::cifar10::load_data();  // x (50000, 32, 32, 3) uint8
#pragma once
#include <string>
#include <utility>

#include "keras/datasets/idx.h"

namespace keras::datasets::cifar10 {

/// ((x_train, y_train), (x_test, y_test)) as Keras's load_data: x uint8 (n, 32, 32, 3)
/// under config::image_data_format() "channels_last", else (n, 3, 32, 32); y uint8
/// (n, 1), class ids 0..9. `path`: the folder of data_batch_1..5 and test_batch, a folder
/// holding cifar-10-batches-py/, or cifar-10-python.tar.gz itself; empty: Keras's cache
/// (cifar-10-batches-py-target/, where Keras 3 extracts it, then the folder or archive
/// of older Keras versions). Missing files raise std::runtime_error naming them and the
/// address of the archive.
std::pair<Split, Split> load_data(const std::string& path = "");

/// The class names, index = label.
extern const char* const class_names[10];

}  // namespace keras::datasets::cifar10

namespace keras::datasets::cifar100 {

/// ((x_train, y_train), (x_test, y_test)) as Keras's load_data: 50,000 and 10,000 images as
/// cifar10's, y int64 (n, 1): the 100 "fine" classes or the 20 "coarse" superclasses
/// (`label_mode`; other values raise Keras's message). `path` as cifar10's, with
/// cifar-100-python/ (train, test) and cifar-100-python.tar.gz.
std::pair<Split, Split> load_data(const std::string& label_mode = "fine", const std::string& path = "");

}  // namespace keras::datasets::cifar100
