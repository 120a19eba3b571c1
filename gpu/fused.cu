// fused.cu - the CUDA kernels of the fused ops (launchers declared in gpu/fused_kernels.h):
// FusedMatMul's epilogue after the cuBLAS product, FusedElementwise's program
// interpreter, and CheckElements' range check.
//
// Arithmetic goes through the round-to-nearest intrinsics (__fadd_rn, __dmul_rn, ...),
// which nvcc never contracts into a fused multiply-add: a product followed by a sum in one
// thread is rounded twice, as when the unfused kernels run one after the other, so fused
// and unfused results are the same bits. The transcendental functions are those of
// gpu/elementwise.cu (exp, log, sin, cos, tanh of CUDA's math library; sqrt and division
// IEEE-rounded, nvcc's defaults).
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "gpu/context.cuh"
#include "gpu/fused_kernels.h"

namespace keras::core::cuda {
namespace {

__device__ inline float add_rn(float x, float y) { return __fadd_rn(x, y); }
__device__ inline double add_rn(double x, double y) { return __dadd_rn(x, y); }
__device__ inline float sub_rn(float x, float y) { return __fsub_rn(x, y); }
__device__ inline double sub_rn(double x, double y) { return __dsub_rn(x, y); }
__device__ inline float mul_rn(float x, float y) { return __fmul_rn(x, y); }
__device__ inline double mul_rn(double x, double y) { return __dmul_rn(x, y); }
__device__ inline float div_rn(float x, float y) { return __fdiv_rn(x, y); }
__device__ inline double div_rn(double x, double y) { return __ddiv_rn(x, y); }

// ---- FusedMatMul's epilogue ---------------------------------------------------------------
template <class T>
__global__ void bias_relu_kernel(T* y, int64_t total, int64_t n, const T* bias, bool relu) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < total; i += int64_t(gridDim.x) * blockDim.x) {
    T v = y[i];
    if (bias) v = add_rn(v, bias[i % n]);
    if (relu) v = v <= T(0) ? T(0) : v;  // NaN takes the branch that keeps it
    y[i] = v;
  }
}

// ---- FusedElementwise ---------------------------------------------------------------------
template <class T>
__device__ T apply(FOp op, T x, T y) {
  switch (op) {
    case FOp::Neg: return -x;
    case FOp::Abs: return x < T(0) ? -x : x;
    case FOp::Square: return mul_rn(x, x);
    case FOp::Relu: return x <= T(0) ? T(0) : x;
    case FOp::Exp: return exp(x);
    case FOp::Log: return log(x);
    case FOp::Sqrt: return sqrt(x);
    case FOp::Reciprocal: return div_rn(T(1), x);
    case FOp::Sin: return sin(x);
    case FOp::Cos: return cos(x);
    case FOp::Tanh: return tanh(x);
    case FOp::Sign: return x > T(0) ? T(1) : x < T(0) ? T(-1) : x == x ? T(0) : x;  // NaN stays
    case FOp::Add: return add_rn(x, y);
    case FOp::Sub: return sub_rn(x, y);
    case FOp::Mul: return mul_rn(x, y);
    case FOp::Div: return div_rn(x, y);
    case FOp::SquaredDifference: {
      const T d = sub_rn(x, y);
      return mul_rn(d, d);
    }
    case FOp::Greater: return x > y ? T(1) : T(0);
    case FOp::GreaterEqual: return x >= y ? T(1) : T(0);
    case FOp::Less: return x < y ? T(1) : T(0);
    case FOp::LessEqual: return x <= y ? T(1) : T(0);
    case FOp::Equal: return x == y ? T(1) : T(0);
    case FOp::NotEqual: return x != y ? T(1) : T(0);
    case FOp::Copy: return x;  // the cast after a comparison: already 0 / 1
  }
  return x;
}

template <class T>
__global__ void fused_kernel(FusedProgram p, T* out, int64_t n) {
  constexpr int kRegs = FusedProgram::kMaxInputs + FusedProgram::kMaxCode;
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    T reg[kRegs];
    for (int k = 0; k < p.num_inputs; ++k) {
      const int64_t per = p.period[k];
      reg[k] = static_cast<const T*>(p.in[k])[per == n ? i : i % per];
    }
    for (int k = 0; k < p.num_code; ++k) reg[p.num_inputs + k] = apply(p.op[k], reg[p.a[k]], reg[p.b[k]]);
    out[i] = reg[p.num_inputs + p.num_code - 1];
  }
}

