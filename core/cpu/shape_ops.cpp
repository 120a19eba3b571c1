// shape_ops.cpp - (being written)
#include "core/dispatch.h"
#include "core/init.h"

namespace core {
void register_cpu_shape_kernels() {}
}  // namespace core
