// nn.cpp - (being written)
#include "core/dispatch.h"
#include "core/init.h"

namespace core {
void register_cpu_nn_kernels() {}
}  // namespace core
