// gpu_memory.cpp - keras::gpu's allocator figures over core/cuda_backend.h.
#include "core/gpu_memory.h"

#include "core/cuda_backend.h"
#include "core/device.h"
#include "core/device_scope.h"

namespace keras::gpu {
namespace {
void check(int device, const char* what) { core::check_device_exists(core::Device::cuda(device), what); }
}  // namespace

MemoryStats memory_stats(int device) {
  check(device, "memory_stats");
  const core::cuda::MemoryStats s = core::cuda::memory_stats(device);
  return {s.bytes_in_use, s.bytes_cached, s.peak_bytes_in_use, s.device_allocations};
}

void reset_peak_memory_stats(int device) {
  check(device, "reset_peak_memory_stats");
  core::cuda::reset_peak_memory(device);
}

void empty_cache(int device) {
  check(device, "empty_cache");
  core::cuda::empty_cache(device);
}

void synchronize(int device) {
  check(device, "synchronize");
  core::cuda::synchronize(device);
}

}  // namespace keras::gpu
