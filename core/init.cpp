#include "core/init.h"

#include "core/cuda_backend.h"

#include <mutex>


namespace keras::core {

void ensure_initialized() {
  static std::once_flag once;
  std::call_once(once, [] {
    define_unary_ops();
    define_binary_ops();
    define_reduce_ops();
    define_matmul_ops();
    define_einsum_matmul_ops();
    define_shape_ops();
    define_sort_ops();
    define_nn_ops();
    define_ctc_ops();
    define_creation_ops();
    define_variable_ops();
    define_training_ops();
    define_control_flow_ops();
    define_composite_op();
    define_fused_ops();
    define_conv_ops();
    define_fused_matmul_ops();
    define_fused_conv_ops();
    define_batch_norm_ops();
    define_layer_norm_ops();
    define_attention_ops();
    define_rnn_ops();
    define_linalg_ops();
    define_complex_ops();
    define_math_unary_ops();
    define_math_binary_ops();
    define_scan_ops();
    define_segment_ops();
    define_search_ops();
    define_remat_ops();
    define_arities();
    register_cpu_kernels();
    cuda::register_kernels();  // none without CUDA (core/no_cuda.cpp)
  });
}

void register_cpu_kernels() {
  register_cpu_unary_kernels();
  register_cpu_cast_kernel();
  register_cpu_binary_kernels();
  register_cpu_reduce_kernels();
  register_cpu_matmul_kernels();
  register_cpu_shape_kernels();
  register_cpu_index_kernels();
  register_cpu_sort_kernels();
  register_cpu_nn_kernels();
  register_cpu_ctc_kernels();
  register_cpu_creation_kernels();
  register_cpu_training_kernels();
  register_cpu_fused_kernels();
  register_cpu_conv_kernels();
  register_cpu_pool_kernels();
  register_cpu_batch_norm_kernels();
  register_cpu_layer_norm_kernels();
  register_cpu_attention_kernels();
  register_cpu_flash_attention_kernels();
  register_cpu_rnn_kernels();
  register_cpu_linalg_solve_kernels();
  register_cpu_linalg_decomp_kernels();
  register_cpu_complex_kernels();
  register_cpu_math_kernels();
  register_cpu_scan_kernels();
  register_cpu_segment_kernels();
  register_cpu_search_kernels();
}

}  // namespace keras::core
