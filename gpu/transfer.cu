// transfer.cu - core/cuda_backend.h's device synchronization, pinned host memory and the
// asynchronous uploads of Dataset::prefetch_to_device.
//
// Uploads run on a per-device copy stream created with cudaStreamNonBlocking, so they
// neither wait for nor hold up the legacy default stream that every kernel runs on
// (context.cuh). Two events order a group of copies: `after` is recorded on the compute
// stream when the group begins and the copy stream waits for it (the caching allocator
// may hand out a block that a kernel queued earlier still reads: the copy must not
// overwrite it before that kernel ends); `done` is recorded on the copy stream when the
// group ends, and the compute stream waits for it before the kernels that read the
// uploaded tensors (upload_wait_compute), without blocking the host.
#include <cuda_runtime.h>

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/cuda_backend.h"
#include "gpu/context.cuh"

namespace keras::core::cuda {

struct Upload {
  int device = 0;
  cudaStream_t stream = nullptr;
  cudaEvent_t after = nullptr, done = nullptr;
  bool ended = false;
};

namespace {

// The copy stream of each device, created at its first upload and kept for the process.
cudaStream_t copy_stream(int device) {
  static std::mutex mu;
  static std::vector<cudaStream_t> streams;
  std::lock_guard<std::mutex> lock(mu);
  if (streams.size() <= size_t(device)) streams.resize(size_t(device) + 1, nullptr);
  if (!streams[size_t(device)]) {
    DeviceGuard guard(device);
    cudaStream_t s = nullptr;
    check(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking), "cudaStreamCreateWithFlags(copy stream)", device);
    streams[size_t(device)] = s;
  }
  return streams[size_t(device)];
}

}  // namespace

void synchronize(int device) {
  DeviceGuard guard(device);
  check(cudaDeviceSynchronize(), "cudaDeviceSynchronize", device);
}

void* allocate_pinned(std::size_t nbytes) {
  void* p = nullptr;
  check(cudaHostAlloc(&p, nbytes == 0 ? 1 : nbytes, cudaHostAllocDefault),
        ("cudaHostAlloc(" + std::to_string(nbytes) + " bytes)").c_str(), 0);
  return p;
}

void free_pinned(void* ptr) {
  if (ptr) (void)cudaFreeHost(ptr);  // (never throws: called from destructors)
}

Upload* upload_begin(int device) {
  auto u = std::make_unique<Upload>();
  u->device = device;
  u->stream = copy_stream(device);
  DeviceGuard guard(device);
  check(cudaEventCreateWithFlags(&u->after, cudaEventDisableTiming), "cudaEventCreate(upload)", device);
  check(cudaEventCreateWithFlags(&u->done, cudaEventDisableTiming), "cudaEventCreate(upload)", device);
  check(cudaEventRecord(u->after, context(device).stream), "cudaEventRecord(compute stream)", device);
  check(cudaStreamWaitEvent(u->stream, u->after, 0), "cudaStreamWaitEvent(copy stream)", device);
  return u.release();
}

void upload_copy(Upload* u, void* dst, const void* pinned_src, std::size_t nbytes) {
  if (nbytes == 0) return;
  DeviceGuard guard(u->device);
  check(cudaMemcpyAsync(dst, pinned_src, nbytes, cudaMemcpyHostToDevice, u->stream),
        "cudaMemcpyAsync(host to device, copy stream)", u->device);
}

void upload_end(Upload* u) {
  DeviceGuard guard(u->device);
  check(cudaEventRecord(u->done, u->stream), "cudaEventRecord(copy stream)", u->device);
  u->ended = true;
}

void upload_wait_compute(Upload* u) {
  DeviceGuard guard(u->device);
  check(cudaStreamWaitEvent(context(u->device).stream, u->done, 0), "cudaStreamWaitEvent(compute stream)", u->device);
}

void upload_wait_host(Upload* u) {
  DeviceGuard guard(u->device);
  check(cudaEventSynchronize(u->done), "cudaEventSynchronize(upload)", u->device);
}

void upload_release(Upload* u) {  // (never throws: called from destructors)
  if (!u) return;
  int previous = 0;
  const bool switched = cudaGetDevice(&previous) == cudaSuccess && cudaSetDevice(u->device) == cudaSuccess;
  if (u->ended) (void)cudaEventSynchronize(u->done);  // the sources may be reused next
  else (void)cudaStreamSynchronize(u->stream);
  (void)cudaEventDestroy(u->after);
  (void)cudaEventDestroy(u->done);
  if (switched) (void)cudaSetDevice(previous);
  (void)cudaGetLastError();
  delete u;
}

}  // namespace keras::core::cuda
