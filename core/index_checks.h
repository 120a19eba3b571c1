// index_checks.h - (engine-internal) the errors of the ops whose arguments hold indices,
// shared by the CPU and CUDA kernels so both raise the same message.
#pragma once
#include <cstdint>

namespace keras::core {
struct OpCall;
/// A cross-entropy's label `value` at flat position `flat` of labels is outside [0, classes).
[[noreturn]] void throw_label_out_of_range(const OpCall& c, int64_t flat, int64_t value, int64_t classes);
/// gather's index `value` at flat position `flat` of indices is outside [0, n) on `axis`.
[[noreturn]] void throw_gather_index(const OpCall& c, int64_t flat, int64_t value, int64_t axis, int64_t n);
/// unsorted_segment_sum's segment id `value` at position `flat` is outside [0, segments).
[[noreturn]] void throw_segment_id(int64_t flat, int64_t value, int64_t segments);
/// take_along_axis's index `value` at flat position `flat` of indices is outside [-n, n).
[[noreturn]] void throw_take_along_index(const OpCall& c, int64_t flat, int64_t value, int64_t axis, int64_t n);
}  // namespace keras::core
