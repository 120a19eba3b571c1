// symbolic_ops.h - keras::ops and arithmetic on KerasTensors, recorded as operation nodes of
// the functional graph (as keras.ops and Python's operators do on Keras 3's KerasTensors):
//
//   KerasTensor x = keras::Input({8});
//   KerasTensor h = keras::layers::Dense(8)(x);
//   KerasTensor y = keras::ops::relu(h + 3.0) * (1.0 / 6.0);   // Add, Relu, Multiply nodes
//   auto model = keras::Functional({x}, {keras::ops::concatenate({x, y}, -1)});
//
// Each call makes one node (an OperationLayer, keras/layers/operation.h) named as Keras
// names it ("add", "relu_1"); a model holding them saves and loads in both file formats.
// Numbers combine with tensors as Python numbers do in Keras (3.0 with an int32 tensor
// gives float32, 2 with a float32 tensor float32).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/ops.h"
#include "keras/layers/operation.h"

namespace keras::layers {

///@{
/// Elementwise arithmetic and comparisons (Add, Subtract, Multiply, TrueDivide, Negative,
/// Greater, GreaterEqual, Less, LessEqual).
KerasTensor operator+(const KerasTensor& a, const KerasTensor& b);
KerasTensor operator+(const KerasTensor& a, double b);
KerasTensor operator+(double a, const KerasTensor& b);
KerasTensor operator-(const KerasTensor& a, const KerasTensor& b);
KerasTensor operator-(const KerasTensor& a, double b);
KerasTensor operator-(double a, const KerasTensor& b);
KerasTensor operator*(const KerasTensor& a, const KerasTensor& b);
KerasTensor operator*(const KerasTensor& a, double b);
KerasTensor operator*(double a, const KerasTensor& b);
KerasTensor operator/(const KerasTensor& a, const KerasTensor& b);
KerasTensor operator/(const KerasTensor& a, double b);
KerasTensor operator/(double a, const KerasTensor& b);
KerasTensor operator-(const KerasTensor& a);
KerasTensor operator>(const KerasTensor& a, double b);
KerasTensor operator>=(const KerasTensor& a, double b);
KerasTensor operator<(const KerasTensor& a, double b);
KerasTensor operator<=(const KerasTensor& a, double b);
///@}

}  // namespace keras::layers

namespace keras::core::ops {

using layers::KerasTensor;

///@{
/// keras.ops elementwise functions on symbolic tensors.
KerasTensor relu(const KerasTensor& x);
KerasTensor relu6(const KerasTensor& x);
KerasTensor sigmoid(const KerasTensor& x);
KerasTensor hard_sigmoid(const KerasTensor& x);
KerasTensor hard_silu(const KerasTensor& x);
KerasTensor hard_swish(const KerasTensor& x);
KerasTensor silu(const KerasTensor& x);
KerasTensor swish(const KerasTensor& x);
KerasTensor selu(const KerasTensor& x);
KerasTensor softplus(const KerasTensor& x);
KerasTensor softsign(const KerasTensor& x);
KerasTensor gelu(const KerasTensor& x, bool approximate = true);
KerasTensor elu(const KerasTensor& x, double alpha = 1.0);
KerasTensor leaky_relu(const KerasTensor& x, double negative_slope = 0.2);
KerasTensor softmax(const KerasTensor& x, int64_t axis = -1);
KerasTensor log_softmax(const KerasTensor& x, int64_t axis = -1);
KerasTensor tanh(const KerasTensor& x);
KerasTensor exp(const KerasTensor& x);
KerasTensor log(const KerasTensor& x);
KerasTensor sqrt(const KerasTensor& x);
KerasTensor rsqrt(const KerasTensor& x);
KerasTensor square(const KerasTensor& x);
KerasTensor abs(const KerasTensor& x);
KerasTensor negative(const KerasTensor& x);
KerasTensor erf(const KerasTensor& x);
KerasTensor floor(const KerasTensor& x);
KerasTensor sign(const KerasTensor& x);
///@}
///@{
/// keras.ops binary functions on symbolic tensors (b may also be a number).
KerasTensor add(const KerasTensor& a, const layers::OpArg& b);
KerasTensor subtract(const KerasTensor& a, const layers::OpArg& b);
KerasTensor multiply(const KerasTensor& a, const layers::OpArg& b);
KerasTensor divide(const KerasTensor& a, const layers::OpArg& b);
KerasTensor maximum(const KerasTensor& a, const layers::OpArg& b);
KerasTensor minimum(const KerasTensor& a, const layers::OpArg& b);
KerasTensor power(const KerasTensor& a, const layers::OpArg& b);
KerasTensor matmul(const KerasTensor& a, const KerasTensor& b);
/// keras.ops.where(condition, x, y); x and y may be numbers.
KerasTensor where(const KerasTensor& condition, const layers::OpArg& x, const layers::OpArg& y);
///@}
///@{
/// keras.ops reductions on symbolic tensors (axes empty: every axis).
KerasTensor mean(const KerasTensor& x, const std::vector<int64_t>& axes = {}, bool keepdims = false);
KerasTensor sum(const KerasTensor& x, const std::vector<int64_t>& axes = {}, bool keepdims = false);
KerasTensor max(const KerasTensor& x, const std::vector<int64_t>& axes = {}, bool keepdims = false);
KerasTensor min(const KerasTensor& x, const std::vector<int64_t>& axes = {}, bool keepdims = false);
/// keras.ops.argmax: int32 indices along axis (unset: of the flattened tensor).
KerasTensor argmax(const KerasTensor& x, std::optional<int64_t> axis = std::nullopt, bool keepdims = false);
///@}
///@{
/// keras.ops shape functions on symbolic tensors.
KerasTensor reshape(const KerasTensor& x, const std::vector<int64_t>& newshape);
KerasTensor transpose(const KerasTensor& x, const std::vector<int64_t>& axes = {});
KerasTensor expand_dims(const KerasTensor& x, int64_t axis);
KerasTensor squeeze(const KerasTensor& x, const std::vector<int64_t>& axes = {});
KerasTensor concatenate(const std::vector<KerasTensor>& xs, int64_t axis = 0);
KerasTensor stack(const std::vector<KerasTensor>& xs, int64_t axis = 0);
KerasTensor cast(const KerasTensor& x, DType dtype);
/// keras.ops.clip; integer bounds stay integers in the config (Keras's for integer tensors).
KerasTensor clip(const KerasTensor& x, Number x_min, Number x_max);
/// keras.ops.take(x, indices, axis): indices an integer symbolic tensor.
KerasTensor take(const KerasTensor& x, const KerasTensor& indices, std::optional<int64_t> axis = std::nullopt);
/// Python's x[...] (GetItem): integers, Slice, NewAxis and Ellipsis items.
KerasTensor get_item(const KerasTensor& x, const std::vector<Index>& key);
///@}

}  // namespace keras::core::ops
