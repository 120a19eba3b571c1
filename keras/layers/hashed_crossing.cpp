// hashed_crossing.cpp - HashedCrossing and cross_hashed (keras/layers/hashed_crossing.h).
#include "keras/layers/hashed_crossing.h"
#include "keras/layers/options_base.h"

#include <limits>
#include <stdexcept>

#include "core/ops.h"
#include "core/string_ops.h"
#include "keras/layers/args.h"
#include "keras/layers/categorical_encode.h"

namespace keras::layers {
namespace ops = core::ops;

namespace {
// TensorFlow's FingerprintCat64: two 64-bit fingerprints combined (MurmurHash2's mix).
uint64_t shift_mix(uint64_t v) { return v ^ (v >> 47); }
uint64_t fingerprint_cat64(uint64_t fp1, uint64_t fp2) {
  const uint64_t mul = 0xc6a4a7935bd1e995ull;
  uint64_t r = fp1 ^ mul;
  r ^= shift_mix(fp2 * mul) * mul;
  r *= mul;
  r = shift_mix(r) * mul;
  return shift_mix(r);
}

std::string input_list(const std::vector<Tensor>& xs) {
  std::string s;
  for (const Tensor& x : xs) s += (s.empty() ? "" : ", ") + std::string(core::dtype_name(x.dtype())) + " " + x.shape().str();
  return "[" + s + "]";
}
}  // namespace

Tensor cross_hashed(const std::vector<Tensor>& features, int64_t num_buckets, uint64_t hash_key) {
  if (features.empty()) throw std::invalid_argument("cross_hashed: expected at least one feature");
  if (num_buckets < 0) throw std::invalid_argument("cross_hashed: num_buckets must be >= 0, but received " + std::to_string(num_buckets));
  const int64_t rows = features[0].rank() == 0 ? 1 : features[0].shape()[0];
  std::vector<uint64_t> h(size_t(rows), hash_key);
  for (const Tensor& f : features) {
    if (f.size() != rows)
      throw std::invalid_argument("cross_hashed: expected one value per row in every feature, but received " +
                                  input_list(features));
    if (f.dtype() == DType::string) {
      const std::vector<std::string> v = f.to_vector<std::string>();
      for (size_t i = 0; i < v.size(); ++i) h[i] = fingerprint_cat64(h[i], core::strings::fingerprint64(v[i]));
    } else if (core::is_integer(f.dtype())) {
      const std::vector<int64_t> v = ops::cast(f, DType::int64).to_vector<int64_t>();
      for (size_t i = 0; i < v.size(); ++i) h[i] = fingerprint_cat64(h[i], uint64_t(v[i]));
    } else {
      throw std::invalid_argument(std::string("cross_hashed: expected string or integer features, but received ") +
                                  core::dtype_name(f.dtype()));
    }
  }
  const uint64_t m = num_buckets > 0 ? uint64_t(num_buckets) : uint64_t(std::numeric_limits<int64_t>::max());
  std::vector<int64_t> out(h.size());
  for (size_t i = 0; i < h.size(); ++i) out[i] = int64_t(h[i] % m);
  return core::constant(out);
}

HashedCrossingLayer::HashedCrossingLayer(int64_t num_bins, const HashedCrossingOptions& o)
    : Layer("HashedCrossing",
            detail::layer_options_of(o, {.dynamic = true,
                                         .dtype = o.output_mode == "int"
                                                      ? std::optional<mixed_precision::DTypePolicy>(DType::int64)
                                                      : std::nullopt,
                                         .autocast = false})),
      num_bins_(num_bins),
      o_(o) {
  if (num_bins < 1) throw std::invalid_argument(name() + ": num_bins must be >= 1, but received " + std::to_string(num_bins));
  if (o.output_mode != "int" && o.output_mode != "one_hot")
    throw std::invalid_argument(name() + ": Invalid value for argument output_mode. Expected one of ('int', 'one_hot'). "
                                "Received: output_mode=" + o.output_mode);
  if (o.sparse && o.output_mode == "int")
    throw std::invalid_argument(name() + ": sparse=true needs output_mode \"one_hot\"");
}

std::vector<Tensor> HashedCrossingLayer::call(const std::vector<Tensor>& xs, bool) {
  if (xs.size() < 2)
    throw std::invalid_argument(name() + ": `HashedCrossing` should be called on at least two inputs. Received: inputs=" +
                                input_list(xs));
  const core::Shape& first = xs[0].shape();
  if (first.rank() > 2 || (first.rank() == 2 && first[1] != 1))
    throw std::invalid_argument(name() + ": All `HashedCrossing` inputs should have shape `()`, `(batch_size)` or "
                                "`(batch_size, 1)`. Received: inputs=" + input_list(xs));
  for (const Tensor& x : xs) {
    if (x.shape() != first)
      throw std::invalid_argument(name() + ": All `HashedCrossing` inputs should have equal shape. Received: inputs=" +
                                  input_list(xs));
    if (x.dtype() != DType::string && !core::is_integer(x.dtype()))
      throw std::invalid_argument(name() + ": All `HashedCrossing` inputs should have an integer or string dtype. "
                                  "Received: inputs=" + input_list(xs));
  }
  const std::vector<int64_t> bins = cross_hashed(xs, num_bins_).to_vector<int64_t>();
  if (o_.output_mode == "int") return {ops::cast(core::constant(bins, first), dtype())};
  detail::EncodeArgs a{"one_hot", num_bins_, compute_dtype(), o_.sparse, nullptr, nullptr, name()};
  return {detail::encode_categorical(bins, first, a)};
}

std::vector<ShapeSpec> HashedCrossingLayer::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  if (shapes.size() < 2) throw std::invalid_argument(name() + ": expected at least two input shapes");
  if (o_.output_mode == "int") return {shapes[0]};
  return {detail::encoded_shape(shapes[0], "one_hot", num_bins_)};
}

Config HashedCrossingLayer::get_config() const {
  Config c = base_config();
  c["num_bins"] = static_cast<long long>(num_bins_);
  c["output_mode"] = o_.output_mode;
  c["sparse"] = o_.sparse;
  return c;
}

LayerPtr HashedCrossingLayer::from_config(const Config& c) {
  HashedCrossingOptions o;
  detail::read_base_options(c, o);
  o.output_mode = c.get("output_mode", "int").as_string();
  o.sparse = c.get("sparse", false).as_bool();
  return make<HashedCrossingLayer>(c.at("num_bins").as_int(), o);
}

Ref<HashedCrossingLayer> HashedCrossing(int64_t num_bins, const HashedCrossingOptions& o) {
  return make<HashedCrossingLayer>(num_bins, o);
}

}  // namespace keras::layers
