// ragged_impl.h - helpers shared by ragged.cpp and ragged_ops.cpp (not installed).
#pragma once
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
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

// ---- inside traced functions (core/ragged_traced.cpp) -----------------------------------
// Whether a ragged op on these operands must become a graph node: a trace is active and a
// part (flat values, a row_splits vector) or a dense operand is a traced value.
bool traced(std::initializer_list<const RaggedTensor*> r, std::initializer_list<const Tensor*> d = {});
// The eager op a traced ragged op runs when the graph runs: ragged and dense operands in,
// a RaggedTensor out (ragged_rank 0 for a dense result).
using TracedOp = std::function<RaggedTensor(const std::vector<RaggedTensor>& r, const std::vector<Tensor>& d)>;
// Records the op as one Composite node (core/composite.h) whose inputs are each ragged
// operand's parts (flat values, then its row_splits, outermost first) and the dense
// operands, and whose outputs are the result's parts. `args` are its non-tensor arguments.
RaggedTensor traced_call(const std::string& name, const std::string& args, const std::vector<RaggedTensor>& r,
                         const std::vector<Tensor>& d, const TracedOp& op);
// The traced forms of ops whose eager form lives in ragged.cpp: a partition accessor
// (row_lengths, row_starts, row_limits, value_rowids), from_row_lengths (stand-in lengths
// made valid while probing), from_tensor.
Tensor traced_partition(const RaggedTensor& rt, const char* name, Tensor (RaggedTensor::*partition)() const);
RaggedTensor traced_from_row_lengths(const RaggedTensor& values, const Tensor& row_lengths);
RaggedTensor traced_from_tensor(const Tensor& tensor, const RaggedTensor::FromTensorOptions& o);
// rt's parts: flat values, then its row_splits, outermost first.
std::vector<Tensor> parts(const RaggedTensor& rt);
// A RaggedTensor of parts known to be valid, or traced (no checks).
RaggedTensor from_parts(const Tensor& flat_values, std::vector<Tensor> splits);
// Throws std::invalid_argument naming `op` when rt's row partitions are traced values
// (for ops that read them on the host and have no traced form).
void check_not_traced(const RaggedTensor& rt, const char* op);
}  // namespace ragged_detail
}  // namespace keras::core
