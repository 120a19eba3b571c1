#include "keras/layers/category_encoding.h"
#include "keras/layers/options_base.h"

#include <stdexcept>

#include "core/ops.h"
#include "keras/layers/args.h"
#include "keras/layers/categorical_encode.h"

namespace keras::layers {
namespace ops = core::ops;

CategoryEncodingLayer::CategoryEncodingLayer(int64_t num_tokens, const CategoryEncodingOptions& o)
    : Layer("CategoryEncoding", detail::layer_options_of(o, {.dynamic = true, .autocast = false})),
      num_tokens_(num_tokens),
      o_(o) {
  if (num_tokens < 1)
    throw std::invalid_argument(name() + ": num_tokens must be >= 1, but received num_tokens=" +
                                std::to_string(num_tokens));
  if (o.output_mode != "one_hot" && o.output_mode != "multi_hot" && o.output_mode != "count")
    throw std::invalid_argument(name() + ": unknown value for output_mode; expected one of 'one_hot', 'multi_hot', "
                                "'count', but received output_mode=" + o.output_mode);
}

Tensor CategoryEncodingLayer::encode(const Tensor& x, const Tensor& weights) const {
  if (!core::is_integer(x.dtype()) && !core::is_floating(x.dtype()))
    throw std::invalid_argument(name() + ": expected integer category ids, but received dtype " +
                                core::dtype_name(x.dtype()));
  std::vector<int64_t> idx;
  try {
    idx = ops::cast_exact(x, DType::int64).to_vector<int64_t>();
  } catch (const core::ConversionError& e) {
    throw std::invalid_argument(name() + ": expected integer category ids, but received " + e.what());
  }
  for (int64_t v : idx)
    if (v < 0)
      throw std::invalid_argument(name() + ": expected non-negative category ids, but received " + std::to_string(v));
  std::vector<double> w;
  if (weights.defined()) {
    if (o_.output_mode != "count")
      throw std::invalid_argument(name() + ": count_weights is not used when output_mode is not 'count', but "
                                  "received output_mode=" + o_.output_mode);
    if (weights.shape() != x.shape())
      throw std::invalid_argument(name() + ": expected count_weights of the input's shape " + x.shape().str() +
                                  ", but received shape " + weights.shape().str());
    w = ops::cast(weights, DType::float64).to_vector<double>();
  }
  detail::EncodeArgs a{o_.output_mode, num_tokens_, dtype(), o_.sparse, w.empty() ? nullptr : &w, nullptr, name()};
  return detail::encode_categorical(idx, x.shape(), a);
}

Tensor CategoryEncodingLayer::call(const Tensor& x, bool) { return encode(x, Tensor()); }

std::vector<Tensor> CategoryEncodingLayer::call(const std::vector<Tensor>& xs, const CallContext& ctx) {
  if (xs.size() != 1)
    throw std::invalid_argument(name() + ": expected one input, but received " + std::to_string(xs.size()));
  const Value w = ctx.kwargs.get("count_weights", Value());
  if (w.is_null()) return {encode(xs[0], Tensor())};
  std::vector<double> flat;
  std::function<void(const Value&)> walk = [&](const Value& v) {
    if (v.type() == Value::Type::list) for (const Value& i : v.as_list()) walk(i);
    else flat.push_back(v.as_double());
  };
  walk(w);
  if (static_cast<int64_t>(flat.size()) != xs[0].shape().num_elements())
    throw std::invalid_argument(name() + ": expected one count weight per input value (" +
                                std::to_string(xs[0].shape().num_elements()) + "), but received " +
                                std::to_string(flat.size()));
  return {encode(xs[0], core::constant(flat, xs[0].shape()))};
}

std::vector<ShapeSpec> CategoryEncodingLayer::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  return {detail::encoded_shape(shapes.at(0), o_.output_mode, num_tokens_)};
}

Config CategoryEncodingLayer::get_config() const {
  Config c = base_config();
  c["num_tokens"] = static_cast<long long>(num_tokens_);
  c["output_mode"] = o_.output_mode;
  c["sparse"] = o_.sparse;
  return c;
}

LayerPtr CategoryEncodingLayer::from_config(const Config& c) {
  CategoryEncodingOptions o;
  detail::read_base_options(c, o);
  o.output_mode = c.get("output_mode", "multi_hot").as_string();
  o.sparse = c.get("sparse", false).as_bool();
  const Value n = c.get("num_tokens", Value());
  if (n.is_null()) throw std::invalid_argument("CategoryEncoding: the config has no num_tokens");
  return make<CategoryEncodingLayer>(n.as_int(), o);
}

Ref<CategoryEncodingLayer> CategoryEncoding(int64_t num_tokens, const CategoryEncodingOptions& o) {
  return make<CategoryEncodingLayer>(num_tokens, o);
}

}  // namespace keras::layers
