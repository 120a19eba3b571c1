// options_base.h - private (not included by public headers): the base fields every layer's
// options struct shares with LayerOptions, read in one place.
#pragma once
#include "keras/config.h"
#include "keras/layers/args.h"
#include "keras/layers/layer.h"

namespace keras::layers::detail {

/// The LayerOptions of a layer's options struct O: the base fields O has (name, trainable,
/// dtype, input_shape, activity_regularizer) over `b` (the layer's fixed settings; b's
/// dtype, if any, is the default of an unset dtype).
template <class O>
LayerOptions layer_options_of(const O& o, LayerOptions b = {}) {
  if constexpr (requires { o.name; })
    if (!o.name.empty()) b.name = o.name;  // (b's name, if any, is the default)
  if constexpr (requires { o.trainable; }) b.trainable = o.trainable;
  if constexpr (requires { o.dtype; })
    if (o.dtype) b.dtype = o.dtype;
  if constexpr (requires { o.input_shape; }) b.input_shape = o.input_shape;
  if constexpr (requires { o.activity_regularizer.ptr(); }) b.activity_regularizer = o.activity_regularizer.ptr();
  return b;
}

/// A config's base fields (name, trainable, dtype, input_shape) into the options O (for
/// from_config).
template <class O>
void read_base_options(const Config& c, O& o) {
  const LayerOptions base = layer_options_from(c);
  if constexpr (requires { o.name; }) o.name = base.name;
  if constexpr (requires { o.trainable; }) o.trainable = base.trainable;
  if constexpr (requires { o.dtype; }) o.dtype = base.dtype;
  if constexpr (requires { o.input_shape; }) o.input_shape = base.input_shape;
}

}  // namespace keras::layers::detail
