// cuda_backend.h - (engine-internal) what core needs from the CUDA runtime, in plain
// C++. gpu/runtime.cu implements it when the build has CUDA; core/no_cuda.cpp otherwise.
// Errors are thrown as core::CudaError (a std::runtime_error) naming the CUDA call.
#pragma once
#include <cstddef>
#include <stdexcept>

namespace keras::core::cuda {

struct CudaError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

bool built_with_cuda();
// Enters the CUDA kernels (gpu/register.cpp) into core's kernel tables; nothing without
// CUDA. Called once, from core's init path.
void register_kernels();
int device_count();  // 0 when no device or driver is usable
// Memory from the caching device allocator (cudaMalloc underneath, never managed memory).
void* allocate(std::size_t nbytes, int device);
void deallocate(void* ptr, std::size_t nbytes, int device);
// The caching allocator's figures for one device (keras::gpu::memory_stats).
struct MemoryStats {
  std::size_t bytes_in_use = 0;        // handed out to live storages
  std::size_t bytes_cached = 0;        // freed and kept for reuse
  std::size_t peak_bytes_in_use = 0;   // since the start or reset_peak_memory
  std::size_t device_allocations = 0;  // calls that reached cudaMalloc
};
MemoryStats memory_stats(int device);
void reset_peak_memory(int device);
void empty_cache(int device);  // returns the cached blocks to the driver
void copy_host_to_device(void* dst, const void* src, std::size_t nbytes, int device);
void copy_device_to_host(void* dst, const void* src, std::size_t nbytes, int device);
void copy_device_to_device(void* dst, int dst_device, const void* src, int src_device,
                           std::size_t nbytes);

}  // namespace keras::core::cuda