// ---- CheckElements ------------------------------------------------------------------------
template <class T>
__global__ void range_check_kernel(const T* x, int64_t n, RangeSpec r, unsigned long long* first) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    const double v = double(x[i]);
    const bool ok = (!r.whole || v == floor(v)) && ((r.has_ignore && v == r.ignore) || (v >= r.lo && v < r.hi));
    if (!ok) atomicMin(first, static_cast<unsigned long long>(i));
  }
}

size_t elem_bytes(Dt dt) {
  switch (dt) {
    case Dt::f64: case Dt::i64: return 8;
    case Dt::f32: case Dt::i32: return 4;
    default: return 1;
  }
}

// One element's bytes read on the host: as a double (the CPU kernel's cast to float64)
// and, for integers, exactly.
void read_value(Dt dt, const unsigned char* b, RangeFailure& f) {
  by_dt(dt, [&](auto t) {
    using T = decltype(t);
    T e;
    std::memcpy(&e, b, sizeof e);
    f.value = double(e);
    if constexpr (std::is_integral_v<T>) f.int_value = int64_t(e);
  });
}

}  // namespace

void bias_relu(Dt dt, void* y, int64_t m, int64_t n, const void* bias, bool relu, int device) {
  const int64_t total = m * n;
  if (total == 0 || (!bias && !relu)) return;
  DeviceGuard guard(device);
  const DeviceContext& ctx = context(device);
  if (dt == Dt::f32)
    bias_relu_kernel<float><<<grid_for(total), kBlock, 0, ctx.stream>>>(static_cast<float*>(y), total, n,
                                                                        static_cast<const float*>(bias), relu);
  else
    bias_relu_kernel<double><<<grid_for(total), kBlock, 0, ctx.stream>>>(static_cast<double*>(y), total, n,
                                                                         static_cast<const double*>(bias), relu);
  check_launch("fused_matmul (bias, relu)", device);
}

void fused_elementwise(Dt dt, const FusedProgram& p, void* out, int64_t n, int device) {
  if (n == 0) return;
  if (p.num_code < 1 || p.num_code > FusedProgram::kMaxCode || p.num_inputs > FusedProgram::kMaxInputs)
    throw CudaError("fused_elementwise: a program of " + std::to_string(p.num_code) + " instructions and " +
                    std::to_string(p.num_inputs) + " inputs exceeds the CUDA kernel's limits");
  DeviceGuard guard(device);
  const DeviceContext& ctx = context(device);
  if (dt == Dt::f32)
    fused_kernel<float><<<grid_for(n), kBlock, 0, ctx.stream>>>(p, static_cast<float*>(out), n);
  else
    fused_kernel<double><<<grid_for(n), kBlock, 0, ctx.stream>>>(p, static_cast<double*>(out), n);
  check_launch("fused_elementwise", device);
}

RangeFailure range_check(Dt dt, const void* x, int64_t n, const RangeSpec& r, int device) {
  RangeFailure failure;
  if (n == 0) return failure;
  DeviceGuard guard(device);
  const DeviceContext& ctx = context(device);
  const FirstKey first(device, "check_elements");
  by_dt(dt, [&](auto t) {
    using T = decltype(t);
    range_check_kernel<T><<<grid_for(n), kBlock, 0, ctx.stream>>>(static_cast<const T*>(x), n, r, first.key());
  });
  check_launch("check_elements", device);
  const unsigned long long host = first.read();
  if (host == FirstKey::kNone) return failure;
  unsigned char b[8] = {};
  const size_t eb = elem_bytes(dt);
  count_device_to_host(device);
  check(cudaMemcpy(b, static_cast<const unsigned char*>(x) + host * eb, eb, cudaMemcpyDeviceToHost),
        "cudaMemcpy(check_elements value)", device);
  failure.index = int64_t(host);
  read_value(dt, b, failure);
  return failure;
}

}  // namespace keras::core::cuda
