// ragged_impl.h - helpers shared by ragged.cpp and ragged_ops.cpp (not installed).
#pragma once
#include <cstdint>
#include <vector>

#include "core/ragged.h"

namespace keras::core {

// Host-side row partitions: one splits vector per ragged level, outermost first.
using HostSplits = std::vector<std::vector<int64_t>>;

struct RaggedAccess {
  // Wraps parts that are known valid (no checks).
  static RaggedTensor make(Tensor flat_values, std::vector<Tensor> splits) {
    RaggedTensor r;
    r.flat_values_ = std::move(flat_values);
    r.splits_ = std::move(splits);
    return r;
  }
};

namespace ragged_detail {
// The values of a 1-d int32/int64 tensor (std::invalid_argument naming `what` otherwise).
std::vector<int64_t> host_ints(const Tensor& t, const char* what);
Tensor int64_tensor(const std::vector<int64_t>& v);
HostSplits host_splits(const RaggedTensor& rt);
std::vector<Tensor> splits_tensors(const HostSplits& s);
// Throws std::invalid_argument naming `op` unless rt is defined.
void check_defined(const RaggedTensor& rt, const char* op);
// The rows `rows` (indices at level 0, already checked) of a structure with splits `s`:
// the new splits and the flat-value rows to gather.
struct Gathered {
  HostSplits splits;
  std::vector<int64_t> flat_rows;
};
Gathered gather_rows(const HostSplits& s, const std::vector<int64_t>& rows);
// Rows of rt (checked indices), as a RaggedTensor of the same ragged rank.
RaggedTensor gather_checked(const RaggedTensor& rt, const std::vector<int64_t>& rows);
// "(3, None, 2)": a ragged shape as TensorFlow prints it.
std::string shape_str(const RaggedTensor& rt);
}  // namespace ragged_detail
}  // namespace keras::core
