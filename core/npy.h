// npy.h - reading and writing NumPy's .npy files and .npz archives.
#pragma once
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "core/tensor.h"

namespace keras::core {
/// Writes t to path (via a temporary file renamed into place, so a failure never leaves
/// a truncated file; a symbolic link is followed and its target replaced, a target that
/// is not a regular file raises core::NotRegularFileError: see core/atomic_file.h).
void save_npy(const std::string& path, const Tensor& t);
/// Reads a .npy file of a supported dtype (little-endian, C order); a malformed or
/// truncated file throws std::runtime_error naming the file and the problem.
Tensor load_npy(const std::string& path);
/// The same from bytes in memory; `name` stands for the file in messages.
Tensor load_npy_bytes(const void* data, std::size_t size, const std::string& name = "<memory>");

/// Writes the arrays as numpy.savez does (compress: as numpy.savez_compressed): a zip
/// archive with one member NAME.npy per array, in the order given, written to a temporary
/// file renamed into place. Empty or duplicate names raise std::invalid_argument.
void save_npz(const std::string& path, const std::vector<std::pair<std::string, Tensor>>& arrays,
              bool compress = false);
/// Reads an .npz archive (stored or deflated members, ZIP64, data descriptors): the
/// arrays with their names (the member names without ".npy"), in archive order. A
/// malformed archive, a member that is not a .npy file, a duplicate name or a CRC-32
/// mismatch throws std::runtime_error naming the file, the member and the problem.
std::vector<std::pair<std::string, Tensor>> load_npz(const std::string& path);
/// The same from bytes in memory.
std::vector<std::pair<std::string, Tensor>> load_npz_bytes(const void* data, std::size_t size,
                                                           const std::string& name = "<memory>");
}  // namespace keras::core
