#include "keras/layers/reshape.h"

#include <stdexcept>

#include "core/ops.h"
#include "core/sparse.h"
#include "keras/layers/args.h"

namespace keras::layers {
namespace ops = core::ops;

ReshapeLayer::ReshapeLayer(ShapeSpec target_shape, const LayerOptions& o)
    : Layer("Reshape", o), target_(std::move(target_shape)) {
  int unknown = 0;
  for (int64_t d : target_) {
    if (d == -1) ++unknown;
    if (d < -1)
      throw std::invalid_argument(name() + ": expected target_shape to hold sizes >= 0 or one -1, but "
                                  "received target_shape=" + shape_str(target_) + " with " +
                                  std::to_string(d));
  }
  if (unknown > 1)
    throw std::invalid_argument(name() + ": the target_shape argument must not contain more than one -1 "
                                "value, but received target_shape=" + shape_str(target_));
  input_spec.min_ndim = 1;
}

ShapeSpec ReshapeLayer::resolve(const ShapeSpec& in, const ShapeSpec& full) const {
  bool in_known = true;
  int64_t in_size = 1;
  for (int64_t d : in) {
    if (d < 0) in_known = false;
    else in_size *= d;
  }
  int64_t known = 1, unknown_at = -1;
  for (size_t i = 0; i < target_.size(); ++i) {
    if (target_[i] < 0) unknown_at = int64_t(i);
    else known *= target_[i];
  }
  ShapeSpec out = target_;
  if (!in_known) return out;  // the -1 (if any) stays unknown
  auto fail = [&] {
    std::string t = "(";
    for (size_t i = 0; i < target_.size(); ++i) t += (i ? ", " : "") + std::to_string(target_[i]);
    t += target_.size() == 1 ? ",)" : ")";
    throw std::invalid_argument(name() + ": the total size of the input (" + std::to_string(in_size) +
                                " values per sample) must be unchanged; cannot reshape input with shape " +
                                shape_str(full) + " to target_shape " + t);
  };
  if (unknown_at >= 0) {
    if (known == 0 || in_size % known != 0) fail();
    out[size_t(unknown_at)] = in_size / known;
  } else if (known != in_size) {
    fail();
  }
  return out;
}

Tensor ReshapeLayer::call(const Tensor& x, bool) {
  ShapeSpec full = spec_of(x.shape());
  ShapeSpec out = resolve(ShapeSpec(full.begin() + 1, full.end()), full);
  int64_t per_sample = 1;
  for (int64_t d : out) per_sample *= d;
  out.insert(out.begin(), per_sample > 0 ? -1 : full[0]);  // -1: any batch size in a graph
  if (core::sparse::is_sparse(x)) return core::sparse::reshape(core::sparse::sparse_of(x), out).as_tensor();
  return ops::reshape(x, out);
}

std::vector<ShapeSpec> ReshapeLayer::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  const ShapeSpec& s = shapes.at(0);
  ShapeSpec out = resolve(ShapeSpec(s.begin() + 1, s.end()), s);
  out.insert(out.begin(), s[0]);
  return {out};
}

Config ReshapeLayer::get_config() const {
  Config c = base_config();
  c["target_shape"] = Value(target_);
  return c;
}

LayerPtr ReshapeLayer::from_config(const Config& c) {
  return make<ReshapeLayer>(c.at("target_shape").as_ints(), layer_options_from(c));
}

Ref<ReshapeLayer> Reshape(ShapeSpec target_shape, const LayerOptions& o) {
  return make<ReshapeLayer>(std::move(target_shape), o);
}

}  // namespace keras::layers
