// device.h - where a tensor's memory lives.
#pragma once
#include <string>

namespace keras::core {

/// Where a tensor's memory lives: the CPU or a CUDA device by index (TensorFlow's "CPU:0",
/// "GPU:1").
struct Device {
  /// The kind of device; kNumKinds counts them (the size of per-device kernel tables).
  enum class Kind : unsigned char { CPU = 0, CUDA = 1 };
  /// The number of Kind values.
  static constexpr int kNumKinds = 2;
  /// CPU or CUDA.
  Kind kind = Kind::CPU;
  /// The device's index among those of its kind (always 0 for the CPU).
  int index = 0;

  /// The host CPU.
  static Device cpu() { return {}; }
  /// CUDA device `i` (ops on it raise when the build has no CUDA support or no such
  /// device).
  static Device cuda(int i = 0) { return {Kind::CUDA, i}; }
  /// Whether this is the CPU.
  bool is_cpu() const { return kind == Kind::CPU; }
  /// Whether this is a CUDA device.
  bool is_cuda() const { return kind == Kind::CUDA; }
  ///@{
  /// Same kind and same index.
  bool operator==(const Device& o) const { return kind == o.kind && index == o.index; }
  bool operator!=(const Device& o) const { return !(*this == o); }
  ///@}
  std::string str() const;  ///< "CPU:0", "GPU:1" (TensorFlow's spelling)
};

/// Number of CUDA devices usable by this build (0 without CUDA support or hardware).
int cuda_device_count();

}  // namespace keras::core
