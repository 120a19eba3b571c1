// device.h - where a tensor's memory lives.
#pragma once
#include <string>

namespace keras::core {

struct Device {
  enum class Kind : unsigned char { CPU = 0, CUDA = 1 };
  static constexpr int kNumKinds = 2;
  Kind kind = Kind::CPU;
  int index = 0;

  static Device cpu() { return {}; }
  static Device cuda(int i = 0) { return {Kind::CUDA, i}; }
  bool is_cpu() const { return kind == Kind::CPU; }
  bool is_cuda() const { return kind == Kind::CUDA; }
  bool operator==(const Device& o) const { return kind == o.kind && index == o.index; }
  bool operator!=(const Device& o) const { return !(*this == o); }
  std::string str() const;  ///< "CPU:0", "GPU:1" (TensorFlow's spelling)
};

/// Number of CUDA devices usable by this build (0 without CUDA support or hardware).
int cuda_device_count();

}  // namespace keras::core
