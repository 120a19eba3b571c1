// context.cuh - (CUDA-internal, included by gpu/*.cu only) what every CUDA kernel call
// uses: error checks that throw core::cuda::CudaError, a guard that makes a device current,
// the device's execution context (its stream and cuBLAS handle), and scratch memory from
// the caching allocator.
//
// Ordering: kernels, cuBLAS calls and the copies of runtime.cu all run on the device's
// legacy default stream, so each use of a memory block follows every earlier one, and
// the caching allocator can hand a freed block out again without synchronizing. A
// read back to the host (a copy) waits for the kernels that wrote the data.
#pragma once
#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <string>

#include <cstdint>

#include "core/cuda_backend.h"
#include "gpu/kernels.h"

namespace keras::core::cuda {

/// "GPU:<device>".
std::string device_name(int device);
/// Throws CudaError naming `call`, the device and CUDA's message (and clears the error).
[[noreturn]] void fail(const char* call, int device, cudaError_t err);
/// fail() unless err is cudaSuccess.
void check(cudaError_t err, const char* call, int device);
/// Checks the launch of the kernel named `what` (cudaGetLastError after <<<...>>>).
void check_launch(const char* what, int device);

/// Makes `device` current for the calling thread while it lives, restoring the previous one.
class DeviceGuard {
 public:
  explicit DeviceGuard(int device);
  ~DeviceGuard();
  DeviceGuard(const DeviceGuard&) = delete;
  DeviceGuard& operator=(const DeviceGuard&) = delete;

 private:
  int device_;
  int previous_ = 0;
};

/// A device's execution context, created at its first use and kept for the process.
struct DeviceContext {
  int device = 0;
  cudaStream_t stream = nullptr;     ///< the legacy default stream (see the ordering note)
  cublasHandle_t cublas = nullptr;   ///< bound to `stream`; TF32 math off (float32 is exact)
};
/// The context of `device` (which must exist); thread-safe.
DeviceContext& context(int device);

/// Scratch device memory for one launch (at least one byte), returned to the caching
/// allocator at scope end (the stream orders its reuse after the launch).
class DeviceScratch {
 public:
  DeviceScratch(std::size_t bytes, int device) : bytes_(bytes ? bytes : 1), device_(device), p_(allocate(bytes_, device)) {}
  ~DeviceScratch() { deallocate(p_, bytes_, device_); }
  DeviceScratch(const DeviceScratch&) = delete;
  DeviceScratch& operator=(const DeviceScratch&) = delete;
  template <class T>
  T* as() const { return static_cast<T*>(p_); }

 private:
  std::size_t bytes_;
  int device_;
  void* p_;
};

/// Counts one read of `device`'s memory by the host (a copy that waits for the device) in
/// device_to_host_copies(device) (core/cuda_backend.h, gpu/runtime.cu): every
/// device-to-host copy of the backend calls it, so a test can assert that a train step
/// made none.
void count_device_to_host(int device);
/// Counts one synchronous copy from pageable host memory to `device` (CUDA waits for the
/// device's queued work first) in host_to_device_copies(device).
void count_host_to_device(int device);

/// The smallest key that a checking kernel reports with atomicMin (the first failing
/// index, or a key ordering failures as the CPU meets them): one word of scratch set to
/// "none" on the device's stream; read() waits for the kernels queued before it.
class FirstKey {
 public:
  /// `what` names the check in CUDA error messages ("check_elements").
  FirstKey(int device, const char* what);
  /// Where the kernel's atomicMin goes.
  unsigned long long* key() const { return scratch_.as<unsigned long long>(); }
  /// The smallest key reported, or kNone.
  unsigned long long read() const;
  static constexpr unsigned long long kNone = ~0ull;

 private:
  DeviceScratch scratch_;
  int device_;
  const char* what_;
};

/// Blocks of 256 threads and enough blocks to cover n (grid-stride loops cover the rest).
inline unsigned grid_for(long long n) {
  const long long blocks = (n + 255) / 256;
  return unsigned(blocks < 1 ? 1 : (blocks > 65535 * 8 ? 65535 * 8 : blocks));
}
inline constexpr unsigned kBlock = 256;

/// f(T{}) for the C++ element type T of `dt` (the launchers' switch over dtypes).
template <class F>
void by_dt(Dt dt, F f) {
  switch (dt) {
    case Dt::f32: return f(float{});
    case Dt::f64: return f(double{});
    case Dt::i32: return f(int32_t{});
    case Dt::i64: return f(int64_t{});
    case Dt::u8: return f(uint8_t{});
    case Dt::b8: return f(bool{});
  }
}

}  // namespace keras::core::cuda
