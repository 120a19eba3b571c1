#include "keras/layers/hashing.h"
#include "keras/layers/options_base.h"

#include <stdexcept>

#include "core/ops.h"
#include "core/string_ops.h"
#include "keras/layers/args.h"
#include "keras/layers/categorical_encode.h"
#include "keras/settings.h"

namespace keras::layers {
namespace ops = core::ops;
namespace strings = core::strings;

HashingLayer::HashingLayer(int64_t num_bins, const HashingOptions& o)
    : Layer("Hashing", detail::layer_options_of(
                           o, {.dynamic = true,
                               .dtype = o.output_mode == "int" ? mixed_precision::DTypePolicy(DType::int64)
                                                               : mixed_precision::DTypePolicy(keras::config::floatx()),
                               .autocast = false})),
      num_bins_(num_bins),
      o_(o) {
  if (num_bins <= 0)
    throw std::invalid_argument(name() + ": num_bins cannot be non-positive, but received num_bins=" +
                                std::to_string(num_bins));
  if (o.output_mode != "int" && o.output_mode != "one_hot" && o.output_mode != "multi_hot" && o.output_mode != "count")
    throw std::invalid_argument(name() + ": expected output_mode one of 'int', 'one_hot', 'multi_hot', 'count', but "
                                "received output_mode=" + o.output_mode);
  if (o.output_mode == "int" && dtype() != DType::int32 && dtype() != DType::int64)
    throw std::invalid_argument(name() + ": when output_mode=\"int\", dtype should be an integer type, 'int32' or "
                                "'int64', but received dtype=" + dtype_policy().name());
  if (o.sparse && o.output_mode == "int")
    throw std::invalid_argument(name() + ": sparse may only be true if output_mode is 'one_hot', 'multi_hot' or "
                                "'count', but received output_mode=int");
}

Tensor HashingLayer::call(const Tensor& x, bool) {
  // The text TensorFlow hashes: strings as they are, numbers as int64 decimal text.
  Tensor text;
  std::vector<bool> masked;
  if (x.dtype() == DType::string) {
    text = x;
  } else if (core::is_integer(x.dtype()) || core::is_floating(x.dtype())) {
    text = strings::as_string(ops::cast(x, DType::int64));
  } else {
    throw std::invalid_argument(name() + ": expected string, integer or float input, but received dtype " +
                                core::dtype_name(x.dtype()));
  }
  int64_t bins = num_bins_;
  if (o_.mask_value && bins > 1) {
    --bins;
    const std::vector<std::string> t = text.to_vector<std::string>();
    masked.resize(t.size());
    if (const auto* s = std::get_if<std::string>(&*o_.mask_value)) {
      if (x.dtype() != DType::string)
        throw std::invalid_argument(name() + ": a string mask_value needs string input, but received dtype " +
                                    core::dtype_name(x.dtype()));
      for (size_t i = 0; i < t.size(); ++i) masked[i] = t[i] == *s;
    } else {
      const std::string m = std::to_string(std::get<int64_t>(*o_.mask_value));
      for (size_t i = 0; i < t.size(); ++i) masked[i] = x.dtype() != DType::string && t[i] == m;
    }
  }
  Tensor h = o_.salt ? strings::to_hash_bucket_strong(text, bins, *o_.salt) : strings::to_hash_bucket_fast(text, bins);
  std::vector<int64_t> idx = h.to_vector<int64_t>();
  if (!masked.empty())
    for (size_t i = 0; i < idx.size(); ++i) idx[i] = masked[i] ? 0 : idx[i] + 1;
  if (o_.output_mode == "int") return ops::cast(core::constant(idx, x.shape()), dtype());
  detail::EncodeArgs a{o_.output_mode, num_bins_, dtype(), o_.sparse, nullptr, nullptr, name()};
  return detail::encode_categorical(idx, x.shape(), a);
}

std::vector<ShapeSpec> HashingLayer::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  if (o_.output_mode == "int") return {shapes.at(0)};
  return {detail::encoded_shape(shapes.at(0), o_.output_mode, num_bins_)};
}

Config HashingLayer::get_config() const {
  Config c = base_config();
  c["num_bins"] = static_cast<long long>(num_bins_);
  c["output_mode"] = o_.output_mode;
  c["sparse"] = o_.sparse;
  if (!o_.mask_value) c["mask_value"] = Value();
  else if (const auto* s = std::get_if<std::string>(&*o_.mask_value)) c["mask_value"] = *s;
  else c["mask_value"] = static_cast<long long>(std::get<int64_t>(*o_.mask_value));
  if (o_.salt)
    c["salt"] = Value(std::vector<Value>{Value(static_cast<long long>((*o_.salt)[0])),
                                         Value(static_cast<long long>((*o_.salt)[1]))});
  else
    c["salt"] = Value();
  return c;
}

LayerPtr HashingLayer::from_config(const Config& c) {
  HashingOptions o;
  detail::read_base_options(c, o);
  o.output_mode = c.get("output_mode", "int").as_string();
  o.sparse = c.get("sparse", false).as_bool();
  const Value m = c.get("mask_value", Value());
  if (m.type() == Value::Type::string) o.mask_value = m.as_string();
  else if (!m.is_null()) o.mask_value = m.as_int();
  const Value s = c.get("salt", Value());
  if (s.type() == Value::Type::list) {
    const auto& l = s.as_list();
    if (l.size() != 2)
      throw std::invalid_argument("Hashing: the salt can only be a list of 2 integers or a single integer, but "
                                  "received " + s.to_json());
    o.salt = std::array<uint64_t, 2>{static_cast<uint64_t>(l[0].as_int()), static_cast<uint64_t>(l[1].as_int())};
  } else if (!s.is_null()) {
    const auto v = static_cast<uint64_t>(s.as_int());
    o.salt = std::array<uint64_t, 2>{v, v};
  }
  return make<HashingLayer>(c.at("num_bins").as_int(), o);
}

Ref<HashingLayer> Hashing(int64_t num_bins, const HashingOptions& o) { return make<HashingLayer>(num_bins, o); }

}  // namespace keras::layers
