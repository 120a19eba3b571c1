#include "core/device.h"

#include "core/cuda_backend.h"

namespace keras::core {

std::string Device::str() const {
  return std::string(is_cpu() ? "CPU:" : "GPU:") + std::to_string(index);
}

int cuda_device_count() { return cuda::device_count(); }

}  // namespace keras::core
