// device_upload.h - (engine-internal) host tensors copied to a GPU while it computes: the
// staging behind keras::data's Dataset::prefetch_to_device.
//
// The producer thread makes a DeviceUpload: each CPU tensor is copied into page-locked
// host memory (from a process-wide pool, as cudaHostAlloc is slow) and from there to a
// new tensor on the device, on the device's copy stream (core/cuda_backend.h's upload_*
// functions say how the copies are ordered against the kernels). The consumer calls
// take(): the device's later kernels wait for the copies; the host does not. Destroying
// the upload waits for its copies and returns the pinned memory to the pool.
#pragma once
#include <cstddef>
#include <vector>

#include "core/tensor.h"

namespace keras::core {

class DeviceUpload {
 public:
  /// Starts copying `tensors` to `device`. CPU tensors are staged and uploaded; string
  /// tensors stay on the CPU (as TensorFlow keeps strings in host memory); tensors on
  /// another device are copied synchronously. With `device` the CPU, non-CPU tensors are
  /// copied back and nothing is asynchronous.
  DeviceUpload(const std::vector<Tensor>& tensors, Device device);
  ~DeviceUpload();
  DeviceUpload(const DeviceUpload&) = delete;
  DeviceUpload& operator=(const DeviceUpload&) = delete;

  /// The tensors on the device, with the device's kernels queued from now on ordered
  /// after the copies.
  std::vector<Tensor> take();

 private:
  void release();  // waits for the copies, returns the pinned block
  std::vector<Tensor> out_;
  void* pinned_ = nullptr;
  std::size_t pinned_bytes_ = 0;
  void* upload_ = nullptr;  // core::cuda::Upload
};

}  // namespace keras::core
