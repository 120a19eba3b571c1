// context.cu - error checks, the device guard and the per-device execution contexts of
// gpu/context.cuh.
#include "gpu/context.cuh"

#include "gpu/cublas.cuh"

#include <memory>
#include <mutex>
#include <vector>

namespace keras::core::cuda {

std::string device_name(int device) { return "GPU:" + std::to_string(device); }

// cudaGetLastError() resets the runtime's per-thread "last error" so a later, unrelated
// check does not report this failure again.
void fail(const char* call, int device, cudaError_t err) {
  (void)cudaGetLastError();
  throw CudaError(std::string(call) + " failed on device " + device_name(device) + ": " +
                  cudaGetErrorString(err) + " (" + cudaGetErrorName(err) + ")");
}

void check(cudaError_t err, const char* call, int device) {
  if (err != cudaSuccess) fail(call, device, err);
}

void check_launch(const char* what, int device) {
  cudaError_t err = cudaGetLastError();
  if (err != cudaSuccess) fail((std::string("launching ") + what).c_str(), device, err);
}

DeviceGuard::DeviceGuard(int device) : device_(device) {
  check(cudaGetDevice(&previous_), "cudaGetDevice", device);
  if (previous_ != device) check(cudaSetDevice(device), "cudaSetDevice", device);
}

DeviceGuard::~DeviceGuard() {
  if (previous_ != device_ && cudaSetDevice(previous_) != cudaSuccess) (void)cudaGetLastError();
}

DeviceContext& context(int device) {
  static std::mutex mu;
  static auto* contexts = new std::vector<std::unique_ptr<DeviceContext>>();  // never destroyed
  std::lock_guard<std::mutex> lock(mu);
  if (device < 0 || device >= device_count())
    throw CudaError("no CUDA device " + device_name(device) + " (" + std::to_string(device_count()) +
                    " visible)");
  if (contexts->size() <= size_t(device)) contexts->resize(size_t(device) + 1);
  auto& slot = (*contexts)[size_t(device)];
  if (!slot) {
    DeviceGuard guard(device);
    auto ctx = std::make_unique<DeviceContext>();
    ctx->device = device;
    ctx->stream = nullptr;  // legacy default stream
    const CublasApi& blas = cublas_api();
    check_cublas(blas.create(&ctx->cublas), "cublasCreate", device);
    check_cublas(blas.set_stream(ctx->cublas, ctx->stream), "cublasSetStream", device);
    check_cublas(blas.set_math_mode(ctx->cublas, CUBLAS_DEFAULT_MATH), "cublasSetMathMode", device);
    slot = std::move(ctx);
  }
  return *slot;
}

FirstKey::FirstKey(int device, const char* what)
    : scratch_(sizeof(unsigned long long), device), device_(device), what_(what) {
  check(cudaMemsetAsync(key(), 0xff, sizeof(unsigned long long), context(device).stream),
        (std::string("cudaMemsetAsync(") + what + ")").c_str(), device);
}

unsigned long long FirstKey::read() const {
  const cudaStream_t stream = context(device_).stream;
  unsigned long long host = kNone;
  count_device_to_host(device_);
  check(cudaMemcpyAsync(&host, key(), sizeof host, cudaMemcpyDeviceToHost, stream),
        (std::string("cudaMemcpyAsync(") + what_ + ")").c_str(), device_);
  check(cudaStreamSynchronize(stream), (std::string("cudaStreamSynchronize(") + what_ + ")").c_str(), device_);
  return host;
}

}  // namespace keras::core::cuda
