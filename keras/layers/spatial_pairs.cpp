#include "keras/layers/spatial_pairs.h"

#include <stdexcept>

#include "keras/layers/core_layers_util.h"

namespace keras::layers::detail {

namespace {
std::string pairs_str(const SpatialPairsArg& v) {
  if (v.pairs.empty()) return list_str(v.flat);
  std::string r = "(";
  for (size_t i = 0; i < v.pairs.size(); ++i) {
    r += i ? ", (" : "(";
    r += std::to_string(v.pairs[i].first);
    r += ", ";
    r += std::to_string(v.pairs[i].second);
    r += ")";
  }
  return r + ")";
}
}  // namespace

Pairs spatial_pairs(const std::string& layer, const char* arg, const SpatialPairsArg& v, int rank) {
  Pairs out;
  const size_t n = size_t(rank);
  if (!v.pairs.empty()) {
    if (v.pairs.size() == n) out = v.pairs;
  } else if (v.flat.size() == 1) {
    out.assign(n, {v.flat[0], v.flat[0]});
  } else if (rank == 1 && v.flat.size() == 2) {
    out = {{v.flat[0], v.flat[1]}};
  } else if (rank > 1 && v.flat.size() == n) {
    for (int64_t x : v.flat) out.push_back({x, x});
  }
  const std::string what = rank == 1 ? "an integer or a tuple of 2 integers"
                                     : "an integer, a tuple of " + std::to_string(rank) +
                                           " integers or a tuple of " + std::to_string(rank) +
                                           " tuples of 2 integers";
  if (out.empty())
    throw std::invalid_argument(layer + ": `" + arg + "` should be " + what + ". Received: " + arg + "=" +
                                pairs_str(v));
  for (const auto& [a, b] : out)
    if (a < 0 || b < 0)
      throw std::invalid_argument(layer + ": `" + arg + "` should have non-negative values. Received: " + arg +
                                  "=" + pairs_str(v));
  return out;
}

Value pairs_value(const Pairs& p) {
  auto pair = [](const std::pair<int64_t, int64_t>& x) {
    return Value::list({static_cast<long long>(x.first), static_cast<long long>(x.second)});
  };
  if (p.size() == 1) return pair(p[0]);
  std::vector<Value> out;
  for (const auto& x : p) out.push_back(pair(x));
  return Value(out);
}

SpatialPairsArg pairs_from(const Value& v) {
  if (v.type() != Value::Type::list) return SpatialPairsArg(v.as_int());
  const auto& items = v.as_list();
  bool nested = !items.empty() && items[0].type() == Value::Type::list;
  if (!nested) return SpatialPairsArg(v.as_ints());
  Pairs p;
  for (const Value& item : items) {
    std::vector<int64_t> ab = item.as_ints();
    if (ab.size() != 2)
      throw std::invalid_argument("config: expected pairs of integers, but received a list of " +
                                  std::to_string(ab.size()));
    p.push_back({ab[0], ab[1]});
  }
  return SpatialPairsArg(p);
}

}  // namespace keras::layers::detail
