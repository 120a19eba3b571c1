// data_format.h - (private to the layers' .cpp files) Keras's `data_format` argument of
// the spatial layers. Their computation is written for channels_last; a channels_first
// layer moves its inputs (batch, channels, *spatial) to (batch, *spatial, channels) first
// and its outputs back, and its shapes likewise.
#pragma once
#include <string>

#include "core/tensor.h"
#include "keras/activations.h"
#include "keras/layers/layer.h"

namespace keras::layers::detail {

/// The layer's data format: "" is keras::config::image_data_format(); anything but
/// "channels_last" / "channels_first" raises std::invalid_argument naming the layer.
std::string data_format_of(const std::string& layer, const std::string& data_format);

/// s with its axis `from` moved to position `to` (both >= 0), the others in order (what
/// ops::moveaxis does to a tensor's shape).
ShapeSpec moved_axis(const ShapeSpec& s, size_t from, size_t to);

///@{
/// A channels_first layer's inputs in channels_last (first = true), and its outputs back;
/// the identity when first is false. Rank 2 and below are unchanged.
Tensor to_channels_last(const Tensor& x, bool first);
Tensor to_channels_first(const Tensor& y, bool first);
ShapeSpec to_channels_last(const ShapeSpec& s, bool first);
ShapeSpec to_channels_first(const ShapeSpec& s, bool first);
///@}

/// A layer's activation on its channels_last result y, in the layer's layout: Keras
/// applies it to the channels_first output, so an activation that mixes elements along
/// an axis (softmax, log_softmax, glu, a custom one) runs after the move back; the other
/// built-ins act on each element alone and run before it (where a traced graph can then
/// fuse them into the convolution and cancel the move back against the next layer's move
/// in).
Tensor activated(const activations::Activation& activation, const Tensor& y, bool first);

///@{
/// The same for the image layers' images: a batch (batch, c, h, w) or one image (c, h, w).
Tensor image_to_channels_last(const Tensor& x, bool first);
Tensor image_to_channels_first(const Tensor& y, bool first);
ShapeSpec image_to_channels_last(const ShapeSpec& s, bool first);
ShapeSpec image_to_channels_first(const ShapeSpec& s, bool first);
///@}

}  // namespace keras::layers::detail
