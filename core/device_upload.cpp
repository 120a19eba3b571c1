// device_upload.cpp - DeviceUpload over core/cuda_backend.h's pinned memory and uploads.
#include "core/device_upload.h"

#include <cstring>
#include <map>
#include <mutex>
#include <utility>

#include "core/cuda_backend.h"
#include "core/tensor_impl.h"

namespace keras::core {
namespace {

// Pinned blocks kept for reuse, by size (powers of two from 64 KiB): a prefetching
// pipeline asks for the same few sizes over and over. The pool keeps at most what the
// deepest pipeline held at once.
class PinnedPool {
 public:
  static PinnedPool& get() {
    static PinnedPool* pool = new PinnedPool;  // (never destroyed: blocks outlive static teardown)
    return *pool;
  }
  static std::size_t rounded(std::size_t n) {
    std::size_t r = std::size_t(64) << 10;
    while (r < n) r <<= 1;
    return r;
  }
  void* take(std::size_t bytes) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = free_.find(bytes);
      if (it != free_.end()) {
        void* p = it->second;
        free_.erase(it);
        return p;
      }
    }
    return cuda::allocate_pinned(bytes);
  }
  void give(void* p, std::size_t bytes) {
    std::lock_guard<std::mutex> lock(mu_);
    free_.emplace(bytes, p);
  }

 private:
  std::mutex mu_;
  std::multimap<std::size_t, void*> free_;
};

bool staged(const Tensor& t, Device device) {
  return device.is_cuda() && t.defined() && t.device().is_cpu() && t.dtype() != DType::string;
}

}  // namespace

DeviceUpload::DeviceUpload(const std::vector<Tensor>& tensors, Device device) {
  out_.reserve(tensors.size());
  std::size_t total = 0;
  for (const Tensor& t : tensors)
    if (staged(t, device)) total += (t.nbytes() + 63) / 64 * 64;
  if (total > 0) {
    pinned_bytes_ = PinnedPool::rounded(total);
    pinned_ = PinnedPool::get().take(pinned_bytes_);
    upload_ = cuda::upload_begin(device.index);
  }
  std::size_t offset = 0;
  try {
    for (const Tensor& t : tensors) {
      if (!staged(t, device)) {
        out_.push_back(!t.defined() || t.dtype() == DType::string ? t : t.to(device));
        continue;
      }
      char* src = static_cast<char*>(pinned_) + offset;
      const std::size_t n = t.nbytes();
      if (n > 0) std::memcpy(src, t.raw_data(), n);
      Tensor d = empty(t.shape(), t.dtype(), device);
      if (n > 0) cuda::upload_copy(static_cast<cuda::Upload*>(upload_), d.raw_mutable_data(), src, n);
      out_.push_back(std::move(d));
      offset += (n + 63) / 64 * 64;
    }
    if (upload_) cuda::upload_end(static_cast<cuda::Upload*>(upload_));
  } catch (...) {
    release();
    throw;
  }
}

DeviceUpload::~DeviceUpload() { release(); }

void DeviceUpload::release() {
  if (upload_) cuda::upload_release(static_cast<cuda::Upload*>(upload_));  // waits for the copies
  upload_ = nullptr;
  if (pinned_) PinnedPool::get().give(pinned_, pinned_bytes_);
  pinned_ = nullptr;
}

std::vector<Tensor> DeviceUpload::take() {
  if (upload_) cuda::upload_wait_compute(static_cast<cuda::Upload*>(upload_));
  return out_;
}

}  // namespace keras::core
