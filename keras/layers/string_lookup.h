// string_lookup.h - StringLookup (Keras 3's keras.layers.StringLookup): string tokens to
// integer indices (or encoded vectors), from a given or adapted vocabulary.
//   auto lookup = keras::layers::StringLookup();
//   lookup->adapt(keras::constant({"a", "b", "a"}));
//   lookup(keras::constant({"a", "q"}));   // [1, 0] (int64): "a" is index 1, "q" OOV 0
// See index_lookup.h for the index layout, output modes and adapt().
#pragma once
#include "keras/layers/index_lookup.h"

namespace keras::layers {

/// Options of StringLookup (Keras's keyword arguments; see IndexLookupOptions).
using StringLookupOptions = IndexLookupOptions<std::string>;

/// keras.layers.StringLookup, made by StringLookup().
class StringLookupLayer : public IndexLookup<std::string> {
 public:
  /// Throws std::invalid_argument for bad options (as Keras's ValueError).
  explicit StringLookupLayer(const StringLookupOptions& options = {});
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's loader for "StringLookup").
  static LayerPtr from_config(const Config& c);
};

/// keras.layers.StringLookup: maps strings to vocabulary indices.
Ref<StringLookupLayer> StringLookup(const StringLookupOptions& options = {});

}  // namespace keras::layers
