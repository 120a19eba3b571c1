// categorical_encode.h - (internal to keras/layers) Keras 3's encode_categorical_inputs,
// shared by CategoryEncoding, Hashing, StringLookup, IntegerLookup and TextVectorization:
// integer indices in [0, depth) become one-hot, multi-hot, count or tf-idf vectors.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace keras::layers::detail {

/// The output modes that encode (Keras's "one_hot", "multi_hot", "count", "tf_idf").
bool is_encoding_mode(const std::string& mode);

/// What encode_categorical needs besides the indices.
struct EncodeArgs {
  std::string mode;       ///< "one_hot", "multi_hot", "count" or "tf_idf"
  int64_t depth = 0;      ///< the output's last axis
  core::DType dtype = core::DType::float32;  ///< the output's dtype
  bool sparse = false;    ///< a SparseTensor handle (SparseTensor::as_tensor) instead
  const std::vector<double>* count_weights = nullptr;  ///< one per index (mode "count")
  const std::vector<double>* idf = nullptr;            ///< depth weights (mode "tf_idf")
  std::string who;        ///< the layer name, for error messages
};

/// Encodes `idx` (row-major, of shape `shape`) as Keras does: a scalar is one sample;
/// one_hot gives each value a vector of depth (replacing a last axis of size 1), the other
/// modes reduce axis 1 (axis 0 of a vector) and append an axis of depth. Entries of -1 (masked tokens) and >= depth are
/// dropped (TensorFlow's bincount); other negative values raise std::invalid_argument.
core::Tensor encode_categorical(const std::vector<int64_t>& idx, const core::Shape& shape, const EncodeArgs& a);

/// The output shape encode_categorical gives for an input shape (-1: unknown sizes).
std::vector<int64_t> encoded_shape(std::vector<int64_t> shape, const std::string& mode, int64_t depth);

}  // namespace keras::layers::detail
