// gpu_memory.h - the GPU caching allocator's figures (TensorFlow's
// tf.config.experimental.get_memory_info / reset_memory_stats).
#pragma once
#include <cstddef>

namespace keras::gpu {

/// What the caching allocator of one GPU holds.
struct MemoryStats {
  std::size_t bytes_in_use = 0;        ///< in blocks held by live tensors
  std::size_t bytes_cached = 0;        ///< in freed blocks kept for reuse
  std::size_t peak_bytes_in_use = 0;   ///< the most in use since the start or the last reset
  std::size_t device_allocations = 0;  ///< allocations that reached the driver (cudaMalloc)
};

/// The figures of GPU `device`. Throws std::invalid_argument naming the device and the
/// number of CUDA devices visible when it does not exist (always, in a build without CUDA).
MemoryStats memory_stats(int device = 0);
/// Starts the peak over from what is in use now.
void reset_peak_memory_stats(int device = 0);
/// Returns the cached (freed) blocks of `device` to the driver.
void empty_cache(int device = 0);
/// Waits until every kernel and copy queued on GPU `device` has finished (TensorFlow's
/// `tf.test.experimental.sync_devices`, for one device): GPU ops return as soon as their
/// kernels are queued, so a timing of GPU work ends with this call. Throws as
/// memory_stats() for a device that does not exist.
void synchronize(int device = 0);

}  // namespace keras::gpu
