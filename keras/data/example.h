// example.h - tf.train.Example records and their parsing (tf.io.parse_single_example,
// tf.io.parse_example), without a protobuf library.
//
// An Example maps feature names to lists of floats, int64s or byte strings; TFRecord
// files (keras/data/tfrecord.h) usually hold one serialized Example per record. A
// feature spec says what to make of each name: a dense tensor of a fixed shape
// (FixedLenFeature), a sequence of such rows (FixedLenSequenceFeature), a sparse tensor
// (VarLenFeature) or a ragged one (RaggedFeature).
//
//   keras::io::Example ex;
//   ex.set_float_list("pixels", pixels).set_int64_list("label", {3});
//   writer.write(ex.serialize());
//   ...
//   keras::io::Features spec{{"pixels", keras::io::FixedLenFeature{{784}, keras::DType::float32}},
//                            {"label", keras::io::FixedLenFeature{{}, keras::DType::int64}}};
//   auto parsed = keras::io::parse_example(records, spec);  // parsed["pixels"]: (batch, 784)
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/tensor.h"

namespace keras::core::io {

/// The values of one feature of an Example: tf.train.Feature, a list of one kind (or none,
/// a Feature with no list set).
struct ExampleFeature {
  /// Which list the feature holds.
  enum class Kind {
    none,        ///< no list set
    bytes_list,  ///< byte strings (field 1 of tf.train.Feature)
    float_list,  ///< floats (field 2)
    int64_list,  ///< int64s (field 3)
  };
  Kind kind = Kind::none;          ///< the list set
  std::vector<std::string> bytes;  ///< bytes_list's values
  std::vector<float> floats;       ///< float_list's values
  std::vector<int64_t> int64s;     ///< int64_list's values
  /// The number of values of the list set.
  size_t size() const;
};

/// tf.train.Example: named features, each a list of floats, int64s or byte strings.
class Example {
 public:
  /// Sets feature `key` to a float_list (replacing what it held).
  Example& set_float_list(const std::string& key, std::vector<float> values);
  /// Sets feature `key` to an int64_list.
  Example& set_int64_list(const std::string& key, std::vector<int64_t> values);
  /// Sets feature `key` to a bytes_list.
  Example& set_bytes_list(const std::string& key, std::vector<std::string> values);
  /// Sets feature `key` to the elements of `values` in row-major order: floating dtypes
  /// as a float_list (converted to float32, as the proto stores them), integer and bool
  /// dtypes as an int64_list, string as a bytes_list; complex dtypes raise
  /// std::invalid_argument.
  Example& set(const std::string& key, const Tensor& values);
  /// The features, by name.
  const std::map<std::string, ExampleFeature>& features() const { return features_; }
  /// The serialized message (Example.SerializeToString(deterministic=True): the features
  /// in key order, lists packed).
  std::string serialize() const;
  /// An Example from its serialized bytes, as protobuf reads them: unknown fields are
  /// skipped, a name given twice keeps its last value, lists packed or not. Malformed bytes
  /// raise std::invalid_argument.
  static Example parse(std::string_view serialized);

 private:
  std::map<std::string, ExampleFeature> features_;
};

/// tf.io.FixedLenFeature: a dense tensor of `shape` (all sizes known) and `dtype` (float32,
/// int64 or string). An example without the feature takes `default_value` (a tensor of
/// prod(shape) elements, reshaped; numbers are cast to `dtype`); without a default the
/// feature is required.
struct FixedLenFeature {
  std::vector<int64_t> shape;  ///< the shape of one example's value
  DType dtype;                 ///< float32, int64 or string
  Tensor default_value{};      ///< for examples without the feature (undefined: required)
};
/// tf.io.FixedLenSequenceFeature: any number of rows of `shape` (the values' count must be
/// a multiple of prod(shape)). parse_example pads each example's rows to the longest with
/// `default_value` (a scalar; undefined: 0 or ""). allow_missing must be true, as
/// TensorFlow requires.
struct FixedLenSequenceFeature {
  std::vector<int64_t> shape;  ///< the shape of one row
  DType dtype;                 ///< float32, int64 or string
  bool allow_missing = false;  ///< must be true
  Tensor default_value{};      ///< the padding (a scalar)
};
/// tf.io.VarLenFeature: the values as a SparseTensor (its as_tensor() handle;
/// keras::sparse::sparse_of gives it back): indices (n, 1) and dense shape [n] for one
/// example; indices (n, 2) and [batch, longest] for a batch.
struct VarLenFeature {
  DType dtype;  ///< float32, int64 or string
};
/// tf.io.RaggedFeature (values only, no partitions): one example's values as a 1-d
/// tensor; a batch's as a RaggedTensor (its as_tensor() handle; keras::ragged::ragged_of
/// gives it back) with one row per example. Its row splits are int64 (keras-cpp's
/// RaggedTensor keeps int64 splits; TensorFlow's row_splits_dtype is not taken).
struct RaggedFeature {
  DType dtype;  ///< float32, int64 or string
};
/// One feature's spec.
using FeatureSpec = std::variant<FixedLenFeature, FixedLenSequenceFeature, VarLenFeature, RaggedFeature>;
/// Feature names and their specs (tf.io.parse_example's `features`).
using Features = std::map<std::string, FeatureSpec>;

/// tf.io.parse_single_example: `serialized`, a scalar string tensor holding an Example,
/// parsed as `features` say; the results by name (sparse and ragged ones as handles, see
/// the specs). Features not in the spec are ignored. Raises std::invalid_argument with
/// TensorFlow's wording: a required feature missing ("Feature: label (data type: int64) is
/// required but could not be found."), a list of another kind ("Data types don't
/// match..."), a wrong number of values, malformed bytes, a bad spec. Runs eagerly (its
/// result shapes depend on the data): inside a traced function it raises.
std::map<std::string, Tensor> parse_single_example(const Tensor& serialized, const Features& features);
/// tf.io.parse_example: `serialized`, a 1-d string tensor of Examples (a batch), parsed
/// as `features` say; every result's first axis is the batch.
std::map<std::string, Tensor> parse_example(const Tensor& serialized, const Features& features);

}  // namespace keras::core::io
