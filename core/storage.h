// storage.h - (engine-internal) reference-counted memory blocks with a caching allocator.
//
// Freed blocks are kept in size classes and handed out again, so a training step does
// not go to malloc (and fault fresh pages in) for every temporary.
#pragma once
#include <cstddef>
#include <memory>

#include "core/device.h"

namespace keras::core {

class Storage {
 public:
  // nbytes bytes on `device`, 64-byte aligned, uninitialized.
  Storage(std::size_t nbytes, Device device);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void* data() const { return data_; }
  std::size_t nbytes() const { return nbytes_; }
  Device device() const { return device_; }

 private:
  void* data_ = nullptr;
  std::size_t nbytes_ = 0;
  std::size_t capacity_ = 0;  // size class actually reserved
  Device device_;
};

// Statistics and control of the host caching allocator.
struct HostAllocatorStats {
  std::size_t bytes_in_use = 0;  // handed out to live storages
  std::size_t bytes_cached = 0;  // freed and kept for reuse
  std::size_t system_allocations = 0;  // calls that reached the system allocator
  std::size_t peak_bytes_in_use = 0;  // the most in use since the start or host_reset_peak()
};
HostAllocatorStats host_allocator_stats();
void host_empty_cache();  // returns every cached block to the system
void host_reset_peak();   // starts the peak over from what is in use now

}  // namespace keras::core
