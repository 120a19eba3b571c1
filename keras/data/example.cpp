#include "keras/data/example.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <stdexcept>

#include "core/dispatch.h"
#include "core/ops.h"
#include "core/protobuf_wire.h"
#include "core/ragged.h"
#include "core/sparse.h"
#include "keras/data/example_wire.h"

namespace keras::core::io {
namespace pb = core::protobuf;

size_t ExampleFeature::size() const {
  switch (kind) {
    case Kind::bytes_list:
      return bytes.size();
    case Kind::float_list:
      return floats.size();
    case Kind::int64_list:
      return int64s.size();
    default:
      return 0;
  }
}

namespace {
[[noreturn]] void invalid(const std::string& what) { throw std::invalid_argument(what); }

}  // namespace

namespace detail {
// Reads a tf.train.Feature message into `f`, as protobuf merges: a list given again adds
// its values, another list replaces it (a oneof).
void read_feature(std::string_view bytes, ExampleFeature& f, const std::string& who) {
  pb::Reader r(bytes, who);
  while (!r.done()) {
    uint32_t field, wire;
    r.next(field, wire);
    if (field < 1 || field > 3 || wire != pb::kLengthDelimited) {
      r.skip(wire);
      continue;
    }
    const auto kind = static_cast<ExampleFeature::Kind>(field);
    if (f.kind != kind) f = ExampleFeature{.kind = kind};
    pb::Reader list(r.bytes(), who);
    while (!list.done()) {
      uint32_t lf, lw;
      list.next(lf, lw);
      if (lf != 1) {
        list.skip(lw);
        continue;
      }
      if (kind == ExampleFeature::Kind::bytes_list) {
        if (lw != pb::kLengthDelimited)
          throw std::runtime_error(who + ": a bytes_list value has wire type " + std::to_string(lw));
        f.bytes.emplace_back(list.bytes());
      } else if (kind == ExampleFeature::Kind::float_list) {
        auto push = [&](uint32_t b) {
          float v;
          std::memcpy(&v, &b, 4);
          f.floats.push_back(v);
        };
        if (lw == pb::kFixed32) {
          push(list.fixed32());
        } else if (lw == pb::kLengthDelimited) {
          std::string_view packed = list.bytes();
          if (packed.size() % 4)
            throw std::runtime_error(who + ": a packed float_list of " + std::to_string(packed.size()) + " bytes");
          pb::Reader p(packed, who);
          while (!p.done()) push(p.fixed32());
        } else {
          throw std::runtime_error(who + ": a float_list value has wire type " + std::to_string(lw));
        }
      } else {
        if (lw == pb::kVarint) {
          f.int64s.push_back(static_cast<int64_t>(list.varint()));
        } else if (lw == pb::kLengthDelimited) {
          pb::Reader p(list.bytes(), who);
          while (!p.done()) f.int64s.push_back(static_cast<int64_t>(p.varint()));
        } else {
          throw std::runtime_error(who + ": an int64_list value has wire type " + std::to_string(lw));
        }
      }
    }
  }
}

}  // namespace detail

Example& Example::set_float_list(const std::string& key, std::vector<float> values) {
  features_[key] = ExampleFeature{.kind = ExampleFeature::Kind::float_list, .floats = std::move(values)};
  return *this;
}

Example& Example::set_int64_list(const std::string& key, std::vector<int64_t> values) {
  features_[key] = ExampleFeature{.kind = ExampleFeature::Kind::int64_list, .int64s = std::move(values)};
  return *this;
}

Example& Example::set_bytes_list(const std::string& key, std::vector<std::string> values) {
  features_[key] = ExampleFeature{.kind = ExampleFeature::Kind::bytes_list, .bytes = std::move(values)};
  return *this;
}

Example& Example::set(const std::string& key, const Tensor& values) {
  const std::string who = "Example.set(\"" + key + "\")";
  if (!values.defined()) invalid(who + ": expected a tensor, but received an undefined one");
  core::tracing::check_not_tracing("Example.set");
  const DType d = values.dtype();
  if (d == DType::string) return set_bytes_list(key, values.to_vector<std::string>());
  if (core::is_complex(d))
    invalid(who + ": expected a real, integer, bool or string tensor, but received dtype " +
            std::string(core::dtype_name(d)));
  if (core::is_floating(d)) return set_float_list(key, core::ops::cast(values, DType::float32).to_vector<float>());
  return set_int64_list(key, core::ops::cast(values, DType::int64).to_vector<int64_t>());
}

std::string Example::serialize() const {
  pb::Writer features;
  for (const auto& [key, f] : features_) {
    pb::Writer list;
    switch (f.kind) {
      case ExampleFeature::Kind::bytes_list:
        for (const std::string& b : f.bytes) list.bytes_field(1, b);
        break;
      case ExampleFeature::Kind::float_list:
        list.packed_floats(1, f.floats);
        break;
      case ExampleFeature::Kind::int64_list:
        list.packed_ints(1, f.int64s);
        break;
      default:
        break;
    }
    pb::Writer feature;
    if (f.kind != ExampleFeature::Kind::none) feature.bytes_field(uint32_t(f.kind), list.bytes());
    pb::Writer entry;
    entry.bytes_field(1, key);
    entry.bytes_field(2, feature.bytes());
    features.bytes_field(1, entry.bytes());
  }
  pb::Writer ex;
  ex.bytes_field(1, features.bytes());
  return ex.bytes();
}

Example Example::parse(std::string_view serialized) {
  Example out;
  detail::guarded("Example.parse", [&] {
    detail::for_each_entry(serialized, "the serialized Example", [&](std::string_view key, std::string_view value) {
      ExampleFeature f;
      detail::read_feature(value, f, "the serialized Example");
      out.features_[std::string(key)] = std::move(f);
    });
  });
  return out;
}

}  // namespace keras::core::io
