#include "core/dtype.h"

#include <stdexcept>
#include <string>

namespace core {

const char* dtype_name(DType d) {
  switch (d) {
    case DType::float32: return "float32";
    case DType::float64: return "float64";
    case DType::int32: return "int32";
    case DType::int64: return "int64";
    case DType::uint8: return "uint8";
    case DType::bool_: return "bool";
  }
  return "unknown";
}

DType dtype_from_name(std::string_view name) {
  for (int i = 0; i < kNumDTypes; ++i) {
    auto d = static_cast<DType>(i);
    if (name == dtype_name(d)) return d;
  }
  throw std::invalid_argument("dtype: expected one of float32, float64, int32, int64, uint8, "
                              "bool, but received '" + std::string(name) + "'");
}

std::size_t dtype_size(DType d) {
  switch (d) {
    case DType::float64:
    case DType::int64: return 8;
    case DType::float32:
    case DType::int32: return 4;
    case DType::uint8:
    case DType::bool_: return 1;
  }
  return 0;
}

}  // namespace core
