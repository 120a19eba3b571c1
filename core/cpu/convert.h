// convert.h - (engine-internal) element conversion between dtypes on the host.
#pragma once
#include <cstdint>

#include "core/dtype.h"

namespace keras::core::cpu {
// Converts n elements; float -> int truncates toward zero (C++ rules, as tf.cast), any
// value -> bool is (value != 0). Parallel for large n.
void convert(const void* src, DType src_dtype, void* dst, DType dst_dtype, int64_t n);
}  // namespace keras::core::cpu
