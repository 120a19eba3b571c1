// Device plumbing: discovery, copies and the caching allocator. Tests that need a GPU
// report skipped on machines without one.
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "core/cuda_backend.h"
#include "core/gpu_memory.h"
#include "core/tensor_impl.h"
#include "helpers.h"
#include "keras/keras.h"
#include "skips.h"

using namespace th;
using core::Device;

namespace {
// The skip condition of the tests that need a GPU ("gpu" in $KERAS_CPP_REQUIRE: they run).
bool no_gpu() { return th::skip_without("gpu", core::cuda_device_count() > 0); }

std::string bytes_of(const Tensor& t) {
  Tensor h = t.cpu();
  const char* p = static_cast<const char*>(h.raw_data());
  return std::string(p, p + h.nbytes());
}

Tensor sample(DType dt, int64_t n) {
  auto v = uniform(n, -100, 100, 11);
  for (auto& x : v) {
    if (dt == DType::uint8) x = std::fabs(x);
    if (dt == DType::bool_) x = x > 0;
  }
  return make(v, Shape{n}, dt);
}
}  // namespace

TEST_CASE("device: the CUDA device count is never negative") {
  int n = core::cuda_device_count();
  CHECK(n >= 0);
  CHECK(n == core::cuda::device_count());
  if (!core::cuda::built_with_cuda()) CHECK(n == 0);
  MESSAGE("CUDA build: " << core::cuda::built_with_cuda() << ", devices: " << n);
}

// cuBLAS is loaded at a device's first use (gpu/cublas.cu), cuFFT at the first GPU
// transform (gpu/cufft.cu), not linked: a process that computes on the CPU only never
// maps them (libcublasLt alone costs ~60 MB resident, libcufft ~280 MB of file).
TEST_CASE("device: CPU work does not load cuBLAS or cuFFT" * doctest::skip(core::cuda_device_count() > 0)) {
  Tensor a = ops::reshape(core::constant({1.0f, 2.0f, 3.0f, 4.0f}), {2, 2});
  CHECK(ops::matmul(a, a).to_vector<float>() == std::vector<float>{7, 10, 15, 22});
  CHECK(ops::fft(ops::ComplexPair{a, a}).real.to_vector<float>() == std::vector<float>{3, -1, 7, -1});
  std::ifstream maps("/proc/self/maps");
  REQUIRE(maps.good());
  std::string line;
  bool cublas = false, cufft = false;
  while (std::getline(maps, line)) {
    cublas = cublas || line.find("libcublas") != std::string::npos;
    cufft = cufft || line.find("libcufft") != std::string::npos;
  }
  CHECK_FALSE(cublas);
  CHECK_FALSE(cufft);
}

TEST_CASE("device: moving to a GPU that does not exist names the device and the count") {
  int n = core::cuda_device_count();
  Tensor t = core::constant({1.0f, 2.0f});
  // Built with append: g++ 12 gives a false -Wrestrict for "(" + std::to_string(n).
  std::string missing = "device GPU:", count = "(";
  missing.append(std::to_string(n)).append(" does not exist");
  count.append(std::to_string(n)).append(" CUDA devices visible");
  CHECK_THROWS_MSG(t.to(Device::cuda(n)), std::invalid_argument, missing.c_str());
  CHECK_THROWS_MSG(t.to(Device::cuda(n)), std::invalid_argument, count.c_str());
  CHECK_THROWS_MSG(t.to(Device::cuda(-1)), std::invalid_argument, "GPU:-1 does not exist");
  // The CUDA backend's own entry points check the index too.
  CHECK_THROWS_AS(core::cuda::allocate(256, n), core::cuda::CudaError);
}

TEST_CASE("device: a build without CUDA says so when asked for a GPU" *
          doctest::skip(core::cuda::built_with_cuda())) {
  Tensor t = core::constant({1.0f, 2.0f});
  CHECK_THROWS_MSG(t.to(Device::cuda(0)), std::invalid_argument, "GPU:0");
  CHECK_THROWS_MSG(t.to(Device::cuda(0)), std::invalid_argument, "no CUDA support");
  CHECK_THROWS_MSG(core::cuda::allocate(256, 0), core::cuda::CudaError, "no CUDA support");
}

