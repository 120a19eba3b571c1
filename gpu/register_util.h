// register_util.h - (CUDA backend, host code) what gpu/register*.cpp share: the kernels'
// element type of a dtype, the device of an op call, the dtype check that raises "no
// kernel for device GPU:i and dtype d", and registration with the declared dtypes.
#pragma once
#include <initializer_list>
#include <string>
#include <vector>

#include "core/dispatch.h"
#include "gpu/kernels.h"

namespace keras::core::cuda {

/// The kernels' element type of `d` (throws for complex and string: no CUDA kernel).
Dt dt_of(DType d);
/// The CUDA device index the call runs on (its first input's, or attrs.device).
int device_of(const OpCall& c);
/// "GPU:<index>" of the call's device.
std::string device_str(const OpCall& c);
/// Raises "<op>: no kernel for device GPU:i and dtype d" unless the op's CUDA kernel takes `d`.
void require(const OpCall& c, DType d);
/// The dtype sets the kernels declare (add_kernel): floating; floating and signed
/// integers; numeric; the integers; every dtype of the CUDA backend.
inline const std::initializer_list<DType> kFloatTypes = {DType::float32, DType::float64};
inline const std::initializer_list<DType> kSignedTypes = {DType::float32, DType::float64, DType::int32, DType::int64};
inline const std::initializer_list<DType> kNumericTypes = {DType::float32, DType::float64, DType::int32, DType::int64,
                                                           DType::uint8};
inline const std::initializer_list<DType> kIntegerTypes = {DType::int32, DType::int64, DType::uint8};
inline const std::initializer_list<DType> kAllTypes = {DType::float32, DType::float64, DType::int32, DType::int64,
                                                       DType::uint8, DType::bool_};
/// Registers `fn` as op's CUDA kernel, taking exactly `dtypes`.
void add_kernel(OpId op, KernelFn fn, std::initializer_list<DType> dtypes);
/// A shape seen as (outer, n, inner) around `axis` (negative counts from the end).
struct AxisSplit {
  int64_t outer = 1, n = 1, inner = 1;
};
AxisSplit split_axis(const Shape& s, int64_t axis);
/// Raises "<op>: no kernel for device GPU:i for rank r (at most 8)" when s is beyond kMaxRank.
void require_rank(const OpCall& c, const Shape& s);
/// The broadcast layout of the output shape `out` and the inputs `ins` (rank checked).
Strided strided(const OpCall& c, const Shape& out, std::initializer_list<const Tensor*> ins);
/// The reduction layout of a sum/mean/max/min/prod call over attrs.axes (rank checked).
Reduction reduction_of(const OpCall& c);
/// matmul's geometry: op(A) (m, k) times op(B) (k, n) for each of `batch` output matrices,
/// at element offsets a_off[b], b_off[b] (broadcast batch axes repeat an offset).
struct MatmulLayout {
  int64_t m = 0, n = 0, k = 0, batch = 1;
  std::vector<int64_t> a_off, b_off;
};
MatmulLayout matmul_layout(const OpCall& c);
/// The data-movement and neural-network kernels (gpu/register_shape.cpp).
void register_shape_kernels();
/// size and the random-number kernels (gpu/register_creation.cpp).
void register_creation_kernels();
/// Convolution and pooling (gpu/register_window.cpp).
void register_window_kernels();
/// The fused batch-normalization ops (gpu/register_batch_norm.cpp).
void register_batch_norm_kernels();
/// fused_attention, fused_attention_grad and einsum_matmul (gpu/register_attention.cpp).
void register_attention_kernels();
/// The fused recurrent ops on cuDNN and their reserve size rule (gpu/register_rnn.cpp).
void register_rnn_kernels();
/// The elementwise math, bitwise, scan, range/linspace/eye, searchsorted and segment
/// max/min/prod kernels (gpu/register_math.cpp).
void register_math_kernels();
/// FusedMatMul, FusedElementwise and CheckElements (gpu/register_fused.cpp).
void register_fused_kernels();
/// The complex kernels (complex64/complex128 forms of the elementwise ops and cast; real,
/// imag, angle, complex) and fft on cuFFT (gpu/register_complex.cpp).
void register_complex_kernels();
/// The linear-algebra kernels on cuSOLVER and cuBLAS (gpu/register_linalg.cpp).
void register_linalg_kernels();
/// The optimizer updates: Adam, SGD, weight decay and the fused rules (gpu/register_training.cpp).
void register_training_kernels();
/// The first element (row-major) of an integer index tensor outside [lo, hi): its flat
/// index (-1: none) and value. Checked by a kernel on the call's device; only that index
/// and value are read back (gpu/register_fused.cpp).
struct OutOfRange {
  int64_t flat = -1, value = 0;
};
OutOfRange first_outside(const OpCall& c, const Tensor& indices, int64_t lo, int64_t hi);

}  // namespace keras::core::cuda
