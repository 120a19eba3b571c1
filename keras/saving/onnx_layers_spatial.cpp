// onnx_layers_spatial.cpp - ONNX converters of the convolution, pooling, padding,
// cropping and upsampling layers. ONNX's Conv and pools are channels_first: for a
// channels_last layer the converters transpose around them (x to (batch, channels,
// spatial...) and back); a channels_first layer's tensors go as they are. Kernels are
// written in ONNX's (out, in / groups, spatial...) layout.
#include <limits>

#include "core/ops.h"
#include "keras/layers/all.h"
#include "keras/saving/onnx_builder.h"

namespace keras::saving::onnx {

namespace {
namespace ops = core::ops;
using A = OnnxAttr;
using V = std::vector<OnnxValue>;

// Whether the layer is channels_first (its config's data_format; none: channels_last).
bool channels_first(const LayerCall& c) {
  const std::string f = c.config.get("data_format", "").as_string();
  if (!f.empty() && f != "channels_last" && f != "channels_first")
    c.fail("expected data_format 'channels_last' or 'channels_first', but the layer has '" + f + "'");
  return f == "channels_first";
}
// The first spatial axis of the layer's tensors.
int64_t spatial_axis(const LayerCall& c) { return channels_first(c) ? 2 : 1; }

// (batch, spatial..., channels) <-> (batch, channels, spatial...) for a channels_last
// layer (a channels_first one's tensors are already ONNX's).
std::string to_channels_first(GraphBuilder& b, const LayerCall& c, const std::string& x, int64_t r) {
  if (channels_first(c)) return x;
  std::vector<int64_t> perm{0, r - 1};
  for (int64_t i = 1; i < r - 1; ++i) perm.push_back(i);
  return b.add("Transpose", {x}, {A::make_ints("perm", perm)});
}
std::string to_channels_last(GraphBuilder& b, const LayerCall& c, const std::string& x, int64_t r) {
  if (channels_first(c)) return x;
  std::vector<int64_t> perm{0};
  for (int64_t i = 2; i < r; ++i) perm.push_back(i);
  perm.push_back(1);
  return b.add("Transpose", {x}, {A::make_ints("perm", perm)});
}

std::vector<int64_t> ints_of(const LayerCall& c, const char* key, size_t n, int64_t fallback) {
  const Value v = c.config.get(key, Value(fallback));
  std::vector<int64_t> r = v.type() == Value::Type::list ? v.as_ints() : std::vector<int64_t>{v.as_int()};
  if (r.size() == 1 && n > 1) r.assign(n, r[0]);
  if (r.size() != n) c.fail(std::string("expected ") + std::to_string(n) + " values for '" + key + "'");
  return r;
}

// The window attributes of Conv / MaxPool / AveragePool: kernel_shape, strides,
// dilations, and the padding. "same" is TensorFlow's (the odd pixel at the end): ONNX's
// SAME_UPPER, written as explicit pads when they do not depend on the size (stride 1) or
// the size is known (onnxruntime refuses SAME_UPPER with dilation); "causal" pads
// (kernel - 1) * dilation before.
std::vector<OnnxAttr> window(const LayerCall& c, const std::vector<int64_t>& kernel, const std::vector<int64_t>& strides,
                             const std::vector<int64_t>& dilation, bool with_dilations) {
  const std::string padding = c.config.get("padding", "valid").as_string();
  const size_t s = kernel.size();
  std::vector<OnnxAttr> attrs{A::make_ints("kernel_shape", kernel), A::make_ints("strides", strides)};
  if (with_dilations) attrs.push_back(A::make_ints("dilations", dilation));
  if (padding == "valid") return attrs;
  std::vector<int64_t> pads(2 * s, 0);
  if (padding == "causal") {
    if (s != 1) c.fail("padding 'causal' is for 1D convolutions");
    pads[0] = (kernel[0] - 1) * dilation[0];
  } else if (padding == "same") {
    for (size_t i = 0; i < s; ++i) {
      int64_t in = c.x().shape.at(i + size_t(spatial_axis(c)));
      if (in < 0 && strides[i] == 1) in = 1;  // the padding is (kernel - 1) * dilation for every size
      if (in < 0) {
        attrs.push_back(A::make_string("auto_pad", "SAME_UPPER"));
        return attrs;
      }
      const int64_t outn = (in + strides[i] - 1) / strides[i];
      const int64_t total = std::max<int64_t>((outn - 1) * strides[i] + (kernel[i] - 1) * dilation[i] + 1 - in, 0);
      pads[i] = total / 2;
      pads[i + s] = total - total / 2;
    }
  } else {
    c.fail("padding '" + padding + "' has no ONNX mapping");
  }
  attrs.push_back(A::make_ints("pads", pads));
  return attrs;
}

// A Keras kernel (spatial..., in, out) as ONNX's (out, in, spatial...).
Tensor onnx_kernel(const Tensor& k) {
  const int64_t s = k.rank() - 2;
  std::vector<int64_t> perm{s + 1, s};
  for (int64_t i = 0; i < s; ++i) perm.push_back(i);
  return ops::transpose(k, perm);
}

// A depthwise kernel (spatial..., in, multiplier) as a grouped one (spatial..., 1, in * multiplier):
// output channel i * multiplier + m reads input channel i, as TensorFlow orders them.
Tensor grouped_kernel(const Tensor& k) {
  std::vector<int64_t> shape = k.shape().dims();
  const int64_t in = shape[shape.size() - 2], mult = shape.back();
  shape[shape.size() - 2] = 1;
  shape.back() = in * mult;
  return ops::reshape(k, shape);
}

// Conv of x (channels_first) with an ONNX kernel, an optional bias, and the geometry.
std::string conv_node(GraphBuilder& b, const std::string& x, const Tensor& kernel,
                      const Tensor& bias, int64_t groups, const std::vector<OnnxAttr>& geometry) {
  std::vector<std::string> in{x, b.constant(kernel, "kernel")};
  if (bias.defined()) in.push_back(b.constant(bias, "bias"));
  std::vector<OnnxAttr> attrs = geometry;
  attrs.push_back(A::make_int("group", groups));
  return b.add("Conv", in, attrs);
}

V conv(GraphBuilder& b, const LayerCall& c) {
  OnnxValue x = float_input(b, c, c.x());
  const int64_t r = x.rank();
  const size_t s = static_cast<size_t>(r - 2);
  const std::string kind = c.layer.class_name();
  auto kernel = ints_of(c, "kernel_size", s, 1), strides = ints_of(c, "strides", s, 1),
       dilation = ints_of(c, "dilation_rate", s, 1);
  std::vector<OnnxAttr> geometry = window(c, kernel, strides, dilation, true);
  const bool use_bias = c.config.get("use_bias", true).as_bool();
  Tensor bias = use_bias ? c.weight("bias") : Tensor();
  std::string y = to_channels_first(b, c, x.name, r);
  if (kind.rfind("Conv", 0) == 0) {
    y = conv_node(b, y, onnx_kernel(c.weight("kernel")), bias, c.config.get("groups", 1).as_int(), geometry);
  } else {
    const int64_t channels = channels_first(c) ? x.shape.at(1) : x.shape.back();
    if (channels < 0) c.fail("the input's channel axis must have a known size");
    if (kind.rfind("Depthwise", 0) == 0) {
      y = conv_node(b, y, onnx_kernel(grouped_kernel(c.weight("kernel"))), bias, channels, geometry);
    } else {  // Separable: depthwise, then a 1x1 convolution with the bias
      y = conv_node(b, y, onnx_kernel(grouped_kernel(c.weight("depthwise_kernel"))), Tensor(), channels, geometry);
      const std::vector<int64_t> ones(s, 1);
      y = conv_node(b, y, onnx_kernel(c.weight("pointwise_kernel")), bias, 1,
                    {A::make_ints("kernel_shape", ones), A::make_ints("strides", ones)});
    }
  }
  y = to_channels_last(b, c, y, r);
  OnnxValue pre{y, c.output_shapes.at(0), x.dtype};
  return {add_activation(b, activation_name(c.config.get("activation", "linear")), pre, c)};
}

// ConvTranspose with the padding of the convolution it is the gradient of (from the
// output's size back to the input's, TensorFlow's rule: the odd cell at the end), and
// output_padding for cells past the last window.
V conv_transpose(GraphBuilder& b, const LayerCall& c) {
  OnnxValue x = float_input(b, c, c.x());
  const int64_t r = x.rank();
  const size_t s = static_cast<size_t>(r - 2);
  auto kernel = ints_of(c, "kernel_size", s, 1), strides = ints_of(c, "strides", s, 1),
       dilation = ints_of(c, "dilation_rate", s, 1);
  const std::string padding = c.config.get("padding", "valid").as_string();
  const ShapeSpec& o = c.output_shapes.at(0);
  std::vector<int64_t> pads(2 * s, 0), extra(s, 0);
  const size_t a = size_t(spatial_axis(c));
  for (size_t i = 0; i < s; ++i) {
    const int64_t in = x.shape.at(i + a), outn = o.at(i + a);
    if (in < 0 || outn < 0) c.fail("the spatial sizes must be known");
    const int64_t total = (in - 1) * strides[i] + (kernel[i] - 1) * dilation[i] + 1 - outn;
    if (total >= 0 && padding == "same") {
      pads[i] = total / 2;
      pads[i + s] = total - total / 2;
    } else if (total >= 0) {
      pads[i + s] = total;
    } else {
      extra[i] = -total;
    }
  }
  std::vector<OnnxAttr> attrs{A::make_ints("kernel_shape", kernel), A::make_ints("strides", strides),
                              A::make_ints("dilations", dilation), A::make_ints("pads", pads),
                              A::make_ints("output_padding", extra)};
  std::vector<std::string> in{to_channels_first(b, c, x.name, r), b.constant(onnx_kernel(c.weight("kernel")), "kernel")};
  if (c.config.get("use_bias", true).as_bool()) in.push_back(b.constant(c.weight("bias"), "bias"));
  std::string y = to_channels_last(b, c, b.add("ConvTranspose", in, attrs), r);
  OnnxValue pre{y, o, x.dtype};
  return {add_activation(b, activation_name(c.config.get("activation", "linear")), pre, c)};
}

V pooling(GraphBuilder& b, const LayerCall& c) {
  const OnnxValue& x = c.x();
  const int64_t r = x.rank();
  const size_t s = static_cast<size_t>(r - 2);
  auto pool = ints_of(c, "pool_size", s, 2);
  const Value sv = c.config.get("strides", Value());
  auto strides = sv.is_null() ? pool : ints_of(c, "strides", s, 1);
  const std::vector<int64_t> ones(s, 1);
  const bool max = c.layer.class_name().rfind("Max", 0) == 0;
  // AveragePool's count_include_pad = 0 (the default) divides by the cells inside the
  // input, as TensorFlow's "same" average pooling does.
  std::string y = b.add(max ? "MaxPool" : "AveragePool", {to_channels_first(b, c, x.name, r)}, window(c, pool, strides, ones, false));
  return {out(to_channels_last(b, c, y, r), x.dtype)};
}

V global_pooling(GraphBuilder& b, const LayerCall& c) {
  const OnnxValue& x = c.x();
  std::vector<int64_t> axes;
  for (int64_t i = 1; i < x.rank() - 1; ++i) axes.push_back(i + spatial_axis(c) - 1);
  const bool max = c.layer.class_name().rfind("GlobalMax", 0) == 0;
  const int64_t keep = c.config.get("keepdims", false).as_bool() ? 1 : 0;
  return {out(b.add(max ? "ReduceMax" : "ReduceMean", {x.name}, {A::make_ints("axes", axes), A::make_int("keepdims", keep)}),
              x.dtype)};
}

// ((before, after), ...) per spatial axis from the config ((before, after) for one axis).
std::vector<std::pair<int64_t, int64_t>> pairs(const LayerCall& c, const char* key) {
  const Value v = c.config.at(key);
  std::vector<std::pair<int64_t, int64_t>> p;
  const auto& items = v.as_list();
  if (!items.empty() && items[0].type() == Value::Type::integer) {
    p.emplace_back(items.at(0).as_int(), items.at(1).as_int());
  } else {
    for (const Value& e : items) p.emplace_back(e.as_list().at(0).as_int(), e.as_list().at(1).as_int());
  }
  if (int64_t(p.size()) != c.x().rank() - 2) c.fail(std::string("expected one (before, after) pair per spatial axis in '") + key + "'");
  return p;
}

V zero_padding(GraphBuilder& b, const LayerCall& c) {
  const auto p = pairs(c, "padding");
  const size_t r = size_t(c.x().rank());
  std::vector<int64_t> pads(2 * r, 0);
  const size_t a = size_t(spatial_axis(c));
  for (size_t i = 0; i < p.size(); ++i) {
    pads[i + a] = p[i].first;
    pads[r + i + a] = p[i].second;
  }
  return {out(b.add("Pad", {c.x().name, b.ints(pads, "pads")}, {A::make_string("mode", "constant")}), c.x().dtype)};
}

V cropping(GraphBuilder& b, const LayerCall& c) {
  const auto p = pairs(c, "cropping");
  std::vector<int64_t> starts, ends, axes;
  for (size_t i = 0; i < p.size(); ++i) {
    starts.push_back(p[i].first);
    ends.push_back(p[i].second > 0 ? -p[i].second : std::numeric_limits<int64_t>::max());
    axes.push_back(int64_t(i) + spatial_axis(c));
  }
  return {out(b.add("Slice", {c.x().name, b.ints(starts, "starts"), b.ints(ends, "ends"), b.ints(axes, "axes")}),
              c.x().dtype)};
}

// Nearest upsampling repeats each row: Resize with integer scales, asymmetric coordinates
// and floor rounding reads input cell floor(i / scale).
V up_sampling(GraphBuilder& b, const LayerCall& c) {
  const std::string interpolation = c.config.get("interpolation", "nearest").as_string();
  if (interpolation != "nearest") c.fail("interpolation '" + interpolation + "' is not exported (only 'nearest')");
  const int64_t r = c.x().rank();
  auto size = ints_of(c, "size", size_t(r - 2), 2);
  std::vector<float> scales{1.0f};
  if (channels_first(c)) scales.push_back(1.0f);
  for (int64_t v : size) scales.push_back(float(v));
  if (!channels_first(c)) scales.push_back(1.0f);
  std::string sc = b.constant(core::constant(scales), "scales");
  return {out(b.add("Resize", {c.x().name, "", sc},
                    {A::make_string("mode", "nearest"), A::make_string("coordinate_transformation_mode", "asymmetric"),
                     A::make_string("nearest_mode", "floor")}),
              c.x().dtype)};
}

}  // namespace

void add_spatial_converters(std::vector<ConverterEntry>& v) {
  using namespace layers;
  for (const char* d : {"1D", "2D", "3D"}) {
    const std::string n = d;
    add_converter<ConvLayer>(v, "Conv" + n, conv);
    add_converter<PoolingLayer>(v, "MaxPooling" + n, pooling);
    add_converter<PoolingLayer>(v, "AveragePooling" + n, pooling);
    add_converter<GlobalPoolingLayer>(v, "GlobalMaxPooling" + n, global_pooling);
    add_converter<GlobalPoolingLayer>(v, "GlobalAveragePooling" + n, global_pooling);
    add_converter<ZeroPaddingLayer>(v, "ZeroPadding" + n, zero_padding);
    add_converter<CroppingLayer>(v, "Cropping" + n, cropping);
    add_converter<UpSamplingLayer>(v, "UpSampling" + n, up_sampling);
  }
  for (const char* n : {"Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose"}) add_converter<ConvTransposeLayer>(v, n, conv_transpose);
  add_converter<DepthwiseConvLayer>(v, "DepthwiseConv1D", conv);
  add_converter<DepthwiseConvLayer>(v, "DepthwiseConv2D", conv);
  add_converter<SeparableConvLayer>(v, "SeparableConv1D", conv);
  add_converter<SeparableConvLayer>(v, "SeparableConv2D", conv);
}

}  // namespace keras::saving::onnx
