// ctc.cu - the CUDA kernel of ctc_loss (launchers declared in gpu/kernels.h): the input
// checks as one kernel over (sample, slot) that leaves the first failing slot, in the
// CPU's order, in device memory (only that key and the failing value are read back), and
// the forward-backward of gpu/ctc.cuh with one block per sample, its threads over the
// extended-label states (and over the steps for the gradient rows), the recursions'
// rows in a workspace from the caching allocator.
#include <cstdint>
#include <type_traits>

#include "gpu/context.cuh"
#include "gpu/ctc.cuh"
#include "gpu/kernels.h"

namespace keras::core::cuda {
namespace {

__global__ void ctc_check_kernel(const int64_t* lab, const int64_t* ll, const int64_t* tl, int64_t total,
                                 int64_t max_label, int64_t steps, int64_t classes, int64_t blank,
                                 unsigned long long* first) {
  for (int64_t k = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; k < total; k += int64_t(gridDim.x) * blockDim.x) {
    const int64_t i = k / (max_label + 2), slot = k % (max_label + 2);
    if (kmath::ctc_input_bad(lab, ll, tl, i, slot, max_label, steps, classes, blank))
      atomicMin(first, static_cast<unsigned long long>(ctc_check_key(i, slot, max_label)));
  }
}

struct BlockSync {
  __device__ void operator()() const { __syncthreads(); }
};

constexpr unsigned kCtcThreads = 128;

template <class T>
__global__ void ctc_kernel(CtcArgs<T> a) {
  __shared__ double shared[2];
  ctc_sample(a, int64_t(blockIdx.x), int64_t(threadIdx.x), int64_t(blockDim.x), shared, BlockSync{});
}

}  // namespace

CtcBadInput ctc_check(const int64_t* labels, const int64_t* ll, const int64_t* tl, int64_t batch, int64_t max_label,
                      int64_t steps, int64_t classes, int64_t blank, int device) {
  CtcBadInput bad;
  const int64_t total = batch * (max_label + 2);
  if (total == 0) return bad;
  DeviceGuard guard(device);
  const DeviceContext& ctx = context(device);
  const FirstKey first(device, "ctc_loss check");
  ctc_check_kernel<<<grid_for(total), kBlock, 0, ctx.stream>>>(labels, ll, tl, total, max_label, steps, classes,
                                                               blank, first.key());
  check_launch("ctc_loss (input check)", device);
  const unsigned long long key = first.read();
  if (key == FirstKey::kNone) return bad;
  bad.sample = int64_t(key / uint64_t(max_label + 2));
  bad.slot = int64_t(key % uint64_t(max_label + 2));
  const int64_t* src = bad.slot == 0 ? ll : (bad.slot == 1 ? tl : labels);
  count_device_to_host(device);
  check(cudaMemcpy(&bad.value, src + kmath::ctc_input_offset(bad.sample, bad.slot, max_label), sizeof(int64_t),
                   cudaMemcpyDeviceToHost),
        "cudaMemcpy(ctc_loss check value)", device);
  return bad;
}

void ctc_loss(Dt dt, int mode, const int64_t* labels, const void* x, const void* v, const int64_t* ll,
              const int64_t* tl, void* out, int64_t batch, int64_t steps, int64_t classes, int64_t max_label,
              int64_t blank, int device) {
  if (batch == 0) return;
  DeviceGuard guard(device);
  const DeviceContext& ctx = context(device);
  const size_t out_bytes = size_t(mode == 0 ? batch : batch * steps * classes) * (dt == Dt::f32 ? 4 : 8);
  if (mode != 0) check(cudaMemsetAsync(out, 0, out_bytes, ctx.stream), "cudaMemsetAsync(ctc_loss)", device);
  const int64_t s_max = 2 * max_label + 1, rows = batch * steps * s_max;
  const int arrays = mode == 0 ? 1 : (mode == 1 ? 2 : 4);
  DeviceScratch work(size_t(rows) * size_t(arrays) * sizeof(double), device);
  double* w = work.as<double>();
  by_dt(dt, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>) {
      CtcArgs<T> a;
      a.labels = labels;
      a.x = static_cast<const T*>(x);
      a.v = static_cast<const T*>(v);
      a.ll = ll;
      a.tl = tl;
      a.out = static_cast<T*>(out);
      a.alpha = w;
      a.beta = arrays > 1 ? w + rows : nullptr;
      a.A = arrays > 2 ? w + 2 * rows : nullptr;
      a.B = arrays > 2 ? w + 3 * rows : nullptr;
      a.steps = steps;
      a.classes = classes;
      a.max_label = max_label;
      a.blank = blank;
      a.s_max = s_max;
      a.mode = mode;
      ctc_kernel<T><<<unsigned(batch), kCtcThreads, 0, ctx.stream>>>(a);
    }
  });
  check_launch("ctc_loss", device);
}

}  // namespace keras::core::cuda
