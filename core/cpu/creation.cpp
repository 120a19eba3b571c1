// creation.cpp - (being written)
#include "core/dispatch.h"
#include "core/init.h"

namespace core {
void register_cpu_creation_kernels() {}
}  // namespace core
