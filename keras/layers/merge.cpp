#include "keras/layers/merge.h"

#include <stdexcept>

#include "core/ops.h"
#include "keras/layers/args.h"
#include "keras/layers/sparse_merge.h"

namespace keras::layers {
namespace ops = core::ops;

namespace {
const char* kind_class(MergeLayer::Kind k) {
  switch (k) {
    case MergeLayer::Kind::add: return "Add";
    case MergeLayer::Kind::subtract: return "Subtract";
    case MergeLayer::Kind::multiply: return "Multiply";
    case MergeLayer::Kind::average: return "Average";
    case MergeLayer::Kind::maximum: return "Maximum";
    case MergeLayer::Kind::minimum: return "Minimum";
  }
  return "Merge";
}
}  // namespace

MergeLayer::MergeLayer(Kind kind, const LayerOptions& o) : Layer(kind_class(kind), o), kind_(kind) {
  supports_masking_ = true;
}

void MergeLayer::build(const std::vector<ShapeSpec>& shapes) {
  const size_t want_min = kind_ == Kind::subtract ? 2 : 1;
  if (shapes.size() < want_min || (kind_ == Kind::subtract && shapes.size() != 2))
    throw std::invalid_argument(name() + ": expected " +
                                (kind_ == Kind::subtract ? std::string("exactly 2 inputs")
                                                         : std::string("at least 1 input")) +
                                ", but received " + std::to_string(shapes.size()));
}

std::vector<Tensor> MergeLayer::call(const std::vector<Tensor>& xs, bool) {
  Tensor y = xs[0];
  for (size_t i = 1; i < xs.size(); ++i) {
    switch (kind_) {
      case Kind::add:
      case Kind::average: y = ops::add(y, xs[i]); break;
      case Kind::subtract: y = ops::subtract(y, xs[i]); break;
      case Kind::multiply: y = ops::multiply(y, xs[i]); break;
      case Kind::maximum: y = ops::maximum(y, xs[i]); break;
      case Kind::minimum: y = ops::minimum(y, xs[i]); break;
    }
  }
  if (kind_ == Kind::average) y = ops::multiply(y, ops::scalar_like(y, 1.0 / double(xs.size())));
  return {y};
}

std::vector<Tensor> MergeLayer::call(const std::vector<Tensor>& xs, const CallContext& ctx) {
  if (detail::any_sparse(xs)) return {detail::merge_sparse(kind_, xs)};  // (sparse inputs have no masks)
  bool any_mask = false, same_rank = true;
  for (size_t i = 0; i < xs.size(); ++i) {
    any_mask = any_mask || ctx.mask(i).defined();
    same_rank = same_rank && xs[i].rank() == xs[0].rank();
  }
  // Keras reshapes inputs of different ranks, which leaves their masks behind.
  if (!any_mask || !same_rank || kind_ == Kind::add || kind_ == Kind::subtract || kind_ == Kind::average)
    return call(xs, ctx.training);
  auto spread = [&](size_t i) {  // the (batch, steps) mask over input i's last axis
    const Tensor m = ctx.mask(i);
    return m.defined() ? ops::broadcast_to(ops::expand_dims(ops::cast(m, DType::bool_), -1), xs[i].shape()) : m;
  };
  if (kind_ == Kind::multiply) {
    bool all_masked = true;
    for (size_t i = 0; i < xs.size(); ++i) all_masked = all_masked && ctx.mask(i).defined();
    Tensor y, kept;
    for (size_t i = 0; i < xs.size(); ++i) {
      Tensor x = xs[i];
      if (Tensor m = spread(i); m.defined()) {
        x = ops::where(m, x, ops::scalar_like(x, 1.0));
        if (all_masked) kept = kept.defined() ? ops::logical_or(kept, m) : m;
      }
      y = y.defined() ? ops::multiply(y, x) : x;
    }
    if (all_masked) y = ops::where(kept, y, ops::scalar_like(y, 0.0));
    return {y};
  }
  Tensor y = xs[0], kept = spread(0);
  for (size_t i = 1; i < xs.size(); ++i) {
    Tensor x = xs[i], m = spread(i);
    if (m.defined()) x = ops::where(m, x, y);
    if (kept.defined()) y = ops::where(kept, y, x);
    kept = m.defined() && kept.defined() ? ops::logical_or(kept, m) : Tensor();
    y = kind_ == Kind::maximum ? ops::maximum(y, x) : ops::minimum(y, x);
  }
  return {y};
}

Config MergeLayer::get_config() const { return base_config(); }

template <MergeLayer::Kind K>
LayerPtr MergeLayer::from_config(const Config& c) {
  return make<MergeLayer>(K, layer_options_from(c));
}

std::vector<Tensor> MergeLayer::compute_mask(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks) {
  Tensor any;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (i >= masks.size() || !masks[i].defined()) return {Tensor()};
    const Tensor m = ops::cast(masks[i], DType::bool_);
    any = any.defined() ? ops::logical_or(any, m) : m;
  }
  return {any};
}

