// runtime.cu - core/cuda_backend.h on the CUDA runtime API: device discovery, a caching
// device allocator and copies. No kernels live here.
//
// Every failing CUDA call becomes core::cuda::CudaError naming the call, the device and
// cudaGetErrorString's text (gpu/context.cuh). The CUDA headers stay in gpu/.
#include <cuda_runtime.h>

#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/cuda_backend.h"
#include "gpu/context.cuh"

namespace keras::core::cuda {
namespace {

// The device count, queried once. A missing driver or device (this includes machines
// with the toolkit but no GPU) counts as zero devices rather than an error.
int query_device_count() {
  static const int count = [] {
    int n = 0;
    cudaError_t err = cudaGetDeviceCount(&n);
    if (err != cudaSuccess) {
      (void)cudaGetLastError();
      return 0;
    }
    return n < 0 ? 0 : n;
  }();
  return count;
}

void check_device(int device, const char* what) {
  int n = query_device_count();
  if (device < 0 || device >= n)
    throw CudaError(std::string(what) + ": device " + device_name(device) + " does not exist (" +
                    std::to_string(n) + " CUDA device" + (n == 1 ? "" : "s") + " visible)");
}

// The caching allocator of one device. Storage already rounds requests up to size
// classes, so blocks are cached by exact size. Freed blocks go back to the cache without
// synchronizing: all work runs on the legacy default stream, so a later user of a block
// is ordered after every earlier kernel that touched it.
class DeviceCache {
 public:
  explicit DeviceCache(int device) : device_(device) {}

  void* get(std::size_t nbytes) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = free_.find(nbytes);
      if (it != free_.end() && !it->second.empty()) {
        void* p = it->second.back();
        it->second.pop_back();
        stats_.bytes_cached -= nbytes;
        handed_out(nbytes);
        return p;
      }
    }
    DeviceGuard guard(device_);
    void* p = nullptr;
    cudaError_t err = cudaMalloc(&p, nbytes);
    if (err == cudaErrorMemoryAllocation) {
      // Out of memory: give the cached blocks back to the driver and try once more.
      (void)cudaGetLastError();
      release_locked_free_blocks();
      err = cudaMalloc(&p, nbytes);
    }
    if (err == cudaErrorMemoryAllocation) {  // core turns it into OutOfMemoryError naming the tensor
      (void)cudaGetLastError();
      throw std::bad_alloc();
    }
    if (err != cudaSuccess)
      fail(("cudaMalloc(" + std::to_string(nbytes) + " bytes)").c_str(), device_, err);
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.device_allocations;
    handed_out(nbytes);
    return p;
  }

  void put(void* p, std::size_t nbytes) noexcept {
    try {
      std::lock_guard<std::mutex> lock(mu_);
      free_[nbytes].push_back(p);
      stats_.bytes_in_use -= nbytes;
      stats_.bytes_cached += nbytes;
    } catch (...) {
      // No memory to remember the block: return it to the driver instead.
      if (cudaFree(p) != cudaSuccess) (void)cudaGetLastError();
    }
  }

  MemoryStats stats() {
    std::lock_guard<std::mutex> lock(mu_);
    return stats_;
  }
  void count_to_host() { ++to_host_; }
  std::size_t to_host() const { return to_host_.load(); }
  void count_from_host() { ++from_host_; }
  std::size_t from_host() const { return from_host_.load(); }
  void reset_peak() {
    std::lock_guard<std::mutex> lock(mu_);
    stats_.peak_bytes_in_use = stats_.bytes_in_use;
  }
  void release_locked_free_blocks() {
    DeviceGuard guard(device_);
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [size, blocks] : free_)
      for (void* b : blocks)
        if (cudaFree(b) != cudaSuccess) (void)cudaGetLastError();
    free_.clear();
    stats_.bytes_cached = 0;
  }

 private:
  void handed_out(std::size_t nbytes) {  // with mu_ held
    stats_.bytes_in_use += nbytes;
    if (stats_.bytes_in_use > stats_.peak_bytes_in_use) stats_.peak_bytes_in_use = stats_.bytes_in_use;
  }

  int device_;
  std::mutex mu_;
  std::unordered_map<std::size_t, std::vector<void*>> free_;
  MemoryStats stats_;
  std::atomic<std::size_t> to_host_{0}, from_host_{0};
};

