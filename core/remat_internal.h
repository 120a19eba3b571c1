// remat_internal.h - (engine-internal) the hooks rematerialization (core/remat.h) puts in
// variable reads and assignments and in unseeded random ops.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "core/autodiff.h"

namespace keras::core::remat {

/// The variables a rematerialized function touched, each with the value it had when the
/// function first read or assigned it.
struct AccessLog;
extern thread_local AccessLog* t_log;
void note_access(const Variable& v, const Tensor& value);
/// Called by Variable's reads (the value read) and assignments (the value before).
inline void note(const Variable& v, const Tensor& value) {
  if (t_log) note_access(v, value);
}

/// Draws of unseeded random ops inside a rematerialized call, keyed so a second run gets
/// the same numbers.
struct KeyedDraws;
extern thread_local KeyedDraws* t_keyed;
/// The (seed, counter) an unseeded random op uses now; only while t_keyed is set.
std::pair<int64_t, Tensor> next_keyed_draw();

}  // namespace keras::core::remat