TEST_CASE("device: host -> GPU -> host round trip, every dtype, sizes 0, 1 and 1M" *
          doctest::skip(no_gpu())) {
  for (DType dt : {DType::float32, DType::float64, DType::int32, DType::int64, DType::uint8,
                   DType::bool_})
    for (int64_t n : {int64_t{0}, int64_t{1}, int64_t{1} << 20}) {
      CAPTURE(core::dtype_name(dt));
      CAPTURE(n);
      Tensor h = sample(dt, n);
      Tensor g = h.to(Device::cuda(0));
      CHECK(g.device() == Device::cuda(0));
      CHECK(g.dtype() == dt);
      CHECK(g.shape() == h.shape());
      Tensor back = g.cpu();
      CHECK(back.device() == Device::cpu());
      CHECK(bytes_of(back) == bytes_of(h));
      CHECK(g.to(Device::cuda(0)).impl() == g.impl());  // same device: no copy
    }
  // Shapes survive, including scalars.
  Tensor s = core::constant(3.5).to(Device::cuda(0));
  CHECK(s.shape() == Shape{});
  CHECK(s.item<double>() == 3.5);
  Tensor m = ops::reshape(core::constant({1, 2, 3, 4, 5, 6}), {2, 3}).to(Device::cuda(0));
  CHECK(m.to_vector<int32_t>() == std::vector<int32_t>{1, 2, 3, 4, 5, 6});
}

TEST_CASE("device: GPU -> GPU copies" * doctest::skip(no_gpu())) {
  const std::size_t n = 3 << 20;
  std::vector<unsigned char> src(n), dst(n, 0);
  for (std::size_t i = 0; i < n; ++i) src[i] = static_cast<unsigned char>(i * 7 + 1);
  void* a = core::cuda::allocate(n, 0);
  void* b = core::cuda::allocate(n, 0);
  core::cuda::copy_host_to_device(a, src.data(), n, 0);
  core::cuda::copy_device_to_device(b, 0, a, 0, n);
  core::cuda::copy_device_to_host(dst.data(), b, n, 0);
  CHECK(std::memcmp(src.data(), dst.data(), n) == 0);
  core::cuda::deallocate(a, n, 0);
  core::cuda::deallocate(b, n, 0);
  if (core::cuda_device_count() >= 2) {
    Tensor h = sample(DType::float32, 1000);
    Tensor g1 = h.to(Device::cuda(0)).to(Device::cuda(1));
    CHECK(g1.device() == Device::cuda(1));
    CHECK(bytes_of(g1) == bytes_of(h));
    CHECK(bytes_of(g1.to(Device::cuda(0))) == bytes_of(h));
  }
}

TEST_CASE("device: the caching allocator reuses freed blocks" * doctest::skip(no_gpu())) {
  void* p = core::cuda::allocate(1 << 20, 0);
  core::cuda::deallocate(p, 1 << 20, 0);
  void* q = core::cuda::allocate(1 << 20, 0);
  CHECK(q == p);
  core::cuda::deallocate(q, 1 << 20, 0);
  // Through tensors: a temporary's block serves the next tensor of the same size.
  const void* first;
  {
    Tensor t = core::empty(Shape{1000, 1000}, DType::float32, Device::cuda(0));
    first = t.raw_data();
  }
  Tensor u = core::empty(Shape{1000, 1000}, DType::float32, Device::cuda(0));
  CHECK(u.raw_data() == first);
  CHECK(core::cuda::allocate(0, 0) == nullptr);
}

TEST_CASE("device: the allocator is thread-safe" * doctest::skip(no_gpu())) {
  std::vector<std::thread> threads;
  std::vector<int> ok(8, 0);
  for (int k = 0; k < 8; ++k)
    threads.emplace_back([k, &ok] {
      std::vector<float> h(4096, static_cast<float>(k)), back(4096);
      for (int i = 0; i < 200; ++i) {
        std::size_t n = 4096 * sizeof(float);
        void* p = core::cuda::allocate(n, 0);
        core::cuda::copy_host_to_device(p, h.data(), n, 0);
        core::cuda::copy_device_to_host(back.data(), p, n, 0);
        core::cuda::deallocate(p, n, 0);
        if (back != h) return;
      }
      ok[static_cast<std::size_t>(k)] = 1;
    });
  for (auto& t : threads) t.join();
  CHECK(ok == std::vector<int>(8, 1));
}

