#include "keras/layers/integer_lookup.h"

namespace keras::layers {

IntegerLookupLayer::IntegerLookupLayer(const IntegerLookupOptions& o) : IndexLookup("IntegerLookup", o) {}

Config IntegerLookupLayer::get_config() const {
  Config c = IndexLookup::get_config();
  c["vocabulary_dtype"] = "int64";
  return c;
}

LayerPtr IntegerLookupLayer::from_config(const Config& c) {
  return make<IntegerLookupLayer>(options_from_config(c));
}

Ref<IntegerLookupLayer> IntegerLookup(const IntegerLookupOptions& o) { return make<IntegerLookupLayer>(o); }

}  // namespace keras::layers
