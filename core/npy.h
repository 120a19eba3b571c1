// npy.h - reading and writing NumPy's .npy files.
#pragma once
#include <string>

#include "core/tensor.h"

namespace core {
// Writes t to path (via a temporary file renamed into place, so a failure never leaves
// a truncated file).
void save_npy(const std::string& path, const Tensor& t);
// Reads a .npy file of a supported dtype (little-endian, C order); a malformed or
// truncated file throws std::runtime_error naming the file and the problem.
Tensor load_npy(const std::string& path);
}  // namespace core
