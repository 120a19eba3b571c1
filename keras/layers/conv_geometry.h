// conv_geometry.h - (private to the convolution layers' .cpp files) the window arguments
// that Conv*Transpose, DepthwiseConv*D and SeparableConv*D share with Keras's names:
// kernel_size, strides, padding, data_format and dilation_rate, checked as Keras does,
// written to and read from a config; and the initializer / regularizer / constraint
// triple of one weight under Keras's "<prefix>_initializer" (...) keys.
#pragma once
#include <stdexcept>
#include <string>
#include <vector>

#include "keras/layers/args.h"
#include "keras/layers/conv.h"
#include "keras/layers/core_layers_util.h"
#include "keras/layers/data_format.h"
#include "keras/layers/options_base.h"

namespace keras::layers::detail {

struct ConvGeometry {
  std::vector<int64_t> kernel_size, strides, dilation;
  std::string padding, data_format;
};

// Keras's checks: per-axis values (>= 1), padding "valid" or "same", a data format, and
// (unless strided_dilation) not both strides > 1 and dilation_rate > 1.
inline ConvGeometry conv_geometry(const std::string& layer, int rank, const SpatialArg& kernel_size,
                                  const SpatialArg& strides, const std::string& padding,
                                  const std::string& data_format, const SpatialArg& dilation_rate,
                                  bool strided_dilation) {
  ConvGeometry g;
  g.kernel_size = spatial_values(layer, "kernel_size", kernel_size, rank, 1);
  g.strides = spatial_values(layer, "strides", strides, rank, 1);
  g.dilation = spatial_values(layer, "dilation_rate", dilation_rate, rank, 1);
  g.data_format = data_format_of(layer, data_format);
  if (padding != "valid" && padding != "same")
    throw std::invalid_argument(layer + ": the `padding` argument must be one of \"valid\", \"same\". Received: "
                                "padding=\"" + padding + "\"");
  g.padding = padding;
  bool strided = false, dilated = false;
  for (int i = 0; i < rank; ++i) {
    strided |= g.strides[size_t(i)] > 1;
    dilated |= g.dilation[size_t(i)] > 1;
  }
  if (strided && dilated && !strided_dilation)
    throw std::invalid_argument(layer + ": `strides > 1` not supported in conjunction with `dilation_rate > 1`. "
                                "Received: strides=" + list_str(g.strides) + " and dilation_rate=" +
                                list_str(g.dilation));
  return g;
}

// The channels_last view of a convolution layer's input shape; throws unless it has rank
// + 2 axes with known channels.
inline ShapeSpec conv_input(const std::string& layer, int rank, const ShapeSpec& input_shape, bool first) {
  const ShapeSpec s = to_channels_last(input_shape, first);
  if (s.size() != size_t(rank + 2) || s.back() < 0)
    throw std::invalid_argument(layer + ": expected an input of rank " + std::to_string(rank + 2) + " (batch, " +
                                (first ? "channels, *spatial" : "*spatial, channels") +
                                ") with known channels, but received input shape " + shape_str(input_shape));
  return s;
}

inline void write_geometry(Config& c, const ConvGeometry& g) {
  c["kernel_size"] = Value(g.kernel_size);
  c["strides"] = Value(g.strides);
  c["padding"] = g.padding;
  c["data_format"] = g.data_format;
  c["dilation_rate"] = Value(g.dilation);
}

// Reads strides, padding, data_format and dilation_rate into the options O.
template <class O>
void read_geometry(const Config& c, O& o) {
  o.strides = spatial_from(c.get("strides", 1));
  o.padding = c.get("padding", "valid").as_string();
  Value df = c.get("data_format", Value());
  if (!df.is_null()) o.data_format = df.as_string();
  o.dilation_rate = spatial_from(c.get("dilation_rate", 1));
}

inline void write_weight_config(Config& c, const std::string& prefix, const InitializerArg& init,
                                const RegularizerArg& reg, const ConstraintArg& con) {
  c[prefix + "_initializer"] = to_config(init);
  c[prefix + "_regularizer"] = to_config(reg);
  c[prefix + "_constraint"] = to_config(con);
}

inline void read_weight_config(const Config& c, const std::string& prefix, const char* default_init,
                               InitializerArg& init, RegularizerArg& reg, ConstraintArg& con) {
  init = initializer_from(c.get(prefix + "_initializer", default_init));
  reg = regularizer_from(c.get(prefix + "_regularizer", Value()));
  con = constraint_from(c.get(prefix + "_constraint", Value()));
}

}  // namespace keras::layers::detail
