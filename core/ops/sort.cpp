// sort.cpp - (being written)
#include "core/dispatch.h"
#include "core/init.h"
#include "core/ops.h"

namespace core {
void define_sort_ops() {}
}  // namespace core
