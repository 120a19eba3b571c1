#include "keras/layers/global_pooling.h"
#include "keras/layers/options_base.h"

#include <stdexcept>

#include "core/ragged.h"

#include "keras/layers/data_format.h"

namespace keras::layers {
namespace ops = core::ops;

namespace {
std::string global_class(GlobalPoolingLayer::Kind kind, int rank) {
  if (rank < 1 || rank > 3)
    throw std::invalid_argument("GlobalPooling: expected 1, 2 or 3 spatial axes, but received rank " +
                                std::to_string(rank));
  return std::string(kind == PoolingLayer::Kind::max ? "GlobalMaxPooling" : "GlobalAveragePooling") +
         std::to_string(rank) + "D";
}
}  // namespace

GlobalPoolingLayer::GlobalPoolingLayer(Kind kind, int rank, const GlobalPoolingOptions& o)
    : Layer(global_class(kind, rank), detail::layer_options_of(o)),
      kind_(kind),
      rank_(rank),
      o_(o) {
  o_.data_format = detail::data_format_of(name(), o.data_format);
  input_spec.ndim = rank + 2;
  supports_ragged_ = rank == 1;   // reduces over the ragged dimension, as Keras on TensorFlow
  supports_masking_ = kind == Kind::average && rank == 1;  // a masked mean; no output mask
}

std::vector<Tensor> GlobalPoolingLayer::call(const std::vector<Tensor>& xs, const CallContext& ctx) {
  const Tensor& x = xs.at(0);
  if (core::ragged::is_ragged(x)) {
    if (channels_first())
      throw std::invalid_argument(name() + ": a ragged input needs data_format \"channels_last\" (batch, None, "
                                  "channels)");
    // (batch, None, channels): each row's mean or max over its own items. An empty row
    // gives NaN (mean) or the dtype's lowest value (max), as tf.reduce_mean / reduce_max.
    const core::RaggedTensor rt = core::ragged::ragged_of(x);
    if (rt.ragged_rank() != 1 || rt.flat_values().rank() != 2)
      throw std::invalid_argument(name() + ": expected a ragged input of shape (batch, None, channels), but received "
                                  "ragged_rank " + std::to_string(rt.ragged_rank()) + " with flat values of shape " +
                                  rt.flat_values().shape().str());
    Tensor y = (kind_ == Kind::max ? core::ragged::reduce_max(rt, 1) : core::ragged::reduce_mean(rt, 1)).to_tensor();
    if (o_.keepdims) y = ops::expand_dims(y, 1);
    return {y};
  }
  const Tensor mask = ctx.masks.empty() ? Tensor() : ctx.masks[0];
  if (mask.defined() && supports_masking_) {
    // Keras: sum(x * mask) / sum(mask) over the steps (NaN for a row with no step kept).
    const int64_t steps = channels_first() ? 2 : 1;
    const Tensor m = ops::expand_dims(ops::cast(mask, x.dtype()), channels_first() ? 1 : 2);
    return {ops::divide(ops::sum(ops::multiply(x, m), {steps}, o_.keepdims), ops::sum(m, {steps}, o_.keepdims))};
  }
  return {call(x, ctx.training)};
}

std::vector<Tensor> GlobalPoolingLayer::compute_mask(const std::vector<Tensor>&, const std::vector<Tensor>&) {
  return {Tensor()};  // the steps are gone
}

Tensor GlobalPoolingLayer::call(const Tensor& x, bool) {
  std::vector<int64_t> axes;
  for (int i = 1; i <= rank_; ++i) axes.push_back(channels_first() ? i + 1 : i);
  return kind_ == Kind::max ? ops::max(x, axes, o_.keepdims) : ops::mean(x, axes, o_.keepdims);
}

std::vector<ShapeSpec> GlobalPoolingLayer::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  const ShapeSpec s = detail::to_channels_last(shapes.at(0), channels_first());
  if (!o_.keepdims) return {{s.front(), s.back()}};
  ShapeSpec out(s.size(), 1);
  out.front() = s.front();
  out.back() = s.back();
  return {detail::to_channels_first(out, channels_first())};
}

Config GlobalPoolingLayer::get_config() const {
  Config c = base_config();
  c["data_format"] = o_.data_format;
  c["keepdims"] = o_.keepdims;
  return c;
}

template <GlobalPoolingLayer::Kind K, int Rank>
LayerPtr GlobalPoolingLayer::from_config(const Config& c) {
  GlobalPoolingOptions o;
  detail::read_base_options(c, o);
  Value df = c.get("data_format", Value());
  if (!df.is_null()) o.data_format = df.as_string();
  o.keepdims = c.get("keepdims", false).as_bool();
  return make<GlobalPoolingLayer>(K, Rank, o);
}
using K = GlobalPoolingLayer::Kind;
template LayerPtr GlobalPoolingLayer::from_config<K::max, 1>(const Config&);
template LayerPtr GlobalPoolingLayer::from_config<K::max, 2>(const Config&);
template LayerPtr GlobalPoolingLayer::from_config<K::max, 3>(const Config&);
template LayerPtr GlobalPoolingLayer::from_config<K::average, 1>(const Config&);
template LayerPtr GlobalPoolingLayer::from_config<K::average, 2>(const Config&);
template LayerPtr GlobalPoolingLayer::from_config<K::average, 3>(const Config&);

Ref<GlobalPoolingLayer> GlobalMaxPooling1D(const GlobalPoolingOptions& o) { return make<GlobalPoolingLayer>(K::max, 1, o); }
Ref<GlobalPoolingLayer> GlobalMaxPooling2D(const GlobalPoolingOptions& o) { return make<GlobalPoolingLayer>(K::max, 2, o); }
Ref<GlobalPoolingLayer> GlobalMaxPooling3D(const GlobalPoolingOptions& o) { return make<GlobalPoolingLayer>(K::max, 3, o); }
Ref<GlobalPoolingLayer> GlobalAveragePooling1D(const GlobalPoolingOptions& o) {
  return make<GlobalPoolingLayer>(K::average, 1, o);
}
Ref<GlobalPoolingLayer> GlobalAveragePooling2D(const GlobalPoolingOptions& o) {
  return make<GlobalPoolingLayer>(K::average, 2, o);
}
Ref<GlobalPoolingLayer> GlobalAveragePooling3D(const GlobalPoolingOptions& o) {
  return make<GlobalPoolingLayer>(K::average, 3, o);
}

}  // namespace keras::layers
