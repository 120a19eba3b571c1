// kernel_support.cpp - supports() and the declared dtypes of backends' kernels.
#include "core/kernel_support.h"

#include <array>
#include <mutex>
#include <stdexcept>
#include <string>

#include "core/init.h"
#include "core/half_ops.h"
#include "core/kernel_dtypes.h"
#include "core/string_kernels.h"

namespace keras::core {
namespace {
// Per op and device kind: a bit per dtype, and whether a declaration was made. Written
// during init() only (under its call_once), read afterwards.
struct Declared {
  std::array<std::array<uint32_t, Device::kNumKinds>, kNumOps> mask{};
  std::array<std::array<bool, Device::kNumKinds>, kNumOps> set{};
};
Declared& declared() {
  static Declared d;
  return d;
}
}  // namespace

void declare_kernel_dtypes(OpId op, Device::Kind device, std::initializer_list<DType> dtypes) {
  uint32_t m = 0;
  for (DType d : dtypes) m |= 1u << static_cast<unsigned>(d);
  declared().mask[size_t(op)][size_t(device)] = m;
  declared().set[size_t(op)][size_t(device)] = true;
}

void declare_more_kernel_dtypes(OpId op, Device::Kind device, std::initializer_list<DType> dtypes) {
  for (DType d : dtypes) declared().mask[size_t(op)][size_t(device)] |= 1u << static_cast<unsigned>(d);
  declared().set[size_t(op)][size_t(device)] = true;
}

bool kernel_declares(OpId op, Device::Kind device, DType dtype) {
  const size_t o = size_t(op), k = size_t(device);
  return declared().set[o][k] && ((declared().mask[o][k] >> static_cast<unsigned>(dtype)) & 1u);
}

bool kernel_supports(OpId op, Device::Kind device, DType dtype) {
  const size_t o = size_t(op), k = size_t(device);
  const OpDef& def = op_def(op);
  // Half dtypes: a kernel of its own, or the op's float32 kernel (core/half_ops.h).
  if (is_half(dtype) && !kernel_declares(op, device, dtype) && op != OpId::Cast && !def.is_view)
    return takes_half(op) && kernel_supports(op, device, DType::float32);
  if (declared().set[o][k]) return (declared().mask[o][k] >> static_cast<unsigned>(dtype)) & 1u;
  // fft and eig take complex values in their own kernels; other ops through complex ones.
  if (is_complex(dtype))
    return def.complex_kernels[k] != nullptr || ((op == OpId::Fft || op == OpId::Eig) && def.kernels[k] != nullptr);
  if (is_string(dtype)) return device == Device::Kind::CPU && has_string_kernel(op);
  return def.kernels[k] != nullptr || (def.is_view && device == Device::Kind::CPU);
}

bool supports(std::string_view op, Device device, DType dtype) {
  ensure_initialized();
  for (int i = 0; i < kNumOps; ++i)
    if (op == op_name(OpId(i))) return kernel_supports(OpId(i), device.kind, dtype);
  throw std::invalid_argument("supports: no op is named '" + std::string(op) + "'");
}

}  // namespace keras::core
