// index_lookup_internal.h - (internal to keras/layers/) what IndexLookup's translation units
// (index_lookup.cpp, index_lookup_adapt.cpp) share: reading tokens from a tensor.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "keras/layers/layer.h"

namespace keras::layers::detail {
/// The string tokens of x (std::invalid_argument naming `who` for another dtype).
std::vector<std::string> read_tokens(const Tensor& x, const std::string& who, std::string*);
/// The integer tokens of x as int64 (std::invalid_argument naming `who` for a non-numeric
/// dtype or a value that is not a whole number).
std::vector<int64_t> read_tokens(const Tensor& x, const std::string& who, int64_t*);
}  // namespace keras::layers::detail
