// current_replicas.h - (internal to keras-cpp and keras-cpp-distribute) sets the calling
// thread's current collectives without a scope: keras::distribution::set_distribution's
// hook (distribute::current() is what models, optimizers and metrics read).
#pragma once
#include "keras/distribute/cross_replica.h"

namespace keras::distribute::detail {
/// Makes `replicas` current for this thread (null: none) and returns the previous ones.
CrossReplicaPtr exchange_current(CrossReplicaPtr replicas);
}  // namespace keras::distribute::detail
