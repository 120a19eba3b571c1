// onnx_layers_more.cpp - ONNX converters of Dot, UnitNormalization and Normalization
// (the preprocessing layer, adapted or with given mean and variance).
#include <algorithm>

#include "core/ops.h"
#include "keras/layers/all.h"
#include "keras/saving/onnx_builder.h"

namespace keras::saving::onnx {

namespace {
namespace ops = core::ops;
using A = OnnxAttr;
using V = std::vector<OnnxValue>;

// The axes of an "axis" config entry (an int, a list, or null: none) normalized for rank r.
std::vector<int64_t> axes_of(const LayerCall& c, int64_t r) {
  const Value a = c.config.get("axis", Value(-1));
  std::vector<int64_t> axes;
  if (a.is_null()) return axes;
  for (int64_t ax : a.type() == Value::Type::list ? a.as_ints() : std::vector<int64_t>{a.as_int()})
    axes.push_back(core::normalize_axis(ax, r, c.layer.class_name().c_str()));
  std::sort(axes.begin(), axes.end());
  return axes;
}

// Keras's Dot as keras-cpp computes it: the contracted axis moved last in a and first
// (after the batch) in b, both reshaped to 3-D, a batched MatMul, reshaped to the output.
V dot(GraphBuilder& b, const LayerCall& c) {
  OnnxValue x = c.inputs.at(0), y = c.inputs.at(1);
  std::vector<int64_t> axes = c.config.at("axes").type() == Value::Type::list ? c.config.at("axes").as_ints()
                                                                             : std::vector<int64_t>{c.config.at("axes").as_int()};
  if (axes.size() == 1) axes.push_back(axes[0]);
  const int64_t a0 = core::normalize_axis(axes.at(0), x.rank(), "Dot"), a1 = core::normalize_axis(axes.at(1), y.rank(), "Dot");
  std::string xn = x.name, yn = y.name;
  if (c.config.get("normalize", false).as_bool()) {  // t / sqrt(max(sum(t^2), 1e-12)) along the axis
    auto l2n = [&](const OnnxValue& t, int64_t ax) {
      std::string s = b.add("ReduceSumSquare", {t.name}, {A::make_ints("axes", {ax}), A::make_int("keepdims", 1)});
      return b.add("Div", {t.name, b.add("Sqrt", {b.add("Max", {s, b.scalar(1e-12, t.dtype, "epsilon")})})});
    };
    xn = l2n(x, a0);
    yn = l2n(y, a1);
  }
  auto move = [&](const std::string& t, int64_t rank, int64_t from, int64_t to) {
    std::vector<int64_t> perm;
    for (int64_t i = 0; i < rank; ++i)
      if (i != from) perm.push_back(i);
    perm.insert(perm.begin() + (to < 0 ? int64_t(perm.size()) + 1 + to : to), from);
    return b.add("Transpose", {t}, {A::make_ints("perm", perm)});
  };
  const int64_t k = x.shape.at(size_t(a0));
  if (k < 0) c.fail("the contracted axis must have a known size");
  std::string am = b.add("Reshape", {move(xn, x.rank(), a0, -1), b.ints({0, -1, k}, "shape")});
  std::string bm = b.add("Reshape", {move(yn, y.rank(), a1, 1), b.ints({0, k, -1}, "shape")});
  std::vector<int64_t> shape{0};
  const ShapeSpec& o = c.output_shapes.at(0);
  shape.insert(shape.end(), o.begin() + 1, o.end());
  if (std::count(shape.begin(), shape.end(), -1) > 1) c.fail("the output may have one unknown size besides the batch");
  return {out(b.add("Reshape", {b.add("MatMul", {am, bm}), b.ints(shape, "shape")}), x.dtype)};
}

// x / sqrt(max(sum(x^2, axes), 1e-24))
V unit_normalization(GraphBuilder& b, const LayerCall& c) {
  OnnxValue x = float_input(b, c, c.x());
  std::string s = b.add("ReduceSumSquare", {x.name}, {A::make_ints("axes", axes_of(c, x.rank())), A::make_int("keepdims", 1)});
  std::string inv = b.add("Reciprocal", {b.add("Sqrt", {b.add("Max", {s, b.scalar(1e-24, x.dtype, "epsilon")})})});
  return {out(b.add("Mul", {x.name, inv}), x.dtype)};
}

// (x - mean) / max(sqrt(variance), 1e-7), or mean + x * that scale with invert; mean and
// variance shaped as the layer broadcasts them (adapted weights, or the given values:
// one, one per index of the last kept axis, or one per kept index).
V normalization(GraphBuilder& b, const LayerCall& c) {
  OnnxValue x = float_input(b, c, c.x());
  const int64_t r = x.rank();
  const std::vector<int64_t> keep = axes_of(c, r);
  std::vector<int64_t> bshape(size_t(r), 1);
  for (int64_t a : keep) {
    if (x.shape[size_t(a)] < 0) c.fail("the kept axes must have known sizes");
    bshape[size_t(a)] = x.shape[size_t(a)];
  }
  auto values = [&](const char* key) {
    const Value v = c.config.get(key, Value());
    Tensor t;
    if (v.is_null() || (v.type() == Value::Type::list && v.as_list().empty())) {
      t = c.weight(key);
    } else {
      std::vector<double> d;
      if (v.type() == Value::Type::list)
        for (const Value& e : v.as_list()) d.push_back(e.as_double());
      else
        d.push_back(v.as_double());
      t = core::constant(d);
    }
    t = t.dtype() == x.dtype ? t : ops::cast(t, x.dtype);
    if (t.size() == 1) return ops::reshape(t, {});
    if (!keep.empty() && t.size() == bshape[size_t(keep.back())] && t.size() != core::Shape(bshape).num_elements()) {
      std::vector<int64_t> s(size_t(r), 1);
      s[size_t(keep.back())] = t.size();
      return ops::reshape(t, s);
    }
    return ops::reshape(t, bshape);
  };
  Tensor mean = values("mean"), variance = values("variance");
  Tensor scale = ops::maximum(ops::sqrt(variance), ops::scalar_like(variance, 1e-7));
  const std::string m = b.constant(mean, "mean"), s = b.constant(scale, "scale");
  if (c.config.get("invert", false).as_bool()) return {out(b.add("Add", {m, b.add("Mul", {x.name, s})}), x.dtype)};
  return {out(b.add("Div", {b.add("Sub", {x.name, m}), s}), x.dtype)};
}

}  // namespace

void add_more_converters(std::vector<ConverterEntry>& v) {
  using namespace layers;
  add_converter<DotLayer>(v, "Dot", dot);
  add_converter<UnitNormalizationLayer>(v, "UnitNormalization", unit_normalization);
  add_converter<NormalizationLayer>(v, "Normalization", normalization);
}

}  // namespace keras::saving::onnx
