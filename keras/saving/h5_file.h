// h5_file.h - (private to keras/saving) the HDF5 weight files of Keras 3
// (`model.weights.h5` inside a `.keras` file, and `.weights.h5` files), read from and
// written to memory with Debian's HDF5 library (used only in h5_file.cpp).
#pragma once
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/tensor.h"

namespace keras {
using core::DType;
using core::Tensor;
}

namespace keras::saving::detail {

struct H5Limits {
  int64_t max_objects = 100000;  // groups and datasets
  int max_depth = 32;            // nested groups
  int max_rank = 8;
  size_t max_name = 256;         // bytes of a link name
  uint64_t max_attribute_bytes = uint64_t(1) << 26;  // all string attributes together
};

// Every group (path without a leading '/', "" for the root) and every dataset of the
// file, the datasets read as tensors. Before reading a dataset its rank, dtype (float32,
// float64, int8/16/32/64, uint8/16/32; any byte order), filters (none) and allocated storage
// (at least the bytes its shape needs) are checked, so no size in the file is trusted;
// soft and external links, other object kinds and anything over the limits raise
// format::FormatError naming `source` and the path.
// The string attributes of the groups are read too (Keras 2's `layer_names` and
// `weight_names`: variable- or fixed-length strings, one or a list; an empty list of
// another type reads as an empty list), by group path then attribute name.
struct H5Contents {
  std::set<std::string> groups;
  std::map<std::string, Tensor> datasets;
  std::map<std::string, std::map<std::string, std::vector<std::string>>> string_attributes;
};
H5Contents read_h5(std::string_view bytes, const std::string& source, const H5Limits& limits = {});

// A string attribute to write: one variable-length UTF-8 string (`scalar`, as h5py writes
// a str) or a list of them (as Keras 2's layer_names and weight_names).
struct H5StringAttribute {
  std::string group;  // "" for the root
  std::string name;
  std::vector<std::string> values;
  bool scalar = false;  // then values holds exactly one string
};

// The bytes of an HDF5 file holding the groups (each with a string attribute "name" when
// the second member is not empty, as Keras writes) and the datasets (float32 / float64 /
// int8 / int16 / int32 / int64 / uint8 / uint16 / uint32), created in order; a dataset's parent groups are created too;
// then the attributes, on groups created before (one past 64 KiB, a large model's config,
// is written whole, as h5py writes it; read back by h5py and by read_h5).
std::string write_h5(const std::vector<std::pair<std::string, std::string>>& groups,
                     const std::vector<std::pair<std::string, Tensor>>& datasets,
                     const std::vector<H5StringAttribute>& attributes = {});

}  // namespace keras::saving::detail
