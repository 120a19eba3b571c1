// complex_util.h - (engine-internal) what the complex, FFT and eig files share.
#pragma once
#include "core/dispatch.h"

namespace keras::core {
// Checks of the complex forms of elementwise ops (core/ops/complex.cpp): abs of complex64
// is float32; binary ops take two complex tensors of one dtype; unary ones keep it.
void infer_complex_abs(OpCall& c);
InferFn complex_binary_infer();
InferFn complex_unary_infer();
// matmul's checks and shape rule for complex64/complex128 operands (core/ops/matmul.cpp).
void infer_complex_matmul(OpCall& c);
// sum, mean and prod's checks and shape rule for complex64/complex128 (core/ops/reduce.cpp).
void infer_complex_reduce(OpCall& c);
void define_fft_ops();              // core/ops/fft.cpp
void define_eig_ops();              // core/ops/eig.cpp
namespace cpu {
void register_complex_elementwise_kernels();  // core/cpu/complex.cpp
void register_fft_kernels();                  // core/cpu/fft.cpp
void register_eig_kernels();                  // core/cpu/eig.cpp
}  // namespace cpu
}  // namespace keras::core
