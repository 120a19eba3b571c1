// ragged_function.h - (engine-internal) RaggedTensor arguments and results of traced
// functions (core/function.cpp).
//
// A ragged argument (a RaggedTensor::as_tensor() handle) enters the graph as its parts:
// flat values, then one row_splits vector per ragged dimension, outermost first. The
// signature holds its dtype, ragged_rank and the flat values' inner (uniform) dimensions;
// the parts' first dimensions (the numbers of values and rows) are open, as in TensorFlow's
// RaggedTensorSpec, so one graph serves every row length. A ragged result leaves the graph
// as its parts and is put together again after the run.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace keras::core::ragged_function {

// The tensor arguments of one call with the ragged ones replaced by their parts.
struct Flattened {
  std::vector<Tensor> parts;
  std::vector<int64_t> layout;  // per argument: its ragged_rank (0: a dense tensor)
  std::vector<char> open;       // per part: whether its first dimension is open
  std::string key;              // the layout, for the signature
  bool any_ragged = false;
  // dims (one per part) with the open first dimensions as -1.
  std::vector<std::vector<int64_t>> open_dims(std::vector<std::vector<int64_t>> dims) const;
};
Flattened flatten_args(const std::vector<Tensor>& args, const std::string& function_name);

// Parts back into tensors: each layout entry > 0 takes 1 + that many parts and makes a
// ragged handle (traced inside a trace), each 0 takes one dense tensor.
std::vector<Tensor> assemble(const std::vector<Tensor>& parts, const std::vector<int64_t>& layout);

// A function's results as graph outputs: ragged handles as their parts. `layout` receives
// each result's ragged_rank, or is left empty when no result is ragged.
std::vector<Tensor> flatten_results(const std::vector<Tensor>& results, std::vector<int64_t>& layout);

}  // namespace keras::core::ragged_function
