// host_memory.h - the host (CPU) caching allocator's figures, as keras::gpu's for a GPU
// (core/gpu_memory.h): what tensors in main memory hold now and at most, to measure what a
// change such as rematerialization (core/remat.h) saves.
#pragma once
#include <cstddef>

namespace keras::host {

/// What the host caching allocator holds. Sizes are the allocator's size classes (a
/// tensor's bytes rounded up by at most a quarter).
struct MemoryStats {
  std::size_t bytes_in_use = 0;        ///< in blocks held by live tensors
  std::size_t bytes_cached = 0;        ///< in freed blocks kept for reuse
  std::size_t peak_bytes_in_use = 0;   ///< the most in use since the start or the last reset
  std::size_t system_allocations = 0;  ///< allocations that reached the system allocator
};

/// The allocator's figures now.
MemoryStats memory_stats();
/// Starts the peak over from what is in use now.
void reset_peak_memory_stats();
/// Returns the cached (freed) blocks to the system.
void empty_cache();

}  // namespace keras::host
