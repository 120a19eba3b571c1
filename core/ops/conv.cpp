// conv.cpp - convolution and pooling, channels_last: checks, shape rules, gradient rules
// and Keras's padding names. Kernels: core/cpu/conv.cpp (oneDNN for float32, a direct
// loop for float64), core/cpu/pool.cpp.
//
// Attrs read (one entry per spatial axis, 1 to 3 of them):
// - Conv (x, kernel), ConvBackpropInput (dy, kernel), ConvBackpropFilter (x, dy):
//   strides (>= 1), begin = padding before, end = padding after (>= 0), axes = dilation
//   (>= 1); shape = the input's shape (ConvBackpropInput) or the kernel's
//   (ConvBackpropFilter). x (batch, *spatial, channels), kernel (*size, channels / groups,
//   filters); filters divisible by groups. Output (batch, *out, filters) with
//   out = (in + before + after - ((size - 1) * dilation + 1)) / stride + 1 (>= 1).
//   Every padding is smaller than its window ((size - 1) * dilation + 1, the pool size):
//   no window is only padding.
// - MaxPool (x), AvgPool (x), MaxPoolGrad (x, dy), AvgPoolGrad (dy): axes = pool size,
//   strides, begin/end = padding;
//   shape = the input's shape (AvgPoolGrad). AvgPool averages the cells inside the input.
#include <algorithm>
#include <string>

#include "core/dispatch.h"
#include "core/init.h"
#include "core/ops.h"
#include "core/ops/conv_util.h"

