#include "core/cpu/broadcast.h"

namespace keras::core::cpu {

std::vector<int64_t> broadcast_strides(const Shape& in, const Shape& out) {
  std::vector<int64_t> s(static_cast<size_t>(out.rank()), 0);
  int64_t acc = 1;
  for (int64_t i = in.rank() - 1, o = out.rank() - 1; i >= 0; --i, --o) {
    s[static_cast<size_t>(o)] = in[i] == 1 ? 0 : acc;
    acc *= in[i];
  }
  return s;
}

}  // namespace keras::core::cpu
