// kernel_dtypes.h - (engine-internal) the dtypes each backend's kernel of an op takes,
// declared beside register_kernel by backends that take fewer than every dtype the op
// accepts (the CUDA backend). core/kernel_support.h's supports() reads it.
#pragma once
#include <initializer_list>

#include "core/dispatch.h"

namespace keras::core {
/// The kernel of `op` on `device` takes exactly `dtypes`.
void declare_kernel_dtypes(OpId op, Device::Kind device, std::initializer_list<DType> dtypes);
/// The kernel of `op` on `device` also takes `dtypes` (added to its declaration, or the
/// first declaration when it has none): a complex kernel beside the real one.
void declare_more_kernel_dtypes(OpId op, Device::Kind device, std::initializer_list<DType> dtypes);
/// Whether the kernel of `op` on `device` declared that it takes `dtype` (false when it
/// made no declaration).
bool kernel_declares(OpId op, Device::Kind device, DType dtype);
/// Whether the kernel of `op` on `device` takes `dtype`: its declaration when it has one,
/// otherwise whether a kernel is registered (see supports()).
bool kernel_supports(OpId op, Device::Kind device, DType dtype);
}  // namespace keras::core