namespace keras::core {
namespace conv_util {

namespace {
std::string dims_str(const std::vector<int64_t>& v) { return Shape(v).str(); }
}  // namespace

// Keras's padding names as explicit padding for inputs of spatial sizes `in`.
void resolve_padding(const char* op, const std::string& padding, const Shape& x,
                     const std::vector<int64_t>& window, const std::vector<int64_t>& dilation, Attrs& a) {
  const int64_t r = x.rank() - 2;
  a.begin.assign(size_t(r), 0);
  a.end.assign(size_t(r), 0);
  if (padding == "valid") return;
  if (padding == "causal") {
    if (r != 1)
      throw_invalid(std::string(op) + ": padding \"causal\" needs 1 spatial axis, but received inputs of shape " +
                    x.str());
    a.begin[0] = (window[0] - 1) * dilation[0];
    return;
  }
  if (padding != "same")
    throw_invalid(std::string(op) + ": expected padding \"valid\", \"same\" or \"causal\", but received \"" +
                  padding + "\"");
  for (int64_t i = 0; i < r; ++i) {
    const size_t u = size_t(i);
    const int64_t s = a.strides[u], in = x[i + 1];
    const int64_t out = (in + s - 1) / s, eff = (window[u] - 1) * dilation[u] + 1;
    const int64_t total = std::max<int64_t>(0, (out - 1) * s + eff - in);
    a.begin[u] = total / 2;
    a.end[u] = total - total / 2;
  }
}

// One value per spatial axis (a single value is repeated).
std::vector<int64_t> per_axis(const char* op, const char* what, const ops::SpatialArg& v, const Tensor& x,
                              int64_t min) {
  const int64_t r = x.rank() - 2;
  if (r < 1 || r > 3)
    throw_invalid(std::string(op) + ": expected inputs of rank 3, 4 or 5 (batch, 1 to 3 spatial axes, "
                  "channels), but received shape " + x.shape().str());
  if (v.v.size() != 1 && static_cast<int64_t>(v.v.size()) != r)
    throw_invalid(std::string(op) + ": expected " + what + " to have 1 or " + std::to_string(r) +
                  " values for inputs of shape " + x.shape().str() + ", but received " + dims_str(v.v));
  for (int64_t e : v.v)
    if (e < min)
      throw_invalid(std::string(op) + ": expected every " + what + " to be >= " + std::to_string(min) +
                    ", but received " + dims_str(v.v));
  if (v.v.size() == 1) return std::vector<int64_t>(size_t(r), v.v[0]);
  return v.v;
}

bool checked_channels_first(const char* op, std::initializer_list<const Tensor*> ts,
                            const std::string& data_format) {
  for (const Tensor* t : ts)
    if (!t->defined()) throw_invalid(std::string(op) + ": an input is an undefined tensor");
  return ops::is_channels_first(data_format, op);
}

// A Conv's attributes from Keras's arguments (conv_util.h).
Attrs conv_attrs(const char* op, const Tensor& x, const Tensor& kernel, const ops::SpatialArg& strides,
                 const std::string& padding, const ops::SpatialArg& dilation_rate) {
  Attrs a;
  a.strides = per_axis(op, "strides", strides, x);
  a.axes = per_axis(op, "dilation_rate", dilation_rate, x);
  const int64_t r = x.rank() - 2;
  if (kernel.rank() != r + 2)
    throw_invalid(std::string(op) + ": expected a kernel of rank " + std::to_string(r + 2) +
                  " (kernel_size..., in_channels, filters) for inputs of shape " + x.shape().str() +
                  ", but received kernel shape " + kernel.shape().str());
  std::vector<int64_t> size(kernel.shape().dims().begin(), kernel.shape().dims().begin() + r);
  for (size_t i = 0; i < size.size(); ++i)
    if (a.strides[i] > 1 && a.axes[i] > 1)
      throw_invalid(std::string(op) + ": strides > 1 with dilation_rate > 1 is not supported (as in Keras), "
                    "received strides " + dims_str(a.strides) + " and dilation_rate " + dims_str(a.axes));
  resolve_padding(op, padding, x.shape(), size, a.axes, a);
  return a;
}

}  // namespace conv_util

namespace {

using namespace conv_util;

using ops::SpatialArg;
using ops::WindowGeometry;

// The spatial rank of a (batch, *spatial, channels) tensor, checked.
int64_t spatial_rank(const OpCall& c, const Shape& s, const char* arg) {
  if (s.rank() < 3 || s.rank() > 5)
    throw_invalid(std::string(c.name()) + ": expected " + arg +
                  " of rank 3, 4 or 5 (batch, 1 to 3 spatial axes, channels), but received shape " +
                  s.str());
  return s.rank() - 2;
}

void expect_len(const OpCall& c, const std::vector<int64_t>& v, int64_t r, const char* what, int64_t min) {
  if (static_cast<int64_t>(v.size()) != r)
    throw_invalid(std::string(c.name()) + ": expected " + std::to_string(r) + " " + what +
                  " (one per spatial axis), but received " + dims_str(v));
  for (int64_t x : v)
    if (x < min)
      throw_invalid(std::string(c.name()) + ": expected every " + what + " to be >= " +
                    std::to_string(min) + ", but received " + dims_str(v));
}

// Output spatial sizes of a window op on the input's spatial sizes.
std::vector<int64_t> out_sizes(const OpCall& c, const Shape& x, const std::vector<int64_t>& window,
                               const std::vector<int64_t>& dilation) {
  const Attrs& a = c.attrs;
  const int64_t r = x.rank() - 2;
  expect_len(c, a.strides, r, "strides", 1);
  expect_len(c, a.begin, r, "padding before", 0);
  expect_len(c, a.end, r, "padding after", 0);
  std::vector<int64_t> out(static_cast<size_t>(r));
  for (int64_t i = 0; i < r; ++i) {
    const size_t u = static_cast<size_t>(i);
    if (window[u] > (int64_t(1) << 31) || dilation[u] > (int64_t(1) << 31))
      throw_invalid(std::string(c.name()) + ": window size " + dims_str(window) + " or dilation " +
                    dims_str(dilation) + " out of range");
    const int64_t eff = (window[u] - 1) * dilation[u] + 1;
    // Keras's paddings ("same", "causal") never reach a whole window: larger ones (a graph
    // file's) are refused, so an output is never larger than its input allows.
    if (a.begin[u] >= eff || a.end[u] >= eff)
      throw_invalid(std::string(c.name()) + ": expected padding smaller than the window (" + std::to_string(eff) +
                    " cells on spatial axis " + std::to_string(i) + "), but received " + dims_str(a.begin) + " / " +
                    dims_str(a.end));
    const int64_t padded = x[i + 1] + a.begin[u] + a.end[u];
    if (padded < eff)
      throw_invalid(std::string(c.name()) + ": the window (size " + dims_str(window) + ", dilation " +
                    dims_str(dilation) + ") does not fit the input of shape " + x.str() +
                    " with padding " + dims_str(a.begin) + " / " + dims_str(a.end) + " on spatial axis " +
                    std::to_string(i));
    out[u] = (padded - eff) / a.strides[u] + 1;
  }
  return out;
}

}  // namespace

// Checks the conv geometry of x and a kernel shape; returns the output shape (conv_util.h).
Shape conv_util::conv_shape(const OpCall& c, const Shape& x, const Shape& k) {
  const int64_t r = spatial_rank(c, x, "inputs");
  if (k.rank() != r + 2)
    throw_invalid(std::string(c.name()) + ": expected a kernel of rank " + std::to_string(r + 2) +
                  " (kernel_size..., in_channels, filters) for inputs of shape " + x.str() +
                  ", but received kernel shape " + k.str());
  expect_len(c, c.attrs.axes, r, "dilation rates", 1);
  const int64_t channels = x[r + 1], kin = k[r], filters = k[r + 1];
  if (kin <= 0 || channels % kin != 0)
    throw_invalid(std::string(c.name()) + ": expected the input channels (" + std::to_string(channels) +
                  ", inputs of shape " + x.str() + ") to be a multiple of the kernel's in_channels (" +
                  std::to_string(kin) + ", kernel of shape " + k.str() + ")");
  const int64_t groups = channels / kin;
  if (filters % groups != 0)
    throw_invalid(std::string(c.name()) + ": expected the kernel's filters (" + std::to_string(filters) +
                  ") to be divisible by groups (" + std::to_string(groups) + " = input channels " +
                  std::to_string(channels) + " / kernel in_channels " + std::to_string(kin) + ")");
  std::vector<int64_t> size(k.dims().begin(), k.dims().begin() + r);
  for (int64_t s : size)
    if (s < 1) throw_invalid(std::string(c.name()) + ": expected a kernel size >= 1, but received kernel shape " + k.str());
  std::vector<int64_t> dims = out_sizes(c, x, size, c.attrs.axes);
  dims.insert(dims.begin(), x[0]);
  dims.push_back(filters);
  return Shape(std::move(dims));
}

namespace {

void expect_shape(const OpCall& c, const Tensor& t, const char* arg, const Shape& want) {
  if (t.shape() != want)
    throw_invalid(std::string(c.name()) + ": expected " + arg + " of shape " + want.str() +
                  ", but received shape " + t.shape().str());
}

// The window ops' dtypes: float32 and float64, and bfloat16 for a device that declares its
// own kernel (others compute half dtypes in float32 before this runs: half_ops.h).
constexpr std::initializer_list<DType> kWindowTypes = {DType::float32, DType::float64, DType::bfloat16};

void expect_floats(const OpCall& c, const Tensor& a, const char* an, const Tensor& b) {
  expect_dtype(c, a, an, kWindowTypes);
  expect_same_dtype(c, a, b);
}

void infer_conv(OpCall& c) {
  expect_floats(c, c.in(0), "inputs", c.in(1));
  c.set_output(0, conv_shape(c, c.in(0).shape(), c.in(1).shape()), c.in(0).dtype());
}

void infer_conv_bpi(OpCall& c) {  // (dy, kernel) -> dx of shape attrs.shape
  expect_floats(c, c.in(0), "dy", c.in(1));
  const Shape x(c.attrs.shape);
  expect_shape(c, c.in(0), "dy", conv_shape(c, x, c.in(1).shape()));
  c.set_output(0, x, c.in(0).dtype());
}

void infer_conv_bpf(OpCall& c) {  // (x, dy) -> dkernel of shape attrs.shape
  expect_floats(c, c.in(0), "inputs", c.in(1));
  const Shape k(c.attrs.shape);
  expect_shape(c, c.in(1), "dy", conv_shape(c, c.in(0).shape(), k));
  c.set_output(0, k, c.in(0).dtype());
}

Shape pool_shape(const OpCall& c, const Shape& x) {
  const int64_t r = spatial_rank(c, x, "inputs");
  expect_len(c, c.attrs.axes, r, "pool sizes", 1);
  std::vector<int64_t> dims = out_sizes(c, x, c.attrs.axes, std::vector<int64_t>(size_t(r), 1));
  dims.insert(dims.begin(), x[0]);
  dims.push_back(x[r + 1]);
  return Shape(std::move(dims));
}

void infer_pool(OpCall& c) {
  expect_dtype(c, c.in(0), "inputs", kWindowTypes);
  c.set_output(0, pool_shape(c, c.in(0).shape()), c.in(0).dtype());
}

void infer_max_pool_grad(OpCall& c) {  // (x, dy) -> dx
  expect_floats(c, c.in(0), "inputs", c.in(1));
  expect_shape(c, c.in(1), "dy", pool_shape(c, c.in(0).shape()));
  c.set_output(0, c.in(0).shape(), c.in(0).dtype());
}

void infer_avg_pool_grad(OpCall& c) {  // (dy) -> dx of shape attrs.shape
  expect_dtype(c, c.in(0), "dy", kWindowTypes);
  const Shape x(c.attrs.shape);
  expect_shape(c, c.in(0), "dy", pool_shape(c, x));
  c.set_output(0, x, c.in(0).dtype());
}

WindowGeometry geometry(const Attrs& a) { return {a.strides, a.begin, a.end, a.axes}; }

}  // namespace

// ---- gradient rules (every one is linear in each input: the adjoints are the ops) -----
std::vector<Tensor> conv_grad(const GradContext& c) {
  const WindowGeometry g = geometry(c.attrs);
  const Tensor& dz = c.grad();
  switch (c.op) {
    case OpId::Conv: {  // y = conv(x, w)
      const Tensor &x = c.in(0), &w = c.in(1);
      return {c.needs(0) ? ops::conv_backprop_input(dz, w, x.shape(), g) : Tensor(),
              c.needs(1) ? ops::conv_backprop_filter(x, dz, w.shape(), g) : Tensor()};
    }
    case OpId::ConvBackpropInput: {  // dx = bpi(dy, w): <dz, dx> = <conv(dz, w), dy>
      const Tensor &dy = c.in(0), &w = c.in(1);
      return {c.needs(0) ? dispatch(OpId::Conv, {dz, w}, c.attrs) : Tensor(),
              c.needs(1) ? ops::conv_backprop_filter(dz, dy, w.shape(), g) : Tensor()};
    }
    case OpId::ConvBackpropFilter: {  // dw = bpf(x, dy): <dz, dw> = <x, bpi(dy, dz)> = <conv(x, dz), dy>
      const Tensor &x = c.in(0), &dy = c.in(1);
      return {c.needs(0) ? ops::conv_backprop_input(dy, dz, x.shape(), g) : Tensor(),
              c.needs(1) ? dispatch(OpId::Conv, {x, dz}, c.attrs) : Tensor()};
    }
    case OpId::MaxPool: return {ops::max_pool_grad(c.in(0), dz, c.attrs.axes, g)};
    case OpId::AvgPool: return {ops::average_pool_grad(dz, c.in(0).shape(), c.attrs.axes, g)};
    case OpId::AvgPoolGrad: {
      Attrs a = c.attrs;
      a.shape.clear();
      return {dispatch(OpId::AvgPool, {dz}, a)};
    }
    default: return {Tensor()};
  }
}

namespace {

Tensor pool(OpId id, const char* op, const Tensor& x, const SpatialArg& size,
            const std::optional<SpatialArg>& strides, const std::string& padding,
            const std::string& data_format) {
  if (checked_channels_first(op, {&x}, data_format))
    return ops::channels_to_first(pool(id, op, ops::channels_to_last(x), size, strides, padding, "channels_last"));
  if (padding == "causal") throw_invalid(std::string(op) + ": expected padding \"valid\" or \"same\", but received \"causal\"");
  Attrs a;
  a.axes = per_axis(op, "pool_size", size, x);
  a.strides = strides ? per_axis(op, "strides", *strides, x) : a.axes;
  resolve_padding(op, padding, x.shape(), a.axes, std::vector<int64_t>(a.axes.size(), 1), a);
  return dispatch(id, {x}, a);
}

Attrs window_attrs(const WindowGeometry& g, std::vector<int64_t> shape, std::vector<int64_t> axes) {
  Attrs a;
  a.strides = g.strides;
  a.begin = g.pad_before;
  a.end = g.pad_after;
  a.axes = std::move(axes);
  a.shape = std::move(shape);
  return a;
}

}  // namespace

void define_conv_ops() {
  define_op(OpId::Conv, infer_conv);
  define_op(OpId::ConvBackpropInput, infer_conv_bpi);
  define_op(OpId::ConvBackpropFilter, infer_conv_bpf);
  define_op(OpId::MaxPool, infer_pool);
  define_op(OpId::AvgPool, infer_pool);
  define_op(OpId::MaxPoolGrad, infer_max_pool_grad);  // no gradient rule (TF's MaxPoolGradGrad)
  define_op(OpId::AvgPoolGrad, infer_avg_pool_grad);
  for (OpId op : {OpId::Conv, OpId::ConvBackpropInput, OpId::ConvBackpropFilter, OpId::MaxPool,
                  OpId::AvgPool, OpId::AvgPoolGrad})
    define_grad(op, conv_grad);
}

namespace ops {
Tensor conv(const Tensor& x, const Tensor& kernel, const SpatialArg& strides, const std::string& padding,
            const std::string& data_format, const SpatialArg& dilation_rate) {
  if (checked_channels_first("conv", {&x, &kernel}, data_format))
    return channels_to_first(conv(channels_to_last(x), kernel, strides, padding, "channels_last", dilation_rate));
  return dispatch(OpId::Conv, {x, kernel}, conv_attrs("conv", x, kernel, strides, padding, dilation_rate));
}
Tensor max_pool(const Tensor& x, const SpatialArg& size, const std::optional<SpatialArg>& strides,
                const std::string& padding, const std::string& data_format) {
  return pool(OpId::MaxPool, "max_pool", x, size, strides, padding, data_format);
}
Tensor average_pool(const Tensor& x, const SpatialArg& size, const std::optional<SpatialArg>& strides,
                    const std::string& padding, const std::string& data_format) {
  return pool(OpId::AvgPool, "average_pool", x, size, strides, padding, data_format);
}
Tensor conv_backprop_input(const Tensor& dy, const Tensor& kernel, const Shape& input_shape,
                           const WindowGeometry& g) {
  return dispatch(OpId::ConvBackpropInput, {dy, kernel}, window_attrs(g, input_shape.dims(), g.dilation));
}
Tensor conv_backprop_filter(const Tensor& x, const Tensor& dy, const Shape& kernel_shape, const WindowGeometry& g) {
  return dispatch(OpId::ConvBackpropFilter, {x, dy}, window_attrs(g, kernel_shape.dims(), g.dilation));
}
Tensor max_pool_grad(const Tensor& x, const Tensor& dy, const std::vector<int64_t>& pool_size,
                     const WindowGeometry& g) {
  return dispatch(OpId::MaxPoolGrad, {x, dy}, window_attrs(g, {}, pool_size));
}
Tensor average_pool_grad(const Tensor& dy, const Shape& input_shape, const std::vector<int64_t>& pool_size,
                         const WindowGeometry& g) {
  return dispatch(OpId::AvgPoolGrad, {dy}, window_attrs(g, input_shape.dims(), pool_size));
}
}  // namespace ops
}  // namespace keras::core
