// feature_space.h - keras.utils.FeatureSpace: one object that preprocesses a dict of
// structured-data columns (numbers, integer and string categories) into a model's input,
// with Keras 3's feature types, crosses, adapt(), and concat or dict output.
//
//   using keras::utils::FeatureSpace;
//   FeatureSpace fs({{"age", "float_normalized"},
//                    {"city", "string_categorical"},
//                    {"code", FeatureSpace::integer_categorical({.num_oov_indices = 2})}},
//                   {.crosses = {FeatureSpace::cross({"city", "code"}, 16)}});
//   fs.adapt(train_features);                       // a Dataset of dicts, or a dict of columns
//   keras::Tensor x = fs.encode({{"age", ages}, {"city", cities}, {"code", codes}});
//   auto inputs = fs.get_inputs();                  // Input per feature, for an end-to-end model
//   keras::KerasTensor encoded = fs.get_encoded_features().at(0);
#pragma once
#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "keras/data/dataset.h"
#include "keras/layers/layer.h"

namespace keras::saving::detail {
struct FeatureSpaceAccess;
}

namespace keras::utils {
using layers::KerasTensor;

/// One feature: its input dtype, the preprocessing layer it goes through and how the
/// result is encoded: "float" (as is), "one_hot" (multi-hot over the preprocessor's
/// output space) or "int" (the indices, dict output only).
struct Feature {
  DType dtype = DType::float32;  ///< the input's dtype (float32, int32 or string)
  layers::LayerPtr preprocessor;  ///< the layer the column goes through
  std::string output_mode = "float";  ///< "float", "one_hot" or "int"
};

/// A cross of features (their preprocessed values) hashed into crossing_dim bins, named
/// "a_X_b"; output_mode "one_hot" (default) or "int".
struct Cross {
  std::vector<std::string> feature_names;  ///< the features crossed (2 or more)
  int64_t crossing_dim = 32;                 ///< the hash bins
  std::string output_mode = "one_hot";       ///< "one_hot" or "int"
  /// The names joined by "_X_" (Keras's).
  std::string name() const;
};

/// A feature by Keras's type name ("float", "float_rescaled", "float_normalized",
/// "float_discretized", "integer_categorical", "string_categorical", "integer_hashed",
/// "string_hashed"; the defaults of FeatureSpace's options) or a Feature made by one of
/// FeatureSpace's factories.
struct FeatureArg {
  ///@{
  /// A type name (implicit, as Keras's strings) or a Feature.
  FeatureArg(const char* type) : type(type) {}                  // NOLINT
  FeatureArg(std::string type) : type(std::move(type)) {}       // NOLINT
  FeatureArg(Feature feature) : feature(std::move(feature)) {}  // NOLINT
  ///@}
  std::string type;                ///< the type name (empty when a Feature is given)
  std::optional<Feature> feature;  ///< the Feature given
};

/// Options of FeatureSpace (keras.utils.FeatureSpace's keyword arguments).
struct FeatureSpaceOptions {
  /// "concat" (default): one float32 tensor (batch, width); "dict": one tensor per feature
  /// and cross.
  std::string output_mode = "concat";
  std::vector<Cross> crosses{};           ///< features crossed (each name must be a feature)
  int64_t crossing_dim = 32;              ///< Keras `crossing_dim` (crosses given as name lists)
  int64_t hashing_dim = 32;               ///< bins of the "..._hashed" type names
  int64_t num_discretization_bins = 32;   ///< bins of "float_discretized"
};

/// Options of the categorical factories.
struct CategoricalOptions {
  int64_t max_tokens = -1;       ///< the vocabulary's largest size (-1: none)
  int64_t num_oov_indices = 1;   ///< out-of-vocabulary indices
  std::string output_mode = "one_hot";  ///< "one_hot" or "int"
};

/// keras.utils.FeatureSpace. Features are preprocessed by their layers (Identity,
/// Rescaling, Normalization, Discretization, IntegerLookup, StringLookup, Hashing), crosses
/// by HashedCrossing over the preprocessed values, and "one_hot" outputs by CategoryEncoding
/// (multi_hot over the vocabulary size, bins or hash bins); the outputs come in Keras's
/// order: features sorted by name, then crosses sorted by name. A column of rank 0 is one
/// row (the output has no batch axis), rank 1 a batch of scalars, rank 2 (batch, 1).
class FeatureSpace {
 public:
  /// Throws std::invalid_argument for no features, an unknown type name, a cross naming
  /// a feature that is not there, or another output_mode.
  explicit FeatureSpace(const std::map<std::string, FeatureArg>& features, const FeatureSpaceOptions& options = {});
  /// The same from a braced list: FeatureSpace({{"age", "float"}}).
  FeatureSpace(std::initializer_list<std::pair<const std::string, FeatureArg>> features,
               const FeatureSpaceOptions& options = {})
      : FeatureSpace(std::map<std::string, FeatureArg>(features), options) {}

