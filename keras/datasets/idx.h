// idx.h - the IDX file format of MNIST and Fashion-MNIST, and the loader both datasets
// share.
#pragma once
#include <cstddef>
#include <string>
#include <utility>

#include "core/tensor.h"

namespace keras::datasets {

/// Reads one IDX file, gzip-compressed or not (detected from the content): a big-endian
/// magic number (two zero bytes, the element type, the rank), the dimensions, then the
/// data. Element types: unsigned byte -> uint8, int -> int32, float -> float32,
/// double -> float64. The magic number, the dimensions and the data size are checked
/// before anything is allocated; problems throw std::runtime_error naming the file.
core::Tensor read_idx(const std::string& path);
/// The same from bytes in memory (gzip-compressed or not); `name` stands for the file in
/// messages.
core::Tensor read_idx_bytes(const void* data, std::size_t size,
                            const std::string& name = "<memory>");

/// One split of an image classification dataset.
struct Split {
  core::Tensor x;  ///< uint8 (n, rows, cols)
  core::Tensor y;  ///< uint8 (n,), class ids
};

namespace detail {
/// Loads ((x_train, y_train), (x_test, y_test)) from `directory`'s
/// {train,t10k}-{images-idx3,labels-idx1}-ubyte files, each either gzip-compressed
/// (".gz") or not. `dataset` ("mnist") prefixes messages; `missing_hint` tells how to get
/// the files when one is missing.
std::pair<Split, Split> load_idx_dataset(const std::string& directory, const std::string& dataset,
                                         const std::string& missing_hint);
}  // namespace detail

}  // namespace keras::datasets
