// sort.cpp - (being written)
#include "core/dispatch.h"
#include "core/init.h"

namespace core {
void register_cpu_sort_kernels() {}
}  // namespace core
