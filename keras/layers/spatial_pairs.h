// spatial_pairs.h - the (before, after) per spatial axis arguments of ZeroPadding1D/2D/3D
// and Cropping1D/2D/3D, as Keras takes them: one integer for every side (1), one per axis
// applied to both sides ({1, 2}; for the 1D layers, the (before, after) pair itself), or
// one pair per axis ({{1, 2}, {0, 3}}).
#pragma once
#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "keras/config.h"

namespace keras::layers {

/// The (before, after) amounts per spatial axis of ZeroPadding*D and Cropping*D: one
/// integer, one per axis, or one pair per axis.
struct SpatialPairsArg {
  std::vector<int64_t> flat;                          ///< 1 or {1, 2}
  std::vector<std::pair<int64_t, int64_t>> pairs;     ///< {{1, 2}, {0, 3}}
  /// One amount for every side of every axis.
  SpatialPairsArg(int64_t x) : flat{x} {}  // NOLINT: implicit, as Keras's ints
  /// One amount per axis, both sides (for the 1D layers: the (before, after) pair).
  SpatialPairsArg(std::initializer_list<int64_t> xs) : flat(xs) {}
  /// One (before, after) pair per axis.
  SpatialPairsArg(std::initializer_list<std::pair<int64_t, int64_t>> ps) : pairs(ps) {}
  /// One amount per axis, both sides (as the initializer-list form).
  SpatialPairsArg(std::vector<int64_t> xs) : flat(std::move(xs)) {}  // NOLINT
  /// One (before, after) pair per axis (as the initializer-list form).
  SpatialPairsArg(std::vector<std::pair<int64_t, int64_t>> ps) : pairs(std::move(ps)) {}  // NOLINT
};

namespace detail {
using Pairs = std::vector<std::pair<int64_t, int64_t>>;
/// One (before, after) pair per spatial axis, each >= 0; else std::invalid_argument naming
/// the layer and the argument.
Pairs spatial_pairs(const std::string& layer, const char* arg, const SpatialPairsArg& v, int rank);
/// The config form: (before, after) for one axis, ((b, a), ...) for several.
Value pairs_value(const Pairs& p);
SpatialPairsArg pairs_from(const Value& v);
}  // namespace detail

}  // namespace keras::layers
