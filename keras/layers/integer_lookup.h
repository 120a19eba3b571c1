// integer_lookup.h - IntegerLookup (Keras 3's keras.layers.IntegerLookup): integer
// tokens to vocabulary indices (or encoded vectors). Integer inputs of any dtype, and
// float inputs holding whole numbers, are read as int64; the default oov_token is -1.
//   auto lookup = keras::layers::IntegerLookup({.vocabulary = {12, 36}});
//   lookup(keras::constant({36, 7}, keras::DType::int64));   // [2, 0]
// See index_lookup.h for the index layout, output modes and adapt().
#pragma once
#include "keras/layers/index_lookup.h"

namespace keras::layers {

/// Options of IntegerLookup (Keras's keyword arguments; see IndexLookupOptions).
using IntegerLookupOptions = IndexLookupOptions<int64_t>;

/// keras.layers.IntegerLookup, made by IntegerLookup().
class IntegerLookupLayer : public IndexLookup<int64_t> {
 public:
  /// Throws std::invalid_argument for bad options (as Keras's ValueError).
  explicit IntegerLookupLayer(const IntegerLookupOptions& options = {});
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's loader for "IntegerLookup").
  static LayerPtr from_config(const Config& c);
};

/// keras.layers.IntegerLookup: maps integers to vocabulary indices.
Ref<IntegerLookupLayer> IntegerLookup(const IntegerLookupOptions& options = {});

}  // namespace keras::layers
