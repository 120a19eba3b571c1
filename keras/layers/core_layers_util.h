// core_layers_util.h - private helpers of the core layers' .cpp files (not installed,
// not included by public headers).
#pragma once
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "keras/config.h"

namespace keras::layers::detail {

// A number as Python prints it in error messages ("0.3", "-1", "1e-07").
inline std::string num(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

// "[1, 2, 3]"
inline std::string list_str(const std::vector<int64_t>& v) {
  std::string r = "[";
  for (size_t i = 0; i < v.size(); ++i) r += (i ? ", " : "") + std::to_string(v[i]);
  return r + "]";
}

// A shape with None (-1) entries as a config list with nulls.
inline Value dims_value(const std::vector<int64_t>& dims) {
  std::vector<Value> out;
  for (int64_t d : dims) out.push_back(d < 0 ? Value() : Value(static_cast<long long>(d)));
  return Value(out);
}

// The op seed of a seeded random layer's `counter`-th call: a reproducible sequence
// per layer seed (Keras's SeedGenerator). Unseeded layers (seed < 0) use -1, core's
// global generator.
inline int64_t call_seed(int64_t seed, uint64_t counter) {
  if (seed < 0) return -1;
  uint64_t z = static_cast<uint64_t>(seed) * 0x9E3779B97F4A7C15ull + (counter + 1) * 0xD1B54A32D192ED03ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return static_cast<int64_t>(z >> 1);
}

}  // namespace keras::layers::detail