ConcatenateLayer::ConcatenateLayer(int64_t axis, const LayerOptions& o) : Layer("Concatenate", o), axis_(axis) {
  supports_masking_ = true;
}

void ConcatenateLayer::build(const std::vector<ShapeSpec>& shapes) {
  if (shapes.size() < 2)
    throw std::invalid_argument(name() + ": expected at least 2 inputs, but received " +
                                std::to_string(shapes.size()));
  const size_t r = shapes[0].size();
  const int64_t ax = axis_ < 0 ? axis_ + int64_t(r) : axis_;
  for (size_t i = 1; i < shapes.size(); ++i) {
    bool ok = shapes[i].size() == r;
    for (size_t d = 0; ok && d < r; ++d)
      ok = int64_t(d) == ax || shapes[i][d] < 0 || shapes[0][d] < 0 || shapes[i][d] == shapes[0][d];
    if (!ok)
      throw std::invalid_argument(name() + ": a Concatenate layer requires inputs with matching "
                                  "shapes except for the concatenation axis " + std::to_string(axis_) +
                                  ", but received input 0 with shape " + shape_str(shapes[0]) +
                                  " and input " + std::to_string(i) + " with shape " + shape_str(shapes[i]));
  }
}

std::vector<Tensor> ConcatenateLayer::call(const std::vector<Tensor>& xs, bool) {
  if (detail::any_sparse(xs)) return {detail::concat_sparse(xs, axis_)};
  return {ops::concat(xs, axis_)};
}

std::vector<ShapeSpec> ConcatenateLayer::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  ShapeSpec out = shapes[0];
  const int64_t ax = axis_ < 0 ? axis_ + int64_t(out.size()) : axis_;
  int64_t total = 0;
  for (const ShapeSpec& s : shapes) {
    int64_t d = s[size_t(ax)];
    total = (total < 0 || d < 0) ? -1 : total + d;
  }
  out[size_t(ax)] = total;
  return {out};
}

Config ConcatenateLayer::get_config() const {
  Config c = base_config();
  c["axis"] = static_cast<long long>(axis_);
  return c;
}

LayerPtr ConcatenateLayer::from_config(const Config& c) {
  return make<ConcatenateLayer>(c.get("axis", -1).as_int(), layer_options_from(c));
}

std::vector<Tensor> ConcatenateLayer::compute_mask(const std::vector<Tensor>& inputs,
                                                   const std::vector<Tensor>& masks) {
  bool any = false;
  for (const Tensor& m : masks) any = any || m.defined();
  if (!any) return {};
  std::vector<Tensor> parts;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& x = inputs[i];
    Tensor m = i < masks.size() ? masks[i] : Tensor();
    if (!m.defined()) m = ops::ones(x.shape(), DType::bool_);
    else if (m.rank() < x.rank()) m = ops::broadcast_to(ops::expand_dims(ops::cast(m, DType::bool_), -1), x.shape());
    parts.push_back(ops::cast(m, DType::bool_));
  }
  return {ops::any(ops::concat(parts, axis_), {-1}, false)};
}

DotLayer::DotLayer(std::vector<int64_t> axes, bool normalize, const LayerOptions& o)
    : Layer("Dot", o), axes_(std::move(axes)), normalize_(normalize) {
  supports_masking_ = true;  // takes masked inputs; compute_mask gives none
  if (axes_.size() == 1) axes_.push_back(axes_[0]);
  if (axes_.size() != 2)
    throw std::invalid_argument(name() + ": expected one axis or one per input, but received " +
                                std::to_string(axes_.size()));
}

void DotLayer::build(const std::vector<ShapeSpec>& shapes) {
  if (shapes.size() != 2)
    throw std::invalid_argument(name() + ": expected exactly 2 inputs, but received " +
                                std::to_string(shapes.size()));
  const int64_t a0 = axes_[0] < 0 ? axes_[0] + int64_t(shapes[0].size()) : axes_[0];
  const int64_t a1 = axes_[1] < 0 ? axes_[1] + int64_t(shapes[1].size()) : axes_[1];
  if (a0 < 1 || a0 >= int64_t(shapes[0].size()) || a1 < 1 || a1 >= int64_t(shapes[1].size()))
    throw std::invalid_argument(name() + ": axes must name non-batch axes of the inputs, shapes " +
                                shape_str(shapes[0]) + " and " + shape_str(shapes[1]));
  int64_t d0 = shapes[0][size_t(a0)], d1 = shapes[1][size_t(a1)];
  if (d0 >= 0 && d1 >= 0 && d0 != d1)
    throw std::invalid_argument(name() + ": dimension incompatibility: " + std::to_string(d0) +
                                " != " + std::to_string(d1) + " for inputs of shapes " +
                                shape_str(shapes[0]) + " and " + shape_str(shapes[1]));
}

