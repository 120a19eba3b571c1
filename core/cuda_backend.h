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
// Waits until every kernel and copy queued on `device` so far has finished.
void synchronize(int device);
// Reads of `device`'s memory by the host since the start (every device-to-host copy of
// the backend: Tensor::cpu(), item(), and its own checks that read a flag or a value
// back; each waits for the device's queued work). A testing hook: the GPU tests assert
// that traced train steps add none.
std::size_t device_to_host_copies(int device);
// Synchronous copies from pageable host memory to `device` since the start (Tensor::to
// of a host tensor, the backend's own small uploads): CUDA waits for the device's queued
// work before each. A testing hook, as device_to_host_copies.
std::size_t host_to_device_copies(int device);

// Page-locked host memory (cudaHostAlloc), the source of copies that overlap compute.
void* allocate_pinned(std::size_t nbytes);
void free_pinned(void* ptr);
// A group of asynchronous host-to-device copies (Dataset::prefetch_to_device). They run
// on the device's own copy stream, which does not wait for the compute stream, so they
// overlap the kernels queued after upload_begin; they start only after the kernels
// queued before it (a destination block may have been freed by one of those, and the
// caching allocator orders reuse by the compute stream alone). The sources must be
// pinned and stay untouched until upload_wait_host returns.
struct Upload;  // opaque; owned by the caller until upload_release
Upload* upload_begin(int device);
void upload_copy(Upload* u, void* dst, const void* pinned_src, std::size_t nbytes);
void upload_end(Upload* u);            // no more copies in this group
void upload_wait_compute(Upload* u);   // kernels queued later on the device wait for the group
void upload_wait_host(Upload* u);      // the calling thread waits for the group
void upload_release(Upload* u);        // frees the handle (after waiting for the copies)

}  // namespace keras::core::cuda
