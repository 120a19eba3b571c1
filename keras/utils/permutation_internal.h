// permutation_internal.h - (private to keras/utils) the seeded order in which
// split_dataset, timeseries_dataset_from_array and the directory datasets shuffle.
#pragma once
#include <cstdint>
#include <vector>

#include "core/core.h"
#include "core/random_ops.h"

namespace keras::utils::detail {

// A permutation of 0..n-1: seeded (seed >= 0), or drawn from core's global generator.
inline std::vector<int64_t> permutation(int64_t n, int64_t seed) {
  if (n == 0) return {};
  core::ops::RandomOptions o;
  o.seed = seed;
  return core::ops::random::shuffle(core::ops::arange(0, n, 1, core::DType::int64), 0, o).to_vector<int64_t>();
}

}  // namespace keras::utils::detail