std::vector<Tensor> DotLayer::call(const std::vector<Tensor>& xs, bool) {
  Tensor a = xs[0], b = xs[1];
  const int64_t a0 = axes_[0] < 0 ? axes_[0] + a.rank() : axes_[0];
  const int64_t a1 = axes_[1] < 0 ? axes_[1] + b.rank() : axes_[1];
  if (normalize_) {
    auto l2n = [](const Tensor& t, int64_t ax) {
      Tensor n = ops::sqrt(ops::maximum(ops::sum(ops::square(t), {ax}, true), ops::scalar_like(t, 1e-12)));
      return ops::divide(t, n);
    };
    a = l2n(a, a0);
    b = l2n(b, a1);
  }
  // Batched contraction: move the contracted axis last in a, second-to-last in b.
  auto move_to = [](const Tensor& t, int64_t from, int64_t to) {
    std::vector<int64_t> perm;
    for (int64_t i = 0; i < t.rank(); ++i)
      if (i != from) perm.push_back(i);
    perm.insert(perm.begin() + (to < 0 ? int64_t(perm.size()) + 1 + to : to), from);
    return ops::transpose(t, perm);
  };
  Tensor at = move_to(a, a0, -1);  // (B, ..., K)
  Tensor bt = move_to(b, a1, 1);   // (B, K, ...)
  const int64_t B = a.shape()[0], K = a.shape()[a0];
  // The free sizes explicitly (a -1 cannot be inferred from an empty batch).
  auto free_size = [](const Tensor& t, int64_t skip) {
    int64_t n = 1;
    for (int64_t i = 1; i < t.rank(); ++i)
      if (i != skip) n *= t.shape()[i];
    return n;
  };
  Tensor am = ops::reshape(at, {B, free_size(a, a0), K});
  Tensor bm = ops::reshape(bt, {B, K, free_size(b, a1)});
  Tensor y = ops::matmul(am, bm);  // (B, Ma, Mb)
  std::vector<int64_t> dims = {B};
  for (int64_t i = 1; i < a.rank(); ++i)
    if (i != a0) dims.push_back(a.shape()[i]);
  for (int64_t i = 1; i < b.rank(); ++i)
    if (i != a1) dims.push_back(b.shape()[i]);
  if (dims.size() == 1) dims.push_back(1);  // Keras keeps (batch, 1)
  return {ops::reshape(y, dims)};
}

Config DotLayer::get_config() const {
  Config c = base_config();
  c["axes"] = Value(axes_);
  c["normalize"] = normalize_;
  return c;
}

LayerPtr DotLayer::from_config(const Config& c) {
  Value axes = c.at("axes");
  std::vector<int64_t> ax = axes.type() == Value::Type::list ? axes.as_ints() : std::vector<int64_t>{axes.as_int()};
  return make<DotLayer>(ax, c.get("normalize", false).as_bool(), layer_options_from(c));
}

Ref<MergeLayer> Add(const LayerOptions& o) { return make<MergeLayer>(MergeLayer::Kind::add, o); }
Ref<MergeLayer> Subtract(const LayerOptions& o) { return make<MergeLayer>(MergeLayer::Kind::subtract, o); }
Ref<MergeLayer> Multiply(const LayerOptions& o) { return make<MergeLayer>(MergeLayer::Kind::multiply, o); }
Ref<MergeLayer> Average(const LayerOptions& o) { return make<MergeLayer>(MergeLayer::Kind::average, o); }
Ref<MergeLayer> Maximum(const LayerOptions& o) { return make<MergeLayer>(MergeLayer::Kind::maximum, o); }
Ref<MergeLayer> Minimum(const LayerOptions& o) { return make<MergeLayer>(MergeLayer::Kind::minimum, o); }
Ref<ConcatenateLayer> Concatenate(int64_t axis, const LayerOptions& o) { return make<ConcatenateLayer>(axis, o); }
Ref<DotLayer> Dot(std::vector<int64_t> axes, bool normalize, const LayerOptions& o) {
  return make<DotLayer>(std::move(axes), normalize, o);
}
Ref<DotLayer> Dot(int64_t axes, bool normalize, const LayerOptions& o) {
  return make<DotLayer>(std::vector<int64_t>{axes}, normalize, o);
}

template LayerPtr MergeLayer::from_config<MergeLayer::Kind::add>(const Config&);
template LayerPtr MergeLayer::from_config<MergeLayer::Kind::subtract>(const Config&);
template LayerPtr MergeLayer::from_config<MergeLayer::Kind::multiply>(const Config&);
template LayerPtr MergeLayer::from_config<MergeLayer::Kind::average>(const Config&);
template LayerPtr MergeLayer::from_config<MergeLayer::Kind::maximum>(const Config&);
template LayerPtr MergeLayer::from_config<MergeLayer::Kind::minimum>(const Config&);

std::vector<Tensor> DotLayer::compute_mask(const std::vector<Tensor>&, const std::vector<Tensor>&) {
  return {Tensor()};
}

}  // namespace keras::layers
