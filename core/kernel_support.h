// kernel_support.h - which op a backend can run, for which dtype (opt-in public header:
// #include <keras/core/kernel_support.h>).
#pragma once
#include <string_view>

#include "core/device.h"
#include "core/dtype.h"

namespace keras::core {

/// Whether the engine has a kernel for the op named `op` (its keras.ops name, as errors
/// spell it: "matmul", "add", "apply_adam") on devices of `device`'s kind for `dtype`.
/// CUDA kernels declare their dtypes exactly: an op that answers false there raises "no
/// kernel for device GPU:i and dtype d", naming itself, and never runs on the CPU instead.
/// For the CPU, true means the op has a CPU kernel (complex dtypes: a complex kernel;
/// string: the element-moving ops, equal and not_equal); the op's own argument checks
/// still apply (sqrt takes floating dtypes). The answer does not depend on whether such
/// a device is present. Throws std::invalid_argument for a name that is no op.
bool supports(std::string_view op, Device device, DType dtype);

}  // namespace keras::core
