// no_cuda.cpp - the CUDA backend of a build without CUDA: no devices, clear errors.
#include "core/cuda_backend.h"

namespace keras::core::cuda {
namespace {
[[noreturn]] void unavailable(const char* what) {
  throw CudaError(std::string(what) +
                  ": this build of keras-cpp has no CUDA support (configure with -Dcuda=enabled "
                  "on a machine with the CUDA toolkit)");
}
}  // namespace

bool built_with_cuda() { return false; }
void register_kernels() {}
int device_count() { return 0; }
void* allocate(std::size_t, int) { unavailable("allocate"); }
void deallocate(void*, std::size_t, int) {}
MemoryStats memory_stats(int) { unavailable("memory_stats"); }
void reset_peak_memory(int) { unavailable("reset_peak_memory_stats"); }
void empty_cache(int) { unavailable("empty_cache"); }
void copy_host_to_device(void*, const void*, std::size_t, int) { unavailable("copy to GPU"); }
void copy_device_to_host(void*, const void*, std::size_t, int) { unavailable("copy from GPU"); }
void copy_device_to_device(void*, int, const void*, int, std::size_t) {
  unavailable("copy between GPUs");
}
void synchronize(int) { unavailable("synchronize"); }
std::size_t device_to_host_copies(int) { unavailable("device_to_host_copies"); }
std::size_t host_to_device_copies(int) { unavailable("host_to_device_copies"); }
void* allocate_pinned(std::size_t) { unavailable("pinned host memory"); }
void free_pinned(void*) {}
Upload* upload_begin(int) { unavailable("prefetch_to_device"); }
void upload_copy(Upload*, void*, const void*, std::size_t) { unavailable("prefetch_to_device"); }
void upload_end(Upload*) {}
void upload_wait_compute(Upload*) {}
void upload_wait_host(Upload*) {}
void upload_release(Upload*) {}

}  // namespace keras::core::cuda
