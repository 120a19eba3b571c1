// example_wire.h - (internal to keras/data) reading tf.train.Example messages: what
// Example::parse and parse_example share.
#pragma once
#include <stdexcept>
#include <string>
#include <string_view>

#include "core/protobuf_wire.h"
#include "keras/data/example.h"

namespace keras::core::io::detail {
namespace pb = core::protobuf;

// Reads a tf.train.Feature message into `f`, as protobuf merges: a list given again adds
// its values, another list replaces it (a oneof). Malformed bytes raise.
void read_feature(std::string_view bytes, ExampleFeature& f, const std::string& who);

// Calls on_entry(key, feature bytes) for each entry of an Example's feature map, in order.
template <class F>
void for_each_entry(std::string_view serialized, const std::string& who, F on_entry) {
  pb::Reader ex(serialized, who);
  while (!ex.done()) {
    uint32_t field, wire;
    ex.next(field, wire);
    if (field != 1 || wire != pb::kLengthDelimited) {
      ex.skip(wire);
      continue;
    }
    pb::Reader features(ex.bytes(), who);  // Features
    while (!features.done()) {
      features.next(field, wire);
      if (field != 1 || wire != pb::kLengthDelimited) {
        features.skip(wire);
        continue;
      }
      pb::Reader entry(features.bytes(), who);  // map<string, Feature> entry
      std::string_view key, value;
      while (!entry.done()) {
        uint32_t ef, ew;
        entry.next(ef, ew);
        if ((ef == 1 || ef == 2) && ew == pb::kLengthDelimited)
          (ef == 1 ? key : value) = entry.bytes();
        else
          entry.skip(ew);
      }
      on_entry(key, value);
    }
  }
}

// Turns a protobuf reader's std::runtime_error into TensorFlow's InvalidArgumentError text.
template <class F>
void guarded(const std::string& who, F body) {
  try {
    body();
  } catch (const std::runtime_error& e) {
    throw std::invalid_argument(who + ": Could not parse example input (" + e.what() + ")");
  }
}
}  // namespace keras::core::io::detail
