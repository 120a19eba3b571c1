// init.h - (engine-internal) the one init path: defines every op and registers the
// kernels of every available device (DESIGN.md rule 4). Runs once, on first use.
#pragma once

namespace keras::core {
void ensure_initialized();

// Each op family's definitions (core/ops/*.cpp).
void define_unary_ops();
void define_binary_ops();
void define_reduce_ops();
void define_matmul_ops();
void define_einsum_matmul_ops();  // core/ops/einsum_matmul.cpp
void define_shape_ops();
void define_sort_ops();
void define_nn_ops();
void define_ctc_ops();
void define_creation_ops();
void define_variable_ops();
void define_training_ops();
void define_control_flow_ops();
void define_composite_op();  // core/composite.cpp
void define_fused_ops();
void define_conv_ops();
void define_fused_matmul_ops();
void define_fused_conv_ops();
void define_batch_norm_ops();  // core/ops/batch_norm.cpp
void define_layer_norm_ops();  // core/ops/layer_norm.cpp
void define_attention_ops();   // core/ops/attention.cpp
void define_rnn_ops();  // core/ops/rnn.cpp
void define_arities();

// The CPU kernels of each family (core/cpu/*.cpp). CUDA kernels register here too
// once gpu/ has them.
void register_cpu_unary_kernels();
void register_cpu_cast_kernel();
void register_cpu_binary_kernels();
void register_cpu_reduce_kernels();
void register_cpu_matmul_kernels();
void register_cpu_shape_kernels();
void register_cpu_index_kernels();  // gather, take_along_axis, segment sum
void register_cpu_sort_kernels();
void register_cpu_nn_kernels();
void register_cpu_ctc_kernels();
void register_cpu_creation_kernels();
void register_cpu_training_kernels();
void register_cpu_fused_kernels();
void register_cpu_conv_kernels();
void register_cpu_pool_kernels();
void register_cpu_batch_norm_kernels();  // core/cpu/batch_norm.cpp
void register_cpu_layer_norm_kernels();  // core/cpu/layer_norm.cpp
void register_cpu_attention_kernels();   // core/cpu/attention.cpp
void register_cpu_flash_attention_kernels();  // core/cpu/flash_attention.cpp
void register_cpu_rnn_kernels();  // core/cpu/rnn.cpp
void register_cpu_kernels();
// linear algebra (core/ops/linalg.cpp, core/cpu/linalg_*.cpp)
void define_linalg_ops();
void register_cpu_linalg_solve_kernels();
void register_cpu_linalg_decomp_kernels();
// complex dtypes, FFT, eig (core/ops/complex.cpp, fft.cpp, eig.cpp; core/cpu/complex.cpp,
// fft.cpp, eig.cpp)
void define_complex_ops();
void register_cpu_complex_kernels();
// elementwise math of keras.ops (core/ops/math_*.cpp, core/cpu/math.cpp)
void define_math_unary_ops();
void define_math_binary_ops();
void register_cpu_math_kernels();
// keras.ops reductions, scans and segment ops (core/ops/scan.cpp, core/ops/segment.cpp)
void define_scan_ops();
void define_segment_ops();
void register_cpu_scan_kernels();
void register_cpu_segment_kernels();
void define_search_ops();
void define_remat_ops();  // core/remat.cpp
void register_cpu_search_kernels();
}  // namespace keras::core