TEST_CASE("device: CUDA errors name the call, the device and the reason" *
          doctest::skip(no_gpu())) {
  // More memory than any GPU has: cudaMalloc fails even after the cache is released.
  const std::size_t huge = std::size_t(1) << 52;
  CHECK_THROWS(core::cuda::allocate(huge, 0));  // std::bad_alloc, which core turns into:
  CHECK_THROWS_MSG(core::empty(Shape{int64_t(1) << 50}, DType::float32, Device::cuda(0)), core::OutOfMemoryError,
                   "(4503599627370496 bytes) on GPU:0; ");
  CHECK_THROWS_MSG(core::empty(Shape{int64_t(1) << 50}, DType::float32, Device::cuda(0)), core::OutOfMemoryError,
                   "bytes are held by live tensors on GPU:0");
  // The failure is not sticky: the device still works.
  Tensor h = sample(DType::int64, 100);
  CHECK(bytes_of(h.to(Device::cuda(0))) == bytes_of(h));
}

TEST_CASE("device: memory_stats names a GPU that does not exist") {
  const int n = core::cuda_device_count();
  const std::string missing = "GPU:" + std::to_string(n) + " does not exist";
  CHECK_THROWS_MSG(keras::gpu::memory_stats(n), std::invalid_argument, missing.c_str());
  CHECK_THROWS_MSG(keras::gpu::reset_peak_memory_stats(-1), std::invalid_argument, "GPU:-1 does not exist");
  CHECK_THROWS_MSG(keras::gpu::empty_cache(n), std::invalid_argument, missing.c_str());
}

TEST_CASE("device: memory_stats follows the caching allocator" * doctest::skip(no_gpu())) {
  keras::gpu::empty_cache(0);
  const keras::gpu::MemoryStats before = keras::gpu::memory_stats(0);
  CHECK(before.bytes_cached == 0);
  {
    Tensor t = core::empty(Shape{1 << 20}, DType::float32, Device::cuda(0));
    const keras::gpu::MemoryStats held = keras::gpu::memory_stats(0);
    CHECK(held.bytes_in_use >= before.bytes_in_use + (4u << 20));
    CHECK(held.peak_bytes_in_use >= held.bytes_in_use);
  }
  const keras::gpu::MemoryStats freed = keras::gpu::memory_stats(0);
  CHECK(freed.bytes_in_use == before.bytes_in_use);
  CHECK(freed.bytes_cached >= (4u << 20));
  keras::gpu::reset_peak_memory_stats(0);
  CHECK(keras::gpu::memory_stats(0).peak_bytes_in_use == freed.bytes_in_use);
  // The freed block serves the next tensor of its size: no new device allocation.
  { Tensor u = core::empty(Shape{1 << 20}, DType::float32, Device::cuda(0)); }
  CHECK(keras::gpu::memory_stats(0).device_allocations == freed.device_allocations);
  keras::gpu::empty_cache(0);
  CHECK(keras::gpu::memory_stats(0).bytes_cached == 0);
}

TEST_CASE("device: memory does not grow over a 100-epoch fit on the GPU" * doctest::skip(no_gpu())) {
  keras::DeviceScope scope(Device::cuda(0));
  auto m = keras::Sequential({keras::layers::Dense(16, {.activation = "relu", .input_shape = {8}}),
                              keras::layers::Dense(1)});
  m->compile({.optimizer = keras::optimizers::get("adam"), .loss = "mse"});
  Tensor x = ops::random_uniform({64, 8}).cpu(), y = ops::random_uniform({64, 1}).cpu();
  m->fit(x, y, {.batch_size = 16, .epochs = 2, .verbose = 0});
  const keras::gpu::MemoryStats warm = keras::gpu::memory_stats(0);
  m->fit(x, y, {.batch_size = 16, .epochs = 100, .verbose = 0});
  const keras::gpu::MemoryStats after = keras::gpu::memory_stats(0);
  CHECK(after.device_allocations == warm.device_allocations);
  CHECK(after.bytes_in_use + after.bytes_cached == warm.bytes_in_use + warm.bytes_cached);
}
