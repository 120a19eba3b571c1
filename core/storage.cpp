#include "core/storage.h"
#include "core/host_memory.h"

#include <cstdlib>
#include <mutex>
#include <new>
#include <unordered_map>
#include <vector>

#include "core/cuda_backend.h"

namespace keras::core {
namespace {

// Size classes: multiples of 64 bytes up to 1 KiB, then four classes per power of two
// (at most 25% slack).
std::size_t size_class(std::size_t n) {
  if (n <= 1024) return (n + 63) & ~std::size_t(63);
  int msb = 63 - __builtin_clzll(n - 1);       // n-1 < 2^(msb+1)
  std::size_t step = std::size_t(1) << (msb - 2);  // quarter of the power of two
  return (n + step - 1) & ~(step - 1);
}

class HostCache {
 public:
  void* get(std::size_t cap) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = free_.find(cap);
      if (it != free_.end() && !it->second.empty()) {
        void* p = it->second.back();
        it->second.pop_back();
        cached_ -= cap;
        add_in_use(cap);
        return p;
      }
      ++system_allocations_;
      add_in_use(cap);
    }
    void* p = std::aligned_alloc(64, cap);
    if (!p) {
      std::lock_guard<std::mutex> lock(mu_);
      in_use_ -= cap;
      throw std::bad_alloc();
    }
    return p;
  }
  void put(void* p, std::size_t cap) {
    std::lock_guard<std::mutex> lock(mu_);
    free_[cap].push_back(p);
    in_use_ -= cap;
    cached_ += cap;
  }
  HostAllocatorStats stats() {
    std::lock_guard<std::mutex> lock(mu_);
    return {in_use_, cached_, system_allocations_, peak_};
  }
  void reset_peak() {
    std::lock_guard<std::mutex> lock(mu_);
    peak_ = in_use_;
  }
  void release() {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [cap, blocks] : free_)
      for (void* p : blocks) std::free(p);
    free_.clear();
    cached_ = 0;
  }

 private:
  std::mutex mu_;
  std::unordered_map<std::size_t, std::vector<void*>> free_;
  std::size_t in_use_ = 0, cached_ = 0, system_allocations_ = 0, peak_ = 0;
  void add_in_use(std::size_t cap) {  // (mu_ held)
    in_use_ += cap;
    if (in_use_ > peak_) peak_ = in_use_;
  }
};

// Never destroyed: storages may be freed during static destruction.
HostCache& host_cache() {
  static HostCache* cache = new HostCache();
  return *cache;
}

}  // namespace

Storage::Storage(std::size_t nbytes, Device device) : nbytes_(nbytes), device_(device) {
  if (nbytes == 0) return;
  capacity_ = size_class(nbytes);
  if (device.is_cpu())
    data_ = host_cache().get(capacity_);
  else
    data_ = cuda::allocate(capacity_, device.index);
}

Storage::~Storage() {
  if (!data_) return;
  if (device_.is_cpu())
    host_cache().put(data_, capacity_);
  else
    cuda::deallocate(data_, capacity_, device_.index);
}

HostAllocatorStats host_allocator_stats() { return host_cache().stats(); }
void host_empty_cache() { host_cache().release(); }
void host_reset_peak() { host_cache().reset_peak(); }

}  // namespace keras::core

namespace keras::host {
MemoryStats memory_stats() {
  const core::HostAllocatorStats s = core::host_allocator_stats();
  return {s.bytes_in_use, s.bytes_cached, s.peak_bytes_in_use, s.system_allocations};
}
void reset_peak_memory_stats() { core::host_reset_peak(); }
void empty_cache() { core::host_empty_cache(); }

}  // namespace keras::host
