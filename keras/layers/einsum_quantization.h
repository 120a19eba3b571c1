// einsum_quantization.h - EinsumDense's int8 quantization (internal): Keras's
// _analyze_quantization_info, which says over which axes the inputs and the kernel are
// quantized and how their scales are laid out to broadcast over the output, and the int8
// einsum with its input gradient.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "core/tensor.h"

namespace keras::layers::detail {

/// What Keras's _analyze_quantization_info returns for an equation without an ellipsis.
struct EinsumQuantization {
  ///@{
  /// The axes each operand's abs-max reduces (those the output lacks).
  std::vector<int64_t> input_reduced, kernel_reduced;
  ///@}
  ///@{
  /// How a scale (reduced axes kept) is laid out over the output: transposed, then axes
  /// inserted, then axes squeezed.
  std::vector<int64_t> input_transpose, kernel_transpose, input_expand, kernel_expand, input_squeeze, kernel_squeeze;
  ///@}
  /// "output,weight->input": the inputs' gradient from the upstream one.
  std::string gradient_equation;
};

/// Keras's int4 layout: the kernel reshaped (as laid out, no transpose) to (rows,
/// columns), rows the product of the `reduced` (contracted) axes' sizes and columns of
/// the others'.
std::pair<int64_t, int64_t> int4_matrix(const std::vector<int64_t>& kernel_shape, const std::vector<int64_t>& reduced);

/// core::NotImplementedError naming the layer and `mode` for an equation with an ellipsis
/// (Keras quantizes EinsumDense to int8 and int4 only with [X],[Y]->[Z] equations).
void check_no_ellipsis(const std::string& layer, const std::string& equation, const std::string& mode);

/// Keras's analysis of `equation`; std::invalid_argument naming `layer` for an equation
/// with an ellipsis.
EinsumQuantization analyze_einsum_quantization(const std::string& equation, const std::string& layer);

/// A scale laid out as Keras's _adjust_scale_for_quant (transpose, expand, squeeze).
core::Tensor scale_for_quant(const core::Tensor& scale, const std::vector<int64_t>& transpose,
                             const std::vector<int64_t>& expand, const std::vector<int64_t>& squeeze);
/// The kernel scale laid out back over the kernel (Keras's _adjust_scale_for_dequant).
core::Tensor kernel_scale_for_dequant(const core::Tensor& scale, const EinsumQuantization& q);

/// Keras's _int8_call of EinsumDense: the inputs quantized over q.input_reduced, the einsum
/// of the int8 operands in int32, de-scaled; the inputs' gradient through the dequantized
/// kernel.
core::Tensor einsum_int8(const std::string& equation, const EinsumQuantization& q, const core::Tensor& x,
                         const core::Tensor& kernel, const core::Tensor& kernel_scale, core::DType compute);

}  // namespace keras::layers::detail
