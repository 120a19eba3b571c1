// partial_shape.h - (private to the engine's .cpp files) a shape whose sizes may be unknown
// (-1), written as TensorFlow writes a TensorShape in messages: "(None, 3)", "(2,)".
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace keras::core {

inline std::string partial_shape_str(const std::vector<int64_t>& s) {
  std::string out = "(";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + (s[i] < 0 ? std::string("None") : std::to_string(s[i]));
  if (s.size() == 1) out += ",";
  return out + ")";
}

}  // namespace keras::core