// One cache per device. Never destroyed: storages may be freed during static
// destruction, and the driver reclaims device memory at process exit.
DeviceCache& cache_for(int device) {
  static std::vector<DeviceCache*>* caches = [] {
    auto* v = new std::vector<DeviceCache*>();
    int n = query_device_count();
    for (int i = 0; i < n; ++i) v->push_back(new DeviceCache(i));
    return v;
  }();
  return *(*caches)[static_cast<std::size_t>(device)];
}

}  // namespace

bool built_with_cuda() { return true; }

int device_count() { return query_device_count(); }

void* allocate(std::size_t nbytes, int device) {
  check_device(device, "allocate");
  if (nbytes == 0) return nullptr;
  return cache_for(device).get(nbytes);
}

void deallocate(void* ptr, std::size_t nbytes, int device) {
  if (!ptr || device < 0 || device >= query_device_count()) return;
  cache_for(device).put(ptr, nbytes);
}

MemoryStats memory_stats(int device) {
  check_device(device, "memory_stats");
  return cache_for(device).stats();
}

void reset_peak_memory(int device) {
  check_device(device, "reset_peak_memory_stats");
  cache_for(device).reset_peak();
}

void empty_cache(int device) {
  check_device(device, "empty_cache");
  cache_for(device).release_locked_free_blocks();
}

void copy_host_to_device(void* dst, const void* src, std::size_t nbytes, int device) {
  if (nbytes == 0) return;
  check_device(device, "copy to GPU");
  count_host_to_device(device);
  DeviceGuard guard(device);
  check(cudaMemcpy(dst, src, nbytes, cudaMemcpyHostToDevice), "cudaMemcpy(host to device)",
        device);
}

void count_device_to_host(int device) {
  if (device >= 0 && device < query_device_count()) cache_for(device).count_to_host();
}

std::size_t device_to_host_copies(int device) {
  check_device(device, "device_to_host_copies");
  return cache_for(device).to_host();
}

void count_host_to_device(int device) {
  if (device >= 0 && device < query_device_count()) cache_for(device).count_from_host();
}

std::size_t host_to_device_copies(int device) {
  check_device(device, "host_to_device_copies");
  return cache_for(device).from_host();
}

void copy_device_to_host(void* dst, const void* src, std::size_t nbytes, int device) {
  if (nbytes == 0) return;
  check_device(device, "copy from GPU");
  count_device_to_host(device);
  DeviceGuard guard(device);
  check(cudaMemcpy(dst, src, nbytes, cudaMemcpyDeviceToHost), "cudaMemcpy(device to host)",
        device);
}

void copy_device_to_device(void* dst, int dst_device, const void* src, int src_device,
                           std::size_t nbytes) {
  if (nbytes == 0) return;
  check_device(dst_device, "copy between GPUs");
  check_device(src_device, "copy between GPUs");
  if (dst_device == src_device) {
    DeviceGuard guard(dst_device);
    check(cudaMemcpy(dst, src, nbytes, cudaMemcpyDeviceToDevice),
          "cudaMemcpy(device to device)", dst_device);
  } else {
    // cudaMemcpyPeer works with or without peer access (it stages through the host when
    // needed) and is serialized with all work on both devices, like the copies above.
    DeviceGuard guard(src_device);
    cudaError_t err = cudaMemcpyPeer(dst, dst_device, src, src_device, nbytes);
    if (err != cudaSuccess)
      fail(("cudaMemcpyPeer(to " + device_name(dst_device) + ")").c_str(), src_device, err);
  }
}

}  // namespace keras::core::cuda