  ///@{
  /// Keras's factories (FeatureSpace.float is float_ here, a C++ keyword otherwise).
  static Feature float_();
  static Feature float_rescaled(double scale = 1.0, double offset = 0.0);
  static Feature float_normalized();
  /// num_bins > 0 is adapted; or give bin_boundaries.
  static Feature float_discretized(int64_t num_bins, std::vector<double> bin_boundaries = {},
                                   std::string output_mode = "one_hot");
  static Feature integer_categorical(const CategoricalOptions& options = {});
  static Feature string_categorical(const CategoricalOptions& options = {});
  static Feature string_hashed(int64_t num_bins, std::string output_mode = "one_hot");
  static Feature integer_hashed(int64_t num_bins, std::string output_mode = "one_hot");
  /// A feature with any preprocessing layer (one_hot needs a layer whose output space is
  /// known: a lookup, Discretization, Hashing, HashedCrossing or CategoryEncoding).
  static Feature feature(DType dtype, layers::LayerPtr preprocessor, std::string output_mode);
  static Cross cross(std::vector<std::string> feature_names, int64_t crossing_dim, std::string output_mode = "one_hot");
  ///@}

  /// Adapts the preprocessors that learn from data (Normalization without a mean, lookups
  /// without a vocabulary, Discretization without boundaries) on a dataset of dicts (its
  /// other keys, such as labels, are ignored) or on a dict of columns.
  void adapt(const data::Dataset& dataset);
  /// adapt() on a dict of columns (each (rows,) or (rows, 1)).
  void adapt(const std::map<std::string, Tensor>& columns);
  /// The features preprocessed, crossed and encoded: one tensor (concat) or a dict.
  /// Throws std::invalid_argument for a missing feature or before adapt() where needed.
  data::Element operator()(const std::map<std::string, Tensor>& features);
  /// The same for a dict element (Dataset::map(fs) over a dataset of dicts).
  data::Element operator()(const data::Element& features);
  /// The concat output (output_mode "concat" only).
  Tensor encode(const std::map<std::string, Tensor>& features);
  /// An Input (shape (1,), the feature's dtype, named after it) per feature, by name.
  std::map<std::string, KerasTensor> get_inputs();
  /// The symbolic outputs for get_inputs(): one tensor (concat) or one per output, in
  /// output order (see output_names()).
  std::vector<KerasTensor> get_encoded_features();
  /// The outputs' names: sorted features, then sorted crosses.
  std::vector<std::string> output_names() const;
  /// The preprocessing layer of a feature (std::out_of_range for another name).
  layers::LayerPtr preprocessor(const std::string& feature) const;
  /// Keras's config: features (dtype, preprocessor config, output_mode), crosses and the
  /// options.
  Config get_config() const;

 private:
  friend struct saving::detail::FeatureSpaceAccess;
  void mark_adapted();  // a loaded FeatureSpace: its preprocessors hold their state, as Keras
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace keras::utils
