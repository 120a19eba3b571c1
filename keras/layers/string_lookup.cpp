#include "keras/layers/string_lookup.h"

namespace keras::layers {

StringLookupLayer::StringLookupLayer(const StringLookupOptions& o) : IndexLookup("StringLookup", o) {}

Config StringLookupLayer::get_config() const {
  Config c = IndexLookup::get_config();
  c["encoding"] = "utf-8";
  return c;
}

LayerPtr StringLookupLayer::from_config(const Config& c) {
  return make<StringLookupLayer>(options_from_config(c));
}

Ref<StringLookupLayer> StringLookup(const StringLookupOptions& o) { return make<StringLookupLayer>(o); }

}  // namespace keras::layers
