// fused_kernels.h - (engine-internal) the launchers of the CUDA fused kernels, in plain
// C++ (gpu/fused.cu behind them, gpu/register_fused.cpp the glue to core's kernel
// tables): FusedMatMul's bias + relu epilogue, FusedElementwise's program interpreter and
// CheckElements' range check. Every launch runs on the device's stream (gpu/context.cuh)
// and throws core::cuda::CudaError when CUDA reports a failure.
#pragma once
#include <cstdint>

#include "gpu/kernels.h"

namespace keras::core::cuda {

/// y (m, n), row-major, float32/float64: y[i, j] += bias[j] when bias is not null, then
/// relu (NaN stays NaN) when `relu`; the add and relu kernels' formulas (no contraction
/// with the product before it), so a fused result equals the unfused ops'.
void bias_relu(Dt dt, void* y, int64_t m, int64_t n, const void* bias, bool relu, int device);

/// FusedMatMul's y (m, n) = op(a) op(b) [+ bias] [relu] (row-major, float32/float64) on
/// cuBLASLt with the bias and relu as the GEMM's epilogue (gpu/cublaslt.cu; TF32 inputs
/// when core::tensor_float_32_execution_enabled()). False, with y untouched, where
/// cuBLASLt is not there or off, has no algorithm for the case, or there is no epilogue:
/// the caller then runs matmul() and bias_relu().
bool lt_fused_matmul(Dt dt, const void* a, const void* b, void* y, int64_t m, int64_t n, int64_t k, bool ta, bool tb,
                     const void* bias, bool relu, int device);

/// The instructions FusedElementwise's program (core/fusion.h) is made of: core's unary
/// and binary ops the fusion pass takes, and the cast after a comparison (a copy).
enum class FOp : int8_t {
  Neg, Abs, Square, Relu, Exp, Log, Sqrt, Reciprocal, Sin, Cos, Tanh, Sign,
  Add, Sub, Mul, Div, SquaredDifference,
  Greater, GreaterEqual, Less, LessEqual, Equal, NotEqual,
  Copy
};

/// A fused program as the kernel takes it (by value): registers 0..num_inputs-1 hold the
/// inputs, instruction k writes register num_inputs + k, the last one is the result.
/// Input i has `period[i]` elements and is read at (output index) % period[i]: the whole
/// output, one element, or a row of the output's trailing dimensions (the broadcasts the
/// pass admits).
struct FusedProgram {
  static constexpr int kMaxInputs = 8, kMaxCode = 24;
  int num_inputs = 0, num_code = 0;
  const void* in[kMaxInputs] = {};
  int64_t period[kMaxInputs] = {};
  FOp op[kMaxCode] = {};
  int8_t a[kMaxCode] = {}, b[kMaxCode] = {};  ///< argument registers (b unused by unary ops)
};

/// out[i] = the program's result at element i < n, float32/float64, one thread per
/// element (grid-stride), arithmetic rounded per instruction as the unfused kernels.
void fused_elementwise(Dt dt, const FusedProgram& p, void* out, int64_t n, int device);

/// The accepted values of a range check: lo <= v < hi, or v == ignore when has_ignore;
/// and v a whole number when `whole` (NaN is never accepted).
struct RangeSpec {
  double lo = 0, hi = 0;
  bool whole = false, has_ignore = false;
  double ignore = 0;
};

/// The first element a range check refused: its flat index (-1: none) and its value, as a
/// double and, for integer dtypes, exactly.
struct RangeFailure {
  int64_t index = -1;
  double value = 0;
  int64_t int_value = 0;
};

/// Checks x (n elements of dt, each read as a double as the CPU kernel's cast does) on
/// the device and returns the first element (row-major) outside `r`. Reads back 8 bytes
/// (16 on a failure): the call waits for the kernels queued before it, but x itself never
/// leaves the device.
RangeFailure range_check(Dt dt, const void* x, int64_t n, const RangeSpec& r, int device);

}  // namespace keras::core::cuda
