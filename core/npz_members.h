// npz_members.h - the members of a NumPy .npz archive as bytes, unparsed: for readers of
// .npy contents the tensor reader (core/npy.h) does not take, such as NumPy's pickled
// object arrays (keras::datasets reads imdb.npz and reuters.npz through it).
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace keras::core {
/// Each member's .npy bytes (decompressed, CRC-checked), with its name without ".npy", in
/// archive order. A malformed archive throws std::runtime_error as load_npz does.
std::vector<std::pair<std::string, std::string>> load_npz_members(const std::string& path);
}  // namespace keras::core
