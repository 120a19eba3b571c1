// tensor_proto.h - tensorflow.TensorProto (tensorflow/core/framework/tensor.proto), private
// to keras/summary (tensor_proto.cpp also holds SummaryMetadata's serialize and parse): a tensor's bytes as
// TensorFlow's AsProtoTensorContent writes them (numbers as tensor_content, strings as string_val), and a TensorProto
// read back in any of its forms (tensor_content, or the typed *_val fields, whose last value fills the rest of the
// shape as TensorFlow's MakeNdarray does).
#pragma once
#include <string>
#include <string_view>

#include "core/tensor.h"

namespace keras::summary::detail {

// tensorflow.DataType of a dtype (types.proto).
int tf_datatype(core::DType d);
// A serialized TensorProto of `t` (on the host).
std::string encode_tensor_proto(const core::Tensor& t);
// The tensor of a serialized TensorProto; std::runtime_error starting with `who` on a
// malformed one or a dtype keras-cpp does not have.
core::Tensor decode_tensor_proto(std::string_view bytes, const std::string& who);

}  // namespace keras::summary::detail
